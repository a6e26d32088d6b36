// The QMI face against the real client: qmicli (libqmi-utils) on uplink-sim's /dev/cdc-wdm0.
// Each run opens and closes the pty, as qmicli does, and every printed value is compared with
// the scenario (scenarios/ec25-test.json) or with what the AT face and the control socket say.
// Every wait has a deadline.
#include "tests/sim_process.hpp"

#include <regex>

namespace {

using namespace uplink::sim::testing;

std::string first_match(const std::string& text, const std::string& pattern)
{
    std::smatch match;
    return std::regex_search(text, match, std::regex(pattern)) ? match[1].str() : "";
}

class Qmicli : public ::testing::Test {
protected:
    void SetUp() override
    {
        qmicli_ = find_program("qmicli");
        ASSERT_TRUE(qmicli_) << "qmicli is missing: run scripts/deps (it installs libqmi-utils)";
        root_ = directory_.path() / "root";
        simulator_.emplace(fs::path(UPLINK_SIM_SCENARIOS) / "ec25-test.json", root_,
            directory_.path() / "sim.log",
            std::vector<std::string> {"--qmi-capture", capture().string()});
        ASSERT_EQ(simulator_->ready_line(Clock::now() + 10s).rfind("uplink-sim ready", 0), 0u)
            << slurp(directory_.path() / "sim.log");
        control_.emplace(root_ / "control.sock");
        // Booted, and the SIM has answered: it wants its PIN.
        ASSERT_TRUE(status_has("\"sim_state\":\"pin-required\"", Clock::now() + 10s))
            << control_->call(R"({"cmd":"status"})");
    }

    // qmicli -d <root>/dev/cdc-wdm0 --device-open-qmi --silent <arguments>
    Outcome qmicli(std::vector<std::string> arguments)
    {
        std::vector<std::string> command {
            qmicli_->string(), "-d", device().string(), "--device-open-qmi", "--silent"};
        command.insert(command.end(), arguments.begin(), arguments.end());
        return run_program(command, Clock::now() + 30s);
    }

    fs::path device() const { return root_ / "dev/cdc-wdm0"; }
    fs::path capture() const { return directory_.path() / "qmi.capture"; }

    bool status_has(const std::string& part, Clock::time_point deadline)
    {
        return eventually(
            [&] { return contains(control_->call(R"({"cmd":"status"})"), part); }, deadline);
    }

    void unlock_and_register()
    {
        auto verified = qmicli({"--uim-verify-pin=PIN1,1234"});
        ASSERT_EQ(verified.status, 0) << describe(verified);
        ASSERT_TRUE(status_has("\"registration\":\"home\"", Clock::now() + 10s));
    }

