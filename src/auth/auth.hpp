// auth: who may use the web UI and the API. One admin password (scrypt), the first-run setup
// code, browser sessions with a CSRF token, a login rate limiter, and API tokens for scripts.
// Pure logic and its files in the state directory; the HTTPS server (api) calls it, and runs the
// password KDF on a worker thread through complete(). The rules are in docs/auth.md.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <core/core.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::auth {

enum class Errc {
    EmptyPassword = 1, // a password of no characters
    PasswordTooShort, // a new password under 8 characters (NIST SP 800-63B §5.1.1.2)
    PasswordTooLong, // more than 1024 bytes
    PasswordNotSet, // first run: no admin password yet
    PasswordAlreadySet, // the first-run setup is over
    WrongPassword,
    NoSetupCode, // no setup code is waiting (restart uplinkd, or use `uplink passwd`)
    WrongSetupCode,
    PasswordFileCorrupt, // the password file is unreadable: never read as "no password"
    Throttled, // too many failed logins: wait (the caller is told how long)
    NoSession, // no session cookie, or an id that is not a live session
    SessionExpired, // idle or absolute lifetime over
    MalformedCookie, // a session cookie that is not 64 hex digits
    CsrfMismatch, // a state-changing request without this session's CSRF token
    MalformedToken, // not "upl_" and 43 base64url characters
    UnknownToken, // no API token (or no token of that name)
    BadTokenName, // 1 to 64 of A-Z a-z 0-9 . _ -
    TokenNameTaken,
    TooManyTokens, // at most 64 API tokens
    TokenFileCorrupt, // the token file is unreadable: no token is accepted until it is fixed
    RandomFailure, // the system's random generator failed: nothing weaker is used
    KdfFailure, // OpenSSL could not run scrypt
    Busy, // another password check is running: at most one KDF at a time (try again in 1 s)
};
const boost::system::error_category& auth_category();
Error make_error_code(Errc code);

// Every clock here is injected so that tests control time.
using TimeSource = std::function<Clock::time_point()>;
using WallClock = std::chrono::system_clock;
using WallTimeSource = std::function<WallClock::time_point()>;

// ---------------------------------------------------------------- passwords
// Length rules. A password being checked only has to be 1 to 1024 bytes; a new one also has
// at least 8 characters (UTF-8 code points).
constexpr std::size_t maximum_password_bytes = 1024;
constexpr std::size_t minimum_new_password_characters = 8;
Result<void> check_password_input(std::string_view password);
Result<void> check_new_password(std::string_view password);

// scrypt (RFC 7914) parameters: N = 2^log2_cost, r = block_size, p = parallelism.
// Memory is 128 * r * N bytes: 16 MiB for the default.
struct KdfParameters {
    unsigned log2_cost = 14;
    unsigned block_size = 8;
    unsigned parallelism = 1;
    friend bool operator==(const KdfParameters&, const KdfParameters&) = default;
};

// One self-describing line: "$scrypt$ln=14,r=8,p=1$<salt>$<hash>", a random 16-byte salt and a
// 32-byte hash in base64 without padding (RFC 4648 §4). KdfFailure for parameters outside the
// bounds verify_password() accepts. Thread-safe: the server may run these (tens to hundreds of
// milliseconds) off its event loop.
Result<std::string> hash_password(std::string_view password, const KdfParameters& parameters = {});
// Ok, WrongPassword, or PasswordFileCorrupt for a line that does not parse (or whose parameters
// are outside ln 10..20, r 1..32, p 1..16, 256 MiB). Compares in constant time.
Result<void> verify_password(std::string_view encoded, std::string_view password);
// The parameters a stored line names, when it parses.
std::optional<KdfParameters> kdf_parameters_of(std::string_view encoded);

enum class PasswordState { NotSet, Set };
std::string_view to_string(PasswordState state);

// The admin password in one file (<state_dir>/admin-password, mode 0600, written atomically).
// It is read on every call, so `uplink passwd` and uplinkd see the same password. A file that is
// there but does not parse is PasswordFileCorrupt with `problem` saying why. The store neither
// hashes nor verifies: the KDF is the caller's, to run where it does not block anyone.
class PasswordStore {
public:
    explicit PasswordStore(std::string path, KdfParameters parameters = {});

