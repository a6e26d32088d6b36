// POST /v1/modems/<id>/at, the AT console (console_routes.cpp): the reply's form, what a failure
// means, and who may use it.
#include "api/router_test_fixture.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace uplink::api {
namespace {

namespace json = boost::json;
using testing::run_to_completion;

TEST_F(RouterTest, AtCommandGivesLinesAndFinal)
{
    source.at_handler = [](const std::string&, const std::string&) -> Result<at::Reply> {
        at::Reply reply;
        reply.lines = {"+CSQ: 24,99"};
        reply.final = {at::FinalKind::Ok, -1, "OK"};
        return reply;
    };
    auto response = post_at("1-1", json::parse(R"({"command":"AT+CSQ"})"));
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body, json::parse(R"({"lines":["+CSQ: 24,99"],"final":"OK"})"));
    EXPECT_EQ(source.commands_sent, std::vector<std::string>{"1-1 AT+CSQ"});
}

TEST_F(RouterTest, ModemErrorIsStill200WithTheFinalAndItsMeaning)
{
    source.at_handler = [](const std::string&, const std::string&) -> Result<at::Reply> {
        at::Reply reply;
        reply.final = {at::FinalKind::CmeError, 10, "+CME ERROR: 10"};
        return reply;
    };
    auto response = post_at("1-1", json::parse(R"({"command":"AT+CIMI"})"));
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body.at("final"), "+CME ERROR: 10");
    EXPECT_EQ(std::string(response.body.at("error").as_string()), at::cme_error(10).message());
    EXPECT_TRUE(response.body.at("lines").as_array().empty());
}

TEST_F(RouterTest, VerboseCmeErrorKeepsTheModemsOwnText)
{
    source.at_handler = [](const std::string&, const std::string&) -> Result<at::Reply> {
        at::Reply reply;
        reply.final = {at::FinalKind::CmeError, -1, "+CME ERROR: SIM not inserted"};
        return reply;
    };
    auto response = post_at("1-1", json::parse(R"({"command":"AT+CIMI"})"));
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(response.body.at("error"), "SIM not inserted");
}

TEST_F(RouterTest, PlainErrorIs200WithFinalError)
{
    source.at_handler = [](const std::string&, const std::string&) -> Result<at::Reply> {
        at::Reply reply;
        reply.final = {at::FinalKind::Error, -1, "ERROR"};
        return reply;
    };
    auto response = post_at("1-1", json::parse(R"({"command":"AT+NOPE"})"));
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(response.body.at("final"), "ERROR");
    EXPECT_NE(std::string(response.body.at("error").as_string()).find("AT+CMEE=2"), std::string::npos);
}

TEST_F(RouterTest, TransportFailuresMapToStatuses)
{
    struct Case {
        Error error;
        int status;
        const char* words;
    };
    for (const auto& [error, status, words] : {
             Case{at::Errc::Timeout, 504, "did not answer AT+CSQ in time"},
             Case{at::Errc::PortHung, 504, "not answering"},
             Case{at::Errc::PortClosed, 503, "closed"},
             Case{modem::Errc::NoAtPort, 409, "no AT port"},
             Case{modem::Errc::NotReady, 409, "present state"},
             Case{modem::Errc::NoSuchModem, 404, "uplink modems"},
         }) {
        source.at_handler = [error = error](const std::string&, const std::string&) -> Result<at::Reply> {
            return error;
        };
        auto response = post_at("1-1", json::parse(R"({"command":"AT+CSQ"})"));
        EXPECT_EQ(response.status, status) << error.message();
        EXPECT_NE(response.error.find(words), std::string::npos) << response.error;
        EXPECT_NE(response.error.find("1-1"), std::string::npos) << response.error;
    }
}

TEST_F(RouterTest, ModemErrorGivenAsAnErrorCodeIsStill200)
{
    source.at_handler = [](const std::string&, const std::string&) -> Result<at::Reply> { return at::cme_error(13); };
    auto response = post_at("1-1", json::parse(R"({"command":"AT+CPIN?"})"));
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body.at("final"), "+CME ERROR: 13");
    EXPECT_EQ(std::string(response.body.at("error").as_string()), at::cme_error(13).message());
}

