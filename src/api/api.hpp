// api: the daemon's API. A Router maps (method, path, body) to (status, JSON) and knows
// nothing of transports; the unix-socket Server below speaks it as JSON lines for the
// `uplink` CLI (docs/api.md), and TextApi gives the same Router to the HTTPS server (src/web).
#pragma once

#include <at/at.hpp>
#include <core/core.hpp>
#include <modem/modem.hpp>
#include <wan/wan.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::auth {
class TokenStore;
} // namespace uplink::auth

namespace uplink::api {

// A change of one `config profile` or `config rule` section (docs/config.md), from the API or
// the CLI: previewed (what each modem would do), or saved to the config file and applied live.
// What a caller may do with secret options (the config schema's `secret` ones: a profile's `pin`
// and `password`): root and the admin set them, and their previews compare them; an API token
// sets none, and its previews never compare them, so that a preview cannot tell it whether a
// guessed PIN is the configured one.
enum class SecretAccess { Full, None };

struct ConfigEdit {
    enum class Kind { Set, Remove };
    enum class Mode { Preview, Apply };
    std::string type;                             // "profile", "rule", "wan", "policy" or "traffic"
    std::string name;
    Kind kind = Kind::Set;
    Mode mode = Mode::Preview;
    std::map<std::string, std::string> options;   // Set: new values; "" returns one to its default
    SecretAccess secrets = SecretAccess::None;    // the less trusted, unless the caller says
    // Set: a list option's new values, replacing them all; none removes it. A list option given
    // in `options` is a list of that one value ("" none).
    std::map<std::string, std::vector<std::string>> lists {};
};

struct ConfigEditOutcome {
    std::vector<std::string> forbidden;           // secret options the caller may not set: nothing changed
    std::vector<std::string> problems;            // why the edit is refused: nothing was changed
    std::vector<modem::PlannedChange> changes;    // per modem, what the edit does (or would do)
    std::vector<std::string> changed;             // the settings that differ from the running ones
    std::vector<std::string> restart_required;    // of those, the ones uplinkd takes only at a restart
    bool applied = false;
};

// The config file as it is on disk, for a backup. It holds PINs and APN passwords: only root
// (the unix socket) and a logged-in admin (not an API token) may read it.
struct ConfigFile {
    std::string path;
    std::string text;                             // "" when there is no file (every default)
};

// A whole config file put in place of the one there, from a backup: checked as a reload checks
// it, previewed, or saved and applied live.
struct ConfigRestore {
    std::string text;
    ConfigEdit::Mode mode = ConfigEdit::Mode::Preview;
};

// Bytes one WAN carried today and in this billing period (the kernel's counters, kept across
// restarts in the usage store).
struct WanUsage {
    std::uint64_t today_received = 0, today_sent = 0;
    std::uint64_t period_received = 0, period_sent = 0;
    std::chrono::system_clock::time_point period_start;
};

// A modem's radio levels over time, as the signal history keeps them: each point is one sample,
// or the mean of the samples in one `bucket` when there were more than the points asked for.
struct SignalHistory {
    struct Point {
        std::chrono::system_clock::time_point time;
        std::optional<int> rssi_dbm, rsrp_dbm, rsrq_db, sinr_db;
    };
    std::chrono::seconds bucket {1};
    std::vector<Point> points;
};

// What the API reads about modems and the profiles they run with. The daemon implements it over
// modem::Manager and its config file; tests and the fuzzer implement it with fixed data, so
// routing is tested without hardware or sockets.
class ModemSource {
public:
    virtual ~ModemSource() = default;

    virtual std::vector<modem::Snapshot> modems() const = 0;
    virtual std::optional<modem::Snapshot> modem(std::string_view id) const = 0;
    // The modem's reply, whatever its final result; errors only when no reply came.
    virtual boost::asio::awaitable<Result<at::Reply>> send_at(std::string modem_id, std::string command) = 0;
    virtual boost::asio::awaitable<Result<modem::PinOutcome>> set_sim_pin(
        std::string modem_id, modem::PinRequest request) = 0;
    // The networks the modem's radio finds (an operator scan: up to three minutes).
    virtual boost::asio::awaitable<Result<std::vector<modem::NetworkEntry>>> scan_networks(std::string modem_id) = 0;
    // Connect (and stay connected) or disconnect (and stay so) the modem's data connection.
    virtual Result<void> set_connection_wanted(std::string_view modem_id, bool wanted) = 0;
    virtual std::vector<modem::Event> recent_events() const = 0;
    virtual std::optional<std::vector<modem::DialogueLine>> dialogue(std::string_view modem_id) const = 0;
    [[nodiscard]] virtual modem::Manager::Subscription subscribe(modem::Manager::Listener listener) = 0;