    Result<PasswordState> state(std::string* problem = nullptr) const;
    // The stored line; none on a first run.
    Result<std::optional<std::string>> line(std::string* problem = nullptr) const;
    // A line from hash_password(); makes the state directory if it is missing.
    Result<void> store(std::string_view line);

    const std::string& path() const { return path_; }
    // What new lines are hashed with.
    const KdfParameters& parameters() const { return parameters_; }

private:
    std::string path_;
    KdfParameters parameters_;
};

// The first-run setup code: 10 characters from 2-9 and A-Z without I and O (32 characters, so
// 50 bits; no 0/O or 1/I to confuse), shown as "ABCDE-FGHJK". Entered codes may use lower case,
// spaces and dashes. Single use: redeem() spends it. Compared in constant time.
class SetupCode {
public:
    static Result<SetupCode> generate();
    static SetupCode from_text(std::string_view code); // tests and `uplink passwd` replays

    const std::string& text() const { return display_; }
    bool spent() const { return spent_; }
    // Ok and spent, or WrongSetupCode (also once spent).
    Result<void> redeem(std::string_view entered);
    // The comparison alone, without spending it.
    bool matches(std::string_view entered) const;

private:
    std::string code_; // 10 characters, upper case
    std::string display_; // "ABCDE-FGHJK"
    bool spent_ = false;
};

// ---------------------------------------------------------------- sessions
struct SessionLimits {
    std::chrono::seconds idle = std::chrono::minutes(30);
    std::chrono::seconds absolute = std::chrono::hours(12);
    std::size_t maximum_sessions = 32; // the least recently used goes when a new one needs room
};

struct Session {
    std::string id; // 256 random bits, 64 hex digits: the cookie's value
    std::string csrf_token; // 256 random bits, 64 hex digits: the synchronizer token
    Clock::time_point created;
    Clock::time_point last_active;
};

// Sessions live in memory only: a restart of uplinkd logs everyone out. Ids are kept by their
// SHA-256, so a lookup's timing says nothing about a live id.
class SessionStore {
public:
    explicit SessionStore(TimeSource now = &Clock::now, SessionLimits limits = {});

    Result<Session> create();
    // The live session with this id, its idle timer restarted; NoSession or SessionExpired.
    Result<Session> resume(std::string_view id);
    bool end(std::string_view id); // logout; false when there was no such session
    // Whether the session is there and within its limits, without counting as its use (an open
    // event stream does not keep an idle session alive).
    bool alive(std::string_view id);
    void end_all();
    std::size_t size() const { return sessions_.size(); }
    const SessionLimits& limits() const { return limits_; }

private:
    void drop_expired();
    bool expired(const Session& session) const;

    TimeSource now_;
    SessionLimits limits_;
    std::map<std::string, Session> sessions_; // by SHA-256 of the id
};

// Synchronizer-token CSRF defence (OWASP CSRF cheat sheet): every state-changing request carries
// the session's token in a header (X-CSRF-Token), compared in constant time.
constexpr std::string_view csrf_header_name = "X-CSRF-Token";
enum class RequestKind { Safe, StateChanging };
std::string_view to_string(RequestKind kind);
// GET, HEAD and OPTIONS are safe (RFC 9110 §9.2.1); any other method changes state.
RequestKind request_kind(std::string_view method);
Result<void> check_csrf_token(const Session& session, std::string_view presented);

// "__Host-" (RFC 6265bis §4.1.3.2): the browser takes the cookie only with Secure, Path=/ and no
// Domain, so no other host or plain-HTTP page can plant one.
constexpr std::string_view session_cookie_name = "__Host-uplink-session";
// Set-Cookie values: the session's (Max-Age is the absolute lifetime), and one that removes it.
std::string session_cookie(const Session& session, const SessionLimits& limits);
std::string cleared_session_cookie();
// The session id in a Cookie header (RFC 6265 §4.2.1, read leniently: any spacing, quoted
// values, other cookies, garbage pairs skipped). NoSession when it has none, MalformedCookie
// when ours is not 64 hex digits. The first well-formed one counts.
Result<std::string> session_id_from_cookie_header(std::string_view header);

