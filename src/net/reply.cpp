// The reply side of the codec: Exchange sorts datagrams into one request's reply, and the parsers
// turn its messages into values, with the untrusting readers of codec.hpp.
#include "net/codec.hpp"
#include "net/message.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <tuple>

namespace uplink::net::rtnetlink {

namespace {

using codec::align;
using codec::copy_out;
using codec::family_of;
using codec::Payload;
using codec::read_address;
using codec::read_attributes;
using codec::read_string;
using codec::read_u32;
using codec::read_u8;

Result<int> read_index(Payload payload)
{
    auto value = read_u32(payload);
    if (!value)
        return value.error();
    if (*value > INT_MAX)
        return Errc::Malformed;
    return static_cast<int>(*value);
}

constexpr std::uint8_t max_length(Family family)
{
    return family == Family::Ipv4 ? 32 : 128;
}

Result<std::optional<Address>> read_optional_address(Family family, std::optional<Payload> payload)
{
    if (!payload)
        return std::optional<Address> {};
    auto address = read_address(family, *payload);
    if (!address)
        return address.error();
    return std::optional<Address> {*address};
}

// One message: its netlink header, its family header (ifinfomsg, rtmsg...) and the attributes
// after it (netlink.h NLMSG_HDRLEN, then the family header padded to 4 bytes).
template <typename FamilyHeader> struct Body {
    nlmsghdr header {};
    FamilyHeader family {};
    Payload attributes;
};

template <typename FamilyHeader>
Result<Body<FamilyHeader>> read_body(
    Payload message, std::uint16_t new_type, std::uint16_t delete_type)
{
    if (message.size() < NLMSG_HDRLEN)
        return Errc::Truncated;
    Body<FamilyHeader> body;
    body.header = copy_out<nlmsghdr>(message);
    if (body.header.nlmsg_len < NLMSG_HDRLEN || body.header.nlmsg_len > message.size())
        return Errc::Truncated;
    if (body.header.nlmsg_type != new_type && body.header.nlmsg_type != delete_type)
        return Errc::Malformed;
    auto payload = message.subspan(NLMSG_HDRLEN, body.header.nlmsg_len - NLMSG_HDRLEN);
    if (payload.size() < sizeof(FamilyHeader))
        return Errc::Truncated;
    body.family = copy_out<FamilyHeader>(payload);
    body.attributes = payload.subspan(std::min(align(sizeof(FamilyHeader)), payload.size()));
    return body;
}

// The first counters of struct rtnl_link_stats64 (if_link.h), in its order; the struct has grown
// at its end over kernel versions, so only these are required.
Result<LinkStatistics> read_statistics(Payload payload)
{
    constexpr std::size_t counters = 8;
    if (payload.size() < counters * sizeof(std::uint64_t))
        return Errc::Malformed;
    std::array<std::uint64_t, counters> values {};
    std::memcpy(values.data(), payload.data(), sizeof values);
    return LinkStatistics {
        values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7]};
}

} // namespace

// ---------------------------------------------------------------- MessageReader

Result<std::span<const std::uint8_t>> MessageReader::next()
{
    auto remaining = datagram_.size() - offset_;
    auto header = copy_out<nlmsghdr>(datagram_.subspan(offset_));
    if (remaining < sizeof(nlmsghdr) || header.nlmsg_len < sizeof(nlmsghdr)
        || header.nlmsg_len > remaining) {
        offset_ = datagram_.size();
        return Errc::Truncated;
    }
    auto message = datagram_.subspan(offset_, header.nlmsg_len);
    offset_ += std::min(align(header.nlmsg_len), remaining);
    return message;
}

// ---------------------------------------------------------------- Exchange

