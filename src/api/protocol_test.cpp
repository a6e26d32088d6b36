#include "api/fake_source.hpp"
#include "api/protocol.hpp"
#include "api/test_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace uplink::api {
namespace {

namespace json = boost::json;
using testing::run_to_completion;

class ProtocolTest : public ::testing::Test {
protected:
    ProtocolTest() { source.snapshots = {testing::registered_ec25("1-1")}; }

    Answer answer(std::string line)
    {
        LineProtocol protocol(source, DaemonInfo{"0.1.0", Clock::now()});
        return run_to_completion(protocol.answer(std::move(line)));
    }

    // The reply line as JSON; every reply is exactly one line.
    json::value reply(std::string line)
    {
        auto text = answer(std::move(line)).line;
        EXPECT_FALSE(text.empty());
        EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
        return json::parse(text);
    }

    testing::FakeModemSource source;
};

TEST_F(ProtocolTest, SuccessHasStatusAndBody)
{
    auto line = reply(R"({"method":"GET","path":"/v1/modems"})");
    EXPECT_EQ(line.at("status"), 200);
    EXPECT_EQ(line.at("body").as_array().size(), 1u);
    EXPECT_FALSE(line.as_object().contains("error"));
}

TEST_F(ProtocolTest, FailureHasStatusAndErrorAndNoBody)
{
    auto line = reply(R"({"method":"GET","path":"/v1/modems/2-2"})");
    EXPECT_EQ(line.at("status"), 404);
    EXPECT_TRUE(line.at("error").is_string());
    EXPECT_FALSE(line.as_object().contains("body"));
}

TEST_F(ProtocolTest, PostCarriesTheBody)
{
    auto line = reply(R"({"method":"POST","path":"/v1/modems/1-1/at","body":{"command":"ATI"}})");
    EXPECT_EQ(line.at("status"), 200) << line;
    EXPECT_EQ(source.commands_sent, std::vector<std::string>{"1-1 ATI"});
}

TEST_F(ProtocolTest, MalformedRequestsAre400SayingWhatIsWrong)
{
    struct Case {
        const char* line;
        const char* words;
    };
    for (auto [line, words] : {
             Case{"{", "not valid JSON"},
             Case{"GET /v1/status", "not valid JSON"},
             Case{R"({"method":"GET","path":"/v1/status"} trailing)", "not valid JSON"},
             Case{"[1,2]", "must be a JSON object"},
             Case{"\"GET\"", "must be a JSON object"},
             Case{R"({"path":"/v1/status"})", "missing field 'method'"},
             Case{R"({"method":"GET"})", "missing field 'path'"},
             Case{R"({"method":1,"path":"/v1/status"})", "'method' must be a string"},
             Case{R"({"method":"GET","path":["/v1"]})", "'path' must be a string"},
             Case{R"({"method":"POST","path":"/v1/modems/1-1/at","body":"ATI"})", "'body' must be a JSON object"},
         }) {
        auto parsed = reply(line);
        EXPECT_EQ(parsed.at("status"), 400) << line;
        EXPECT_NE(std::string(parsed.at("error").as_string()).find(words), std::string::npos) << line << " -> "
                                                                                              << parsed;
    }
}

TEST_F(ProtocolTest, UnknownMethodIs405)
{
    auto line = reply(R"({"method":"PUT","path":"/v1/status"})");
    EXPECT_EQ(line.at("status"), 405);
}

TEST_F(ProtocolTest, BlankLinesAreNotRequests)
{
    EXPECT_TRUE(answer("").line.empty());
    EXPECT_TRUE(answer("  \t\r").line.empty());
}

TEST_F(ProtocolTest, OverlongLineIs413AndCloses)
{
    auto result = answer(std::string(max_request_line + 1, ' ') + "x");
    EXPECT_EQ(result.then, Answer::Then::Close);
    auto line = json::parse(result.line);
    EXPECT_EQ(line.at("status"), 413);
    EXPECT_EQ(json::parse(LineProtocol::too_large_line()), line);
}

TEST_F(ProtocolTest, EventsFollowAfterTheirReply)
{
    auto result = answer(R"({"method":"GET","path":"/v1/events"})");
    EXPECT_EQ(result.then, Answer::Then::FollowEvents);
    EXPECT_EQ(json::parse(result.line), json::parse(R"({"status":200,"body":{"stream":"events"}})"));
    EXPECT_EQ(answer(R"({"method":"GET","path":"/v1/status"})").then, Answer::Then::Continue);
}

TEST(EventLine, IsOneObjectUnderEvent)
{
    using namespace std::chrono;
    modem::Event event{modem::Event::Kind::Removed, "1-1", "unplugged", system_clock::time_point(seconds(1714564800)), {}};
    auto line = LineProtocol::event_line(event);
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(json::parse(line), json::parse(R"({"event":{"kind":"removed","modem_id":"1-1",
        "message":"unplugged","time":"2024-05-01T12:00:00.000Z"}})"));
}

