// auth: who may use the web UI and the API. One admin password (scrypt), the first-run setup
// code, browser sessions with a CSRF token, a login rate limiter, and API tokens for scripts.
// Pure logic and its files in the state directory; the HTTPS server (api) calls it. The rules
// are in docs/auth.md.
#pragma once

#include <core/core.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::auth {

enum class Errc {
    EmptyPassword = 1,   // a password of no characters
    PasswordTooShort,    // a new password under 8 characters (NIST SP 800-63B §5.1.1.2)
    PasswordTooLong,     // more than 1024 bytes
    PasswordNotSet,      // first run: no admin password yet
    PasswordAlreadySet,  // the first-run setup is over
    WrongPassword,
    NoSetupCode,         // no setup code is waiting (restart uplinkd, or use `uplink passwd`)
    WrongSetupCode,
    PasswordFileCorrupt, // the password file is unreadable: never read as "no password"
    Throttled,           // too many failed logins: wait (the caller is told how long)
    NoSession,           // no session cookie, or an id that is not a live session
    SessionExpired,      // idle or absolute lifetime over
    MalformedCookie,     // a session cookie that is not 64 hex digits
    CsrfMismatch,        // a state-changing request without this session's CSRF token
    MalformedToken,      // not "upl_" and 43 base64url characters
    UnknownToken,        // no API token (or no token of that name)
    BadTokenName,        // 1 to 64 of A-Z a-z 0-9 . _ -
    TokenNameTaken,
    TooManyTokens,       // at most 64 API tokens
    TokenFileCorrupt,    // the token file is unreadable: no token is accepted until it is fixed
    RandomFailure,       // the system's random generator failed: nothing weaker is used
    KdfFailure,          // OpenSSL could not run scrypt
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
// 32-byte hash in base64 without padding (RFC 4648 §4). Thread-safe: the server may run these
// (tens to hundreds of milliseconds) off its event loop.
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
// there but does not parse is PasswordFileCorrupt with `problem` saying why.
class PasswordStore {
public:
    explicit PasswordStore(std::string path, KdfParameters parameters = {});

    Result<PasswordState> state(std::string* problem = nullptr) const;
    Result<void> verify(std::string_view password, std::string* problem = nullptr) const;
    // Checks check_new_password(); makes the state directory if it is missing.
    Result<void> set(std::string_view password);

    const std::string& path() const { return path_; }

private:
    std::string path_;
    KdfParameters parameters_;
};

// The first-run setup code: 10 characters from 2-9 and A-Z without I and O (32 characters, so
// 50 bits; no 0/O or 1/I to confuse), shown as "ABCDE-FGHJK". Entered codes may use lower case, spaces and dashes.
// Single use: redeem() spends it. Compared in constant time.
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
    std::string code_;    // 10 characters, upper case
    std::string display_; // "ABCDE-FGHJK"
    bool spent_ = false;
};

// File names under the state directory.
constexpr std::string_view password_file_name = "admin-password";
constexpr std::string_view token_file_name = "api-tokens";

} // namespace uplink::auth

namespace boost::system {
template <>
struct is_error_code_enum<uplink::auth::Errc> : std::true_type {};
} // namespace boost::system
