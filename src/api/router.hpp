// The API's resources, independent of any transport (docs/api.md). Private to the api module;
// the unix-socket server and, later, the HTTPS server call it.
#pragma once

#include "api/api.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace uplink::api {

enum class Method { Get, Post, Other };
std::string_view to_string(Method method);
Method method_from_string(std::string_view text);

// Who sent a request: a few resources are for root on the router alone (the unix socket), and
// the config file for root and the admin, never for a script's API token.
enum class Caller { Root, Admin, ApiToken };

// A request target's query ("?since=-3600"), decoded; a name without '=' has the value "".
using Query = std::map<std::string, std::string, std::less<>>;
Query parse_query(std::string_view text);
// A query value read as a whole number from `minimum` to `maximum`: decimal digits, with '-'
// before them for a negative one, and nothing else (no '+', space or fraction). Anything else,
// or a number outside the range however large, is nullopt: never a value that wrapped around.
std::optional<std::int64_t> parse_query_integer(std::string_view text, std::int64_t minimum, std::int64_t maximum);
// RFC 3986 §2.1: "%2F" is '/'; an invalid escape is kept as written.
std::string percent_decode(std::string_view text);
// "/v1/modems/1-1" -> {"v1", "modems", "1-1"}, each segment percent-decoded; "//" is an empty one.
std::vector<std::string> split_path(std::string_view path);

struct Request {
    Method method = Method::Get;
    Caller caller = Caller::ApiToken;   // the less trusted, unless the transport says
    ConsoleRight console = ConsoleRight::Denied;
    std::string client;          // who and from where, for the audit log of console commands
    std::string method_text;     // as sent, for messages when it is not GET or POST
    std::string path;            // "/v1/modems/1-1/signal", and a query when there is one
    boost::json::value body;     // null when the request had none
};

// After the reply, the transport either waits for the next request or, for GET /v1/events,
// streams events (ModemSource::subscribe) until the client goes away.
enum class Follow { None, Events };

struct Response {
    int status = 200;
    boost::json::value body;     // when status < 400
    std::string error;           // when status >= 400: a message a person can act on
    Follow follow = Follow::None;

    static Response ok(boost::json::value body);
    static Response failure(int status, std::string error);
};

Response not_found_modem(const std::string& id);

class Router {
public:
    Router(ModemSource& source, DaemonInfo info);

    boost::asio::awaitable<Response> handle(Request request);

private:
    Response status() const;
    Response modems() const;
    Response modem(const std::string& id) const;
    Response signal(const std::string& id) const;
    Response signal_history(const std::string& id, const Query& query) const;   // signal_routes.cpp
    Response fast_signal(const std::string& id, const boost::json::value& body);  // signal_routes.cpp
    Response dialogue(const std::string& id) const;
    Response debug(const std::string& id) const;                    // debug_routes.cpp
    boost::json::value modem_json(const modem::Snapshot& snapshot) const;   // snapshot and usage
    boost::asio::awaitable<Response> send_at(std::string id, Request request);
    Response set_connection_wanted(const std::string& id, bool wanted);
    boost::asio::awaitable<Response> set_sim_pin(std::string id, boost::json::value body);
    boost::asio::awaitable<Response> scan_networks(std::string id);
    Response recent_events() const;
    Response wans() const;                                          // wan_routes.cpp
    Response policies() const;                                      // wan_routes.cpp
    Response profiles() const;
    Response edit_config(std::string type, std::string name, bool remove, const Request& request);
    Response config_file() const;                                   // config_routes.cpp
    Response restore_config(const Request& request);
    boost::asio::awaitable<Response> reset_admin_password(Request request);
    Response tokens(const std::vector<std::string>& segments, const Request& request);   // token_routes.cpp
    Response list_tokens();
    Response create_token(const Request& request);
    Response revoke_token(const std::string& name, const Request& request);

    ModemSource& source_;
    DaemonInfo info_;
};

// JSON forms of the modem module's values, shared by every transport.
boost::json::value modem_summary_json(const modem::Snapshot& snapshot);
boost::json::value snapshot_json(const modem::Snapshot& snapshot, Clock::time_point now);
boost::json::value signal_json(const modem::Signal& signal, Clock::time_point now);
boost::json::value connection_json(const modem::Connection& connection, std::chrono::system_clock::time_point now);
boost::json::value event_json(const modem::Event& event);
boost::json::value effective_settings_json(const modem::EffectiveSettings& settings);
boost::json::value radio_state_json(const modem::RadioState& radio);   // what the modem reports
boost::json::value sim_json(const modem::Sim& sim);
boost::json::value dialogue_json(const std::vector<modem::DialogueLine>& lines);
// As configured, with secrets only as "pin_set"/"password_set" (config_routes.cpp).
boost::json::value profile_json(const modem::Profile& profile);
boost::json::value rule_json(const modem::SimRule& rule);
std::string format_utc_time(std::chrono::system_clock::time_point time);   // 2024-05-01T12:00:00.123Z

} // namespace uplink::api
