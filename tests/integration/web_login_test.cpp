// Logging in to uplinkd's HTTPS server: no default password (a setup code, or `uplink passwd`),
// the session cookie and its CSRF token, throttled guesses, API tokens for scripts, and the
// password's KDF on a worker thread so that a login never stalls the server.
#include "web_fixture.hpp"

#include <thread>

namespace uplink::testing {
namespace {

TEST_F(WebTest, EveryApiCallButTheLoginNeedsIt)
{
    start({.log_in = false});
    auto [status, body] = fetch({url("/api/v1/session")}, Credentials::None);
    ASSERT_EQ(status, 200) << body;
    EXPECT_EQ(json::parse(body), json::parse(R"({"password_set":false,"logged_in":false,"csrf_token":null})"));
    for (auto path : {"/api/v1/status", "/api/v1/modems", "/api/v1/modems/1-1", "/api/v1/tokens", "/api/v1/nothing"}) {
        auto [refused, reason] = fetch({url(path)}, Credentials::None);
        EXPECT_EQ(refused, 401) << path << ": " << reason;
    }
    auto [at, at_body] = fetch({"-H", "Content-Type: application/json", "--data", R"({"command":"AT+CGMM"})",
                                url("/api/v1/modems/1-1/at")}, Credentials::None);
    EXPECT_EQ(at, 401) << at_body;
    // A made-up session cookie is no better.
    auto [forged, forged_body] = fetch({"-H", "Cookie: __Host-uplink-session=" + std::string(64, 'a'),
                                        url("/api/v1/status")}, Credentials::None);
    EXPECT_EQ(forged, 401) << forged_body;
}

// No default password: the first visit needs the code uplinkd printed, then it is a login.
TEST_F(WebTest, TheFirstVisitSetsThePasswordWithTheSetupCode)
{
    start({.log_in = false});
    auto log = daemon_->process().errors();
    auto at = log.find("setup code ");
    ASSERT_NE(at, std::string::npos) << log;
    auto code = log.substr(at + 11, 11);   // "ABCDE-FGHJK"
    auto setup = [&](std::string_view entered, std::string_view password) {   // the cookie into the jar
        return fetch({"-c", jar().string(), "-H", "Content-Type: application/json", "--data",
                      fmt::format(R"({{"setup_code":"{}","password":"{}"}})", entered, password), url("/api/v1/setup")},
                     Credentials::None);
    };
    EXPECT_EQ(setup("AAAAA-AAAAA", admin_password).first, 403);
    EXPECT_EQ(setup(code, "short").first, 400);
    EXPECT_EQ(fetch({"-X", "POST", url("/api/v1/login")}, Credentials::None).first, 415);   // no JSON body
    auto [status, body] = setup(code, admin_password);
    ASSERT_EQ(status, 200) << body;
    csrf_token_ = text(json::parse(body), "csrf_token");
    EXPECT_EQ(csrf_token_.size(), 64u);
    auto [done, done_body] = fetch({url("/api/v1/status")});
    EXPECT_EQ(done, 200) << done_body;
    auto session = json::parse(fetch({url("/api/v1/session")}).second);
    EXPECT_EQ(session.at("password_set"), true);
    EXPECT_EQ(session.at("logged_in"), true);
    EXPECT_EQ(text(session, "csrf_token"), csrf_token_);
    EXPECT_EQ(setup(code, "another password").first, 409);   // once only
}

TEST_F(WebTest, TheCookieIsForThisSiteOverHttpsAlone)
{
    start({.log_in = false});
    set_password_with_cli(admin_password);
    auto result = curl({"-D", "-", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data",
                        fmt::format(R"({{"password":"{}"}})", admin_password), url("/api/v1/login")},
                       Credentials::None);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto at = result.out.find("Set-Cookie: __Host-uplink-session=");
    ASSERT_NE(at, std::string::npos) << result.out;
    auto cookie = result.out.substr(at, result.out.find("\r\n", at) - at);
    for (auto attribute : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict", "; Max-Age="})
        EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " missing in " << cookie;
}

TEST_F(WebTest, AChangeWithoutTheCsrfTokenIsRefused)
{
    start();
    std::vector<std::string> send_at {"-H", "Content-Type: application/json", "--data", R"({"command":"AT+CGMM"})",
                                      url("/api/v1/modems/1-1/at")};
    auto with_cookie_alone = send_at;
    with_cookie_alone.insert(with_cookie_alone.begin(), {"-b", jar().string()});
    auto [refused, reason] = fetch(with_cookie_alone, Credentials::None);
    EXPECT_EQ(refused, 403) << reason;
    auto wrong = with_cookie_alone;
    wrong.insert(wrong.begin(), {"-H", "X-CSRF-Token: " + std::string(64, '0')});
    EXPECT_EQ(fetch(wrong, Credentials::None).first, 403);
    // Reading needs no token; changing with it works.
    EXPECT_EQ(fetch({"-b", jar().string(), url("/api/v1/status")}, Credentials::None).first, 200);
    auto [status, body] = fetch(send_at);
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(text(json::parse(body), "final"), "OK") << body;
}

TEST_F(WebTest, TheEleventhBadLoginInAMinuteIsThrottled)
{
    start();
    for (int attempt = 1; attempt <= 10; ++attempt)
        EXPECT_EQ(log_in("wrong password").first, 401) << "attempt " << attempt;
    auto result = curl({"-D", "-", "-H", "Content-Type: application/json", "--data", R"({"password":"wrong password"})",
                        url("/api/v1/login")}, Credentials::None);
    EXPECT_EQ(result.out.rfind("HTTP/1.1 429", 0), 0u) << result.out;
    EXPECT_NE(result.out.find("Retry-After: "), std::string::npos) << result.out;
    // Throttled means the right password waits too, and the session from before still works.
    EXPECT_EQ(log_in(admin_password).first, 429);
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 200);
}

TEST_F(WebTest, LogoutEndsTheSession)
{
    start();
    auto saved = directory_.path() / "saved-cookies.txt";
    fs::copy_file(jar(), saved);
    auto [status, body] = fetch({"-X", "POST", "-c", jar().string(), url("/api/v1/logout")});
    ASSERT_EQ(status, 200) << body;
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 401);
    // The old cookie, kept by someone, is dead too.
    EXPECT_EQ(fetch({"-b", saved.string(), url("/api/v1/status")}, Credentials::None).first, 401);
}

TEST_F(WebTest, ApiTokensServeScriptsUntilRevoked)
{
    start();
    auto [made, made_body] = fetch({"-H", "Content-Type: application/json", "--data",
                                    fmt::format(R"({{"name":"monitoring","password":"{}"}})", admin_password),
                                    url("/api/v1/tokens")});
    ASSERT_EQ(made, 200) << made_body;
    auto token = text(json::parse(made_body), "token");
    ASSERT_EQ(token.rfind("upl_", 0), 0u) << made_body;
    auto bearer = "Authorization: Bearer " + token;
    auto [status, body] = fetch({"-H", bearer, url("/api/v1/modems/1-1")}, Credentials::None);
    EXPECT_EQ(status, 200) << body;
    // No CSRF token for a script: nothing is sent without being asked.
    auto [fast, fast_body] = fetch({"-H", bearer, "-H", "Content-Type: application/json", "--data",
                                    R"({"seconds":5})", url("/api/v1/modems/1-1/signal/fast")}, Credentials::None);
    EXPECT_EQ(fast, 200) << fast_body;
    EXPECT_EQ(fetch({"-H", bearer, url("/api/v1/tokens")}, Credentials::None).first, 403);   // not its business
    // Nor is the config file with its PINs and passwords, however the path is spelled; the admin's login reads it.
    for (auto path : {"/api/v1/config", "/api/v1/config/", "/api/v1/%63onfig"})
        EXPECT_EQ(fetch({"-H", bearer, url(path)}, Credentials::None).first, 403) << path;
    EXPECT_EQ(fetch({"-H", bearer, "-H", "Content-Type: application/json", "--data", R"({"text":""})",
                     url("/api/v1/config")}, Credentials::None).first, 403);
    auto [backup, backup_body] = fetch({url("/api/v1/config")});
    EXPECT_EQ(backup, 200) << backup_body;
    EXPECT_NE(text(json::parse(backup_body), "text").find("config web"), std::string::npos) << backup_body;
    auto listed = json::parse(fetch({url("/api/v1/tokens")}).second);
    EXPECT_EQ(text(listed.at("tokens").at(0), "name"), "monitoring");
    EXPECT_EQ(json::serialize(listed).find(token), std::string::npos) << "the token is shown once only";

    EXPECT_EQ(fetch({"-X", "POST", url("/api/v1/tokens/monitoring/delete")}).first, 200);
    EXPECT_EQ(fetch({"-H", bearer, url("/api/v1/status")}, Credentials::None).first, 401);
    EXPECT_EQ(fetch({"-H", "Authorization: Bearer upl_nonsense", url("/api/v1/status")}, Credentials::None).first, 401);
}

// A token outlives the session that made it: a browser left logged in (or a stolen cookie) does
// not make one without the password, whose check is a login's, throttled with the logins.
TEST_F(WebTest, MakingATokenNeedsThePasswordAgain)
{
    start();
    auto make = [&](std::string_view body) {
        return fetch({"-D", "-", "-H", "Content-Type: application/json", "--data", std::string(body),
                      url("/api/v1/tokens")});
    };
    auto [missing, missing_body] = make(R"({"name":"script"})");
    EXPECT_EQ(missing, 400) << missing_body;
    EXPECT_NE(missing_body.find("needs the admin password"), std::string::npos) << missing_body;
    auto [wrong, wrong_body] = make(R"({"name":"script","password":"not the password"})");
    EXPECT_EQ(wrong, 403) << wrong_body;
    EXPECT_NE(wrong_body.find("wrong password"), std::string::npos) << wrong_body;
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 200) << "a wrong password is no logout";
    EXPECT_TRUE(json::parse(fetch({url("/api/v1/tokens")}).second).at("tokens").as_array().empty());
    EXPECT_NE(daemon_->process().errors().find("a wrong password from 127.0.0.1 to make an API token"),
              std::string::npos) << daemon_->process().errors();

