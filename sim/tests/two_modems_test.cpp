// Two emulated models at once (scenarios/two-modems-test.json): a Quectel EC25 on USB port
// 1-1.2 and a Sierra Wireless MC7455 on 1-1.3, each with its own SIM. The MC7455 shows the
// kernel's qcserial "SWI" layout in the tree, its own identity to qmicli (libqmi-utils) on
// its cdc-wdm port and its own dialect on its AT port; unplugging it leaves the EC25 alone.
// Every wait has a deadline.
#include "tests/sim_process.hpp"

namespace {

using namespace uplink::sim::testing;

class TwoModems : public ::testing::Test {
protected:
    void SetUp() override
    {
        root_ = directory_.path() / "root";
        simulator_.emplace(fs::path(UPLINK_SIM_SCENARIOS) / "two-modems-test.json", root_,
            directory_.path() / "sim.log");
        ASSERT_EQ(simulator_->ready_line(Clock::now() + 10s).rfind("uplink-sim ready", 0), 0u)
            << slurp(directory_.path() / "sim.log");
        control_.emplace(root_ / "control.sock");
        // Both booted, and both SIMs have answered: each wants its PIN.
        ASSERT_TRUE(eventually(
            [&] {
                auto status = control_->call(R"({"cmd":"status"})");
                auto first = status.find("\"sim_state\":\"pin-required\"");
                return first != std::string::npos
                    && status.find("\"sim_state\":\"pin-required\"", first + 1)
                    != std::string::npos;
            },
            Clock::now() + 10s))
            << control_->call(R"({"cmd":"status"})");
    }

    fs::path sys(const std::string& relative) const { return root_ / "sys" / relative; }

    Outcome qmicli(const std::string& device, std::vector<std::string> arguments)
    {
        auto program = find_program("qmicli");
        if (!program)
            return {};
        std::vector<std::string> command {program->string(), "-d",
            (root_ / "dev" / device).string(), "--device-open-qmi", "--silent"};
        command.insert(command.end(), arguments.begin(), arguments.end());
        return run_program(command, Clock::now() + 30s);
    }