Exchange::Progress Exchange::feed(std::span<const std::uint8_t> datagram)
{
    if (finished_)
        return Progress::Finished;
    for (MessageReader reader(datagram); !reader.at_end();) {
        auto next = reader.next();
        if (!next)
            return finish(next.error());
        auto message = *next;
        auto header = copy_out<nlmsghdr>(message);

        // A late reply to an earlier request, or a message for another socket: not ours.
        if (header.nlmsg_seq != sequence_ || (header.nlmsg_pid != 0 && header.nlmsg_pid != port_))
            continue;
        if (header.nlmsg_flags & NLM_F_DUMP_INTR)
            interrupted_ = true;
        switch (header.nlmsg_type) {
        case NLMSG_NOOP:
            continue;
        case NLMSG_ERROR:
            read_error(message);
            return Progress::Finished;
        case NLMSG_DONE: {
            // The kernel's dump_done_errno: 0, or -errno when the dump failed part way.
            int error = 0;
            if (message.size() >= NLMSG_HDRLEN + sizeof error)
                error = copy_out<int>(message.subspan(NLMSG_HDRLEN));
            if (error < 0 && error != INT_MIN)
                return finish(kernel_error(-error));
            return finish({});
        }
        case NLMSG_OVERRUN:
            return finish(Errc::Truncated);
        default:
            break;
        }
        // Reserved control types hold nothing to keep.
        if (header.nlmsg_type < NLMSG_MIN_TYPE || keep_ == Keep::Nothing)
            continue;
        if (messages_.size() >= max_messages)
            return finish(Errc::Malformed);
        messages_.emplace_back(message.begin(), message.end());
    }
    return Progress::Pending;
}

Exchange::Progress Exchange::finish(Error error)
{
    finished_ = true;
    if (!error && interrupted_)
        error = Errc::DumpInterrupted;
    error_ = error;
    return Progress::Finished;
}

// netlink.h struct nlmsgerr: the error (0 for an ack, -errno for a failure) and the request's
// header, or the whole request unless NLM_F_CAPPED says it was cut to its header.
void Exchange::read_error(std::span<const std::uint8_t> message)
{
    if (message.size() < NLMSG_HDRLEN + sizeof(nlmsgerr)) {
        finish(Errc::Truncated);
        return;
    }
    auto error = copy_out<nlmsgerr>(message.subspan(NLMSG_HDRLEN));
    read_kernel_message(message);
    if (error.error == 0)
        finish({});
    else if (error.error == INT_MIN)
        finish(Errc::Malformed);
    else
        finish(kernel_error(error.error < 0 ? -error.error : error.error));
}

// Extended ack (NETLINK_EXT_ACK, NLM_F_ACK_TLVS): TLVs after the echoed request, of which
// NLMSGERR_ATTR_MSG is the text `ip` prints after "Error: " ("ipv4: Address already assigned").
// Only for the log, so anything inconsistent here is ignored.
void Exchange::read_kernel_message(std::span<const std::uint8_t> message)
{
    auto header = copy_out<nlmsghdr>(message);
    if (!(header.nlmsg_flags & NLM_F_ACK_TLVS))
        return;
    auto error = copy_out<nlmsgerr>(message.subspan(NLMSG_HDRLEN));
    std::size_t echoed = 0;
    if (!(header.nlmsg_flags & NLM_F_CAPPED) && error.msg.nlmsg_len > NLMSG_HDRLEN)
        echoed = error.msg.nlmsg_len - NLMSG_HDRLEN;
    auto offset = NLMSG_HDRLEN + align(sizeof(nlmsgerr) + echoed);
    if (offset >= message.size())
        return;
    auto attributes = read_attributes<NLMSGERR_ATTR_MAX + 1>(message.subspan(offset));
    if (attributes && (*attributes)[NLMSGERR_ATTR_MSG])
        kernel_message_ = read_string(*(*attributes)[NLMSGERR_ATTR_MSG]);
}

// ---------------------------------------------------------------- parsers