    auto [made, made_body] = make(fmt::format(R"({{"name":"script","password":"{}"}})", admin_password));
    ASSERT_EQ(made, 200) << made_body;
    auto token = text(json::parse(made_body.substr(made_body.find("\r\n\r\n") + 4)), "token");
    EXPECT_EQ(fetch({"-H", "Authorization: Bearer " + token, url("/api/v1/status")}, Credentials::None).first, 200);

    // The right one forgot the wrong one before, as a login does. Ten wrong ones in the minute:
    // the next check waits, even with the right password, and so does this client's login.
    for (int attempt = 1; attempt <= 10; ++attempt)
        EXPECT_EQ(make(R"({"name":"other","password":"not the password"})").first, 403) << attempt;
    auto [throttled, throttled_body] = make(fmt::format(R"({{"name":"other","password":"{}"}})", admin_password));
    EXPECT_EQ(throttled, 429) << throttled_body;
    EXPECT_NE(throttled_body.find("Retry-After: "), std::string::npos) << throttled_body;
    EXPECT_EQ(log_in(admin_password).first, 429);
    EXPECT_EQ(json::parse(fetch({url("/api/v1/tokens")}).second).at("tokens").as_array().size(), 1u);
}

// Root on the router sets the password through the unix socket: every browser session ends.
// Over HTTPS only a change with the current password is possible.
TEST_F(WebTest, UplinkPasswdEndsEverySessionAndHttpsCannotResetIt)
{
    start();
    auto [refused, reason] = fetch({"-H", "Content-Type: application/json", "--data", R"({"password":"taken over!"})",
                                    url("/api/v1/admin-password")});
    EXPECT_EQ(refused, 403) << reason;
    set_password_with_cli("a new admin password");
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 401);
    EXPECT_EQ(log_in(admin_password).first, 401);
    EXPECT_EQ(log_in("a new admin password").first, 200);

    // A mistyped current password is refused, and is no logout: the page keeps its session.
    auto [mistyped, mistyped_body] = fetch({"-H", "Content-Type: application/json", "--data",
                                            R"({"current":"a new admin pasword","new":"the third password"})",
                                            url("/api/v1/password")});
    EXPECT_EQ(mistyped, 403) << mistyped_body;
    EXPECT_NE(mistyped_body.find("wrong password"), std::string::npos) << mistyped_body;
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 200);
    auto [changed, changed_body] = fetch({"-c", jar().string(), "-H", "Content-Type: application/json", "--data",
                                          R"({"current":"a new admin password","new":"the third password"})",
                                          url("/api/v1/password")});
    ASSERT_EQ(changed, 200) << changed_body;
    csrf_token_ = text(json::parse(changed_body), "csrf_token");
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 200);   // the new session
    EXPECT_EQ(log_in("the third password").first, 200);
}

