// Replies: real kernel captures (captures.hpp) and messages built by hand with libmnl, through
// Exchange and the parsers; malformed input of every kind must come out as an error value.
#include "net/captures.hpp"
#include "net/message.hpp"

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace uplink::net::rtnetlink {
namespace {

using Progress = Exchange::Progress;

template <std::size_t Size> Bytes bytes_of(const std::uint8_t (&capture)[Size])
{
    return Bytes(capture, capture + Size);
}

// Messages one after another in one datagram, as the kernel packs them.
class Datagram {
public:
    nlmsghdr* start(
        std::uint16_t type, std::uint16_t flags, std::uint32_t sequence, std::uint32_t port)
    {
        auto* header = mnl_nlmsg_put_header(buffer_.data() + used_);
        header->nlmsg_type = type;
        header->nlmsg_flags = flags;
        header->nlmsg_seq = sequence;
        header->nlmsg_pid = port;
        return header;
    }
    void finish(const nlmsghdr* header) { used_ += MNL_ALIGN(header->nlmsg_len); }
    Bytes bytes() const
    {
        return Bytes(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(used_));
    }

    // NLMSG_ERROR: 0 acknowledges, -errno fails (netlink.h struct nlmsgerr).
    void add_ack(std::uint32_t sequence, std::uint32_t port, int error)
    {
        auto* header = start(NLMSG_ERROR, 0, sequence, port);
        auto* body = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(header, sizeof(nlmsgerr)));
        body->error = error;
        body->msg.nlmsg_len = sizeof(nlmsghdr);
        body->msg.nlmsg_seq = sequence;
        finish(header);
    }
    void add_done(std::uint32_t sequence, std::uint32_t port, int error = 0)
    {
        auto* header = start(NLMSG_DONE, NLM_F_MULTI, sequence, port);
        *static_cast<int*>(mnl_nlmsg_put_extra_header(header, sizeof(int))) = error;
        finish(header);
    }
    // An RTM_NEWLINK as a dump carries it.
    nlmsghdr* start_link(std::uint32_t sequence, std::uint32_t port, int index, const char* name)
    {
        auto* header = start(RTM_NEWLINK, NLM_F_MULTI, sequence, port);
        auto* link = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)));
        link->ifi_index = index;
        link->ifi_flags = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;
        if (name)
            mnl_attr_put_strz(header, IFLA_IFNAME, name);
        return header;
    }

private:
    alignas(8) std::array<std::uint8_t, 16384> buffer_ {};
    std::size_t used_ = 0;
};

constexpr std::uint32_t sequence = 41;
constexpr std::uint32_t port = 0x3210;

// ---------------------------------------------------------------- captures

TEST(NetReply, CapturedEexistAckIsASystemError)
{
    Exchange exchange(0x6b0c2967, 0x313d);
    EXPECT_EQ(exchange.feed(bytes_of(captures::address_exists_ack)), Progress::Finished);
    EXPECT_EQ(exchange.error(), boost::system::errc::file_exists);
    EXPECT_EQ(&exchange.error().category(), &boost::system::system_category());
    EXPECT_EQ(exchange.error().value(), EEXIST);
    EXPECT_EQ(exchange.kernel_message(), "ipv4: Address already assigned"); // `ip` adds the "."
    EXPECT_TRUE(exchange.messages().empty());
}

TEST(NetReply, AckOfAnotherSequenceOrPortIsSkipped)
{
    Exchange late(0x6b0c2968, 0x313d);
    EXPECT_EQ(late.feed(bytes_of(captures::address_exists_ack)), Progress::Pending);
    EXPECT_FALSE(late.finished());
    Exchange other_socket(0x6b0c2967, 0x313e);
    EXPECT_EQ(other_socket.feed(bytes_of(captures::address_exists_ack)), Progress::Pending);
}

