#include "api/router.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <type_traits>
#include <exception>
#include <map>

namespace uplink::api {

namespace json = boost::json;

std::string_view to_string(Method method)
{
    switch (method) {
    case Method::Get: return "GET";
    case Method::Post: return "POST";
    case Method::Other: return "other";
    }
    return "other";
}

Method method_from_string(std::string_view text)
{
    if (text == "GET")
        return Method::Get;
    if (text == "POST")
        return Method::Post;
    return Method::Other;
}

Response Response::ok(json::value body)
{
    Response response;
    response.body = std::move(body);
    return response;
}

Response Response::failure(int status, std::string error)
{
    Response response;
    response.status = status;
    response.error = std::move(error);
    return response;
}

// ---------------------------------------------------------------- JSON forms

namespace {

template <typename Integer>
json::value optional_json(const std::optional<Integer>& value)
{
    if (!value)
        return nullptr;
    if constexpr (std::is_signed_v<Integer>)
        return json::value(static_cast<std::int64_t>(*value));
    else
        return json::value(static_cast<std::uint64_t>(*value));
}

// Cell ids and tracking area codes are shown in hex by modems and cell databases alike.
template <typename Integer>
json::value hex_json(const std::optional<Integer>& value)
{
    if (value)
        return json::value(fmt::format("{:X}", *value));
    return nullptr;
}

json::value carrier_json(const modem::Carrier& carrier)
{
    return json::object{
        {"primary", carrier.primary},
        {"band", carrier.band},
        {"earfcn", carrier.earfcn},
        {"bandwidth_rb", carrier.bandwidth_rb},
        {"pci", optional_json(carrier.pci)},
        {"rsrp_dbm", optional_json(carrier.rsrp_dbm)},
        {"rsrq_db", optional_json(carrier.rsrq_db)},
        {"sinr_db", optional_json(carrier.sinr_db)},
    };
}

json::value port_json(const modem::Port& port)
{
    return json::object{
        {"name", port.name},
        {"device_path", port.device_path},
        {"role", to_string(port.role)},
        {"interface", port.interface_number >= 0 ? json::value(port.interface_number) : json::value(nullptr)},
        {"driver", port.driver},
    };
}

} // namespace

json::value signal_json(const modem::Signal& signal, Clock::time_point now)
{
    json::array carriers;
    for (const auto& carrier : signal.carriers)
        carriers.push_back(carrier_json(carrier));
    json::value age = nullptr;
    if (signal.updated) {
        auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(now - *signal.updated).count();
        age = std::max<std::int64_t>(milliseconds, 0);
    }
    // Quectel's names for the receive chains (AT+QRSRP), in its order.
    constexpr std::array<std::string_view, 4> chain_names{"prx", "drx", "rx2", "rx3"};
    json::array antennas;
    for (std::size_t chain = 0; chain < signal.antenna_rsrp_dbm.size() && chain < chain_names.size(); ++chain)
        if (signal.antenna_rsrp_dbm[chain])
            antennas.push_back(json::object{{"chain", chain_names[chain]}, {"rsrp_dbm", *signal.antenna_rsrp_dbm[chain]}});
    return json::object{
        {"rssi_dbm", optional_json(signal.rssi_dbm)},
        {"rsrp_dbm", optional_json(signal.rsrp_dbm)},
        {"rsrq_db", optional_json(signal.rsrq_db)},
        {"sinr_db", optional_json(signal.sinr_db)},
        {"band", optional_json(signal.band)},
        {"earfcn", optional_json(signal.earfcn)},
        {"pci", optional_json(signal.pci)},
        {"carriers", std::move(carriers)},
        {"antennas", std::move(antennas)},
        {"age_ms", std::move(age)},
    };
}

namespace {

json::value ip_json(const std::optional<modem::IpSettings>& ip)
{
    if (!ip)
        return nullptr;
    json::array dns;
    for (const auto& server : ip->dns)
        dns.push_back(json::value(server));
    return json::object{
        {"address", ip->address},
        {"prefix_length", ip->prefix_length},
        {"gateway", ip->gateway},
        {"dns", std::move(dns)},
    };
}

} // namespace

json::value connection_json(const modem::Connection& connection, std::chrono::system_clock::time_point now)
{
    json::value uptime = nullptr;
    json::value since = nullptr;
    if (connection.connected_since) {
        uptime = std::max<std::int64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(now - *connection.connected_since).count(), 0);
        since = json::value(format_utc_time(*connection.connected_since));
    }
    return json::object{
        {"state", to_string(connection.state)},
        {"interface", connection.interface},
        {"ipv4", ip_json(connection.ipv4)},
        {"ipv6", ip_json(connection.ipv6)},
        {"mtu", optional_json(connection.mtu)},
        {"connected_since", std::move(since)},
        {"uptime_s", std::move(uptime)},
        {"received_bytes", connection.traffic ? json::value(connection.traffic->received_bytes) : json::value(nullptr)},
        {"sent_bytes", connection.traffic ? json::value(connection.traffic->sent_bytes) : json::value(nullptr)},
        {"last_error", connection.last_error},
    };
}

