#include "auth/test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

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
        EXPECT_TRUE(PasswordStore(path_of(password_file_name))
                        .store(hash_password(password, testing::cheap_kdf).value()));
        auto authenticator = make();
        EXPECT_EQ(authenticator.start().value(), PasswordState::Set);
        return authenticator;
    }

    // Each operation's three steps on this thread, as uplinkd takes them with a worker between.
    static Result<std::optional<Session>> run(
        Authenticator& authenticator, Result<PasswordOperation> begun)
    {
        if (!begun)
            return begun.error();
        auto outcome = run_kdf(begun->work());
        return authenticator.finish(std::move(*begun), std::move(outcome));
    }
    static Result<Session> logged_in(Result<std::optional<Session>> finished)
    {
        if (!finished)
            return finished.error();
        EXPECT_TRUE(*finished) << "no session";
        return finished->value();
    }
    static Result<Session> set_first_password(Authenticator& authenticator, std::string_view client,
        std::string_view code, std::string_view password,
        std::chrono::seconds* retry_after = nullptr)
    {
        return logged_in(run(authenticator,
            authenticator.begin_first_password(client, code, password, retry_after)));
    }
    static Result<Session> login(Authenticator& authenticator, std::string_view client,
        std::string_view password, std::chrono::seconds* retry_after = nullptr)
    {
        return logged_in(
            run(authenticator, authenticator.begin_login(client, password, retry_after)));
    }
    static Result<Session> change_password(Authenticator& authenticator, std::string_view client,
        std::string_view current, std::string_view replacement)
    {
        return logged_in(
            run(authenticator, authenticator.begin_change_password(client, current, replacement)));
    }
    static Result<void> reset_password(Authenticator& authenticator, std::string_view replacement)
    {
        auto finished = run(authenticator, authenticator.begin_reset_password(replacement));
        if (!finished)
            return finished.error();
        EXPECT_FALSE(*finished) << "a reset logs nobody in";
        return {};
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
    EXPECT_EQ(login(authenticator, lan_client, "anything").error(), Errc::PasswordNotSet);

    // A stranger on the LAN without the code cannot claim the router.
    EXPECT_EQ(set_first_password(authenticator, stranger, "ABCDE-FGHJK", "mine now!").error(),
        Errc::WrongSetupCode);
    EXPECT_EQ(
        set_first_password(authenticator, stranger, "", "mine now!").error(), Errc::WrongSetupCode);
    EXPECT_EQ(authenticator.password_state().value(), PasswordState::NotSet);
    // A bad password does not spend the code.
    EXPECT_EQ(set_first_password(authenticator, lan_client, *code, "short").error(),
        Errc::PasswordTooShort);

    auto session = set_first_password(authenticator, lan_client, *code, "correct horse");
    ASSERT_TRUE(session);
    EXPECT_TRUE(authenticator.authorize(cookie_of(*session), "GET", ""));
    EXPECT_FALSE(authenticator.setup_code());
    EXPECT_EQ(authenticator.password_state().value(), PasswordState::Set);
    EXPECT_EQ(set_first_password(authenticator, stranger, *code, "mine now!").error(),
        Errc::PasswordAlreadySet);
    EXPECT_TRUE(login(authenticator, lan_client, "correct horse"));
    EXPECT_EQ(login(authenticator, lan_client, "mine now!").error(), Errc::WrongPassword);
}

// A code is good for an hour; then it is refused, and the new one (which uplinkd logs) works.
TEST_F(AuthAuthenticator, TheSetupCodeExpiresAfterAnHourAndANewOneIsMade)
{
    auto authenticator = make();
    ASSERT_EQ(authenticator.start().value(), PasswordState::NotSet);
    auto first = *authenticator.setup_code();
    clock_.advance(59min);
    EXPECT_FALSE(*authenticator.renew_expired_setup_code());
    EXPECT_EQ(authenticator.setup_code(), first);
    clock_.advance(1min);
    EXPECT_FALSE(authenticator.setup_code());
    EXPECT_EQ(set_first_password(authenticator, lan_client, first, "correct horse").error(), Errc::NoSetupCode);
    auto renewed = authenticator.renew_expired_setup_code();
    ASSERT_TRUE(renewed && *renewed);
    EXPECT_NE(**renewed, first);
    EXPECT_EQ(authenticator.setup_code(), **renewed);
    EXPECT_EQ(set_first_password(authenticator, lan_client, first, "correct horse").error(), Errc::WrongSetupCode);
    EXPECT_TRUE(set_first_password(authenticator, lan_client, **renewed, "correct horse"));
    EXPECT_FALSE(*authenticator.renew_expired_setup_code());   // spent: nothing to renew
}

