#include "sim/control.hpp"

#include "sim/json_fields.hpp"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

namespace uplink::sim {

namespace json = boost::json;

namespace {

constexpr std::array<std::pair<ControlCommand, std::string_view>, 17> command_names {{
    {ControlCommand::Status, "status"},
    {ControlCommand::Unplug, "unplug"},
    {ControlCommand::Replug, "replug"},
    {ControlCommand::SimRemove, "sim-remove"},
    {ControlCommand::SimInsert, "sim-insert"},
    {ControlCommand::SetSignal, "set-signal"},
    {ControlCommand::Detach, "detach"},
    {ControlCommand::Attach, "attach"},
    {ControlCommand::Hang, "hang"},
    {ControlCommand::Unhang, "unhang"},
    {ControlCommand::Garbage, "garbage"},
    {ControlCommand::Latency, "latency"},
    {ControlCommand::Override, "override"},
    {ControlCommand::ClearOverrides, "clear-overrides"},
    {ControlCommand::Counters, "counters"},
    {ControlCommand::BearerDrop, "bearer-drop"},
    {ControlCommand::Link, "link"},
}};

constexpr std::size_t max_request = 65536;

std::optional<std::string> decode_hex(std::string_view text)
{
    if (text.size() % 2 != 0)
        return std::nullopt;
    auto nibble = [](char c) {
        return (c >= '0' && c <= '9') ? c - '0'
            : (c >= 'a' && c <= 'f')  ? c - 'a' + 10
            : (c >= 'A' && c <= 'F')  ? c - 'A' + 10
                                      : -1;
    };
    std::string bytes;
    for (std::size_t index = 0; index < text.size(); index += 2) {
        int high = nibble(text[index]), low = nibble(text[index + 1]);
        if (high < 0 || low < 0)
            return std::nullopt;
        bytes += static_cast<char>(high * 16 + low);
    }
    return bytes;
}

void read_port(Fields& fields, ControlRequest& request)
{
    fields.require("port");
    request.port = fields.string("port").value_or("");
    if (!fields.failed() && request.port.empty())
        fields.fail("port", "expected a port name like \"ttyUSB2\"");
}

void read_garbage(Fields& fields, ControlRequest& request)
{
    read_port(fields, request);
    auto hex = fields.string("hex");
    auto text = fields.string("text");
    if (fields.failed())
        return;
    if (hex.has_value() == text.has_value()) {
        fields.fail_here("give exactly one of \"hex\" and \"text\"");
        return;
    }
    if (text) {
        request.bytes = *text;
        return;
    }
    auto bytes = decode_hex(*hex);
    if (!bytes)
        fields.fail("hex", "expected an even number of hex digits");
    request.bytes = bytes.value_or("");
}

void read_latency(Fields& fields, ControlRequest& request)
{
    if (!fields.require("ms"))
        return;
    if (const auto* value = fields.value("ms"); value != nullptr && value->is_null())
        return; // back to the scenario's latency
    if (auto ms = fields.integer("ms", 0, 600'000))
        request.latency = Duration(*ms);
}

void read_override(Fields& fields, ControlRequest& request)
{
    fields.require("match");
    request.override_entry.match = fields.string("match").value_or("");
    if (!fields.failed() && request.override_entry.match.empty())
        fields.fail("match", "must not be empty");
    if (const auto* lines = fields.array("lines")) {
        for (const auto& line : *lines) {
            if (!line.is_string()) {
                fields.fail("lines", "expected an array of strings");
                return;
            }
            request.override_entry.lines.emplace_back(line.get_string());
        }
    }
    request.override_entry.final = fields.string("final").value_or("OK");
}

// docs/link-model.md: rates in kbit/s (0: no limit), delay and jitter in ms, loss in percent.
void read_link(Fields& fields, ControlRequest& request)
{
    auto& link = request.link;
    if (auto rate = fields.integer("downlink_kbit", 0, 10'000'000))
        link.downlink_kbit = static_cast<std::uint64_t>(*rate);
    if (auto rate = fields.integer("uplink_kbit", 0, 10'000'000))
        link.uplink_kbit = static_cast<std::uint64_t>(*rate);
    if (auto delay = fields.integer("delay_ms", 0, 60'000))
        link.delay = Duration(*delay);
    if (auto jitter = fields.integer("jitter_ms", 0, 60'000))
        link.jitter = Duration(*jitter);
    if (auto loss = fields.integer("loss_percent", 0, 100))
        link.loss_percent = static_cast<double>(*loss);
}

void read_signal(const json::object& object, ControlRequest& request, std::string& message)
{
    json::object rest = object;
    rest.erase("cmd");
    rest.erase("modem");
    auto patch = parse_radio_patch(rest, "", message);
    if (!patch)
        return;
    if (patch->empty())
        message
            = "set-signal: give at least one of rsrp, rsrq, sinr, rssi (or another radio field)";
    request.signal = *patch;
}

void read_arguments(
    Fields& fields, const json::object& object, ControlRequest& request, std::string& message)
{
    switch (request.command) {
    case ControlCommand::Hang:
    case ControlCommand::Unhang:
        read_port(fields, request);
        break;
    case ControlCommand::Garbage:
        read_garbage(fields, request);
        break;
    case ControlCommand::Latency:
        read_latency(fields, request);
        break;
    case ControlCommand::Override:
        read_override(fields, request);
        break;
    case ControlCommand::SimInsert:
        request.sim = fields.string("sim");
        break;
    case ControlCommand::BearerDrop:
        if (auto cause = fields.integer("cause", 0, 255))
            request.cause = static_cast<int>(*cause);
        break;
    case ControlCommand::SetSignal:
        read_signal(object, request, message);
        break;
    case ControlCommand::Link:
        read_link(fields, request);
        break;
    default:
        break;
    }
}

} // namespace

std::string_view to_string(ControlCommand command)
{
    for (const auto& [value, name] : command_names)
        if (value == command)
            return name;
    return "unknown";
}

std::optional<ControlCommand> control_command_from_string(std::string_view text)
{
    for (const auto& [value, name] : command_names)
        if (name == text)
            return value;
    return std::nullopt;
}

Result<ControlRequest> parse_control_request(std::string_view line, std::string& message)
{
    message.clear();
    auto bad = [&](std::string text) {
        if (message.empty())
            message = std::move(text);
        return make_error_code(ControlErrc::BadRequest);
    };
    if (line.size() > max_request)
        return bad("request too long");
    boost::system::error_code error;
    auto document = json::parse(line, error);
    if (error)
        return bad("not JSON: " + error.message());
    if (!document.is_object())
        return bad("a request is a JSON object");
    const auto& object = document.get_object();
    Fields fields(object, "", message);
    fields.require("cmd");
    auto name = fields.string("cmd");
    if (fields.failed())
        return bad("");
    auto command = control_command_from_string(*name);
    if (!command)
        return bad("unknown cmd \"" + *name + "\"");
    ControlRequest request;
    request.command = *command;
    request.modem = fields.string("modem");
    read_arguments(fields, object, request, message);
    if (request.command != ControlCommand::SetSignal)
        fields.finish();
    if (!message.empty())
        return bad("");
    return request;
}

std::string control_error(std::string_view message)
{
    return json::serialize(json::object {{"ok", false}, {"error", message}});
}

const boost::system::error_category& control_category()
{
    static const struct : boost::system::error_category {
        const char* name() const noexcept override { return "uplink.sim.control"; }
        std::string message(int) const override { return "bad control request"; }
    } category;
    return category;
}

Error make_error_code(ControlErrc code)
{
    return {static_cast<int>(code), control_category()};
}

} // namespace uplink::sim