TEST_F(RouterTest, BadAtBodiesAre400SayingWhatIsWrong)
{
    struct Case {
        const char* body;
        const char* words;
    };
    for (auto [body, words] : {Case{"null", "missing field 'command'"}, Case{"{}", "missing field 'command'"},
                               Case{R"({"cmd":"AT"})", "missing field 'command'"},
                               Case{R"({"command":5})", "must be a string"},
                               Case{R"({"command":""})", "must start with AT"},
                               Case{R"({"command":"ATI\r\nAT+CFUN=0"})", "one line"},
                               Case{R"({"command":"+CSQ"})", "must start with AT"}}) {
        auto response = post_at("1-1", json::parse(body));
        EXPECT_EQ(response.status, 400) << body;
        EXPECT_NE(response.error.find(words), std::string::npos) << body << ": " << response.error;
    }
    auto too_long = post_at("1-1", json::object{{"command", "AT" + std::string(2000, 'X')}});
    EXPECT_EQ(too_long.status, 400);
    EXPECT_NE(too_long.error.find("limit"), std::string::npos) << too_long.error;
    EXPECT_TRUE(source.commands_sent.empty());
}

// The console can send PINs and read credentials back: an API token reaches it only with the
// console scope, and sees credentials in replies redacted; root and the admin see the reply.
TEST_F(RouterTest, TheConsoleIsForRootTheAdminAndATokenWithTheConsoleScope)
{
    source.at_handler = [](const std::string&, const std::string&) -> Result<at::Reply> {
        at::Reply reply;
        reply.lines = {"+QICSGP: 1,\"internet\",\"web\",\"web-secret\",1"};
        reply.final = {at::FinalKind::Ok, -1, "OK"};
        return reply;
    };
    auto body = json::parse(R"({"command":"AT+QICSGP=1"})");
    auto path = "/v1/modems/1-1/at";
    auto refused = request(Method::Post, path, body, Caller::ApiToken);
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.error.find("\"console\" scope"), std::string::npos) << refused.error;
    EXPECT_TRUE(source.commands_sent.empty());
    // Even to a modem that is not there: the refusal comes first.
    EXPECT_EQ(request(Method::Post, "/v1/modems/7-7/at", body, Caller::ApiToken).status, 403);

    auto scoped = request(Method::Post, path, body, Caller::ApiToken, ConsoleRight::Granted);
    ASSERT_EQ(scoped.status, 200) << scoped.error;
    EXPECT_EQ(scoped.body.at("lines").at(0), "+QICSGP: 1,\"internet\",\"web\",***");
    for (auto caller : {Caller::Admin, Caller::Root}) {
        auto full = request(Method::Post, path, body, caller);
        ASSERT_EQ(full.status, 200) << full.error;
        EXPECT_EQ(full.body.at("lines").at(0), "+QICSGP: 1,\"internet\",\"web\",\"web-secret\",1");
    }
    EXPECT_EQ(source.commands_sent.size(), 3u);
}

// The PIN store's refusals, from the modem: nothing reached the SIM.
TEST_F(RouterTest, APinTheStoreRefusesIsNotSentAndSaysWhy)
{
    struct Case {
        Error error;
        int status;
        const char* words;
    };
    for (const auto& [error, status, words] : {
             Case{modem::Errc::WrongPinRemembered, 409, "refused this PIN before"},
             Case{modem::Errc::PinStoreUnreadable, 409, "sends no PIN until"},
             Case{modem::Errc::OnePinPerLine, 400, "one PIN or PUK"},
         }) {
        source.at_handler = [error = error](const std::string&, const std::string&) -> Result<at::Reply> {
            return error;
        };
        auto response = post_at("1-1", json::parse(R"({"command":"AT+CMEE=2;+CPIN=\"1234\""})"));
        EXPECT_EQ(response.status, status) << error.message();
        EXPECT_NE(response.error.find(words), std::string::npos) << response.error;
        EXPECT_NE(response.error.find("AT+CMEE=2;+CPIN=***"), std::string::npos) << response.error;
        EXPECT_EQ(response.error.find("1234"), std::string::npos) << response.error;
    }
}

TEST_F(RouterTest, AtToUnknownModemIs404AndSendsNothing)
{
    auto response = post_at("7-7", json::parse(R"({"command":"ATI"})"));
    EXPECT_EQ(response.status, 404);
    EXPECT_NE(response.error.find("'7-7'"), std::string::npos);
    EXPECT_TRUE(source.commands_sent.empty());
}

} // namespace
} // namespace uplink::api
