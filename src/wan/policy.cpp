// The routing policy in nftables: which WAN each new connection takes. Syntax and semantics are
// nft(8)'s (nftables 1.0.6); the kernel facts are cited where a rule depends on them.
#include "wan/wan.hpp"

#include <algorithm>

namespace uplink::wan {

namespace {

constexpr std::string_view table = "inet uplink";
constexpr std::string_view prerouting_chain = "route_prerouting";
constexpr std::string_view output_chain = "route_output";
constexpr std::string_view choose_chain = "route_choose";
constexpr std::string_view unreachable_chain = "route_unreachable";
constexpr std::string_view nat_chain = "route_postrouting";

std::string mark_chain(std::string_view wan)
{
    return fmt::format("route_mark_{}", wan);
}

std::string policy_chain(std::string_view policy, net::Family family)
{
    return fmt::format("route_{}_{}", policy, net::to_string(family));
}

std::string hex(std::uint32_t value)
{
    return fmt::format("0x{:08x}", value);
}

// `meta mark set meta mark and ~mask or mark`: only uplink's bits of the mark change.
std::string set_mark(std::string_view key, std::uint8_t id)
{
    return fmt::format(
        "{0} mark set {0} mark and {1} or {2}", key, hex(~mark_mask), hex(mark_of(id)));
}

std::string quoted_list(const std::vector<const WanLink*>& wans)
{
    std::string list;
    for (const auto* wan : wans)
        list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", wan->interface);
    return "{ " + list + " }";
}

// A base chain's type, hook and priority, written where the chain is first added; "" for the
// others.
std::string_view hook_of(std::string_view chain)
{
    if (chain == prerouting_chain)
        return "type filter hook prerouting priority mangle; policy accept;";
    if (chain == output_chain)
        return "type route hook output priority mangle; policy accept;";
    if (chain == nat_chain)
        return "type nat hook postrouting priority srcnat; policy accept;";
    return "";
}

// The chains in the order they are written, each with its rules.
struct Builder {
    std::vector<std::pair<std::string, std::vector<std::string>>> chains;

    std::vector<std::string>& chain(std::string_view name)
    {
        auto found = std::ranges::find(
            chains, name, &std::pair<std::string, std::vector<std::string>>::first);
        if (found != chains.end())
            return found->second;
        return chains.emplace_back(std::string(name), std::vector<std::string> {}).second;
    }

    template <typename... Args>
    void rule(std::string_view chain_name, fmt::format_string<Args...> format, Args&&... args)
    {
        chain(chain_name).push_back(fmt::format(format, std::forward<Args>(args)...));
    }

