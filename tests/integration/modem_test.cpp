// uplinkd against uplink-sim: the daemon must report exactly what the scenario says, follow
// changes, and survive the faults a real modem shows (unplug, SIM out, hung port, noise, wrong PIN).
#include "harness.hpp"

#include "scenario.hpp"   // uplink-sim's scenario: the expected values come from the same file

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace uplink::testing {
namespace {

namespace json = boost::json;

std::int64_t number(const json::value& value, std::string_view key)
{
    const auto* field = value.as_object().if_contains(key);
    return field && field->is_int64() ? field->as_int64() : INT64_MIN;
}

bool registered(const json::value& modem) { return text(modem, "state") == "registered"; }

class ModemTest : public ::testing::Test {
protected:
    // Starts uplink-sim with `scenario_file` and uplinkd with `pin` (the scenario's own PIN when empty).
    void start(const std::string& scenario_file = "ec25-test.json", std::string pin = "")
    {
        std::string message;
        auto parsed = sim::load_scenario(scenario_path(scenario_file).string(), message);
        ASSERT_TRUE(parsed) << message;
        scenario_ = *parsed;
        modem_ = scenario_.modems.at(0);
        sim_ = *scenario_.find_sim(*modem_.sim);
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_path(scenario_file));
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_,
                                           Daemon::Settings{.pin = pin.empty() ? sim_.pin : pin});
    }

    json::value wait_registered()
    {
        return daemon_->wait_for_modem(modem_.usb.path, "registered", registered);
    }

    TemporaryDirectory directory_;
    sim::Scenario scenario_;
    sim::ModemSpec modem_;
    sim::SimSpec sim_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(ModemTest, ReportsTheScenarioValues)
{
    start();
    // A +CEREG URC reports the registration at once; the operator follows with the next poll.
    auto modem = daemon_->wait_for_modem(modem_.usb.path, "registered with its operator", [](const json::value& value) {
        return registered(value) && !text(value.at("registration"), "operator_id").empty();
    });
    ASSERT_TRUE(registered(modem));

    const auto& identity = modem.at("identity");
    EXPECT_EQ(text(identity, "manufacturer"), modem_.manufacturer);
    EXPECT_EQ(text(identity, "model"), modem_.model);
    EXPECT_EQ(text(identity, "revision"), modem_.revision);
    EXPECT_EQ(text(identity, "imei"), modem_.imei);

    const auto& sim = modem.at("sim");
    auto iccid = sim_.iccid;
    if (iccid.ends_with('F'))
        iccid.pop_back();   // a 19-digit ICCID is padded with F on the card, not part of the number
    EXPECT_EQ(text(sim, "state"), "ready");
    EXPECT_EQ(text(sim, "iccid"), iccid);
    EXPECT_EQ(text(sim, "imsi"), sim_.imsi);

    const auto* home = scenario_.home_operator(sim_.imsi);
    ASSERT_NE(home, nullptr);
    EXPECT_EQ(text(sim, "operator_id"), home->plmn());

    const auto& registration = modem.at("registration");
    const auto* serving = scenario_.find_operator(modem_.radio.operator_plmn);
    ASSERT_NE(serving, nullptr);
    EXPECT_EQ(text(registration, "state"), serving == home ? "home" : "roaming");
    EXPECT_EQ(text(registration, "technology"), "lte");
    EXPECT_EQ(text(registration, "operator_name"), serving->long_name);
    EXPECT_EQ(text(registration, "operator_id"), serving->plmn());
    EXPECT_EQ(number(registration, "tac"), modem_.radio.tac);
    EXPECT_EQ(number(registration, "cell_id"), modem_.radio.cell_id);

    // The first poll after registration fills the signal.
    modem = daemon_->wait_for_modem(modem_.usb.path, "a signal reading", [](const json::value& value) {
        return !value.at("signal").at("rsrp_dbm").is_null();
    });
    const auto& signal = modem.at("signal");
    const auto& carrier = modem_.radio.primary;
    EXPECT_EQ(number(signal, "rsrp_dbm"), carrier.rsrp);
    EXPECT_EQ(number(signal, "rsrq_db"), carrier.rsrq);
    EXPECT_EQ(number(signal, "sinr_db"), carrier.sinr);
    EXPECT_EQ(number(signal, "band"), carrier.band);
    EXPECT_EQ(number(signal, "earfcn"), carrier.earfcn);
    EXPECT_EQ(number(signal, "pci"), carrier.pci);
    // CSQ reports RSSI in 2 dB steps from -113 dBm; QENG gives it to the dB.
    EXPECT_NEAR(static_cast<double>(number(signal, "rssi_dbm")), carrier.rssi, 2.0);

    const auto& device = modem.at("device");
    EXPECT_EQ(text(device, "vendor_id"), modem_.usb.vendor_id);
    EXPECT_EQ(text(device, "product_id"), modem_.usb.product_id);
    bool has_at_port = false;
    for (const auto& port : device.at("ports").as_array())
        has_at_port |= text(port, "name") == "ttyUSB2" && text(port, "role") == "at";
    EXPECT_TRUE(has_at_port) << json::serialize(device);
}

TEST_F(ModemTest, CliStatusShowsTheModemRegistered)
{
    start();
    wait_registered();
    auto result = run_command({binary_path("uplink"), "--socket", daemon_->socket().string(), "--json", "status"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto status = json::parse(result.out);
    const auto& modems = status.at("modems").as_array();
    ASSERT_EQ(modems.size(), 1u);
    EXPECT_EQ(text(modems[0], "id"), modem_.usb.path);
    EXPECT_EQ(text(modems[0], "state"), "registered");

    auto human = run_command({binary_path("uplink"), "--socket", daemon_->socket().string(), "status"});
    ASSERT_EQ(human.exit_code, 0) << human.err;
    EXPECT_NE(human.out.find("registered"), std::string::npos) << human.out;
    EXPECT_NE(human.out.find(modem_.model), std::string::npos) << human.out;
}

TEST_F(ModemTest, SignalChangeInTheEmulatorShowsInTheApi)
{
    start();
    wait_registered();
    emulator_->control({{"cmd", "set-signal"}, {"rsrp", -111}, {"rsrq", -15}, {"sinr", -2}});
    auto modem = daemon_->wait_for_modem(modem_.usb.path, "RSRP -111", [](const json::value& value) {
        return number(value.at("signal"), "rsrp_dbm") == -111;
    });
    EXPECT_EQ(number(modem.at("signal"), "rsrq_db"), -15);
    EXPECT_EQ(number(modem.at("signal"), "sinr_db"), -2);
}

TEST_F(ModemTest, AtCommandRoundTripsThroughTheQueue)
{
    start();
    wait_registered();
    auto reply = daemon_->request("POST", "/v1/modems/" + modem_.usb.path + "/at", json::object{{"command", "AT+CSQ"}});
    ASSERT_EQ(number(reply, "status"), 200) << json::serialize(reply);
    const auto& body = reply.at("body");
    EXPECT_EQ(text(body, "final"), "OK");
    ASSERT_FALSE(body.at("lines").as_array().empty());
    EXPECT_TRUE(body.at("lines").as_array()[0].as_string().starts_with("+CSQ: "));

    auto unknown = daemon_->request("POST", "/v1/modems/" + modem_.usb.path + "/at", json::object{{"command", "AT+NOSUCH"}});
    EXPECT_EQ(number(unknown, "status"), 200);
    EXPECT_EQ(text(unknown.at("body"), "final"), "ERROR");
}

TEST_F(ModemTest, UnplugRemovesTheModemAndReplugBringsItBack)
{
    start();
    auto before = wait_registered();
    emulator_->control({{"cmd", "unplug"}});
    daemon_->wait_for_absence(modem_.usb.path);
    emulator_->control({{"cmd", "replug"}});
    auto after = wait_registered();
    EXPECT_EQ(after.at("identity"), before.at("identity"));
    EXPECT_EQ(text(after.at("sim"), "iccid"), text(before.at("sim"), "iccid"));
}

TEST_F(ModemTest, SimRemovalIsReportedAndReinsertionRecovers)
{
    start();
    wait_registered();
    emulator_->control({{"cmd", "sim-remove"}});
    auto modem = daemon_->wait_for_modem(modem_.usb.path, "SIM missing", [](const json::value& value) {
        return text(value.at("sim"), "state") == "missing";
    });
    EXPECT_EQ(text(modem, "state"), "failed");
    EXPECT_EQ(text(modem, "failed_reason"), "sim-missing");
    emulator_->control({{"cmd", "sim-insert"}});
    modem = wait_registered();
    EXPECT_EQ(text(modem.at("sim"), "state"), "ready");
}

TEST_F(ModemTest, HungPortIsDetectedWithinItsTimeoutAndRecovered)
{
    start();
    wait_registered();
    emulator_->control({{"cmd", "hang"}, {"port", "ttyUSB2"}});
    // Detection takes at most a poll interval (1 s) plus two timed-out commands (at_timeout, 1 s
    // each). The watchdog is generous for that, yet shorter than two timeouts of the default 5 s:
    // an at_timeout left unapplied fails here.
    daemon_->wait_for_modem(modem_.usb.path, "the hung port to be reported", [](const json::value& value) {
        return text(value, "failed_reason") == "port-hung";
    }, 8s);
    EXPECT_NE(daemon_->process().errors().find("2 timeouts in a row: hung"), std::string::npos)
        << daemon_->process().errors();
    emulator_->control({{"cmd", "unhang"}, {"port", "ttyUSB2"}});
    wait_registered();
}

TEST_F(ModemTest, GarbageOnThePortIsIgnored)
{
    start();
    wait_registered();
    emulator_->control({{"cmd", "garbage"}, {"port", "ttyUSB2"}, {"hex", "00ff1b5b324a0d0a2b4345524547fe0d0a8081"}});
    emulator_->control({{"cmd", "garbage"}, {"port", "ttyUSB2"}, {"text", std::string(6000, 'x') + "\r\n"}});
    emulator_->control({{"cmd", "set-signal"}, {"rsrp", -101}});
    daemon_->wait_for_modem(modem_.usb.path, "RSRP -101 after the garbage", [](const json::value& value) {
        return number(value.at("signal"), "rsrp_dbm") == -101;
    });
    EXPECT_TRUE(daemon_->process().running());
    EXPECT_EQ(text(daemon_->get("/v1/modems/" + modem_.usb.path), "state"), "registered");
}

TEST_F(ModemTest, WrongPinIsTriedExactlyOnceAcrossRestartsAndReplugs)
{
    start("ec25-test.json", "0000");
    ASSERT_NE(sim_.pin, "0000");
    auto wrong_pin = [](const json::value& value) { return text(value, "failed_reason") == "wrong-pin"; };
    auto modem = daemon_->wait_for_modem(modem_.usb.path, "the wrong PIN to be reported", wrong_pin);
    EXPECT_EQ(text(modem, "state"), "failed");
    EXPECT_EQ(number(modem.at("sim"), "pin_retries"), sim_.pin_retries - 1);
    EXPECT_EQ(emulator_->control({{"cmd", "counters"}}).at("pin_attempts").as_int64(), 1);

    daemon_->restart();
    daemon_->wait_for_modem(modem_.usb.path, "the remembered wrong PIN after a restart", wrong_pin);
    emulator_->control({{"cmd", "unplug"}});
    daemon_->wait_for_absence(modem_.usb.path);
    emulator_->control({{"cmd", "replug"}});
    daemon_->wait_for_modem(modem_.usb.path, "the remembered wrong PIN after a replug", wrong_pin);
    EXPECT_EQ(emulator_->control({{"cmd", "counters"}}).at("pin_attempts").as_int64(), 1);
}

TEST_F(ModemTest, ConfiguredPinUnlocksTheSim)
{
    start();
    auto modem = wait_registered();
    EXPECT_EQ(emulator_->control({{"cmd", "counters"}}).at("pin_attempts").as_int64(), 1);
    EXPECT_EQ(number(modem.at("sim"), "pin_retries"), sim_.pin_retries);
}

// The state directory holds the admin password's hash and the API tokens: uplinkd refuses to
// start on one that another user could write, rather than trust what it holds.
TEST(StateDirectory, UplinkdRefusesOneOthersCanWrite)
{
    TemporaryDirectory directory;
    auto state = directory.path() / "state";
    std::filesystem::create_directory(state);
    std::filesystem::permissions(state, std::filesystem::perms::all);   // 0777
    std::ofstream(directory.path() / "uplink.conf")
        << "config uplink 'main'\n\toption state_dir '" << state.string() << "'\n\toption socket '"
        << (directory.path() / "uplink.sock").string() << "'\n\toption sysfs_root '" << directory.path().string()
        << "'\n\toption dev_root '" << directory.path().string() << "'\n\nconfig web\n\toption enabled '0'\n";
    Process uplinkd({binary_path("uplinkd").string(), "--config", (directory.path() / "uplink.conf").string()},
                    directory.path() / "uplinkd.out", directory.path() / "uplinkd.log");
    auto status = uplinkd.wait(deadline_in(10s));
    ASSERT_TRUE(status) << "uplinkd started on a world-writable state directory:\n" << uplinkd.errors();
    EXPECT_NE(*status, 0);
    EXPECT_NE(uplinkd.errors().find("the state directory cannot be trusted: " + state.string()
                                    + " is writable by every user (mode 0777)"),
              std::string::npos)
        << uplinkd.errors();
    EXPECT_FALSE(std::filesystem::exists(directory.path() / "uplink.sock"));
}

} // namespace
} // namespace uplink::testing
