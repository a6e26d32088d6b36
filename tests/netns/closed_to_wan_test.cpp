// Closed to the WAN (docs/api.md, "Closed to the WAN"), end to end as root in network
// namespaces: with the web UI on and nothing but its LAN interface named, the "internet" host
// gets no answer from the router's HTTPS and HTTP ports on the bearer's IPv4 and IPv6 addresses,
// while the LAN host still reaches the web UI and, through the modem, the internet.
//
//   [lan 198.18.1.2] --veth-- [router lan1 198.18.1.1: uplinkd, wwan0] ~~TUN~~ [carrier:
//   carrier0, 198.18.2.1, 2001:db8:ff::1] --veth-- [internet 198.18.2.2, 2001:db8:ff::2]
#include "topology.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

namespace uplink::testing {
namespace {

namespace json = boost::json;

class ClosedToWanTest : public NetnsTopologyTest {
protected:
    void SetUp() override { create_topology("w"); }

    // The packets wwan0 has received: what reached the router through the modem.
    std::uint64_t received_through_modem()
    {
        auto read = sim::testing::run_command("ip netns exec " + router_->name()
                                              + " cat /sys/class/net/wwan0/statistics/rx_packets");
        EXPECT_EQ(read.status, 0) << read.output;
        return std::strtoull(read.output.c_str(), nullptr, 10);
    }
};

TEST_F(ClosedToWanTest, TheWebPortsOnTheBearersAddressesDoNotAnswerFromTheInternet)
{
    ASSERT_NO_FATAL_FAILURE(wire_carrier_ipv6());
    const auto& carrier = carrier_->name();
    const auto& internet = internet_->name();

    TemporaryDirectory directory;
    auto scenario_file = directory.path() / "scenario.json";
    write_scenario(scenario_file);
    Emulator emulator(directory.path() / "sim", scenario_file);
    Daemon::Settings settings;
    settings.pin = "1234";
    settings.connection = "\toption apn 'internet'\n\toption ip_family 'ipv4v6'\n";
    settings.launcher = {"ip", "netns", "exec", router_->name()};
    // The web UI on its own ports, 443 and 80, and the LAN side named: lan1 (and not lo).
    settings.extra_config = "config web\n\tlist interface 'lan1'\n";
    Daemon daemon(directory.path() / "daemon", emulator, settings);
    auto modem = daemon.wait_for_modem("1-1", "connected with both families", [](const json::value& modem) {
        const auto& connection = modem.at("connection");
        return text(connection, "state") == "connected" && connection.at("ipv6").is_object();
    }, 30s);
    auto ipv4 = text(modem.at("connection").at("ipv4"), "address");
    auto ipv6 = text(modem.at("connection").at("ipv6"), "address");
    ASSERT_FALSE(ipv4.empty());
    ASSERT_FALSE(ipv6.empty());
    must("ip -n " + carrier + " -6 route add " + ipv6 + "/128 dev carrier0");

    // The modem's grant went on alone: no prefix route of the modem's choosing on the router.
    auto shown = sim::testing::run_command("ip -n " + router_->name() + " -4 address show dev wwan0");
    EXPECT_NE(shown.output.find(ipv4 + "/32"), std::string::npos) << shown.output;

    // The LAN host: the web UI answers, and the internet is reached through the modem.
    auto page = sim::testing::run_command("ip netns exec " + lan_->name()
                                          + " curl -sk -o /dev/null -w %{http_code} --max-time 10 "
                                            "https://198.18.1.1/api/v1/session");
    EXPECT_EQ(page.output, "200") << page.output;
    EXPECT_FALSE(tcp_from_lan_soon("lan out").empty());
    // The listeners are lan1's alone: the router's own loopback finds none (an RST, at once).
    EXPECT_EQ(connect_from(router_->name(), "127.0.0.1", 443, 5s), Answer::Refused);

    // The internet host: both ports on both of the bearer's addresses meet silence, though its
    // SYNs do arrive through the modem (wwan0 counts them).
    auto received_before = received_through_modem();
    for (const auto& address : {ipv4, ipv6})
        for (std::uint16_t port : {443, 80}) {
            auto answer = connect_from(internet, address, port, 1s);
            EXPECT_EQ(answer, Answer::Silence) << address << " port " << port << ": " << to_string(answer);
        }
    EXPECT_GE(received_through_modem(), received_before + 4);
}

} // namespace
} // namespace uplink::testing