json::value recovery_json(const modem::Recovery& recovery)
{
    auto time = [](const std::optional<std::chrono::system_clock::time_point>& at) {
        return at ? json::value(format_utc_time(*at)) : json::value(nullptr);
    };
    return json::object{
        {"state", recovery.state},
        {"next_step", recovery.next_step},
        {"last_action", recovery.last_action.empty() ? json::value(nullptr) : json::value(recovery.last_action)},
        {"last_action_at", time(recovery.last_action_at)},
        {"not_before", time(recovery.not_before)},
        {"probe_bytes_per_month", recovery.probe_bytes_per_month},
    };
}

json::value usage_json(const std::optional<WanUsage>& usage)
{
    if (!usage)
        return nullptr;
    return json::object{
        {"today", json::object{{"received_bytes", usage->today_received}, {"sent_bytes", usage->today_sent}}},
        {"this_period", json::object{{"received_bytes", usage->period_received}, {"sent_bytes", usage->period_sent}}},
        {"period_start", format_utc_time(usage->period_start)},
    };
}

json::value modem_summary_json(const modem::Snapshot& snapshot)
{
    return json::object{
        {"id", snapshot.id},
        {"wan", snapshot.wan},
        {"state", to_string(snapshot.state)},
        {"model", snapshot.identity.model},
        {"manufacturer", snapshot.identity.manufacturer},
        {"operator_name", snapshot.registration.operator_name},
        {"technology", to_string(snapshot.registration.technology)},
        {"rsrp_dbm", optional_json(snapshot.signal.rsrp_dbm)},
        {"sinr_db", optional_json(snapshot.signal.sinr_db)},
        {"rssi_dbm", optional_json(snapshot.signal.rssi_dbm)},
        {"connection", to_string(snapshot.connection.state)},
        {"address", snapshot.connection.ipv4 ? snapshot.connection.ipv4->address
                  : snapshot.connection.ipv6 ? snapshot.connection.ipv6->address
                                             : std::string()},
        {"message", snapshot.message},
    };
}

json::value sim_json(const modem::Sim& sim)
{
    return json::object{
        {"state", to_string(sim.state)},
        {"iccid", sim.iccid},
        {"imsi", sim.imsi},
        {"operator_id", sim.operator_id},
        {"pin_retries", optional_json(sim.pin_retries)},
        {"puk_retries", optional_json(sim.puk_retries)},
        {"pin_enabled", sim.pin_enabled ? json::value(*sim.pin_enabled) : json::value(nullptr)},
    };
}

json::value snapshot_json(const modem::Snapshot& snapshot, Clock::time_point now)
{
    const auto& identity = snapshot.identity;
    const auto& sim = snapshot.sim;
    const auto& registration = snapshot.registration;
    const auto& device = snapshot.device;
    json::array ports;
    for (const auto& port : device.ports)
        ports.push_back(port_json(port));
    return json::object{
        {"id", snapshot.id},
        {"wan", snapshot.wan},
        {"state", to_string(snapshot.state)},
        {"failed_reason", snapshot.failed_reason == modem::FailedReason::None
                              ? json::value(nullptr)
                              : json::value(to_string(snapshot.failed_reason))},
        {"message", snapshot.message},
        {"identity", json::object{
            {"manufacturer", identity.manufacturer},
            {"model", identity.model},
            {"revision", identity.revision},
            {"imei", identity.imei},
        }},
        {"sim", sim_json(sim)},
        {"registration", json::object{
            {"state", to_string(registration.state)},
            {"technology", to_string(registration.technology)},
            {"operator_name", registration.operator_name},
            {"operator_id", registration.operator_id},
            {"tac", optional_json(registration.tac)},
            {"tac_hex", hex_json(registration.tac)},
            {"cell_id", optional_json(registration.cell_id)},
            {"cell_id_hex", hex_json(registration.cell_id)},
        }},
        {"signal", signal_json(snapshot.signal, now)},
        {"connection", connection_json(snapshot.connection, std::chrono::system_clock::now())},
        {"settings", snapshot.settings ? effective_settings_json(*snapshot.settings) : json::value(nullptr)},
        {"radio", radio_state_json(snapshot.radio)},
        {"recovery", recovery_json(snapshot.recovery)},
        {"device", json::object{
            {"usb_path", device.usb_path},
            {"sysfs_path", device.sysfs_path},
            {"vendor_id", device.vendor_id},
            {"product_id", device.product_id},
            {"vendor_entry", device.vendor_entry},
            {"protocol", to_string(device.protocol)},
            {"ports", std::move(ports)},
        }},
    };
}

