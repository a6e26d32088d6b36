// uplinkd against uplink-sim: the signal history follows the emulated signal and outlives a
// restart; a fast-signal lease streams the levels at least 4 times a second, then stops.
#include "harness.hpp"
#include "support/eventually.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace uplink::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr const char* modem_id = "1-1"; // ec25-test.json's USB path

bool registered(const json::value& modem)
{
    return text(modem, "state") == "registered";
}

std::int64_t status_of(const json::object& reply)
{
    return reply.contains("status") ? reply.at("status").as_int64() : -1;
}

// The last point's RSRP, or nothing without a point.
std::optional<std::int64_t> last_rsrp(const json::value& history)
{
    const auto& column = history.at("rsrp_dbm").as_array();
    if (column.empty() || !column.back().is_int64())
        return std::nullopt;
    return column.back().as_int64();
}

// One unix-socket event stream, counting signal events as they come.
class EventStream {
public:
    explicit EventStream(const std::filesystem::path& socket) : client_(socket)
    {
        client_.send(json::object{{"method", "GET"}, {"path", "/v1/events"}});
        auto reply = client_.receive(deadline_in(5s));
        EXPECT_TRUE(reply && reply->as_object().contains("status")) << "no stream";
    }

    // The signal events' messages until `until` ("rssi -65 dBm, rsrp -95 dBm, ...").
    std::vector<std::string> signal_messages(Deadline until)
    {
        std::vector<std::string> messages;
        while (auto line = client_.receive(until)) {
            const auto& event = line->at("event");
            if (text(event, "kind") == "signal-changed" && text(event, "modem_id") == modem_id)
                messages.push_back(text(event, "message"));
        }
        return messages;
    }

    // Reads until a signal event whose message has `part`; false at the deadline.
    bool wait_for_signal(std::string_view part, Deadline deadline)
    {
        while (auto line = client_.receive(deadline)) {
            const auto& event = line->at("event");
            if (text(event, "kind") == "signal-changed" && text(event, "message").find(part) != std::string::npos)
                return true;
        }
        return false;
    }

private:
    JsonLineClient client_;
};

class SignalTest : public ::testing::Test {
protected:
    // `modem_changes`: fields set in the scenario's modem before the emulator starts.
    void start(int poll_interval_s, json::object modem_changes = {})
    {
        auto scenario = read_json_file(scenario_path("ec25-test.json"));
        for (const auto& [key, value] : modem_changes)
            scenario.at("modems").as_array().at(0).as_object()[key] = value;
        auto scenario_file = directory_.path() / "scenario.json";
        std::ofstream(scenario_file) << json::serialize(scenario);
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_file);
        const auto& sims = emulator_->scenario().at("sims").as_array();
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_,
                                           Daemon::Settings{.pin = text(sims.at(0), "pin"),
                                                            .poll_interval_s = poll_interval_s});
        daemon_->wait_for_modem(modem_id, "registered", registered);
    }

    TemporaryDirectory directory_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(SignalTest, TheHistoryFollowsTheSignalAndOutlivesARestart)
{
    start(1);
    emulator_->control({{"cmd", "set-signal"}, {"rsrp", -111}, {"sinr", -2}});
    // Sampled every 10 s and flushed every 5 minutes: the change shows at the next sample or the
    // one after, before any flush. A sample is no API event, so the history is re-read until it
    // shows; the deadline only bounds a hang.
    json::value history;
    auto sampled = [&] {
        history = daemon_->get(std::string("/v1/modems/") + modem_id + "/signal/history?since=-600");
        return last_rsrp(history) == -111;
    };
    ASSERT_TRUE(eventually(sampled, deadline_in(60s))) << json::serialize(history);
    EXPECT_EQ(text(history, "wan"), "wan1");
    EXPECT_EQ(history.at("bucket_s").as_int64(), 1);
    auto points = history.at("time").as_array().size();
    for (const auto* column : {"rssi_dbm", "rsrp_dbm", "rsrq_db", "sinr_db"})
        EXPECT_EQ(history.at(column).as_array().size(), points) << column;
    EXPECT_EQ(history.at("sinr_db").as_array().back(), -2);

    daemon_->restart(); // stopping writes what was not flushed
    daemon_->wait_for_modem(modem_id, "present again", [](const json::value&) { return true; });
    auto after = daemon_->get(std::string("/v1/modems/") + modem_id + "/signal/history?since=-600");
    ASSERT_GE(after.at("time").as_array().size(), points) << json::serialize(after);
    EXPECT_EQ(after.at("rsrp_dbm").as_array().at(points - 1), -111) << json::serialize(after);

    EXPECT_EQ(status_of(daemon_->request("GET", "/v1/modems/9-9/signal/history")), 404);
    EXPECT_EQ(status_of(daemon_->request("GET", std::string("/v1/modems/") + modem_id + "/signal/history?since=x")),
              400);
}