// TextApi: the same Router for the HTTPS transport, with the body and the reply as JSON text.
class TextApiTest : public ::testing::Test {
protected:
    TextApiTest() { source.snapshots = {testing::registered_ec25("1-1")}; }

    TextReply answer(std::string method, std::string path, std::string body = "")
    {
        TextApi api(source, DaemonInfo{"0.1.0", Clock::now()});
        return run_to_completion(api.answer(TextRequest{std::move(method), std::move(path), std::move(body)}));
    }

    testing::FakeModemSource source;
};

TEST_F(TextApiTest, ResourceBodyIsTheBareResource)
{
    auto reply = answer("GET", "/v1/modems");
    EXPECT_EQ(reply.status, 200);
    auto body = json::parse(reply.body);
    ASSERT_TRUE(body.is_array()) << reply.body;
    EXPECT_EQ(body.as_array().size(), 1u);
}

TEST_F(TextApiTest, ErrorsHaveTheStatusAndMessage)
{
    auto reply = answer("DELETE", "/v1/status");
    EXPECT_EQ(reply.status, 405);
    auto body = json::parse(reply.body);
    EXPECT_EQ(body.at("status"), 405);
    EXPECT_TRUE(body.at("error").is_string());
}

TEST_F(TextApiTest, PostBodyReachesTheRouter)
{
    auto reply = answer("POST", "/v1/modems/1-1/signal/fast", R"({"seconds":5})");
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(json::parse(reply.body).at("seconds"), 5) << reply.body;
}

// The AT console: the admin's session, and a token only with the console scope (as the gate
// says); the transport's description of the client goes with it.
TEST_F(TextApiTest, TheConsoleNeedsASessionOrTheConsoleScope)
{
    TextApi api(source, DaemonInfo{"0.1.0", Clock::now()});
    auto at = [&api](Credential credential, ConsoleRight console) {
        TextRequest request{"POST", "/v1/modems/1-1/at", R"({"command":"ATI"})", credential};
        request.console = console;
        request.client = "a test";
        return run_to_completion(api.answer(std::move(request))).status;
    };
    EXPECT_EQ(at(Credential::ApiToken, ConsoleRight::Denied), 403);
    EXPECT_EQ(answer("POST", "/v1/modems/1-1/at", R"({"command":"ATI"})").status, 403);   // nothing said: denied
    EXPECT_TRUE(source.commands_sent.empty());
    EXPECT_EQ(at(Credential::ApiToken, ConsoleRight::Granted), 200);
    EXPECT_EQ(at(Credential::Session, ConsoleRight::Granted), 200);
    EXPECT_EQ(source.commands_sent, (std::vector<std::string>{"1-1 ATI", "1-1 ATI"}));
}

TEST_F(TextApiTest, BodyThatIsNotAnObjectIs400)
{
    for (auto body : {"{\"command\":", "[1,2]", "\"AT\"", "\xff\xfe"}) {
        auto reply = answer("POST", "/v1/modems/1-1/at", body);
        EXPECT_EQ(reply.status, 400) << body;
        EXPECT_NE(json::parse(reply.body).at("error").as_string(), "") << body;
    }
    EXPECT_TRUE(source.commands_sent.empty());
}

TEST_F(TextApiTest, EventStreamIsFlaggedForTheTransport)
{
    EXPECT_TRUE(answer("GET", "/v1/events").events_follow);
    EXPECT_FALSE(answer("GET", "/v1/events/recent").events_follow);
}

// The config file and its secrets are for the admin's login, not for a script's API token; the
// admin password is reset through the unix socket alone, whoever asks over HTTPS.
TEST_F(TextApiTest, TheCredentialDecidesWhatIsReached)
{
    TextApi api(source, DaemonInfo{"0.1.0", Clock::now()});
    auto as = [&api](Credential credential, std::string method, std::string path, std::string body = "") {
        return run_to_completion(api.answer(TextRequest{std::move(method), std::move(path), std::move(body), credential}));
    };
    EXPECT_EQ(as(Credential::Session, "GET", "/v1/config").status, 200);
    EXPECT_EQ(as(Credential::ApiToken, "GET", "/v1/config").status, 403);
    EXPECT_EQ(answer("GET", "/v1/config").status, 403);   // no credential said: a token's rights
    EXPECT_EQ(as(Credential::Session, "POST", "/v1/admin-password", R"({"password":"a long password"})").status, 403);
    EXPECT_TRUE(source.admin_passwords.empty());
}

TEST_F(TextApiTest, ErrorBodyEscapesTheMessage)
{
    auto body = json::parse(TextApi::error_body(404, "no resource at '/a\"b\n'"));
    EXPECT_EQ(body.at("error").as_string(), "no resource at '/a\"b\n'");
}

} // namespace
} // namespace uplink::api
