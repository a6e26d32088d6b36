// The ICMP echo codec against real packets: an echo request and its reply sent by iputils ping
// 20221126 (`ping -c 1 -s 8 -p 75706c696e6b2121 127.0.0.1`, so the payload is "uplink!!" and no
// timestamp), read whole, IPv4 header included, by a raw socket in a network namespace.
#include "net/icmp.hpp"

#include <gtest/gtest.h>
#include <string_view>

namespace uplink::net::icmp {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes from_hex(std::string_view hex)
{
    Bytes bytes;
    for (std::size_t at = 0; at + 1 < hex.size(); at += 2)
        bytes.push_back(
            static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(at, 2)), nullptr, 16)));
    return bytes;
}

const Bytes ping_request = from_hex("450000241a124000400122c57f0000017f000001"
                                    "0800099c7cfc000175706c696e6b2121");
const Bytes ping_reply = from_hex("450000241a130000400162c47f0000017f000001"
                                  "0000119c7cfc000175706c696e6b2121");
const Bytes uplink_payload = from_hex("75706c696e6b2121");

TEST(IcmpChecksum, Rfc1071Example)
{
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (end-around carries included).
    EXPECT_EQ(internet_checksum(from_hex("0001f203f4f5f6f7")), 0x220d);
    // An odd last byte counts as the high byte of a word padded with zero.
    EXPECT_EQ(internet_checksum(from_hex("0001f203f4f5f6")), 0x2304);
    EXPECT_EQ(internet_checksum({}), 0xffff);
}

TEST(IcmpChecksum, HoldsOverCapturedHeaders)
{
    // The IPv4 header's own checksum (RFC 791 §3.1) is the same sum over its 20 bytes.
    EXPECT_EQ(internet_checksum(std::span(ping_request).first(20)), 0);
    EXPECT_EQ(internet_checksum(std::span(ping_request).subspan(20)), 0);
    EXPECT_EQ(internet_checksum(std::span(ping_reply).subspan(20)), 0);
}

TEST(IcmpEcho, RequestIsWhatPingSends)
{
    EXPECT_EQ(echo_request(0x7cfc, 1, uplink_payload),
        Bytes(ping_request.begin() + 20, ping_request.end()));
}

TEST(IcmpEcho, ParsesTheCapturedReply)
{
    auto message = icmp_of_ipv4(ping_reply);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->size(), 16u);
    auto reply = parse_echo_reply(*message);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->identifier, 0x7cfc);
    EXPECT_EQ(reply->sequence, 1);
    EXPECT_EQ(Bytes(reply->payload.begin(), reply->payload.end()), uplink_payload);
}

TEST(IcmpEcho, RefusesWhatIsNotAnIntactReply)
{
    auto request = icmp_of_ipv4(ping_request);
    ASSERT_TRUE(request);
    EXPECT_FALSE(parse_echo_reply(*request)) << "an echo request is not a reply";

    Bytes message(ping_reply.begin() + 20, ping_reply.end());
    for (std::size_t at = 0; at < message.size(); ++at) {
        auto corrupt = message;
        corrupt[at] ^= 0x10;
        EXPECT_FALSE(parse_echo_reply(corrupt)) << "bit flipped in byte " << at;
    }
    // Cut anywhere: too short for a header, or a checksum that no longer holds.
    for (std::size_t size = 0; size < message.size(); ++size)
        EXPECT_FALSE(parse_echo_reply(std::span(message).first(size))) << size << " bytes";
}

TEST(IcmpEcho, IpHeaderChecks)
{
    for (std::size_t size = 0; size < ping_reply.size(); ++size)
        EXPECT_FALSE(icmp_of_ipv4(std::span(ping_reply).first(size))) << "cut to " << size;

    auto tcp = ping_reply;
    tcp[9] = 6;
    EXPECT_FALSE(icmp_of_ipv4(tcp));
    auto ipv6 = ping_reply;
    ipv6[0] = 0x60;
    EXPECT_FALSE(icmp_of_ipv4(ipv6));
    auto short_header = ping_reply;
    short_header[0] = 0x44; // IHL 4: 16 bytes, below the minimum
    EXPECT_FALSE(icmp_of_ipv4(short_header));

    // Bytes after the total length (padding a driver left) are not part of the message.
    auto padded = ping_reply;
    padded.push_back(0);
    padded.push_back(0);
    auto message = icmp_of_ipv4(padded);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->size(), 16u);
    EXPECT_TRUE(parse_echo_reply(*message));
}

} // namespace
} // namespace uplink::net::icmp
