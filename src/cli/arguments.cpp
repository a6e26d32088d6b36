#include "cli/cli.hpp"

#include <fmt/format.h>

#include <array>

namespace uplink::cli {

namespace {

struct CommandSpec {
    const char* name;
    std::size_t operands;                // at least this many
    const char* synopsis;
    const char* summary;
    bool more = false;                   // and any number after them
};

constexpr std::array commands{
    CommandSpec{"status", 0, "status", "the daemon and one line per modem"},
    CommandSpec{"modems", 0, "modems", "the modems, numbered"},
    CommandSpec{"modem", 1, "modem <id>", "everything known about one modem"},
    CommandSpec{"signal", 1, "signal <id>", "signal levels, cell and carriers of one modem"},
    CommandSpec{"at", 2, "at <id> <command>", "send one AT command, e.g. uplink at 1 'AT+CSQ'"},
    CommandSpec{"connect", 1, "connect <id>", "connect the modem's data connection (and keep it up)"},
    CommandSpec{"disconnect", 1, "disconnect <id>", "disconnect it, and stay disconnected until `connect`"},
    CommandSpec{"pin", 2, "pin <id> change|enable|disable",
        "change the SIM's PIN or turn it on or off; the PINs are read from the terminal (or stdin)"},
    CommandSpec{"scan", 1, "scan <id>", "the networks in reach (an operator scan: up to 3 minutes)"},
    CommandSpec{"events", 0, "events", "follow modem events as they happen (Ctrl-C stops)"},
    CommandSpec{"debug", 1, "debug <id> [--bundle FILE]",
        "the modem's AT and QMI dialogue; --bundle: all its debug information in FILE (.tar.gz)"},
    CommandSpec{"profiles", 0, "profiles", "the connection profiles and the SIM rules that choose them"},
    CommandSpec{"profile", 2, "profile set|delete <name> [option=value...]",
        "change a profile, live (option= returns it to its default)", true},
    CommandSpec{"rule", 2, "rule set|delete <name> [option=value...]", "change a SIM rule, live", true},
    CommandSpec{"config", 2, "config backup|restore FILE",
        "write the config file (PINs and passwords too) to FILE, or show what restoring FILE would change"},
    CommandSpec{"passwd", 0, "passwd",
        "set the web UI's admin password (read twice from the terminal, or once from stdin)"},
    CommandSpec{"token", 1, "token list|create|revoke [NAME] [--scope console]",
        "the API tokens for scripts: list them, make one (shown once), or revoke one", true},
    CommandSpec{"wan", 1,
        "wan status | wan set|delete <name> [option=value...] | wan import-mwan3 FILE [--network FILE]",
        "status: each WAN's state, round trip, loss and last change; set, delete: change a WAN, live "
        "(a list option given more than once: all its values); import-mwan3: print an mwan3 config "
        "(/etc/config/mwan3) as uplink's WANs, policies and traffic rules, with what has no equivalent "
        "(needs no daemon)", true},
    CommandSpec{"netifd-session", 2, "netifd-session <interface> <modem>",
        "what OpenWrt's netifd runs for an interface of proto uplink: connect the modem, hand its addresses and "
        "DNS servers to netifd, end when the connection drops, disconnect it on SIGTERM (ifdown)"},
    CommandSpec{"policy", 2, "policy set|delete <name> [option=value...]",
        "change a WAN policy, live (tier=fibre tier=lte: its tiers in order)", true},
    CommandSpec{"traffic", 2, "traffic set|delete <name> [option=value...]",
        "change a traffic rule (which policy matching traffic takes), live", true},
};

// Operands option=value... from the third on.
std::optional<UsageError> check_assignments(const Invocation& invocation)
{
    for (std::size_t i = 2; i < invocation.operands.size(); ++i)
        if (invocation.operands[i].find('=') == std::string::npos)
            return UsageError{fmt::format("'{}' is not option=value", invocation.operands[i])};
    return std::nullopt;
}

// wan status | wan set|delete NAME [option=value...] | wan import-mwan3 FILE
std::optional<UsageError> check_wan_operands(const Invocation& invocation)
{
    const auto& operands = invocation.operands;
    if (operands[0] == "set" || operands[0] == "delete") {
        if (operands.size() < 2)
            return UsageError {fmt::format("'wan {}' needs a WAN's name: uplink wan {} fibre", operands[0], operands[0])};
        if (operands[0] == "delete" && operands.size() > 2)
            return UsageError {"'wan delete' takes only a name"};
        return check_assignments(invocation);
    }
    if (operands[0] == "status")
        return operands.size() == 1 ? std::nullopt
                                    : std::optional<UsageError>(UsageError {"'wan status' takes no more arguments"});
    if (operands[0] == "import-mwan3")
        return operands.size() == 2 ? std::nullopt
                                    : std::optional<UsageError>(UsageError {
                                        "'wan import-mwan3' takes one file: uplink wan import-mwan3 /etc/config/mwan3"});
    return UsageError {"'wan' takes status, set, delete or import-mwan3: uplink wan status"};
}

// token list | token create NAME [--scope S]... | token revoke NAME
std::variant<Invocation, UsageError> check_token_operands(Invocation invocation)
{
    const auto& operands = invocation.operands;
    auto verb = operands.empty() ? std::string() : operands[0];
    if (verb != "list" && verb != "create" && verb != "revoke")
        return UsageError{"'token' takes list, create or revoke: uplink token create NAME"};
    if (verb == "list" && operands.size() != 1)
        return UsageError{"'token list' takes no more arguments"};
    if (verb != "list" && operands.size() != 2)
        return UsageError{fmt::format("'token {}' takes one name: uplink token {} NAME", verb, verb)};
    if (verb != "create" && !invocation.scopes.empty())
        return UsageError{"--scope goes with token create: uplink token create NAME --scope console"};
    return invocation;
}

} // namespace

std::string usage()
{
    std::string text = "usage: uplink [--socket PATH] [--json] <command> [arguments]\n\ncommands:\n";
    for (const auto& command : commands) {
        // A synopsis wider than its column puts the summary under it, still in the column.
        if (std::string_view(command.synopsis).size() < 20)
            text += fmt::format("  {:<20}{}\n", command.synopsis, command.summary);
        else
            text += fmt::format("  {}\n  {:<20}{}\n", command.synopsis, "", command.summary);
    }
    text += fmt::format(
        "\n<id> is a modem's id (its USB path, such as 1-1.2) or its number in `uplink modems`.\n"
        "\noptions:\n"
        "  --socket PATH       uplinkd's socket (default: $UPLINK_SOCKET, else {})\n"
        "  --json              print the API's JSON instead of text\n"
        "  --preview           with profile, rule, wan, policy and traffic set or delete: show what\n"
        "                      would change, change nothing\n"
        "  --apply             with config restore: replace the config file and apply it, live\n"
        "  --bundle FILE       with debug: write the debug archive to FILE (replacing it)\n"
        "  --network FILE      with wan import-mwan3: OpenWrt's /etc/config/network, to turn netifd\n"
        "                      interface names into devices and find modems\n"
        "  --scope NAME        with token create: a right beyond the everyday API (console: the AT\n"
        "                      console); repeat for more\n"
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
        } else if (argument == "--preview") {
            invocation.preview = true;
        } else if (argument == "--apply") {
            invocation.apply = true;
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
        } else if (argument == "--bundle") {
            if (i + 1 >= arguments.size())
                return UsageError{"--bundle needs a file name, e.g. --bundle debug.tar.gz"};
            invocation.bundle_path = arguments[++i];
        } else if (argument.rfind("--bundle=", 0) == 0) {
            invocation.bundle_path = argument.substr(9);
        } else if (argument == "--network") {
            if (i + 1 >= arguments.size())
                return UsageError{"--network needs a file name, e.g. --network /etc/config/network"};
            invocation.network_path = arguments[++i];
        } else if (argument.rfind("--network=", 0) == 0) {
            invocation.network_path = argument.substr(10);
        } else if (argument == "--scope") {
            if (i + 1 >= arguments.size())
                return UsageError{"--scope needs a name, e.g. --scope console"};
            invocation.scopes.push_back(arguments[++i]);
        } else if (argument.rfind("--scope=", 0) == 0) {
            invocation.scopes.push_back(argument.substr(8));
        } else {
            return UsageError{fmt::format("unknown option '{}'", argument)};
        }
    }
    if (invocation.socket_path.empty())
        return UsageError{"--socket needs a path"};
    if (words.empty())
        return UsageError{"no command given"};
    invocation.command = words.front();
    if (!invocation.bundle_path.empty() && invocation.command != "debug")
        return UsageError{"--bundle goes with debug: uplink debug <id> --bundle FILE"};
    invocation.operands.assign(words.begin() + 1, words.end());
    bool importing = invocation.command == "wan" && !invocation.operands.empty()
        && invocation.operands[0] == "import-mwan3";
    if (!invocation.network_path.empty() && !importing)
        return UsageError{"--network goes with wan import-mwan3: uplink wan import-mwan3 FILE --network FILE"};
    if (invocation.command == "token")
        return check_token_operands(std::move(invocation));
    if (!invocation.scopes.empty())
        return UsageError{"--scope goes with token create: uplink token create NAME --scope console"};
    for (const auto& command : commands) {
        if (invocation.command != command.name)
            continue;
        auto count = invocation.operands.size();
        if (count < command.operands || (count > command.operands && !command.more))
            return UsageError{fmt::format("'{}' takes {} argument{}: uplink {}", command.name, command.operands,
                                          command.operands == 1 ? "" : "s", command.synopsis)};
        if (invocation.command == "pin" && invocation.operands[1] != "change" && invocation.operands[1] != "enable"
            && invocation.operands[1] != "disable")
            return UsageError{"'pin' takes change, enable or disable: uplink pin <id> change"};
        if (invocation.command == "wan") {
            if (auto problem = check_wan_operands(invocation))
                return *problem;
            return invocation;
        }
        if (invocation.command == "config" && invocation.operands[0] != "backup" && invocation.operands[0] != "restore")
            return UsageError{"'config' takes backup or restore: uplink config backup FILE"};
        if (invocation.apply && (invocation.command != "config" || invocation.operands[0] != "restore"))
            return UsageError{"--apply goes with config restore: uplink config restore FILE --apply"};
        if (command.more && invocation.operands[0] != "set" && invocation.operands[0] != "delete")
            return UsageError{fmt::format("'{}' takes set or delete: uplink {}", command.name, command.synopsis)};
        if (command.more && invocation.operands[0] == "delete" && count > 2)
            return UsageError{fmt::format("'{} delete' takes only a name", command.name)};
        if (auto problem = check_assignments(invocation))
            return *problem;
        return invocation;
    }
    return UsageError{fmt::format("unknown command '{}'", invocation.command)};
}

} // namespace uplink::cli
