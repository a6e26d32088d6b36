// Issue 12, "Secrets and authority", over the real HTTPS server: an API token cannot set a PIN or
// a password (so a preview cannot confirm a guess), the AT console is the admin's and a token's
// only with the console scope, every console command is logged with who sent it and its PIN
// redacted, and a PIN the SIM refused through the console is never sent again, by the console or
// by uplinkd itself.
#include "web_fixture.hpp"

#include <unistd.h>

#include <optional>
#include <thread>

namespace uplink::testing {
namespace {

class SecretsTest : public WebTest {
protected:
    // A new token's secret, made by the logged-in admin with these scopes.
    std::string make_token(std::string_view name, std::string_view scopes = "[]")
    {
        auto [status, body] = fetch({"-H", "Content-Type: application/json", "--data",
                                     fmt::format(R"({{"name":"{}","scopes":{},"password":"{}"}})", name, scopes,
                                                 admin_password),
                                     url("/api/v1/tokens")});
        EXPECT_EQ(status, 200) << body;
        return text(json::parse(body), "token");
    }
    std::pair<int, std::string> post_as(const std::string& token, std::string_view path, std::string_view body)
    {
        std::vector<std::string> arguments{"-H", "Content-Type: application/json", "--data", std::string(body), url(path)};
        if (token.empty())
            return fetch(arguments);
        arguments.insert(arguments.begin(), {"-H", "Authorization: Bearer " + token});
        return fetch(arguments, Credentials::None);
    }
    std::int64_t pin_attempts() { return emulator_->control({{"cmd", "counters"}}).at("pin_attempts").as_int64(); }
};

TEST_F(SecretsTest, ATokenCannotSetOrProbeAPin)
{
    start();
    daemon_->wait_for_modem("1-1", "locked", [](const json::value& modem) { return text(modem, "state") == "locked"; });
    auto token = make_token("script");
    // The SIM's PIN is 1234. The right guess and a wrong one get the same refusal, preview or not,
    // and nothing is compared, saved or sent.
    std::optional<std::pair<int, std::string>> first;
    for (auto body : {R"({"options":{"pin":"1234"}})", R"({"options":{"pin":"0000"}})",
                      R"({"options":{"pin":"1234"},"preview":true})", R"({"options":{"pin":"0000"},"preview":true})"}) {
        auto reply = post_as(token, "/api/v1/profiles/default", body);
        EXPECT_EQ(reply.first, 403) << body;
        EXPECT_NE(reply.second.find("'pin'"), std::string::npos) << reply.second;
        EXPECT_EQ(reply.second.find("changed"), std::string::npos) << reply.second;
        if (!first)
            first = reply;
        EXPECT_EQ(reply, *first) << body;
    }
    auto [applied, applied_body] = post_as(token, "/api/v1/profiles/default", R"({"options":{"pin":"1234"},"preview":false})");
    EXPECT_EQ(applied, 403) << applied_body;
    // Nor to the SIM, whose answer would say the same.
    auto [sim_pin, sim_pin_body] = post_as(token, "/api/v1/modems/1-1/sim/pin", R"({"operation":"disable","pin":"1234"})");
    EXPECT_EQ(sim_pin, 403) << sim_pin_body;
    auto [password, password_body] = post_as(token, "/api/v1/profiles/default", R"({"options":{"password":"x"}})");
    EXPECT_EQ(password, 403) << password_body;
    EXPECT_NE(password_body.find("'password'"), std::string::npos) << password_body;
    // Other options it may preview and set.
    auto [apn, apn_body] = post_as(token, "/api/v1/profiles/default", R"({"options":{"apn":"internet"}})");
    EXPECT_EQ(apn, 200) << apn_body;
    std::ifstream config(daemon_->config());
    std::string saved((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
    EXPECT_EQ(saved.find("1234"), std::string::npos) << saved;
    EXPECT_EQ(pin_attempts(), 0);
    // The admin keeps full rights: a PIN in a preview is compared, and set.
    auto [admin, admin_body] = post_as("", "/api/v1/profiles/default", R"({"options":{"pin":"1234"},"preview":false})");
    EXPECT_EQ(admin, 200) << admin_body;
    EXPECT_NE(admin_body.find("pin: changed"), std::string::npos) << admin_body;
    daemon_->wait_for_modem("1-1", "registered", [](const json::value& modem) { return text(modem, "state") == "registered"; });
}

TEST_F(SecretsTest, TheConsoleIsTheAdminsAndAScopedTokens)
{
    start();
    auto plain = make_token("script");
    auto console = make_token("console-script", R"(["console"])");
    auto listed = json::parse(fetch({url("/api/v1/tokens")}).second);
    EXPECT_EQ(json::serialize(listed.at("tokens").at(0).at("scopes")), "[]") << listed;
    EXPECT_EQ(json::serialize(listed.at("tokens").at(1).at("scopes")), R"(["console"])") << listed;
    auto [unknown_scope, unknown_scope_body] = post_as(
        "", "/api/v1/tokens", fmt::format(R"({{"name":"x","scopes":["root"],"password":"{}"}})", admin_password));
    EXPECT_EQ(unknown_scope, 400) << unknown_scope_body;
    EXPECT_NE(unknown_scope_body.find("is not a scope"), std::string::npos) << unknown_scope_body;

    auto command = R"({"command":"AT+CGMM"})";
    auto [refused, refused_body] = post_as(plain, "/api/v1/modems/1-1/at", command);
    EXPECT_EQ(refused, 403) << refused_body;
    EXPECT_NE(refused_body.find("console"), std::string::npos) << refused_body;
    auto [scoped, scoped_body] = post_as(console, "/api/v1/modems/1-1/at", command);
    EXPECT_EQ(scoped, 200) << scoped_body;
    auto [admin, admin_body] = post_as("", "/api/v1/modems/1-1/at", command);
    EXPECT_EQ(admin, 200) << admin_body;
    EXPECT_NE(admin_body.find("EC25"), std::string::npos) << admin_body;
    // Each is in the log: who, from where, what.
    auto log = daemon_->process().errors();
    EXPECT_NE(log.find("AT console: refused API token 'script' from 127.0.0.1 on modem 1-1"), std::string::npos) << log;
    EXPECT_NE(log.find("AT console: API token 'console-script' from 127.0.0.1 on modem 1-1: AT+CGMM"), std::string::npos) << log;
    EXPECT_NE(log.find("AT console: the admin's session from 127.0.0.1 on modem 1-1: AT+CGMM"), std::string::npos) << log;
    // And `uplink at` over the unix socket, with the caller's uid.
    auto cli = run_command({binary_path("uplink").string(), "--socket", daemon_->socket().string(), "at", "1-1", "AT+CGMM"});
    EXPECT_EQ(cli.exit_code, 0) << cli.out << cli.err;
    EXPECT_NE(daemon_->process().errors().find(fmt::format("AT console: the unix socket (uid {}, pid", ::getuid())),
        std::string::npos) << daemon_->process().errors();
}

// A PIN sent through the console is one try, as uplinkd's own: refused by the SIM, it is not sent
// again by the console nor by uplinkd when the profile is given it; it shows nowhere.
TEST_F(SecretsTest, AConsolePinTheSimRefusedIsNeverSentAgain)
{
    start();
    daemon_->wait_for_modem("1-1", "locked", [](const json::value& modem) { return text(modem, "state") == "locked"; });
    auto wrong = R"({"command":"AT+CMEE=2;+CPIN=\"9731\""})";
    auto [first, first_body] = post_as("", "/api/v1/modems/1-1/at", wrong);
    ASSERT_EQ(first, 200) << first_body;
    EXPECT_NE(first_body.find("ERROR"), std::string::npos) << first_body;
    EXPECT_EQ(pin_attempts(), 1);
    auto [again, again_body] = post_as("", "/api/v1/modems/1-1/at", R"({"command":"AT+CPIN=9731"})");
    EXPECT_EQ(again, 409) << again_body;
    EXPECT_NE(again_body.find("refused this PIN before"), std::string::npos) << again_body;
    EXPECT_EQ(pin_attempts(), 1);
    // Two PINs in one line: which one an error is about is not known, so none is sent.
    auto [two, two_body] = post_as("", "/api/v1/modems/1-1/at", R"({"command":"AT+CPIN=\"1111\";+CPIN=\"2222\""})");
    EXPECT_EQ(two, 400) << two_body;
    EXPECT_EQ(pin_attempts(), 1);
    // uplinkd itself, given that PIN, does not send it.
    auto [set, set_body] = post_as("", "/api/v1/profiles/default", R"({"options":{"pin":"9731"},"preview":false})");
    EXPECT_EQ(set, 200) << set_body;
    daemon_->wait_for_modem("1-1", "the wrong PIN to be reported", [](const json::value& modem) {
        return text(modem, "failed_reason") == "wrong-pin";
    });
    EXPECT_EQ(pin_attempts(), 1);
    // The PIN shows neither in the log nor in the dialogue.
    auto log = daemon_->process().errors();
    EXPECT_NE(log.find("AT console: the admin's session from 127.0.0.1 on modem 1-1: AT+CMEE=2;+CPIN=***"), std::string::npos)
        << log;
    EXPECT_EQ(log.find("9731"), std::string::npos) << log;
    auto [dialogue_status, dialogue] = fetch({url("/api/v1/modems/1-1/dialogue")});
    EXPECT_EQ(dialogue_status, 200);
    EXPECT_NE(dialogue.find("+CPIN=***"), std::string::npos) << dialogue;
    EXPECT_EQ(dialogue.find("9731"), std::string::npos) << dialogue;
}

// The audit log says who did what, from where: logins and failed logins, a token's use (once an
// hour), a revoked token tried, config changes (option names, never values) and a restore.
TEST_F(SecretsTest, TheAuditLogSaysWhoDidWhat)
{
    start();
    auto log = [&] { return daemon_->process().errors(); };
    EXPECT_NE(log().find("the admin logged in from 127.0.0.1"), std::string::npos) << log();
    EXPECT_EQ(log_in("not the password").first, 401);
    EXPECT_NE(log().find("a failed login from 127.0.0.1"), std::string::npos) << log();

    auto token = make_token("audit");
    auto bearer = "Authorization: Bearer " + token;
    EXPECT_EQ(fetch({"-H", bearer, url("/api/v1/status")}, Credentials::None).first, 200);
    EXPECT_EQ(fetch({"-H", bearer, url("/api/v1/modems")}, Credentials::None).first, 200);
    auto uses = [&] {
        auto text = log();
        std::size_t count = 0;
        for (auto at = text.find("API token 'audit' used from 127.0.0.1"); at != std::string::npos;
             at = text.find("API token 'audit' used from 127.0.0.1", at + 1))
            ++count;
        return count;
    };
    EXPECT_EQ(uses(), 1u) << log();

    auto [set, set_body] = post_as("", "/api/v1/profiles/home",
                                   R"({"options":{"apn":"audit.example","password":"Sw0rdfish-9"},"preview":false})");
    EXPECT_EQ(set, 200) << set_body;
    EXPECT_NE(log().find("config: the admin's session from 127.0.0.1 set profile 'home' (apn, password)"),
              std::string::npos) << log();
    EXPECT_EQ(log().find("Sw0rdfish-9"), std::string::npos) << "a secret value reached the log";

    auto [refused, refused_body] = post_as(token, "/api/v1/profiles/home", R"({"options":{"pin":"1234"}})");
    EXPECT_EQ(refused, 403) << refused_body;
    EXPECT_NE(log().find("config: API token 'audit' from 127.0.0.1 refused setting the secret pin of profile 'home'"),
              std::string::npos) << log();

    auto backup = json::parse(fetch({url("/api/v1/config")}).second);
    auto [restored, restored_body] = post_as("", "/api/v1/config",
                                             json::serialize(json::object{{"text", backup.at("text")}, {"preview", false}}));
    EXPECT_EQ(restored, 200) << restored_body;
    EXPECT_NE(log().find("config: the admin's session from 127.0.0.1 restored a backup"), std::string::npos) << log();

    EXPECT_EQ(fetch({"-X", "POST", url("/api/v1/tokens/audit/delete")}).first, 200);
    EXPECT_EQ(fetch({"-H", bearer, url("/api/v1/status")}, Credentials::None).first, 401);
    EXPECT_NE(log().find("a request from 127.0.0.1 with a token that is no longer good"), std::string::npos) << log();
}

// A password reset takes what was made with the old one along: every API token is revoked, and
// the event streams that a session or a token opened end (at their next frame, here an event).
TEST_F(SecretsTest, APasswordResetEndsTokensAndTheirEventStreams)
{
    start();
    daemon_->wait_for_modem("1-1", "locked", [](const json::value& modem) { return text(modem, "state") == "locked"; });
    auto token = make_token("stream");
    auto bearer = "Authorization: Bearer " + token;
    CommandResult by_token, by_session;
    auto token_headers = directory_.path() / "token-stream-headers.txt";
    auto session_headers = directory_.path() / "session-stream-headers.txt";
    std::thread token_stream([&] {
        by_token = curl({"-N", "-H", bearer, "-D", token_headers, "-o", "/dev/null", "--max-time", "30",
                         url("/api/v1/events")},
                        Credentials::None);
    });
    std::thread session_stream([&] {
        by_session = curl({"-N", "-D", session_headers, "-o", "/dev/null", "--max-time", "30", url("/api/v1/events")});
    });
    // The reset comes once both streams are open, or it would only refuse them at the door.
    EXPECT_TRUE(eventually([&] { return header_is_in(token_headers) && header_is_in(session_headers); },
                           deadline_in(15s)))
        << "the event streams' headers never came";
    set_password_with_cli("another admin password");
    // An event for both streams to carry (the modem goes away): each is found ended before it is
    // written, rather than at the next keep-alive.
    emulator_->control({{"cmd", "unplug"}});
    token_stream.join();
    session_stream.join();
    EXPECT_NE(by_token.exit_code, 28) << "the token's stream ran until curl gave up";
    EXPECT_NE(by_session.exit_code, 28) << "the session's stream ran until curl gave up";
    EXPECT_EQ(fetch({"-H", bearer, url("/api/v1/status")}, Credentials::None).first, 401);
    EXPECT_NE(daemon_->process().errors().find("every web session ended, every API token revoked"), std::string::npos)
        << daemon_->process().errors();
}

} // namespace
} // namespace uplink::testing