TEST(NetReply, CapturedVethLink)
{
    auto link = parse_newlink(bytes_of(captures::veth_link_up));
    ASSERT_TRUE(link) << link.error().message();
    EXPECT_EQ(link->index, 3);
    EXPECT_EQ(link->name, "v0");
    EXPECT_EQ(link->kind, "veth");
    EXPECT_EQ(link->mtu, 1500u);
    EXPECT_EQ(link->operstate, OperState::Up);
    EXPECT_EQ(link->admin_state(), AdminState::Up);
    EXPECT_EQ(link->flags,
        static_cast<std::uint32_t>(
            IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP));
    ASSERT_TRUE(link->statistics);
    EXPECT_EQ(*link->statistics, (LinkStatistics {1, 1, 90, 90, 0, 0, 0, 0}));
}

TEST(NetReply, CapturedRuleDump)
{
    Exchange exchange(0x6b0c296a, 0x315a);
    EXPECT_EQ(exchange.feed(bytes_of(captures::rule_dump)), Progress::Finished);
    EXPECT_FALSE(exchange.error()) << exchange.error().message();
    ASSERT_EQ(exchange.messages().size(), 4u);
    std::vector<Rule> rules;
    for (const auto& message : exchange.messages()) {
        auto rule = parse_newrule(message);
        ASSERT_TRUE(rule) << rule.error().message();
        rules.push_back(*rule);
    }
    EXPECT_EQ(rules[0].priority, 0u); // the local rule: no FRA_PRIORITY at all
    EXPECT_EQ(rules[0].table, local_table);
    EXPECT_FALSE(rules[0].fwmark);
    EXPECT_EQ(rules[1], (Rule {Family::Ipv4, 1000, 0x1, 0xffffffff, {}, 100, RuleAction::Lookup, "", {}, ""}));
    EXPECT_EQ(rules[2].priority, 32766u);
    EXPECT_EQ(rules[2].table, main_table);
    EXPECT_EQ(rules[3].priority, 32767u);
    EXPECT_EQ(rules[3].table, 253u); // RT_TABLE_DEFAULT
}

TEST(NetReply, CapturedRouteDumpOverTwoDatagrams)
{
    Exchange exchange(0x6b0c296a, 0x3160);
    EXPECT_EQ(exchange.feed(bytes_of(captures::route_dump_first)), Progress::Pending);
    EXPECT_EQ(exchange.feed(bytes_of(captures::route_dump_done)), Progress::Finished);
    EXPECT_FALSE(exchange.error());
    ASSERT_EQ(exchange.messages().size(), 1u);
    EXPECT_FALSE(is_cloned_route(exchange.messages()[0]));
    auto route = parse_newroute(exchange.messages()[0]);
    ASSERT_TRUE(route) << route.error().message();
    Route expected {Prefix::any(Family::Ipv4), parse_address("100.64.0.1"), 3, 100, 10, {},
        RouteType::Unicast, 3};
    EXPECT_EQ(*route, expected);
}

// ---------------------------------------------------------------- built by hand

