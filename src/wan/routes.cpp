// Ids, marks, tables and rules: what the kernel's policy routing needs for each WAN.
#include "wan/wan.hpp"

#include <algorithm>

namespace uplink::wan {

namespace {

constexpr std::uint32_t unreachable_offset = 100;
// The rule for sockets bound to the WAN's interface comes this far before the mark rules, and
// the rules for the router's own queries to the WAN's DNS servers before that.
constexpr std::uint32_t bound_offset = 100;
constexpr std::uint32_t dns_offset = 200;

bool is_wan_table(std::uint32_t table, const RoutingLayout& layout)
{
    return table > layout.table_base && table <= layout.table_base + unreachable_id;
}

net::Rule mark_rule(
    net::Family family, std::uint8_t id, const RoutingLayout& layout, net::RuleAction action)
{
    net::Rule rule;
    rule.family = family;
    rule.fwmark = mark_of(id);
    rule.fwmask = mark_mask;
    rule.action = action;
    if (action == net::RuleAction::Lookup) {
        rule.priority = layout.priority_base + id;
        rule.table = layout.table_base + id;
    } else {
        rule.priority = layout.priority_base + unreachable_offset + id;
        rule.table = 0;
    }
    return rule;
}

// What a socket bound to the WAN's interface sends (a health probe, `ping -I eth1`) looks up the
// WAN's table whatever mark the policy gave it: without this the output chain would mark a probe
// of a backup WAN for the preferred one, whose table has no route out of the backup's interface,
// and the backup would be probed dead. Forwarded packets have no output interface in their
// lookup, so the rule never matches them.
net::Rule bound_socket_rule(net::Family family, const WanLink& wan, const RoutingLayout& layout)
{
    net::Rule rule;
    rule.family = family;
    rule.output_interface = wan.interface;
    rule.priority = layout.priority_base - bound_offset + wan.id;
    rule.table = layout.table_base + wan.id;
    return rule;
}

void add_routes(
    const WanLink& wan, net::Family family, const RoutingLayout& layout, RoutingPlan& plan)
{
    auto table = layout.table_base + wan.id;
    const net::InterfaceAddress* first = nullptr;
    for (const auto& address : wan.addresses) {
        if (address.prefix.address.family != family)
            continue;
        first = first ? first : &address;
        // A host prefix (a modem's /32) has no network beside the address itself.
        if (address.prefix.length == address.prefix.address.size() * 8)
            continue;
        net::Route connected;
        connected.destination = net::network_of(address.prefix);
        connected.output_link = wan.index;
        connected.table = table;
        if (family == net::Family::Ipv4)
            connected.preferred_source = address.prefix.address;
        if (std::ranges::find(plan.routes, connected) == plan.routes.end())
            plan.routes.push_back(connected);
    }
    if (!first)
        return;
    net::Route fallback;
    fallback.destination = net::Prefix::any(family);
    fallback.output_link = wan.index;
    fallback.table = table;
    if (wan.attachment == Attachment::Gateway) {
        auto gateway = std::ranges::find_if(
            wan.gateways, [family](const auto& address) { return address.family == family; });
        if (gateway == wan.gateways.end())
            return;
        fallback.gateway = *gateway;
    }
    plan.routes.push_back(fallback);
}

// What the router itself sends to one of the WAN's DNS servers (`iif lo to <server>`) looks up
// the WAN's table whatever the policy marked it for: a carrier's resolvers often answer only
// from inside its network, and a query sent out of another WAN would wait for nothing. Forwarded
// packets (a LAN host asking the same address) do not match: they follow the policy.
net::Rule dns_server_rule(const net::Address& server, const WanLink& wan, const RoutingLayout& layout)
{
    net::Rule rule;
    rule.family = server.family;
    rule.destination = net::Prefix {server, static_cast<std::uint8_t>(server.size() * 8)};
    rule.input_interface = "lo";
    rule.priority = layout.priority_base - dns_offset + wan.id;
    rule.table = layout.table_base + wan.id;
    return rule;
}

// A shared /64 (RFC 7278) is the LAN's: the hosts on it are reached through the LAN interface,
// whatever WAN their connections leave by. In the main table, where the kernel would have put it
// had the LAN interface an address in it; the modem's own address is a /128 (LinkSetup), so no
// route of the WAN's competes.
net::Route shared_prefix_route(const WanLink& wan)
{
    net::Route route;
    route.destination = *wan.routed_prefix;
    route.output_link = wan.share_link;
    return route;
}

} // namespace

std::string_view to_string(Attachment attachment)
{
    return attachment == Attachment::OnLink ? "on-link" : "gateway";
}

bool WanLink::carries(net::Family family) const
{
    return index != 0 && std::ranges::any_of(addresses, [family](const auto& address) {
        return address.prefix.address.family == family;
    });
}

std::map<std::string, std::uint8_t> WanIds::assign(const std::vector<std::string>& names)
{
    std::map<std::string, std::uint8_t> assigned;
    for (const auto& name : names)
        if (auto found = ids_.find(name); found != ids_.end())
            assigned.insert(*found);
    for (const auto& name : names) {
        if (assigned.contains(name))
            continue;
        std::set<std::uint8_t> taken;
        for (const auto& [kept_name, id] : ids_)
            taken.insert(id);
        // All 62 ids were handed out at some time: take one whose name is not configured now.
        if (taken.size() >= highest_id) {
            auto free = std::ranges::find_if(ids_, [&](const auto& entry) {
                return !assigned.contains(entry.first)
                    && std::ranges::find(names, entry.first) == names.end();
            });
            if (free == ids_.end())
                continue;
            taken.erase(free->second);
            ids_.erase(free);
        }
        std::uint8_t id = 1;
        while (taken.contains(id))
            ++id;
        ids_[name] = id;
        assigned[name] = id;
    }
    return assigned;
}

WanLink link_from(const net::LinkView& view, Attachment attachment, const RoutingLayout& layout)
{
    WanLink wan;
    wan.interface = view.name;
    wan.attachment = attachment;
    if (!view.link)
        return wan;
    wan.index = view.link->index;
    wan.addresses = view.addresses;
    for (const auto& route : view.default_routes)
        if (route.gateway && !is_wan_table(route.table, layout)
            && std::ranges::find(wan.gateways, *route.gateway) == wan.gateways.end())
            wan.gateways.push_back(*route.gateway);
    return wan;
}

RoutingPlan routing_plan(const std::vector<WanLink>& wans, const RoutingLayout& layout)
{
    RoutingPlan plan;
    for (auto family : {net::Family::Ipv4, net::Family::Ipv6}) {
        for (const auto& wan : wans) {
            if (wan.id < 1 || wan.id > highest_id)
                continue;
            // The rules stand whatever the link does, so a flow marked for this WAN never leaks
            // into another table: while its routes are there it uses them, else it is refused.
            if (!wan.interface.empty())
                plan.rules.push_back(bound_socket_rule(family, wan, layout));
            for (const auto& server : wan.dns)
                if (server.family == family)
                    plan.rules.push_back(dns_server_rule(server, wan, layout));
            plan.rules.push_back(mark_rule(family, wan.id, layout, net::RuleAction::Lookup));
            plan.rules.push_back(mark_rule(family, wan.id, layout, net::RuleAction::Unreachable));
            if (wan.index != 0)
                add_routes(wan, family, layout, plan);
            if (family == net::Family::Ipv6 && wan.routed_prefix && wan.share_link != 0)
                plan.routes.push_back(shared_prefix_route(wan));
        }
        auto last_resort = mark_rule(family, unreachable_id, layout, net::RuleAction::Unreachable);
        last_resort.priority = layout.priority_base + unreachable_id;
        plan.rules.push_back(last_resort);
    }
    return plan;
}

} // namespace uplink::wan
