// The nftables policy as text: the script for a known state, and how it follows state changes.
// (router_netns_test.cpp loads the same scripts into the kernel.)
#include "wan/wan.hpp"

#include <gtest/gtest.h>

namespace uplink::wan {
namespace {

WanConfig wan_config(std::string name, std::string interface, std::string modem)
{
    WanConfig wan;
    wan.name = std::move(name);
    wan.interface = std::move(interface);
    wan.modem = std::move(modem);
    return wan;
}

PolicyConfig policy(std::string name, std::vector<Tier> tiers, LastResort last_resort)
{
    PolicyConfig policy;
    policy.name = std::move(name);
    policy.tiers = std::move(tiers);
    policy.last_resort = last_resort;
    return policy;
}

WanSettings two_wans()
{
    WanSettings settings;
    settings.wans = {wan_config("fibre", "eth1", ""), wan_config("lte", "", "wan1")};
    settings.policies
        = {policy("failover", {{{"fibre", 1}}, {{"lte", 1}}}, LastResort::Unreachable),
            policy("balanced", {{{"fibre", 3}, {"lte", 1}}}, LastResort::Main)};
    TrafficRule voip;
    voip.name = "voip";
    voip.source = net::parse_prefix("192.168.1.50");
    voip.protocol = Protocol::Udp;
    voip.destination_port = PortRange {5060, 5061};
    voip.policy = "balanced";
    TrafficRule ping;
    ping.name = "ping";
    ping.protocol = Protocol::Icmp;
    ping.policy = "balanced";
    settings.rules = {voip, ping};
    settings.default_policy = "failover";
    return settings;
}

WanLink link(std::string name, std::uint8_t id, std::string interface, int index,
    std::vector<std::string> prefixes, health::WanState state)
{
    WanLink wan;
    wan.name = std::move(name);
    wan.id = id;
    wan.interface = std::move(interface);
    wan.index = index;
    for (const auto& prefix : prefixes)
        wan.addresses.push_back({index, *net::parse_prefix(prefix)});
    wan.state = state;
    return wan;
}

std::vector<WanLink> links(health::WanState fibre, health::WanState lte)
{
    return {link("fibre", 1, "eth1", 7, {"198.18.10.2/30", "2001:db8:10::2/64"}, fibre),
        link("lte", 2, "wwan0", 9, {"100.64.7.9/32"}, lte)};
}

// docs/failover.md "DNS": the servers of the WANs the default policy picks, else of the live ones.
TEST(ActiveDns, FollowsTheDefaultPolicy)
{
    auto settings = two_wans();
    auto with_dns = [](health::WanState fibre, health::WanState lte) {
        auto wans = links(fibre, lte);
        wans[0].dns = {*net::parse_address("198.18.10.53"), *net::parse_address("2001:db8:10::53")};
        wans[1].dns = {*net::parse_address("100.64.0.53"), *net::parse_address("100.64.0.54")};
        return wans;
    };
    auto text = [](const std::vector<net::Address>& servers) {
        std::string joined;
        for (const auto& server : servers)
            joined += (joined.empty() ? "" : " ") + net::to_string(server);
        return joined;
    };
    using health::WanState;
    // fibre carries both families: its servers of both, and not the backup's.
    EXPECT_EQ(text(active_dns(settings, with_dns(WanState::Up, WanState::Up))), "198.18.10.53 2001:db8:10::53");
    // fibre dead: lte's. Its IPv6 server would not count (lte has no IPv6 address), had it one.
    EXPECT_EQ(text(active_dns(settings, with_dns(WanState::Dead, WanState::Up))), "100.64.0.53 100.64.0.54");
    // The policy's pick has no servers (no `list dns` on the wired WAN): the live WANs'.
    auto wans = with_dns(WanState::Up, WanState::Up);
    wans[0].dns.clear();
    EXPECT_EQ(text(active_dns(settings, wans)), "100.64.0.53 100.64.0.54");
    // Every WAN dead: all of them, for whichever comes back first.
    EXPECT_EQ(text(active_dns(settings, with_dns(WanState::Dead, WanState::Dead))),
        "198.18.10.53 2001:db8:10::53 100.64.0.53 100.64.0.54");
    // A split policy: every WAN it splits over.
    settings.default_policy = "balanced";
    EXPECT_EQ(text(active_dns(settings, with_dns(WanState::Up, WanState::Up))),
        "198.18.10.53 2001:db8:10::53 100.64.0.53 100.64.0.54");
}

// The WANs systemd-resolved gets a default route on: the same choice as the servers above.
TEST(DnsWans, AreThoseWhoseServersAreAsked)
{
    using health::WanState;
    auto settings = two_wans();
    auto wans = links(WanState::Up, WanState::Up);
    wans[0].dns = {*net::parse_address("198.18.10.53")};
    wans[1].dns = {*net::parse_address("100.64.0.53")};
    EXPECT_EQ(dns_wans(settings, wans), (std::vector<DnsWan> {{"fibre", true}}));
    wans[0].state = WanState::Dead;
    EXPECT_EQ(dns_wans(settings, wans), (std::vector<DnsWan> {{"lte", true}}));
    // fibre alive but without servers: every live WAN of the policy.
    wans[0].state = WanState::Up;
    wans[0].dns.clear();
    EXPECT_EQ(dns_wans(settings, wans), (std::vector<DnsWan> {{"fibre", true}, {"lte", true}}));
    // Every WAN dead: all of them, whatever family they have now.
    wans[0].state = wans[1].state = WanState::Dead;
    EXPECT_EQ(dns_wans(settings, wans), (std::vector<DnsWan> {{"fibre", false}, {"lte", false}}));
}

TEST(ActiveDns, ResolvConfListsThemInOrder)
{
    auto text = resolv_conf({*net::parse_address("100.64.0.53"), *net::parse_address("2001:db8::53")});
    EXPECT_TRUE(text.starts_with("# Written by uplinkd")) << text;
    EXPECT_TRUE(text.ends_with("\nnameserver 100.64.0.53\nnameserver 2001:db8::53\n")) << text;
}

TEST(PolicyScript, ForTwoLiveWans)
{
    using health::WanState;
    auto script = policy_script(two_wans(), links(WanState::Up, WanState::Up), {});
    EXPECT_EQ(script.text, R"(add table inet uplink
add chain inet uplink route_prerouting { type filter hook prerouting priority mangle; policy accept; }
flush chain inet uplink route_prerouting
add chain inet uplink route_output { type route hook output priority mangle; policy accept; }
flush chain inet uplink route_output
add chain inet uplink route_choose
flush chain inet uplink route_choose
add chain inet uplink route_postrouting { type nat hook postrouting priority srcnat; policy accept; }
flush chain inet uplink route_postrouting
add chain inet uplink route_failover_ipv4
flush chain inet uplink route_failover_ipv4
add chain inet uplink route_failover_ipv6
flush chain inet uplink route_failover_ipv6
add chain inet uplink route_balanced_ipv4
flush chain inet uplink route_balanced_ipv4
add chain inet uplink route_balanced_ipv6
flush chain inet uplink route_balanced_ipv6
add chain inet uplink route_mark_fibre
flush chain inet uplink route_mark_fibre
add chain inet uplink route_mark_lte
flush chain inet uplink route_mark_lte
add chain inet uplink route_unreachable
flush chain inet uplink route_unreachable
table inet uplink {
	chain route_prerouting {
		iifname "eth1" ct state new ct mark set ct mark and 0xc0ffffff or 0x01000000
		iifname "wwan0" ct state new ct mark set ct mark and 0xc0ffffff or 0x02000000
		iifname { "eth1", "wwan0" } return
		ct mark and 0x3f000000 vmap { 0x01000000 : goto route_mark_fibre, 0x02000000 : goto route_mark_lte }
		ct state != new return
		fib daddr type { local, broadcast, multicast } return
		fib daddr oif missing goto route_choose
		fib daddr oifname != { "eth1", "wwan0" } return
		goto route_choose
	}
	chain route_output {
		ct mark and 0x3f000000 vmap { 0x01000000 : goto route_mark_fibre, 0x02000000 : goto route_mark_lte }
		ct state != new return
		oifname != { "eth1", "wwan0" } return
		goto route_choose
	}
	chain route_choose {
		meta nfproto ipv4 ip saddr 192.168.1.50/32 meta l4proto udp udp dport 5060-5061 goto route_balanced_ipv4
		meta nfproto ipv4 meta l4proto icmp goto route_balanced_ipv4
		meta nfproto ipv4 goto route_failover_ipv4
		meta nfproto ipv6 meta l4proto ipv6-icmp goto route_balanced_ipv6
		meta nfproto ipv6 goto route_failover_ipv6
	}
	chain route_postrouting {
		meta nfproto ipv4 oifname { "eth1", "wwan0" } masquerade
	}
	chain route_failover_ipv4 {
		goto route_mark_fibre
	}
	chain route_failover_ipv6 {
		goto route_mark_fibre
	}
	chain route_balanced_ipv4 {
		numgen random mod 4 vmap { 0-2 : goto route_mark_fibre, 3 : goto route_mark_lte }
	}
	chain route_balanced_ipv6 {
		goto route_mark_fibre
	}
	chain route_mark_fibre {
		meta mark set meta mark and 0xc0ffffff or 0x01000000
		ct mark set ct mark and 0xc0ffffff or 0x01000000
	}
	chain route_mark_lte {
		meta mark set meta mark and 0xc0ffffff or 0x02000000
		ct mark set ct mark and 0xc0ffffff or 0x02000000
	}
	chain route_unreachable {
		meta mark set meta mark and 0xc0ffffff or 0x3f000000
	}
}
)");
    EXPECT_EQ(script.objects.chains.size(), 11u);
}

// The rules of one chain, as the script writes them in its table block.
std::string chain_of(const std::string& text, std::string_view chain)
{
    auto start = text.find(fmt::format("\tchain {} {{\n", chain));
    if (start == std::string::npos)
        return "(no chain " + std::string(chain) + ")";
    auto end = text.find("\t}\n", start);
    auto header = text.find('\n', start) + 1;
    return text.substr(header, end - header);
}

// docs/failover.md: a WAN in standby carries nothing while another WAN of its policy is alive,
// even from an earlier tier, and its connections end when another comes back.
TEST(PolicyScript, AWanInStandbyCarriesOnlyWhenNoOtherCan)
{
    using health::WanState;
    auto settings = two_wans();
    settings.wans[1].metered = true;
    settings.wans[1].standby = true;
    settings.policies[0].tiers = {{{"lte", 1}}, {{"fibre", 1}}};
    auto text = policy_script(settings, links(WanState::Up, WanState::Up), {}).text;
    EXPECT_EQ(chain_of(text, "route_failover_ipv4"), "\t\tgoto route_mark_fibre\n");
    EXPECT_EQ(chain_of(text, "route_balanced_ipv4"), "\t\tgoto route_mark_fibre\n");
    // fibre degraded is still alive: still no traffic by lte.
    text = policy_script(settings, links(WanState::Degraded, WanState::Up), {}).text;
    EXPECT_EQ(chain_of(text, "route_failover_ipv4"), "\t\tgoto route_mark_fibre\n");
    text = policy_script(settings, links(WanState::Dead, WanState::Up), {}).text;
    EXPECT_EQ(chain_of(text, "route_failover_ipv4"), "\t\tgoto route_mark_lte\n");
    // fibre back (failback 'new' in both policies): lte's connections end all the same.
    EXPECT_EQ(failback_ends(settings, links(WanState::Up, WanState::Up), "fibre"),
        (std::set<FailbackEnd> {{"lte", net::Family::Ipv4}, {"lte", net::Family::Ipv6}}));
    EXPECT_TRUE(failback_ends(settings, links(WanState::Up, WanState::Up), "lte").empty());
    // Its DNS servers are not asked while it waits.
    auto wans = links(WanState::Up, WanState::Up);
    wans[0].dns = {*net::parse_address("198.18.10.53")};
    wans[1].dns = {*net::parse_address("100.64.0.53")};
    EXPECT_EQ(active_dns(settings, wans), std::vector<net::Address> {wans[0].dns});
}

// IPv6 is masqueraded only on a WAN with `option nat66`.
TEST(PolicyScript, Nat66MasqueradesIpv6OnTheWansThatAskForIt)
{
    using health::WanState;
    auto settings = two_wans();
    auto text = policy_script(settings, links(WanState::Up, WanState::Up), {}).text;
    EXPECT_EQ(text.find("meta nfproto ipv6 oifname"), std::string::npos) << text;
    settings.wans[1].nat66 = true;
    text = policy_script(settings, links(WanState::Up, WanState::Up), {}).text;
    EXPECT_EQ(chain_of(text, "route_postrouting"),
        "\t\tmeta nfproto ipv4 oifname { \"eth1\", \"wwan0\" } masquerade\n"
        "\t\tmeta nfproto ipv6 oifname { \"wwan0\" } masquerade\n");
}

// docs/failover.md "IPv6 for the LAN": lte shares its /64 on the LAN (RFC 7278).
std::vector<WanLink> sharing(health::WanState fibre, health::WanState lte)
{
    auto wans = links(fibre, lte);
    wans[1].addresses.push_back({9, *net::parse_prefix("2001:db8:1:2::2/128")});
    wans[1].routed_prefix = net::parse_prefix("2001:db8:1:2::/64");
    wans[1].share_link = 4;
    return wans;
}

TEST(SharedPrefixes, ArePreferredWhileTheDefaultPolicyPicksTheirWanForIpv6)
{
    using health::WanState;
    auto settings = two_wans();
    settings.wans[1].share_prefix = "br-lan";
    auto shared = *net::parse_prefix("2001:db8:1:2::/64");
    EXPECT_EQ(shared_prefixes(settings, sharing(WanState::Up, WanState::Up)),
        (std::vector<SharedPrefix> {{"lte", "br-lan", shared, false}}));
    EXPECT_EQ(shared_prefixes(settings, sharing(WanState::Dead, WanState::Up)),
        (std::vector<SharedPrefix> {{"lte", "br-lan", shared, true}}));
    EXPECT_EQ(shared_prefixes(settings, sharing(WanState::Dead, WanState::Dead)),
        (std::vector<SharedPrefix> {{"lte", "br-lan", shared, false}}));
    // Not shared by its config, or no prefix now: nothing to announce.
    EXPECT_TRUE(shared_prefixes(two_wans(), sharing(WanState::Dead, WanState::Up)).empty());
    EXPECT_TRUE(shared_prefixes(settings, links(WanState::Dead, WanState::Up)).empty());
}

TEST(PolicyScript, ASharedPrefixLeavesByItsWanUnmasqueraded)
{
    using health::WanState;
    auto settings = two_wans();
    settings.wans[1].share_prefix = "br-lan";
    settings.wans[1].nat66 = true;
    auto text = policy_script(settings, sharing(WanState::Up, WanState::Up), {}).text;
    // Whatever the policy picks (fibre here), a source in lte's /64 leaves by lte...
    EXPECT_EQ(chain_of(text, "route_choose").find("\t\tmeta nfproto ipv6 ip6 saddr 2001:db8:1:2::/64 goto route_mark_lte\n"),
        0u) << text;
    // ...with its own address: the rest of the LAN's IPv6 is masqueraded there.
    EXPECT_EQ(chain_of(text, "route_postrouting"),
        "\t\tmeta nfproto ipv4 oifname { \"eth1\", \"wwan0\" } masquerade\n"
        "\t\tmeta nfproto ipv6 oifname \"wwan0\" ip6 saddr != 2001:db8:1:2::/64 masquerade\n");
    // Dead, it has no say: the policy's WAN takes those sources too (and NAT66 there, if any).
    text = policy_script(settings, sharing(WanState::Up, WanState::Dead), {}).text;
    EXPECT_EQ(text.find("ip6 saddr 2001:db8:1:2::/64 goto"), std::string::npos) << text;
}

TEST(PolicyScript, FailsOverToTheNextTierWithAWanUp)
{
    using health::WanState;
    auto text = policy_script(two_wans(), links(WanState::Dead, WanState::Up), {}).text;
    EXPECT_EQ(chain_of(text, "route_failover_ipv4"), "\t\tgoto route_mark_lte\n");
    EXPECT_EQ(chain_of(text, "route_balanced_ipv4"), "\t\tgoto route_mark_lte\n");
    // lte has no IPv6: with fibre dead, IPv6 has no WAN, and each policy's last resort applies.
    EXPECT_EQ(chain_of(text, "route_failover_ipv6"), "\t\tgoto route_unreachable\n");
    EXPECT_EQ(chain_of(text, "route_balanced_ipv6"), "");
    // A dead WAN keeps its mark chain: its connections keep their WAN until conntrack forgets them.
    EXPECT_NE(text.find("0x01000000 : goto route_mark_fibre"), std::string::npos);
}

TEST(PolicyScript, APolicyWithoutTiersIsItsLastResort)
{
    using health::WanState;
    auto settings = two_wans();
    settings.policies.push_back(policy("main_table", {}, LastResort::Main));
    settings.policies.push_back(policy("refused", {}, LastResort::Unreachable));
    auto text = policy_script(settings, links(WanState::Up, WanState::Up), {}).text;
    EXPECT_EQ(chain_of(text, "route_main_table_ipv4"), "");
    EXPECT_EQ(chain_of(text, "route_refused_ipv6"), "\t\tgoto route_unreachable\n");
}

TEST(FailbackEnds, TheLaterTiersOfAFailbackAllPolicyThatPicksTheWanAgain)
{
    using health::WanState;
    auto settings = two_wans();
    auto wans = links(WanState::Up, WanState::Up);
    // failback 'new' (the default): nothing is ended.
    EXPECT_TRUE(failback_ends(settings, wans, "fibre").empty());
    settings.policies[0].failback = Failback::All;
    EXPECT_EQ(failback_ends(settings, wans, "fibre"),
        (std::set<FailbackEnd> {{"lte", net::Family::Ipv4}, {"lte", net::Family::Ipv6}}));
    // The last tier has none after it.
    EXPECT_TRUE(failback_ends(settings, wans, "lte").empty());
    // Degraded behind lte up, fibre is picked for IPv6 alone (lte has none): only that family.
    EXPECT_EQ(failback_ends(settings, links(WanState::Degraded, WanState::Up), "fibre"),
        (std::set<FailbackEnd> {{"lte", net::Family::Ipv6}}));
}

TEST(PolicyScript, PrefersAWanUpToADegradedOneOfAnEarlierTier)
{
    using health::WanState;
    auto text = policy_script(two_wans(), links(WanState::Degraded, WanState::Up), {}).text;
    EXPECT_EQ(chain_of(text, "route_failover_ipv4"), "\t\tgoto route_mark_lte\n");
    text = policy_script(two_wans(), links(WanState::Degraded, WanState::Dead), {}).text;
    EXPECT_EQ(chain_of(text, "route_failover_ipv4"), "\t\tgoto route_mark_fibre\n");
    EXPECT_EQ(chain_of(text, "route_balanced_ipv4"), "\t\tgoto route_mark_fibre\n");
}

TEST(PolicyScript, LeavesOutDisabledWansAndLinksNotThere)
{
    using health::WanState;
    auto settings = two_wans();
    settings.wans[0].enabled = false;
    auto text = policy_script(settings, links(WanState::Up, WanState::Up), {}).text;
    EXPECT_EQ(chain_of(text, "route_failover_ipv4"), "\t\tgoto route_mark_lte\n");
    auto wans = links(WanState::Up, WanState::Up);
    wans[1].index = 0;
    text = policy_script(two_wans(), wans, {}).text;
    EXPECT_EQ(chain_of(text, "route_balanced_ipv4"), "\t\tgoto route_mark_fibre\n");
    EXPECT_EQ(text.find("wwan0"), std::string::npos);
    EXPECT_EQ(text.find("route_mark_lte"), std::string::npos);
}

TEST(PolicyScript, DeletesTheChainsOfAPolicyGone)
{
    using health::WanState;
    auto before = policy_script(two_wans(), links(WanState::Up, WanState::Up), {});
    auto settings = two_wans();
    settings.policies.pop_back();
    settings.rules.clear();
    auto after = policy_script(settings, links(WanState::Up, WanState::Up), before.objects);
    // Emptied before deleted (a chain with rules cannot go), after the chains that jump to it.
    EXPECT_NE(after.text.find("add chain inet uplink route_balanced_ipv4\nflush chain inet uplink "
                              "route_balanced_ipv4\n"),
        std::string::npos)
        << after.text;
    auto deleted = after.text.find("delete chain inet uplink route_balanced_ipv4\n");
    EXPECT_NE(deleted, std::string::npos) << after.text;
    EXPECT_LT(after.text.find("flush chain inet uplink route_choose\n"), deleted);
    EXPECT_FALSE(after.objects.chains.contains("route_balanced_ipv6"));
    EXPECT_EQ(after.text.find("delete chain inet uplink route_failover"), std::string::npos);
}

TEST(PolicyScript, AStickyPolicyKeepsAHostOnTheWanItLastTook)
{
    using health::WanState;
    auto settings = two_wans();
    settings.policies[1].sticky = std::chrono::seconds(600);
    auto script = policy_script(settings, links(WanState::Up, WanState::Up), {});
    EXPECT_EQ(chain_of(script.text, "route_balanced_ipv4"),
        "\t\tip saddr @route_balanced_fibre_ipv4 goto route_balanced_fibre_ipv4\n"
        "\t\tip saddr @route_balanced_lte_ipv4 goto route_balanced_lte_ipv4\n"
        "\t\tnumgen random mod 4 vmap { 0-2 : goto route_balanced_fibre_ipv4, 3 : goto "
        "route_balanced_lte_ipv4 }\n");
    EXPECT_EQ(chain_of(script.text, "route_balanced_lte_ipv4"),
        "\t\tupdate @route_balanced_lte_ipv4 { ip saddr timeout 600s }\n\t\tgoto route_mark_lte\n");
    EXPECT_EQ(chain_of(script.text, "route_balanced_ipv6"),
        "\t\tip6 saddr @route_balanced_fibre_ipv6 goto route_balanced_fibre_ipv6\n"
        "\t\tgoto route_balanced_fibre_ipv6\n");
    // The sets are added, never flushed: their hosts outlive a change of state.
    EXPECT_NE(script.text.find("add set inet uplink route_balanced_lte_ipv4 { type ipv4_addr; "
                               "flags dynamic, timeout; }\n"),
        std::string::npos);
    EXPECT_EQ(script.text.find("flush set"), std::string::npos);
    EXPECT_EQ(script.objects.sets.size(), 3u);

    // lte dies: its chain and its set go, and its hosts are split anew among the WANs alive.
    auto dead = policy_script(settings, links(WanState::Up, WanState::Dead), script.objects);
    EXPECT_EQ(chain_of(dead.text, "route_balanced_ipv4"),
        "\t\tip saddr @route_balanced_fibre_ipv4 goto route_balanced_fibre_ipv4\n\t\tgoto "
        "route_balanced_fibre_ipv4\n");
    EXPECT_NE(
        dead.text.find("delete chain inet uplink route_balanced_lte_ipv4\n"), std::string::npos);
    EXPECT_NE(dead.text.find("add set inet uplink route_balanced_lte_ipv4 { type ipv4_addr; flags "
                             "dynamic, timeout; }\n"
                             "delete set inet uplink route_balanced_lte_ipv4\n"),
        std::string::npos)
        << dead.text;
}

TEST(PolicyScript, RemovalDeletesEveryObject)
{
    PolicyObjects objects;
    objects.chains = {"route_choose", "route_prerouting"};
    objects.sets = {{"route_p_a_ipv6", net::Family::Ipv6}};
    EXPECT_EQ(removal_script(objects),
        "add table inet uplink\n"
        "add chain inet uplink route_choose\nflush chain inet uplink route_choose\n"
        "add chain inet uplink route_prerouting\nflush chain inet uplink route_prerouting\n"
        "delete chain inet uplink route_choose\ndelete chain inet uplink route_prerouting\n"
        "add set inet uplink route_p_a_ipv6 { type ipv6_addr; flags dynamic, timeout; }\n"
        "delete set inet uplink route_p_a_ipv6\n");
}

TEST(PolicyScript, WithoutWansMarksNothing)
{
    auto text = policy_script(two_wans(), {}, {}).text;
    EXPECT_EQ(chain_of(text, "route_prerouting"), "\t\tct state != new return\n\t\treturn\n");
    EXPECT_EQ(chain_of(text, "route_output"), "\t\tct state != new return\n\t\treturn\n");
}

} // namespace
} // namespace uplink::wan