TEST(NetReply, LinkDumpBuiltByHand)
{
    Datagram datagram;
    auto* loopback = datagram.start_link(sequence, port, 1, "lo");
    mnl_attr_put_u32(loopback, IFLA_MTU, 65536);
    mnl_attr_put_u8(loopback, IFLA_OPERSTATE, IF_OPER_UNKNOWN);
    datagram.finish(loopback);
    auto* modem = datagram.start_link(sequence, port, 4, "wwan0");
    mnl_attr_put_u32(modem, IFLA_MTU, 1500);
    mnl_attr_put_u8(modem, IFLA_OPERSTATE, IF_OPER_DOWN);
    rtnl_link_stats64 statistics {};
    statistics.rx_bytes = 5'000'000'000; // past 2^32: why IFLA_STATS64 and not IFLA_STATS
    statistics.tx_bytes = 123;
    statistics.rx_packets = 4'000'000;
    statistics.tx_packets = 2;
    mnl_attr_put(modem, IFLA_STATS64, sizeof statistics, &statistics);
    auto* information = mnl_attr_nest_start(modem, IFLA_LINKINFO);
    mnl_attr_put_str(modem, IFLA_INFO_KIND, "qmi"); // without its NUL, as iproute2 sends kinds
    mnl_attr_nest_end(modem, information);
    datagram.finish(modem);
    datagram.add_done(sequence, port);

    Exchange exchange(sequence, port);
    ASSERT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
    ASSERT_FALSE(exchange.error());
    ASSERT_EQ(exchange.messages().size(), 2u);
    auto first = parse_newlink(exchange.messages()[0]);
    auto second = parse_newlink(exchange.messages()[1]);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->name, "lo");
    EXPECT_EQ(first->mtu, 65536u);
    EXPECT_EQ(first->operstate, OperState::Unknown);
    EXPECT_FALSE(first->statistics);
    EXPECT_EQ(second->index, 4);
    EXPECT_EQ(second->name, "wwan0");
    EXPECT_EQ(second->kind, "qmi");
    EXPECT_EQ(second->operstate, OperState::Down);
    ASSERT_TRUE(second->statistics);
    EXPECT_EQ(*second->statistics, (LinkStatistics {4'000'000, 2, 5'000'000'000, 123, 0, 0, 0, 0}));
}

TEST(NetReply, PlainAckFinishesWithoutError)
{
    Datagram datagram;
    datagram.add_ack(sequence, port, 0);
    Exchange exchange(sequence, port);
    EXPECT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
    EXPECT_FALSE(exchange.error());
    EXPECT_TRUE(exchange.kernel_message().empty());
    // Whatever comes after the end is not looked at.
    EXPECT_EQ(exchange.feed(Bytes {1, 2, 3}), Progress::Finished);
    EXPECT_FALSE(exchange.error());
}

TEST(NetReply, LateAckOfAnEarlierRequestIsSkipped)
{
    // The request before timed out; its EEXIST arrives in front of our ack.
    Datagram datagram;
    datagram.add_ack(sequence - 1, port, -EEXIST);
    datagram.add_ack(sequence, port, 0);
    Exchange exchange(sequence, port);
    EXPECT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
    EXPECT_FALSE(exchange.error()) << exchange.error().message();
}

TEST(NetReply, FailedAckCarriesTheErrno)
{
    for (int error : {EEXIST, ENODEV, ESRCH, ENOENT, EADDRNOTAVAIL, EOPNOTSUPP, EPERM}) {
        Datagram datagram;
        datagram.add_ack(sequence, port, -error);
        Exchange exchange(sequence, port);
        EXPECT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
        EXPECT_EQ(exchange.error(), kernel_error(error));
    }
}

TEST(NetReply, DumpThatFailsPartWay)
{
    Datagram datagram;
    datagram.add_done(sequence, port, -ENOBUFS);
    Exchange exchange(sequence, port);
    EXPECT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
    EXPECT_EQ(exchange.error(), boost::system::errc::no_buffer_space);
}

TEST(NetReply, InterruptedDumpIsReported)
{
    Datagram datagram;
    auto* link = datagram.start_link(sequence, port, 1, "lo");
    link->nlmsg_flags |= NLM_F_DUMP_INTR;
    datagram.finish(link);
    datagram.add_done(sequence, port);
    Exchange exchange(sequence, port);
    EXPECT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
    EXPECT_EQ(exchange.error(), Errc::DumpInterrupted);
}

TEST(NetReply, FollowingADumpKeepsNothingAndStillSeesItsEnd)
{
    // A multicast event (sequence 0, another sender's port) between the dump's messages.
    Datagram datagram;
    auto* link = datagram.start_link(sequence, port, 1, "lo");
    link->nlmsg_flags |= NLM_F_DUMP_INTR;
    datagram.finish(link);
    datagram.finish(datagram.start_link(0, 0x777, 2, "wan0"));
    datagram.add_done(sequence, port);
    Exchange exchange(sequence, port, Exchange::Keep::Nothing);
    EXPECT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
    EXPECT_EQ(exchange.error(), Errc::DumpInterrupted);
    EXPECT_TRUE(exchange.messages().empty());
}

TEST(NetReply, MessageReaderSplitsADatagramInOrder)
{
    Datagram datagram;
    datagram.finish(datagram.start_link(sequence, port, 1, "lo"));
    datagram.finish(datagram.start_link(sequence, port, 2, "wan0"));
    datagram.add_done(sequence, port);
    auto bytes = datagram.bytes();
    std::vector<std::uint16_t> types;
    std::vector<int> indexes;
    for (MessageReader reader(bytes); !reader.at_end();) {
        auto message = reader.next();
        ASSERT_TRUE(message) << message.error().message();
        types.push_back(reinterpret_cast<const nlmsghdr*>(message->data())->nlmsg_type);
        if (auto link = parse_newlink(*message))
            indexes.push_back(link->index);
    }
    EXPECT_EQ(types, (std::vector<std::uint16_t> {RTM_NEWLINK, RTM_NEWLINK, NLMSG_DONE}));
    EXPECT_EQ(indexes, (std::vector<int> {1, 2}));

    // A cut anywhere inside the last message: the whole ones before it, then Truncated, once.
    for (std::size_t cut = bytes.size() - 1; cut > bytes.size() - 20; --cut) {
        MessageReader reader(std::span<const std::uint8_t>(bytes.data(), cut));
        EXPECT_TRUE(reader.next());
        EXPECT_TRUE(reader.next());
        EXPECT_EQ(reader.next().error(), Errc::Truncated) << cut;
        EXPECT_TRUE(reader.at_end());
    }
}

TEST(NetReply, KernelMessageOfACappedAck)
{
    // With NETLINK_CAP_ACK the request is not echoed: the TLVs follow nlmsgerr directly.
    Datagram datagram;
    auto* header = datagram.start(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, sequence, port);
    auto* body = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(header, sizeof(nlmsgerr)));
    body->error = -EINVAL;
    body->msg.nlmsg_len = 64; // the request's length, though only its header is here
    mnl_attr_put_strz(header, NLMSGERR_ATTR_MSG, "Invalid prefix for given prefix length");
    datagram.finish(header);
    Exchange exchange(sequence, port);
    EXPECT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
    EXPECT_EQ(exchange.error(), boost::system::errc::invalid_argument);
    EXPECT_EQ(exchange.kernel_message(), "Invalid prefix for given prefix length");
}

// ---------------------------------------------------------------- malformed

TEST(NetReplyMalformed, DatagramsThatDoNotSplitIntoMessages)
{
    // A dump message, so nothing in the datagram ends the exchange before the damage is reached.
    Datagram datagram;
    datagram.finish(datagram.start_link(sequence, port, 1, "lo"));
    auto good = datagram.bytes();

    struct Case {
        const char* name;
        Bytes datagram;
    };
    auto length_field = [&](std::uint32_t length) {
        auto bytes = good;
        std::memcpy(bytes.data(), &length, sizeof length);
        return bytes;
    };
    const Case cases[] = {
        {"shorter than a header", Bytes(good.begin(), good.begin() + 10)},
        {"length past the end", length_field(static_cast<std::uint32_t>(good.size() + 4))},
        {"length below a header", length_field(8)},
        {"length zero", length_field(0)},
        {"a stray byte after the message",
            [&] {
                auto bytes = good;
                bytes.push_back(0);
                return bytes;
            }()},
    };
    for (const auto& c : cases) {
        Exchange exchange(sequence, port);
        EXPECT_EQ(exchange.feed(c.datagram), Progress::Finished) << c.name;
        EXPECT_EQ(exchange.error(), Errc::Truncated) << c.name;
    }
}

TEST(NetReplyMalformed, ErrorMessagesTooShortOrOutOfRange)
{
    Datagram datagram;
    auto* header = datagram.start(NLMSG_ERROR, 0, sequence, port);
    *static_cast<int*>(mnl_nlmsg_put_extra_header(header, sizeof(int))) = -EEXIST; // no msg header
    datagram.finish(header);
    Exchange short_error(sequence, port);
    EXPECT_EQ(short_error.feed(datagram.bytes()), Progress::Finished);
    EXPECT_EQ(short_error.error(), Errc::Truncated);

    Datagram minimum;
    minimum.add_ack(sequence, port, INT_MIN); // cannot be negated into an errno
    Exchange out_of_range(sequence, port);
    EXPECT_EQ(out_of_range.feed(minimum.bytes()), Progress::Finished);
    EXPECT_EQ(out_of_range.error(), Errc::Malformed);

    Datagram overrun;
    auto* overrun_header = overrun.start(NLMSG_OVERRUN, 0, sequence, port);
    overrun.finish(overrun_header);
    Exchange lost(sequence, port);
    EXPECT_EQ(lost.feed(overrun.bytes()), Progress::Finished);
    EXPECT_EQ(lost.error(), Errc::Truncated);
}

TEST(NetReplyMalformed, KernelMessageOffsetsPastTheEndAreIgnored)
{
    Datagram datagram;
    auto* header = datagram.start(NLMSG_ERROR, NLM_F_ACK_TLVS, sequence, port);
    auto* body = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(header, sizeof(nlmsgerr)));
    body->error = -EEXIST;
    body->msg.nlmsg_len = 0xfffffff0; // claims a huge echoed request
    datagram.finish(header);
    Exchange exchange(sequence, port);
    EXPECT_EQ(exchange.feed(datagram.bytes()), Progress::Finished);
    EXPECT_EQ(exchange.error(), boost::system::errc::file_exists);
    EXPECT_TRUE(exchange.kernel_message().empty());
}