std::string format_utc_time(std::chrono::system_clock::time_point time)
{
    using namespace std::chrono;
    auto since_epoch = duration_cast<milliseconds>(time.time_since_epoch()).count();
    auto seconds_part = since_epoch / 1000;
    auto milliseconds_part = since_epoch % 1000;
    if (milliseconds_part < 0) {
        milliseconds_part += 1000;
        seconds_part -= 1;
    }
    std::time_t seconds_value = static_cast<std::time_t>(seconds_part);
    std::tm utc{};
    if (!gmtime_r(&seconds_value, &utc))
        return "";
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                       utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, milliseconds_part);
}

json::value dialogue_json(const std::vector<modem::DialogueLine>& lines)
{
    json::array body;
    for (const auto& line : lines)
        body.push_back(json::object{
            {"time", format_utc_time(line.time)},
            {"port", line.port},
            {"direction", line.direction},
            {"text", line.text},
        });
    return body;
}

json::value event_json(const modem::Event& event)
{
    json::object object{
        {"kind", to_string(event.kind)},
        {"modem_id", event.modem_id.empty() ? json::value(nullptr) : json::value(event.modem_id)},
        {"message", event.message},
        {"time", format_utc_time(event.time)},
    };
    if (event.kind == modem::Event::Kind::WanChanged)
        object["wan"] = event.wan;
    return object;
}

// ---------------------------------------------------------------- routing

namespace {

constexpr std::string_view resource_list =
    "/v1/status, /v1/modems, /v1/modems/<id>, /v1/modems/<id>/signal, /v1/modems/<id>/signal/history, "
    "/v1/modems/<id>/signal/fast, /v1/modems/<id>/at, "
    "/v1/modems/<id>/connect, /v1/modems/<id>/disconnect, /v1/modems/<id>/sim/pin, /v1/modems/<id>/dialogue, "
    "/v1/modems/<id>/scan, /v1/modems/<id>/debug, /v1/wans, "
    "/v1/profiles, /v1/profiles/<name>[/delete], /v1/rules/<name>[/delete], /v1/wans/<name>[/delete], "
    "/v1/policies/<name>[/delete], /v1/traffic/<name>[/delete], /v1/config, "
    "/v1/tokens, /v1/tokens/<name>/delete, /v1/events, /v1/events/recent, /v1/admin-password (unix socket only)";

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

// RFC 3986 §2.1; an invalid escape is kept as written (it then matches nothing).
std::string percent_decode(std::string_view text)
{
    std::string decoded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            int high = hex_digit(text[i + 1]);
            int low = hex_digit(text[i + 2]);
            if (high >= 0 && low >= 0) {
                decoded.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        decoded.push_back(text[i]);
    }
    return decoded;
}

std::vector<std::string> split_path(std::string_view path)
{
    std::vector<std::string> segments;
    std::size_t start = 1;   // after the leading '/'
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        if (end > start)
            segments.push_back(percent_decode(path.substr(start, end - start)));
        else if (end < path.size())
            segments.push_back("");   // "//": an empty segment, which matches no resource
        start = end + 1;
    }
    return segments;
}

// RFC 3986 §3.4, as HTML forms write it: "since=-3600&points=500", '+' for a space.
Query parse_query(std::string_view text)
{
    Query query;
    while (!text.empty()) {
        auto end = text.find('&');
        auto pair = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view {} : text.substr(end + 1);
        if (pair.empty())
            continue;
        std::string decoded(pair);
        std::ranges::replace(decoded, '+', ' ');
        auto equals = decoded.find('=');
        if (equals == std::string::npos)
            query.insert_or_assign(percent_decode(decoded), std::string {});
        else
            query.insert_or_assign(percent_decode(std::string_view(decoded).substr(0, equals)),
                percent_decode(std::string_view(decoded).substr(equals + 1)));
    }
    return query;
}

