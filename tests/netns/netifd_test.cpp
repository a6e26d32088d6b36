// OpenWrt's own netifd drives the emulated modem through uplink's protocol handler, as root in
// network namespaces: the handler and the report script are the files the package installs
// (packaging/openwrt/uplink/files/lib/netifd), netifd, ubusd and ubus are OpenWrt's, built from
// third_party/openwrt by scripts/openwrt-userspace, and the sandbox that runs them is
// tests/netns/openwrt/netifd-sandbox.
//
//   [router: uplinkd, netifd + ubusd, wwan0] ~~TUN~~ [carrier 100.64.0.1/10, 198.18.2.1] --veth--
//   [internet 198.18.2.2: TCP echo]
#include "topology.hpp"
#include "support/eventually.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace uplink::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string read_text(const fs::path& path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

class NetifdTest : public NetnsTopologyTest {
protected:
    void SetUp() override
    {
        for (auto built : {"sbin/netifd", "sbin/ubusd", "bin/ubus"})
            ASSERT_TRUE(fs::exists(openwrt_prefix() / built))
                << "no " << (openwrt_prefix() / built).string() << ": run scripts/openwrt-userspace "
                << "(scripts/deps does); this test must run, so this is a failure, not a skip";
        ASSERT_NO_FATAL_FAILURE(create_topology("nd"));
    }

    // uplink-sim and uplinkd as in every netns test, uplinkd reading `network` for its `proto
    // uplink` interface; then netifd in the router's namespace with the package's handler.
    void start(bool automatic)
    {
        auto scenario_file = directory_.path() / "scenario.json";
        write_scenario(scenario_file);
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_file);
        fs::create_directories(config_directory());
        std::ofstream(config_directory() / "network")
            << "config interface 'loopback'\n\toption device 'lo'\n\toption proto 'static'\n"
            << "\toption ipaddr '127.0.0.1'\n\toption netmask '255.0.0.0'\n\n"
            << "config interface 'wwan'\n\toption proto 'uplink'\n\toption modem 'WAN1'\n"
            << (automatic ? "" : "\toption auto '0'\n");
        Daemon::Settings settings;
        settings.pin = "1234";
        settings.connection = "\toption apn 'internet'\n";
        settings.main_options = "\toption netifd_network '" + (config_directory() / "network").string() + "'\n";
        settings.launcher = {"ip", "netns", "exec", router_->name()};
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, settings);

        // netifd runs hotplug scripts with ACTION and INTERFACE: this one keeps a log of them.
        auto hotplug = run_directory() / "hotplug";
        fs::create_directories(run_directory());
        std::ofstream(hotplug) << "#!/bin/sh\necho \"$ACTION $INTERFACE\" >> " << hotplug_log().string() << "\n";
        fs::permissions(hotplug, fs::perms::owner_all);
        auto handler = fs::path(UPLINK_SOURCE_DIR) / "packaging/openwrt/uplink/files/lib/netifd";
        netifd_ = std::make_unique<Process>(
            std::vector<std::string> {"ip", "netns", "exec", router_->name(), "env",
                "UPLINK_SOCKET=" + daemon_->socket().string(),
                "PATH=" + binary_path("uplink").parent_path().string() + ":/usr/sbin:/usr/bin:/sbin:/bin",
                (fs::path(UPLINK_SOURCE_DIR) / "tests/netns/openwrt/netifd-sandbox").string(),
                openwrt_prefix().string(), run_directory().string(), config_directory().string(),
                handler.string(), "-h", hotplug.string()},
            directory_.path() / "netifd.out", directory_.path() / "netifd.err");
        eventually([&] { return ubus("list network.interface.wwan").status == 0; }, deadline_in(10s));
    }

    void TearDown() override
    {
        if (netifd_)
            netifd_->stop();
    }

    sim::testing::CommandOutput ubus(const std::string& arguments)
    {
        return sim::testing::run_command("env LD_LIBRARY_PATH=" + (openwrt_prefix() / "lib").string() + " "
            + (openwrt_prefix() / "bin/ubus").string() + " -s " + (run_directory() / "ubus/ubus.sock").string()
            + " " + arguments);
    }

    json::value interface_status()
    {
        auto result = ubus("call network.interface.wwan status");
        EXPECT_EQ(result.status, 0) << result.output;
        json::error_code error;
        auto status = json::parse(result.output, error);
        return error ? json::value(nullptr) : status;
    }

    // The interface's status once it is up (failing the test, with netifd's log, if it is not).
    json::value wait_interface_up()
    {
        json::value status;
        bool up = eventually([&] {
            status = interface_status();
            return status.is_object() && status.as_object().if_contains("up") && status.at("up").as_bool();
        }, deadline_in(30s));
        EXPECT_TRUE(up) << json::serialize(status) << "\nnetifd: " << netifd_->errors();
        return status;
    }

    std::string modem_address()
    {
        auto modem = daemon_->get("/v1/modems/1-1");
        const auto& ipv4 = modem.at("connection").at("ipv4");
        return ipv4.is_null() ? std::string() : std::string(ipv4.at("address").as_string());
    }

    fs::path config_directory() const { return directory_.path() / "config"; }
    fs::path run_directory() const { return directory_.path() / "netifd"; }
    fs::path hotplug_log() const { return run_directory() / "hotplug.log"; }

    TemporaryDirectory directory_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
    std::unique_ptr<Process> netifd_;
};

