#include "cli/cli.hpp"

#include <fmt/format.h>

#include <array>

namespace uplink::cli {

namespace {

struct CommandSpec {
    const char* name;
    std::size_t operands;
    const char* synopsis;
    const char* summary;
};

constexpr std::array commands{
    CommandSpec{"status", 0, "status", "the daemon and one line per modem"},
    CommandSpec{"modems", 0, "modems", "the modems, numbered"},
    CommandSpec{"modem", 1, "modem <id>", "everything known about one modem"},
    CommandSpec{"signal", 1, "signal <id>", "signal levels, cell and carriers of one modem"},
    CommandSpec{"at", 2, "at <id> <command>", "send one AT command, e.g. uplink at 1 'AT+CSQ'"},
    CommandSpec{"connect", 1, "connect <id>", "connect the modem's data connection (and keep it up)"},
    CommandSpec{"disconnect", 1, "disconnect <id>", "disconnect it, and stay disconnected until `connect`"},
    CommandSpec{"events", 0, "events", "follow modem events as they happen (Ctrl-C stops)"},
};

} // namespace

std::string usage()
{
    std::string text = "usage: uplink [--socket PATH] [--json] <command> [arguments]\n\ncommands:\n";
    for (const auto& command : commands)
        text += fmt::format("  {:<20}{}\n", command.synopsis, command.summary);
    text += fmt::format(
        "\n<id> is a modem's id (its USB path, such as 1-1.2) or its number in `uplink modems`.\n"
        "\noptions:\n"
        "  --socket PATH       uplinkd's socket (default: $UPLINK_SOCKET, else {})\n"
        "  --json              print the API's JSON instead of text\n"
        "  -h, --help          this help\n"
        "  --version           the client's version\n",
        default_socket_path);
    return text;
}

std::variant<Invocation, UsageError> parse_arguments(const std::vector<std::string>& arguments,
                                                     const char* socket_from_environment)
{
    Invocation invocation;
    invocation.socket_path = socket_from_environment && *socket_from_environment ? socket_from_environment
                                                                                   : default_socket_path;
    std::vector<std::string> words;
    bool options_ended = false;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const auto& argument = arguments[i];
        if (options_ended || argument.size() < 2 || argument[0] != '-') {
            words.push_back(argument);
            continue;
        }
        if (argument == "--") {
            options_ended = true;
        } else if (argument == "--json") {
            invocation.output = Output::Json;
        } else if (argument == "-h" || argument == "--help") {
            invocation.command = "help";
            return invocation;
        } else if (argument == "--version") {
            invocation.command = "version";
            return invocation;
        } else if (argument == "--socket" || argument == "-s") {
            if (i + 1 >= arguments.size())
                return UsageError{"--socket needs a path"};
            invocation.socket_path = arguments[++i];
        } else if (argument.rfind("--socket=", 0) == 0) {
            invocation.socket_path = argument.substr(9);
        } else {
            return UsageError{fmt::format("unknown option '{}'", argument)};
        }
    }
    if (invocation.socket_path.empty())
        return UsageError{"--socket needs a path"};
    if (words.empty())
        return UsageError{"no command given"};
    invocation.command = words.front();
    invocation.operands.assign(words.begin() + 1, words.end());
    for (const auto& command : commands) {
        if (invocation.command != command.name)
            continue;
        if (invocation.operands.size() != command.operands)
            return UsageError{fmt::format("'{}' takes {} argument{}: uplink {}", command.name, command.operands,
                                          command.operands == 1 ? "" : "s", command.synopsis)};
        return invocation;
    }
    return UsageError{fmt::format("unknown command '{}'", invocation.command)};
}

} // namespace uplink::cli
