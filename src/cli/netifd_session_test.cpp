#include "cli/netifd_session.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

namespace uplink::cli {
namespace {

namespace json = boost::json;

std::optional<NetifdReport> report_of(std::string_view connection, std::string& why)
{
    return netifd_report("wwan", json::parse(connection), why);
}

TEST(NetifdReport, AConnectedModemGivesNetifdItsAddressesGatewaysDnsAndMtu)
{
    std::string why;
    auto report = report_of(R"({"state":"connected","interface":"wwan0",
        "ipv4":{"address":"100.64.0.2","prefix_length":30,"gateway":"100.64.0.1","dns":["100.64.0.53","100.64.0.54"]},
        "ipv6":{"address":"2001:db8:1:2::2","prefix_length":64,"gateway":"2001:db8:1:2::1","dns":["2001:db8::53"]},
        "mtu":1430})", why);
    ASSERT_TRUE(report) << why;
    EXPECT_EQ(report->environment,
        (std::vector<std::string>{"INTERFACE=wwan", "IFNAME=wwan0", "IPV4_ADDRESS=100.64.0.2", "IPV4_PREFIX=30",
            "IPV4_GATEWAY=100.64.0.1", "IPV6_ADDRESS=2001:db8:1:2::2", "IPV6_PREFIX=64",
            "IPV6_GATEWAY=2001:db8:1:2::1", "DNS=100.64.0.53 100.64.0.54 2001:db8::53", "MTU=1430"}));
}

TEST(NetifdReport, OneFamilyAloneAndNoGateway)
{
    std::string why;
    auto report = report_of(R"({"state":"connected","interface":"wwan0","ipv4":null,
        "ipv6":{"address":"2001:db8::2","prefix_length":128,"gateway":"","dns":[]},"mtu":null})", why);
    ASSERT_TRUE(report) << why;
    EXPECT_EQ(report->environment, (std::vector<std::string>{"INTERFACE=wwan", "IFNAME=wwan0",
                                       "IPV6_ADDRESS=2001:db8::2", "IPV6_PREFIX=128"}));
}

TEST(NetifdReport, NotConnectedIsNoReport)
{
    for (auto state : {"disconnected", "connecting", "disconnecting"}) {
        std::string why;
        auto text = fmt::format(R"({{"state":"{}","interface":"wwan0","ipv4":null,"ipv6":null}})", state);
        EXPECT_FALSE(report_of(text, why)) << state;
        EXPECT_EQ(why, "") << state;
    }
}

// uplinkd formats what the modem granted, but netifd is given only what is an address, and a
// name that is an interface's: nothing a modem says reaches the report script's environment as
// anything else (a DNS server that is not an address is left out).
TEST(NetifdReport, WhatIsNotAnAddressOrAnInterfaceNeverReachesNetifd)
{
    std::string why;
    EXPECT_FALSE(report_of(R"({"state":"connected","interface":"wwan0",
        "ipv4":{"address":"100.64.0.2 ; reboot","prefix_length":30,"gateway":"100.64.0.1","dns":[]}})", why));
    EXPECT_EQ(why, "the IPV4 settings are not an address and prefix length");
    EXPECT_FALSE(report_of(R"({"state":"connected","interface":"wwan0",
        "ipv4":{"address":"100.64.0.2","prefix_length":33,"gateway":"100.64.0.1","dns":[]}})", why));
    EXPECT_FALSE(report_of(R"({"state":"connected","interface":"../../x y",
        "ipv4":{"address":"100.64.0.2","prefix_length":30,"gateway":"100.64.0.1","dns":[]}})", why));
    EXPECT_EQ(why, "its connection has no network interface netifd could configure");
    EXPECT_FALSE(report_of(R"({"state":"connected","interface":"wwan0","ipv4":null,"ipv6":null})", why));
    EXPECT_EQ(why, "connected with no address");
    auto report = report_of(R"({"state":"connected","interface":"wwan0",
        "ipv4":{"address":"100.64.0.2","prefix_length":30,"gateway":"x","dns":["\n1.1.1.1","8.8.8.8"]}})", why);
    ASSERT_TRUE(report) << why;
    EXPECT_EQ(report->environment, (std::vector<std::string>{"INTERFACE=wwan", "IFNAME=wwan0",
                                       "IPV4_ADDRESS=100.64.0.2", "IPV4_PREFIX=30", "DNS=8.8.8.8"}));
}

} // namespace
} // namespace uplink::cli
