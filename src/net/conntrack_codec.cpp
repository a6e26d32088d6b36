// Builders of ctnetlink requests and the parser of conntrack entries, laid out as
// libnetfilter_conntrack lays out `conntrack -L --mark` and `conntrack -D --mark`.
#include "net/codec.hpp"
#include "net/conntrack_message.hpp"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

namespace uplink::net::ctnetlink {

namespace {

using codec::Payload;

constexpr std::uint16_t message_type(std::uint8_t conntrack_message)
{
    return static_cast<std::uint16_t>((NFNL_SUBSYS_CTNETLINK << 8) | conntrack_message);
}

// nfgenmsg.version 1: ctnetlink_del_conntrack() applies the family of a flush only when the
// version is not 0 (with 0, what old conntrack tools send, it flushes every family). A dump
// reads the family whatever the version (ctnetlink_start()).
constexpr std::uint8_t family_aware_version = 1;

codec::Request request_with_filter(std::uint8_t conntrack_message, std::uint16_t flags,
    std::uint32_t sequence, MarkFilter mark, std::optional<Family> family)
{
    codec::Request request(message_type(conntrack_message), flags, sequence);
    auto& header = request.put_family_header<nfgenmsg>();
    header.nfgen_family = family ? codec::address_family(*family) : std::uint8_t {AF_UNSPEC};
    header.version = family_aware_version;
    header.res_id = 0;
    // ctnetlink_filter_parse_mark(): without CTA_MARK_MASK the mask is all ones; older kernels
    // filter at all only when both are there (ctnetlink_flush_conntrack()), so both always go.
    request.put_be32(CTA_MARK, mark.value);
    request.put_be32(CTA_MARK_MASK, mark.mask);
    return request;
}

// CTA_TUPLE_IP { CTA_IP_V4_SRC, CTA_IP_V4_DST } or the V6 pair, as ctnetlink_dump_tuples_ip()
// writes it.
Result<void> read_tuple_addresses(Family family, Payload nest, ConntrackTuple& tuple)
{
    auto attributes = codec::read_attributes<CTA_IP_MAX + 1>(nest);
    if (!attributes)
        return attributes.error();
    bool ipv4 = family == Family::Ipv4;
    auto source = (*attributes)[ipv4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC];
    auto destination = (*attributes)[ipv4 ? CTA_IP_V4_DST : CTA_IP_V6_DST];
    if (!source || !destination)
        return Errc::MissingAttribute;
    auto source_address = codec::read_address(family, *source);
    auto destination_address = codec::read_address(family, *destination);
    if (!source_address || !destination_address)
        return Errc::Malformed;
    tuple.source = *source_address;
    tuple.destination = *destination_address;
    return {};
}

// CTA_TUPLE_PROTO { CTA_PROTO_NUM, then the protocol's own: ports for TCP, UDP, SCTP, DCCP and
// UDP-Lite (nf_ct_port_tuple_to_nlattr()), an id, type and code for ICMP, which are not kept }.
Result<void> read_tuple_protocol(Payload nest, ConntrackTuple& tuple)
{
    auto attributes = codec::read_attributes<CTA_PROTO_MAX + 1>(nest);
    if (!attributes)
        return attributes.error();
    auto number = (*attributes)[CTA_PROTO_NUM];
    if (!number)
        return Errc::MissingAttribute;
    auto protocol = codec::read_u8(*number);
    if (!protocol)
        return protocol.error();
    tuple.protocol = *protocol;
    for (auto [type, port] : {std::pair {CTA_PROTO_SRC_PORT, &tuple.source_port},
             std::pair {CTA_PROTO_DST_PORT, &tuple.destination_port}}) {
        if (auto payload = (*attributes)[type]) {
            auto value = codec::read_big_endian<std::uint16_t>(*payload);
            if (!value)
                return value.error();
            *port = *value;
        }
    }
    return {};
}

Result<ConntrackTuple> read_tuple(Family family, std::optional<Payload> nest)
{
    if (!nest)
        return Errc::MissingAttribute;
    auto attributes = codec::read_attributes<CTA_TUPLE_MAX + 1>(*nest);
    if (!attributes)
        return attributes.error();
    auto addresses = (*attributes)[CTA_TUPLE_IP];
    auto protocol = (*attributes)[CTA_TUPLE_PROTO];
    if (!addresses || !protocol)
        return Errc::MissingAttribute;
    ConntrackTuple tuple;
    if (auto read = read_tuple_addresses(family, *addresses, tuple); !read)
        return read.error();
    if (auto read = read_tuple_protocol(*protocol, tuple); !read)
        return read.error();
    return tuple;
}

Result<std::uint32_t> read_optional_be32(std::optional<Payload> payload)
{
    if (!payload)
        return 0u;
    return codec::read_big_endian<std::uint32_t>(*payload);
}

} // namespace

Bytes dump_request(std::uint32_t sequence, MarkFilter mark, std::optional<Family> family)
{
    return request_with_filter(IPCTNL_MSG_CT_GET, NLM_F_DUMP, sequence, mark, family).finish();
}

Result<Bytes> delete_request(std::uint32_t sequence, MarkFilter mark, std::optional<Family> family)
{
    // ctnetlink_filter_match() keeps an entry when (mark & mask) == value: a mask of 0 with a
    // value of 0 would flush the whole table.
    if (mark.mask == 0 || (mark.value & ~mark.mask) != 0)
        return Errc::InvalidArgument;
    return request_with_filter(IPCTNL_MSG_CT_DELETE, 0, sequence, mark, family).finish();
}

Result<ConntrackEntry> parse_entry(std::span<const std::uint8_t> message)
{
    if (message.size() < NLMSG_HDRLEN)
        return Errc::Truncated;
    auto header = codec::copy_out<nlmsghdr>(message);
    if (header.nlmsg_len < NLMSG_HDRLEN || header.nlmsg_len > message.size())
        return Errc::Truncated;
    if (header.nlmsg_type != message_type(IPCTNL_MSG_CT_NEW))
        return Errc::Malformed;
    auto payload = message.subspan(NLMSG_HDRLEN, header.nlmsg_len - NLMSG_HDRLEN);
    if (payload.size() < sizeof(nfgenmsg))
        return Errc::Truncated;
    auto family = codec::family_of(codec::copy_out<nfgenmsg>(payload).nfgen_family);
    if (!family)
        return Errc::Malformed;
    auto attributes
        = codec::read_attributes<CTA_MAX + 1>(payload.subspan(codec::align(sizeof(nfgenmsg))));
    if (!attributes)
        return attributes.error();

    ConntrackEntry entry;
    entry.family = *family;
    auto original = read_tuple(*family, (*attributes)[CTA_TUPLE_ORIG]);
    if (!original)
        return original.error();
    auto reply = read_tuple(*family, (*attributes)[CTA_TUPLE_REPLY]);
    if (!reply)
        return reply.error();
    entry.original = *original;
    entry.reply = *reply;
    auto mark = read_optional_be32((*attributes)[CTA_MARK]);
    if (!mark)
        return mark.error();
    entry.mark = *mark;
    auto id = read_optional_be32((*attributes)[CTA_ID]);
    if (!id)
        return id.error();
    entry.id = *id;
    return entry;
}

} // namespace uplink::net::ctnetlink
