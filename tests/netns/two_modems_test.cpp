// Two modems online at once, as root, in network namespaces: the EC25 (USB 1-1.2, wwan0) and the
// MC7455 (1-1.3, wwan1) of scenarios/two-modems-test.json, each connected with its own SIM on
// its own network, each carrying packets through its own TUN pair to the carrier; the LAN host
// reaches the internet through the router; unplugging one modem leaves the other's traffic.
//
//   [lan 198.18.1.2] --veth-- [router 198.18.1.1: uplinkd, wwan0, wwan1] ~~TUN~~ [carrier:
//   carrier0 + carrier1, 198.18.2.1] --veth-- [internet 198.18.2.2: TCP and UDP echo]
//
// Each modem's own path is checked from the router with a socket bound to its wwan (its
// source address, no routing policy involved); the LAN host's traffic takes the router's
// default route, which uplinkd installs per modem.
#include "topology.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cstring>
#include <fstream>
#include <netinet/in.h>

namespace uplink::testing {
namespace {

namespace json = boost::json;
using sim::testing::Socket;
using sim::testing::socket_in;
using sim::testing::wait_readable;

// The scenario's modems: uplinkd names them by USB path, uplink-sim by id.
struct ModemNames {
    const char* id;
    const char* usb_path;
    const char* interface;
};
constexpr ModemNames ec25 {"ec25", "1-1.2", "wwan0"};
constexpr ModemNames mc7455 {"mc7455", "1-1.3", "wwan1"};

bool connected(const json::value& modem)
{
    return text(modem.at("connection"), "state") == "connected";
}

std::string text_of(const sockaddr_in& address)
{
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address.sin_addr, text, sizeof text);
    return text;
}

class TwoModemsOnlineTest : public NetnsTopologyTest {
protected:
    void SetUp() override
    {
        ASSERT_NO_FATAL_FAILURE(create_topology("2"));
        if (IsSkipped())
            return;
        ASSERT_NO_FATAL_FAILURE(start_programs());
    }

