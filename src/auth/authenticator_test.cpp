#include "auth/test_support.hpp"

namespace uplink::auth {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view lan_client = "192.168.1.100";
constexpr std::string_view stranger = "192.168.1.66";

class AuthAuthenticator : public testing::StateDirectory {
protected:
    Authenticator make()
    {
        return Authenticator(state_dir_, clock_.source(), {.kdf = testing::cheap_kdf});
    }

    // A router whose password is set, as after the first visit.
    Authenticator make_with_password(std::string_view password)
    {
        EXPECT_TRUE(PasswordStore(path_of(password_file_name), testing::cheap_kdf).set(password));
        auto authenticator = make();
        EXPECT_EQ(authenticator.start().value(), PasswordState::Set);
        return authenticator;
    }

    static std::string cookie_of(const Session& session)
    {
        return "__Host-uplink-session=" + session.id;
    }

    testing::ManualClock clock_;
};

TEST_F(AuthAuthenticator, TheFirstVisitNeedsTheSetupCodeAndUsesItOnce)
{
    auto authenticator = make();
    ASSERT_EQ(authenticator.start().value(), PasswordState::NotSet);
    auto code = authenticator.setup_code();
    ASSERT_TRUE(code);
    EXPECT_EQ(code->size(), 11u);
    EXPECT_EQ(authenticator.login(lan_client, "anything").error(), Errc::PasswordNotSet);

    // A stranger on the LAN without the code cannot claim the router.
    EXPECT_EQ(authenticator.set_first_password(stranger, "ABCDE-FGHJK", "mine now!").error(),
        Errc::WrongSetupCode);
    EXPECT_EQ(
        authenticator.set_first_password(stranger, "", "mine now!").error(), Errc::WrongSetupCode);
    EXPECT_EQ(authenticator.password_state().value(), PasswordState::NotSet);
    // A bad password does not spend the code.
    EXPECT_EQ(authenticator.set_first_password(lan_client, *code, "short").error(),
        Errc::PasswordTooShort);

    auto session = authenticator.set_first_password(lan_client, *code, "correct horse");
    ASSERT_TRUE(session);
    EXPECT_TRUE(authenticator.authorize(cookie_of(*session), "GET", ""));
    EXPECT_FALSE(authenticator.setup_code());
    EXPECT_EQ(authenticator.password_state().value(), PasswordState::Set);
    EXPECT_EQ(authenticator.set_first_password(stranger, *code, "mine now!").error(),
        Errc::PasswordAlreadySet);
    EXPECT_TRUE(authenticator.login(lan_client, "correct horse"));
    EXPECT_EQ(authenticator.login(lan_client, "mine now!").error(), Errc::WrongPassword);
}

TEST_F(AuthAuthenticator, NoCodeIsMadeOnceAPasswordIsSetOrBeforeStart)
{
    auto fresh = make();
    EXPECT_EQ(fresh.set_first_password(lan_client, "ABCDE-FGHJK", "correct horse").error(),
        Errc::NoSetupCode);
    auto configured = make_with_password("correct horse");
    EXPECT_FALSE(configured.setup_code());
}

TEST_F(AuthAuthenticator, EachStartOnAFreshRouterMakesANewCode)
{
    auto first = make();
    ASSERT_TRUE(first.start());
    auto second = make(); // uplinkd restarted before anyone set the password
    ASSERT_TRUE(second.start());
    ASSERT_TRUE(first.setup_code() && second.setup_code());
    EXPECT_NE(*first.setup_code(), *second.setup_code());
    EXPECT_EQ(second.set_first_password(lan_client, *first.setup_code(), "correct horse").error(),
        Errc::WrongSetupCode);
    EXPECT_TRUE(second.set_first_password(lan_client, *second.setup_code(), "correct horse"));
}

TEST_F(AuthAuthenticator, TheEleventhBadLoginInAMinuteIsThrottled)
{
    auto authenticator = make_with_password("correct horse");
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(authenticator.login(lan_client, fmt::format("guess {}", i)).error(),
            Errc::WrongPassword);
        clock_.advance(1s);
    }
    std::chrono::seconds retry_after {0};
    // Throttled even with the right password: the limiter answers before the password is checked.
    EXPECT_EQ(
        authenticator.login(lan_client, "correct horse", &retry_after).error(), Errc::Throttled);
    EXPECT_EQ(retry_after, 50s); // the first guess was at 0 s, it is now 10 s
    EXPECT_TRUE(authenticator.login("192.168.1.101", "correct horse")); // another client is not