// Root's `uplink passwd` during a flood of logins: it finds a KDF running, and the next turn is
// its own; a login that comes meanwhile is Busy, until the reset has run or its turn lapses.
TEST_F(AuthAuthenticator, AResetTakesTheNextTurnFromALoginFlood)
{
    auto authenticator = make_with_password("correct horse");
    auto flooding = authenticator.begin_login(stranger, "guess 1");
    ASSERT_TRUE(flooding);
    EXPECT_EQ(authenticator.begin_reset_password("a new password").error(), Errc::Busy);
    EXPECT_EQ(run(authenticator, std::move(flooding)).error(), Errc::WrongPassword);
    EXPECT_EQ(authenticator.begin_login(stranger, "guess 2").error(), Errc::Busy);   // the reset's turn
    EXPECT_EQ(authenticator.begin_login(lan_client, "correct horse").error(), Errc::Busy);
    ASSERT_TRUE(reset_password(authenticator, "a new password"));
    EXPECT_TRUE(login(authenticator, lan_client, "a new password"));   // the turn is over

    // A reset that never came back: its turn lapses, and logins go on.
    auto again = authenticator.begin_login(stranger, "guess 3");
    ASSERT_TRUE(again);
    EXPECT_EQ(authenticator.begin_reset_password("never finished").error(), Errc::Busy);
    EXPECT_EQ(run(authenticator, std::move(again)).error(), Errc::WrongPassword);
    clock_.advance(Authenticator::reset_reservation);
    EXPECT_TRUE(login(authenticator, lan_client, "a new password"));
}

TEST_F(AuthAuthenticator, NoCodeIsMadeOnceAPasswordIsSetOrBeforeStart)
{
    auto fresh = make();
    EXPECT_EQ(set_first_password(fresh, lan_client, "ABCDE-FGHJK", "correct horse").error(),
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
    EXPECT_EQ(set_first_password(second, lan_client, *first.setup_code(), "correct horse").error(),
        Errc::WrongSetupCode);
    EXPECT_TRUE(set_first_password(second, lan_client, *second.setup_code(), "correct horse"));
}

TEST_F(AuthAuthenticator, TheEleventhBadLoginInAMinuteIsThrottled)
{
    auto authenticator = make_with_password("correct horse");
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(login(authenticator, lan_client, fmt::format("guess {}", i)).error(),
            Errc::WrongPassword);
        clock_.advance(1s);
    }
    std::chrono::seconds retry_after {0};
    // Throttled even with the right password: the limiter answers before the password is checked.
    EXPECT_EQ(
        login(authenticator, lan_client, "correct horse", &retry_after).error(), Errc::Throttled);
    EXPECT_EQ(retry_after, 50s); // the first guess was at 0 s, it is now 10 s
    EXPECT_TRUE(login(authenticator, "192.168.1.101", "correct horse")); // another client is not

    clock_.advance(49s);
    EXPECT_EQ(
        login(authenticator, lan_client, "correct horse", &retry_after).error(), Errc::Throttled);
    EXPECT_EQ(retry_after, 1s);
    clock_.advance(1s);
    EXPECT_TRUE(login(authenticator, lan_client, "correct horse"));
}

TEST_F(AuthAuthenticator, BadInputIsRefusedWithoutCountingAsAGuess)
{
    auto authenticator = make_with_password("correct horse");
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(login(authenticator, lan_client, "").error(), Errc::EmptyPassword);
        EXPECT_EQ(login(authenticator, lan_client, std::string(1025, 'x')).error(),
            Errc::PasswordTooLong);
    }
    EXPECT_TRUE(login(authenticator, lan_client, "correct horse"));
}

TEST_F(AuthAuthenticator, GuessingTheSetupCodeIsThrottledToo)
{
    auto authenticator = make();
    ASSERT_TRUE(authenticator.start());
    auto code = *authenticator.setup_code();
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(set_first_password(authenticator, stranger, "WRONG-CODE2", "mine now!").error(),
            Errc::WrongSetupCode);
    std::chrono::seconds retry_after {0};
    EXPECT_EQ(set_first_password(authenticator, stranger, code, "mine now!", &retry_after).error(),
        Errc::Throttled);
    EXPECT_EQ(retry_after, 60s);
    EXPECT_TRUE(set_first_password(authenticator, lan_client, code, "correct horse"));
}