    // Both modems' data paths in the router's and carrier's namespaces; a profile per SIM with
    // its PIN, chosen by the ICCID; no APN, so each SIM gets its network's default (internet on
    // 001-01, web on 001-02).
    void start_programs()
    {
        auto scenario = read_json_file(scenario_path("two-modems-test.json"));
        for (auto& modem : scenario.at("modems").as_array())
            modem.as_object()["data_path"] = json::object {{"namespace", router_->name()},
                {"carrier_namespace", carrier_->name()}};
        auto scenario_file = directory_.path() / "scenario.json";
        std::ofstream(scenario_file) << json::serialize(scenario);
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_file);
        Daemon::Settings settings;
        settings.extra_config = "config profile 'uk'\n\toption pin '1234'\n\n"
                                "config profile 'other'\n\toption pin '4321'\n\n"
                                "config rule\n\toption iccid '89440010'\n\toption profile 'uk'\n\n"
                                "config rule\n\toption iccid '89001020'\n\toption profile 'other'\n";
        settings.launcher = {"ip", "netns", "exec", router_->name()};
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, settings);
    }

    json::value wait_connected(const ModemNames& modem, std::chrono::milliseconds timeout = 30s)
    {
        return daemon_->wait_for_modem(modem.usb_path, std::string(modem.id) + " connected", connected, timeout);
    }

    std::string ipv4_of(const json::value& modem) { return text(modem.at("connection").at("ipv4"), "address"); }

    // One datagram from the router through `interface` only (SO_BINDTODEVICE: its address, its
    // TUN, whatever the routes say), echoed by the internet host. The source address the
    // server saw, or "" when it did not arrive or its echo did not come back.
    std::string udp_through(const char* interface)
    {
        auto client = socket_in(router_->name(), SOCK_DGRAM);
        if (::setsockopt(client.get(), SOL_SOCKET, SO_BINDTODEVICE, interface, std::strlen(interface)) != 0)
            return "";
        auto server = address_of("198.18.2.2", echo_port);
        const std::string datagram = std::string("through ") + interface;
        if (::sendto(client.get(), datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&server),
                     sizeof server) < 0)
            return "";
        if (!wait_readable(udp_server_.get(), deadline_in(3s)))
            return "";
        char buffer[64];
        sockaddr_in peer {};
        socklen_t size = sizeof peer;
        auto got = ::recvfrom(udp_server_.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &size);
        if (got != static_cast<ssize_t>(datagram.size()))
            return "";
        ::sendto(udp_server_.get(), buffer, static_cast<std::size_t>(got), 0, reinterpret_cast<sockaddr*>(&peer), size);
        if (!wait_readable(client.get(), deadline_in(3s)) || ::recv(client.get(), buffer, sizeof buffer, 0) != got)
            return "";
        return text_of(peer);
    }

    // Retried, as tcp_from_lan_soon(): addresses and routes may take a moment after "connected".
    std::string udp_through_soon(const char* interface)
    {
        std::string peer;
        eventually([&] { return !(peer = udp_through(interface)).empty(); }, deadline_in(10s));
        return peer;
    }

    std::int64_t uplink_bytes(const ModemNames& modem)
    {
        auto counters = emulator_->control({{"cmd", "counters"}, {"modem", modem.id}});
        return counters.at("data_path").at("uplink").at("bytes").as_int64();
    }

    std::string default_routes()
    {
        return sim::testing::run_command("ip -n " + router_->name() + " route show default").output;
    }

    TemporaryDirectory directory_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(TwoModemsOnlineTest, BothAreConnectedAndEachCarriesItsOwnTraffic)
{
    auto first = wait_connected(ec25);
    auto second = wait_connected(mc7455);
    auto first_address = ipv4_of(first);
    auto second_address = ipv4_of(second);
    EXPECT_EQ(first_address.rfind("100.", 0), 0u) << first_address;
    EXPECT_EQ(second_address.rfind("100.", 0), 0u) << second_address;
    EXPECT_NE(first_address, second_address);

    // Each modem's own path: its wwan, its TUN pair, its carrier side.
    EXPECT_EQ(udp_through_soon(ec25.interface), first_address);
    EXPECT_EQ(udp_through_soon(mc7455.interface), second_address);
    EXPECT_GT(uplink_bytes(ec25), 0);
    EXPECT_GT(uplink_bytes(mc7455), 0);

    // The LAN host goes out through one of them, masqueraded behind its address.
    auto seen = tcp_from_lan_soon(std::string(20'000, 'l'));
    EXPECT_TRUE(seen == first_address || seen == second_address)
        << "the server saw '" << seen << "'; default routes:\n" << default_routes();
}

// The modem that does not carry the LAN's traffic goes: the other keeps its connection (the
// same call, not a new one) and its traffic.
TEST_F(TwoModemsOnlineTest, UnpluggingTheOtherModemKeepsTheTraffic)
{
    auto first = wait_connected(ec25);
    auto second = wait_connected(mc7455);
    auto seen = tcp_from_lan_soon("before");
    ASSERT_FALSE(seen.empty()) << "no traffic from the LAN; default routes:\n" << default_routes();
    bool through_first = seen == ipv4_of(first);
    const auto& stays = through_first ? ec25 : mc7455;
    const auto& goes = through_first ? mc7455 : ec25;
    auto kept_before = through_first ? first : second;

    emulator_->control({{"cmd", "unplug"}, {"modem", goes.id}});
    daemon_->wait_for_absence(goes.usb_path);
    EXPECT_NE(sim::testing::run_command(std::string("ip -n ") + router_->name() + " link show " + goes.interface).status, 0)
        << goes.interface << " should go with its modem";

    EXPECT_EQ(tcp_from_lan_soon("after"), seen);
    EXPECT_EQ(udp_through_soon(stays.interface), ipv4_of(kept_before));
    auto kept = daemon_->get(std::string("/v1/modems/") + stays.usb_path);
    EXPECT_TRUE(connected(kept));
    EXPECT_EQ(text(kept.at("connection"), "connected_since"), text(kept_before.at("connection"), "connected_since"));
}

// The modem that carries the LAN's traffic goes: the traffic moves to the other, whose default
// route (a higher metric) was there all along. Needs a default route per modem, each with its
// own metric.
TEST_F(TwoModemsOnlineTest, UnpluggingTheDefaultRoutesModemMovesTrafficToTheOther)
{
    auto first = wait_connected(ec25);
    auto second = wait_connected(mc7455);
    auto routes = default_routes();
    EXPECT_NE(routes.find("dev wwan0"), std::string::npos) << routes;
    EXPECT_NE(routes.find("dev wwan1"), std::string::npos) << routes;
    auto seen = tcp_from_lan_soon("before");
    ASSERT_FALSE(seen.empty()) << "no traffic from the LAN; default routes:\n" << routes;
    bool through_first = seen == ipv4_of(first);
    const auto& goes = through_first ? ec25 : mc7455;
    auto other = through_first ? second : first;

    emulator_->control({{"cmd", "unplug"}, {"modem", goes.id}});
    daemon_->wait_for_absence(goes.usb_path);
    EXPECT_EQ(tcp_from_lan_soon("after"), ipv4_of(other)) << "default routes:\n" << default_routes();
}

// With both up, WAN1 carries the LAN's traffic, whichever connected last: its default route has
// the lower metric (200 against WAN2's 210), not the luck of which call came up first. WAN1 is
// taken down and brought back last, and the traffic follows it back.
TEST_F(TwoModemsOnlineTest, WanOneCarriesTheLanTrafficWhenBothAreUp)
{
    auto first = wait_connected(ec25);
    auto second = wait_connected(mc7455);
    bool first_is_wan1 = text(first, "wan") == "wan1";
    ASSERT_EQ(text(first_is_wan1 ? second : first, "wan"), "wan2");
    const auto& wan1 = first_is_wan1 ? ec25 : mc7455;
    const auto& wan2 = first_is_wan1 ? mc7455 : ec25;
    auto wan2_address = ipv4_of(first_is_wan1 ? second : first);
    auto routes = default_routes();
    EXPECT_NE(routes.find(std::string("default dev ") + wan1.interface + " proto static scope link metric 200"), std::string::npos)
        << routes;
    EXPECT_NE(routes.find(std::string("default dev ") + wan2.interface + " proto static scope link metric 210"), std::string::npos)
        << routes;
    EXPECT_EQ(tcp_from_lan_soon("wan1"), ipv4_of(first_is_wan1 ? first : second)) << routes;

    auto path = std::string("/v1/modems/") + wan1.usb_path;
    ASSERT_EQ(daemon_->request("POST", path + "/disconnect").at("status").as_int64(), 200);
    daemon_->wait_for_modem(wan1.usb_path, "WAN1 down", [](const json::value& modem) { return !connected(modem); });
    EXPECT_EQ(tcp_from_lan_soon("wan2"), wan2_address) << default_routes();

    ASSERT_EQ(daemon_->request("POST", path + "/connect").at("status").as_int64(), 200);
    auto back = wait_connected(wan1);
    EXPECT_EQ(tcp_from_lan_soon("wan1 again"), ipv4_of(back)) << default_routes();
}

} // namespace
} // namespace uplink::testing
