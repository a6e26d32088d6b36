// LinkTable fed the messages a LinkWatcher reads: a captured RTM_NEWLINK, links built by hand as
// rtnl_fill_ifinfo() sends them, and addresses and routes built by the request builders, whose
// layouts are the events' own (ifaddrmsg and rtmsg with the same attributes).
#include "net/captures.hpp"
#include "net/link_table.hpp"
#include "net/message.hpp"

#include <array>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace uplink::net {
namespace {

using rtnetlink::Bytes;
using rtnetlink::Operation;

constexpr std::uint32_t carrier_flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_LOWER_UP;
constexpr std::uint32_t no_carrier_flags = IFF_UP | IFF_BROADCAST;

// An RTM_NEWLINK or RTM_DELLINK with what rtnl_fill_ifinfo() puts first: flags, name, MTU and
// operstate (IF_OPER_* in if.h). AF_BRIDGE makes it a bridge's word about a port.
Bytes link_message(std::uint16_t type, int index, const char* name, std::uint32_t flags,
    std::uint8_t family = AF_UNSPEC)
{
    alignas(8) std::array<std::uint8_t, 256> buffer {};
    auto* header = mnl_nlmsg_put_header(buffer.data());
    header->nlmsg_type = type;
    auto* link = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)));
    link->ifi_family = family;
    link->ifi_index = index;
    link->ifi_flags = flags;
    mnl_attr_put_strz(header, IFLA_IFNAME, name);
    mnl_attr_put_u32(header, IFLA_MTU, 1500);
    auto operstate = !(flags & IFF_UP) ? IF_OPER_DOWN
        : flags & IFF_LOWER_UP         ? IF_OPER_UP
                                       : IF_OPER_LOWERLAYERDOWN;
    mnl_attr_put_u8(header, IFLA_OPERSTATE, static_cast<std::uint8_t>(operstate));
    return Bytes(buffer.data(), buffer.data() + header->nlmsg_len);
}

Bytes address_message(
    Operation operation, int link, const char* prefix, AddressScope scope = AddressScope::Global)
{
    auto parsed = parse_prefix(prefix);
    EXPECT_TRUE(parsed) << prefix;
    return rtnetlink::address_request(1, operation, {link, parsed.value(), scope}).value();
}

Address address(const char* text)
{
    auto parsed = parse_address(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Address {});
}

// A default route out of `link` through `gateway`, as `ip route add default via ... dev ...`.
Route default_route(
    int link, const char* gateway, std::uint32_t table = main_table, std::uint32_t metric = 0)
{
    Route route;
    route.gateway = address(gateway);
    route.destination = Prefix::any(route.gateway->family);
    route.output_link = link;
    route.table = table;
    route.metric = metric;
    return route;
}

Bytes route_message(Operation operation, const Route& route)
{
    return rtnetlink::route_request(1, operation, route).value();
}

RouteKnowledge feed(LinkTable& table, const Bytes& message)
{
    auto applied = table.apply(message);
    EXPECT_TRUE(applied) << applied.error().message();
    return applied ? *applied : RouteKnowledge::Current;
}

LinkView absent(const char* name)
{
    LinkView view;
    view.name = name;
    return view;
}

TEST(LinkTable, CapturedLinkIsSeenByItsNameWithoutStatistics)
{
    LinkTable table;
    EXPECT_FALSE(table.view("v0").link);
    feed(table, Bytes(std::begin(captures::veth_link_up), std::end(captures::veth_link_up)));
    auto view = table.view("v0");
    EXPECT_EQ(view.name, "v0");
    ASSERT_TRUE(view.link);
    EXPECT_EQ(view.link->index, 3);
    EXPECT_EQ(view.link->admin_state(), AdminState::Up);
    EXPECT_EQ(view.link->carrier(), Carrier::Up);
    EXPECT_EQ(view.link->operstate, OperState::Up);
    EXPECT_FALSE(view.link->statistics); // else every event would make a new view
    EXPECT_FALSE(table.view("v1").link);
    EXPECT_FALSE(table.view("v").link);
}

TEST(LinkTable, GlobalAddressesOfTheLinkInAFixedOrder)
{
    auto messages = {
        link_message(RTM_NEWLINK, 4, "wan0", carrier_flags),
        link_message(RTM_NEWLINK, 5, "lan0", carrier_flags),
        address_message(Operation::Add, 4, "2001:db8::2/64"),
        address_message(Operation::Add, 4, "fe80::1/64", AddressScope::Link),
        address_message(Operation::Add, 4, "100.64.0.2/30"),
        address_message(Operation::Add, 4, "100.64.0.1/30"),
        address_message(Operation::Add, 5, "198.18.0.1/24"),
    };
    LinkTable in_order;
    for (const auto& message : messages)
        feed(in_order, message);
    LinkTable reversed;
    for (auto message = std::rbegin(messages); message != std::rend(messages); ++message)
        feed(reversed, *message);

    auto view = in_order.view("wan0");
    std::vector<std::string> addresses;
    for (const auto& each : view.addresses)
        addresses.push_back(to_string(each.prefix));
    EXPECT_EQ(
        addresses, (std::vector<std::string> {"100.64.0.1/30", "100.64.0.2/30", "2001:db8::2/64"}));
    EXPECT_EQ(view, reversed.view("wan0"));
    EXPECT_EQ(in_order.view("lan0").addresses.size(), 1u);
}