TEST_F(AuthAuthenticator, ChangingThePasswordEndsEverySession)
{
    auto authenticator = make_with_password("correct horse");
    auto laptop = *login(authenticator, lan_client, "correct horse");
    auto phone = *login(authenticator, "192.168.1.101", "correct horse");

    EXPECT_EQ(change_password(authenticator, lan_client, "wrong horse", "battery staple").error(),
        Errc::WrongPassword);
    EXPECT_EQ(change_password(authenticator, lan_client, "correct horse", "short").error(),
        Errc::PasswordTooShort);
    EXPECT_TRUE(authenticator.authorize(cookie_of(phone), "GET", "")); // nothing changed yet

    auto fresh = change_password(authenticator, lan_client, "correct horse", "battery staple");
    ASSERT_TRUE(fresh);
    EXPECT_EQ(authenticator.authorize(cookie_of(laptop), "GET", "").error(), Errc::NoSession);
    EXPECT_EQ(authenticator.authorize(cookie_of(phone), "GET", "").error(), Errc::NoSession);
    EXPECT_TRUE(authenticator.authorize(cookie_of(*fresh), "GET", ""));
    EXPECT_EQ(authenticator.sessions().size(), 1u);
    EXPECT_EQ(login(authenticator, lan_client, "correct horse").error(), Errc::WrongPassword);
    EXPECT_TRUE(login(authenticator, lan_client, "battery staple"));
}

// Making an API token asks the logged-in admin for the password again: a check like a login's
// (a wrong one is a failed login, the eleventh in a minute is throttled) that changes nothing.
TEST_F(AuthAuthenticator, AConfirmationIsCheckedAndThrottledAsALoginAndLogsNobodyIn)
{
    auto authenticator = make_with_password("correct horse");
    auto session = *login(authenticator, lan_client, "correct horse");
    auto confirm = [&](std::string_view client, std::string_view password,
                       std::chrono::seconds* retry_after = nullptr) {
        return run(authenticator, authenticator.begin_confirm_password(client, password, retry_after));
    };

    auto confirmed = confirm(lan_client, "correct horse");
    ASSERT_TRUE(confirmed);
    EXPECT_FALSE(*confirmed) << "a confirmation made a session";
    EXPECT_EQ(authenticator.sessions().size(), 1u);
    EXPECT_TRUE(authenticator.authorize(cookie_of(session), "GET", ""));
    EXPECT_EQ(confirm(lan_client, "").error(), Errc::EmptyPassword);

    for (int attempt = 1; attempt <= 10; ++attempt)
        EXPECT_EQ(confirm(lan_client, "wrong horse").error(), Errc::WrongPassword) << attempt;
    std::chrono::seconds retry_after {};
    EXPECT_EQ(confirm(lan_client, "correct horse", &retry_after).error(), Errc::Throttled);
    EXPECT_GE(retry_after, 1s);
    // The same count as logins: this client's login waits too, another's does not.
    EXPECT_EQ(login(authenticator, lan_client, "correct horse").error(), Errc::Throttled);
    EXPECT_TRUE(confirm(stranger, "correct horse"));
    EXPECT_TRUE(authenticator.authorize(cookie_of(session), "GET", ""));
}

TEST_F(AuthAuthenticator, AResetFromTheCommandLineEndsSessionsAndTheSetupCode)
{
    auto authenticator = make();
    ASSERT_TRUE(authenticator.start());
    auto code = *authenticator.setup_code();
    ASSERT_TRUE(reset_password(authenticator, "correct horse"));
    EXPECT_FALSE(authenticator.setup_code());
    EXPECT_EQ(set_first_password(authenticator, stranger, code, "mine now!").error(),
        Errc::PasswordAlreadySet);
    auto session = *login(authenticator, lan_client, "correct horse");
    EXPECT_EQ(reset_password(authenticator, "").error(), Errc::EmptyPassword);
    EXPECT_TRUE(authenticator.authorize(cookie_of(session), "GET", ""));
    ASSERT_TRUE(reset_password(authenticator, "battery staple"));
    EXPECT_EQ(authenticator.authorize(cookie_of(session), "GET", "").error(), Errc::NoSession);
}

