// The gate uplinkd puts before the HTTPS API: the login resources answered here, every other API
// request let through only with a live session (and, to change anything, its CSRF token) or an
// API token. The rules themselves (scrypt, sessions, rate limits) are the auth module's; the
// password KDF runs on a worker thread while this request waits and the loop serves the others.
#include "web/rules.hpp"
#include "web/web.hpp"

#include <auth/auth.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cassert>
#include <map>
#include <variant>

namespace uplink::web {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

GateDecision answer(Response response)
{
    GateDecision decision;
    decision.answer = std::move(response);
    return decision;
}

GateDecision failure(int status, std::string_view message)
{
    return answer(json_error(status, message));
}

GateDecision success(json::object body, std::vector<Header> headers = {})
{
    Response response;
    response.body = json::serialize(body);
    response.headers = std::move(headers);
    return answer(std::move(response));
}

// A refusal that passes with time (RFC 9110 §10.2.3: Retry-After in seconds).
GateDecision retry_later(int status, std::string_view message, std::chrono::seconds retry_after)
{
    auto refused = json_error(status, fmt::format("{}: try again in {} s", message, retry_after.count()));
    refused.headers.push_back({"Retry-After", std::to_string(retry_after.count())});
    return answer(std::move(refused));
}

// What a person can do about each refusal, with its HTTP status.
GateDecision refusal(const Error& error, std::chrono::seconds retry_after = {})
{
    using auth::Errc;
    if (error.category() != auth::auth_category())
        return failure(500, fmt::format("uplinkd cannot check the login: {}", error.message()));
    switch (static_cast<Errc>(error.value())) {
    case Errc::Throttled:
        return retry_later(429, "too many failed logins", retry_after);
    case Errc::Busy:
        return retry_later(503, "another password is being checked", retry_after);
    case Errc::WrongPassword:
    case Errc::NoSession:
    case Errc::SessionExpired:
    case Errc::MalformedCookie:
    case Errc::MalformedToken:
    case Errc::UnknownToken:
        return failure(401, error.message());
    case Errc::WrongSetupCode:
    case Errc::CsrfMismatch:
        return failure(403, error.message());
    case Errc::PasswordNotSet:
    case Errc::PasswordAlreadySet:
    case Errc::NoSetupCode:
    case Errc::TokenNameTaken:
    case Errc::TooManyTokens:
        return failure(409, error.message());
    case Errc::EmptyPassword:
    case Errc::PasswordTooShort:
    case Errc::PasswordTooLong:
    case Errc::BadTokenName:
        return failure(400, error.message());
    case Errc::PasswordFileCorrupt:
    case Errc::TokenFileCorrupt:
    case Errc::RandomFailure:
    case Errc::KdfFailure:
        break;
    }
    return failure(500, error.message());
}

// A logged-in browser's answer: the session cookie and the CSRF token its page sends back.
GateDecision logged_in(const auth::Session& session, const auth::SessionLimits& limits)
{
    return success(json::object {{"csrf_token", session.csrf_token}},
        {{"Set-Cookie", auth::session_cookie(session, limits)}});
}

// The body's JSON object, or why not: the strings `names` are read out of it, "" when absent.
std::optional<GateDecision> read_strings(const Request& request, std::initializer_list<std::pair<std::string_view, std::string*>> fields)
{
    // As for every API request: a form another site makes a browser post cannot say it is JSON.
    if (!is_json_media_type(request.header("Content-Type")))
        return failure(415, "send the body as JSON, with Content-Type: application/json");
    boost::system::error_code error;
    auto body = json::parse(request.body, error);
    if (error || !body.is_object())
        return failure(400, "the body is not a JSON object");
    for (auto [name, out] : fields) {
        const auto* value = body.as_object().if_contains(name);
        if (value && !value->is_string())
            return failure(400, fmt::format("'{}' is not a string", name));
        *out = value ? std::string(value->as_string()) : std::string();
    }
    return std::nullopt;
}

class Authentication {
public:
    Authentication(auth::Authenticator& authenticator, auth::TokenStore& tokens, asio::any_io_executor kdf_executor)
        : authenticator_(authenticator), tokens_(tokens), kdf_executor_(std::move(kdf_executor))
    {
    }

    // `self` keeps the gate alive while a KDF runs, even if the server stops meanwhile; the server
    // awaits the call, so `request` outlives it.
    static asio::awaitable<GateDecision> decide(std::shared_ptr<Authentication> self, const Request& request);

private:
    asio::awaitable<GateDecision> decide_request(const Request& request);
    GateDecision session_state(const Request& request);
    asio::awaitable<GateDecision> setup(const Request& request);
    asio::awaitable<GateDecision> login(const Request& request);
    asio::awaitable<GateDecision> change_password(const Request& request);
    // The password again, before a session makes an API token; the refusal, or nothing.
    asio::awaitable<std::optional<GateDecision>> confirm_password(const Request& request);
    // The browser's session for this request (CSRF checked for a POST), or the refusal.
    std::variant<auth::Session, GateDecision> session_of(const Request& request);
    // A begun login, first password or change: its KDF on the worker, then its new session.
    asio::awaitable<Result<auth::Session>> complete(const Request& request, Result<auth::PasswordOperation> begun);

