// ICMP echo requests and replies (icmp.hpp). Layouts: RFC 792 "Echo or Echo Reply Message"
// (type, code, checksum, identifier, sequence number, data), RFC 791 §3.1 (the IPv4 header).
#include "net/icmp.hpp"

namespace uplink::net::icmp {

namespace {

constexpr std::uint8_t echo_reply_type = 0;
constexpr std::uint8_t echo_request_type = 8;
constexpr std::size_t header_size = 8;
constexpr std::uint8_t icmp_protocol = 1; // RFC 790 "Assigned Internet Protocol Numbers"

std::uint16_t read_16(std::span<const std::uint8_t> bytes, std::size_t at)
{
    return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

} // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes)
{
    std::uint32_t sum = 0;
    std::size_t at = 0;
    for (; at + 1 < bytes.size(); at += 2)
        sum += read_16(bytes, at);
    if (at < bytes.size())
        sum += static_cast<std::uint32_t>(bytes[at]) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> echo_request(
    std::uint16_t identifier, std::uint16_t sequence, std::span<const std::uint8_t> payload)
{
    // Sized first and filled in place: g++ 12 -O2 warns falsely on an insert after a list init.
    std::vector<std::uint8_t> message(header_size + payload.size());
    message[0] = echo_request_type;
    message[4] = static_cast<std::uint8_t>(identifier >> 8);
    message[5] = static_cast<std::uint8_t>(identifier);
    message[6] = static_cast<std::uint8_t>(sequence >> 8);
    message[7] = static_cast<std::uint8_t>(sequence);
    std::copy(payload.begin(), payload.end(), message.begin() + header_size);
    auto checksum = internet_checksum(message);
    message[2] = static_cast<std::uint8_t>(checksum >> 8);
    message[3] = static_cast<std::uint8_t>(checksum);
    return message;
}

std::optional<EchoReply> parse_echo_reply(std::span<const std::uint8_t> message)
{
    if (message.size() < header_size || message[0] != echo_reply_type || message[1] != 0)
        return std::nullopt;
    if (internet_checksum(message) != 0)
        return std::nullopt;
    return EchoReply {read_16(message, 4), read_16(message, 6), message.subspan(header_size)};
}

std::optional<std::span<const std::uint8_t>> icmp_of_ipv4(std::span<const std::uint8_t> datagram)
{
    constexpr std::size_t minimum_header = 20;
    if (datagram.size() < minimum_header || datagram[0] >> 4 != 4)
        return std::nullopt;
    std::size_t header_length = (datagram[0] & 0x0f) * 4u; // IHL counts 32-bit words
    std::size_t total_length = read_16(datagram, 2);
    if (header_length < minimum_header || total_length < header_length
        || total_length > datagram.size() || datagram[9] != icmp_protocol)
        return std::nullopt;
    return datagram.subspan(header_length, total_length - header_length);
}

} // namespace uplink::net::icmp
