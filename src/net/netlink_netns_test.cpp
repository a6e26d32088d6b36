// Netlink against the kernel, each test in a network namespace of its own (netns tier: root;
// support/private_namespace.hpp). Traffic goes only to the namespace's own loopback.
#include "net/net.hpp"
#include "support/private_namespace.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

namespace uplink::net {
namespace {

using test_support::in_private_namespace;

Prefix prefix(const char* text)
{
    auto parsed = parse_prefix(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Prefix {});
}

Address address(const char* text)
{
    auto parsed = parse_address(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Address {});
}

constexpr const char* test_link = "uplink0";
constexpr std::uint32_t wan_table = 100;

// A dummy link stands in for a WAN device. A kernel built without the dummy driver (the 6.18
// these tests were written on has CONFIG_DUMMY unset) gets a veth pair instead, its peer up so
// the link has a carrier.
Result<int> create_test_link(Netlink& netlink)
{
    auto added = netlink.add_link(test_link, LinkKind::Dummy);
    if (!added && added.error() == boost::system::errc::operation_not_supported) {
        added = netlink.add_veth(test_link, "uplink0-peer");
        if (!added)
            return added.error();
        auto peer = netlink.link_index("uplink0-peer");
        if (!peer)
            return peer.error();
        if (auto up = netlink.set_link_state(*peer, AdminState::Up); !up)
            return up.error();
    }
    if (!added)
        return added.error();
    return netlink.link_index(test_link);
}

template <typename Value> bool contains(const std::vector<Value>& values, const Value& value)
{
    return std::ranges::find(values, value) != values.end();
}

class NetlinkNamespace : public test_support::PrivateNamespaceTest {};

TEST_F(NetlinkNamespace, LoopbackAndMissingLinks)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink) << netlink.error().message();
        auto loopback = netlink->link("lo");
        ASSERT_TRUE(loopback) << loopback.error().message();
        EXPECT_EQ(loopback->index, 1); // the first link of every namespace
        EXPECT_EQ(loopback->mtu, 65536u);
        EXPECT_EQ(loopback->admin_state(), AdminState::Down); // a new namespace's lo starts down
        ASSERT_TRUE(netlink->set_link_state(1, AdminState::Up));
        auto again = netlink->link(1);
        ASSERT_TRUE(again);
        EXPECT_EQ(again->name, "lo");
        EXPECT_EQ(again->admin_state(), AdminState::Up);
        EXPECT_EQ(again->operstate, OperState::Unknown); // loopback never reports a carrier

        auto missing = netlink->link_index("wwan9");
        ASSERT_FALSE(missing);
        EXPECT_EQ(missing.error(), boost::system::errc::no_such_device);
        EXPECT_EQ(netlink->link(4242).error(), boost::system::errc::no_such_device);
        EXPECT_EQ(netlink->link_index("name-too-long-for-linux").error(), Errc::InvalidArgument);

        auto links = netlink->links();
        ASSERT_TRUE(links) << links.error().message();
        // lo, and whatever fallback tunnels (sit0, tunl0...) loaded modules add to every namespace.
        EXPECT_TRUE(std::ranges::any_of(
            *links, [](const Link& each) { return each.index == 1 && each.name == "lo"; }));
    });
}

TEST_F(NetlinkNamespace, LinkUpMtuDownAndDelete)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink) << netlink.error().message();
        auto index = create_test_link(*netlink);
        ASSERT_TRUE(index) << index.error().message();
        EXPECT_EQ(netlink->add_link(test_link, LinkKind::Bridge).error(),
            boost::system::errc::file_exists);

        ASSERT_TRUE(netlink->set_link_state(*index, AdminState::Up));
        ASSERT_TRUE(netlink->set_link_mtu(*index, 1400));
        auto link = netlink->link(test_link);
        ASSERT_TRUE(link) << link.error().message();
        EXPECT_EQ(link->index, *index);
        EXPECT_TRUE(link->kind == "dummy" || link->kind == "veth") << link->kind;
        EXPECT_EQ(link->admin_state(), AdminState::Up);
        EXPECT_EQ(link->mtu, 1400u);
        ASSERT_TRUE(link->statistics);

        auto links = netlink->links();
        ASSERT_TRUE(links);
        EXPECT_TRUE(
            std::ranges::any_of(*links, [](const Link& each) { return each.name == test_link; }));

        ASSERT_TRUE(netlink->set_link_state(*index, AdminState::Down));
        EXPECT_EQ(netlink->link(*index).value().admin_state(), AdminState::Down);
        ASSERT_TRUE(netlink->delete_link(*index));
        EXPECT_EQ(netlink->link_index(test_link).error(), boost::system::errc::no_such_device);
        EXPECT_EQ(netlink->delete_link(*index).error(), boost::system::errc::no_such_device);
    });
}

