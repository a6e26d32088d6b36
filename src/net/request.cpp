// Builders of rtnetlink requests: one message each, laid out as iproute2 lays out the same
// `ip` command, so a request can be compared with `strace -e sendmsg ip ...` or nlmon captures.
#include "net/codec.hpp"
#include "net/message.hpp"

#include <cassert>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string>
#include <sys/socket.h>

namespace uplink::net::rtnetlink {

namespace {

using codec::address_family;
using codec::Request;

constexpr std::uint8_t max_length(Family family)
{
    return family == Family::Ipv4 ? 32 : 128;
}

std::uint16_t change_flags(Operation operation)
{
    switch (operation) {
    case Operation::Add:
        return NLM_F_CREATE | NLM_F_EXCL;
    case Operation::Replace:
        return NLM_F_CREATE | NLM_F_REPLACE;
    case Operation::Delete:
        return 0;
    }
    return 0;
}

// Link names: 1..15 bytes (IFNAMSIZ with its NUL), not "." or "..", no '/', ':', NUL or
// whitespace (net/core/dev.c dev_valid_name()). Checked here so that a bad name is
// InvalidArgument before any syscall.
bool valid_link_name(std::string_view name)
{
    if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..")
        return false;
    using namespace std::string_view_literals;
    return name.find_first_of("/: \t\n\v\f\r\0"sv) == std::string_view::npos;
}

bool valid_prefix(const Prefix& prefix)
{
    return prefix.length <= max_length(prefix.address.family);
}

// Tables above 255 only fit the 32-bit attribute (RTA_TABLE, FRA_TABLE); iproute2 then puts
// RT_TABLE_UNSPEC in the 8-bit header field, and the kernel reads the attribute. Smaller ones go in
// the header alone, as iproute2 sends them.
std::uint8_t header_table(std::uint32_t table)
{
    return table < 256 ? static_cast<std::uint8_t>(table) : std::uint8_t {RT_TABLE_UNSPEC};
}

ifinfomsg& put_link_header(Request& request, int index)
{
    auto& link = request.put_family_header<ifinfomsg>();
    link.ifi_family = AF_UNSPEC;
    link.ifi_index = index;
    return link;
}

} // namespace

Result<Bytes> get_link_request(std::uint32_t sequence, std::string_view name)
{
    if (!valid_link_name(name))
        return Errc::InvalidArgument;
    Request request(RTM_GETLINK, 0, sequence);
    put_link_header(request, 0);
    request.put_string(IFLA_IFNAME, std::string(name), true);
    return std::move(request).finish();
}

Bytes get_link_request(std::uint32_t sequence, int index)
{
    Request request(RTM_GETLINK, 0, sequence);
    put_link_header(request, index);
    return std::move(request).finish();
}

Bytes dump_request(std::uint32_t sequence, std::uint16_t message_type, Family family)
{
    Request request(message_type, NLM_F_DUMP, sequence);
    auto family_number = address_family(family);
    switch (message_type) {
    case RTM_GETLINK:
        put_link_header(request, 0);
        break;
    case RTM_GETADDR:
        request.put_family_header<ifaddrmsg>().ifa_family = family_number;
        break;
    case RTM_GETROUTE:
        request.put_family_header<rtmsg>().rtm_family = family_number;
        break;
    case RTM_GETRULE:
        request.put_family_header<fib_rule_hdr>().family = family_number;
        break;
    default:
        assert(!"dump_request: not a dumpable rtnetlink type");
    }
    return std::move(request).finish();
}

Bytes set_link_state_request(std::uint32_t sequence, int index, AdminState state)
{
    Request request(RTM_NEWLINK, 0, sequence);
    auto& link = put_link_header(request, index);
    link.ifi_change = IFF_UP;
    link.ifi_flags = state == AdminState::Up ? IFF_UP : 0;
    return std::move(request).finish();
}

Bytes set_link_mtu_request(std::uint32_t sequence, int index, std::uint32_t mtu)
{
    Request request(RTM_NEWLINK, 0, sequence);
    put_link_header(request, index);
    request.put_u32(IFLA_MTU, mtu);
    return std::move(request).finish();
}

Result<Bytes> add_link_request(std::uint32_t sequence, std::string_view name, LinkKind kind)
{
    if (!valid_link_name(name))
        return Errc::InvalidArgument;
    Request request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sequence);
    put_link_header(request, 0);
    request.put_string(IFLA_IFNAME, std::string(name), true);
    auto* information = request.start_nest(IFLA_LINKINFO);
    request.put_string(IFLA_INFO_KIND, std::string(to_string(kind)), false);
    request.end_nest(information);
    return std::move(request).finish();
}

Result<Bytes> add_veth_request(
    std::uint32_t sequence, std::string_view name, std::string_view peer_name)
{
    if (!valid_link_name(name) || !valid_link_name(peer_name) || name == peer_name)
        return Errc::InvalidArgument;
    Request request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sequence);
    put_link_header(request, 0);
    request.put_string(IFLA_IFNAME, std::string(name), true);
    auto* information = request.start_nest(IFLA_LINKINFO);
    request.put_string(IFLA_INFO_KIND, "veth", false);
    auto* data = request.start_nest(IFLA_INFO_DATA);
    // veth.h VETH_INFO_PEER: the peer's own ifinfomsg, then its attributes (veth_newlink()).
    auto* peer = request.start_nest(VETH_INFO_PEER);
    put_link_header(request, 0);
    request.put_string(IFLA_IFNAME, std::string(peer_name), true);
    request.end_nest(peer);
    request.end_nest(data);
    request.end_nest(information);
    return std::move(request).finish();
}

Bytes delete_link_request(std::uint32_t sequence, int index)
{
    Request request(RTM_DELLINK, 0, sequence);
    put_link_header(request, index);
    return std::move(request).finish();
}