TEST(NetReplyMalformed, CapturedLinkCutAnywhere)
{
    // Every cut of a real message, with its length field made to agree with the cut: an error
    // value, or (cut at an attribute boundary) the same link with fewer attributes.
    auto whole = bytes_of(captures::veth_link_up);
    for (std::size_t size = 0; size < whole.size(); ++size) {
        Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size));
        EXPECT_FALSE(parse_newlink(cut)) << "cut without fixing the length: " << size;
        if (size >= sizeof(nlmsghdr)) {
            auto length = static_cast<std::uint32_t>(size);
            std::memcpy(cut.data(), &length, sizeof length);
        }
        auto link = parse_newlink(cut);
        if (link) {
            EXPECT_EQ(link->name, "v0") << size;
            EXPECT_EQ(link->index, 3) << size;
        }
    }
}

TEST(NetReplyMalformed, BadLinkAttributes)
{
    auto build = [](auto add_attributes) {
        Datagram datagram;
        auto* link = datagram.start_link(sequence, port, 2, "wwan0");
        add_attributes(link);
        datagram.finish(link);
        return datagram.bytes();
    };
    auto short_mtu = build([](nlmsghdr* link) { mnl_attr_put_u16(link, IFLA_MTU, 1500); });
    EXPECT_EQ(parse_newlink(short_mtu).error(), Errc::Malformed);
    auto wide_operstate = build([](nlmsghdr* link) { mnl_attr_put_u32(link, IFLA_OPERSTATE, 6); });
    EXPECT_EQ(parse_newlink(wide_operstate).error(), Errc::Malformed);
    auto short_statistics = build([](nlmsghdr* link) { mnl_attr_put_u64(link, IFLA_STATS64, 1); });
    EXPECT_EQ(parse_newlink(short_statistics).error(), Errc::Malformed);

    // An attribute whose length field is below its own header.
    auto tiny_attribute = build([](nlmsghdr* link) {
        auto* mtu = static_cast<nlattr*>(mnl_nlmsg_get_payload_tail(link));
        mnl_attr_put_u32(link, IFLA_MTU, 1500);
        mtu->nla_len = 2;
    });
    EXPECT_EQ(parse_newlink(tiny_attribute).error(), Errc::Truncated);

    // A nest whose contents do not tile it.
    auto overflowing_nest = build([](nlmsghdr* link) {
        auto* information = mnl_attr_nest_start(link, IFLA_LINKINFO);
        auto* kind = static_cast<nlattr*>(mnl_nlmsg_get_payload_tail(link));
        mnl_attr_put_str(link, IFLA_INFO_KIND, "veth");
        mnl_attr_nest_end(link, information);
        kind->nla_len = 200;
    });
    EXPECT_EQ(parse_newlink(overflowing_nest).error(), Errc::Truncated);

    Datagram nameless;
    auto* link = nameless.start_link(sequence, port, 2, nullptr);
    nameless.finish(link);
    EXPECT_EQ(parse_newlink(nameless.bytes()).error(), Errc::MissingAttribute);

    Datagram no_index;
    auto* zero = no_index.start_link(sequence, port, 0, "wwan0");
    no_index.finish(zero);
    EXPECT_EQ(parse_newlink(no_index.bytes()).error(), Errc::Malformed);
}