TEST_F(NetlinkNamespace, AddLinkOfEachKind)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        ASSERT_TRUE(netlink->add_link("br-lan", LinkKind::Bridge));
        EXPECT_EQ(netlink->link("br-lan").value().kind, "bridge");
        ASSERT_TRUE(netlink->add_veth("wan", "isp"));
        EXPECT_EQ(netlink->link("isp").value().kind, "veth");
        auto dummy = netlink->add_link("dummy0", LinkKind::Dummy);
        if (dummy)
            EXPECT_EQ(netlink->link("dummy0").value().kind, "dummy");
        else // the kernel has no dummy driver: its answer must be the errno `ip` reports
            EXPECT_EQ(dummy.error(), boost::system::errc::operation_not_supported);
    });
}

// The brief's scenario end to end: what a modem's wwan0 gets on connect and loses on disconnect.
TEST_F(NetlinkNamespace, AddressesRoutesAndRulesComeAndGo)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink) << netlink.error().message();
        auto index = create_test_link(*netlink);
        ASSERT_TRUE(index) << index.error().message();
        ASSERT_TRUE(netlink->set_link_state(*index, AdminState::Up));
        ASSERT_TRUE(netlink->set_link_mtu(*index, 1400));

        InterfaceAddress ipv4 {*index, prefix("100.64.0.2/30")};
        InterfaceAddress ipv6 {*index, prefix("2001:db8::2/64")};
        ASSERT_TRUE(netlink->add_address(ipv4));
        ASSERT_TRUE(netlink->add_address(ipv6));
        auto exists = netlink->add_address(ipv4);
        ASSERT_FALSE(exists);
        EXPECT_EQ(exists.error(), boost::system::errc::file_exists);
        EXPECT_EQ(&exists.error().category(), &boost::system::system_category());

        Route route4 {Prefix::any(Family::Ipv4), address("100.64.0.1"), *index, wan_table, 10, {},
            RouteType::Unicast, static_protocol};
        Route route6 {Prefix::any(Family::Ipv6), address("2001:db8::1"), *index, wan_table, 10, {},
            RouteType::Unicast, static_protocol};
        ASSERT_TRUE(netlink->add_route(route4));
        ASSERT_TRUE(netlink->add_route(route6));
        EXPECT_EQ(netlink->add_route(route4).error(), boost::system::errc::file_exists);

        Rule rule4 {Family::Ipv4, 1000, 0x1, {}, {}, wan_table, RuleAction::Lookup, "", {}, ""};
        Rule rule6 {Family::Ipv6, 1000, 0x1, {}, {}, wan_table, RuleAction::Lookup, "", {}, ""};
        Rule source_rule {
            Family::Ipv4, 1001, {}, {}, prefix("100.64.0.0/30"), wan_table, RuleAction::Lookup, "", {}, ""};
        ASSERT_TRUE(netlink->add_rule(rule4));
        ASSERT_TRUE(netlink->add_rule(rule6));
        ASSERT_TRUE(netlink->add_rule(source_rule));
        // Bound to an interface that need not exist yet (as `ip rule add oif` takes it).
        Rule bound_rule {Family::Ipv4, 1002, {}, {}, {}, wan_table, RuleAction::Lookup, "wan-later", {}, ""};
        ASSERT_TRUE(netlink->add_rule(bound_rule));
        // What the router itself sends to one address (`iif lo to 192.0.2.53`: a WAN's DNS server).
        Rule local_to_rule {
            Family::Ipv4, 1003, {}, {}, {}, wan_table, RuleAction::Lookup, "", prefix("192.0.2.53/32"), "lo"};
        ASSERT_TRUE(netlink->add_rule(local_to_rule));
        EXPECT_EQ(netlink->add_rule(rule4).error(), boost::system::errc::file_exists);

        // Read back: what the kernel holds is what was asked for.
        auto link = netlink->link(*index);
        ASSERT_TRUE(link);
        EXPECT_EQ(link->mtu, 1400u);
        EXPECT_EQ(link->admin_state(), AdminState::Up);
        auto addresses4 = netlink->addresses(Family::Ipv4);
        auto addresses6 = netlink->addresses(Family::Ipv6);
        ASSERT_TRUE(addresses4 && addresses6);
        EXPECT_TRUE(contains(*addresses4, ipv4));
        EXPECT_TRUE(contains(*addresses6, ipv6));
        auto routes4 = netlink->routes(Family::Ipv4, wan_table);
        auto routes6 = netlink->routes(Family::Ipv6, wan_table);
        ASSERT_TRUE(routes4 && routes6);
        EXPECT_EQ(*routes4, std::vector<Route> {route4});
        EXPECT_TRUE(contains(*routes6, route6)); // table 100 may also hold IPv6 multicast/local
        auto rules4 = netlink->rules(Family::Ipv4);
        auto rules6 = netlink->rules(Family::Ipv6);
        ASSERT_TRUE(rules4 && rules6);
        // The kernel reports the full mask it filled in for a mark given without one.
        Rule stored4 = rule4;
        stored4.fwmask = 0xffffffff;
        Rule stored6 = rule6;
        stored6.fwmask = 0xffffffff;
        EXPECT_TRUE(contains(*rules4, stored4));
        EXPECT_TRUE(contains(*rules4, source_rule));
        EXPECT_TRUE(contains(*rules4, bound_rule));
        EXPECT_TRUE(contains(*rules4, local_to_rule));
        EXPECT_TRUE(contains(*rules6, stored6));

        // Delete everything, and it is gone; deleting again says so.
        ASSERT_TRUE(netlink->delete_rule(rule4));
        ASSERT_TRUE(netlink->delete_rule(rule6));
        ASSERT_TRUE(netlink->delete_rule(source_rule));
        ASSERT_TRUE(netlink->delete_rule(local_to_rule));
        ASSERT_TRUE(netlink->delete_rule(bound_rule));
        EXPECT_EQ(
            netlink->delete_rule(rule4).error(), boost::system::errc::no_such_file_or_directory);
        ASSERT_TRUE(netlink->delete_route(route4));
        ASSERT_TRUE(netlink->delete_route(route6));
        EXPECT_EQ(netlink->delete_route(route4).error(), boost::system::errc::no_such_process);
        ASSERT_TRUE(netlink->delete_address(ipv4));
        ASSERT_TRUE(netlink->delete_address(ipv6));
        EXPECT_EQ(
            netlink->delete_address(ipv4).error(), boost::system::errc::address_not_available);
        EXPECT_TRUE(netlink->added_addresses().empty());

        EXPECT_FALSE(contains(netlink->addresses(Family::Ipv4).value(), ipv4));
        EXPECT_FALSE(contains(netlink->addresses(Family::Ipv6).value(), ipv6));
        EXPECT_TRUE(netlink->routes(Family::Ipv4, wan_table).value().empty());
        EXPECT_FALSE(contains(netlink->routes(Family::Ipv6, wan_table).value(), route6));
        auto rules_after = netlink->rules(Family::Ipv4).value();
        EXPECT_FALSE(contains(rules_after, stored4));
        EXPECT_FALSE(contains(rules_after, source_rule));
        EXPECT_FALSE(contains(netlink->rules(Family::Ipv6).value(), stored6));
        // Only the kernel's own rules are left: local, main, default.
        EXPECT_EQ(rules_after.size(), 3u);
    });
}