    TemporaryDirectory directory_;
    fs::path root_;
    std::optional<Simulator> simulator_;
    std::optional<Control> control_;
};

TEST_F(TwoModems, TreeShowsEachModelsInterfaces)
{
    // The EC25 was plugged first: ttyUSB0..3 and cdc-wdm0 on interfaces 0..4 (option, qmi_wwan).
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.2/idVendor")), "2c7c\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.2/bNumInterfaces")), " 5\n");
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1.2:1.2/ttyUSB2")));
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1.2:1.4/usbmisc/cdc-wdm0")));

    // The MC7455 (qcserial.c QCSERIAL_SWI: 0 DM, 2 NMEA, 3 AT; 8 QMI on qmi_wwan).
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.3/idVendor")), "1199\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.3/idProduct")), "9071\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.3/manufacturer")), "Sierra Wireless, Incorporated\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.3/product")), "MC7455\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.3/serial")), "LQ00000000001234\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.3/bNumInterfaces")), " 4\n");
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.3/bDeviceClass")), "00\n");
    EXPECT_TRUE(contains(slurp(sys("bus/usb/devices/1-1.3/uevent")), "PRODUCT=1199/9071/6\n"));
    for (auto [interface, tty] : {std::pair {0, 4}, {2, 5}, {3, 6}}) {
        auto directory = "bus/usb/devices/1-1.3:1." + std::to_string(interface);
        EXPECT_EQ(
            slurp(sys(directory + "/bInterfaceNumber")), "0" + std::to_string(interface) + "\n");
        EXPECT_EQ(fs::read_symlink(sys(directory + "/driver")).filename(), "qcserial") << directory;
        auto name = "ttyUSB" + std::to_string(tty);
        EXPECT_TRUE(fs::is_directory(sys(directory + "/" + name + "/tty/" + name))) << directory;
        EXPECT_TRUE(fs::is_symlink(root_ / "dev" / name)) << name;
    }
    EXPECT_EQ(slurp(sys("bus/usb/devices/1-1.3:1.8/bInterfaceNumber")), "08\n");
    EXPECT_EQ(fs::read_symlink(sys("bus/usb/devices/1-1.3:1.8/driver")).filename(), "qmi_wwan");
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1.3:1.8/usbmisc/cdc-wdm1")));
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1.3:1.8/net/wwan1")));
    EXPECT_FALSE(fs::exists(sys("bus/usb/devices/1-1.3:1.1")));
    EXPECT_FALSE(fs::exists(sys("bus/usb/devices/1-1.3:1.4")));
    EXPECT_FALSE(fs::exists(root_ / "dev/ttyUSB7"));

    auto status = control_->call(R"({"cmd":"status"})");
    EXPECT_TRUE(contains(status, R"("id":"mc7455","model":"MC7455")")) << status;
    EXPECT_TRUE(contains(status, R"("id":"ec25","model":"EC25")")) << status;
    EXPECT_TRUE(contains(status, R"("cdc-wdm1":"/dev/pts/)")) << status;
}

TEST_F(TwoModems, QmicliSeesTheSierraIdentity)
{
    ASSERT_TRUE(find_program("qmicli")) << "qmicli is missing: run scripts/deps (libqmi-utils)";
    auto manufacturer = qmicli("cdc-wdm1", {"--dms-get-manufacturer"});
    ASSERT_EQ(manufacturer.status, 0) << describe(manufacturer);
    EXPECT_TRUE(contains(manufacturer.out, "Manufacturer: 'Sierra Wireless, Incorporated'"))
        << manufacturer.out;
    auto model = qmicli("cdc-wdm1", {"--dms-get-model"});
    ASSERT_EQ(model.status, 0) << describe(model);
    EXPECT_TRUE(contains(model.out, "Model: 'MC7455'")) << model.out;
    auto revision = qmicli("cdc-wdm1", {"--dms-get-revision"});
    ASSERT_EQ(revision.status, 0) << describe(revision);
    EXPECT_TRUE(contains(
        revision.out, "Revision: 'SWI9X30C_02.33.03.00 r8209 CARMD-EV-FRMWR2 2019/08/28 20:59:30'"))
        << revision.out;
    auto ids = qmicli("cdc-wdm1", {"--dms-get-ids"});
    ASSERT_EQ(ids.status, 0) << describe(ids);
    EXPECT_TRUE(contains(ids.out, "IMEI: '359072060001234'")) << ids.out;
    auto iccid = qmicli("cdc-wdm1", {"--dms-uim-get-iccid"});
    ASSERT_EQ(iccid.status, 0) << describe(iccid);
    EXPECT_TRUE(contains(iccid.out, "ICCID: '89001020000000000028'")) << iccid.out;

    // Its own SIM and network: PIN 4321, home network 001-02.
    auto verified = qmicli("cdc-wdm1", {"--uim-verify-pin=PIN1,4321"});
    ASSERT_EQ(verified.status, 0) << describe(verified);
    // Only the MC7455 can be registered: the EC25's SIM is still locked.
    ASSERT_TRUE(eventually(
        [&] { return contains(control_->call(R"({"cmd":"status"})"), R"("registration":"home")"); },
        Clock::now() + 10s));
    auto serving = qmicli("cdc-wdm1", {"--nas-get-serving-system"});
    ASSERT_EQ(serving.status, 0) << describe(serving);
    EXPECT_TRUE(contains(serving.out, "Registration state: 'registered'")) << serving.out;
    EXPECT_TRUE(contains(serving.out, "MNC: '2'")) << serving.out;
    EXPECT_TRUE(contains(serving.out, "Description: 'Other Test Network'")) << serving.out;

    // The EC25 beside it keeps its own.
    auto other = qmicli("cdc-wdm0", {"--dms-get-model"});
    ASSERT_EQ(other.status, 0) << describe(other);
    EXPECT_TRUE(contains(other.out, "Model: 'EC25'")) << other.out;
    auto counters = control_->call(R"({"cmd":"counters","modem":"ec25"})");
    EXPECT_TRUE(contains(counters, R"("DMS Get Model":1)")) << counters;
    EXPECT_TRUE(contains(counters, R"("pin_retries_left":3,)")) << counters;
}

TEST_F(TwoModems, TheSierraPortSpeaksSierra)
{
    auto deadline = Clock::now() + 10s;
    AtPort port(root_ / "dev/ttyUSB6");
    ASSERT_GE(port.fd(), 0);
    // What the modem wrote since power-on waits in the pty: the SIM state, no RDY, no +QUSIM.
    auto first = port.command("AT", deadline);
    EXPECT_TRUE(contains(first, "\r\n+CPIN: SIM PIN\r\n")) << first;
    EXPECT_FALSE(contains(first, "RDY")) << first;
    EXPECT_FALSE(contains(first, "+QUSIM")) << first;
    EXPECT_TRUE(contains(port.command("ATE0", deadline), "OK"));
    EXPECT_EQ(port.command("ATI", deadline),
        "\r\nManufacturer: Sierra Wireless, Incorporated\r\nModel: MC7455\r\n"
        "Revision: SWI9X30C_02.33.03.00 r8209 CARMD-EV-FRMWR2 2019/08/28 20:59:30\r\n"
        "IMEI: 359072060001234\r\nIMEI SV: 20\r\nFSN: LQ00000000001234\r\n+GCAP: +CGSM\r\n"
        "\r\nOK\r\n");
    EXPECT_EQ(port.command("AT+ICCID", deadline), "\r\nICCID: 89001020000000000028\r\n\r\nOK\r\n");
    EXPECT_EQ(port.command("AT!ICCID?", deadline), "\r\n+CME ERROR: 11\r\n");
    EXPECT_EQ(port.command("AT+QCCID", deadline), "\r\nERROR\r\n");
    EXPECT_EQ(port.command("AT+QENG=\"servingcell\"", deadline), "\r\nERROR\r\n");
    EXPECT_EQ(port.command("AT+CPINC?", deadline), "\r\n+CPINC: 3,3,10,10\r\n\r\nOK\r\n");
    // The +CPIN: READY that follows the OK may arrive in the same read.
    auto unlocked = port.command("AT+CPIN=4321", deadline);
    EXPECT_EQ(unlocked.rfind("\r\nOK\r\n", 0), 0u) << unlocked;
    EXPECT_TRUE(contains(port.command("AT!ICCID?", deadline), "!ICCID: 89001020000000000028\r\n"));
    EXPECT_TRUE(contains(port.until("AT+CEREG?", "+CEREG: 0,1", deadline), "+CEREG: 0,1"));
    EXPECT_TRUE(
        contains(port.command("AT+COPS?", deadline), "+COPS: 0,0,\"Other Test Network\",7"));
    EXPECT_TRUE(contains(port.command("AT+CESQ", deadline), "+CESQ: 99,99,255,255,20,49\r\n"));

    // The NMEA port (interface 2) is not an AT port: it answers nothing.
    AtPort nmea(root_ / "dev/ttyUSB5");
    ASSERT_GE(nmea.fd(), 0);
    EXPECT_EQ(nmea.command("AT", Clock::now() + 300ms), "");
}

TEST_F(TwoModems, UnplugOneKeepsTheOther)
{
    auto deadline = Clock::now() + 10s;
    AtPort ec25(root_ / "dev/ttyUSB2");
    ASSERT_GE(ec25.fd(), 0);
    ASSERT_TRUE(contains(ec25.until("AT", "OK", deadline), "OK"));
    ASSERT_TRUE(contains(ec25.command("AT+CPIN=1234", deadline), "OK"));
    ASSERT_TRUE(contains(ec25.until("AT+CEREG?", "+CEREG: 0,1", deadline), "+CEREG: 0,1"));

    EXPECT_EQ(
        control_->call(R"({"cmd":"unplug","modem":"mc7455"})"), R"({"ok":true,"modem":"mc7455"})");
    EXPECT_FALSE(fs::exists(sys("bus/usb/devices/1-1.3")));
    EXPECT_FALSE(fs::exists(root_ / "dev/ttyUSB6"));
    EXPECT_FALSE(fs::exists(root_ / "dev/cdc-wdm1"));
    // The EC25 is still there, registered, on the same ports.
    EXPECT_TRUE(fs::exists(sys("bus/usb/devices/1-1.2")));
    EXPECT_TRUE(contains(ec25.command("AT+CEREG?", deadline), "+CEREG: 0,1"));
    auto model = qmicli("cdc-wdm0", {"--dms-get-model"});
    EXPECT_TRUE(contains(model.out, "Model: 'EC25'")) << describe(model);

    // Back on the same port: the same numbers, as the kernel would give them.
    EXPECT_EQ(
        control_->call(R"({"cmd":"replug","modem":"mc7455"})"), R"({"ok":true,"modem":"mc7455"})");
    EXPECT_TRUE(fs::is_symlink(root_ / "dev/ttyUSB6"));
    EXPECT_TRUE(fs::is_directory(sys("bus/usb/devices/1-1.3:1.8/usbmisc/cdc-wdm1")));
    AtPort sierra(root_ / "dev/ttyUSB6");
    ASSERT_GE(sierra.fd(), 0);
    EXPECT_TRUE(contains(sierra.until("AT+CGMM", "MC7455", deadline), "MC7455"));
}

} // namespace