// ---------------------------------------------------------------- login rate limit
struct RateLimits {
    std::size_t failures_per_address = 10; // in one window; the next attempt is throttled
    std::chrono::seconds window = std::chrono::minutes(1);
    std::size_t tracked_addresses = 1024; // memory bound: the stalest record goes first
};

enum class Admission { Allowed, Throttled };
std::string_view to_string(Admission admission);

struct LoginVerdict {
    Admission admission = Admission::Allowed;
    std::chrono::seconds retry_after {0}; // Throttled: when the next attempt is allowed (>= 1)
};

// A sliding window of failure times per client. IPv6 clients are counted by /64 (one host
// usually has the whole prefix), IPv4-mapped IPv6 as IPv4. Throttled attempts are not failures.
// There is no cap over all clients together: a stranger's guesses would throttle the owner too,
// locking them out of their own router. Guessing faster with many addresses still meets the
// KDF, which runs one check at a time (Busy).
class LoginLimiter {
public:
    explicit LoginLimiter(TimeSource now = &Clock::now, RateLimits limits = {});

    LoginVerdict check(std::string_view address);
    void record_failure(std::string_view address);
    void record_success(std::string_view address); // forgets the address's failures
    std::size_t tracked_addresses() const { return failures_.size(); }

private:
    void forget_old(Clock::time_point now);

    TimeSource now_;
    RateLimits limits_;
    std::map<std::string, std::vector<Clock::time_point>> failures_; // by client key, oldest first
};

// The key the limiter counts a client address under ("192.0.2.1", "2001:db8:1:2::/64"); an
// address that does not parse counts as itself.
std::string client_key(std::string_view address);

// ---------------------------------------------------------------- API tokens
// "upl_" and 32 random bytes in base64url without padding (47 characters), sent by scripts as
// "Authorization: Bearer <token>". Only its SHA-256 is stored (a token has 256 bits of entropy:
// a slow KDF would add nothing), in <state_dir>/api-tokens (0600, written atomically).
// A right beyond the everyday API that the admin gives a token when making it (none by
// default): Console, the AT console (POST /v1/modems/<id>/at), which can send the SIM a PIN.
enum class TokenScope { Console };
std::string_view to_string(TokenScope scope);                        // "console"
std::optional<TokenScope> token_scope_from_string(std::string_view text);

struct TokenInfo {
    std::string name;
    WallClock::time_point created;
    std::optional<WallClock::time_point> last_used;
    std::vector<TokenScope> scopes {};        // in the order of TokenScope, each once

    bool has(TokenScope scope) const;
};

// A line of <state_dir>/api-tokens: a token's record and the SHA-256 of the token.
struct TokenFileEntry {
    TokenInfo info;
    std::string hash; // SHA-256, 64 hex digits
    std::optional<WallClock::time_point> last_used_saved; // what the file has
};
// The file's text, or TokenFileCorrupt with `problem` naming `path` and the line; at most
// TokenStore::maximum_tokens. token_file_text() writes what it reads.
Result<std::vector<TokenFileEntry>> parse_token_file(
    std::string_view text, std::string_view path, std::string* problem);
std::string token_file_text(const std::vector<TokenFileEntry>& entries);

class TokenStore {
public:
    static constexpr std::size_t maximum_tokens = 64;
    // "Last used" reaches the file at most once an hour per token, so a script polling every
    // second does not wear out flash; list() shows it to the second.
    static constexpr std::chrono::hours last_used_resolution {1};

    explicit TokenStore(std::string path, WallTimeSource now = &WallClock::now);

    // The new token, shown this once. Its scopes are given now and never changed.
    Result<std::string> create(std::string_view name, std::vector<TokenScope> scopes = {});
    // Oldest first. Never the tokens themselves.
    Result<std::vector<TokenInfo>> list(std::string* problem = nullptr);
    Result<void> revoke(std::string_view name);
    // Every token, as a password change or reset asks; nothing to revoke is no error.
    Result<void> revoke_all();
    // The token's record (its use is recorded), or MalformedToken / UnknownToken. Every stored
    // hash is compared, in constant time.
    Result<TokenInfo> verify(std::string_view token);

