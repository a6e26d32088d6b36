// A wired WAN's DNS servers from dhclient's lease file (dhclient.leases(5)), as Debian 12's
// isc-dhcp-client 4.4.3 writes it.
#include "wan/wan.hpp"

#include <gtest/gtest.h>

namespace uplink::wan {
namespace {

// 2026-12-07 19:00:00 UTC.
constexpr std::int64_t seven_pm = 1796670000;

const char* const leases = R"(default-duid "\000\001\000\001+\2153r\006\270\376\332\246\356";
lease {
  interface "eth1";
  fixed-address 198.18.3.2;
  option subnet-mask 255.255.255.0;
  option routers 198.18.3.1;
  option dhcp-lease-time 3600;
  option dhcp-message-type 5;
  option domain-name-servers 198.18.3.53,198.18.3.54;
  option dhcp-server-identifier 198.18.3.1;
  renew 1 2026/12/07 18:05:12;
  rebind 1 2026/12/07 18:27:42;
  expire 1 2026/12/07 18:35:12;
}
lease {
  interface "eth2";
  fixed-address 192.0.2.10;
  option domain-name-servers 192.0.2.1;
  expire 1 2026/12/07 20:00:00;
}
lease {
  interface "eth1";
  fixed-address 198.18.3.2;
  option domain-name-servers 198.18.3.55;
  renew 1 2026/12/07 19:20:00;
  expire 1 2026/12/07 19:50:00;
}
)";

std::vector<net::Address> addresses(std::initializer_list<const char*> texts)
{
    std::vector<net::Address> parsed;
    for (const auto* text : texts)
        parsed.push_back(*net::parse_address(text));
    return parsed;
}

TEST(DhclientDns, TakesTheLastLeaseOfTheInterfaceThatHasNotExpired)
{
    EXPECT_EQ(dhclient_dns(leases, "eth1", seven_pm), addresses({"198.18.3.55"}));
    EXPECT_EQ(dhclient_dns(leases, "eth2", seven_pm), addresses({"192.0.2.1"}));
    // At 18:30 the first had not expired either: the last one still counts.
    EXPECT_EQ(dhclient_dns(leases, "eth1", seven_pm - 1800), addresses({"198.18.3.55"}));
    // Once every lease of the interface has expired, it has none.
    EXPECT_TRUE(dhclient_dns(leases, "eth1", seven_pm + 3600).empty());
    EXPECT_TRUE(dhclient_dns(leases, "eth9", seven_pm).empty());
}

TEST(DhclientDns, AnInfiniteLeaseNeverExpires)
{
    auto text = "lease {\n  interface \"eth1\";\n  option domain-name-servers 2001:db8::53;\n  expire never;\n}\n";
    EXPECT_EQ(dhclient_dns(text, "eth1", seven_pm * 2), addresses({"2001:db8::53"}));
}

TEST(DhclientDns, WhatItCannotReadIsNoServer)
{
    for (const auto* text : {
             "lease {\n  interface \"eth1\";\n  option domain-name-servers 198.18.3.53\n}\n", // no ';'
             "lease {\n  interface \"eth1\";\n  option domain-name-servers 198.18.3.53;\n",     // never closed
             "lease {\n  interface \"eth1\";\n  option domain-name-servers x;\n}\n",
             "lease {\n  interface \"eth1\";\n  option domain-name-servers 198.18.3.53;\n  expire 1 2026/13/07 19:50:00;\n}\n",
             "interface \"eth1\";\noption domain-name-servers 198.18.3.53;\n",                   // outside a lease
         })
        EXPECT_TRUE(dhclient_dns(text, "eth1", seven_pm).empty()) << text;
}

TEST(DhclientDns, LivesWhereIfupdownPutsIt)
{
    EXPECT_EQ(dhclient_lease_path("eth1"), "/var/lib/dhcp/dhclient.eth1.leases");
}

} // namespace
} // namespace uplink::wan