TEST(NetReplyMalformed, MessagesOfTheWrongType)
{
    auto route = bytes_of(captures::route_dump_first);
    EXPECT_EQ(parse_newlink(route).error(), Errc::Malformed);
    EXPECT_EQ(parse_newaddr(route).error(), Errc::Malformed);
    EXPECT_EQ(parse_newrule(route).error(), Errc::Malformed);
    EXPECT_EQ(parse_newroute(bytes_of(captures::veth_link_up)).error(), Errc::Malformed);
}

TEST(NetReplyMalformed, BadAddresses)
{
    auto build = [](std::uint8_t family, std::uint8_t length, std::size_t address_size) {
        Datagram datagram;
        auto* header = datagram.start(RTM_NEWADDR, NLM_F_MULTI, sequence, port);
        auto* address
            = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifaddrmsg)));
        address->ifa_family = family;
        address->ifa_prefixlen = length;
        address->ifa_index = 2;
        std::array<std::uint8_t, 16> bytes {100, 64, 0, 2};
        if (address_size > 0)
            mnl_attr_put(header, IFA_ADDRESS, address_size, bytes.data());
        datagram.finish(header);
        return datagram.bytes();
    };
    auto good = parse_newaddr(build(AF_INET, 30, 4));
    ASSERT_TRUE(good) << good.error().message();
    EXPECT_EQ(to_string(good->prefix), "100.64.0.2/30");
    EXPECT_EQ(parse_newaddr(build(AF_INET, 33, 4)).error(), Errc::Malformed);
    EXPECT_EQ(parse_newaddr(build(AF_INET, 30, 5)).error(), Errc::Malformed);
    EXPECT_EQ(parse_newaddr(build(AF_INET6, 64, 4)).error(), Errc::Malformed);
    EXPECT_EQ(parse_newaddr(build(AF_PACKET, 0, 4)).error(), Errc::Malformed);
    EXPECT_EQ(parse_newaddr(build(AF_INET, 30, 0)).error(), Errc::MissingAttribute);
}