std::optional<std::int64_t> parse_query_integer(std::string_view text, std::int64_t minimum, std::int64_t maximum)
{
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc {} || end != text.data() + text.size() || value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

namespace {

Response not_found_path(const std::string& path)
{
    return Response::failure(404, fmt::format("no resource at '{}'; the resources are {} (docs/api.md)", path,
                                              resource_list));
}

Response wrong_method(const Request& request, Method allowed)
{
    return Response::failure(405, fmt::format("method {} is not allowed on {}; use {}", request.method_text,
                                              request.path, to_string(allowed)));
}

} // namespace

Response not_found_modem(const std::string& id)
{
    return Response::failure(404, fmt::format("no modem with id '{}'; `uplink modems` lists them", id));
}

Router::Router(ModemSource& source, DaemonInfo info) : source_(source), info_(std::move(info)) {}

boost::asio::awaitable<Response> Router::handle(Request request)
{
    if (request.path.empty() || request.path.front() != '/')
        co_return Response::failure(400, fmt::format("path '{}' must start with '/', e.g. /v1/status", request.path));
    std::string_view target = request.path;
    auto question = target.find('?');
    auto segments = split_path(target.substr(0, question));
    auto query = question == std::string_view::npos ? Query {} : parse_query(target.substr(question + 1));
    if (segments.size() < 2 || segments[0] != "v1")
        co_return not_found_path(request.path);

    auto expect = [&request](Method allowed) -> std::optional<Response> {
        if (request.method != allowed)
            return wrong_method(request, allowed);
        return std::nullopt;
    };
    const auto& resource = segments[1];
    if (resource == "status" && segments.size() == 2) {
        if (auto refusal = expect(Method::Get))
            co_return *refusal;
        co_return status();
    }
    if (resource == "modems") {
        if (segments.size() == 2) {
            if (auto refusal = expect(Method::Get))
                co_return *refusal;
            co_return modems();
        }
        const auto& id = segments[2];
        if (segments.size() == 3) {
            if (auto refusal = expect(Method::Get))
                co_return *refusal;
            co_return modem(id);
        }
        if (segments.size() == 4 && segments[3] == "signal") {
            if (auto refusal = expect(Method::Get))
                co_return *refusal;
            co_return signal(id);
        }
        if (segments.size() == 5 && segments[3] == "signal" && segments[4] == "history") {
            if (auto refusal = expect(Method::Get))
                co_return *refusal;
            co_return signal_history(id, query);
        }
        if (segments.size() == 5 && segments[3] == "signal" && segments[4] == "fast") {
            if (auto refusal = expect(Method::Post))
                co_return *refusal;
            co_return fast_signal(id, request.body);
        }
        if (segments.size() == 4 && segments[3] == "dialogue") {
            if (auto refusal = expect(Method::Get))
                co_return *refusal;
            co_return dialogue(id);
        }
        if (segments.size() == 4 && segments[3] == "debug") {
            if (auto refusal = expect(Method::Get))
                co_return *refusal;
            co_return debug(id);
        }
        if (segments.size() == 4 && segments[3] == "at") {
            if (auto refusal = expect(Method::Post))
                co_return *refusal;
            co_return co_await send_at(id, std::move(request));
        }
        if (segments.size() == 5 && segments[3] == "sim" && segments[4] == "pin") {
            if (auto refusal = expect(Method::Post))
                co_return *refusal;
            // The SIM's answer tells whether a PIN is right: a token sends one only with the
            // console scope, which sends PINs anyway (docs/auth.md).
            if (request.caller == Caller::ApiToken && request.console != ConsoleRight::Granted)
                co_return Response::failure(403, "an API token sends the SIM no PIN (its answer would say whether a "
                                                 "guess is right) unless made with the \"console\" scope: log in "
                                                 "with the password");
            co_return co_await set_sim_pin(id, std::move(request.body));
        }
        if (segments.size() == 4 && segments[3] == "scan") {
            if (auto refusal = expect(Method::Post))
                co_return *refusal;
            co_return co_await scan_networks(id);
        }
        if (segments.size() == 4 && (segments[3] == "connect" || segments[3] == "disconnect")) {
            if (auto refusal = expect(Method::Post))
                co_return *refusal;
            co_return set_connection_wanted(id, segments[3] == "connect");
        }
    }
    if (resource == "wans" && segments.size() == 2) {
        if (auto refusal = expect(Method::Get))
            co_return *refusal;
        co_return wans();
    }
    if (resource == "policies" && segments.size() == 2) {
        if (auto refusal = expect(Method::Get))
            co_return *refusal;
        co_return policies();
    }
    if (resource == "profiles" && segments.size() == 2) {
        if (auto refusal = expect(Method::Get))
            co_return *refusal;
        co_return profiles();
    }
    // The config sections the API edits, by their resource: profiles and SIM rules, and the WANs,
    // their policies and traffic rules (docs/failover.md).
    static const std::map<std::string_view, std::string_view> edited_sections {{"profiles", "profile"},
        {"rules", "rule"}, {"wans", "wan"}, {"policies", "policy"}, {"traffic", "traffic"}};
    if (auto section = edited_sections.find(resource); section != edited_sections.end() && segments.size() >= 3
        && segments.size() <= 4 && (segments.size() == 3 || segments[3] == "delete")) {
        if (auto refusal = expect(Method::Post))
            co_return *refusal;
        co_return edit_config(std::string(section->second), segments[2], segments.size() == 4, request);
    }
    if (resource == "config" && segments.size() == 2) {
        if (request.caller == Caller::ApiToken)
            co_return Response::failure(403, "an API token cannot back up or restore the config (it holds PINs and "
                                             "passwords): log in with the password");
        if (request.method == Method::Get)
            co_return config_file();
        if (request.method == Method::Post)
            co_return restore_config(request);
        co_return Response::failure(405, fmt::format("method {} is not allowed on {}; GET it for a backup, POST "
            "{{\"text\":...}} to restore one", request.method_text, request.path));
    }
    if (resource == "tokens" && segments.size() <= 4)
        co_return tokens(segments, request);
    if (resource == "admin-password" && segments.size() == 2) {
        if (auto refusal = expect(Method::Post))
            co_return *refusal;
        co_return co_await reset_admin_password(std::move(request));
    }
    if (resource == "events") {
        if (segments.size() == 2) {
            if (auto refusal = expect(Method::Get))
                co_return *refusal;
            auto response = Response::ok(json::object{{"stream", "events"}});
            response.follow = Follow::Events;
            co_return response;
        }
        if (segments.size() == 3 && segments[2] == "recent") {
            if (auto refusal = expect(Method::Get))
                co_return *refusal;
            co_return recent_events();
        }
    }
    co_return not_found_path(request.path);
}

// `uplink passwd`: root on the router sets the web UI's admin password without the old one (a
// forgotten one, or the first before anyone visits the page). Over HTTPS, changing it needs the
// current one (POST /api/v1/password, answered by the web module).
boost::asio::awaitable<Response> Router::reset_admin_password(Request request)
{
    if (request.caller != Caller::Root)
        co_return Response::failure(403, "the admin password is reset only through the unix socket (`uplink passwd` "
                                         "as root on the router); to change it here, POST /api/v1/password");
    const auto* password = request.body.is_object() ? request.body.as_object().if_contains("password") : nullptr;
    if (!password || !password->is_string())
        co_return Response::failure(400, "send {\"password\":\"<the new admin password>\"}");
    auto reset = co_await source_.reset_admin_password(std::string(password->as_string()));
    // A login's KDF was running: uplinkd runs one at a time.
    if (!reset && reset.error() == boost::system::errc::resource_unavailable_try_again)
        co_return Response::failure(503, fmt::format("the admin password is unchanged: {}", reset.error().message()));
    if (!reset)
        co_return Response::failure(400, fmt::format("the admin password is unchanged: {}", reset.error().message()));
    co_return Response::ok(json::object{{"password_set", true}});
}

Response Router::status() const
{
    json::array summaries;
    for (const auto& snapshot : source_.modems())
        summaries.push_back(modem_summary_json(snapshot));
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - info_.started).count();
    return Response::ok(json::object{
        {"version", info_.version},
        {"uptime_s", std::max<std::int64_t>(uptime, 0)},
        {"modems", std::move(summaries)},
    });
}

