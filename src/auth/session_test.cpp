#include "auth/test_support.hpp"

#include <regex>

namespace uplink::auth {
namespace {

using namespace std::chrono_literals;

const std::regex hex256("[0-9a-f]{64}");

TEST(AuthSessions, AreRandom256BitIdsWithTheirOwnCsrfToken)
{
    testing::ManualClock clock;
    SessionStore store(clock.source());
    auto first = store.create();
    auto second = store.create();
    ASSERT_TRUE(first && second);
    EXPECT_TRUE(std::regex_match(first->id, hex256)) << first->id;
    EXPECT_TRUE(std::regex_match(first->csrf_token, hex256)) << first->csrf_token;
    EXPECT_NE(first->id, second->id);
    EXPECT_NE(first->csrf_token, second->csrf_token);
    EXPECT_NE(first->id, first->csrf_token);
    EXPECT_EQ(store.size(), 2u);

    auto resumed = store.resume(first->id);
    ASSERT_TRUE(resumed);
    EXPECT_EQ(resumed->csrf_token, first->csrf_token);
    EXPECT_EQ(store.resume(std::string(64, 'a')).error(), Errc::NoSession);
    EXPECT_EQ(store.resume("").error(), Errc::NoSession);
    EXPECT_EQ(store.resume(first->id.substr(1)).error(), Errc::NoSession);
}

TEST(AuthSessions, EndAfterThirtyIdleMinutesAndActivityKeepsThemAlive)
{
    testing::ManualClock clock;
    SessionStore store(clock.source());
    auto session = *store.create();
    clock.advance(29min + 59s);
    ASSERT_TRUE(store.resume(session.id));
    clock.advance(29min + 59s); // the idle timer started again at the last request
    ASSERT_TRUE(store.resume(session.id));
    clock.advance(30min);
    EXPECT_EQ(store.resume(session.id).error(), Errc::SessionExpired);
    EXPECT_EQ(store.resume(session.id).error(), Errc::NoSession); // and it is gone
    EXPECT_EQ(store.size(), 0u);
}

TEST(AuthSessions, EndAfterTwelveHoursHoweverActive)
{
    testing::ManualClock clock;
    SessionStore store(clock.source());
    auto session = *store.create();
    for (int i = 0; i < 71; ++i) { // every 10 minutes for 11 h 50 min
        clock.advance(10min);
        ASSERT_TRUE(store.resume(session.id)) << i;
    }
    clock.advance(9min + 59s);
    ASSERT_TRUE(store.resume(session.id));
    clock.advance(1s);
    EXPECT_EQ(store.resume(session.id).error(), Errc::SessionExpired);
}

TEST(AuthSessions, LifetimesAreConfigurable)
{
    testing::ManualClock clock;
    SessionStore store(clock.source(), {.idle = 5min, .absolute = 20min, .maximum_sessions = 4});
    auto idle = *store.create();
    clock.advance(5min);
    EXPECT_EQ(store.resume(idle.id).error(), Errc::SessionExpired);
    auto busy = *store.create();
    for (int i = 0; i < 4; ++i) {
        clock.advance(4min);
        ASSERT_TRUE(store.resume(busy.id));
    }
    clock.advance(4min); // 20 minutes old
    EXPECT_EQ(store.resume(busy.id).error(), Errc::SessionExpired);
}

TEST(AuthSessions, LogoutEndsOneSessionAndEndAllEndsEvery)
{
    testing::ManualClock clock;
    SessionStore store(clock.source());
    auto first = *store.create();
    auto second = *store.create();
    auto third = *store.create();
    EXPECT_TRUE(store.end(first.id));
    EXPECT_FALSE(store.end(first.id));
    EXPECT_FALSE(store.end("not an id"));
    EXPECT_EQ(store.resume(first.id).error(), Errc::NoSession);
    EXPECT_TRUE(store.resume(second.id));
    store.end_all();
    EXPECT_EQ(store.resume(second.id).error(), Errc::NoSession);
    EXPECT_EQ(store.resume(third.id).error(), Errc::NoSession);
    EXPECT_EQ(store.size(), 0u);
}

TEST(AuthSessions, TheLeastRecentlyUsedMakesRoomWhenFull)
{
    testing::ManualClock clock;
    SessionStore store(clock.source(), {.maximum_sessions = 3});
    auto oldest = *store.create();
    clock.advance(1s);
    auto middle = *store.create();
    clock.advance(1s);
    auto newest = *store.create();
    clock.advance(1s);
    ASSERT_TRUE(store.resume(oldest.id)); // now the middle one is the least recently used
    auto fourth = *store.create();
    EXPECT_EQ(store.size(), 3u);
    EXPECT_TRUE(store.resume(oldest.id));
    EXPECT_EQ(store.resume(middle.id).error(), Errc::NoSession);
    EXPECT_TRUE(store.resume(newest.id));
    EXPECT_TRUE(store.resume(fourth.id));
}

TEST(AuthCsrf, OnlyThisSessionsTokenPasses)
{
    testing::ManualClock clock;
    SessionStore store(clock.source());
    auto session = *store.create();
    auto other = *store.create();
    EXPECT_TRUE(check_csrf_token(session, session.csrf_token));
    EXPECT_EQ(check_csrf_token(session, other.csrf_token).error(), Errc::CsrfMismatch);
    EXPECT_EQ(check_csrf_token(session, "").error(), Errc::CsrfMismatch);
    EXPECT_EQ(
        check_csrf_token(session, session.csrf_token.substr(0, 63)).error(), Errc::CsrfMismatch);
    EXPECT_EQ(check_csrf_token(session, session.csrf_token + "0").error(), Errc::CsrfMismatch);
    EXPECT_EQ(check_csrf_token(session, session.id).error(), Errc::CsrfMismatch);
    Session without_token = session;
    without_token.csrf_token.clear();
    EXPECT_EQ(check_csrf_token(without_token, "").error(), Errc::CsrfMismatch);
}

TEST(AuthCsrf, SafeMethodsAreTheOnlyOnesWithoutAToken)
{
    EXPECT_EQ(to_string(RequestKind::Safe), "safe");
    EXPECT_EQ(to_string(RequestKind::StateChanging), "state-changing");
    for (std::string_view method : {"GET", "HEAD", "OPTIONS"})
        EXPECT_EQ(request_kind(method), RequestKind::Safe) << method;
    for (std::string_view method :
        {"POST", "PUT", "PATCH", "DELETE", "get", "TRACE", "", "CONNECT"})
        EXPECT_EQ(request_kind(method), RequestKind::StateChanging) << method;
}

TEST(AuthCookies, SetCookieCarriesEveryAttribute)
{
    Session session {std::string(64, 'a'), std::string(64, 'b'), {}, {}};
    EXPECT_EQ(session_cookie(session, {}),
        "__Host-uplink-session=" + std::string(64, 'a')
            + "; Path=/; Max-Age=43200; Secure; HttpOnly; SameSite=Strict");
    EXPECT_NE(session_cookie(session, {.absolute = 2h}).find("; Max-Age=7200;"), std::string::npos);
    EXPECT_EQ(cleared_session_cookie(),
        "__Host-uplink-session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
}

TEST(AuthCookies, TheSessionIdIsFoundAmongOtherCookies)
{
    std::string id(64, 'c');
    const std::string headers[] = {
        "__Host-uplink-session=" + id,
        "theme=dark; __Host-uplink-session=" + id + "; lang=en",
        "theme=dark;__Host-uplink-session=" + id + ";lang=en",
        "  __Host-uplink-session = " + id + " ;",
        "\t__Host-uplink-session=\"" + id + "\"",
        "junk; ;; =; ==; __Host-uplink-session=" + id,
        "__Host-uplink-session=short; __Host-uplink-session=" + id, // the first good one counts
        "__Host-uplink-session=" + id + "; __Host-uplink-session=" + std::string(64, 'd'),
    };
    for (const auto& header : headers) {
        auto found = session_id_from_cookie_header(header);
        ASSERT_TRUE(found) << header;
        EXPECT_EQ(*found, id) << header;
    }
}

TEST(AuthCookies, MissingOrMalformedIdsAreErrors)
{
    const std::pair<std::string, Errc> cases[] = {
        {"", Errc::NoSession},
        {";;;", Errc::NoSession},
        {"theme=dark", Errc::NoSession},
        {"uplink-session=" + std::string(64, 'a'), Errc::NoSession},
        {"x__Host-uplink-session=" + std::string(64, 'a'), Errc::NoSession},
        {"__host-uplink-session=" + std::string(64, 'a'), Errc::NoSession}, // names are exact
        {"__Host-uplink-session", Errc::NoSession},
        {"__Host-uplink-session=", Errc::MalformedCookie},
        {"__Host-uplink-session=" + std::string(63, 'a'), Errc::MalformedCookie},
        {"__Host-uplink-session=" + std::string(65, 'a'), Errc::MalformedCookie},
        {"__Host-uplink-session=" + std::string(64, 'A'), Errc::MalformedCookie},
        {"__Host-uplink-session=" + std::string(64, 'g'), Errc::MalformedCookie},
        {"__Host-uplink-session=\"" + std::string(64, 'a'), Errc::MalformedCookie},
        {"__Host-uplink-session=" + std::string(32, 'a') + " " + std::string(31, 'a'),
            Errc::MalformedCookie},
        {"__Host-uplink-session=" + std::string(64, 'a') + "\r\nX: y", Errc::MalformedCookie},
        {std::string("__Host-uplink-session=\0", 23) + std::string(63, 'a'), Errc::MalformedCookie},
    };
    for (const auto& [header, expected] : cases) {
        auto found = session_id_from_cookie_header(header);
        ASSERT_FALSE(found) << header;
        EXPECT_EQ(found.error(), expected) << header;
    }
}

// Every prefix and every single-byte change of a good header parses without a crash, and
// never yields anything but the real id.
TEST(AuthCookies, DamagedHeadersNeverYieldAWrongId)
{
    std::string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    std::string header = "a=b; __Host-uplink-session=\"" + id + "\"; c=d";
    for (std::size_t size = 0; size <= header.size(); ++size) {
        auto found = session_id_from_cookie_header(header.substr(0, size));
        if (found) {
            EXPECT_EQ(*found, id);
        }
    }
    for (std::size_t at = 0; at < header.size(); ++at)
        for (int value : {0, int(';'), int('='), int('"'), int(' '), 0xff}) {
            auto damaged = header;
            damaged[at] = static_cast<char>(value);
            auto found = session_id_from_cookie_header(damaged);
            if (found) {
                EXPECT_EQ(*found, id) << damaged;
            }
        }
}

} // namespace
} // namespace uplink::auth