TEST_F(NetlinkNamespace, FlushRemovesWhatWasAddedAndNothingElse)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        auto index = create_test_link(*netlink);
        ASSERT_TRUE(index) << index.error().message();
        ASSERT_TRUE(netlink->set_link_state(*index, AdminState::Up));
        // Someone else's address (an operator's, netifd's): the flush must leave it.
        InterfaceAddress foreign {*index, prefix("198.18.0.2/24")};
        {
            auto other = Netlink::open();
            ASSERT_TRUE(other);
            ASSERT_TRUE(other->add_address(foreign));
        }
        InterfaceAddress ipv4 {*index, prefix("100.64.0.2/30")};
        InterfaceAddress ipv6 {*index, prefix("2001:db8::2/64")};
        ASSERT_TRUE(netlink->add_address(ipv4));
        ASSERT_TRUE(netlink->add_address(ipv6));
        EXPECT_EQ(netlink->added_addresses().size(), 2u);

        ASSERT_TRUE(netlink->flush_added_addresses());
        EXPECT_TRUE(netlink->added_addresses().empty());
        auto left4 = netlink->addresses(Family::Ipv4).value();
        EXPECT_FALSE(contains(left4, ipv4));
        EXPECT_TRUE(contains(left4, foreign));
        EXPECT_FALSE(contains(netlink->addresses(Family::Ipv6).value(), ipv6));
        ASSERT_TRUE(netlink->flush_added_addresses()); // nothing left to do

        // An address whose link has gone counts as flushed.
        ASSERT_TRUE(netlink->add_address(ipv4));
        ASSERT_TRUE(netlink->delete_link(*index));
        ASSERT_TRUE(netlink->flush_added_addresses());
        EXPECT_TRUE(netlink->added_addresses().empty());
    });
}

