// The router advertisement's bytes, as RFC 4861 §4.2 and §4.6.2 lay them out.
#include "ra/ra.hpp"

#include <gtest/gtest.h>

namespace uplink::ra {
namespace {

using std::chrono::seconds;

net::Prefix prefix(const char* text)
{
    auto parsed = net::parse_prefix(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(net::Prefix {});
}

TEST(Advertisement, IsLaidOutAsRfc4861Says)
{
    Advertisement advertisement;
    advertisement.router_lifetime = seconds(1800);
    advertisement.source_link_address = std::array<std::uint8_t, 6> {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
    advertisement.prefixes.push_back({prefix("2001:db8:1:2::/64"), seconds(1800), seconds(900)});
    std::vector<std::uint8_t> expected {
        134, 0, 0, 0,           // type, code, checksum (the kernel's)
        64, 0, 0x07, 0x08,      // cur hop limit, M/O flags off, router lifetime 1800
        0, 0, 0, 0, 0, 0, 0, 0, // reachable time, retrans timer: unspecified
        1, 1, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, // source link-layer address
        3, 4, 64, 0xc0,         // prefix information, 32 bytes, /64, L and A
        0, 0, 0x07, 0x08,       // valid 1800 s
        0, 0, 0x03, 0x84,       // preferred 900 s
        0, 0, 0, 0,             // reserved
        0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(encode_advertisement(advertisement), expected);
}

TEST(Advertisement, ClampsWhatItsFieldsCannotHold)
{
    Advertisement advertisement;
    advertisement.router_lifetime = seconds(100000); // §6.2.1: at most 9000
    advertisement.prefixes.push_back({prefix("2001:db8::/64"), seconds(10), seconds(20)});
    auto bytes = encode_advertisement(advertisement);
    ASSERT_EQ(bytes.size(), 16u + 32u);
    EXPECT_EQ(bytes[6] << 8 | bytes[7], 9000);
    // A preferred lifetime beyond the valid one is the valid one (§4.6.2: it must not exceed it).
    EXPECT_EQ(bytes[16 + 7], 10);  // valid, lowest byte
    EXPECT_EQ(bytes[16 + 11], 10); // preferred
}

TEST(Advertisement, DeprecatesWhatIsNotPreferredAndWithdrawsWhatIsGone)
{
    auto shared = prefix("2001:db8:1:2::/64");
    auto gone = prefix("2001:db8:9:9::/64");
    auto advertisement = advertisement_for({{shared, false}}, {gone}, std::nullopt);
    EXPECT_EQ(advertisement.router_lifetime, router_lifetime);
    ASSERT_EQ(advertisement.prefixes.size(), 2u);
    EXPECT_EQ(advertisement.prefixes[0], (PrefixInformation {shared, valid_lifetime, seconds(0)}));
    EXPECT_EQ(advertisement.prefixes[1], (PrefixInformation {gone, seconds(0), seconds(0)}));

    auto preferred = advertisement_for({{shared, true}}, {}, std::nullopt);
    EXPECT_EQ(preferred.prefixes.at(0).preferred, preferred_lifetime);

    // Nothing shared: not a default router for anyone.
    EXPECT_EQ(advertisement_for({}, {gone}, std::nullopt).router_lifetime, seconds(0));
}

} // namespace
} // namespace uplink::ra