// scrypt runs on a worker thread: while a login's KDF runs, uplinkd's loop answers everyone else,
// and another password check is refused at once (503) rather than queued behind it.
TEST_F(WebTest, WhileALoginsKdfRunsEveryoneElseIsAnswered)
{
    start();
    // The admin password as an uplinkd with a 64-times dearer cost wrote it (p = 16 and N = 2^16:
    // 64 MiB, about 2 s here), made with hash_password("correct horse battery", {16, 8, 16}). A
    // stored line names its own cost, so this login's KDF is that slow; what follows fits in it.
    std::ofstream(directory_.path() / "daemon" / "state" / "admin-password", std::ios::trunc)
        << "$scrypt$ln=16,r=8,p=16$vxEHqoH7HHXHUltTtA19Wg$HmhJIwDl2SbkLVp7zybKAUBPTsE377SvQsGa0C2Z7H0\n";
    auto attempt = [&](std::string_view password, std::vector<std::string> more = {}) {
        more.insert(more.end(), {"-H", "Content-Type: application/json", "--data",
                                 fmt::format(R"({{"password":"{}"}})", password), url("/api/v1/login")});
        return curl(more, Credentials::None);
    };
    // The daemon logs each KDF as it starts (the login in start() was the first).
    auto kdfs_started = [&] {
        constexpr std::string_view started = "checking a password from 127.0.0.1 on the KDF worker";
        auto log = daemon_->process().errors();
        std::size_t count = 0;
        for (auto at = log.find(started); at != std::string::npos; at = log.find(started, at + 1))
            ++count;
        return count;
    };
    auto before = kdfs_started();
    CommandResult slow;
    std::thread client([&] { slow = attempt(admin_password, {"-o", "/dev/null", "-w", "%{http_code}"}); });
    if (!eventually([&] { return kdfs_started() > before; }, deadline_in(20s))) {
        client.join();
        FAIL() << "the login's KDF never started: " << slow.out << slow.err;
    }

    // Between these two refusals the KDF ran all along: the server answered them, and the API, meanwhile.
    auto busy = attempt("wrong password", {"-D", "-"});
    auto [status, body] = fetch({url("/api/v1/status")});
    auto still_busy = attempt("wrong password", {"-D", "-"});
    client.join();
    EXPECT_EQ(busy.out.rfind("HTTP/1.1 503", 0), 0u) << busy.out << busy.err;
    EXPECT_NE(busy.out.find("Retry-After: 1\r\n"), std::string::npos) << busy.out;
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(still_busy.out.rfind("HTTP/1.1 503", 0), 0u)
        << "the login's KDF had ended before the second refusal (a stall of seconds?): " << still_busy.out;
    EXPECT_EQ(slow.out, "200") << slow.err;
    // Once the reply is out, the next check runs.
    EXPECT_EQ(log_in("wrong password").first, 401);
}

} // namespace
} // namespace uplink::testing