TEST_F(NetlinkNamespace, ReplaceMovesTheDefaultRoute)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        auto index = create_test_link(*netlink);
        ASSERT_TRUE(index) << index.error().message();
        ASSERT_TRUE(netlink->set_link_state(*index, AdminState::Up));
        ASSERT_TRUE(netlink->add_address({*index, prefix("100.64.0.2/29")}));
        Route route {Prefix::any(Family::Ipv4), address("100.64.0.1"), *index, wan_table, 10, {},
            RouteType::Unicast, static_protocol};
        ASSERT_TRUE(netlink->replace_route(route)); // replace also adds
        route.gateway = address("100.64.0.3");
        ASSERT_TRUE(netlink->replace_route(route));
        EXPECT_EQ(netlink->routes(Family::Ipv4, wan_table).value(), std::vector<Route> {route});

        // A raw-IP wwan0 has no gateway: the default route is on-link.
        route.gateway.reset();
        ASSERT_TRUE(netlink->replace_route(route));
        EXPECT_EQ(netlink->routes(Family::Ipv4, wan_table).value(), std::vector<Route> {route});
    });
}

TEST_F(NetlinkNamespace, StatisticsCountLoopbackTraffic)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        ASSERT_TRUE(netlink->set_link_state(1, AdminState::Up));
        auto before = netlink->link_statistics(1);
        ASSERT_TRUE(before) << before.error().message();

        // One UDP datagram to this namespace's own loopback.
        int receiver = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int sender = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(receiver, 0);
        ASSERT_GE(sender, 0);
        sockaddr_in local {};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof local;
        EXPECT_EQ(::bind(receiver, reinterpret_cast<sockaddr*>(&local), sizeof local), 0);
        EXPECT_EQ(::getsockname(receiver, reinterpret_cast<sockaddr*>(&local), &length), 0);
        const char payload[1000] = {};
        EXPECT_EQ(::sendto(sender, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&local),
                      sizeof local),
            static_cast<ssize_t>(sizeof payload));
        ::close(sender);
        ::close(receiver);

        auto after = netlink->link_statistics(1);
        ASSERT_TRUE(after) << after.error().message();
        EXPECT_EQ(after->tx_packets, before->tx_packets + 1);
        EXPECT_EQ(after->rx_packets, before->rx_packets + 1);
        // The payload plus its UDP and IPv4 headers (8 + 20 bytes): loopback_xmit() counts the
        // packet after eth_type_trans() has pulled its link header.
        EXPECT_EQ(after->tx_bytes - before->tx_bytes, sizeof payload + 28);
        EXPECT_EQ(after->rx_bytes - before->rx_bytes, sizeof payload + 28);
    });
}

} // namespace
} // namespace uplink::net
