// /v1/tokens: the API tokens for scripts (docs/api.md, docs/auth.md), listed, made and revoked.
// One implementation for both transports: the unix socket (`uplink token`, root) and HTTPS (the
// admin's login, whose password the web gate has checked again before a token is made).
#include "api/router.hpp"

#include <auth/auth.hpp>

#include <boost/json.hpp>
#include <fmt/chrono.h>

namespace uplink::api {

namespace json = boost::json;

namespace {

std::string utc_time(auth::WallClock::time_point time) // "2026-12-04T05:10:00Z"
{
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(auth::WallClock::to_time_t(time)));
}

json::array scope_names(const std::vector<auth::TokenScope>& scopes)
{
    json::array names;
    for (auto scope : scopes)
        names.emplace_back(auth::to_string(scope));
    return names;
}

// The token store's refusals, with what a person can do about each.
Response token_failure(const Error& error, std::string_view problem = {})
{
    using auth::Errc;
    std::string message = problem.empty() ? error.message() : std::string(problem);
    if (error.category() != auth::auth_category())
        return Response::failure(500, fmt::format("the API tokens: {}", message));
    switch (static_cast<Errc>(error.value())) {
    case Errc::BadTokenName:
        return Response::failure(400, fmt::format("{}: a name is 1 to 64 of A-Z a-z 0-9 . _ -", message));
    case Errc::TokenNameTaken:
        return Response::failure(409, fmt::format("{}: revoke the old one first, or choose another name", message));
    case Errc::TooManyTokens:
        return Response::failure(409, fmt::format("{}: revoke one first", message));
    default:
        return Response::failure(500, message);
    }
}

// The "scopes" of a new token: absent or null for none, else a list of auth::TokenScope names.
std::variant<std::vector<auth::TokenScope>, Response> read_scopes(const json::object& body)
{
    std::vector<auth::TokenScope> granted;
    const auto* scopes = body.if_contains("scopes");
    if (!scopes || scopes->is_null())
        return granted;
    if (!scopes->is_array())
        return Response::failure(400, "'scopes' is a list of rights for the token, e.g. [\"console\"]");
    for (const auto& scope : scopes->as_array()) {
        auto known = scope.is_string() ? auth::token_scope_from_string(scope.as_string()) : std::nullopt;
        if (!known)
            return Response::failure(400, fmt::format("'{}' is not a scope: the one there is, \"console\", lets the "
                                                      "token use the AT console", json::serialize(scope)));
        granted.push_back(*known);
    }
    return granted;
}

} // namespace

Response Router::tokens(const std::vector<std::string>& segments, const Request& request)
{
    // A token cannot make itself a sibling nor outlive its revocation; a local user who may only
    // read the socket has a token's rights. The web gate refuses a token before it gets here.
    if (request.caller == Caller::ApiToken)
        return Response::failure(403, fmt::format("{} may not see or manage the API tokens: that is for root on the "
                                                  "router (`uplink token`) or the admin's login", request.client));
    if (segments.size() == 2 && request.method == Method::Get)
        return list_tokens();
    if (segments.size() == 2 && request.method == Method::Post)
        return create_token(request);
    if (segments.size() == 4 && segments[3] == "delete" && request.method == Method::Post)
        return revoke_token(segments[2], request);
    return Response::failure(405, "tokens: GET /v1/tokens, POST /v1/tokens {\"name\",\"scopes\"}, "
                                  "POST /v1/tokens/<name>/delete");
}

// Never the tokens themselves: only their SHA-256 is kept.
Response Router::list_tokens()
{
    std::string problem;
    auto list = source_.api_tokens().list(&problem);
    if (!list)
        return token_failure(list.error(), problem);
    json::array array;
    for (const auto& token : *list)
        array.push_back(json::object {
            {"name", token.name},
            {"created", utc_time(token.created)},
            {"last_used", token.last_used ? json::value(utc_time(*token.last_used)) : json::value(nullptr)},
            {"scopes", scope_names(token.scopes)},
        });
    return Response::ok(json::object {{"tokens", std::move(array)}});
}

// {"name":"backup","scopes":["console"]}: the new token, in this reply alone.
Response Router::create_token(const Request& request)
{
    const auto* body = request.body.if_object();
    const auto* name_value = body ? body->if_contains("name") : nullptr;
    if (!name_value || !name_value->is_string())
        return Response::failure(400, "send {\"name\":\"<the token's name>\"}, and \"scopes\":[\"console\"] for "
                                      "a token that may use the AT console");
    std::string name(name_value->as_string());
    auto scopes = read_scopes(*body);
    if (auto* refused = std::get_if<Response>(&scopes))
        return std::move(*refused);
    auto granted = std::get<std::vector<auth::TokenScope>>(std::move(scopes));
    auto token = source_.api_tokens().create(name, granted);
    if (!token)
        return token_failure(token.error());
    std::string listed;
    for (auto scope : granted)
        listed += (listed.empty() ? "" : ", ") + std::string(auth::to_string(scope));
    log(LogLevel::Info, "api", "API token '{}' made by {} with scopes [{}]", name, request.client, listed);
    return Response::ok(json::object {{"name", name}, {"token", *token}, {"scopes", scope_names(granted)}});
}

Response Router::revoke_token(const std::string& name, const Request& request)
{
    if (auto revoked = source_.api_tokens().revoke(name); !revoked) {
        if (revoked.error() == auth::Errc::UnknownToken)
            return Response::failure(404, fmt::format("no API token named '{}'", name));
        return token_failure(revoked.error());
    }
    log(LogLevel::Info, "api", "API token '{}' revoked by {}", name, request.client);
    return Response::ok(json::object {{"name", name}, {"revoked", true}});
}

} // namespace uplink::api