    clock_.advance(49s);
    EXPECT_EQ(
        authenticator.login(lan_client, "correct horse", &retry_after).error(), Errc::Throttled);
    EXPECT_EQ(retry_after, 1s);
    clock_.advance(1s);
    EXPECT_TRUE(authenticator.login(lan_client, "correct horse"));
}

TEST_F(AuthAuthenticator, BadInputIsRefusedWithoutCountingAsAGuess)
{
    auto authenticator = make_with_password("correct horse");
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(authenticator.login(lan_client, "").error(), Errc::EmptyPassword);
        EXPECT_EQ(
            authenticator.login(lan_client, std::string(1025, 'x')).error(), Errc::PasswordTooLong);
    }
    EXPECT_TRUE(authenticator.login(lan_client, "correct horse"));
}

TEST_F(AuthAuthenticator, GuessingTheSetupCodeIsThrottledToo)
{
    auto authenticator = make();
    ASSERT_TRUE(authenticator.start());
    auto code = *authenticator.setup_code();
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(authenticator.set_first_password(stranger, "WRONG-CODE2", "mine now!").error(),
            Errc::WrongSetupCode);
    std::chrono::seconds retry_after {0};
    EXPECT_EQ(authenticator.set_first_password(stranger, code, "mine now!", &retry_after).error(),
        Errc::Throttled);
    EXPECT_EQ(retry_after, 60s);
    EXPECT_TRUE(authenticator.set_first_password(lan_client, code, "correct horse"));
}

TEST_F(AuthAuthenticator, ChangingThePasswordEndsEverySession)
{
    auto authenticator = make_with_password("correct horse");
    auto laptop = *authenticator.login(lan_client, "correct horse");
    auto phone = *authenticator.login("192.168.1.101", "correct horse");

    EXPECT_EQ(authenticator.change_password(lan_client, "wrong horse", "battery staple").error(),
        Errc::WrongPassword);
    EXPECT_EQ(authenticator.change_password(lan_client, "correct horse", "short").error(),
        Errc::PasswordTooShort);
    EXPECT_TRUE(authenticator.authorize(cookie_of(phone), "GET", "")); // nothing changed yet

    auto fresh = authenticator.change_password(lan_client, "correct horse", "battery staple");
    ASSERT_TRUE(fresh);
    EXPECT_EQ(authenticator.authorize(cookie_of(laptop), "GET", "").error(), Errc::NoSession);
    EXPECT_EQ(authenticator.authorize(cookie_of(phone), "GET", "").error(), Errc::NoSession);
    EXPECT_TRUE(authenticator.authorize(cookie_of(*fresh), "GET", ""));
    EXPECT_EQ(authenticator.sessions().size(), 1u);
    EXPECT_EQ(authenticator.login(lan_client, "correct horse").error(), Errc::WrongPassword);
    EXPECT_TRUE(authenticator.login(lan_client, "battery staple"));
}

TEST_F(AuthAuthenticator, AResetFromTheCommandLineEndsSessionsAndTheSetupCode)
{
    auto authenticator = make();
    ASSERT_TRUE(authenticator.start());
    auto code = *authenticator.setup_code();
    ASSERT_TRUE(authenticator.reset_password("correct horse"));
    EXPECT_FALSE(authenticator.setup_code());
    EXPECT_EQ(authenticator.set_first_password(stranger, code, "mine now!").error(),
        Errc::PasswordAlreadySet);
    auto session = *authenticator.login(lan_client, "correct horse");
    EXPECT_EQ(authenticator.reset_password("").error(), Errc::EmptyPassword);
    EXPECT_TRUE(authenticator.authorize(cookie_of(session), "GET", ""));
    ASSERT_TRUE(authenticator.reset_password("battery staple"));
    EXPECT_EQ(authenticator.authorize(cookie_of(session), "GET", "").error(), Errc::NoSession);
}