TEST(NetReplyMalformed, BadRoutesAndRules)
{
    auto route = bytes_of(captures::route_dump_first);
    auto* header = reinterpret_cast<rtmsg*>(route.data() + NLMSG_HDRLEN);
    header->rtm_dst_len = 33;
    EXPECT_EQ(parse_newroute(route).error(), Errc::Malformed);
    header->rtm_dst_len = 0;
    header->rtm_family = AF_INET6; // a 4-byte gateway in an IPv6 route
    EXPECT_EQ(parse_newroute(route).error(), Errc::Malformed);

    auto rules = bytes_of(captures::rule_dump);
    Bytes first(rules.begin(), rules.begin() + 0x34); // the local rule alone
    reinterpret_cast<fib_rule_hdr*>(first.data() + NLMSG_HDRLEN)->src_len = 40;
    EXPECT_EQ(parse_newrule(first).error(), Errc::Malformed);
    Bytes short_body(first.begin(), first.begin() + NLMSG_HDRLEN + 4);
    std::uint32_t length = NLMSG_HDRLEN + 4;
    std::memcpy(short_body.data(), &length, sizeof length);
    EXPECT_EQ(parse_newrule(short_body).error(), Errc::Truncated);
}

TEST(NetReplyMalformed, ARunawayReplyIsBounded)
{
    Datagram datagram;
    auto* link = datagram.start_link(sequence, port, 1, "lo");
    datagram.finish(link);
    auto one = datagram.bytes();
    Exchange exchange(sequence, port);
    for (std::size_t count = 0; count < Exchange::max_messages; ++count)
        ASSERT_EQ(exchange.feed(one), Progress::Pending);
    EXPECT_EQ(exchange.feed(one), Progress::Finished);
    EXPECT_EQ(exchange.error(), Errc::Malformed);
}

} // namespace
} // namespace uplink::net::rtnetlink