TEST_F(AuthAuthenticator, StateChangingRequestsNeedTheCsrfToken)
{
    auto authenticator = make_with_password("correct horse");
    auto session = *login(authenticator, lan_client, "correct horse");
    auto other = *login(authenticator, lan_client, "correct horse");
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
    auto session = *login(authenticator, lan_client, "correct horse");
    auto other = *login(authenticator, lan_client, "correct horse");
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
    EXPECT_EQ(login(authenticator, lan_client, "correct horse").error(), Errc::PasswordFileCorrupt);
    EXPECT_EQ(set_first_password(authenticator, lan_client, "ABCDE-FGHJK", "correct horse").error(),
        Errc::PasswordFileCorrupt);
    EXPECT_EQ(change_password(authenticator, lan_client, "a", "correct horse").error(),
        Errc::PasswordFileCorrupt);
    // The owner mends it with `uplink passwd`.
    ASSERT_TRUE(reset_password(authenticator, "correct horse"));
    EXPECT_TRUE(login(authenticator, lan_client, "correct horse"));
}

// ---------------------------------------------------------------- the KDF, off the loop
// uplinkd runs the KDF on a worker: begin (rules, limiter), run_kdf (elsewhere), finish (records).
TEST_F(AuthAuthenticator, ALoginIsAdmittedThenCheckedElsewhereThenRecorded)
{
    auto authenticator = make_with_password("correct horse");
    // The operation holds copies: the caller's strings may be gone before the KDF runs.
    auto begun = [&] {
        std::string password = "wrong horse";
        return authenticator.begin_login(lan_client, password);
    }();
    ASSERT_TRUE(begun);
    EXPECT_EQ(begun->work().presented, "wrong horse");
    EXPECT_EQ(*begun->work().stored_line + "\n", contents(path_of(password_file_name)));
    EXPECT_FALSE(begun->work().replacement);
    auto outcome = run_kdf(begun->work());
    EXPECT_EQ(outcome.check.error(), Errc::WrongPassword);
    // Nothing is recorded until finish(): the limiter has not seen the failure yet.
    EXPECT_EQ(authenticator.limiter().tracked_addresses(), 0u);
    EXPECT_EQ(
        authenticator.finish(std::move(*begun), std::move(outcome)).error(), Errc::WrongPassword);
    EXPECT_EQ(authenticator.limiter().tracked_addresses(), 1u);

    // The limiter still counts every failure, and throttles before any KDF work is begun.
    for (int i = 1; i < 10; ++i)
        EXPECT_EQ(login(authenticator, lan_client, "wrong horse").error(), Errc::WrongPassword);
    std::chrono::seconds retry_after {0};
    EXPECT_EQ(authenticator.begin_login(lan_client, "correct horse", &retry_after).error(),
        Errc::Throttled);
    EXPECT_EQ(retry_after, 60s);
}

TEST_F(AuthAuthenticator, OnePasswordOperationAtATime)
{
    auto authenticator = make_with_password("correct horse");
    auto first = authenticator.begin_login(lan_client, "correct horse");
    ASSERT_TRUE(first);

    std::chrono::seconds retry_after {0};
    EXPECT_EQ(
        authenticator.begin_login(stranger, "correct horse", &retry_after).error(), Errc::Busy);
    EXPECT_EQ(retry_after, 1s);
    EXPECT_EQ(
        authenticator.begin_change_password(stranger, "correct horse", "battery staple").error(),
        Errc::Busy);
    EXPECT_EQ(authenticator.begin_reset_password("battery staple").error(), Errc::Busy);
    // An answer that needs no KDF still comes at once.
    EXPECT_EQ(authenticator.begin_login(stranger, "").error(), Errc::EmptyPassword);
    EXPECT_EQ(authenticator.begin_first_password(stranger, "ABCDE-FGHJK", "mine now!").error(),
        Errc::PasswordAlreadySet);
    // Busy is no failed guess: the limiter counted nothing.
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(authenticator.begin_login(stranger, "guess").error(), Errc::Busy);
    EXPECT_EQ(authenticator.limiter().tracked_addresses(), 0u);

    auto outcome = run_kdf(first->work());
    ASSERT_TRUE(authenticator.finish(std::move(*first), std::move(outcome)).value());
    // The reset above reserved the next turn and never came back for it: the turn lapses.
    EXPECT_EQ(authenticator.begin_login(stranger, "correct horse").error(), Errc::Busy);
    clock_.advance(Authenticator::reset_reservation);
    EXPECT_TRUE(login(authenticator, stranger, "correct horse"));

    // An operation dropped unfinished (an exception, a stopped server) frees the next one.
    {
        auto dropped = authenticator.begin_login(lan_client, "correct horse");
        ASSERT_TRUE(dropped);
        EXPECT_EQ(authenticator.begin_login(stranger, "correct horse").error(), Errc::Busy);
    }
    EXPECT_TRUE(login(authenticator, stranger, "correct horse"));
}

