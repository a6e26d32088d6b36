// The control socket's requests, sans-I/O: one JSON line in, a checked request out
// (docs/sim-control.md). The emulator executes it and writes one JSON line back.
#pragma once

#include "sim/link_model.hpp"
#include "sim/modem.hpp"
#include "sim/scenario.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace uplink::sim {

enum class ControlCommand {
    Status,
    Unplug,
    Replug,
    SimRemove,
    SimInsert,
    SetSignal,
    Detach,
    Attach,
    Hang,
    Unhang,
    Garbage,
    Latency,
    Override,
    ClearOverrides,
    Counters,
    BearerDrop,
    Link,
};
std::string_view to_string(ControlCommand command);
std::optional<ControlCommand> control_command_from_string(std::string_view text);

struct ControlRequest {
    ControlCommand command = ControlCommand::Status;
    std::optional<std::string> modem; // absent: the only modem of the scenario
    std::string port; // hang, unhang, garbage: "ttyUSB2"
    std::string bytes; // garbage: what to write, decoded from hex or text
    RadioPatch signal; // set-signal
    std::optional<Duration> latency; // latency: none = back to the scenario's
    Override override_entry; // override
    std::optional<std::string> sim; // sim-insert: which SIM card (default: the one removed)
    int cause = 36; // bearer-drop: 3GPP TS 24.301 §9.9.4.4 ESM cause, 36 regular deactivation
    LinkOverrides link; // link: what wins over the signal; empty: back to the signal's link
};

// Never throws; any bad input is an error with a message for the "error" field.
Result<ControlRequest> parse_control_request(std::string_view line, std::string& message);

// {"ok":false,"error":"<message>"}
std::string control_error(std::string_view message);

enum class ControlErrc { BadRequest = 1 };
const boost::system::error_category& control_category();
Error make_error_code(ControlErrc code);

} // namespace uplink::sim

namespace boost::system {
template <> struct is_error_code_enum<uplink::sim::ControlErrc> : std::true_type {
};
} // namespace boost::system