    const std::string& path() const { return path_; }

private:
    using Entry = TokenFileEntry;
    // What tells one version of the file from another: a token deleted from the file by hand
    // is revoked at its next use (the file is read again), and never written back.
    struct FileStamp {
        bool exists = false;
        std::uint64_t device = 0, inode = 0, size = 0;
        std::int64_t modified_ns = 0;
        bool operator==(const FileStamp&) const = default;
    };
    FileStamp stamp() const;
    Result<void> load(std::string* problem);
    Result<void> save();

    std::string path_;
    WallTimeSource now_;
    // Read on first use, again whenever the file is not the one read (or written) last, and
    // after a failure.
    std::optional<std::vector<Entry>> entries_;
    FileStamp loaded_;
};

// The token in an Authorization header ("Bearer <token>", RFC 6750 §2.1): NoSession when the
// header is empty or another scheme, MalformedToken when the token is not of our form.
Result<std::string> bearer_token_from_authorization_header(std::string_view header);

// ---------------------------------------------------------------- the KDF, off the loop
// The slow part of one password operation (scrypt: tens of milliseconds here, hundreds on a
// router), with copies of its inputs: run_kdf() calls only verify_password() and
// hash_password(), so it may run on any thread while the Authenticator goes on.
struct KdfWork {
    std::optional<std::string> stored_line {}; // set: `presented` is checked against it first
    std::string presented {};
    std::optional<std::string> replacement {}; // set: hashed into a new line, once it passed
    KdfParameters parameters {}; // for the new line
};

struct KdfOutcome {
    Result<void> check; // `presented` against the stored line; ok when there was none
    Result<std::string> line; // the replacement's new line; "" when none was made
};
KdfOutcome run_kdf(const KdfWork& work);

// What an operation's passed check leads to: a new session (a login, the first password, a
// change), or nothing more (a reset, a confirmation of the password for one step).
enum class AfterCheck { NewSession, Nothing };

// One password operation of an Authenticator (a login, the first password, a change, a reset, a
// confirmation), admitted and waiting for its KDF. While one lives, the Authenticator begins no other (Busy):
// at most one KDF runs at a time, the rate limiter has seen each outcome before it admits the next
// check, and the password and setup code cannot change under it. Dropping it unfinished (an
// exception, a stopped server) frees the Authenticator for the next one.
class PasswordOperation {
public:
    PasswordOperation(PasswordOperation&&) = default;
    PasswordOperation& operator=(PasswordOperation&&) = default;
    PasswordOperation(const PasswordOperation&) = delete; // one operation, one token
    PasswordOperation& operator=(const PasswordOperation&) = delete;

    const KdfWork& work() const { return work_; }

private:
    friend class Authenticator;
    PasswordOperation(std::optional<std::string> client, KdfWork work, AfterCheck after,
        std::shared_ptr<void> token)
        : client_(std::move(client))
        , work_(std::move(work))
        , after_(after)
        , token_(std::move(token))
    {
    }

    std::optional<std::string> client_; // none: `uplink passwd` (not rate limited, nobody logs in)
    KdfWork work_;
    AfterCheck after_;
    std::shared_ptr<void> token_; // the Authenticator watches it: alive while this is pending
};

// ---------------------------------------------------------------- the whole
struct AuthSettings {
    KdfParameters kdf {};
    SessionLimits sessions {};
    RateLimits rate_limits {};
};

// What the HTTPS server talks to: the password, the setup code, sessions and the rate limiter
// together, so that their rules hold together (a password change ends every session, every
// password check is rate limited). Not thread-safe: only an operation's run_kdf() may run on
// another thread. `client` is the peer's address as text.
//
// A password operation is three steps: begin_...() on the caller's thread decides everything that
// needs no KDF (the rate limit first, so a flood queues no KDF work; the input; the setup code)
// and copies the inputs into a PasswordOperation; run_kdf(operation.work()) anywhere; finish()
// back on the caller's thread records the outcome. complete() does the last two with a worker.
class Authenticator {
public:
    Authenticator(
        const std::string& state_dir, TimeSource now = &Clock::now, AuthSettings settings = {});

    // At start: while no password is set, makes the setup code that uplinkd prints.
    Result<PasswordState> start(std::string* problem = nullptr);
    // The code to print ("ABCDE-FGHJK"), while one is waiting. A code is good for an hour from
    // when it was made (one seen over a shoulder, or left in an old log, is not good for ever).
    std::optional<std::string> setup_code() const;
    static constexpr std::chrono::hours setup_code_lifetime {1};
    // While a code is waiting and has expired: a new one, to print; nothing otherwise.
    Result<std::optional<std::string>> renew_expired_setup_code();
    Result<PasswordState> password_state(std::string* problem = nullptr) const;