TEST_F(AuthAuthenticator, StateChangingRequestsNeedTheCsrfToken)
{
    auto authenticator = make_with_password("correct horse");
    auto session = *authenticator.login(lan_client, "correct horse");
    auto other = *authenticator.login(lan_client, "correct horse");
    auto cookie = "theme=dark; " + cookie_of(session);
    EXPECT_TRUE(authenticator.authorize(cookie, "GET", ""));
    EXPECT_TRUE(authenticator.authorize(cookie, "HEAD", ""));
    for (std::string_view method : {"POST", "PUT", "PATCH", "DELETE"}) {
        EXPECT_EQ(authenticator.authorize(cookie, method, "").error(), Errc::CsrfMismatch)
            << method;
        EXPECT_EQ(
            authenticator.authorize(cookie, method, other.csrf_token).error(), Errc::CsrfMismatch);
        auto authorized = authenticator.authorize(cookie, method, session.csrf_token);
        ASSERT_TRUE(authorized) << method;
        EXPECT_EQ(authorized->id, session.id);
    }
}

TEST_F(AuthAuthenticator, RequestsWithoutAGoodCookieAreRefused)
{
    auto authenticator = make_with_password("correct horse");
    EXPECT_EQ(authenticator.authorize("", "GET", "").error(), Errc::NoSession);
    EXPECT_EQ(authenticator.authorize("__Host-uplink-session=xyz", "GET", "").error(),
        Errc::MalformedCookie);
    EXPECT_EQ(
        authenticator.authorize("__Host-uplink-session=" + std::string(64, '0'), "GET", "").error(),
        Errc::NoSession);
}

TEST_F(AuthAuthenticator, LogoutAndExpiryEndSessions)
{
    auto authenticator = make_with_password("correct horse");
    auto session = *authenticator.login(lan_client, "correct horse");
    auto other = *authenticator.login(lan_client, "correct horse");
    EXPECT_TRUE(authenticator.logout(session.id));
    EXPECT_EQ(authenticator.authorize(cookie_of(session), "GET", "").error(), Errc::NoSession);
    EXPECT_TRUE(authenticator.authorize(cookie_of(other), "GET", ""));
    clock_.advance(30min);
    EXPECT_EQ(authenticator.authorize(cookie_of(other), "GET", "").error(), Errc::SessionExpired);
}

// A damaged password file must not reopen the first-run setup to whoever comes first.
TEST_F(AuthAuthenticator, ACorruptPasswordFileLocksEverythingAndOffersNoSetup)
{
    write(path_of(password_file_name), "$scrypt$garbage\n");
    auto authenticator = make();
    std::string problem;
    EXPECT_EQ(authenticator.start(&problem).error(), Errc::PasswordFileCorrupt);
    EXPECT_NE(problem.find("admin-password"), std::string::npos) << problem;
    EXPECT_FALSE(authenticator.setup_code());
    EXPECT_EQ(authenticator.login(lan_client, "correct horse").error(), Errc::PasswordFileCorrupt);
    EXPECT_EQ(authenticator.set_first_password(lan_client, "ABCDE-FGHJK", "correct horse").error(),
        Errc::PasswordFileCorrupt);
    EXPECT_EQ(authenticator.change_password(lan_client, "a", "correct horse").error(),
        Errc::PasswordFileCorrupt);
    // The owner mends it with `uplink passwd`.
    ASSERT_TRUE(authenticator.reset_password("correct horse"));
    EXPECT_TRUE(authenticator.login(lan_client, "correct horse"));
}

} // namespace
} // namespace uplink::auth