Response Router::modems() const
{
    json::array summaries;
    for (const auto& snapshot : source_.modems())
        summaries.push_back(modem_summary_json(snapshot));
    return Response::ok(std::move(summaries));
}

Response Router::modem(const std::string& id) const
{
    auto snapshot = source_.modem(id);
    if (!snapshot)
        return not_found_modem(id);
    return Response::ok(modem_json(*snapshot));
}

json::value Router::modem_json(const modem::Snapshot& snapshot) const
{
    auto body = snapshot_json(snapshot, Clock::now());
    body.as_object()["usage"] = usage_json(source_.usage(snapshot.wan));
    return body;
}

Response Router::dialogue(const std::string& id) const
{
    auto lines = source_.dialogue(id);
    if (!lines)
        return not_found_modem(id);
    return Response::ok(dialogue_json(*lines));
}

Response Router::signal(const std::string& id) const
{
    auto snapshot = source_.modem(id);
    if (!snapshot)
        return not_found_modem(id);
    return Response::ok(signal_json(snapshot->signal, Clock::now()));
}

// The request is taken at once; the connection follows (GET the modem, or the event stream).
Response Router::set_connection_wanted(const std::string& id, bool wanted)
{
    auto result = source_.set_connection_wanted(id, wanted);
    if (!result && result.error() == modem::Errc::NoSuchModem)
        return not_found_modem(id);
    if (!result)
        return Response::failure(409, fmt::format("modem '{}': {}", id, result.error().message()));
    auto snapshot = source_.modem(id);
    return Response::ok(json::object{
        {"modem_id", id},
        {"requested", wanted ? "connect" : "disconnect"},
        {"connection", snapshot ? connection_json(snapshot->connection, std::chrono::system_clock::now())
                                : json::value(nullptr)},
    });
}