TEST_F(NetifdTest, IfupConnectsTheModemAndNetifdConfiguresItsInterfaceIfdownDisconnects)
{
    ASSERT_NO_FATAL_FAILURE(start(false));
    // The modem is netifd's: registered, never connected by uplinkd itself.
    auto modem = daemon_->wait_for_modem("1-1", "registered", [](const json::value& modem) {
        return text(modem, "state") == "registered";
    });
    EXPECT_EQ(text(modem.at("settings"), "link_owner"), "netifd");
    EXPECT_FALSE(modem.at("settings").at("connection").at("autoconnect").as_bool());
    EXPECT_EQ(text(modem.at("connection"), "state"), "disconnected");

    ASSERT_EQ(ubus("call network.interface.wwan up").status, 0);
    auto status = wait_interface_up();
    auto address = modem_address();
    ASSERT_FALSE(address.empty());
    ASSERT_TRUE(status.at("ipv4-address").is_array() && !status.at("ipv4-address").as_array().empty())
        << json::serialize(status);
    EXPECT_EQ(text(status.at("ipv4-address").at(0), "address"), address);
    EXPECT_EQ(text(status, "l3_device"), "wwan0");
    auto modem_dns = daemon_->get("/v1/modems/1-1").at("connection").at("ipv4").at("dns");
    ASSERT_FALSE(modem_dns.as_array().empty());
    EXPECT_EQ(status.at("dns-server"), modem_dns);
    // What dnsmasq reads on OpenWrt.
    EXPECT_NE(read_text(run_directory() / "resolv.conf.auto").find("nameserver " + std::string(modem_dns.at(0).as_string())),
        std::string::npos) << read_text(run_directory() / "resolv.conf.auto");
    // The address and the default route are netifd's on the device, and uplinkd added none of its
    // own (its modems' routes have metric 200).
    auto addresses = sim::testing::run_command("ip -n " + router_->name() + " -4 address show dev wwan0");
    EXPECT_NE(addresses.output.find("inet " + address + "/"), std::string::npos) << addresses.output;
    auto routes = sim::testing::run_command("ip -n " + router_->name() + " -4 route show default");
    EXPECT_NE(routes.output.find("dev wwan0"), std::string::npos) << routes.output;
    EXPECT_EQ(routes.output.find("metric 200"), std::string::npos) << routes.output;
    // And the router reaches the internet through it.
    EXPECT_EQ(connect_from(router_->name(), "198.18.2.2", echo_port, 5000ms), Answer::Connected);

    ASSERT_EQ(ubus("call network.interface.wwan down").status, 0);
    daemon_->wait_for_modem("1-1", "disconnected by ifdown", [](const json::value& modem) {
        return text(modem.at("connection"), "state") == "disconnected";
    });
    EXPECT_TRUE(eventually([&] {
        auto now = interface_status();
        return now.is_object() && !now.at("up").as_bool();
    }, deadline_in(10s)));
}

TEST_F(NetifdTest, ABearerDropTakesTheInterfaceDownAndNetifdBringsItBackUp)
{
    ASSERT_NO_FATAL_FAILURE(start(true)); // `auto`: netifd sets it up at start, as at boot
    wait_interface_up();
    auto first = modem_address();
    ASSERT_FALSE(first.empty());

    emulator_->control({{"cmd", "bearer-drop"}, {"cause", 38}});
    // netifd's hotplug calls: up, down (the task ended with the connection), up again (netifd
    // says ifup-failed between them: the session it started at once found the modem reconnecting).
    auto cycled_in = [](const std::string& log) {
        auto down = log.find("ifdown wwan\n", log.find("ifup wwan\n"));
        return down != std::string::npos && log.find("ifup wwan\n", down) != std::string::npos;
    };
    bool cycled = eventually([&] { return cycled_in(read_text(hotplug_log())); }, deadline_in(30s));
    EXPECT_TRUE(cycled) << "hotplug: " << read_text(hotplug_log()) << "\nnetifd: " << netifd_->errors();
    auto status = wait_interface_up();
    auto again = modem_address();
    ASSERT_FALSE(again.empty());
    EXPECT_EQ(text(status.at("ipv4-address").at(0), "address"), again);
    EXPECT_EQ(connect_from(router_->name(), "198.18.2.2", echo_port, 5000ms), Answer::Connected);
}

} // namespace
} // namespace uplink::testing
