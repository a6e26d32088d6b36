// LinkTable (link_table.hpp): the watcher's copy of links, addresses and default routes.
#include "net/link_table.hpp"

#include "net/message.hpp"

#include <algorithm>
#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <tuple>

namespace uplink::net {

namespace {

// What the kernel deletes an address by: its link, local address and prefix length
// (inet_rtm_deladdr(), inet6_addr_del()); the scope is not part of it.
bool same_address(const InterfaceAddress& one, const InterfaceAddress& other)
{
    return one.link == other.link && one.prefix == other.prefix;
}

// What NLM_F_REPLACE replaces: the route of the same table, destination and metric, whatever its
// next hop (fib_table_insert() in net/ipv4/fib_trie.c, fib6_add_rt2node() in net/ipv6/ip6_fib.c).
bool same_slot(const Route& one, const Route& other)
{
    return one.table == other.table && one.destination == other.destination
        && one.metric == other.metric;
}

// What an RTM_DELROUTE names: the slot and the next hop. Its protocol and type are left out: the
// kernel's event carries the route's own, a delete request the wildcards `ip route del` sends.
bool same_route(const Route& one, const Route& other)
{
    return same_slot(one, other) && one.gateway == other.gateway
        && one.output_link == other.output_link;
}

// A fixed order for a view's lists, so that the same state gives an equal view whatever order
// the messages came in.
auto address_order(const InterfaceAddress& address)
{
    return std::tuple(
        address.prefix.address.family, address.prefix.address.bytes, address.prefix.length);
}

auto route_order(const Route& route)
{
    return std::tuple(route.destination.address.family, route.table, route.metric,
        route.gateway.has_value(), route.gateway.value_or(Address {}).bytes);
}

} // namespace

std::string_view to_string(RouteKnowledge knowledge)
{
    switch (knowledge) {
    case RouteKnowledge::Current:
        return "current";
    case RouteKnowledge::Stale:
        return "stale";
    }
    return "route-knowledge";
}

Result<RouteKnowledge> LinkTable::apply(std::span<const std::uint8_t> message)
{
    nlmsghdr header {};
    if (message.size() < sizeof header)
        return Errc::Truncated;
    std::memcpy(&header, message.data(), sizeof header);
    switch (header.nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
        return apply_link(header.nlmsg_type, message);
    case RTM_NEWADDR:
    case RTM_DELADDR:
        return apply_address(header.nlmsg_type, message);
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
        return apply_route(header.nlmsg_type, header.nlmsg_flags, message);
    default:
        return RouteKnowledge::Current;
    }
}

Result<RouteKnowledge> LinkTable::apply_link(
    std::uint16_t type, std::span<const std::uint8_t> message)
{
    auto link = rtnetlink::parse_newlink(message);
    if (!link)
        return link.error();
    if (!rtnetlink::is_link_itself(message))
        return RouteKnowledge::Current;
    if (type == RTM_DELLINK) {
        // Its addresses and routes go with it: IPv4's routes without an RTM_DELROUTE.
        links_.erase(link->index);
        std::erase_if(addresses_, [&](const auto& each) { return each.link == link->index; });
        std::erase_if(
            default_routes_, [&](const auto& each) { return each.output_link == link->index; });
        return RouteKnowledge::Current;
    }
    link->statistics.reset();
    auto knowledge = RouteKnowledge::Current;
    auto known = links_.find(link->index);
    if (known != links_.end() && known->second.admin_state() == AdminState::Up
        && link->admin_state() == AdminState::Down)
        knowledge = RouteKnowledge::Stale;
    links_.insert_or_assign(link->index, std::move(*link));
    return knowledge;
}

Result<RouteKnowledge> LinkTable::apply_address(
    std::uint16_t type, std::span<const std::uint8_t> message)
{
    auto address = rtnetlink::parse_newaddr(message);
    if (!address)
        return address.error();
    std::erase_if(addresses_, [&](const auto& each) { return same_address(each, *address); });
    if (type == RTM_DELADDR)
        return address->prefix.address.family == Family::Ipv4 ? RouteKnowledge::Stale
                                                              : RouteKnowledge::Current;
    // Link-scope (fe80::/64) and host-scope (127.0.0.0/8) addresses say nothing about a WAN.
    if (address->scope == AddressScope::Global)
        addresses_.push_back(*address);
    return RouteKnowledge::Current;
}

// Only default routes with one output link are kept: a multipath route (RTA_MULTIPATH) has no
// RTA_OIF and is not read, a blackhole default has no link.
Result<RouteKnowledge> LinkTable::apply_route(
    std::uint16_t type, std::uint16_t flags, std::span<const std::uint8_t> message)
{
    auto route = rtnetlink::parse_newroute(message);
    if (!route)
        return route.error();
    if (route->destination.length != 0)
        return RouteKnowledge::Current;
    // A replace event is the only word of the route it replaced: no RTM_DELROUTE comes for it.
    bool replaces = type == RTM_NEWROUTE && (flags & NLM_F_REPLACE);
    std::erase_if(default_routes_, [&](const auto& each) {
        return replaces ? same_slot(each, *route) : same_route(each, *route);
    });
    if (type == RTM_NEWROUTE && route->output_link != 0)
        default_routes_.push_back(*route);
    return RouteKnowledge::Current;
}

void LinkTable::clear()
{
    links_.clear();
    addresses_.clear();
    default_routes_.clear();
}

LinkView LinkTable::view(std::string_view name) const
{
    LinkView view;
    view.name = name;
    // Names are unique in a namespace (dev_get_by_name()).
    auto found = std::ranges::find_if(
        links_, [&](const auto& entry) { return entry.second.name == name; });
    if (found == links_.end())
        return view;
    auto index = found->first;
    view.link = found->second;
    std::ranges::copy_if(addresses_, std::back_inserter(view.addresses),
        [&](const auto& each) { return each.link == index; });
    std::ranges::sort(view.addresses, {}, address_order);
    std::ranges::copy_if(default_routes_, std::back_inserter(view.default_routes),
        [&](const auto& each) { return each.output_link == index; });
    std::ranges::sort(view.default_routes, {}, route_order);
    return view;
}

} // namespace uplink::net
