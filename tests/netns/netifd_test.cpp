// OpenWrt's own netifd drives the emulated modem through uplink's protocol handler, as root in
// network namespaces: the handler and the report script are the files the package installs
// (packaging/openwrt/uplink/files/lib/netifd), netifd, ubusd and ubus are OpenWrt's, built from
// third_party/openwrt by scripts/openwrt-userspace, and the sandbox that runs them is
// tests/netns/openwrt/netifd-sandbox. One test adds OpenWrt's firewall4 (fw4, on ucode and
// nftables), with the modem's interface in its `wan` zone, as docs/openwrt.md tells users to.
//
//   [lan 198.18.1.2] --veth-- [router lan1 198.18.1.1: uplinkd, netifd + ubusd (+ fw4), wwan0]
//   ~~TUN~~ [carrier 100.64.0.1/10, 198.18.2.1] --veth-- [internet 198.18.2.2: TCP echo]
#include "topology.hpp"
#include "support/eventually.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

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

// netifd's `option auto` for the modem's interface: set up at start (as at boot), or on request.
enum class Autostart { Off, On };
// Whether OpenWrt's firewall4 runs beside netifd (netifd-sandbox --firewall).
enum class Firewall { None, Fw4 };

// /etc/config/firewall as OpenWrt ships it (firewall4's root/etc/config/firewall), cut to what
// this test is about: its defaults, the lan zone, the wan zone holding the modem's interface, with
// masquerading and MSS clamping, and forwarding from lan to wan.
constexpr std::string_view firewall_config = R"(config defaults
	option syn_flood '1'
	option input 'REJECT'
	option output 'ACCEPT'
	option forward 'REJECT'

config zone
	option name 'lan'
	list network 'lan'
	option input 'ACCEPT'
	option output 'ACCEPT'
	option forward 'ACCEPT'

config zone
	option name 'wan'
	list network 'wwan'
	option input 'REJECT'
	option output 'ACCEPT'
	option forward 'DROP'
	option masq '1'
	option mtu_fix '1'

config forwarding
	option src 'lan'
	option dest 'wan'
)";

