// cli: the `uplink` command-line client of uplinkd's API (docs/cli.md).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace uplink::cli {

enum class Output { Human, Json };

struct Invocation {
    std::string socket_path;
    Output output = Output::Human;
    std::string command;                 // "status", "modems", "modem", "signal", "at", "connect", "disconnect", "events", "debug", "help", "version"
    std::vector<std::string> operands;
    bool preview = false;                // --preview: profile and rule changes are only shown
    bool apply = false;                  // --apply: `config restore` replaces the file; else it is only shown
    std::string bundle_path;             // --bundle FILE: `debug` writes its archive there
    std::vector<std::string> scopes;     // --scope NAME, any number: `token create` grants them
    std::string network_path;            // --network FILE: `wan import-mwan3` reads netifd's interfaces there
};

struct UsageError {
    std::string message;
};

inline constexpr const char* default_socket_path = "/run/uplink/uplink.sock";

// `arguments` without the program name; `socket_from_environment` is $UPLINK_SOCKET or null.
std::variant<Invocation, UsageError> parse_arguments(const std::vector<std::string>& arguments,
                                                     const char* socket_from_environment);
std::string usage();

// Exit status: 0 done, 1 the daemon or the modem said no (message on `errors`), 2 usage.
int run(const Invocation& invocation, std::ostream& output, std::ostream& errors);

} // namespace uplink::cli