// The setup code is checked when the operation begins and spent only once the password is stored.
TEST_F(AuthAuthenticator, TheSetupCodeIsSpentWhenTheFirstPasswordIsStored)
{
    auto authenticator = make();
    ASSERT_TRUE(authenticator.start());
    auto code = *authenticator.setup_code();
    auto begun = authenticator.begin_first_password(lan_client, code, "correct horse");
    ASSERT_TRUE(begun);
    EXPECT_FALSE(begun->work().stored_line);
    EXPECT_EQ(begun->work().replacement, "correct horse");
    EXPECT_EQ(authenticator.setup_code(), code);
    EXPECT_EQ(authenticator.begin_first_password(stranger, code, "mine now!").error(), Errc::Busy);
    auto outcome = run_kdf(begun->work());
    ASSERT_TRUE(authenticator.finish(std::move(*begun), std::move(outcome)));
    EXPECT_FALSE(authenticator.setup_code());
    EXPECT_EQ(set_first_password(authenticator, stranger, code, "mine now!").error(),
        Errc::PasswordAlreadySet);
}

namespace asio = boost::asio;

// complete(): the KDF on the worker's executor, the outcome recorded back on the loop. Two
// io_contexts that the test runs by hand stand for uplinkd's loop and its worker thread, so the
// order of events is fixed.
TEST_F(AuthAuthenticator, TheKdfRunsOnTheWorkerWhileTheLoopGoesOn)
{
    auto authenticator = make_with_password("correct horse");
    asio::io_context loop, worker;
    auto begun = authenticator.begin_login(lan_client, "correct horse");
    ASSERT_TRUE(begun);
    std::optional<Result<std::optional<Session>>> finished;
    asio::co_spawn(loop, complete(authenticator, std::move(*begun), worker.get_executor()),
        [&](std::exception_ptr exception, Result<std::optional<Session>> result) {
            EXPECT_FALSE(exception);
            finished = std::move(result);
        });
    loop.poll(); // the login is waiting for the worker
    EXPECT_FALSE(finished);

    // Meanwhile the loop serves others; another password check is told to wait.
    bool served = false;
    asio::post(loop, [&] { served = true; });
    loop.poll();
    EXPECT_TRUE(served);
    EXPECT_FALSE(finished);
    EXPECT_EQ(authenticator.begin_login(stranger, "correct horse").error(), Errc::Busy);

    EXPECT_GT(worker.poll(), 0u); // the KDF
    EXPECT_FALSE(finished); // recorded on the loop, not on the worker
    EXPECT_EQ(authenticator.sessions().size(), 0u);
    loop.poll();
    ASSERT_TRUE(finished);
    ASSERT_TRUE(*finished);
    ASSERT_TRUE(**finished);
    EXPECT_TRUE(authenticator.authorize(cookie_of(***finished), "GET", ""));
    EXPECT_TRUE(login(authenticator, stranger, "correct horse"));
}

// uplinkd stopping while a KDF waits for the worker: the operation is dropped, nothing recorded.
TEST_F(AuthAuthenticator, AKdfThatNeverRunsRecordsNothingAndFreesTheNext)
{
    auto authenticator = make_with_password("correct horse");
    asio::io_context loop;
    auto worker = std::make_unique<asio::io_context>();
    bool finished = false;
    asio::co_spawn(loop,
        complete(authenticator, authenticator.begin_login(lan_client, "wrong horse").value(),
            worker->get_executor()),
        [&](std::exception_ptr, Result<std::optional<Session>>) { finished = true; });
    loop.poll();
    EXPECT_EQ(authenticator.begin_login(stranger, "correct horse").error(), Errc::Busy);
    worker.reset(); // its queued KDF goes with it, and the login waiting for it
    loop.poll();
    EXPECT_FALSE(finished);
    EXPECT_EQ(authenticator.limiter().tracked_addresses(), 0u);
    EXPECT_TRUE(login(authenticator, stranger, "correct horse"));
}

} // namespace
} // namespace uplink::auth
