// The real uplink-sim binary: its tree, its AT port on a pty, its control socket, its exit.
// Every wait has a deadline; nothing sleeps.
#include "tests/sim_process.hpp"

namespace {

using namespace uplink::sim::testing;

class EmulatorBinary : public ::testing::Test {
protected:
    void SetUp() override
    {
        root_ = directory_.path() / "root";
        simulator_.emplace(fs::path(UPLINK_SIM_SCENARIOS) / "ec25-test.json", root_,
            directory_.path() / "sim.log");
        auto ready = simulator_->ready_line(Clock::now() + 10s);
        ASSERT_EQ(ready,
            "uplink-sim ready root=" + root_.string()
                + " control=" + (root_ / "control.sock").string())
            << slurp(directory_.path() / "sim.log");
    }

    fs::path sys(const std::string& relative) const { return root_ / "sys" / relative; }

    TemporaryDirectory directory_;
    fs::path root_;
    std::optional<Simulator> simulator_;
};

TEST_F(EmulatorBinary, TreeLooksLikeAnEc25)
{
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/idVendor")), "2c7c\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/idProduct")), "0125\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/manufacturer")), "Quectel\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/busnum")), "1\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/bNumInterfaces")), " 5\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1:1.2/bInterfaceNumber")), "02\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1:1.2/bInterfaceClass")), "ff\n");
    EXPECT_EQ(fs::read_symlink(sys("bus/usb/devices/1-1:1.2/driver")).filename(), "option");
    EXPECT_EQ(fs::read_symlink(sys("bus/usb/devices/1-1:1.4/driver")).filename(), "qmi_wwan");
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1:1.2/ttyUSB2")));
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1:1.4/usbmisc/cdc-wdm0")));
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1:1.4/net/wwan0")));
    EXPECT_TRUE(fs::is_directory(sys("class/tty/ttyUSB3")));
    EXPECT_EQ(fs::read_symlink(root_ / "dev/ttyUSB2").string().rfind("/dev/pts/", 0), 0u);
    EXPECT_EQ(fs::read_symlink(root_ / "dev/cdc-wdm0").string().rfind("/dev/pts/", 0), 0u);
    EXPECT_EQ(fs::read_symlink(sys("class/usbmisc/cdc-wdm0")).filename(), "cdc-wdm0");
}

TEST_F(EmulatorBinary, PortsAreRaw)
{
    // qmicli sets no termios: QMUX bytes 0x0D/0x0A must pass untouched (qmicli-spec.md §1).
    for (auto name : {"dev/ttyUSB2", "dev/cdc-wdm0"}) {
        AtPort port(root_ / name);
        ASSERT_GE(port.fd(), 0) << name;
        termios settings {};
        ASSERT_EQ(::tcgetattr(port.fd(), &settings), 0);
        EXPECT_EQ(settings.c_lflag & (ECHO | ICANON | ISIG), 0u) << name;
        EXPECT_EQ(settings.c_iflag & (ICRNL | INLCR | IGNCR), 0u) << name;
        EXPECT_EQ(settings.c_oflag & OPOST, 0u) << name;
    }
}

TEST_F(EmulatorBinary, AnswersAndFollowsTheControlSocket)
{
    auto deadline = Clock::now() + 20s;
    {
        AtPort port(root_ / "dev/ttyUSB2");
        ASSERT_GE(port.fd(), 0);
        ASSERT_TRUE(contains(port.until("AT", "OK", deadline), "OK"));
        EXPECT_TRUE(contains(port.command("ATI", deadline),
            "ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n"));
        EXPECT_TRUE(contains(
            port.until("AT+CPIN?", "+CPIN:", deadline), "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"));
        EXPECT_TRUE(contains(port.command("AT+CPIN=1234", deadline), "\r\nOK\r\n"));
        EXPECT_TRUE(contains(port.until("AT+CEREG?", "+CEREG: 0,1", deadline), "+CEREG: 0,1"));

        Control control(root_ / "control.sock");
        EXPECT_EQ(
            control.call(R"({"cmd":"set-signal","rsrp":-100,"rsrq":-12,"sinr":5,"rssi":-70})"),
            R"({"ok":true,"modem":"ec25"})");
        EXPECT_TRUE(contains(port.command("AT+CSQ", deadline), "+CSQ: 21,99\r\n"));
        EXPECT_TRUE(
            contains(port.command("AT+QENG=\"servingcell\"", deadline), ",D6E7,-100,-12,-70,5,"));
        auto counters = control.call(R"({"cmd":"counters","modem":"ec25"})");
        EXPECT_TRUE(contains(counters, R"("pin_attempts":1,)")) << counters;
        EXPECT_TRUE(contains(counters, R"("AT+CPIN":)")) << counters;
        EXPECT_TRUE(contains(counters, R"("AT+CSQ":1)")) << counters;
        EXPECT_TRUE(contains(control.call("nonsense"), R"("ok":false)"));
        EXPECT_EQ(control.call(R"({"cmd":"unplug","modem":"nosuch"})"),
            R"({"ok":false,"error":"unknown modem \"nosuch\""})");

        EXPECT_EQ(control.call(R"({"cmd":"unplug"})"), R"({"ok":true,"modem":"ec25"})");
        EXPECT_FALSE(fs::exists(sys("bus/usb/devices/1-1")));
        EXPECT_FALSE(fs::exists(sys("devices/platform/uplink-sim/usb1/1-1")));
        EXPECT_FALSE(fs::exists(sys("class/tty/ttyUSB2")));
        EXPECT_FALSE(fs::exists(root_ / "dev/ttyUSB2"));
        EXPECT_FALSE(fs::exists(root_ / "dev/cdc-wdm0"));
        pollfd entry {port.fd(), POLLIN, 0};
        ASSERT_EQ(::poll(&entry, 1, 5000), 1);
        EXPECT_NE(entry.revents & (POLLHUP | POLLERR), 0); // the client sees the port go
        EXPECT_TRUE(contains(control.call(R"({"cmd":"status"})"), R"("plugged":false)"));

        EXPECT_EQ(control.call(R"({"cmd":"replug"})"), R"({"ok":true,"modem":"ec25"})");
        EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/idVendor")), "2c7c\n");
        EXPECT_TRUE(contains(control.call(R"({"cmd":"status"})"), R"("plugged":true)"));
    }
    AtPort replugged(root_ / "dev/ttyUSB2");
    ASSERT_GE(replugged.fd(), 0);
    EXPECT_TRUE(contains(
        replugged.until("AT+CPIN?", "+CPIN:", deadline), "+CPIN: SIM PIN")); // a fresh power-on
    EXPECT_TRUE(contains(replugged.command("AT+CSQ", deadline), "+CSQ: 99,99"));