Result<Bytes> address_request(
    std::uint32_t sequence, Operation operation, const InterfaceAddress& address)
{
    if (address.link <= 0 || !valid_prefix(address.prefix))
        return Errc::InvalidArgument;
    auto type = operation == Operation::Delete ? RTM_DELADDR : RTM_NEWADDR;
    Request request(type, change_flags(operation), sequence);
    auto& header = request.put_family_header<ifaddrmsg>();
    header.ifa_family = address_family(address.prefix.address.family);
    header.ifa_prefixlen = address.prefix.length;
    header.ifa_scope = static_cast<std::uint8_t>(address.scope);
    header.ifa_index = static_cast<std::uint32_t>(address.link);
    // if_addr.h: IFA_LOCAL is the interface's address, IFA_ADDRESS the peer's on a
    // point-to-point link; without a peer iproute2 sends the same address in both, and so do we
    // (a different IFA_ADDRESS would make it a peer address).
    request.put_address(IFA_LOCAL, address.prefix.address);
    request.put_address(IFA_ADDRESS, address.prefix.address);
    return std::move(request).finish();
}

Result<Bytes> route_request(std::uint32_t sequence, Operation operation, const Route& route)
{
    auto family = route.destination.address.family;
    if (!valid_prefix(route.destination) || (route.gateway && route.gateway->family != family)
        || (route.preferred_source && route.preferred_source->family != family)
        || route.output_link < 0)
        return Errc::InvalidArgument;
    auto type = operation == Operation::Delete ? RTM_DELROUTE : RTM_NEWROUTE;
    Request request(type, change_flags(operation), sequence);
    auto& header = request.put_family_header<rtmsg>();
    header.rtm_family = address_family(family);
    header.rtm_dst_len = route.destination.length;
    header.rtm_table = header_table(route.table);
    header.rtm_type = static_cast<std::uint8_t>(route.type);
    if (operation == Operation::Delete) {
        // As `ip route del`: scope NOWHERE and protocol 0 are wildcards for fib_table_delete()
        // (net/ipv4/fib_trie.c) and ip6_route_del(), so a route is found whoever added it.
        header.rtm_scope = RT_SCOPE_NOWHERE;
        header.rtm_protocol = RTPROT_UNSPEC;
    } else {
        // As `ip route add`: an IPv4 unicast route without a gateway is on-link (scope link);
        // IPv6 routes are always universe (the kernel ignores their scope).
        bool on_link = family == Family::Ipv4 && !route.gateway && route.type == RouteType::Unicast;
        header.rtm_scope = on_link ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        header.rtm_protocol = route.protocol;
    }
    // iproute2's order for `ip route add DST via GATEWAY metric M src S dev D`, so the bytes
    // equal its capture. A default route has no RTA_DST (iproute2 sends none for "default").
    if (route.destination.length > 0)
        request.put_address(RTA_DST, route.destination.address);
    if (route.gateway)
        request.put_address(RTA_GATEWAY, *route.gateway);
    if (route.metric > 0)
        request.put_u32(RTA_PRIORITY, route.metric);
    if (route.preferred_source)
        request.put_address(RTA_PREFSRC, *route.preferred_source);
    if (route.output_link > 0)
        request.put_u32(RTA_OIF, static_cast<std::uint32_t>(route.output_link));
    if (route.table >= 256)
        request.put_u32(RTA_TABLE, route.table);
    return std::move(request).finish();
}

Result<Bytes> rule_request(std::uint32_t sequence, Operation operation, const Rule& rule)
{
    if (operation == Operation::Replace
        || rule.output_interface.size() >= IFNAMSIZ
        || rule.input_interface.size() >= IFNAMSIZ
        || (rule.source && rule.source->address.family != rule.family)
        || (rule.source && !valid_prefix(*rule.source))
        || (rule.destination && rule.destination->address.family != rule.family)
        || (rule.destination && !valid_prefix(*rule.destination)))
        return Errc::InvalidArgument;
    auto type = operation == Operation::Delete ? RTM_DELRULE : RTM_NEWRULE;
    Request request(type, change_flags(operation), sequence);
    auto& header = request.put_family_header<fib_rule_hdr>();
    header.family = address_family(rule.family);
    header.action = static_cast<std::uint8_t>(rule.action);
    bool lookup = rule.action == RuleAction::Lookup;
    header.table = lookup ? header_table(rule.table) : std::uint8_t {RT_TABLE_UNSPEC};
    // A /0 source is every source: sent as no source at all, as fib4_rule_fill() reports it.
    if (rule.source && rule.source->length > 0) {
        header.src_len = rule.source->length;
        request.put_address(FRA_SRC, rule.source->address);
    }
    if (rule.destination && rule.destination->length > 0) {
        header.dst_len = rule.destination->length;
        request.put_address(FRA_DST, rule.destination->address);
    }
    if (!rule.input_interface.empty())
        request.put_string(FRA_IIFNAME, rule.input_interface, true);
    if (!rule.output_interface.empty())
        request.put_string(FRA_OIFNAME, rule.output_interface, true);
    if (rule.fwmark)
        request.put_u32(FRA_FWMARK, *rule.fwmark);
    if (rule.fwmask)
        request.put_u32(FRA_FWMASK, *rule.fwmask);
    // fib_nl_fill_rule() leaves out FRA_PRIORITY for priority 0, and a delete without it matches
    // any priority; sending it always keeps a delete of rule 0 exact.
    request.put_u32(FRA_PRIORITY, rule.priority);
    if (lookup && rule.table >= 256)
        request.put_u32(FRA_TABLE, rule.table);
    return std::move(request).finish();
}

} // namespace uplink::net::rtnetlink
