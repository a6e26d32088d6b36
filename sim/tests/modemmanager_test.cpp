// ModemManager against the emulator (modem-protocols.md §6.3): `ModemManager --test-session
// --no-auto-scan --test-enable` on a private D-Bus bus, given uplink-sim's AT socket through
// org.freedesktop.ModemManager1.Test.SetProfile("emu", "quectel", [<root>/ec25-at.sock]).
// ModemManager probes the socket as a Quectel modem; `mmcli --test-session -K` must then show
// what scenarios/ec25-test.json says: identity, SIM lock and PIN, ICCID and IMSI, operator,
// registration and signal. Every wait has a deadline; the processes stop with the fixture.
//
// What this cannot cover, and why (ModemManager 1.20.4, Debian 12):
// - Only the AT face. Test.SetProfile makes every port a virtual AT port over a unix socket
//   (src/mm-base-modem.c: base_modem_create_virtual_port() only ever makes an AT serial port,
//   MM_PORT_SUBSYS_UNIX); QMI and MBIM ports cannot be virtual, so ModemManager never talks
//   to the emulated cdc-wdm0 here, and a data connection (which on this modem would go
//   through QMI's WDS, or PPP on an AT port, which the emulator does not do: ATD answers
//   NO CARRIER) is not tried.
// - The emulator does not answer AT+GCAP and AT+WS46=? (no captured EC25 reply to copy), so
//   ModemManager logs "couldn't load supported modes: Couldn't retrieve supported modes" and
//   shows "supported: gsm-umts" without lte; it still reads access tech lte from +COPS?, but
//   follows registration through +CREG/+CGREG only, not +CEREG. Not asserted.
// - ModemManager 1.20's Quectel plugin reads the PIN retries with AT+CSIM (VERIFY/UNBLOCK
//   APDUs), which the emulator does not emulate: "couldn't load retry count for lock
//   'sim-pin': Unknown error", so mmcli shows no unlock retries. The retries are asserted on
//   the control socket instead.
#include "tests/sim_process.hpp"

#include <algorithm>
#include <map>

namespace {

using namespace uplink::sim::testing;

// A program that runs for the whole test (dbus-daemon, ModemManager), with its output in a
// file and `environment` added to ours; SIGTERM when the test ends, SIGKILL 5 s later.
class Background {
public:
    Background(const std::vector<std::string>& arguments,
        const std::vector<std::string>& environment, const fs::path& output)
    {
        std::vector<std::string> variables = environment;
        for (char** entry = environ; *entry != nullptr; ++entry) {
            std::string variable = *entry;
            auto name = variable.substr(0, variable.find('=') + 1);
            bool replaced = false;
            for (const auto& added : environment)
                replaced = replaced || added.rfind(name, 0) == 0;
            if (!replaced)
                variables.push_back(variable);
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(
            &actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        std::vector<std::string> copies = arguments;
        auto argv = pointers(copies);
        auto envp = pointers(variables);
        if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0)
            pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~Background()
    {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGTERM);
        auto deadline = Clock::now() + 5s;
        while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
            if (Clock::now() >= deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, nullptr, 0);
                break;
            }
            ::poll(nullptr, 0, 20);
        }
    }
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    bool started() const { return pid_ > 0; }

private:
    static std::vector<char*> pointers(std::vector<std::string>& texts)
    {
        std::vector<char*> list;
        for (auto& text : texts)
            list.push_back(text.data());
        list.push_back(nullptr);
        return list;
    }

    pid_t pid_ = -1;
};

// mmcli -K prints "key : value" lines; "--" is an empty value.
std::map<std::string, std::string> key_values(const std::string& text)
{
    std::map<std::string, std::string> values;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = std::min(text.find('\n', start), text.size());
        auto line = text.substr(start, end - start);
        start = end + 1;
        auto separator = line.find(" : ");
        if (separator == std::string::npos)
            continue;
        auto key = line.substr(0, line.find_last_not_of(' ', separator) + 1);
        values[key] = line.substr(separator + 3);
    }
    return values;
}

// A bus that only this test uses: no service activation, anyone may own any name.
constexpr std::string_view bus_configuration = R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=@SOCKET@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
)";

std::optional<fs::path> find_tool(const std::string& name)
{
    if (auto found = find_program(name))
        return found;
    for (const char* directory : {"/usr/sbin", "/sbin"}) // ModemManager, with a user's PATH
        if (::access((fs::path(directory) / name).c_str(), X_OK) == 0)
            return fs::path(directory) / name;
    return std::nullopt;
}

class ModemManagerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        for (const auto* name : {"ModemManager", "mmcli", "dbus-daemon", "gdbus"}) {
            auto found = find_tool(name);
            ASSERT_TRUE(found) << name << " is missing: run scripts/deps (it installs "
                               << "modemmanager, dbus-daemon and libglib2.0-bin)";
            tools_[name] = *found;
        }
        auto root = directory_.path() / "root";
        simulator_.emplace(
            fs::path(UPLINK_SIM_SCENARIOS) / "ec25-test.json", root, directory_.path() / "sim.log");
        ASSERT_EQ(simulator_->ready_line(Clock::now() + 10s).rfind("uplink-sim ready", 0), 0u)
            << slurp(directory_.path() / "sim.log");
        control_.emplace(root / "control.sock");
        socket_ = root / "ec25-at.sock";
        ASSERT_TRUE(contains(
            control_->call(R"({"cmd":"status"})"), R"("at.sock":")" + socket_.string() + "\""));
        ASSERT_TRUE(eventually(
            [&] { return contains(control_->call(R"({"cmd":"status"})"), "pin-required"); },
            Clock::now() + 10s));

        start_bus();
        modem_manager_.emplace(
            std::vector<std::string> {tools_["ModemManager"].string(), "--test-session",
                "--no-auto-scan", "--test-no-udev", "--test-no-suspend-resume", "--test-enable",
                "--debug", "--log-timestamps"},
            std::vector<std::string> {"DBUS_SESSION_BUS_ADDRESS=" + address_}, log_path());
        ASSERT_TRUE(modem_manager_->started());
        // Refused (ServiceUnknown) until ModemManager owns its name on the bus.
        Outcome profile;
        ASSERT_TRUE(eventually(
            [&] {
                profile = client({tools_["gdbus"].string(), "call", "--session", "--dest",
                    "org.freedesktop.ModemManager1", "--object-path",
                    "/org/freedesktop/ModemManager1", "--method",
                    "org.freedesktop.ModemManager1.Test.SetProfile", "emu", "quectel",
                    "['" + socket_.string() + "']"});
                return profile.status == 0;
            },
            Clock::now() + 20s))
            << describe(profile) << mm_log();
        EXPECT_EQ(profile.out, "()\n");
        ASSERT_TRUE(eventually(
            [&] { return contains(mmcli({"-L"}).out, "/org/freedesktop/ModemManager1/Modem/"); },
            Clock::now() + 60s))
            << mm_log();
    }

    void start_bus()
    {
        auto configuration = directory_.path() / "bus.conf";
        auto text = std::string(bus_configuration);
        text.replace(text.find("@SOCKET@"), 8, (directory_.path() / "bus.sock").string());
        std::ofstream(configuration) << text;
        auto address_file = directory_.path() / "bus.address";
        bus_.emplace(
            std::vector<std::string> {tools_["dbus-daemon"].string(),
                "--config-file=" + configuration.string(), "--nofork", "--print-address=1"},
            std::vector<std::string> {}, address_file);
        ASSERT_TRUE(bus_->started());
        ASSERT_TRUE(eventually(
            [&] { return contains(slurp(address_file), "unix:path="); }, Clock::now() + 10s))
            << slurp(address_file);
        auto printed = slurp(address_file);
        address_ = printed.substr(printed.find("unix:path="));
        address_ = address_.substr(0, address_.find('\n'));
    }

    // A client of the private bus, run to completion (30 s at most).
    Outcome client(std::vector<std::string> arguments)
    {
        arguments.insert(arguments.begin(), {"env", "DBUS_SESSION_BUS_ADDRESS=" + address_});
        return run_program(arguments, Clock::now() + 30s);
    }

    Outcome mmcli(std::vector<std::string> arguments)
    {
        arguments.insert(arguments.begin(), {tools_["mmcli"].string(), "--test-session"});
        return client(std::move(arguments));
    }

    std::map<std::string, std::string> modem()
    {
        return key_values(mmcli({"-m", "any", "-K"}).out);
    }
    std::map<std::string, std::string> sim() { return key_values(mmcli({"-i", "any", "-K"}).out); }

    // Polls `read` until `key` reads `value`; the last reading otherwise.
    std::string until(const std::function<std::map<std::string, std::string>()>& read,
        const std::string& key, const std::string& value, std::chrono::seconds limit)
    {
        std::string seen;
        eventually(
            [&] {
                seen = read()[key];
                return seen == value;
            },
            Clock::now() + limit);
        return seen;
    }

    fs::path log_path() const { return directory_.path() / "modemmanager.log"; }
    // The end of ModemManager's debug log, for a failure message.
    std::string mm_log() const
    {
        auto text = slurp(log_path());
        return "\nModemManager log (end):\n"
            + text.substr(text.size() > 6000 ? text.size() - 6000 : 0);
    }

    std::map<std::string, fs::path> tools_;
    TemporaryDirectory directory_;
    fs::path socket_;
    std::string address_;
    // Declared in start order: destroyed (stopped) in the reverse one.
    std::optional<Simulator> simulator_;
    std::optional<Control> control_;
    std::optional<Background> bus_;
    std::optional<Background> modem_manager_;
};

