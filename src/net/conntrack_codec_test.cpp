// The ctnetlink codec: request bytes read back with libmnl (an independent reader of the same
// format), a real dump and ack (captures.hpp) through Exchange and parse_entry(), and malformed
// entries of every kind, which must come out as error values.
#include "net/captures.hpp"
#include "net/conntrack_message.hpp"
#include "net/message.hpp"

#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <map>
#include <netinet/in.h>

namespace uplink::net::ctnetlink {
namespace {

using Attributes = std::map<std::uint16_t, const nlattr*>;

template <std::size_t Size> Bytes bytes_of(const std::uint8_t (&capture)[Size])
{
    return Bytes(capture, capture + Size);
}

const nlmsghdr* header_of(const Bytes& message)
{
    return reinterpret_cast<const nlmsghdr*>(message.data());
}

int collect(const nlattr* attribute, void* data)
{
    (*static_cast<Attributes*>(data))[mnl_attr_get_type(attribute)] = attribute;
    return MNL_CB_OK;
}

struct Parsed {
    nfgenmsg header {};
    Attributes attributes;
};

Parsed parse_request(const Bytes& message)
{
    Parsed parsed;
    EXPECT_TRUE(mnl_nlmsg_ok(header_of(message), static_cast<int>(message.size())));
    EXPECT_EQ(header_of(message)->nlmsg_len, message.size());
    parsed.header = *static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(header_of(message)));
    EXPECT_EQ(mnl_attr_parse(header_of(message), sizeof(nfgenmsg), collect, &parsed.attributes),
        MNL_CB_OK);
    return parsed;
}

std::uint32_t be32_of(const Attributes& attributes, std::uint16_t type)
{
    auto found = attributes.find(type);
    EXPECT_NE(found, attributes.end()) << "attribute " << type;
    return found == attributes.end() ? 0 : ntohl(mnl_attr_get_u32(found->second));
}

Address address(const char* text)
{
    return parse_address(text).value();
}

// ---------------------------------------------------------------- requests

TEST(NetConntrackRequest, DumpOfOneWansEntries)
{
    auto request = dump_request(7, MarkFilter {0x100, 0xff00}, Family::Ipv4);
    auto* header = header_of(request);
    EXPECT_EQ(header->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET);
    EXPECT_EQ(header->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP);
    EXPECT_EQ(header->nlmsg_seq, 7u);
    auto parsed = parse_request(request);
    EXPECT_EQ(parsed.header.nfgen_family, AF_INET);
    EXPECT_EQ(parsed.header.version, 1);
    EXPECT_EQ(parsed.header.res_id, 0);
    EXPECT_EQ(parsed.attributes.size(), 2u);
    EXPECT_EQ(be32_of(parsed.attributes, CTA_MARK), 0x100u);
    EXPECT_EQ(be32_of(parsed.attributes, CTA_MARK_MASK), 0xff00u);
    // Network byte order on the wire, whatever the host's.
    const Bytes mark_attribute {8, 0, CTA_MARK, 0, 0x00, 0x00, 0x01, 0x00};
    EXPECT_EQ(Bytes(request.begin() + 20, request.begin() + 28), mark_attribute);
}

TEST(NetConntrackRequest, FamilyNoneIsUnspecifiedAndIpv6IsInet6)
{
    EXPECT_EQ(parse_request(dump_request(1, {}, std::nullopt)).header.nfgen_family, AF_UNSPEC);
    EXPECT_EQ(parse_request(dump_request(1, {}, Family::Ipv6)).header.nfgen_family, AF_INET6);
    auto every = parse_request(dump_request(1, MarkFilter {0, 0}, std::nullopt));
    EXPECT_EQ(be32_of(every.attributes, CTA_MARK_MASK), 0u); // a listing of every entry
}

TEST(NetConntrackRequest, DeleteIsAFilteredFlushWithoutATuple)
{
    auto request = delete_request(9, MarkFilter {0x200, 0xff00}, std::nullopt);
    ASSERT_TRUE(request);
    auto* header = header_of(*request);
    EXPECT_EQ(header->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE);
    EXPECT_EQ(header->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    EXPECT_EQ(header->nlmsg_seq, 9u);
    auto parsed = parse_request(*request);
    EXPECT_EQ(parsed.header.nfgen_family, AF_UNSPEC);
    EXPECT_EQ(parsed.header.version, 1); // else the kernel ignores the family of a flush
    EXPECT_EQ(parsed.attributes.count(CTA_TUPLE_ORIG), 0u);
    EXPECT_EQ(parsed.attributes.count(CTA_TUPLE_REPLY), 0u);
    EXPECT_EQ(be32_of(parsed.attributes, CTA_MARK), 0x200u);
    EXPECT_EQ(be32_of(parsed.attributes, CTA_MARK_MASK), 0xff00u);
    EXPECT_EQ(
        parse_request(delete_request(9, {0x1, 0x1}, Family::Ipv6).value()).header.nfgen_family,
        AF_INET6);
}

TEST(NetConntrackRequest, DeleteRefusesFiltersThatMatchAllOrNothing)
{
    struct Case {
        const char* note;
        MarkFilter mark;
    };
    for (auto [note, mark] : {Case {"mask 0, value 0: every entry", {0, 0}},
             Case {"mask 0, value set: no entry", {0x100, 0}},
             Case {"value outside the mask: no entry", {0x1ff, 0xff00}},
             Case {"a high bit outside the mask", {0x80000100, 0xff00}}}) {
        auto request = delete_request(1, mark, Family::Ipv4);
        ASSERT_FALSE(request) << note;
        EXPECT_EQ(request.error(), Errc::InvalidArgument) << note;
    }
    EXPECT_TRUE(delete_request(1, {0, 0xff00}, Family::Ipv4)) << "unmarked entries, by the mask";
    EXPECT_TRUE(delete_request(1, {0x12345678, 0xffffffff}, Family::Ipv4)) << "an exact mark";
}

// ---------------------------------------------------------------- captured replies

constexpr std::uint32_t captured_port = 0xacd6b891;

std::vector<Bytes> captured_entries()
{
    rtnetlink::Exchange exchange(0x5eed0001, captured_port);
    EXPECT_EQ(exchange.feed(bytes_of(captures::conntrack_dump_first)),
        rtnetlink::Exchange::Progress::Pending);
    EXPECT_EQ(exchange.feed(bytes_of(captures::conntrack_dump_done)),
        rtnetlink::Exchange::Progress::Finished);
    EXPECT_FALSE(exchange.error()) << exchange.error().message();
    return exchange.take_messages();
}

TEST(NetConntrackReply, CapturedDumpOfATcpEntryOfEachFamily)
{
    auto messages = captured_entries();
    ASSERT_EQ(messages.size(), 2u);
    auto ipv4 = parse_entry(messages[0]);
    ASSERT_TRUE(ipv4) << ipv4.error().message();
    auto loopback = address("127.0.0.1");
    EXPECT_EQ(*ipv4,
        (ConntrackEntry {Family::Ipv4, {loopback, loopback, IPPROTO_TCP, 39880, 5100},
            {loopback, loopback, IPPROTO_TCP, 5100, 39880}, 0x100, 0x55b52a38}));
    auto ipv6 = parse_entry(messages[1]);
    ASSERT_TRUE(ipv6) << ipv6.error().message();
    auto loopback6 = address("::1");
    EXPECT_EQ(*ipv6,
        (ConntrackEntry {Family::Ipv6, {loopback6, loopback6, IPPROTO_TCP, 60822, 5200},
            {loopback6, loopback6, IPPROTO_TCP, 5200, 60822}, 0x200, 0xd228cf03}));
}

TEST(NetConntrackReply, CapturedDeleteAck)
{
    rtnetlink::Exchange exchange(0x5eed0002, captured_port);
    EXPECT_EQ(exchange.feed(bytes_of(captures::conntrack_delete_ack)),
        rtnetlink::Exchange::Progress::Finished);
    EXPECT_FALSE(exchange.error()) << exchange.error().message();
    EXPECT_TRUE(exchange.messages().empty());
    rtnetlink::Exchange late(0x5eed0001, captured_port); // the dump's sequence: not its answer
    EXPECT_EQ(late.feed(bytes_of(captures::conntrack_delete_ack)),
        rtnetlink::Exchange::Progress::Pending);
}

// ---------------------------------------------------------------- malformed entries

TEST(NetConntrackReplyMalformed, CapturedEntryCutAnywhere)
{
    auto whole = captured_entries().at(0);
    for (std::size_t size = 0; size < whole.size(); ++size) {
        // As a message whose length field still claims the whole, and as one that agrees with
        // its cut length (the attributes then end early or mid-way).
        Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size));
        EXPECT_FALSE(parse_entry(cut)) << "cut at " << size;
        if (size >= sizeof(nlmsghdr)) {
            auto length = static_cast<std::uint32_t>(size);
            std::memcpy(cut.data(), &length, sizeof length);
            auto parsed = parse_entry(cut);
            // Cut after whole attributes at the end, the entry can still parse: CTA_ID last.
            if (parsed) {
                EXPECT_EQ(parsed->original.destination_port, 5100) << "cut at " << size;
            }
        }
    }
}