    std::map<std::string, net::Family> sets; // the sticky sets, each of one family's addresses
};

// The set of a sticky policy's LAN hosts that last took `wan`, and the chain that puts a host
// there (or keeps it there longer) on the way to the WAN's mark.
std::string sticky_name(std::string_view policy, std::string_view wan, net::Family family)
{
    return fmt::format("route_{}_{}_{}", policy, wan, net::to_string(family));
}

// `flags dynamic, timeout` and no timeout of the set's own: each `update` gives the element
// its policy's timeout, so the definition never changes, and a set survives every transaction
// (add set does not empty it) with its hosts.
std::string set_definition(net::Family family)
{
    return fmt::format("{{ type {}; flags dynamic, timeout; }}",
        family == net::Family::Ipv4 ? "ipv4_addr" : "ipv6_addr");
}

// The WANs that have a mark (an id, a link), of those the ones a policy may pick (enabled), and
// of those the ones in standby (picked only when no other is alive).
struct Candidates {
    std::vector<const WanLink*> marked;
    std::map<std::string, const WanLink*> usable;
    std::set<std::string> standby;
};

Candidates candidates(const WanSettings& settings, const std::vector<WanLink>& wans)
{
    Candidates found;
    for (const auto& wan : wans) {
        if (wan.id < 1 || wan.id > highest_id || wan.index == 0)
            continue;
        found.marked.push_back(&wan);
        auto config = std::ranges::find(settings.wans, wan.name, &WanConfig::name);
        if (config == settings.wans.end() || config->enabled)
            found.usable[wan.name] = &wan;
        if (config != settings.wans.end() && config->enabled && config->standby)
            found.standby.insert(wan.name);
    }
    return found;
}


// The WANs that carry a family's new connections: of the first tier with one up, those up; else,
// of the first tier with one degraded, those degraded (a degraded WAN loses preference, it is
// not dead: docs/failover.md "Health"). A WAN in standby only when no other is up or degraded.
// Empty when all are dead.
std::vector<std::pair<const WanLink*, unsigned>> carriers(
    const PolicyConfig& policy, const Candidates& candidates, net::Family family)
{
    for (bool with_standby : {false, true})
        for (auto state : {health::WanState::Up, health::WanState::Degraded})
            for (const auto& tier : policy.tiers) {
                std::vector<std::pair<const WanLink*, unsigned>> chosen;
                for (const auto& member : tier)
                    if (auto found = candidates.usable.find(member.wan); found != candidates.usable.end()
                        && found->second->state == state && found->second->carries(family)
                        && (with_standby || !candidates.standby.contains(member.wan)))
                        chosen.emplace_back(found->second, member.weight);
                if (!chosen.empty())
                    return chosen;
            }
    return {};
}

// Where a policy sends a new connection to `wan`: its mark chain, or for a sticky policy the
// chain that records the host first.
std::string add_target(
    Builder& builder, const PolicyConfig& policy, const WanLink& wan, net::Family family)
{
    if (policy.sticky.count() == 0)
        return mark_chain(wan.name);
    auto name = sticky_name(policy.name, wan.name, family);
    auto ip = family == net::Family::Ipv4 ? "ip" : "ip6";
    builder.sets.emplace(name, family);
    builder.rule(name, "update @{} {{ {} saddr timeout {}s }}", name, ip, policy.sticky.count());
    builder.rule(name, "goto {}", mark_chain(wan.name));
    // A host seen on one of the WANs the policy would pick now stays there; one whose WAN is
    // not among them (dead since) is split anew.
    builder.rule(policy_chain(policy.name, family), "{} saddr @{} goto {}", ip, name, name);
    return name;
}

// One family's choice for a policy: a single WAN, a split by weight, or the last resort. The
// split is `numgen random mod total` (a new number for each packet that reaches the rule: only
// a connection's first) mapped onto ranges, one for each WAN as wide as its weight.
void add_policy(Builder& builder, const PolicyConfig& policy, const Candidates& candidates, net::Family family)
{
    auto chain = policy_chain(policy.name, family);
    builder.chain(chain); // empty for LastResort::Main with every WAN dead
    auto chosen = carriers(policy, candidates, family);
    std::vector<std::string> targets;
    for (const auto& [wan, weight] : chosen)
        targets.push_back(add_target(builder, policy, *wan, family));
    if (chosen.size() == 1) {
        builder.rule(chain, "goto {}", targets.front());
    } else if (!chosen.empty()) {
        unsigned total = 0;
        std::string ranges;
        for (std::size_t index = 0; index < chosen.size(); ++index) {
            auto weight = chosen[index].second;
            auto range = weight == 1 ? std::to_string(total)
                                     : fmt::format("{}-{}", total, total + weight - 1);
            ranges
                += fmt::format("{}{} : goto {}", ranges.empty() ? "" : ", ", range, targets[index]);
            total += weight;
        }
        builder.rule(chain, "numgen random mod {} vmap {{ {} }}", total, ranges);
    } else if (policy.last_resort == LastResort::Unreachable) {
        builder.rule(chain, "goto {}", unreachable_chain);
    }
    // LastResort::Main: no mark, so the main table routes it.
}

std::string port_match(
    std::string_view protocol, std::string_view field, const std::optional<PortRange>& ports)
{
    if (!ports)
        return "";
    if (ports->first == ports->last)
        return fmt::format(" {} {} {}", protocol, field, ports->first);
    return fmt::format(" {} {} {}-{}", protocol, field, ports->first, ports->last);
}

void add_traffic_rule(Builder& builder, const TrafficRule& rule, net::Family family)
{
    if ((rule.family == FamilyFilter::Ipv4 && family != net::Family::Ipv4)
        || (rule.family == FamilyFilter::Ipv6 && family != net::Family::Ipv6))
        return;
    for (const auto* prefix :
        {rule.source ? &*rule.source : nullptr, rule.destination ? &*rule.destination : nullptr})
        if (prefix && prefix->address.family != family)
            return;
    auto ip = family == net::Family::Ipv4 ? "ip" : "ip6";
    std::string match = fmt::format("meta nfproto {}", net::to_string(family));
    if (rule.source)
        match += fmt::format(" {} saddr {}", ip, net::to_string(*rule.source));
    if (rule.destination)
        match += fmt::format(" {} daddr {}", ip, net::to_string(*rule.destination));
    switch (rule.protocol) {
    case Protocol::All:
        break;
    case Protocol::Tcp:
    case Protocol::Udp: {
        auto name = to_string(rule.protocol);
        match += fmt::format(" meta l4proto {}{}{}", name,
            port_match(name, "sport", rule.source_port),
            port_match(name, "dport", rule.destination_port));
        break;
    }
    case Protocol::Icmp:
        match += family == net::Family::Ipv4 ? " meta l4proto icmp" : " meta l4proto ipv6-icmp";
        break;
    }
    builder.rule(choose_chain, "{} goto {}", match, policy_chain(rule.policy, family));
}

// What every packet meets first: a connection that has a WAN keeps it; a new one from a WAN
// belongs to that WAN; a new one to the router or to a network not behind a WAN is left alone.
void add_hooks(Builder& builder, const std::vector<const WanLink*>& wans, const std::vector<const WanLink*>& nat66)
{
    if (!wans.empty()) {
        // mwan3's mwan3_ifaces_in (reference/multiwan.md §1.4): a connection that comes in through
        // a WAN is that WAN's, so the replies (a port forward's, the router's own) leave by it.
        // Only the ct mark: the packets themselves are headed for the LAN or the router, which the
        // WAN's table does not route.
        for (const auto* wan : wans)
            builder.rule(prerouting_chain, "iifname \"{}\" ct state new {}", wan->interface,
                set_mark("ct", wan->id));
        builder.rule(prerouting_chain, "iifname {} return", quoted_list(wans));
        // A connection's later packets take its mark from conntrack (`ct mark` is the entry's,
        // shared by both directions), through the same chain that set it.
        std::string restore;
        for (const auto* wan : wans)
            restore += fmt::format("{}{} : goto {}", restore.empty() ? "" : ", ",
                hex(mark_of(wan->id)), mark_chain(wan->name));
        for (auto chain : {prerouting_chain, output_chain})
            builder.rule(chain, "ct mark and {} vmap {{ {} }}", hex(mark_mask), restore);
    }
    for (auto chain : {prerouting_chain, output_chain})
        builder.rule(chain, "ct state != new return");
    if (wans.empty()) {
        for (auto chain : {prerouting_chain, output_chain})
            builder.rule(chain, "return");
        return;
    }
    // What leaves by a WAN takes its address, whichever WAN the LAN host's packets were meant
    // for: a flow moved to another WAN is NATed anew there. The NAT's own set (net::Firewall)
    // holds the modems LinkSetup adds, and its ensure() rebuilds that set from its own list, so
    // the WANs here are masqueraded by a chain of their own; a connection is NATed once, by the
    // first nat chain that binds it (nf_nat_inet_fn()), so the two never conflict.
    builder.rule(nat_chain, "meta nfproto ipv4 oifname {} masquerade", quoted_list(wans));
    // IPv6 only where the user asks (`option nat66`): a LAN whose prefix is another WAN's (a
    // fibre's delegated /56) or a ULA reaches the internet through this one too. The WAN's own
    // shared /64 is routed to it as it is, not masqueraded.
    std::vector<const WanLink*> whole;
    for (const auto* wan : nat66)
        if (wan->share_link != 0 && wan->routed_prefix)
            builder.rule(nat_chain, "meta nfproto ipv6 oifname \"{}\" ip6 saddr != {} masquerade", wan->interface,
                net::to_string(*wan->routed_prefix));
        else
            whole.push_back(wan);
    if (!whole.empty())
        builder.rule(nat_chain, "meta nfproto ipv6 oifname {} masquerade", quoted_list(whole));
    builder.rule(prerouting_chain, "fib daddr type {{ local, broadcast, multicast }} return");
    // What the main table would not send out a WAN (the LAN, a VPN, another connected network)
    // stays unmarked. `fib daddr oif` looks the destination up as routing would, with mark 0
    // (no `mark` flag: nft_fib4_eval()); `missing` when nothing routes it, which a WAN's table
    // may. It is only allowed before routing (nft_fib_validate()); in output the packet is
    // routed already, and its oifname says the same.
    builder.rule(prerouting_chain, "fib daddr oif missing goto {}", choose_chain);
    builder.rule(prerouting_chain, "fib daddr oifname != {} return", quoted_list(wans));
    builder.rule(output_chain, "oifname != {} return", quoted_list(wans));
    for (auto chain : {prerouting_chain, output_chain})
        builder.rule(chain, "goto {}", choose_chain);
}

// Deletes the objects, whether they are there or not (`add` first: no error for one gone
// already) and whatever their chains hold: each is emptied first, as Firewall::ensure() does, so
// that no jump into a chain being deleted is left and the deletion does not rest on the kernel
// deleting a chain's rules with it. Their sets go last, once no rule refers to them.
std::string deletions(const PolicyObjects& objects)
{
    std::string text;
    for (const auto& chain : objects.chains)
        text += fmt::format("add chain {0} {1}\nflush chain {0} {1}\n", table, chain);
    for (const auto& chain : objects.chains)
        text += fmt::format("delete chain {} {}\n", table, chain);
    for (const auto& [set, family] : objects.sets)
        text += fmt::format(
            "add set {0} {1} {2}\ndelete set {0} {1}\n", table, set, set_definition(family));
    return text;
}

} // namespace

std::string removal_script(const PolicyObjects& objects)
{
    return fmt::format("add table {}\n", table) + deletions(objects);
}

PolicyScript policy_script(
    const WanSettings& settings, const std::vector<WanLink>& wans, const PolicyObjects& previous)
{
    auto found = candidates(settings, wans);
    const auto& marked = found.marked;
    std::vector<const WanLink*> nat66;
    for (const auto* wan : marked)
        if (auto config = std::ranges::find(settings.wans, wan->name, &WanConfig::name);
            config != settings.wans.end() && config->nat66)
            nat66.push_back(wan);

    Builder builder;
    for (auto chain : {prerouting_chain, output_chain, choose_chain, nat_chain})
        builder.chain(chain);
    add_hooks(builder, marked, nat66);
    // A source in a live WAN's shared /64 leaves by that WAN, whatever the rules and policies
    // say: no other WAN's network routes that prefix back, and masquerading it elsewhere would
    // hide the very addresses the LAN was given.
    for (const auto* wan : marked)
        if (wan->share_link != 0 && wan->routed_prefix && wan->state != health::WanState::Dead
            && found.usable.contains(wan->name))
            builder.rule(choose_chain, "meta nfproto ipv6 ip6 saddr {} goto {}", net::to_string(*wan->routed_prefix),
                mark_chain(wan->name));
    for (auto family : {net::Family::Ipv4, net::Family::Ipv6}) {
        for (const auto& rule : settings.rules)
            add_traffic_rule(builder, rule, family);
        builder.rule(choose_chain, "meta nfproto {} goto {}", net::to_string(family),
            policy_chain(settings.default_policy, family));
    }
    for (const auto& policy : settings.policies)
        for (auto family : {net::Family::Ipv4, net::Family::Ipv6})
            add_policy(builder, policy, found, family);
    for (const auto* wan : marked) {
        builder.rule(mark_chain(wan->name), "{}", set_mark("meta", wan->id));
        // nft_ct_set_eval() writes ct->mark only when it differs, so a restored connection's
        // packets pass this without a write or a conntrack event.
        builder.rule(mark_chain(wan->name), "{}", set_mark("ct", wan->id));
    }
    builder.rule(unreachable_chain, "{}", set_mark("meta", unreachable_id));

    // One transaction: every chain made if missing and emptied, the chains no longer needed
    // deleted (`add` first, so a chain that is gone already is no error; nothing refers to it
    // once the others are emptied), then the rules, added to the emptied chains. The mangle
    // priority (-150) comes before the routing decision in prerouting, and a `route` chain at
    // output routes a packet again when it changed its mark (ip_route_me_harder()).
    PolicyObjects objects;
    std::string text = fmt::format("add table {}\n", table);
    for (const auto& [chain, rules] : builder.chains) {
        auto hook = hook_of(chain);
        text += fmt::format("add chain {0} {1}{2}\nflush chain {0} {1}\n", table, chain,
            hook.empty() ? "" : fmt::format(" {{ {} }}", hook));
        objects.chains.insert(chain);
    }
    for (const auto& [set, family] : builder.sets)
        text += fmt::format("add set {} {} {}\n", table, set, set_definition(family));
    objects.sets = builder.sets;
    PolicyObjects gone;
    for (const auto& chain : previous.chains)
        if (!objects.chains.contains(chain))
            gone.chains.insert(chain);
    for (const auto& [set, family] : previous.sets)
        if (!objects.sets.contains(set))
            gone.sets.emplace(set, family);
    text += deletions(gone);
    text += fmt::format("table {} {{\n", table);
    for (const auto& [chain, rules] : builder.chains) {
        text += fmt::format("\tchain {} {{\n", chain);
        for (const auto& rule : rules)
            text += fmt::format("\t\t{}\n", rule);
        text += "\t}\n";
    }
    text += "}\n";
    return {std::move(text), std::move(objects)};
}

std::set<FailbackEnd> failback_ends(
    const WanSettings& settings, const std::vector<WanLink>& wans, std::string_view wan)
{
    auto found = candidates(settings, wans);
    std::set<FailbackEnd> ended;
    for (const auto& policy : settings.policies) {
        auto tier = std::ranges::find_if(policy.tiers, [&](const Tier& members) {
            return std::ranges::find(members, wan, &TierMember::wan) != members.end();
        });
        if (tier == policy.tiers.end())
            continue;
        for (auto family : {net::Family::Ipv4, net::Family::Ipv6}) {
            auto picked = carriers(policy, found, family);
            if (std::ranges::none_of(picked, [&](const auto& carrier) { return carrier.first->name == wan; }))
                continue;
            // A WAN in standby carries only while no other can: not once this one is back.
            if (!found.standby.contains(std::string(wan)))
                for (const auto& members : policy.tiers)
                    for (const auto& member : members)
                        if (found.standby.contains(member.wan))
                            ended.insert({member.wan, family});
            if (policy.failback == Failback::All)
                for (auto later = std::next(tier); later != policy.tiers.end(); ++later)
                    for (const auto& member : *later)
                        ended.insert({member.wan, family});
        }
    }
    return ended;
}

std::vector<SharedPrefix> shared_prefixes(const WanSettings& settings, const std::vector<WanLink>& wans)
{
    auto found = candidates(settings, wans);
    std::vector<const WanLink*> picked;
    if (auto policy = std::ranges::find(settings.policies, settings.default_policy, &PolicyConfig::name);
        policy != settings.policies.end())
        for (const auto& [wan, weight] : carriers(*policy, found, net::Family::Ipv6))
            picked.push_back(wan);
    std::vector<SharedPrefix> shared;
    for (const auto& config : settings.wans) {
        auto wan = std::ranges::find(wans, config.name, &WanLink::name);
        if (config.share_prefix.empty() || wan == wans.end() || !wan->routed_prefix)
            continue;
        bool preferred = std::ranges::find(picked, &*wan) != picked.end();
        shared.push_back({config.name, config.share_prefix, *wan->routed_prefix, preferred});
    }
    return shared;
}

std::vector<DnsWan> dns_wans(const WanSettings& settings, const std::vector<WanLink>& wans)
{
    std::vector<DnsWan> asked;
    auto add = [&](const WanLink& wan, bool reachable_only) {
        if (std::ranges::none_of(asked, [&](const DnsWan& known) { return known.name == wan.name; }))
            asked.push_back({wan.name, reachable_only});
    };
    auto has_servers = [&] {
        return std::ranges::any_of(asked, [&](const DnsWan& known) {
            auto wan = std::ranges::find(wans, known.name, &WanLink::name);
            return std::ranges::any_of(wan->dns, [&](const net::Address& server) { return wan->carries(server.family); });
        });
    };
    auto found = candidates(settings, wans);
    auto policy = std::ranges::find(settings.policies, settings.default_policy, &PolicyConfig::name);
    if (policy != settings.policies.end()) {
        for (auto family : {net::Family::Ipv4, net::Family::Ipv6})
            for (const auto& [wan, weight] : carriers(*policy, found, family))
                add(*wan, true);
        // The WANs it picks have no servers (a wired WAN without `list dns`): the live WANs' do,
        // but not those of a WAN in standby, which would carry the queries (only when no other
        // has any: below).
        if (!has_servers()) {
            asked.clear();
            for (const auto& tier : policy->tiers)
                for (const auto& member : tier)
                    if (auto usable = found.usable.find(member.wan); usable != found.usable.end()
                        && usable->second->state != health::WanState::Dead && !found.standby.contains(member.wan))
                        add(*usable->second, true);
        }
    }
    // Every WAN dead, or none in the policy: the resolver keeps something to try, whichever
    // comes back first.
    if (!has_servers()) {
        asked.clear();
        for (const auto& wan : wans)
            add(wan, false);
    }
    return asked;
}

std::vector<net::Address> active_dns(const WanSettings& settings, const std::vector<WanLink>& wans)
{
    std::vector<net::Address> servers;
    for (const auto& asked : dns_wans(settings, wans)) {
        const auto& wan = *std::ranges::find(wans, asked.name, &WanLink::name);
        for (const auto& server : wan.dns)
            if ((!asked.reachable_only || wan.carries(server.family))
                && std::ranges::find(servers, server) == servers.end())
                servers.push_back(server);
    }
    return servers;
}

std::string resolv_conf(const std::vector<net::Address>& servers)
{
    std::string text = "# Written by uplinkd: the DNS servers of the WANs in use (docs/failover.md \"DNS\").\n";
    for (const auto& server : servers)
        text += "nameserver " + net::to_string(server) + "\n";
    return text;
}

} // namespace uplink::wan