// Appended to the hotplug hook with fw4: what OpenWrt's /etc/hotplug.d/iface/20-firewall does
// (without its check that the firewall's init script is enabled), its outcome logged.
constexpr std::string_view fw4_reload_on_ifup = R"([ "$ACTION" = ifup ] || [ "$ACTION" = ifupdate ] || exit 0
[ "$ACTION" = ifupdate ] && [ -z "$IFUPDATE_ADDRESSES$IFUPDATE_DATA" ] && exit 0
fw4 -q network "$INTERFACE" >/dev/null || exit 0
if fw4 -q reload; then result=done; else result="failed: $?"; fi
)";

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
    // uplink` interface; then netifd in the router's namespace with the package's handler. With
    // fw4, the LAN link is netifd's interface `lan` too, and fw4 starts before netifd and
    // reloads on each ifup, as on OpenWrt.
    void start(Autostart autostart, Firewall firewall = Firewall::None)
    {
        if (firewall == Firewall::Fw4) {
            for (auto built : {"bin/utpl", "share/firewall4/sbin/fw4", "share/firewall4/usr/share/ucode/fw4.uc"})
                ASSERT_TRUE(fs::exists(openwrt_prefix() / built))
                    << "no " << (openwrt_prefix() / built).string() << ": run scripts/openwrt-userspace "
                    << "(scripts/deps does); this test must run, so this is a failure, not a skip";
            // The topology's address on lan1 goes, so that the one there is netifd's.
            ASSERT_NO_FATAL_FAILURE(must("ip -n " + router_->name() + " address flush dev lan1"));
        }
        auto scenario_file = directory_.path() / "scenario.json";
        write_scenario(scenario_file);
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_file);
        write_openwrt_config(autostart, firewall);
        Daemon::Settings settings;
        settings.pin = "1234";
        settings.connection = profile_options_;
        settings.main_options = "\toption netifd_network '" + (config_directory() / "network").string() + "'\n";
        settings.launcher = {"ip", "netns", "exec", router_->name()};
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, settings);

        auto handler = fs::path(UPLINK_SOURCE_DIR) / "packaging/openwrt/uplink/files/lib/netifd";
        std::vector<std::string> command {"ip", "netns", "exec", router_->name(), "env",
            "UPLINK_SOCKET=" + daemon_->socket().string(),
            "PATH=" + binary_path("uplink").parent_path().string() + ":/usr/sbin:/usr/bin:/sbin:/bin",
            (fs::path(UPLINK_SOURCE_DIR) / "tests/netns/openwrt/netifd-sandbox").string()};
        if (firewall == Firewall::Fw4)
            command.push_back("--firewall");
        for (auto argument : {openwrt_prefix().string(), run_directory().string(),
                 config_directory().string(), handler.string(), std::string("-h"), write_hotplug(firewall).string()})
            command.push_back(argument);
        netifd_ = std::make_unique<Process>(command, directory_.path() / "netifd.out", directory_.path() / "netifd.err");
        bool listed = eventually([&] { return ubus("list network.interface.wwan").status == 0; }, deadline_in(10s));
        ASSERT_TRUE(listed) << "netifd: " << netifd_->errors();
    }

    // CONFIGDIR: `network`, and with fw4 its `lan` interface and `firewall`.
    void write_openwrt_config(Autostart autostart, Firewall firewall)
    {
        fs::create_directories(config_directory());
        std::ofstream network(config_directory() / "network");
        network << "config interface 'loopback'\n\toption device 'lo'\n\toption proto 'static'\n"
                << "\toption ipaddr '127.0.0.1'\n\toption netmask '255.0.0.0'\n\n"
                << "config interface 'wwan'\n\toption proto 'uplink'\n\toption modem 'WAN1'\n"
                << (autostart == Autostart::On ? "" : "\toption auto '0'\n");
        if (firewall == Firewall::Fw4) {
            network << "\nconfig interface 'lan'\n\toption device 'lan1'\n\toption proto 'static'\n"
                    << "\toption ipaddr '198.18.1.1'\n\toption netmask '255.255.255.0'\n";
            std::ofstream(config_directory() / "firewall") << firewall_config;
        }
    }

    // netifd runs hotplug scripts with ACTION and INTERFACE: this one keeps a log of them, and
    // with fw4 of its reloads.
    fs::path write_hotplug(Firewall firewall)
    {
        auto hotplug = run_directory() / "hotplug";
        auto log = hotplug_log().string();
        fs::create_directories(run_directory());
        {
            std::ofstream script(hotplug);
            script << "#!/bin/sh\necho \"$ACTION $INTERFACE\" >> " << log << "\n";
            if (firewall == Firewall::Fw4)
                script << fw4_reload_on_ifup << "echo \"fw4 reload $INTERFACE $result\" >> " << log << "\n";
        }
        fs::permissions(hotplug, fs::perms::owner_all);
        return hotplug;
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

    json::value interface_status(const std::string& interface = "wwan")
    {
        auto result = ubus("call network.interface." + interface + " status");
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

    // fw4's table in the router's namespace, as nft lists it.
    std::string fw4_ruleset()
    {
        auto listed = sim::testing::run_command("ip netns exec " + router_->name() + " nft list table inet fw4");
        return listed.output;
    }

    // The packets fw4's wan zone has rejected: the counter of its reject_from_wan chain.
    std::uint64_t rejected_from_wan()
    {
        auto listed = sim::testing::run_command("ip netns exec " + router_->name()
                                                + " nft -j list chain inet fw4 reject_from_wan");
        json::error_code error;
        auto ruleset = json::parse(listed.output, error);
        EXPECT_FALSE(error) << listed.output;
        std::uint64_t packets = 0;
        if (error || !ruleset.is_object())
            return packets;
        for (const auto& item : ruleset.at("nftables").as_array())
            if (const auto* rule = item.as_object().if_contains("rule"))
                for (const auto& expression : rule->at("expr").as_array())
                    if (const auto* counter = expression.as_object().if_contains("counter"))
                        packets += counter->at("packets").to_number<std::uint64_t>();
        return packets;
    }

    std::string profile_options_ = "\toption apn 'internet'\n"; // of the default profile
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
    profile_options_ += "\toption ip_family 'ipv4v6'\n";
    ASSERT_NO_FATAL_FAILURE(start(Autostart::Off));
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
    // IPv6: the modem's address alone (the network routes the /64 to it, none of it is on the
    // link), and a default route.
    auto connection = daemon_->get("/v1/modems/1-1").at("connection");
    ASSERT_TRUE(connection.at("ipv6").is_object()) << json::serialize(connection);
    ASSERT_TRUE(status.at("ipv6-address").is_array() && !status.at("ipv6-address").as_array().empty())
        << json::serialize(status);
    EXPECT_EQ(text(status.at("ipv6-address").at(0), "address"), text(connection.at("ipv6"), "address"));
    EXPECT_EQ(status.at("ipv6-address").at(0).at("mask").to_number<int>(), 128);
    auto routes6 = sim::testing::run_command("ip -n " + router_->name() + " -6 route show default");
    EXPECT_NE(routes6.output.find("dev wwan0"), std::string::npos) << routes6.output;
    // Both families' DNS servers, as the modem got them.
    auto modem_dns = connection.at("ipv4").at("dns").as_array();
    ASSERT_FALSE(modem_dns.empty());
    for (const auto& server : connection.at("ipv6").at("dns").as_array())
        modem_dns.push_back(server);
    EXPECT_EQ(status.at("dns-server"), json::value(modem_dns));
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
    ASSERT_NO_FATAL_FAILURE(start(Autostart::On)); // netifd sets it up at start, as at boot
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

// docs/openwrt.md: the modem's interface in fw4's wan zone, and fw4 does for it what uplinkd does
// for a modem of its own. The LAN reaches the internet through the modem behind fw4's
// masquerading; from the WAN side the router's ports get fw4's reject, from the LAN an answer.
TEST_F(NetifdTest, Fw4MasqueradesTheLanBehindTheModemAndRejectsTheWanSide)
{
    ASSERT_NO_FATAL_FAILURE(start(Autostart::On, Firewall::Fw4));
    wait_interface_up();
    auto address = modem_address();
    ASSERT_FALSE(address.empty());
    auto lan = interface_status("lan");
    ASSERT_TRUE(lan.is_object() && lan.at("up").as_bool())
        << json::serialize(lan) << "\nnetifd: " << netifd_->errors();
    EXPECT_EQ(text(lan.at("ipv4-address").at(0), "address"), "198.18.1.1") << json::serialize(lan);

    // fw4 has reloaded on the ifups (20-firewall's job): wwan0 is in the wan zone, lan1 in lan.
    std::string ruleset;
    bool zoned = eventually([&] {
        ruleset = fw4_ruleset();
        return ruleset.find("oifname \"wwan0\" jump srcnat_wan") != std::string::npos
            && ruleset.find("iifname \"wwan0\" jump input_wan") != std::string::npos
            && ruleset.find("iifname \"lan1\" jump forward_lan") != std::string::npos;
    }, deadline_in(20s));
    ASSERT_TRUE(zoned) << ruleset << "\nhotplug: " << read_text(hotplug_log())
                       << "\nnetifd: " << netifd_->errors();
    // The NAT is fw4's alone: uplinkd masquerades nothing behind a modem that is netifd's.
    auto tables = sim::testing::run_command("ip netns exec " + router_->name() + " nft list ruleset").output;
    auto first = tables.find("masquerade");
    EXPECT_TRUE(first != std::string::npos && tables.find("masquerade", first + 1) == std::string::npos) << tables;
    // Neither fw4 nor uplinkd (for a link that is netifd's) turns IPv4 forwarding on: OpenWrt's
    // /etc/sysctl.d/10-default.conf does, at boot.
    must("ip netns exec " + router_->name() + " sysctl -qw net.ipv4.ip_forward=1");

    // (a) The LAN host reaches the internet host through the modem, masqueraded to its address.
    EXPECT_EQ(tcp_from_lan_soon("lan through fw4"), address) << ruleset;

    // (b) A service of the router's on every address (uplink's web UI has 8443 on OpenWrt).
    constexpr std::uint16_t service_port = 8443;
    auto service = sim::testing::socket_in(router_->name(), SOCK_STREAM);
    auto any = address_of("0.0.0.0", service_port);
    ASSERT_EQ(::bind(service.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    ASSERT_EQ(::listen(service.get(), 8), 0);
    // It answers on the modem's address (from the router itself) and to the LAN host...
    EXPECT_EQ(connect_from(router_->name(), address, service_port, 2s), Answer::Connected);
    EXPECT_EQ(connect_from(lan_->name(), "198.18.1.1", service_port, 2s), Answer::Connected);
    // ...and from the carrier's side of the modem, fw4's wan input REJECT: for TCP, its
    // handle_reject chain's `reject with tcp reset`, an RST at once, counted by the wan zone.
    auto rejected_before = rejected_from_wan();
    auto answer = connect_from(carrier_->name(), address, service_port, 2s);
    EXPECT_EQ(answer, Answer::Refused) << to_string(answer) << "\n" << fw4_ruleset();
    EXPECT_GE(rejected_from_wan(), rejected_before + 1) << fw4_ruleset();
}

} // namespace
} // namespace uplink::testing
