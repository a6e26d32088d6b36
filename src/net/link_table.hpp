// LinkTable: what a LinkWatcher knows of the kernel's links, their global addresses and their
// default routes, kept from RTM_NEW* and RTM_DEL* messages. A dump's messages and the multicast
// events have the same layouts (rtnl_fill_ifinfo(), inet_fill_ifaddr(), inet6_fill_ifaddr(),
// fib_dump_info() and rt6_fill_node() fill both), so one apply() takes either. Sans-I/O and
// private to the net module: fed whole messages, tested without sockets (link_table_test.cpp).
//
// Every link is kept, not only the watched ones, so that a link renamed to a watched name comes
// with the addresses and routes it already had.
#pragma once

#include "net/net.hpp"

#include <map>
#include <span>

namespace uplink::net {

// Whether the table's routes are still the kernel's after a message: some changes make the
// kernel delete routes without sending RTM_DELROUTE, and only a fresh dump tells which are left.
enum class RouteKnowledge { Current, Stale };
std::string_view to_string(RouteKnowledge knowledge);

class LinkTable {
public:
    // Applies one RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE or
    // RTM_DELROUTE; other types (NLMSG_DONE, a neighbour) change nothing. A message that does not
    // parse changes nothing and is its parser's error.
    //
    // Stale after the changes for which the kernel deletes IPv4 routes silently: a link set down
    // (fib_disable_ip() on NETDEV_DOWN flushes every route through it), and an IPv4 address
    // deleted (fib_del_ifaddr(): routes that use it as their source, and every route through the
    // link once its last address is gone), both in net/ipv4/fib_frontend.c.
    Result<RouteKnowledge> apply(std::span<const std::uint8_t> message);
    // Forgets everything: the table is about to be filled again from dumps.
    void clear();
    // The link that has this name now, its addresses and default routes.
    LinkView view(std::string_view name) const;

private:
    Result<RouteKnowledge> apply_link(std::uint16_t type, std::span<const std::uint8_t> message);
    Result<RouteKnowledge> apply_address(std::uint16_t type, std::span<const std::uint8_t> message);
    Result<RouteKnowledge> apply_route(
        std::uint16_t type, std::uint16_t flags, std::span<const std::uint8_t> message);

    std::map<int, Link> links_;                // by ifindex, statistics left out
    std::vector<InterfaceAddress> addresses_;  // global scope, of every link
    std::vector<Route> default_routes_;        // with one output link (RTA_OIF), of every table
};

} // namespace uplink::net