TEST_F(ModemManagerTest, ShowsTheLockedModemThenTakesThePin)
{
    ASSERT_EQ(until([&] { return modem(); }, "modem.generic.state", "locked", 10s), "locked");
    auto locked = modem();
    EXPECT_EQ(locked["modem.generic.manufacturer"], "Quectel");
    EXPECT_EQ(locked["modem.generic.model"], "EC25");
    EXPECT_EQ(locked["modem.generic.revision"], "EC25EFAR06A06M4G");
    EXPECT_EQ(locked["modem.generic.equipment-identifier"], "866758040112340");
    EXPECT_EQ(locked["modem.generic.plugin"], "quectel");
    EXPECT_EQ(locked["modem.generic.primary-port"], socket_.string());
    EXPECT_EQ(locked["modem.generic.ports.value[1]"], socket_.string() + " (at)");
    EXPECT_EQ(locked["modem.generic.state"], "locked");
    EXPECT_EQ(locked["modem.generic.unlock-required"], "sim-pin");
    EXPECT_EQ(locked["modem.3gpp.enabled-locks.value[1]"], "sim");
    // The ICCID needs no PIN (AT+CRSM READ BINARY of EF_ICCID); MM drops the F padding.
    EXPECT_EQ(until([&] { return sim(); }, "sim.properties.iccid", "8944001000000000012", 10s),
        "8944001000000000012");
    EXPECT_TRUE(contains(control_->call(R"({"cmd":"status"})"), R"("at_connections":1)"));

    auto wrong = mmcli({"-i", "any", "--pin=0000"});
    EXPECT_NE(wrong.status, 0) << describe(wrong);
    EXPECT_TRUE(contains(wrong.err,
        "error: couldn't send PIN code to the SIM: 'GDBus.Error:org.freedesktop.ModemManager1."
        "Error.MobileEquipment.IncorrectPassword: Incorrect password'"))
        << describe(wrong);
    auto counters = control_->call(R"({"cmd":"counters"})");
    EXPECT_TRUE(contains(counters, R"("pin_attempts":1,)")) << counters;
    EXPECT_TRUE(contains(counters, R"("pin_retries_left":2,)")) << counters;

    auto right = mmcli({"-i", "any", "--pin=1234"});
    ASSERT_EQ(right.status, 0) << describe(right);
    EXPECT_EQ(right.out, "successfully sent PIN code to the SIM\n");
    EXPECT_EQ(until([&] { return modem(); }, "modem.generic.state", "disabled", 30s), "disabled")
        << mm_log();
    EXPECT_EQ(modem()["modem.generic.unlock-required"], "--");
    EXPECT_EQ(until([&] { return sim(); }, "sim.properties.imsi", "001010000000001", 10s),
        "001010000000001");
    EXPECT_TRUE(contains(control_->call(R"({"cmd":"status"})"), R"("sim_state":"ready")"));
}

TEST_F(ModemManagerTest, EnabledModemShowsOperatorAndSignal)
{
    ASSERT_EQ(mmcli({"-i", "any", "--pin=1234"}).status, 0);
    ASSERT_EQ(until([&] { return modem(); }, "modem.generic.state", "disabled", 30s), "disabled")
        << mm_log();
    auto enabled = mmcli({"-m", "any", "-e"});
    ASSERT_EQ(enabled.status, 0) << describe(enabled) << mm_log();
    EXPECT_EQ(enabled.out, "successfully enabled the modem\n");
    EXPECT_EQ(
        until([&] { return modem(); }, "modem.generic.state", "registered", 30s), "registered")
        << mm_log();
    EXPECT_EQ(until([&] { return modem(); }, "modem.3gpp.operator-name", "Uplink Test UK", 10s),
        "Uplink Test UK");
    auto registered = modem();
    EXPECT_EQ(registered["modem.3gpp.operator-code"], "00101");
    EXPECT_EQ(registered["modem.3gpp.registration-state"], "home");
    EXPECT_EQ(registered["modem.3gpp.imei"], "866758040112340");
    EXPECT_EQ(registered["modem.generic.access-technologies.value[1]"], "lte");
    // RSSI -58 dBm is +CSQ: 27 (27.007 §8.5: -113 + 2 * 27 = -59); ModemManager: 27 * 100 / 31.
    EXPECT_EQ(
        until([&] { return modem(); }, "modem.generic.signal-quality.value", "87", 20s), "87");

    // Extended signal from AT+CESQ (RSRQ -8 dB, RSRP -85 dBm), then a change it polls for.
    auto setup = mmcli({"-m", "any", "--signal-setup=5"});
    ASSERT_EQ(setup.status, 0) << describe(setup);
    auto signal = [&] { return key_values(mmcli({"-m", "any", "--signal-get", "-K"}).out); };
    EXPECT_EQ(until(signal, "modem.signal.lte.rsrp", "-85.00", 20s), "-85.00") << mm_log();
    EXPECT_EQ(signal()["modem.signal.lte.rsrq"], "-8.00");
    EXPECT_EQ(signal()["modem.signal.refresh.rate"], "5");
    EXPECT_EQ(control_->call(R"({"cmd":"set-signal","rsrp":-101,"rsrq":-12})"),
        R"({"ok":true,"modem":"ec25"})");
    EXPECT_EQ(until(signal, "modem.signal.lte.rsrp", "-101.00", 20s), "-101.00") << mm_log();
    EXPECT_EQ(signal()["modem.signal.lte.rsrq"], "-12.00");
}

} // namespace
