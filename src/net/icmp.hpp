// ICMP echo (RFC 792) for the data-path probe, sans-I/O and private to the net module: the request
// probe.cpp sends, and parsers for what its socket hands back. A ping socket (SOCK_DGRAM) gives
// the ICMP message alone; a raw socket gives the whole IPv4 datagram (RFC 791 header first).
#pragma once

#include "net/net.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace uplink::net::icmp {

// RFC 1071: the one's complement of the one's complement sum of the 16-bit words, an odd last
// byte padded with zero. Over a message that carries its checksum, the result is 0.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

// An echo request (type 8, code 0) with its checksum: the 8-byte header, then the payload.
std::vector<std::uint8_t> echo_request(
    std::uint16_t identifier, std::uint16_t sequence, std::span<const std::uint8_t> payload);

struct EchoReply {
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    std::span<const std::uint8_t> payload;  // inside the parsed message
};

// An echo reply (type 0, code 0) whose checksum holds; nullopt for any other message (another
// type, a message shorter than its header, a corrupt one).
std::optional<EchoReply> parse_echo_reply(std::span<const std::uint8_t> message);

// The ICMP message inside an IPv4 datagram, as far as its total length says; nullopt when it is
// not IPv4, not ICMP, or shorter than its headers say.
std::optional<std::span<const std::uint8_t>> icmp_of_ipv4(std::span<const std::uint8_t> datagram);

} // namespace uplink::net::icmp