TEST(LinkTable, AddressDeletedIsGoneAndAnIpv4OneMakesRoutesStale)
{
    LinkTable table;
    feed(table, link_message(RTM_NEWLINK, 4, "wan0", carrier_flags));
    feed(table, address_message(Operation::Add, 4, "100.64.0.2/30"));
    feed(table, address_message(Operation::Add, 4, "2001:db8::2/64"));
    // Adding one that is there (a DHCP renewal's RTM_NEWADDR) keeps one.
    feed(table, address_message(Operation::Add, 4, "100.64.0.2/30"));
    EXPECT_EQ(table.view("wan0").addresses.size(), 2u);

    // fib_del_ifaddr() may have deleted IPv4 routes without a word; IPv6 sends its own.
    EXPECT_EQ(
        feed(table, address_message(Operation::Delete, 4, "100.64.0.2/30")), RouteKnowledge::Stale);
    EXPECT_EQ(feed(table, address_message(Operation::Delete, 4, "2001:db8::2/64")),
        RouteKnowledge::Current);
    EXPECT_TRUE(table.view("wan0").addresses.empty());
}

TEST(LinkTable, DefaultRoutesOutOfTheLinkInEveryTable)
{
    LinkTable table;
    feed(table, link_message(RTM_NEWLINK, 4, "wan0", carrier_flags));
    feed(table, link_message(RTM_NEWLINK, 5, "wwan0", carrier_flags));
    feed(table, route_message(Operation::Add, default_route(4, "100.64.0.1")));
    feed(table, route_message(Operation::Add, default_route(4, "100.64.0.1", 100)));
    feed(table, route_message(Operation::Add, default_route(4, "fe80::1", main_table, 1024)));
    feed(table, route_message(Operation::Add, default_route(5, "10.0.0.1", main_table, 20)));
    Route subnet = default_route(4, "100.64.0.1");
    subnet.destination = parse_prefix("198.18.0.0/15").value();
    feed(table, route_message(Operation::Add, subnet));
    Route blackhole;
    blackhole.type = RouteType::Blackhole;
    feed(table, route_message(Operation::Add, blackhole));

    auto view = table.view("wan0");
    ASSERT_EQ(view.default_routes.size(), 3u);
    EXPECT_EQ(view.default_routes[0], default_route(4, "100.64.0.1", 100)); // table 100 < 254
    EXPECT_EQ(view.default_routes[1], default_route(4, "100.64.0.1"));
    EXPECT_EQ(view.default_routes[2], default_route(4, "fe80::1", main_table, 1024));
    ASSERT_EQ(table.view("wwan0").default_routes.size(), 1u);

    // The same route dumped after its event was applied is still one route.
    feed(table, route_message(Operation::Add, default_route(4, "100.64.0.1")));
    EXPECT_EQ(table.view("wan0").default_routes.size(), 3u);
}

TEST(LinkTable, DeleteFindsTheRouteWhateverItsProtocol)
{
    LinkTable table;
    feed(table, link_message(RTM_NEWLINK, 4, "wan0", carrier_flags));
    auto route = default_route(4, "100.64.0.1");
    route.protocol = 16; // RTPROT_DHCP: what a DHCP client's route carries
    feed(table, route_message(Operation::Add, route));
    auto other_metric = default_route(4, "100.64.0.1", main_table, 10);
    feed(table, route_message(Operation::Add, other_metric));
    feed(table, route_message(Operation::Delete, route)); // protocol 0, scope nowhere
    EXPECT_EQ(table.view("wan0").default_routes, std::vector<Route> {other_metric});
}

TEST(LinkTable, ReplaceTakesTheSlotOfTheRouteItReplaces)
{
    LinkTable table;
    feed(table, link_message(RTM_NEWLINK, 4, "wan0", carrier_flags));
    feed(table, link_message(RTM_NEWLINK, 5, "wwan0", carrier_flags));
    feed(table, route_message(Operation::Add, default_route(4, "100.64.0.1")));
    feed(table, route_message(Operation::Add, default_route(4, "100.64.0.1", 100)));
    // Failover moves main's default to the modem: no RTM_DELROUTE comes for wan0's.
    feed(table, route_message(Operation::Replace, default_route(5, "10.0.0.1")));
    EXPECT_EQ(table.view("wan0").default_routes,
        std::vector<Route> {default_route(4, "100.64.0.1", 100)});
    EXPECT_EQ(
        table.view("wwan0").default_routes, std::vector<Route> {default_route(5, "10.0.0.1")});
}

