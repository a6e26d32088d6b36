// One conversation with uplinkd over its socket, as the commands have it: a request, its reply's
// body, and the messages a person reads when it fails. Private to the CLI.
#pragma once

#include "cli/cli.hpp"
#include "cli/client.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace uplink::cli {

// An operator scan takes the modem up to 180 s (modem::Manager::operator_scan_timeout), and an AT
// command waits behind the modem's own commands and for its own timeout (at most 120 s).
inline constexpr std::chrono::seconds reply_timeout {200};

struct Session {
    const Invocation& invocation;
    std::ostream& output;
    std::ostream& errors;
    Connection& connection;
};

// Why the socket did not take the connection, as a person can act on it.
std::string connect_failure(const std::string& path, const Error& error);
// Why no reply came.
std::string read_failure(const Invocation& invocation, const Error& error);

// The reply's body, or nullopt after the reason has gone to `errors`.
std::optional<boost::json::value> request(
    Session& session, std::string_view method, const std::string& path, boost::json::value body = nullptr);

// A modem's id from what a person gives: the id itself (a USB path, `1-1.2`), its number in
// `uplink modems` (`1`), or its WAN name (`wan1`, `WAN1`). Nullopt after saying why not.
std::optional<std::string> resolve_modem(Session& session, const std::string& given);

// An id as one path segment of a resource.
std::string path_segment(const std::string& id);

} // namespace uplink::cli