// An entry built by hand: a tuple nest of each direction, with the parts a case leaves out or
// spoils.
struct EntryParts {
    std::uint16_t message_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
    std::uint8_t family = AF_INET;
    std::size_t source_size = 4;
    bool protocol_number = true;
    std::size_t port_size = 2;
    bool reply_tuple = true;
    std::size_t mark_size = 4;
};

Bytes entry_message(const EntryParts& parts)
{
    alignas(8) std::array<std::uint8_t, 512> buffer {};
    auto* header = mnl_nlmsg_put_header(buffer.data());
    header->nlmsg_type = parts.message_type;
    auto* family = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(nfgenmsg)));
    family->nfgen_family = parts.family;
    const std::array<std::uint8_t, 16> source {198, 18, 1, 2};
    const std::array<std::uint8_t, 4> destination {198, 18, 2, 2};
    const std::array<std::uint8_t, 4> port {0x13, 0xec, 0, 0};
    for (auto direction : {CTA_TUPLE_ORIG, CTA_TUPLE_REPLY}) {
        if (direction == CTA_TUPLE_REPLY && !parts.reply_tuple)
            continue;
        auto* tuple = mnl_attr_nest_start(header, direction);
        auto* ip = mnl_attr_nest_start(header, CTA_TUPLE_IP);
        mnl_attr_put(header, CTA_IP_V4_SRC, parts.source_size, source.data());
        mnl_attr_put(header, CTA_IP_V4_DST, destination.size(), destination.data());
        mnl_attr_nest_end(header, ip);
        auto* protocol = mnl_attr_nest_start(header, CTA_TUPLE_PROTO);
        if (parts.protocol_number)
            mnl_attr_put_u8(header, CTA_PROTO_NUM, IPPROTO_UDP);
        mnl_attr_put(header, CTA_PROTO_DST_PORT, parts.port_size, port.data());
        mnl_attr_nest_end(header, protocol);
        mnl_attr_nest_end(header, tuple);
    }
    const std::array<std::uint8_t, 8> mark {0, 0, 0x02, 0};
    mnl_attr_put(header, CTA_MARK, parts.mark_size, mark.data());
    return Bytes(buffer.begin(), buffer.begin() + header->nlmsg_len);
}

