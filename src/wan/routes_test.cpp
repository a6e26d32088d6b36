// Ids, marks, tables and rules, computed without a kernel.
#include "wan/wan.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace uplink::wan {
namespace {

net::Address address(std::string_view text)
{
    return *net::parse_address(text);
}

net::Prefix prefix(std::string_view text)
{
    return *net::parse_prefix(text);
}

TEST(WanIds, AreStableForANameAcrossReloads)
{
    WanIds ids;
    auto first = ids.assign({"fibre", "lte"});
    EXPECT_EQ(first, (std::map<std::string, std::uint8_t> {{"fibre", 1}, {"lte", 2}}));
    // fibre leaves the config: lte keeps 2, a new WAN does not take fibre's 1 while others are
    // free.
    auto second = ids.assign({"lte", "lte2"});
    EXPECT_EQ(second, (std::map<std::string, std::uint8_t> {{"lte", 2}, {"lte2", 3}}));
    auto third = ids.assign({"lte2", "fibre", "lte"});
    EXPECT_EQ(third, (std::map<std::string, std::uint8_t> {{"fibre", 1}, {"lte", 2}, {"lte2", 3}}));
}

TEST(WanIds, ReuseTheIdOfANameGoneWhenAllAreTaken)
{
    WanIds ids;
    std::vector<std::string> names;
    for (int number = 0; number < highest_id; ++number)
        names.push_back(fmt::format("wan{}", number));
    auto all = ids.assign(names);
    ASSERT_EQ(all.size(), std::size_t {highest_id});
    EXPECT_EQ(all.at("wan61"), highest_id);
    names.erase(names.begin() + 5); // wan5 had id 6
    names.push_back("new");
    auto again = ids.assign(names);
    EXPECT_EQ(again.at("new"), 6);
    EXPECT_EQ(again.at("wan61"), highest_id);
    names.push_back("one_too_many");
    EXPECT_FALSE(ids.assign(names).contains("one_too_many"));
}

TEST(WanMarks, StayWithinTheirMask)
{
    EXPECT_EQ(mark_of(1), 0x01000000u);
    EXPECT_EQ(mark_of(highest_id) & ~mark_mask, 0u);
    EXPECT_EQ(mark_of(unreachable_id), mark_mask);
    // mwan3's default MMX_MASK, and 0x00ff0000 (pbr's, Tailscale's): no bit in common.
    EXPECT_EQ(mark_mask & 0x3f00u, 0u);
    EXPECT_EQ(mark_mask & 0x00ff0000u, 0u);
}

WanLink wired()
{
    WanLink wan;
    wan.name = "fibre";
    wan.id = 1;
    wan.interface = "eth1";
    wan.index = 7;
    wan.addresses = {{7, prefix("198.18.10.2/30")}, {7, prefix("2001:db8:10::2/64")}};
    wan.gateways = {address("198.18.10.1"), address("fe80::1")};
    return wan;
}

WanLink raw_ip()
{
    WanLink wan;
    wan.name = "lte";
    wan.id = 2;
    wan.interface = "wwan0";
    wan.index = 9;
    wan.attachment = Attachment::OnLink;
    wan.addresses = {{9, prefix("100.64.7.9/32")}};
    return wan;
}

net::Route route(std::string_view destination, int link, std::uint32_t table)
{
    net::Route route;
    route.destination = prefix(destination);
    route.output_link = link;
    route.table = table;
    return route;
}

net::Rule rule(net::Family family, std::uint32_t priority, std::uint32_t mark,
    net::RuleAction action, std::uint32_t table)
{
    net::Rule rule;
    rule.family = family;
    rule.priority = priority;
    rule.fwmark = mark;
    rule.fwmask = mark_mask;
    rule.action = action;
    rule.table = table;
    return rule;
}

net::Rule bound_rule(
    net::Family family, std::uint32_t priority, std::string interface, std::uint32_t table)
{
    net::Rule rule;
    rule.family = family;
    rule.priority = priority;
    rule.output_interface = std::move(interface);
    rule.table = table;
    return rule;
}

TEST(RoutingPlan, GivesEachWanItsTableAndRules)
{
    auto plan = routing_plan({wired(), raw_ip()}, RoutingLayout {});

    auto connected4 = route("198.18.10.0/30", 7, 1001);
    connected4.preferred_source = address("198.18.10.2");
    auto default4 = route("0.0.0.0/0", 7, 1001);
    default4.gateway = address("198.18.10.1");
    auto connected6 = route("2001:db8:10::/64", 7, 1001);
    auto default6 = route("::/0", 7, 1001);
    default6.gateway = address("fe80::1");
    // The modem's /32 is alone on its link: only an on-link default route.
    auto modem4 = route("0.0.0.0/0", 9, 1002);
    EXPECT_EQ(plan.routes,
        (std::vector<net::Route> {connected4, default4, modem4, connected6, default6}));

    using net::Family;
    using net::RuleAction;
    std::vector<net::Rule> expected;
    for (auto family : {Family::Ipv4, Family::Ipv6}) {
        expected.push_back(bound_rule(family, 9901, "eth1", 1001));
        expected.push_back(rule(family, 10001, 0x01000000, RuleAction::Lookup, 1001));
        expected.push_back(rule(family, 10101, 0x01000000, RuleAction::Unreachable, 0));
        expected.push_back(bound_rule(family, 9902, "wwan0", 1002));
        expected.push_back(rule(family, 10002, 0x02000000, RuleAction::Lookup, 1002));
        expected.push_back(rule(family, 10102, 0x02000000, RuleAction::Unreachable, 0));
        expected.push_back(rule(family, 10063, 0x3f000000, RuleAction::Unreachable, 0));
    }
    EXPECT_EQ(plan.rules, expected);
}

TEST(RoutingPlan, TheRoutersQueriesToAWansDnsServersLeaveByThatWan)
{
    auto modem = raw_ip();
    modem.dns = {address("100.64.0.53"), address("2001:db8::53")};
    auto plan = routing_plan({modem}, RoutingLayout {});
    net::Rule to_dns4;
    to_dns4.priority = 9802;
    to_dns4.destination = prefix("100.64.0.53/32");
    to_dns4.input_interface = "lo";
    to_dns4.table = 1002;
    auto to_dns6 = to_dns4;
    to_dns6.family = net::Family::Ipv6;
    to_dns6.destination = prefix("2001:db8::53/128");
    EXPECT_EQ(plan.rules.at(1), to_dns4);
    // In the IPv6 half: 4 rules for IPv4, then the IPv6 ones in the same order.
    EXPECT_EQ(plan.rules.at(6), to_dns6);
}

// docs/failover.md "IPv6 for the LAN": a shared /64 is the LAN's, in the main table; the
// modem's own address is a /128, with no route of its own.
TEST(RoutingPlan, ASharedPrefixIsRoutedToItsLan)
{
    auto modem = raw_ip();
    modem.addresses.push_back({9, prefix("2001:db8:1:2::2/128")});
    modem.routed_prefix = prefix("2001:db8:1:2::/64");
    auto unshared = routing_plan({modem}, RoutingLayout {});
    modem.share_link = 4;
    auto shared = routing_plan({modem}, RoutingLayout {});
    auto lan = route("2001:db8:1:2::/64", 4, net::main_table);
    EXPECT_EQ(std::ranges::count(unshared.routes, lan), 0);
    EXPECT_EQ(std::ranges::count(shared.routes, lan), 1);
    EXPECT_EQ(shared.routes.size(), unshared.routes.size() + 1);
    EXPECT_EQ(std::ranges::count(shared.routes, route("::/0", 9, 1002)), 1);
}

TEST(RoutingPlan, AWanWithoutItsLinkKeepsItsRulesButHasNoRoutes)
{
    auto gone = wired();
    gone.index = 0;
    auto plan = routing_plan({gone}, RoutingLayout {2000, 20000});
    EXPECT_TRUE(plan.routes.empty());
    ASSERT_EQ(plan.rules.size(), 8u);
    EXPECT_EQ(plan.rules[0], bound_rule(net::Family::Ipv4, 19901, "eth1", 2001));
    EXPECT_EQ(
        plan.rules[1], rule(net::Family::Ipv4, 20001, 0x01000000, net::RuleAction::Lookup, 2001));
}

TEST(RoutingPlan, AWiredWanWithoutAGatewayHasNoDefaultRoute)
{
    auto waiting = wired();
    waiting.gateways.clear();
    auto plan = routing_plan({waiting}, RoutingLayout {});
    for (const auto& route : plan.routes)
        EXPECT_NE(route.destination.length, 0) << net::to_string(route.destination);
    EXPECT_EQ(plan.routes.size(), 2u);
}

TEST(Attachment, NamesRoundTrip)
{
    for (auto attachment : {Attachment::Gateway, Attachment::OnLink})
        EXPECT_EQ(to_string(attachment) == "on-link", attachment == Attachment::OnLink);
    EXPECT_NE(to_string(Attachment::Gateway), to_string(Attachment::OnLink));
}

TEST(LinkFrom, TakesGatewaysFromDefaultRoutesOutsideTheWanTables)
{
    net::LinkView view;
    view.name = "eth1";
    view.link = net::Link {};
    view.link->index = 7;
    view.addresses = {{7, prefix("198.18.10.2/30")}};
    auto main_route = route("0.0.0.0/0", 7, net::main_table);
    main_route.gateway = address("198.18.10.1");
    auto own = route("0.0.0.0/0", 7, 1001);
    own.gateway = address("198.18.10.99");
    view.default_routes = {main_route, own, main_route};
    auto wan = link_from(view, Attachment::Gateway, RoutingLayout {});
    EXPECT_EQ(wan.index, 7);
    EXPECT_EQ(wan.gateways, std::vector<net::Address> {address("198.18.10.1")});
    EXPECT_TRUE(wan.carries(net::Family::Ipv4));
    EXPECT_FALSE(wan.carries(net::Family::Ipv6));

    view.link.reset();
    EXPECT_EQ(link_from(view, Attachment::Gateway, RoutingLayout {}).index, 0);
}

} // namespace
} // namespace uplink::wan