TEST(LinkTable, SettingALinkDownMakesRoutesStaleLosingItsCarrierDoesNot)
{
    LinkTable table;
    EXPECT_EQ(
        feed(table, link_message(RTM_NEWLINK, 4, "wan0", IFF_BROADCAST)), RouteKnowledge::Current);
    EXPECT_EQ(
        feed(table, link_message(RTM_NEWLINK, 4, "wan0", carrier_flags)), RouteKnowledge::Current);
    // fib_sync_down_dev() only marks routes RTNH_F_LINKDOWN when the carrier goes.
    EXPECT_EQ(feed(table, link_message(RTM_NEWLINK, 4, "wan0", no_carrier_flags)),
        RouteKnowledge::Current);
    EXPECT_EQ(table.view("wan0").link->carrier(), Carrier::Down);
    EXPECT_EQ(table.view("wan0").link->operstate, OperState::LowerLayerDown);
    EXPECT_EQ(
        feed(table, link_message(RTM_NEWLINK, 4, "wan0", IFF_BROADCAST)), RouteKnowledge::Stale);
    EXPECT_EQ(
        feed(table, link_message(RTM_NEWLINK, 4, "wan0", IFF_BROADCAST)), RouteKnowledge::Current);
    EXPECT_EQ(table.view("wan0").link->admin_state(), AdminState::Down);
}

TEST(LinkTable, DeletedLinkGoesWithItsAddressesAndRoutesAndComesBackNew)
{
    LinkTable table;
    feed(table, link_message(RTM_NEWLINK, 4, "wan0", carrier_flags));
    feed(table, address_message(Operation::Add, 4, "100.64.0.2/30"));
    feed(table, route_message(Operation::Add, default_route(4, "100.64.0.1")));
    feed(table, link_message(RTM_DELLINK, 4, "wan0", carrier_flags));
    EXPECT_EQ(table.view("wan0"), absent("wan0"));

    feed(table, link_message(RTM_NEWLINK, 9, "wan0", IFF_BROADCAST));
    auto view = table.view("wan0");
    ASSERT_TRUE(view.link);
    EXPECT_EQ(view.link->index, 9);
    EXPECT_TRUE(view.addresses.empty());
    EXPECT_TRUE(view.default_routes.empty());
}

TEST(LinkTable, RenamedLinkBringsWhatItHad)
{
    LinkTable table;
    feed(table, link_message(RTM_NEWLINK, 6, "eth1", carrier_flags));
    feed(table, address_message(Operation::Add, 6, "198.18.5.2/24"));
    feed(table, route_message(Operation::Add, default_route(6, "198.18.5.1")));
    feed(table, link_message(RTM_NEWLINK, 6, "wan0", carrier_flags));
    EXPECT_FALSE(table.view("eth1").link);
    auto view = table.view("wan0");
    ASSERT_TRUE(view.link);
    EXPECT_EQ(view.addresses.size(), 1u);
    EXPECT_EQ(view.default_routes.size(), 1u);
}

TEST(LinkTable, BridgePortMessagesLeaveTheLinkAlone)
{
    LinkTable table;
    feed(table, link_message(RTM_NEWLINK, 4, "wan0", carrier_flags));
    // br_ifinfo_notify() when wan0 leaves a bridge: the link itself stays.
    feed(table, link_message(RTM_DELLINK, 4, "wan0", carrier_flags, AF_BRIDGE));
    feed(table, link_message(RTM_NEWLINK, 4, "wan0", IFF_BROADCAST, AF_BRIDGE));
    ASSERT_TRUE(table.view("wan0").link);
    EXPECT_EQ(table.view("wan0").link->carrier(), Carrier::Up);
}

TEST(LinkTable, WhatItDoesNotReadChangesNothing)
{
    LinkTable table;
    feed(table, link_message(RTM_NEWLINK, 4, "wan0", carrier_flags));
    feed(table, address_message(Operation::Add, 4, "100.64.0.2/30"));
    auto before = table.view("wan0");

    auto cut = address_message(Operation::Delete, 4, "100.64.0.2/30");
    cut.resize(cut.size() - 4);
    EXPECT_EQ(table.apply(cut).error(), Errc::Truncated);
    EXPECT_EQ(table.apply(Bytes {1, 2, 3}).error(), Errc::Truncated);
    auto nameless = link_message(RTM_NEWLINK, 4, "wan0", 0);
    nameless.resize(NLMSG_SPACE(sizeof(ifinfomsg)));
    reinterpret_cast<nlmsghdr*>(nameless.data())->nlmsg_len
        = static_cast<std::uint32_t>(nameless.size());
    EXPECT_EQ(table.apply(nameless).error(), Errc::MissingAttribute);

    // The end of a dump, and a type the table does not keep (RTM_NEWNEIGH).
    auto done = link_message(NLMSG_DONE, 0, "", 0);
    EXPECT_EQ(feed(table, done), RouteKnowledge::Current);
    auto neighbour = link_message(RTM_NEWNEIGH, 4, "wan0", 0);
    EXPECT_EQ(feed(table, neighbour), RouteKnowledge::Current);
    EXPECT_EQ(table.view("wan0"), before);

    table.clear();
    EXPECT_EQ(table.view("wan0"), absent("wan0"));
}

TEST(LinkTable, RouteKnowledgeNames)
{
    EXPECT_EQ(to_string(RouteKnowledge::Current), "current");
    EXPECT_EQ(to_string(RouteKnowledge::Stale), "stale");
}

} // namespace
} // namespace uplink::net