    virtual modem::ProfilePolicy policy() const = 0;
    virtual std::optional<WanUsage> usage(std::string_view wan) const = 0;
    // The WANs of `config wan`: state, probes, the last transitions; empty when none is configured.
    virtual std::vector<wan::WanStatus> wans() const = 0;
    // The WANs, policies and traffic rules as configured (uplinkd's running settings).
    virtual wan::WanSettings wan_settings() const = 0;
    // The modem's signal history from `since` to now, in at most `max_points` points (≥ 1).
    // modem::Errc::NoSuchModem for an unknown modem; any other error: no history is kept.
    virtual Result<SignalHistory> signal_history(
        std::string_view modem_id, std::chrono::system_clock::time_point since, std::size_t max_points) const = 0;
    // Polls the modem's signal fast (modem::Manager::fast_signal) for `length`; when that ends.
    virtual Result<Clock::time_point> fast_signal(std::string_view modem_id, Duration length) = 0;
    // An error only when the file cannot be written; a refused edit is an outcome with problems.
    virtual Result<ConfigEditOutcome> edit_config(ConfigEdit edit) = 0;
    // An error when the file is there but cannot be read.
    virtual Result<ConfigFile> config_file() const = 0;
    // As edit_config: a text with problems is an outcome with them (each naming its line).
    virtual Result<ConfigEditOutcome> restore_config(ConfigRestore restore) = 0;
    // The web UI's admin password, set anew: every browser session ends. An error equal to
    // errc::resource_unavailable_try_again when another password is being checked.
    virtual boost::asio::awaitable<Result<void>> reset_admin_password(std::string password) = 0;
    // The API tokens for scripts (/v1/tokens): the same store the HTTPS server checks tokens
    // against, so a token made or revoked through the socket is made or revoked there too.
    virtual auth::TokenStore& api_tokens() = 0;
};

// Facts about the daemon itself, shown by GET /v1/status.
struct DaemonInfo {
    std::string version;
    Clock::time_point started = Clock::now();
};

class Router;

// How an HTTPS request was let in (web::Gate): with the admin's login, or with a script's API
// token, which never reaches the config file and the PINs and passwords in it.
enum class Credential { Session, ApiToken };

// The AT console (POST /v1/modems/<id>/at) can send a modem anything, PINs included: root's and
// the admin's, and an API token's only when the admin gave it the "console" scope (docs/auth.md).
enum class ConsoleRight { Denied, Granted };

// The API for a transport that carries the method, the path and the body apart (HTTP): the body
// and the reply are JSON text, so that the transport needs none of Boost.JSON's headers.
struct TextRequest {
    std::string method;          // "GET", "POST", or whatever the client sent
    std::string path;            // "/v1/modems/1-1/signal", without a query
    std::string body;            // JSON text; empty: no body
    Credential credential = Credential::ApiToken;   // the less trusted, unless the gate says
    std::string query {};        // what follows '?' in the target, undecoded; empty: none
    ConsoleRight console = ConsoleRight::Denied;
    std::string client {};       // who and from where, for the audit log: "API token 'x' from 192.0.2.7"
};

struct TextReply {
    int status = 200;
    std::string body;            // JSON text: the resource, or {"status":404,"error":"..."}
    bool events_follow = false;  // GET /v1/events: the transport streams events after the reply
};

class TextApi {
public:
    TextApi(ModemSource& source, DaemonInfo info);

    // Never throws: a body that is not a JSON object is a 400, a fault inside uplinkd a 500.
    boost::asio::awaitable<TextReply> answer(TextRequest request);

    // {"status":<status>,"error":"<message>"}, the form of every error (docs/api.md).
    static std::string error_body(int status, std::string_view message);

    // One event of GET /v1/events as JSON text; a signal event carries the modem's signal too, so
    // that a page follows the levels without asking.
    std::string event_text(const modem::Event& event) const;

private:
    ModemSource& source_;
    std::shared_ptr<Router> router_;   // shared_ptr: Router stays an incomplete type here
};

// Requests and replies are single lines; a longer request line is answered 413 and the
// connection closed.
inline constexpr std::size_t max_request_line = 64 * 1024;

// Who may do what over the unix socket is the kernel's word (SO_PEERCRED): root, and the user
// uplinkd runs as, may do anything the API offers; anyone else the socket's mode lets in (the
// members of `group`) may read (GET, and follow events) but change nothing and reach no console.
struct ServerOptions {
    std::string socket_path = "/run/uplink/uplink.sock";
    DaemonInfo info;
    std::optional<unsigned> group;   // the socket's group (mode 0660); none: root's alone (0600)
    Duration idle_timeout = std::chrono::minutes(5);   // with no request line; an event stream is not idle
};

// What a unix socket peer may do, from its credentials.
enum class PeerRights { Everything, ReadOnly };
std::string_view to_string(PeerRights rights);

// The unix-socket server. start() creates the socket's directory (0755), replaces a stale
// socket (refusing to take over one a running daemon still answers on), and listens with
// mode 0600, or 0660 with the options' group. stop() closes the socket, ends every connection and removes the socket file.
class Server {
public:
    Server(boost::asio::any_io_executor executor, ServerOptions options, ModemSource& source);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    Result<void> start();
    void stop();
    const std::string& socket_path() const;
    std::size_t connection_count() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace uplink::api