Result<Link> parse_newlink(std::span<const std::uint8_t> message)
{
    auto body = read_body<ifinfomsg>(message, RTM_NEWLINK, RTM_DELLINK);
    if (!body)
        return body.error();
    auto attributes = read_attributes<IFLA_MAX + 1>(body->attributes);
    if (!attributes)
        return attributes.error();
    if (body->family.ifi_index <= 0)
        return Errc::Malformed;
    Link link;
    link.index = body->family.ifi_index;
    link.flags = body->family.ifi_flags;
    auto name = (*attributes)[IFLA_IFNAME];
    if (!name)
        return Errc::MissingAttribute;
    link.name = read_string(*name);
    if (link.name.empty())
        return Errc::Malformed;
    if (auto mtu = (*attributes)[IFLA_MTU]) {
        auto value = read_u32(*mtu);
        if (!value)
            return value.error();
        link.mtu = *value;
    }
    if (auto operstate = (*attributes)[IFLA_OPERSTATE]) {
        auto value = read_u8(*operstate);
        if (!value)
            return value.error();
        link.operstate = static_cast<OperState>(*value);
    }
    if (auto information = (*attributes)[IFLA_LINKINFO]) {
        auto nested = read_attributes<IFLA_INFO_MAX + 1>(*information);
        if (!nested)
            return nested.error();
        if (auto kind = (*nested)[IFLA_INFO_KIND])
            link.kind = read_string(*kind);
    }
    if (auto statistics = (*attributes)[IFLA_STATS64]) {
        auto value = read_statistics(*statistics);
        if (!value)
            return value.error();
        link.statistics = *value;
    }
    return link;
}

Result<InterfaceAddress> parse_newaddr(std::span<const std::uint8_t> message)
{
    auto body = read_body<ifaddrmsg>(message, RTM_NEWADDR, RTM_DELADDR);
    if (!body)
        return body.error();
    auto attributes = read_attributes<IFA_MAX + 1>(body->attributes);
    if (!attributes)
        return attributes.error();
    auto family = family_of(body->family.ifa_family);
    if (!family || body->family.ifa_prefixlen > max_length(*family) || body->family.ifa_index == 0
        || body->family.ifa_index > INT_MAX)
        return Errc::Malformed;
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the same, or the peer's on a
    // point-to-point link, and is the only one IPv6 sends without a peer (if_addr.h).
    auto local = (*attributes)[IFA_LOCAL] ? (*attributes)[IFA_LOCAL] : (*attributes)[IFA_ADDRESS];
    if (!local)
        return Errc::MissingAttribute;
    auto address = read_address(*family, *local);
    if (!address)
        return address.error();
    InterfaceAddress result;
    result.link = static_cast<int>(body->family.ifa_index);
    result.prefix = Prefix {*address, body->family.ifa_prefixlen};
    result.scope = static_cast<AddressScope>(body->family.ifa_scope);
    return result;
}

// RTA_MULTIPATH and RTA_VIA (an IPv4 route through an IPv6 next hop) are not read: such a route
// comes back without a gateway.
Result<Route> parse_newroute(std::span<const std::uint8_t> message)
{
    auto body = read_body<rtmsg>(message, RTM_NEWROUTE, RTM_DELROUTE);
    if (!body)
        return body.error();
    auto attributes = read_attributes<RTA_MAX + 1>(body->attributes);
    if (!attributes)
        return attributes.error();
    auto family = family_of(body->family.rtm_family);
    if (!family || body->family.rtm_dst_len > max_length(*family))
        return Errc::Malformed;
    Route route;
    route.destination = Prefix::any(*family);
    route.destination.length = body->family.rtm_dst_len;
    // A /0 has no address worth keeping: the kernel sends none for a default route.
    if (auto destination = (*attributes)[RTA_DST]; destination && route.destination.length > 0) {
        auto address = read_address(*family, *destination);
        if (!address)
            return address.error();
        route.destination.address = *address;
    }
    auto gateway = read_optional_address(*family, (*attributes)[RTA_GATEWAY]);
    auto source = read_optional_address(*family, (*attributes)[RTA_PREFSRC]);
    if (!gateway || !source)
        return Errc::Malformed;
    route.gateway = *gateway;
    route.preferred_source = *source;
    route.table = body->family.rtm_table;
    if (auto table = (*attributes)[RTA_TABLE]) {
        auto value = read_u32(*table);
        if (!value)
            return value.error();
        route.table = *value;
    }
    if (auto output = (*attributes)[RTA_OIF]) {
        auto value = read_index(*output);
        if (!value)
            return value.error();
        route.output_link = *value;
    }
    if (auto priority = (*attributes)[RTA_PRIORITY]) {
        auto value = read_u32(*priority);
        if (!value)
            return value.error();
        route.metric = *value;
    }
    route.type = static_cast<RouteType>(body->family.rtm_type);
    route.protocol = body->family.rtm_protocol;
    return route;
}

