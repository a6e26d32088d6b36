// What other programs follow on uplinkd's HTTPS server: Prometheus scraping /metrics with an API
// token, and the server-sent event stream a page keeps open.
#include "web_fixture.hpp"

#include <csignal>

namespace uplink::testing {
namespace {


// Prometheus scrapes /metrics with an API token; its own promtool checks the text.
TEST_F(WebTest, MetricsForPrometheus)
{
    start();
    daemon_->wait_for_modem("1-1", "locked", [](const json::value& modem) { return text(modem, "state") == "locked"; });
    EXPECT_EQ(fetch({url("/metrics")}, Credentials::None).first, 401);
    auto [made, made_body] = fetch({"-H", "Content-Type: application/json", "--data",
                                    fmt::format(R"({{"name":"prometheus","password":"{}"}})", admin_password),
                                    url("/api/v1/tokens")});
    ASSERT_EQ(made, 200) << made_body;
    auto token = text(json::parse(made_body), "token");
    auto scraped = curl({"-D", directory_.path() / "headers.txt", "-o", directory_.path() / "metrics.txt", "-H",
                         "Authorization: Bearer " + token, url("/metrics")}, Credentials::None);
    ASSERT_EQ(scraped.exit_code, 0) << scraped.err;
    auto headers = file_text(directory_.path() / "headers.txt");
    auto metrics = file_text(directory_.path() / "metrics.txt");
    EXPECT_EQ(headers.rfind("HTTP/1.1 200", 0), 0u) << headers;
    EXPECT_NE(headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << headers;
    for (auto line : {"uplink_modems 1\n", "uplink_modem_state{modem=\"1-1\",state=\"locked\",wan=\"wan1\"} 1\n"})
        EXPECT_NE(metrics.find(line), std::string::npos) << line << " not in\n" << metrics;
    auto checked = run_command({"sh", "-c", "promtool check metrics < " + (directory_.path() / "metrics.txt").string()});
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err << metrics;
}

// GET /api/v1/events: server-sent events. A PIN given through the API unlocks the SIM and the
// states follow on the stream; a signal change in the emulator arrives with its levels.
TEST_F(WebTest, EventsArePushedAsServerSentEvents)
{
    start();
    daemon_->wait_for_modem("1-1", "locked", [](const json::value& modem) { return text(modem, "state") == "locked"; });
    auto received = directory_.path() / "events.txt";
    auto headers_path = directory_.path() / "event-headers.txt";
    // Followed until what the test waits for has come; --max-time only bounds a hang.
    auto follow = curl_command(
        {"-N", "-D", headers_path, "-o", received, "--max-time", "60", url("/api/v1/events")});
    Process stream(follow, directory_.path() / "stream.out", directory_.path() / "stream.err");
    auto arrives = [&](std::string_view wanted) {
        auto received_it = [&] { return file_text(received).find(wanted) != std::string::npos; };
        return eventually(received_it, deadline_in(15s));
    };
    // The PIN goes in only once the stream is open: before, its events could pass while nobody
    // listens.
    ASSERT_TRUE(eventually([&] { return header_is_in(headers_path); }, deadline_in(15s)))
        << "the event stream's header never came: " << stream.errors();
    auto [status, body] = fetch({"-H", "Content-Type: application/json", "--data",
                                 R"({"options":{"pin":"1234"},"preview":false})", url("/api/v1/profiles/default")});
    EXPECT_EQ(status, 200) << body;
    EXPECT_TRUE(arrives("registered")) << file_text(received);
    emulator_->control({{"cmd", "set-signal"}, {"rsrp", -111}, {"rsrq", -15}, {"sinr", -2}});
    EXPECT_TRUE(arrives("\"rsrp_dbm\":-111")) << file_text(received);
    // The server keeps the stream open after its events; the client is the one to end it.
    EXPECT_TRUE(stream.running()) << "the server ended the stream: " << stream.errors();
    ::kill(stream.pid(), SIGTERM);
    stream.wait(deadline_in(10s));

    auto headers = file_text(headers_path);
    EXPECT_EQ(headers.rfind("HTTP/1.1 200", 0), 0u) << headers;
    EXPECT_NE(headers.find("Content-Type: text/event-stream"), std::string::npos) << headers;
    // Every frame is one "data:" line of JSON and a blank line.
    auto events = file_text(received);
    std::size_t frames = 0;
    for (std::size_t at = 0; (at = events.find("data: ", at)) != std::string::npos; ++frames) {
        auto end = events.find("\n\n", at);
        ASSERT_NE(end, std::string::npos) << events;
        boost::system::error_code error;
        auto event = json::parse(events.substr(at + 6, end - at - 6), error);
        ASSERT_FALSE(error) << events.substr(at, end - at);
        EXPECT_EQ(text(event, "modem_id"), "1-1");
        at = end;
    }
    EXPECT_GE(frames, 3u) << events;
    // Without a login there is no stream.
    EXPECT_EQ(fetch({"--max-time", "5", url("/api/v1/events")}, Credentials::None).first, 401);
}

} // namespace
} // namespace uplink::testing