TEST_F(SignalTest, AFastSignalLeaseStreamsFourSamplesASecondThenStops)
{
    start(10); // full polls every 10 s: anything faster is the lease's
    EventStream events(daemon_->socket());
    auto lease = daemon_->request("POST", std::string("/v1/modems/") + modem_id + "/signal/fast",
                                  json::object{{"seconds", 6}});
    ASSERT_EQ(status_of(lease), 200) << json::serialize(lease);
    auto lease_end = Clock::now() + std::chrono::seconds(lease.at("body").at("seconds").as_int64());

    ASSERT_TRUE(events.wait_for_signal("rsrp", deadline_in(2s))) << "no sample after the lease began";
    // Counted over a window, not timed one by one: 4 a second, give or take one at its edges.
    auto samples = events.signal_messages(deadline_in(3s)).size();
    EXPECT_GE(samples, 4 * 3 - 1);

    emulator_->control({{"cmd", "set-signal"}, {"rsrp", -111}});
    EXPECT_TRUE(events.wait_for_signal("rsrp -111 dBm", deadline_in(1500ms)))
        << "a change shows within a few samples, long before the next full poll";

    // The page did not renew: the lease ends and the stream goes quiet (the values stay).
    events.signal_messages(lease_end + 500ms);
    auto after = events.signal_messages(deadline_in(3s));
    EXPECT_LE(after.size(), 1u) << "at most a full poll's event in 3 s";

    EXPECT_EQ(status_of(daemon_->request("POST", "/v1/modems/9-9/signal/fast")), 404);
}

// AT+QRSRP measures each receive chain apart: the alignment view's levels per antenna.
TEST_F(SignalTest, EachAntennaIsMeasuredApart)
{
    start(1);
    emulator_->control({{"cmd", "set-signal"}, {"rsrp", -90}});
    // The scenario's diversity chain: 3 dB below the main one (its default diversity_offset_db).
    auto expected = json::parse(R"([{"chain":"prx","rsrp_dbm":-90},{"chain":"drx","rsrp_dbm":-93}])");
    auto modem = daemon_->wait_for_modem(modem_id, "the two chains' RSRP", [&](const json::value& modem) {
        return modem.at("signal").at("antennas") == expected;
    });
    EXPECT_EQ(modem.at("signal").at("rsrp_dbm"), -90);
}

// Firmware that answers AT+QRSRP with ERROR (some EC25s may) is asked once; the rest still comes.
TEST_F(SignalTest, AModemWithoutPerAntennaRsrpIsAskedOnce)
{
    start(1, {{"qrsrp", "error"}});
    emulator_->control({{"cmd", "set-signal"}, {"rsrp", -104}});
    auto modem = daemon_->wait_for_modem(modem_id, "RSRP -104 dBm", [](const json::value& modem) {
        return modem.at("signal").at("rsrp_dbm") == -104;
    });
    EXPECT_EQ(modem.at("signal").at("antennas"), json::array{});
    auto counters = emulator_->control({{"cmd", "counters"}});
    EXPECT_EQ(counters.at("commands_by_name").at("AT+QRSRP"), 1) << json::serialize(counters);
}

} // namespace
} // namespace uplink::testing