    // The audit log names a token's use at most once an hour per token and address, so that a
    // script polling every second does not fill the log; a refused token is named every time.
    void note_token_use(const std::string& name, const std::string& peer);

    auth::Authenticator& authenticator_;
    auth::TokenStore& tokens_;
    asio::any_io_executor kdf_executor_;
    std::map<std::pair<std::string, std::string>, Clock::time_point> token_use_noted_;
};

void Authentication::note_token_use(const std::string& name, const std::string& peer)
{
    constexpr auto quiet = std::chrono::hours(1);
    auto now = Clock::now();
    auto [noted, fresh] = token_use_noted_.try_emplace({name, peer}, now);
    if (!fresh && now - noted->second < quiet)
        return;
    noted->second = now;
    std::erase_if(token_use_noted_, [&](const auto& entry) { return now - entry.second >= quiet; });
    log(LogLevel::Info, "web", "API token '{}' used from {}", name, peer);
}

asio::awaitable<GateDecision> Authentication::decide(std::shared_ptr<Authentication> self, const Request& request)
{
    co_return co_await self->decide_request(request);
}

asio::awaitable<Result<auth::Session>> Authentication::complete(const Request& request,
                                                                Result<auth::PasswordOperation> begun)
{
    if (!begun)
        co_return begun.error();
    // Where a slow login's time goes; the integration tests wait for it too.
    log(LogLevel::Debug, "web", "checking a password from {} on the KDF worker", request.peer);
    auto session = co_await auth::complete(authenticator_, std::move(*begun), kdf_executor_);
    if (!session)
        co_return session.error();
    assert(*session);   // only a reset (`uplink passwd`) logs nobody in
    co_return std::move(**session);
}

asio::awaitable<GateDecision> Authentication::decide_request(const Request& request)
{
    // The web UI's pages are public (everything they show comes from the API); the API and the
    // metrics are not. A Prometheus server sends an API token.
    auto path = request.path == "/metrics" ? std::optional<std::string>("/metrics") : api_path(request.path);
    if (!path)
        co_return GateDecision {};
    bool post = request.method == "POST";
    if (*path == "/v1/session" && request.method == "GET")
        co_return session_state(request);
    if (*path == "/v1/setup" && post)
        co_return co_await setup(request);
    if (*path == "/v1/login" && post)
        co_return co_await login(request);

    // A script: its API token, and no cookie (so no CSRF token either).
    if (auto authorization = request.header("Authorization"); !authorization.empty()) {
        auto token = auth::bearer_token_from_authorization_header(authorization);
        if (!token)
            co_return refusal(token.error());
        auto known = tokens_.verify(*token);
        if (!known) {
            log(LogLevel::Warning, "web", "a request from {} with a token that is no longer good: {}", request.peer,
                known.error().message());
            co_return refusal(known.error());
        }
        note_token_use(known->name, request.peer);
        if (path->starts_with("/v1/tokens") || *path == "/v1/password" || *path == "/v1/logout")
            co_return failure(403, "an API token cannot manage logins or tokens: log in with the password");
        GateDecision script;
        script.console = known->has(auth::TokenScope::Console) ? api::ConsoleRight::Granted : api::ConsoleRight::Denied;
        script.client = fmt::format("API token '{}' from {}", known->name, request.peer);
        // The token store outlives the loop (web.hpp, authentication()).
        script.still_valid = [&tokens = tokens_, token = std::move(*token)] { return tokens.verify(token).has_value(); };
        co_return script;
    }
    auto session = session_of(request);
    if (auto* refused = std::get_if<GateDecision>(&session))
        co_return std::move(*refused);
    const auto& live = std::get<auth::Session>(session);
    if (*path == "/v1/logout" && post) {
        authenticator_.logout(live.id);
        co_return success(json::object {}, {{"Set-Cookie", auth::cleared_session_cookie()}});
    }
    if (*path == "/v1/password" && post)
        co_return co_await change_password(request);
    // The token routes themselves are the Router's (api/token_routes.cpp), as for the socket.
    if (*path == "/v1/tokens" && post)
        if (auto refused = co_await confirm_password(request))
            co_return std::move(*refused);
    GateDecision admin;
    admin.credential = api::Credential::Session;
    admin.console = api::ConsoleRight::Granted;
    admin.client = fmt::format("the admin's session from {}", request.peer);
    admin.still_valid = [&sessions = authenticator_.sessions(), id = live.id] { return sessions.alive(id); };
    co_return admin;
}

std::variant<auth::Session, GateDecision> Authentication::session_of(const Request& request)
{
    auto session = authenticator_.authorize(request.header("Cookie"), request.method, request.header(auth::csrf_header_name));
    if (!session) {
        if (session.error() == auth::Errc::NoSession)
            return failure(401, "log in first: POST /api/v1/login with the admin password (docs/api.md)");
        return refusal(session.error());
    }
    return *session;
}

GateDecision Authentication::session_state(const Request& request)
{
    std::string problem;
    auto state = authenticator_.password_state(&problem);
    if (!state)
        return failure(500, problem.empty() ? state.error().message() : problem);
    auto session = authenticator_.authorize(request.header("Cookie"), "GET", {});
    return success(json::object {
        {"password_set", *state == auth::PasswordState::Set},
        {"logged_in", session.has_value()},
        {"csrf_token", session ? json::value(session->csrf_token) : json::value(nullptr)},
    });
}

asio::awaitable<GateDecision> Authentication::setup(const Request& request)
{
    std::string code, password;
    if (auto bad = read_strings(request, {{"setup_code", &code}, {"password", &password}}))
        co_return std::move(*bad);
    std::chrono::seconds retry_after {};
    auto session = co_await complete(request, authenticator_.begin_first_password(request.peer, code, password, &retry_after));
    if (!session)
        co_return refusal(session.error(), retry_after);
    log(LogLevel::Info, "web", "the admin password was set from {}", request.peer);
    co_return logged_in(*session, authenticator_.sessions().limits());
}

asio::awaitable<GateDecision> Authentication::login(const Request& request)
{
    std::string password;
    if (auto bad = read_strings(request, {{"password", &password}}))
        co_return std::move(*bad);
    std::chrono::seconds retry_after {};
    auto session = co_await complete(request, authenticator_.begin_login(request.peer, password, &retry_after));
    if (!session) {
        if (session.error() == auth::Errc::WrongPassword || session.error() == auth::Errc::Throttled)
            log(LogLevel::Warning, "web", "a failed login from {}: {}", request.peer, session.error().message());
        co_return refusal(session.error(), retry_after);
    }
    log(LogLevel::Info, "web", "the admin logged in from {}", request.peer);
    co_return logged_in(*session, authenticator_.sessions().limits());
}

asio::awaitable<GateDecision> Authentication::change_password(const Request& request)
{
    std::string current, replacement;
    if (auto bad = read_strings(request, {{"current", &current}, {"new", &replacement}}))
        co_return std::move(*bad);
    std::chrono::seconds retry_after {};
    auto session = co_await complete(
        request, authenticator_.begin_change_password(request.peer, current, replacement, &retry_after));
    // 403, not 401: the session is still good, and the page must not take a typo for a logout.
    if (!session && session.error() == auth::Errc::WrongPassword)
        co_return failure(403, "wrong password: the current password is not that");
    if (!session)
        co_return refusal(session.error(), retry_after);
    // A password changed because it leaked must take what was made with it along.
    auto revoked = tokens_.revoke_all();
    log(LogLevel::Info, "web", "the admin password was changed from {}; every other session ended{}", request.peer,
        revoked ? ", every API token revoked" : fmt::format(", but the API tokens are not revoked: {}", revoked.error().message()));
    co_return logged_in(*session, authenticator_.sessions().limits());
}

// A token outlives the session that made it and works from anywhere, so a browser left logged
// in (or a stolen cookie) must not be enough to make one: the password is asked again, and its
// check is a login's (rate limited per client, on the KDF worker, one at a time).
asio::awaitable<std::optional<GateDecision>> Authentication::confirm_password(const Request& request)
{
    std::string password;
    if (auto bad = read_strings(request, {{"password", &password}}))
        co_return std::move(*bad);
    if (password.empty())
        co_return failure(400, "making an API token needs the admin password again: send "
                               "{\"name\":...,\"scopes\":[...],\"password\":...}");
    std::chrono::seconds retry_after {};
    auto begun = authenticator_.begin_confirm_password(request.peer, password, &retry_after);
    if (!begun)
        co_return refusal(begun.error(), retry_after);
    log(LogLevel::Debug, "web", "checking a password from {} on the KDF worker", request.peer);
    auto confirmed = co_await auth::complete(authenticator_, std::move(*begun), kdf_executor_);
    if (!confirmed && confirmed.error() == auth::Errc::WrongPassword) {
        log(LogLevel::Warning, "web", "a wrong password from {} to make an API token", request.peer);
        co_return failure(403, "wrong password: making an API token needs the admin password"); // 403: as above
    }
    if (!confirmed)
        co_return refusal(confirmed.error(), retry_after);
    co_return std::nullopt;
}

} // namespace

Gate authentication(auth::Authenticator& authenticator, auth::TokenStore& tokens, asio::any_io_executor kdf_executor)
{
    auto gate = std::make_shared<Authentication>(authenticator, tokens, std::move(kdf_executor));
    return [gate](const Request& request) { return Authentication::decide(gate, request); };
}

} // namespace uplink::web