    std::optional<fs::path> qmicli_;
    TemporaryDirectory directory_;
    fs::path root_;
    std::optional<Simulator> simulator_;
    std::optional<Control> control_;
};

TEST_F(Qmicli, IdentityAndSim)
{
    auto ids = qmicli({"--dms-get-ids"});
    ASSERT_EQ(ids.status, 0) << describe(ids);
    EXPECT_TRUE(contains(ids.out, "IMEI: '866758040112340'")) << ids.out;
    EXPECT_TRUE(contains(ids.out, "[" + device().string() + "] Device IDs retrieved:")) << ids.out;
    auto revision = qmicli({"--dms-get-revision"});
    ASSERT_EQ(revision.status, 0) << describe(revision);
    EXPECT_TRUE(contains(revision.out, "Revision: 'EC25EFAR06A06M4G'")) << revision.out;
    auto card = qmicli({"--uim-get-card-status"});
    ASSERT_EQ(card.status, 0) << describe(card);
    EXPECT_TRUE(contains(card.out, "Card state: 'present'")) << card.out;
    EXPECT_TRUE(contains(card.out, "Application state: 'pin1-or-upin-pin-required'")) << card.out;
    EXPECT_TRUE(contains(card.out, "PIN1 state: 'enabled-not-verified'")) << card.out;
    EXPECT_TRUE(contains(card.out, "PIN1 retries: '3'")) << card.out;
    auto iccid = qmicli({"--dms-uim-get-iccid"});
    ASSERT_EQ(iccid.status, 0) << describe(iccid);
    EXPECT_TRUE(contains(iccid.out, "ICCID: '8944001000000000012F'")) << iccid.out;
    // EF_ICCID as the card stores it: BCD with the digits of each byte swapped.
    auto file = qmicli({"--uim-read-transparent=0x3F00,0x2FE2"});
    ASSERT_EQ(file.status, 0) << describe(file);
    EXPECT_TRUE(contains(file.out, "98:44:00:01:00:00:00:00:10:F2")) << file.out;
    // Every qmicli run allocated a CID and released it.
    auto counters = control_->call(R"({"cmd":"counters"})");
    EXPECT_TRUE(contains(counters, R"("CTL Allocate CID":5)")) << counters;
    EXPECT_TRUE(contains(counters, R"("CTL Release CID":5)")) << counters;
}

// --qmi-capture: what qmicli wrote and what the modem answered, byte for byte, by sender.
TEST_F(Qmicli, CaptureHoldsBothSidesOfTheDialogue)
{
    auto ids = qmicli({"--dms-get-ids"});
    ASSERT_EQ(ids.status, 0) << describe(ids);
    auto lines = slurp(capture());
    // DMS Get IDs, no TLVs: QMUX length 12, service 2, any client, request, any tid, 0x0025.
    EXPECT_TRUE(std::regex_search(
        lines, std::regex("\nec25 host 010c000002[0-9a-f]{2}00[0-9a-f]{4}25000000\n")))
        << lines;
    // The answer carries the IMEI as a whole-TLV string (0x11).
    EXPECT_TRUE(std::regex_search(lines, std::regex("\nec25 modem 01[0-9a-f]+110f00"
                                                    "383636373538303430313132333430")))
        << lines;
}

TEST_F(Qmicli, WrongPinCostsATryThatAtAndTheControlSocketSee)
{
    auto wrong = qmicli({"--dms-uim-verify-pin=PIN,0000"});
    EXPECT_EQ(wrong.status, 1) << describe(wrong);
    EXPECT_TRUE(contains(wrong.err, "QMI protocol error (12): 'IncorrectPin'")) << wrong.err;
    EXPECT_TRUE(contains(wrong.err, "Verify: 2")) << wrong.err; // the retries, with the error
    auto counters = control_->call(R"({"cmd":"counters"})");
    EXPECT_TRUE(contains(counters, R"("pin_attempts":1,)")) << counters;
    EXPECT_TRUE(contains(counters, R"("pin_retries_left":2,)")) << counters;
    AtPort port(root_ / "dev/ttyUSB2");
    ASSERT_GE(port.fd(), 0);
    EXPECT_TRUE(contains(port.command("AT+QPINC?", Clock::now() + 5s), "+QPINC: \"SC\",2,10\r\n"));

    auto right = qmicli({"--uim-verify-pin=PIN1,1234"});
    ASSERT_EQ(right.status, 0) << describe(right);
    EXPECT_TRUE(contains(right.out, "PIN verified successfully")) << right.out;
    EXPECT_TRUE(contains(port.command("AT+CPIN?", Clock::now() + 5s), "+CPIN: READY\r\n"));
    EXPECT_TRUE(contains(port.command("AT+QPINC?", Clock::now() + 5s), "+QPINC: \"SC\",3,10\r\n"));
    counters = control_->call(R"({"cmd":"counters"})");
    EXPECT_TRUE(contains(counters, R"("pin_attempts":2,)")) << counters;
}

TEST_F(Qmicli, NetworkAndSignal)
{
    unlock_and_register();
    auto serving = qmicli({"--nas-get-serving-system"});
    ASSERT_EQ(serving.status, 0) << describe(serving);
    EXPECT_TRUE(contains(serving.out, "Registration state: 'registered'")) << serving.out;
    EXPECT_TRUE(contains(serving.out, "PS: 'attached'")) << serving.out;
    EXPECT_TRUE(contains(serving.out, "MCC: '1'")) << serving.out; // 001, printed as a number
    EXPECT_TRUE(contains(serving.out, "MNC: '1'")) << serving.out;
    EXPECT_TRUE(contains(serving.out, "Description: 'Uplink Test UK'")) << serving.out;
    EXPECT_TRUE(contains(serving.out, "3GPP cell ID: '27440068'")) << serving.out; // 1A2B3C4
    EXPECT_TRUE(contains(serving.out, "LTE tracking area code: '55015'")) << serving.out; // D6E7
    auto signal = qmicli({"--nas-get-signal-info"});
    ASSERT_EQ(signal.status, 0) << describe(signal);
    EXPECT_TRUE(contains(signal.out, "RSRP: '-85 dBm'")) << signal.out;
    EXPECT_TRUE(contains(signal.out, "RSRQ: '-8 dB'")) << signal.out;
    EXPECT_TRUE(contains(signal.out, "RSSI: '-58 dBm'")) << signal.out;
    EXPECT_TRUE(contains(signal.out, "SNR: '18.0 dB'")) << signal.out;
    EXPECT_EQ(control_->call(R"({"cmd":"set-signal","rsrp":-101,"sinr":4})"),
        R"({"ok":true,"modem":"ec25"})");
    signal = qmicli({"--nas-get-signal-info"});
    EXPECT_TRUE(contains(signal.out, "RSRP: '-101 dBm'")) << signal.out;
    EXPECT_TRUE(contains(signal.out, "SNR: '4.0 dB'")) << signal.out;
    auto info = qmicli({"--nas-get-system-info"});
    ASSERT_EQ(info.status, 0) << describe(info);
    EXPECT_TRUE(contains(info.out, "MNC: '01'")) << info.out;
}

// The real qmicli sets and reads the RAT preference; the modem's registration and its AT face
// follow, as they share the setting with AT+QCFG="nwscanmode".
TEST_F(Qmicli, SystemSelectionPreference)
{
    unlock_and_register();
    auto initial = qmicli({"--nas-get-system-selection-preference"});
    ASSERT_EQ(initial.status, 0) << describe(initial);
    EXPECT_TRUE(contains(initial.out, "Mode preference: 'gsm, umts, lte'")) << initial.out;
    // libqmi reads the LTE band preference as uplink does: bit n-1 is band n (the EC25's bands).
    EXPECT_TRUE(contains(initial.out, "LTE band preference: '1, 3, 5, 7, 8, 20, 38, 40, 41'")) << initial.out;
    auto umts = qmicli({"--nas-set-system-selection-preference=umts"});
    ASSERT_EQ(umts.status, 0) << describe(umts);
    // The emulated cell is LTE: a UMTS-only modem finds nothing.
    EXPECT_TRUE(status_has("\"registration\":\"searching\"", Clock::now() + 10s))
        << control_->call(R"({"cmd":"status"})");
    auto read = qmicli({"--nas-get-system-selection-preference"});
    EXPECT_TRUE(contains(read.out, "Mode preference: 'umts'")) << read.out;
    auto lte = qmicli({"--nas-set-system-selection-preference=lte"});
    ASSERT_EQ(lte.status, 0) << describe(lte);
    EXPECT_TRUE(status_has("\"registration\":\"home\"", Clock::now() + 10s));
    // The EC25 has no 5G: refused, and the preference stays.
    auto nr = qmicli({"--nas-set-system-selection-preference=5gnr"});
    EXPECT_NE(nr.status, 0) << describe(nr);
    EXPECT_TRUE(contains(nr.err, "InvalidArgument")) << describe(nr);
    read = qmicli({"--nas-get-system-selection-preference"});
    EXPECT_TRUE(contains(read.out, "Mode preference: 'lte'")) << read.out;
}

TEST_F(Qmicli, DataCallStartSettingsStop)
{
    unlock_and_register();
    auto started
        = qmicli({"--wds-start-network=apn=internet,ip-type=4", "--client-no-release-cid"});
    ASSERT_EQ(started.status, 0) << describe(started);
    auto handle = first_match(started.out, "Packet data handle: '(\\d+)'");
    auto cid = first_match(started.out, "CID: '(\\d+)'");
    ASSERT_FALSE(handle.empty()) << started.out;
    ASSERT_FALSE(cid.empty()) << started.out;
    auto status = control_->call(R"({"cmd":"status"})");
    auto address = first_match(status, "\"address\":\"([0-9.]+)\"");
    ASSERT_TRUE(contains(address, "100.")) << status;
    EXPECT_TRUE(contains(status, "\"handle\":" + handle + ",")) << status;

    auto settings
        = qmicli({"--wds-get-current-settings", "--client-cid=" + cid, "--client-no-release-cid"});
    ASSERT_EQ(settings.status, 0) << describe(settings);
    EXPECT_TRUE(contains(settings.out, "IPv4 address: " + address + "\n")) << settings.out;
    EXPECT_TRUE(contains(settings.out, "IPv4 subnet mask: 255.255.255.252")) << settings.out;
    EXPECT_TRUE(contains(settings.out, "IPv4 primary DNS: 100.64.0.53")) << settings.out;
    EXPECT_TRUE(contains(settings.out, "IPv4 secondary DNS: 100.64.0.54")) << settings.out;
    EXPECT_TRUE(contains(settings.out, "MTU: 1500")) << settings.out;
    AtPort port(root_ / "dev/ttyUSB2");
    ASSERT_GE(port.fd(), 0);
    EXPECT_TRUE(contains(
        port.command("AT+CGPADDR=1", Clock::now() + 5s), "+CGPADDR: 1,\"" + address + "\"\r\n"));
    EXPECT_TRUE(contains(port.command("AT+CGACT?", Clock::now() + 5s), "+CGACT: 1,1\r\n"));
    auto again = qmicli({"--wds-start-network=apn=internet,ip-type=4", "--client-cid=" + cid,
        "--client-no-release-cid"});
    EXPECT_EQ(again.status, 1) << describe(again);
    EXPECT_TRUE(contains(again.err, "QMI protocol error (26): 'NoEffect'")) << again.err;

    auto stopped = qmicli({"--wds-stop-network=" + handle, "--client-cid=" + cid});
    ASSERT_EQ(stopped.status, 0) << describe(stopped);
    EXPECT_TRUE(contains(stopped.out, "Network stopped")) << stopped.out;
    EXPECT_TRUE(contains(port.command("AT+CGACT?", Clock::now() + 5s), "+CGACT: 1,0\r\n"));
    EXPECT_TRUE(contains(control_->call(R"({"cmd":"status"})"), "\"bearers\":[]"));
}

TEST_F(Qmicli, UnknownApnFailsWithThe3gppCause)
{
    unlock_and_register();
    auto refused = qmicli({"--wds-start-network=apn=nosuch,ip-type=4"});
    EXPECT_EQ(refused.status, 1) << describe(refused);
    EXPECT_TRUE(
        contains(refused.err, "couldn't start network: QMI protocol error (14): 'CallFailed'"))
        << refused.err;
    EXPECT_TRUE(contains(refused.err, "call end reason (1013): gsm-wcdma-unknown-apn"))
        << refused.err;
    EXPECT_TRUE(contains(refused.err, "verbose call end reason (6,27): [3gpp] unknown-apn"))
        << refused.err;
    EXPECT_TRUE(contains(control_->call(R"({"cmd":"status"})"), "\"bearers\":[]"));
}

TEST_F(Qmicli, BearerDropThenReplug)
{
    unlock_and_register();
    auto started
        = qmicli({"--wds-start-network=apn=internet,ip-type=4", "--client-no-release-cid"});
    ASSERT_EQ(started.status, 0) << describe(started);
    auto cid = first_match(started.out, "CID: '(\\d+)'");
    EXPECT_EQ(control_->call(R"({"cmd":"bearer-drop","cause":38})"),
        R"({"ok":true,"modem":"ec25","bearers":1})");
    auto dropped = qmicli({"--wds-get-packet-service-status", "--client-cid=" + cid});
    ASSERT_EQ(dropped.status, 0) << describe(dropped);
    EXPECT_TRUE(contains(dropped.out, "Connection status: 'disconnected'")) << dropped.out;

    EXPECT_EQ(control_->call(R"({"cmd":"unplug"})"), R"({"ok":true,"modem":"ec25"})");
    EXPECT_FALSE(fs::exists(device()));
    EXPECT_EQ(control_->call(R"({"cmd":"replug"})"), R"({"ok":true,"modem":"ec25"})");
    EXPECT_TRUE(fs::is_symlink(device()));
    ASSERT_TRUE(status_has("\"sim_state\":\"pin-required\"", Clock::now() + 10s));
    auto ids = qmicli({"--dms-get-ids"});
    ASSERT_EQ(ids.status, 0) << describe(ids);
    EXPECT_TRUE(contains(ids.out, "IMEI: '866758040112340'")) << ids.out;
}

} // namespace
