// The netlink codec's building blocks, private to the net module and shared by its protocols:
// rtnetlink (request.cpp, reply.cpp) and ctnetlink (conntrack_codec.cpp) lay out their messages
// the same way, a netlink header, a family header and attributes (include/uapi/linux/netlink.h).
// Input is treated as untrusted: every header and attribute is copied out with memcpy (no
// alignment assumed) after its length is checked, so a short or inconsistent message is an error
// value, never a read past the end.
#pragma once

#include "net/net.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <optional>
#include <span>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace uplink::net::codec {

using Bytes = std::vector<std::uint8_t>;
using Payload = std::span<const std::uint8_t>;

// ---------------------------------------------------------------- families
inline std::uint8_t address_family(Family family)
{
    return family == Family::Ipv4 ? AF_INET : AF_INET6;
}

inline std::optional<Family> family_of(std::uint8_t number)
{
    if (number == AF_INET)
        return Family::Ipv4;
    if (number == AF_INET6)
        return Family::Ipv6;
    return std::nullopt;
}

// ---------------------------------------------------------------- building a request
// Every request here is a fixed header and a few attributes: far below this.
constexpr std::size_t request_capacity = 512;

// One message under construction in an aligned buffer (std::vector's storage comes from
// operator new, aligned for nlmsghdr and every family header). Every request carries
// NLM_F_REQUEST | NLM_F_ACK, and `flags` besides.
class Request {
public:
    Request(std::uint16_t type, std::uint16_t flags, std::uint32_t sequence)
        : buffer_(request_capacity)
        , header_(mnl_nlmsg_put_header(buffer_.data()))
    {
        header_->nlmsg_type = type;
        header_->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
        header_->nlmsg_seq = sequence;
    }

    // The family header after the netlink header, or a struct inside a nest (VETH_INFO_PEER).
    template <typename FamilyHeader> FamilyHeader& put_family_header()
    {
        check_room(sizeof(FamilyHeader));
        return *static_cast<FamilyHeader*>(
            mnl_nlmsg_put_extra_header(header_, sizeof(FamilyHeader)));
    }
    // In host byte order, as rtnetlink wants; ctnetlink's are big-endian (put_be32).
    void put_u32(std::uint16_t type, std::uint32_t value)
    {
        check_room(sizeof value);
        mnl_attr_put_u32(header_, type, value);
    }
    void put_be32(std::uint16_t type, std::uint32_t value)
    {
        std::array<std::uint8_t, 4> bytes {static_cast<std::uint8_t>(value >> 24),
            static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 8),
            static_cast<std::uint8_t>(value)};
        check_room(bytes.size());
        mnl_attr_put(header_, type, bytes.size(), bytes.data());
    }
    void put_address(std::uint16_t type, const Address& address)
    {
        check_room(address.size());
        mnl_attr_put(header_, type, address.size(), address.bytes.data());
    }
    // With the terminating NUL (iproute2 sends IFLA_IFNAME so), or without (IFLA_INFO_KIND).
    void put_string(std::uint16_t type, const std::string& text, bool terminated)
    {
        check_room(text.size() + 1);
        if (terminated)
            mnl_attr_put_strz(header_, type, text.c_str());
        else
            mnl_attr_put_str(header_, type, text.c_str());
    }
    nlattr* start_nest(std::uint16_t type)
    {
        check_room(0);
        return mnl_attr_nest_start(header_, type);
    }
    void end_nest(nlattr* nest) { mnl_attr_nest_end(header_, nest); }

    Bytes finish() &&
    {
        buffer_.resize(header_->nlmsg_len);
        return std::move(buffer_);
    }

private:
    // The builders bound every attribute (names are at most IFNAMSIZ), so running out of room
    // is a bug here, not bad input.
    void check_room([[maybe_unused]] std::size_t payload) const
    {
        assert(header_->nlmsg_len + MNL_ATTR_HDRLEN + MNL_ALIGN(payload) <= request_capacity);
    }

    Bytes buffer_;
    nlmsghdr* header_;
};

// ---------------------------------------------------------------- reading a reply
// netlink.h NLMSG_ALIGN / NLA_ALIGN: messages and attributes are padded to 4 bytes. Written out
// because the macros mask with an unsigned int and would cut a size_t above 4 GiB.
constexpr std::size_t align(std::size_t length)
{
    return (length + 3) & ~std::size_t {3};
}

template <typename Struct> Struct copy_out(Payload bytes)
{
    Struct value {};
    std::memcpy(&value, bytes.data(), std::min(sizeof value, bytes.size()));
    return value;
}

// The attributes of one message or nest, indexed by type (NLA_TYPE_MASK strips the nested and
// byte-order bits); a repeated type keeps the last, types at or past Count are skipped.
template <std::size_t Count> class Attributes {
public:
    std::optional<Payload> operator[](unsigned type) const
    {
        return type < Count ? payloads_[type] : std::nullopt;
    }
    void set(unsigned type, Payload payload)
    {
        if (type < Count)
            payloads_[type] = payload;
    }

private:
    std::array<std::optional<Payload>, Count> payloads_ {};
};

// netlink.h struct nlattr: the attributes must tile `bytes` exactly (the last one's padding may
// be absent); a length field that points past the end is Truncated.
template <std::size_t Count> Result<Attributes<Count>> read_attributes(Payload bytes)
{
    Attributes<Count> attributes;
    std::size_t offset = 0;
    while (offset < bytes.size()) {
        auto remaining = bytes.size() - offset;
        if (remaining < sizeof(nlattr))
            return Errc::Truncated;
        auto header = copy_out<nlattr>(bytes.subspan(offset));
        if (header.nla_len < sizeof(nlattr) || header.nla_len > remaining)
            return Errc::Truncated;
        attributes.set(header.nla_type & NLA_TYPE_MASK,
            bytes.subspan(offset + sizeof(nlattr), header.nla_len - sizeof(nlattr)));
        offset += std::min(align(header.nla_len), remaining);
    }
    return attributes;
}

inline Result<std::uint8_t> read_u8(Payload payload)
{
    if (payload.size() != sizeof(std::uint8_t))
        return Errc::Malformed;
    return payload[0];
}

// Host byte order (rtnetlink).
inline Result<std::uint32_t> read_u32(Payload payload)
{
    if (payload.size() != sizeof(std::uint32_t))
        return Errc::Malformed;
    return copy_out<std::uint32_t>(payload);
}

// Network byte order (ctnetlink's marks, ids and ports).
template <typename Unsigned> Result<Unsigned> read_big_endian(Payload payload)
{
    if (payload.size() != sizeof(Unsigned))
        return Errc::Malformed;
    Unsigned value = 0;
    for (auto byte : payload)
        value = static_cast<Unsigned>((value << 8) | byte);
    return value;
}

inline Result<Address> read_address(Family family, Payload payload)
{
    Address address = Address::any(family);
    if (payload.size() != address.size())
        return Errc::Malformed;
    std::copy(payload.begin(), payload.end(), address.bytes.begin());
    return address;
}

// A string attribute up to its NUL, or the whole payload when the NUL is missing.
inline std::string read_string(Payload payload)
{
    auto end = std::find(payload.begin(), payload.end(), std::uint8_t {0});
    return {payload.begin(), end};
}

} // namespace uplink::net::codec