// {"operation":"change","pin":"1234","new_pin":"4321"}, or "enable"/"disable" with "pin".
boost::asio::awaitable<Response> Router::set_sim_pin(std::string id, json::value body)
{
    const auto* object = body.if_object();
    auto field = [object](std::string_view key) -> std::string {
        const auto* value = object ? object->if_contains(key) : nullptr;
        return value && value->is_string() ? std::string(value->as_string()) : std::string();
    };
    modem::PinRequest request;
    auto operation = field("operation");
    if (operation == "change")
        request.operation = modem::PinOperation::Change;
    else if (operation == "enable")
        request.operation = modem::PinOperation::Enable;
    else if (operation == "disable")
        request.operation = modem::PinOperation::Disable;
    else
        co_return Response::failure(400, "field 'operation' must be \"change\", \"enable\" or \"disable\"");
    request.pin = field("pin");
    request.new_pin = field("new_pin");
    if (request.operation == modem::PinOperation::Change && request.new_pin.empty())
        co_return Response::failure(400, "a change needs 'new_pin' besides 'pin'");
    auto outcome = co_await source_.set_sim_pin(id, std::move(request));
    if (!outcome) {
        const auto& error = outcome.error();
        if (error == modem::Errc::NoSuchModem)
            co_return not_found_modem(id);
        if (error == modem::Errc::BadPin)
            co_return Response::failure(400, "a PIN is 4 to 8 digits");
        if (error == modem::Errc::WrongPinRemembered)
            co_return Response::failure(409, "this SIM refused this PIN before: uplink does not send it again");
        if (error == modem::Errc::NotReady)
            co_return Response::failure(409, fmt::format("modem '{}': its SIM is not open (ready); only an open SIM's PIN can be changed", id));
        co_return Response::failure(500, fmt::format("modem '{}': {}", id, error.message()));
    }
    co_return Response::ok(json::object{
        {"modem_id", id},
        {"operation", operation},
        {"accepted", outcome->accepted},
        {"message", outcome->message},
        {"sim", sim_json(outcome->sim)},
    });
}

// The networks in reach, as the modem's operator scan lists them: it searches every band it may use,
// which takes a real modem up to three minutes.
boost::asio::awaitable<Response> Router::scan_networks(std::string id)
{
    auto networks = co_await source_.scan_networks(id);
    if (!networks) {
        const auto& error = networks.error();
        if (error == modem::Errc::NoSuchModem)
            co_return not_found_modem(id);
        if (error == modem::Errc::NotReady)
            co_return Response::failure(409, fmt::format("modem '{}': a scan needs a port that answers and an open (ready) SIM", id));
        co_return Response::failure(502, fmt::format("modem '{}': the operator scan failed: {}", id, error.message()));
    }
    json::array list;
    for (const auto& network : *networks)
        list.push_back(json::object{
            {"mcc_mnc", network.mcc_mnc},
            {"long_name", network.long_name},
            {"short_name", network.short_name},
            {"status", network.status},
            {"technology", to_string(network.technology)},
        });
    co_return Response::ok(json::object{{"modem_id", id}, {"networks", std::move(list)}});
}

Response Router::recent_events() const
{
    json::array events;
    for (const auto& event : source_.recent_events())
        events.push_back(event_json(event));
    return Response::ok(std::move(events));
}

} // namespace uplink::api
