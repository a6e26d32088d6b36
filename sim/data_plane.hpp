// uplink-sim's data path (root only): a TUN `wwan0` in the router's network namespace, raw IP
// as qmi_wwan in raw-ip mode presents it, and a TUN `carrier0` in the carrier's namespace; IP
// packets move between them through the link model (link_model.hpp) while a bearer is up.
//
//   [router ns: uplinkd configures wwan0] --TUN-- DataPlane --TUN-- [carrier ns: carrier0]
//      uplink: read from wwan0, written to carrier0; downlink: the other way
//
// The router side is left as a modem driver leaves it: down, no address. Configuring it is
// uplinkd's job (rtnetlink: address, MTU, link up, routes), as with a real modem. The carrier
// side is configured here: its address is the bearers' gateway, and it is up.
//
// Everything runs on the io_context's thread: call every member there, and run the context on
// one thread. docs/link-model.md describes the model and the counters.
#pragma once

#include "sim/link_model.hpp"

#include <core/core.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace uplink::sim {

// An IPv4 address and prefix length. The address is a host-order integer, as in
// BearerAddresses (qmi_state.hpp): 100.64.0.1 is 0x64400001.
struct Ipv4Prefix {
    std::uint32_t address = 0;
    std::uint8_t length = 32;
    friend bool operator==(const Ipv4Prefix&, const Ipv4Prefix&) = default;
};
// "100.64.0.1/30"; an address without "/" is a /32. None for anything else.
std::optional<Ipv4Prefix> parse_ipv4_prefix(std::string_view text);
std::string to_string(const Ipv4Prefix& prefix);

struct DataPlaneSetup {
    std::string router_namespace; // a name under /run/netns, as `ip netns add` makes
    std::string router_interface = "wwan0";
    std::string carrier_namespace;
    std::string carrier_interface = "carrier0";
    Ipv4Prefix carrier_address {0x64400001, 30}; // 100.64.0.1/30: the first bearer's gateway
    std::uint64_t seed = 1; // the link model's loss and jitter draws
};

enum class BearerState { Down, Up };
std::string_view to_string(BearerState state);
std::optional<BearerState> bearer_state_from_string(std::string_view text);

// One direction's packets. Every packet read from a TUN is counted once: delivered, or in one
// of the dropped_* counters (a packet still on its way is in none yet).
struct DirectionCounters {
    std::uint64_t packets = 0, bytes = 0; // delivered to the far TUN (whole IP packets)
    std::uint64_t dropped_bearer_down = 0; // no bearer, or on its way when the bearer went down
    std::uint64_t dropped_loss = 0; // the link model's random loss
    std::uint64_t dropped_queue = 0; // the link model's queue was full
    std::uint64_t dropped_write = 0; // the far TUN refused it (its interface is down)
    friend bool operator==(const DirectionCounters&, const DirectionCounters&) = default;
};

struct DataPlaneCounters {
    DirectionCounters downlink, uplink;
};

class DataPlane {
public:
    // Creates both TUNs, each inside its namespace, and configures the carrier side. The
    // calling thread enters each namespace in turn and always returns to its own. On failure
    // nothing is left behind and `message` says what failed:
    //   "network namespace 'router' does not exist (/run/netns/router)"
    //   "cannot open /dev/net/tun: No such file or directory"
    // The bearer starts down.
    static Result<DataPlane> create(
        boost::asio::io_context& context, DataPlaneSetup setup, std::string& message);

    DataPlane(DataPlane&& other) noexcept;
    DataPlane& operator=(DataPlane&& other) noexcept;
    DataPlane(const DataPlane&) = delete;
    DataPlane& operator=(const DataPlane&) = delete;
    ~DataPlane(); // stop()

    // Down drops every packet, including those on their way, and empties the link's queues.
    void set_bearer(BearerState state);
    BearerState bearer() const;

    // The link follows the signal; overrides win over it (an empty LinkOverrides clears them).
    void set_signal(const Signal& signal);
    void set_link(const LinkOverrides& overrides);
    const LinkSettings& link() const; // what is in effect
    const Signal& signal() const;
    const LinkOverrides& overrides() const;

    DataPlaneCounters counters() const;

    // Moves the carrier side to another address (a bearer got another pool block).
    Result<void> set_carrier_address(Ipv4Prefix prefix, std::string& message);

    // Closes both TUNs: their interfaces disappear. The object is empty afterwards.
    void stop();

private:
    struct State;
    explicit DataPlane(std::shared_ptr<State> state);
    std::shared_ptr<State> state_; // shared with the coroutines, which may outlive stop()
};

} // namespace uplink::sim