    // The first visit: the setup code and a new password; logs in. Rate limited like a login: a
    // wrong code is a failed check, answered at once. On Throttled or Busy, `retry_after` (when
    // given) says how long to wait.
    Result<PasswordOperation> begin_first_password(std::string_view client,
        std::string_view setup_code, std::string_view password,
        std::chrono::seconds* retry_after = nullptr);
    Result<PasswordOperation> begin_login(std::string_view client, std::string_view password,
        std::chrono::seconds* retry_after = nullptr);
    // For a logged-in user (the server has authorized the request): the current password and a
    // new one. Every session ends; the caller gets a new one.
    Result<PasswordOperation> begin_change_password(std::string_view client,
        std::string_view current, std::string_view replacement,
        std::chrono::seconds* retry_after = nullptr);
    // `uplink passwd` through the daemon's unix socket (root on the router): no old password,
    // no setup code, no rate limit. Every session ends and a waiting setup code is spent. Busy
    // while another operation runs, and then the next turn is the reset's for reset_reservation:
    // logins and the rest are Busy until it comes back (or the reservation lapses).
    Result<PasswordOperation> begin_reset_password(std::string_view replacement);
    // For a logged-in user whose next step needs the password again (making an API token, so
    // that a session left open or stolen cannot make one): checked and rate limited as a login,
    // a wrong one counted as a failed login. Nothing changes and nobody logs in: finish() gives
    // no session.
    Result<PasswordOperation> begin_confirm_password(std::string_view client,
        std::string_view password, std::chrono::seconds* retry_after = nullptr);
    static constexpr std::chrono::seconds reset_reservation {5};
    // Records what the KDF said: a failed check with the limiter, a new password in its file
    // (ending every session and spending the setup code). The new session; none for a reset or
    // a confirmation.
    Result<std::optional<Session>> finish(PasswordOperation operation, KdfOutcome outcome);

    // A request from a browser: its Cookie header, method and X-CSRF-Token header. The session
    // (its idle timer restarted), or NoSession / SessionExpired / MalformedCookie / CsrfMismatch.
    Result<Session> authorize(
        std::string_view cookie_header, std::string_view method, std::string_view csrf_header);
    bool logout(std::string_view session_id);

    SessionStore& sessions() { return sessions_; }
    LoginLimiter& limiter() { return limiter_; }
    const PasswordStore& password() const { return password_; }

private:
    Result<void> admit(std::string_view client, std::chrono::seconds* retry_after);
    // The last check before an operation begins, so that an answer that needs no KDF comes even
    // while another operation runs.
    Result<PasswordOperation> begin(std::optional<std::string_view> client, KdfWork work,
        std::chrono::seconds* retry_after, AfterCheck after = AfterCheck::NewSession);
    // The stored line to check a password against; PasswordNotSet on a first run.
    Result<std::string> stored_line();

    PasswordStore password_;
    SessionStore sessions_;
    LoginLimiter limiter_;
    bool setup_code_expired() const;

    TimeSource now_;
    std::optional<SetupCode> setup_code_;
    Clock::time_point setup_code_made_ {};
    Clock::time_point reset_reserved_until_ {};
    std::weak_ptr<void> running_; // the pending PasswordOperation's token
};

// Runs an operation's KDF on `kdf_executor` (a worker thread: the caller's event loop goes on
// meanwhile) and records its outcome with `authenticator` back on the caller's executor. The
// Authenticator and the worker must outlive the wait: in uplinkd they outlive the loop's run.
boost::asio::awaitable<Result<std::optional<Session>>> complete(Authenticator& authenticator,
    PasswordOperation operation, boost::asio::any_io_executor kdf_executor);

// File names under the state directory.
constexpr std::string_view password_file_name = "admin-password";
constexpr std::string_view token_file_name = "api-tokens";

} // namespace uplink::auth

namespace boost::system {
template <> struct is_error_code_enum<uplink::auth::Errc> : std::true_type {
};
} // namespace boost::system