bool is_cloned_route(std::span<const std::uint8_t> message)
{
    auto body = read_body<rtmsg>(message, RTM_NEWROUTE, RTM_DELROUTE);
    return body && (body->family.rtm_flags & RTM_F_CLONED);
}

bool is_link_itself(std::span<const std::uint8_t> message)
{
    auto body = read_body<ifinfomsg>(message, RTM_NEWLINK, RTM_DELLINK);
    return body && body->family.ifi_family == AF_UNSPEC;
}

// FIB_RULE_INVERT ("not"), ports and uid ranges are not read: uplink's rules use none of them.
Result<Rule> parse_newrule(std::span<const std::uint8_t> message)
{
    auto body = read_body<fib_rule_hdr>(message, RTM_NEWRULE, RTM_DELRULE);
    if (!body)
        return body.error();
    auto attributes = read_attributes<FRA_MAX + 1>(body->attributes);
    if (!attributes)
        return attributes.error();
    auto family = family_of(body->family.family);
    if (!family || body->family.src_len > max_length(*family) || body->family.dst_len > max_length(*family))
        return Errc::Malformed;
    Rule rule;
    rule.family = *family;
    rule.action = static_cast<RuleAction>(body->family.action);
    // fib_nl_fill_rule() leaves out FRA_PRIORITY for priority 0.
    if (auto priority = (*attributes)[FRA_PRIORITY]) {
        auto value = read_u32(*priority);
        if (!value)
            return value.error();
        rule.priority = *value;
    }
    if (auto name = (*attributes)[FRA_OIFNAME])
        rule.output_interface = read_string(*name);
    if (auto name = (*attributes)[FRA_IIFNAME])
        rule.input_interface = read_string(*name);
    // The kernel keeps IFNAMSIZ bytes with the terminating zero: a longer name is not its.
    if (rule.output_interface.size() >= IFNAMSIZ || rule.input_interface.size() >= IFNAMSIZ)
        return Errc::Malformed;
    if (auto mark = (*attributes)[FRA_FWMARK]) {
        auto value = read_u32(*mark);
        if (!value)
            return value.error();
        rule.fwmark = *value;
    }
    if (auto mask = (*attributes)[FRA_FWMASK]) {
        auto value = read_u32(*mask);
        if (!value)
            return value.error();
        rule.fwmask = *value;
    }
    // fib4_rule_fill() and fib6_rule_fill() send FRA_SRC and FRA_DST only for a prefix longer
    // than 0: none is every address.
    for (auto [length, attribute, prefix] : {std::tuple {body->family.src_len, FRA_SRC, &rule.source},
             std::tuple {body->family.dst_len, FRA_DST, &rule.destination}}) {
        if (length == 0)
            continue;
        auto address = read_optional_address(*family, (*attributes)[attribute]);
        if (!address)
            return address.error();
        *prefix = Prefix {address->value_or(Address::any(*family)), length};
    }
    // A table only means something to a lookup; the kernel reports 0 for the others.
    rule.table = 0;
    if (rule.action == RuleAction::Lookup) {
        rule.table = body->family.table;
        if (auto table = (*attributes)[FRA_TABLE]) {
            auto value = read_u32(*table);
            if (!value)
                return value.error();
            rule.table = *value;
        }
    }
    return rule;
}

} // namespace uplink::net::rtnetlink