    auto status = simulator_->terminate(Clock::now() + 10s);
    EXPECT_EQ(status, 0);
    EXPECT_FALSE(fs::exists(root_ / "sys"));
    EXPECT_FALSE(fs::exists(root_ / "dev"));
    EXPECT_FALSE(fs::exists(root_ / "control.sock"));
}

// The modem's hub port as the kernel shows it with per-port power switching: writing 1 to its
// `disable` file takes the modem off the bus as an unplug does, 0 powers it up again.
TEST_F(EmulatorBinary, TheHubPortsDisableFileSwitchesTheModemOffAndOn)
{
    auto deadline = Clock::now() + 20s;
    auto disable = sys("bus/usb/devices/usb1/1-0:1.0/usb1-port1/disable");
    EXPECT_EQ(slurp(disable), "0\n");
    Control control(root_ / "control.sock");
    auto status = [&control] { return control.call(R"({"cmd":"status"})"); };
    auto write = [&disable](const char* value) { std::ofstream(disable) << value; };
    EXPECT_TRUE(contains(status(), R"("port_power":"on")"));

    write("1");
    ASSERT_TRUE(eventually([&] { return contains(status(), R"("port_power":"off")"); }, deadline));
    EXPECT_TRUE(contains(status(), R"("plugged":false)"));
    EXPECT_FALSE(fs::exists(sys("bus/usb/devices/1-1")));
    EXPECT_FALSE(fs::exists(root_ / "dev/ttyUSB2"));
    EXPECT_TRUE(fs::exists(disable)); // the port stays with its hub

    write("maybe"); // refused, as the kernel refuses it: still off
    ASSERT_TRUE(eventually([&] { return slurp(disable) == "1\n"; }, deadline));
    EXPECT_TRUE(contains(status(), R"("port_power":"off")"));

    write("0");
    ASSERT_TRUE(eventually([&] { return contains(status(), R"("port_power":"on")"); }, deadline));
    EXPECT_TRUE(contains(status(), R"("plugged":true)"));
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1/idVendor")), "2c7c\n");
    auto counters = control.call(R"({"cmd":"counters"})");
    EXPECT_TRUE(contains(counters, R"("port_switched_off":1)")) << counters;
    EXPECT_TRUE(contains(counters, R"("last_port_off_ms":)")) << counters;
    AtPort port(root_ / "dev/ttyUSB2");
    ASSERT_GE(port.fd(), 0);
    EXPECT_TRUE(contains(
        port.until("AT+CPIN?", "+CPIN:", deadline), "+CPIN: SIM PIN")); // powered on afresh
}

TEST(EmulatorArguments, BadScenarioExitsWith2AndNamesTheField)
{
    TemporaryDirectory directory;
    auto scenario = directory.path() / "bad.json";
    std::ofstream(scenario) << R"({"operators": [{"mcc": "001", "mnc": "01", "long_name": "x"}],
        "modems": [{"id": "m", "imei": "123", "usb": {"path": "1-1"}, "radio": {"band": 3, "earfcn": 1575}}]})";
    Simulator simulator(scenario, directory.path() / "root", directory.path() / "sim.log");
    EXPECT_EQ(simulator.wait_exit(Clock::now() + 10s), 2);
    EXPECT_TRUE(contains(slurp(directory.path() / "sim.log"), "modems[0].imei: expected 15 digits"))
        << slurp(directory.path() / "sim.log");
    EXPECT_FALSE(fs::exists(directory.path() / "root" / "sys"));
}

} // namespace