TEST(NetConntrackReplyMalformed, EntriesBuiltByHand)
{
    auto good = parse_entry(entry_message({}));
    ASSERT_TRUE(good) << good.error().message();
    EXPECT_EQ(good->original.source, address("198.18.1.2"));
    EXPECT_EQ(good->original.destination_port, 5100);
    EXPECT_EQ(good->original.source_port, 0); // not sent: 0
    EXPECT_EQ(good->mark, 0x200u);
    EXPECT_EQ(good->id, 0u);

    struct Case {
        const char* note;
        EntryParts parts;
        Errc expected;
    };
    EntryParts wrong_type, no_family, ipv6_sizes, short_source, no_protocol, wide_port, no_reply,
        short_mark;
    wrong_type.message_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
    no_family.family = AF_UNSPEC;
    ipv6_sizes.family = AF_INET6; // IPv4-sized addresses under IPv6 attribute types: none found
    short_source.source_size = 3;
    no_protocol.protocol_number = false;
    wide_port.port_size = 4;
    no_reply.reply_tuple = false;
    short_mark.mark_size = 2;
    for (const auto& [note, parts, expected] : {
             Case {"an event type, not an entry of a dump", wrong_type, Errc::Malformed},
             Case {"nfgen_family AF_UNSPEC", no_family, Errc::Malformed},
             Case {"IPv6 entry with IPv4 attributes", ipv6_sizes, Errc::MissingAttribute},
             Case {"3-byte IPv4 source", short_source, Errc::Malformed},
             Case {"no CTA_PROTO_NUM", no_protocol, Errc::MissingAttribute},
             Case {"4-byte port", wide_port, Errc::Malformed},
             Case {"no reply tuple", no_reply, Errc::MissingAttribute},
             Case {"2-byte mark", short_mark, Errc::Malformed},
         }) {
        auto entry = parse_entry(entry_message(parts));
        ASSERT_FALSE(entry) << note;
        EXPECT_EQ(entry.error(), expected) << note << ": " << entry.error().message();
    }
}

} // namespace
} // namespace uplink::net::ctnetlink
