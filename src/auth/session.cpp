// Browser sessions: ids, lifetimes, the CSRF token, and the cookie that carries the id.
#include "auth/encoding.hpp"

#include <algorithm>
#include <cassert>

namespace uplink::auth {

namespace {

constexpr std::size_t random_bits = 256;

Result<std::string> random_hex()
{
    auto bytes = random_bytes(random_bits / 8);
    if (!bytes)
        return bytes.error();
    return to_hex(*bytes);
}

std::string_view trim(std::string_view text)
{
    constexpr std::string_view blanks = " \t";
    auto first = text.find_first_not_of(blanks);
    if (first == std::string_view::npos)
        return {};
    auto last = text.find_last_not_of(blanks);
    return text.substr(first, last - first + 1);
}

bool is_session_id(std::string_view text)
{
    return is_lower_hex(text, random_bits / 4);
}

} // namespace

SessionStore::SessionStore(TimeSource now, SessionLimits limits)
    : now_(std::move(now))
    , limits_(limits)
{
    assert(limits_.maximum_sessions > 0);
}

bool SessionStore::expired(const Session& session) const
{
    auto now = now_();
    return now - session.last_active >= limits_.idle || now - session.created >= limits_.absolute;
}

void SessionStore::drop_expired()
{
    std::erase_if(sessions_, [&](const auto& entry) { return expired(entry.second); });
}

Result<Session> SessionStore::create()
{
    auto id = random_hex();
    if (!id)
        return id.error();
    auto csrf_token = random_hex();
    if (!csrf_token)
        return csrf_token.error();
    drop_expired();
    while (sessions_.size() >= limits_.maximum_sessions) {
        auto stalest = std::min_element(
            sessions_.begin(), sessions_.end(), [](const auto& left, const auto& right) {
                return left.second.last_active < right.second.last_active;
            });
        sessions_.erase(stalest);
    }
    auto now = now_();
    Session session {*id, *csrf_token, now, now};
    sessions_.emplace(sha256(session.id), session);
    return session;
}

Result<Session> SessionStore::resume(std::string_view id)
{
    if (!is_session_id(id))
        return make_error_code(Errc::NoSession);
    auto found = sessions_.find(sha256(id));
    if (found == sessions_.end())
        return make_error_code(Errc::NoSession);
    if (expired(found->second)) {
        sessions_.erase(found);
        return make_error_code(Errc::SessionExpired);
    }
    found->second.last_active = now_();
    return found->second;
}

bool SessionStore::alive(std::string_view id)
{
    if (!is_session_id(id))
        return false;
    auto found = sessions_.find(sha256(id));
    if (found == sessions_.end())
        return false;
    if (expired(found->second)) {
        sessions_.erase(found);
        return false;
    }
    return true;
}

bool SessionStore::end(std::string_view id)
{
    return is_session_id(id) && sessions_.erase(sha256(id)) > 0;
}

void SessionStore::end_all()
{
    sessions_.clear();
}

std::string_view to_string(RequestKind kind)
{
    switch (kind) {
    case RequestKind::Safe:
        return "safe";
    case RequestKind::StateChanging:
        return "state-changing";
    }
    return "unknown";
}

RequestKind request_kind(std::string_view method)
{
    for (std::string_view safe : {"GET", "HEAD", "OPTIONS"})
        if (method == safe)
            return RequestKind::Safe;
    return RequestKind::StateChanging;
}

Result<void> check_csrf_token(const Session& session, std::string_view presented)
{
    if (session.csrf_token.empty() || !equal_in_constant_time(presented, session.csrf_token))
        return make_error_code(Errc::CsrfMismatch);
    return {};
}

std::string session_cookie(const Session& session, const SessionLimits& limits)
{
    return fmt::format("{}={}; Path=/; Max-Age={}; Secure; HttpOnly; SameSite=Strict",
        session_cookie_name, session.id, limits.absolute.count());
}

std::string cleared_session_cookie()
{
    return fmt::format(
        "{}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict", session_cookie_name);
}

Result<std::string> session_id_from_cookie_header(std::string_view header)
{
    bool seen_malformed = false;
    while (!header.empty()) {
        auto end = header.find(';');
        auto pair = trim(header.substr(0, end));
        header.remove_prefix(end == std::string_view::npos ? header.size() : end + 1);
        auto equals = pair.find('=');
        if (equals == std::string_view::npos || trim(pair.substr(0, equals)) != session_cookie_name)
            continue;
        auto value = trim(pair.substr(equals + 1));
        // RFC 6265 §4.1.1: a cookie-value may be in double quotes.
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        if (is_session_id(value))
            return std::string(value);
        seen_malformed = true;
    }
    return make_error_code(seen_malformed ? Errc::MalformedCookie : Errc::NoSession);
}

} // namespace uplink::auth
