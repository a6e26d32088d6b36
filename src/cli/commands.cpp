// The commands: each is one or two API requests on one connection, then formatting.
#include "cli/bundle.hpp"
#include "cli/cli.hpp"
#include "cli/client.hpp"
#include "cli/format.hpp"
#include "cli/mwan3_import.hpp"
#include "cli/session.hpp"
#include "cli/netifd_session.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <map>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <ostream>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#ifndef UPLINK_VERSION
#define UPLINK_VERSION "unknown"
#endif

namespace uplink::cli {

namespace json = boost::json;

namespace {

int print(Session& session, const json::value& body, std::string (*human)(const json::value&))
{
    if (session.invocation.output == Output::Json)
        session.output << json::serialize(body) << '\n';
    else
        session.output << human(body);
    return 0;
}

// Ctrl-C (or SIGTERM from a script or a service manager) is how following ends: a success.
// Every line is flushed as it is written, so nothing is lost; _exit is async-signal-safe.
void end_following(int)
{
    ::_exit(0);
}

int follow_events(Session& session)
{
    auto first = request(session, "GET", "/v1/events");
    if (!first)
        return 1;
    session.output.flush();
    struct sigaction action {};
    action.sa_handler = end_following;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    for (;;) {
        auto line = session.connection.read_line(std::nullopt);
        if (!line) {
            if (line.error() == boost::system::errc::connection_aborted)
                session.errors << "uplinkd closed the event stream (it stopped or restarted)\n";
            else
                session.errors << read_failure(session.invocation, line.error()) << '\n';
            return 1;
        }
        json::error_code error;
        auto parsed = json::parse(*line, error);
        const auto* event = !error && parsed.is_object() ? parsed.as_object().if_contains("event") : nullptr;
        if (!event)
            continue;   // a line this client does not know; later versions may add kinds of lines
        if (session.invocation.output == Output::Json)
            session.output << json::serialize(*event) << '\n';
        else
            session.output << format_event(*event);
        session.output.flush();
    }
}

int send_at(Session& session, const std::string& id, const std::string& command)
{
    auto body = request(session, "POST", "/v1/modems/" + path_segment(id) + "/at", json::object{{"command", command}});
    if (!body)
        return 1;
    print(session, *body, format_at_reply);
    const auto* final = body->is_object() ? body->as_object().if_contains("final") : nullptr;
    return final && final->is_string() && final->as_string() == "OK" ? 0 : 1;
}

// uplink profile|rule|wan|policy|traffic set|delete <name> [option=value...] [--preview]. An
// option given more than once is a list of its values (tier=fibre tier=lte).
int edit_config(Session& session)
{
    const auto& invocation = session.invocation;
    const auto& operands = invocation.operands;
    json::object options;
    for (std::size_t i = 2; i < operands.size(); ++i) {
        auto equals = operands[i].find('=');
        auto name = operands[i].substr(0, equals);
        json::value value(operands[i].substr(equals + 1));
        if (auto* earlier = options.if_contains(name)) {
            if (!earlier->is_array())
                *earlier = json::array {*earlier};
            earlier->as_array().push_back(std::move(value));
        } else {
            options[name] = std::move(value);
        }
    }
    json::object body{{"preview", invocation.preview}};
    if (operands[0] == "set")
        body["options"] = std::move(options);
    static const std::map<std::string, std::string> resources {{"profile", "profiles"}, {"rule", "rules"},
        {"wan", "wans"}, {"policy", "policies"}, {"traffic", "traffic"}};
    auto path = fmt::format("/v1/{}/{}{}", resources.at(invocation.command), path_segment(operands[1]),
        operands[0] == "delete" ? "/delete" : "");
    auto reply = request(session, "POST", path, std::move(body));
    return reply ? print(session, *reply, format_config_change) : 1;
}

// uplink config backup FILE: the config file as uplinkd has it, written with mode 0600 since it
// holds PINs and passwords.
int back_up_config(Session& session, const std::string& file)
{
    auto body = request(session, "GET", "/v1/config");
    if (!body)
        return 1;
    const auto* config_text = body->is_object() ? body->as_object().if_contains("text") : nullptr;
    if (!config_text || !config_text->is_string()) {
        session.errors << "uplinkd's reply holds no config text\n";
        return 1;
    }
    if (auto written = write_file_replacing(file, config_text->as_string()); !written) {
        session.errors << fmt::format("cannot write {}: {}\n", file, written.error().message());
        return 1;
    }
    json::object backup {{"file", file}, {"config", field(*body, "path")}, {"bytes", config_text->as_string().size()}};
    return print(session, backup, [](const json::value& backup) {
        return fmt::format("wrote {} ({} bytes): {} with its PINs and passwords; keep it where only you can read it\n",
            text(backup, "file"), json::serialize(field(backup, "bytes")), text(backup, "config"));
    });
}

// uplink config restore FILE [--apply]: what putting FILE back would change, or with --apply the
// file replaced and applied. A preview unless asked, since it changes everything at once.
int restore_config(Session& session, const std::string& file)
{
    std::ifstream input(file, std::ios::binary);
    if (!input) {
        session.errors << fmt::format("cannot read {}: {}\n", file, std::strerror(errno));
        return 1;
    }
    std::string text((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
    auto reply = request(session, "POST", "/v1/config", json::object {{"text", text}, {"preview", !session.invocation.apply}});
    return reply ? print(session, *reply, format_config_change) : 1;
}

// A PIN from the terminal without echo, or a line of stdin when it is not a terminal.
std::optional<std::string> read_secret(Session& session, std::string_view prompt)
{
    bool terminal = ::isatty(STDIN_FILENO) == 1;
    termios saved {};
    if (terminal && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
        session.errors << prompt << std::flush;
        auto quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    bool read = static_cast<bool>(std::getline(std::cin, line));
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        session.errors << '\n';
    }
    if (!read)
        return std::nullopt;
    return line;
}

// uplink pin <id> change|enable|disable
int set_sim_pin(Session& session, const std::string& id)
{
    const auto& operation = session.invocation.operands[1];
    auto pin = read_secret(session, "SIM PIN: ");
    std::optional<std::string> new_pin;
    if (pin && operation == "change") {
        new_pin = read_secret(session, "New PIN: ");
        auto again = new_pin ? read_secret(session, "New PIN again: ") : std::nullopt;
        if (!again || *again != *new_pin) {
            session.errors << "the two new PINs differ; nothing was sent\n";
            return 1;
        }
    }
    if (!pin) {
        session.errors << "no PIN given; nothing was sent\n";
        return 1;
    }
    json::object body{{"operation", operation}, {"pin", *pin}};
    if (new_pin)
        body["new_pin"] = *new_pin;
    auto reply = request(session, "POST", "/v1/modems/" + path_segment(id) + "/sim/pin", std::move(body));
    if (!reply)
        return 1;
    print(session, *reply, format_pin_outcome);
    const auto* accepted = reply->is_object() ? reply->as_object().if_contains("accepted") : nullptr;
    return accepted && accepted->is_bool() && accepted->as_bool() ? 0 : 1;
}

// uplink passwd: the web UI's admin password, for root on the router (the unix socket is its
// only way in); the first one, or one forgotten.
int set_admin_password(Session& session)
{
    auto password = read_secret(session, "New admin password: ");
    if (password && ::isatty(STDIN_FILENO) == 1) {
        auto again = read_secret(session, "Again: ");
        if (!again || *again != *password) {
            session.errors << "the two passwords differ; nothing was changed\n";
            return 1;
        }
    }
    if (!password) {
        session.errors << "no password given; nothing was changed\n";
        return 1;
    }
    auto reply = request(session, "POST", "/v1/admin-password", json::object{{"password", *password}});
    if (!reply)
        return 1;
    return print(session, *reply, [](const json::value&) {
        return std::string("the admin password is set; every web session has ended\n");
    });
}

// uplink token list|create|revoke: the API tokens for scripts. Root on the router needs no
// password for them (it can read the state directory anyway); over HTTPS the admin gives it again.
int manage_tokens(Session& session)
{
    const auto& operands = session.invocation.operands;
    if (operands[0] == "list") {
        auto body = request(session, "GET", "/v1/tokens");
        return body ? print(session, *body, format_tokens) : 1;
    }
    if (operands[0] == "create") {
        json::array scopes;
        for (const auto& scope : session.invocation.scopes)
            scopes.emplace_back(scope);
        auto body = request(session, "POST", "/v1/tokens", json::object {{"name", operands[1]}, {"scopes", scopes}});
        return body ? print(session, *body, format_token_made) : 1;
    }
    auto body = request(session, "POST", "/v1/tokens/" + path_segment(operands[1]) + "/delete");
    return body ? print(session, *body, format_token_revoked) : 1;
}

// uplink debug <id> [--bundle FILE]: the dialogue on stdout, or everything in one archive.
int debug_modem(Session& session, const std::string& id)
{
    auto body = request(session, "GET", "/v1/modems/" + path_segment(id) + "/debug");
    if (!body)
        return 1;
    const auto& path = session.invocation.bundle_path;
    if (path.empty())
        return print(session, *body, [](const json::value& debug) { return format_dialogue(field(debug, "dialogue")); });
    auto archive = gzip(tar_archive(bundle_files(*body), std::chrono::system_clock::now()));
    auto written = archive ? write_file_replacing(path, *archive) : Result<void>(archive.error());
    if (!written) {
        session.errors << fmt::format("cannot write {}: {}\n", path, written.error().message());
        return 1;
    }
    json::object written_bundle {{"file", path}, {"modem_id", id}, {"bytes", archive->size()}};
    return print(session, written_bundle, [](const json::value& bundle) {
        return fmt::format("wrote {} ({} bytes): the debug information of modem {}, without PINs or passwords\n",
            text(bundle, "file"), json::serialize(field(bundle, "bytes")), text(bundle, "modem_id"));
    });
}

int run_command(Session& session)
{
    const auto& command = session.invocation.command;
    const auto& operands = session.invocation.operands;
    if (command == "status" || command == "modems") {
        auto body = request(session, "GET", "/v1/" + command);
        return body ? print(session, *body, command == "status" ? format_status : format_modems) : 1;
    }
    if (command == "events")
        return follow_events(session);
    if (command == "profiles") {
        auto body = request(session, "GET", "/v1/profiles");
        return body ? print(session, *body, format_profiles) : 1;
    }
    if (command == "profile" || command == "rule" || command == "policy" || command == "traffic"
        || (command == "wan" && (operands[0] == "set" || operands[0] == "delete")))
        return edit_config(session);
    if (command == "passwd")
        return set_admin_password(session);
    if (command == "token")
        return manage_tokens(session);
    if (command == "wan") { // wan status: import-mwan3 needs no daemon
        auto body = request(session, "GET", "/v1/wans");
        return body ? print(session, *body, format_wans) : 1;
    }
    if (command == "config")
        return operands[0] == "backup" ? back_up_config(session, operands[1]) : restore_config(session, operands[1]);
    auto id = resolve_modem(session, operands.at(0));
    if (!id)
        return 1;
    if (command == "modem") {
        auto body = request(session, "GET", "/v1/modems/" + path_segment(*id));
        return body ? print(session, *body, format_modem) : 1;
    }
    if (command == "signal") {
        auto body = request(session, "GET", "/v1/modems/" + path_segment(*id) + "/signal");
        return body ? print(session, *body, format_signal) : 1;
    }
    if (command == "at")
        return send_at(session, *id, operands.at(1));
    if (command == "debug")
        return debug_modem(session, *id);
    if (command == "pin")
        return set_sim_pin(session, *id);
    if (command == "scan") {
        session.errors << "scanning: a modem takes up to three minutes...\n";
        auto body = request(session, "POST", "/v1/modems/" + path_segment(*id) + "/scan");
        return body ? print(session, *body, format_networks) : 1;
    }
    if (command == "connect" || command == "disconnect") {
        auto body = request(session, "POST", "/v1/modems/" + path_segment(*id) + "/" + command);
        return body ? print(session, *body, format_connection_request) : 1;
    }
    session.errors << usage();
    return 2;
}

// A config file to import, at most a megabyte (mwan3's are a few kilobytes): a regular file,
// so that a FIFO or a device given by mistake neither hangs nor fills the memory.
std::optional<std::string> read_config_file(const std::string& path, std::ostream& errors)
{
    constexpr std::size_t largest = 1 << 20;
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        errors << fmt::format("cannot read {}: {}\n", path,
                              error ? error.message() : std::string("not a regular file"));
        return std::nullopt;
    }
    std::ifstream input(path, std::ios::binary);
    std::string text(largest + 1, '\0');
    input.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (input.bad() || !input.is_open()) {
        errors << fmt::format("cannot read {}: {}\n", path, std::strerror(errno));
        return std::nullopt;
    }
    text.resize(static_cast<std::size_t>(input.gcount()));
    if (text.size() > largest) {
        errors << fmt::format("{} is over {} bytes: not a config file\n", path, largest);
        return std::nullopt;
    }
    return text;
}

// uplink wan import-mwan3 FILE [--network FILE]: local, no daemon. Prints the translation, or
// with --json {"config": the sections as UCI text, "unmapped": [{"section","option","why"}]}.
int import_mwan3_file(const Invocation& invocation, std::ostream& output, std::ostream& errors)
{
    const auto& path = invocation.operands.at(1);
    auto mwan3 = read_config_file(path, errors);
    if (!mwan3)
        return 1;
    std::optional<std::string> network;
    if (!invocation.network_path.empty() && !(network = read_config_file(invocation.network_path, errors)))
        return 1;
    auto imported = import_mwan3(*mwan3, network ? std::optional<std::string_view>(*network) : std::nullopt);
    if (auto* refusal = std::get_if<Mwan3ImportRefusal>(&imported)) {
        errors << fmt::format("{} {}\n", path, refusal->message);
        return 1;
    }
    const auto& result = std::get<Mwan3Import>(imported);
    if (invocation.output == Output::Human) {
        output << to_printout(result);
        return 0;
    }
    json::array unmapped;
    for (const auto& finding : result.unmapped)
        unmapped.push_back(json::object{{"section", finding.section}, {"option", finding.option}, {"why", finding.why}});
    output << json::serialize(json::object{{"config", to_uci_text(result.sections)}, {"unmapped", std::move(unmapped)}})
           << '\n';
    return 0;
}

} // namespace

int run(const Invocation& invocation, std::ostream& output, std::ostream& errors)
{
    if (invocation.command == "help") {
        output << usage();
        return 0;
    }
    if (invocation.command == "version") {
        output << "uplink " << UPLINK_VERSION << '\n';
        return 0;
    }
    if (invocation.command == "wan" && invocation.operands[0] == "import-mwan3")
        return import_mwan3_file(invocation, output, errors);
    if (invocation.command == "netifd-session") // waits for the socket: uplinkd may not be up yet
        return run_netifd_session(invocation, errors);
    auto connection = Connection::open(invocation.socket_path);
    if (!connection) {
        errors << connect_failure(invocation.socket_path, connection.error()) << '\n';
        return 1;
    }
    Session session{invocation, output, errors, *connection};
    return run_command(session);
}

} // namespace uplink::cli
