// Request builders: the bytes against iproute2's for the same command, and every header field
// and attribute read back with libmnl (an independent reader of the same format).
#include "net/captures.hpp"
#include "net/message.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <map>
#include <sys/socket.h>

namespace uplink::net::rtnetlink {
namespace {

using Attributes = std::map<std::uint16_t, const nlattr*>;

Address address(const char* text)
{
    auto parsed = parse_address(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Address {});
}

Prefix prefix(const char* text)
{
    auto parsed = parse_prefix(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Prefix {});
}

const nlmsghdr* header_of(const Bytes& message)
{
    return reinterpret_cast<const nlmsghdr*>(message.data());
}

template <typename FamilyHeader> const FamilyHeader& family_header(const Bytes& message)
{
    return *static_cast<const FamilyHeader*>(mnl_nlmsg_get_payload(header_of(message)));
}

int collect(const nlattr* attribute, void* data)
{
    (*static_cast<Attributes*>(data))[mnl_attr_get_type(attribute)] = attribute;
    return MNL_CB_OK;
}

// The attributes after the family header, by type; the message must be exactly one whole message.
Attributes attributes_of(const Bytes& message, std::size_t family_header_size)
{
    Attributes found;
    EXPECT_TRUE(mnl_nlmsg_ok(header_of(message), static_cast<int>(message.size())));
    EXPECT_EQ(header_of(message)->nlmsg_len, message.size());
    EXPECT_EQ(mnl_attr_parse(header_of(message), family_header_size, collect, &found), MNL_CB_OK);
    return found;
}

Attributes nested_of(const nlattr* nest)
{
    Attributes found;
    EXPECT_EQ(mnl_attr_parse_nested(nest, collect, &found), MNL_CB_OK);
    return found;
}

Bytes payload_of(const nlattr* attribute)
{
    auto* data = static_cast<const std::uint8_t*>(mnl_attr_get_payload(attribute));
    return {data, data + mnl_attr_get_payload_len(attribute)};
}

Bytes bytes_of(const Address& value)
{
    return {value.bytes.begin(), value.bytes.begin() + static_cast<std::ptrdiff_t>(value.size())};
}

constexpr std::uint16_t request_ack = NLM_F_REQUEST | NLM_F_ACK;
constexpr std::uint16_t create_exclusive = request_ack | NLM_F_CREATE | NLM_F_EXCL;

// ---------------------------------------------------------------- byte for byte with iproute2

TEST(NetRequest, AddressAddEqualsIproute2)
{
    // The request iproute2 sent is echoed whole inside the captured EEXIST ack (bytes 20..59).
    Bytes iproute2(std::begin(captures::address_exists_ack) + 20,
        std::begin(captures::address_exists_ack) + 60);
    auto request = address_request(0x6b0c2967, Operation::Add, {3, prefix("100.64.0.2/30")});
    ASSERT_TRUE(request) << request.error().message();
    EXPECT_EQ(*request, iproute2);
}

TEST(NetRequest, RouteAddEqualsIproute2)
{
    Route route;
    route.destination = prefix("198.18.0.0/15");
    route.gateway = address("100.64.0.1");
    route.table = 100;
    route.metric = 20;
    route.protocol = 3; // RTPROT_BOOT, what iproute2 marks its routes with
    auto request = route_request(0x6b0c296b, Operation::Add, route);
    ASSERT_TRUE(request) << request.error().message();
    EXPECT_EQ(*request,
        Bytes(std::begin(captures::iproute2_route_add), std::end(captures::iproute2_route_add)));
}

TEST(NetRequest, RuleAddEqualsIproute2)
{
    Rule rule;
    rule.priority = 1001;
    rule.fwmark = 2;
    rule.table = 101;
    auto request = rule_request(0x6b0c296b, Operation::Add, rule);
    ASSERT_TRUE(request) << request.error().message();
    EXPECT_EQ(*request,
        Bytes(std::begin(captures::iproute2_rule_add), std::end(captures::iproute2_rule_add)));
}

// ---------------------------------------------------------------- links

TEST(NetRequest, EveryRequestAsksForAnAckWithItsSequence)
{
    Route route {Prefix::any(Family::Ipv4), address("100.64.0.1"), 3, 100, 10, {},
        RouteType::Unicast, static_protocol};
    Rule rule;
    rule.fwmark = 1;
    std::vector<Bytes> requests = {
        get_link_request(7, "wwan0").value(),
        get_link_request(7, 3),
        dump_request(7, RTM_GETLINK, Family::Ipv4),
        dump_request(7, RTM_GETADDR, Family::Ipv6),
        dump_request(7, RTM_GETROUTE, Family::Ipv4),
        dump_request(7, RTM_GETRULE, Family::Ipv6),
        set_link_state_request(7, 3, AdminState::Up),
        set_link_mtu_request(7, 3, 1400),
        add_link_request(7, "uplink0", LinkKind::Dummy).value(),
        add_veth_request(7, "uplink0", "uplink1").value(),
        delete_link_request(7, 3),
        address_request(7, Operation::Add, {3, prefix("100.64.0.2/30")}).value(),
        address_request(7, Operation::Delete, {3, prefix("2001:db8::2/64")}).value(),
        route_request(7, Operation::Add, route).value(),
        route_request(7, Operation::Replace, route).value(),
        route_request(7, Operation::Delete, route).value(),
        rule_request(7, Operation::Add, rule).value(),
        rule_request(7, Operation::Delete, rule).value(),
    };
    for (const auto& request : requests) {
        ASSERT_TRUE(mnl_nlmsg_ok(header_of(request), static_cast<int>(request.size())));
        EXPECT_EQ(header_of(request)->nlmsg_len, request.size());
        EXPECT_EQ(header_of(request)->nlmsg_flags & request_ack, request_ack)
            << header_of(request)->nlmsg_type;
        EXPECT_EQ(header_of(request)->nlmsg_seq, 7u);
        EXPECT_EQ(header_of(request)->nlmsg_pid, 0u);
    }
}

TEST(NetRequest, GetLinkByName)
{
    auto request = get_link_request(1, "wwan0");
    ASSERT_TRUE(request);
    EXPECT_EQ(header_of(*request)->nlmsg_type, RTM_GETLINK);
    EXPECT_EQ(header_of(*request)->nlmsg_flags, request_ack);
    EXPECT_EQ(family_header<ifinfomsg>(*request).ifi_index, 0);
    auto attributes = attributes_of(*request, sizeof(ifinfomsg));
    ASSERT_TRUE(attributes.count(IFLA_IFNAME));
    EXPECT_STREQ(mnl_attr_get_str(attributes[IFLA_IFNAME]), "wwan0");
    // Sent with its NUL, as iproute2 sends it.
    EXPECT_EQ(mnl_attr_get_payload_len(attributes[IFLA_IFNAME]), 6);

    auto by_index = get_link_request(1, 3);
    EXPECT_EQ(family_header<ifinfomsg>(by_index).ifi_index, 3);
    EXPECT_TRUE(attributes_of(by_index, sizeof(ifinfomsg)).empty());
}

TEST(NetRequest, LinkNamesTheKernelWouldRefuseAreInvalidArguments)
{
    for (const char* name : {"", "sixteen-bytes-xx", "wan/0", "wan 0", "wan:0", ".", ".."})
        EXPECT_EQ(get_link_request(1, name).error(), Errc::InvalidArgument) << name;
    EXPECT_TRUE(get_link_request(1, "fifteen-bytes-x"));
    EXPECT_EQ(get_link_request(1, std::string_view("wan\0x", 5)).error(), Errc::InvalidArgument);
    EXPECT_EQ(
        add_link_request(1, "sixteen-bytes-xx", LinkKind::Dummy).error(), Errc::InvalidArgument);
    EXPECT_EQ(add_veth_request(1, "uplink0", "uplink0").error(), Errc::InvalidArgument);
}

TEST(NetRequest, DumpsCarryTheFamily)
{
    auto links = dump_request(2, RTM_GETLINK, Family::Ipv6);
    EXPECT_EQ(header_of(links)->nlmsg_flags, request_ack | NLM_F_DUMP);
    EXPECT_EQ(family_header<ifinfomsg>(links).ifi_family, AF_UNSPEC);
    EXPECT_EQ(
        family_header<ifaddrmsg>(dump_request(2, RTM_GETADDR, Family::Ipv6)).ifa_family, AF_INET6);
    EXPECT_EQ(
        family_header<rtmsg>(dump_request(2, RTM_GETROUTE, Family::Ipv4)).rtm_family, AF_INET);
    EXPECT_EQ(
        family_header<fib_rule_hdr>(dump_request(2, RTM_GETRULE, Family::Ipv6)).family, AF_INET6);
}

TEST(NetRequest, SetLinkStateChangesOnlyIffUp)
{
    for (auto state : {AdminState::Up, AdminState::Down}) {
        auto request = set_link_state_request(3, 5, state);
        EXPECT_EQ(header_of(request)->nlmsg_type, RTM_NEWLINK);
        EXPECT_EQ(header_of(request)->nlmsg_flags, request_ack);
        const auto& link = family_header<ifinfomsg>(request);
        EXPECT_EQ(link.ifi_index, 5);
        EXPECT_EQ(link.ifi_change, static_cast<unsigned>(IFF_UP));
        EXPECT_EQ(link.ifi_flags, state == AdminState::Up ? static_cast<unsigned>(IFF_UP) : 0u);
    }
}

TEST(NetRequest, SetLinkMtu)
{
    auto request = set_link_mtu_request(3, 5, 1400);
    EXPECT_EQ(family_header<ifinfomsg>(request).ifi_change, 0u);
    auto attributes = attributes_of(request, sizeof(ifinfomsg));
    ASSERT_TRUE(attributes.count(IFLA_MTU));
    EXPECT_EQ(mnl_attr_get_u32(attributes[IFLA_MTU]), 1400u);
}

TEST(NetRequest, AddLinkNestsItsKind)
{
    auto request = add_link_request(4, "uplink0", LinkKind::Dummy);
    ASSERT_TRUE(request);
    EXPECT_EQ(header_of(*request)->nlmsg_flags, create_exclusive);
    auto attributes = attributes_of(*request, sizeof(ifinfomsg));
    EXPECT_STREQ(mnl_attr_get_str(attributes[IFLA_IFNAME]), "uplink0");
    ASSERT_TRUE(attributes.count(IFLA_LINKINFO));
    auto information = nested_of(attributes[IFLA_LINKINFO]);
    ASSERT_TRUE(information.count(IFLA_INFO_KIND));
    auto kind = payload_of(information[IFLA_INFO_KIND]);
    EXPECT_EQ(std::string(kind.begin(), kind.end()), "dummy");
}

TEST(NetRequest, AddVethNestsThePeer)
{
    auto request = add_veth_request(4, "uplink0", "uplink0-peer");
    ASSERT_TRUE(request);
    auto attributes = attributes_of(*request, sizeof(ifinfomsg));
    auto information = nested_of(attributes[IFLA_LINKINFO]);
    auto kind = payload_of(information[IFLA_INFO_KIND]);
    EXPECT_EQ(std::string(kind.begin(), kind.end()), "veth");
    ASSERT_TRUE(information.count(IFLA_INFO_DATA));
    auto data = nested_of(information[IFLA_INFO_DATA]);
    ASSERT_TRUE(data.count(VETH_INFO_PEER));
    // VETH_INFO_PEER holds an ifinfomsg and then the peer's own attributes.
    const nlattr* peer = data[VETH_INFO_PEER];
    ASSERT_GE(mnl_attr_get_payload_len(peer), sizeof(ifinfomsg));
    Attributes peer_attributes;
    auto* after_header
        = static_cast<const std::uint8_t*>(mnl_attr_get_payload(peer)) + sizeof(ifinfomsg);
    EXPECT_EQ(mnl_attr_parse_payload(after_header,
                  mnl_attr_get_payload_len(peer) - sizeof(ifinfomsg), collect, &peer_attributes),
        MNL_CB_OK);
    ASSERT_TRUE(peer_attributes.count(IFLA_IFNAME));
    EXPECT_STREQ(mnl_attr_get_str(peer_attributes[IFLA_IFNAME]), "uplink0-peer");
}

// ---------------------------------------------------------------- addresses

TEST(NetRequest, AddressesOfBothFamilies)
{
    struct Case {
        const char* prefix;
        std::uint8_t family;
    };
    for (auto c : {Case {"100.64.0.2/30", AF_INET}, Case {"2001:db8::2/64", AF_INET6}}) {
        InterfaceAddress entry {7, prefix(c.prefix)};
        auto add = address_request(9, Operation::Add, entry);
        ASSERT_TRUE(add);
        EXPECT_EQ(header_of(*add)->nlmsg_type, RTM_NEWADDR);
        EXPECT_EQ(header_of(*add)->nlmsg_flags, create_exclusive);
        const auto& header = family_header<ifaddrmsg>(*add);
        EXPECT_EQ(header.ifa_family, c.family);
        EXPECT_EQ(header.ifa_prefixlen, entry.prefix.length);
        EXPECT_EQ(header.ifa_index, 7u);
        EXPECT_EQ(header.ifa_scope, RT_SCOPE_UNIVERSE);
        auto attributes = attributes_of(*add, sizeof(ifaddrmsg));
        ASSERT_TRUE(attributes.count(IFA_LOCAL) && attributes.count(IFA_ADDRESS));
        EXPECT_EQ(payload_of(attributes[IFA_LOCAL]), bytes_of(entry.prefix.address));
        EXPECT_EQ(payload_of(attributes[IFA_ADDRESS]), bytes_of(entry.prefix.address));

        auto remove = address_request(10, Operation::Delete, entry);
        ASSERT_TRUE(remove);
        EXPECT_EQ(header_of(*remove)->nlmsg_type, RTM_DELADDR);
        EXPECT_EQ(header_of(*remove)->nlmsg_flags, request_ack);

        auto replace = address_request(11, Operation::Replace, entry);
        ASSERT_TRUE(replace);
        EXPECT_EQ(header_of(*replace)->nlmsg_flags, request_ack | NLM_F_CREATE | NLM_F_REPLACE);
    }
}

TEST(NetRequest, AddressWithoutALinkOrWithTooLongAPrefixIsInvalid)
{
    EXPECT_EQ(address_request(1, Operation::Add, {0, prefix("100.64.0.2/30")}).error(),
        Errc::InvalidArgument);
    InterfaceAddress too_long {3, prefix("100.64.0.2/30")};
    too_long.prefix.length = 33;
    EXPECT_EQ(address_request(1, Operation::Add, too_long).error(), Errc::InvalidArgument);
}

// ---------------------------------------------------------------- routes

TEST(NetRequest, DefaultRouteViaAGatewayInATable)
{
    Route route;
    route.destination = Prefix::any(Family::Ipv4);
    route.gateway = address("100.64.0.1");
    route.output_link = 3;
    route.table = 100;
    route.metric = 10;
    auto request = route_request(5, Operation::Add, route);
    ASSERT_TRUE(request);
    EXPECT_EQ(header_of(*request)->nlmsg_type, RTM_NEWROUTE);
    EXPECT_EQ(header_of(*request)->nlmsg_flags, create_exclusive);
    const auto& header = family_header<rtmsg>(*request);
    EXPECT_EQ(header.rtm_family, AF_INET);
    EXPECT_EQ(header.rtm_dst_len, 0);
    EXPECT_EQ(header.rtm_table, 100);
    EXPECT_EQ(header.rtm_protocol, RTPROT_STATIC);
    EXPECT_EQ(header.rtm_scope, RT_SCOPE_UNIVERSE);
    EXPECT_EQ(header.rtm_type, RTN_UNICAST);
    auto attributes = attributes_of(*request, sizeof(rtmsg));
    EXPECT_FALSE(attributes.count(RTA_DST)); // "default" has no destination attribute
    EXPECT_FALSE(attributes.count(RTA_TABLE)); // a table below 256 fits the header
    EXPECT_EQ(payload_of(attributes[RTA_GATEWAY]), bytes_of(*route.gateway));
    EXPECT_EQ(mnl_attr_get_u32(attributes[RTA_OIF]), 3u);
    EXPECT_EQ(mnl_attr_get_u32(attributes[RTA_PRIORITY]), 10u);
}

TEST(NetRequest, Ipv6DefaultRouteInALargeTable)
{
    Route route;
    route.destination = Prefix::any(Family::Ipv6);
    route.gateway = address("2001:db8::1");
    route.table = 1000;
    route.preferred_source = address("2001:db8::2");
    auto request = route_request(5, Operation::Add, route);
    ASSERT_TRUE(request);
    const auto& header = family_header<rtmsg>(*request);
    EXPECT_EQ(header.rtm_family, AF_INET6);
    EXPECT_EQ(header.rtm_table, RT_TABLE_UNSPEC);
    auto attributes = attributes_of(*request, sizeof(rtmsg));
    EXPECT_EQ(mnl_attr_get_u32(attributes[RTA_TABLE]), 1000u);
    EXPECT_EQ(payload_of(attributes[RTA_GATEWAY]), bytes_of(*route.gateway));
    EXPECT_EQ(payload_of(attributes[RTA_PREFSRC]), bytes_of(*route.preferred_source));
    EXPECT_FALSE(attributes.count(RTA_PRIORITY)); // 0: the kernel's default (1024 for IPv6)
}

TEST(NetRequest, OnLinkRouteIsScopeLink)
{
    // A raw-IP wwan0 has no gateway: `ip route add 198.18.0.0/15 dev wwan0` is scope link.
    Route route;
    route.destination = prefix("198.18.0.0/15");
    route.output_link = 4;
    auto request = route_request(5, Operation::Add, route);
    ASSERT_TRUE(request);
    EXPECT_EQ(family_header<rtmsg>(*request).rtm_scope, RT_SCOPE_LINK);
    auto attributes = attributes_of(*request, sizeof(rtmsg));
    EXPECT_EQ(payload_of(attributes[RTA_DST]), bytes_of(route.destination.address));
    EXPECT_FALSE(attributes.count(RTA_GATEWAY));
}

TEST(NetRequest, RouteDeleteAndReplace)
{
    Route route;
    route.destination = Prefix::any(Family::Ipv4);
    route.gateway = address("100.64.0.1");
    route.table = 100;
    auto remove = route_request(6, Operation::Delete, route);
    ASSERT_TRUE(remove);
    EXPECT_EQ(header_of(*remove)->nlmsg_type, RTM_DELROUTE);
    EXPECT_EQ(header_of(*remove)->nlmsg_flags, request_ack);
    EXPECT_EQ(family_header<rtmsg>(*remove).rtm_scope, RT_SCOPE_NOWHERE);
    EXPECT_EQ(family_header<rtmsg>(*remove).rtm_protocol, RTPROT_UNSPEC);

    auto replace = route_request(6, Operation::Replace, route);
    ASSERT_TRUE(replace);
    EXPECT_EQ(header_of(*replace)->nlmsg_type, RTM_NEWROUTE);
    EXPECT_EQ(header_of(*replace)->nlmsg_flags, request_ack | NLM_F_CREATE | NLM_F_REPLACE);
}

TEST(NetRequest, RouteFamiliesMustAgree)
{
    Route route;
    route.destination = Prefix::any(Family::Ipv6);
    route.gateway = address("100.64.0.1");
    EXPECT_EQ(route_request(1, Operation::Add, route).error(), Errc::InvalidArgument);
    route.gateway = address("2001:db8::1");
    route.preferred_source = address("100.64.0.2");
    EXPECT_EQ(route_request(1, Operation::Add, route).error(), Errc::InvalidArgument);
    route.preferred_source.reset();
    route.destination.length = 129;
    EXPECT_EQ(route_request(1, Operation::Add, route).error(), Errc::InvalidArgument);
}

// ---------------------------------------------------------------- rules

TEST(NetRequest, FwmarkRule)
{
    Rule rule;
    rule.priority = 1000;
    rule.fwmark = 0x1;
    rule.table = 100;
    auto request = rule_request(8, Operation::Add, rule);
    ASSERT_TRUE(request);
    EXPECT_EQ(header_of(*request)->nlmsg_type, RTM_NEWRULE);
    EXPECT_EQ(header_of(*request)->nlmsg_flags, create_exclusive);
    const auto& header = family_header<fib_rule_hdr>(*request);
    EXPECT_EQ(header.family, AF_INET);
    EXPECT_EQ(header.action, FR_ACT_TO_TBL);
    EXPECT_EQ(header.table, 100);
    EXPECT_EQ(header.src_len, 0);
    auto attributes = attributes_of(*request, sizeof(fib_rule_hdr));
    EXPECT_EQ(mnl_attr_get_u32(attributes[FRA_PRIORITY]), 1000u);
    EXPECT_EQ(mnl_attr_get_u32(attributes[FRA_FWMARK]), 1u);
    EXPECT_FALSE(attributes.count(FRA_FWMASK));
    EXPECT_FALSE(attributes.count(FRA_SRC));
    EXPECT_FALSE(attributes.count(FRA_TABLE));

    auto remove = rule_request(9, Operation::Delete, rule);
    ASSERT_TRUE(remove);
    EXPECT_EQ(header_of(*remove)->nlmsg_type, RTM_DELRULE);
    EXPECT_EQ(header_of(*remove)->nlmsg_flags, request_ack);
}

TEST(NetRequest, SourceRuleWithMaskInALargeTable)
{
    Rule rule;
    rule.family = Family::Ipv6;
    rule.priority = 1001;
    rule.fwmark = 0x100;
    rule.fwmask = 0x3f00; // mwan3's default mark mask
    rule.source = prefix("2001:db8::/64");
    rule.table = 5000;
    auto request = rule_request(8, Operation::Add, rule);
    ASSERT_TRUE(request);
    const auto& header = family_header<fib_rule_hdr>(*request);
    EXPECT_EQ(header.family, AF_INET6);
    EXPECT_EQ(header.src_len, 64);
    EXPECT_EQ(header.table, RT_TABLE_UNSPEC);
    auto attributes = attributes_of(*request, sizeof(fib_rule_hdr));
    EXPECT_EQ(payload_of(attributes[FRA_SRC]), bytes_of(rule.source->address));
    EXPECT_EQ(mnl_attr_get_u32(attributes[FRA_FWMASK]), 0x3f00u);
    EXPECT_EQ(mnl_attr_get_u32(attributes[FRA_TABLE]), 5000u);
}

TEST(NetRequest, RuleForWhatASocketBoundToAnInterfaceSends)
{
    Rule rule;
    rule.priority = 9901;
    rule.output_interface = "eth1";
    rule.table = 1001;
    auto request = rule_request(8, Operation::Add, rule);
    ASSERT_TRUE(request);
    auto attributes = attributes_of(*request, sizeof(fib_rule_hdr));
    ASSERT_TRUE(attributes.count(FRA_OIFNAME));
    EXPECT_STREQ(mnl_attr_get_str(attributes[FRA_OIFNAME]), "eth1");
    EXPECT_FALSE(attributes.count(FRA_FWMARK));
    // The kernel keeps IFNAMSIZ bytes with the terminating zero: a longer name is refused here.
    rule.output_interface = "sixteen-letters!";
    EXPECT_EQ(rule_request(8, Operation::Add, rule).error(), Errc::InvalidArgument);
}

TEST(NetRequest, RuleForWhatTheRouterSendsToOneAddress)
{
    Rule rule;
    rule.family = Family::Ipv6;
    rule.priority = 9801;
    rule.destination = prefix("2001:db8::53/128");
    rule.input_interface = "lo";
    rule.table = 1001;
    auto request = rule_request(8, Operation::Add, rule);
    ASSERT_TRUE(request);
    EXPECT_EQ(family_header<fib_rule_hdr>(*request).dst_len, 128);
    auto attributes = attributes_of(*request, sizeof(fib_rule_hdr));
    EXPECT_EQ(payload_of(attributes[FRA_DST]), bytes_of(rule.destination->address));
    EXPECT_STREQ(mnl_attr_get_str(attributes[FRA_IIFNAME]), "lo");
    EXPECT_FALSE(attributes.count(FRA_SRC));
    // A destination of the other family is refused, as a source is.
    rule.destination = prefix("192.0.2.53/32");
    EXPECT_EQ(rule_request(8, Operation::Add, rule).error(), Errc::InvalidArgument);
}

TEST(NetRequest, UnreachableRuleHasNoTable)
{
    Rule rule;
    rule.priority = 3001;
    rule.fwmark = 0x100;
    rule.action = RuleAction::Unreachable;
    auto request = rule_request(8, Operation::Add, rule);
    ASSERT_TRUE(request);
    EXPECT_EQ(family_header<fib_rule_hdr>(*request).action, FR_ACT_UNREACHABLE);
    EXPECT_EQ(family_header<fib_rule_hdr>(*request).table, RT_TABLE_UNSPEC);
    EXPECT_FALSE(attributes_of(*request, sizeof(fib_rule_hdr)).count(FRA_TABLE));
}

TEST(NetRequest, RuleReplaceAndMixedFamiliesAreInvalid)
{
    Rule rule;
    rule.fwmark = 1;
    EXPECT_EQ(rule_request(1, Operation::Replace, rule).error(), Errc::InvalidArgument);
    rule.source = prefix("2001:db8::/64");
    EXPECT_EQ(rule_request(1, Operation::Add, rule).error(), Errc::InvalidArgument);
}

// ---------------------------------------------------------------- requests read back
// RTM_NEWADDR, RTM_NEWROUTE and RTM_NEWRULE have the same layout as the kernel's replies, so
// the parsers must give back what the builders were given.

TEST(NetRequest, ParsersReadBackWhatTheBuildersWrote)
{
    InterfaceAddress entry {7, prefix("2001:db8::2/64")};
    auto parsed_address = parse_newaddr(address_request(1, Operation::Add, entry).value());
    ASSERT_TRUE(parsed_address) << parsed_address.error().message();
    EXPECT_EQ(*parsed_address, entry);

    Route route {prefix("198.18.0.0/15"), address("100.64.0.1"), 3, 70000, 10,
        address("100.64.0.2"), RouteType::Unicast, static_protocol};
    auto parsed_route = parse_newroute(route_request(1, Operation::Add, route).value());
    ASSERT_TRUE(parsed_route) << parsed_route.error().message();
    EXPECT_EQ(*parsed_route, route);

    Rule rule {Family::Ipv4, 1000, 0x1, 0xff, prefix("100.64.0.0/30"), 100, RuleAction::Lookup, "eth1",
               prefix("192.0.2.53/32"), "lo"};
    auto parsed_rule = parse_newrule(rule_request(1, Operation::Add, rule).value());
    ASSERT_TRUE(parsed_rule) << parsed_rule.error().message();
    EXPECT_EQ(*parsed_rule, rule);
}

} // namespace
} // namespace uplink::net::rtnetlink
