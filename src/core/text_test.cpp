// The 3GPP TS 23.038 text codecs. The packed vectors were packed by hand by §6.1.2.1.1's rule
// (septet n at bit 7n, least significant bit first) and checked against the unpacked text.
#include "core/core.hpp"

#include <gtest/gtest.h>

namespace uplink {
namespace {

std::string gsm7(std::initializer_list<std::uint8_t> septets)
{
    std::vector<std::uint8_t> bytes(septets);
    return utf8_from_gsm7(bytes);
}

TEST(Text, Gsm7DefaultAlphabet)
{
    // "@" is septet 0 and "$" is 2; 0x24 is "¤", not "$" (23.038 §6.2.1).
    EXPECT_EQ(gsm7({0x00, 0x02, 0x24, 0x11, 0x40, 0x60}), "@$¤_¡¿");
    EXPECT_EQ(gsm7({'T', '-', 'M', 'o', 'b', 'i', 'l', 'e'}), "T-Mobile");
    EXPECT_EQ(gsm7({0x5b, 0x5c, 0x5d, 0x5e, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f}), "ÄÖÑÜäöñüà");
    EXPECT_EQ(gsm7({0x10, 0x12, 0x13, 0x15}), "ΔΦΓΩ");
}

TEST(Text, Gsm7ExtensionTable)
{
    EXPECT_EQ(gsm7({0x1b, 0x65, '5'}), "€5");
    EXPECT_EQ(gsm7({0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x3c, 0x1b, 0x3e, 0x1b, 0x2f, 0x1b, 0x14, 0x1b,
                  0x3d, 0x1b, 0x40, 0x1b, 0x0a}),
        "{}[]\\^~|\f");
    // A value the extension table does not define shows as the default table's character; an
    // escape at the very end is dropped.
    EXPECT_EQ(gsm7({0x1b, 'A', 'b', 0x1b}), "Ab");
    // Bit 8 set (as in a byte that was never a septet) is ignored, not a crash.
    EXPECT_EQ(gsm7({0xc1}), "A");
}

TEST(Text, UnpackGsm7)
{
    const std::uint8_t t_mobile[] = {0xd4, 0x56, 0xf3, 0x2d, 0x4e, 0xb3, 0xcb};
    EXPECT_EQ(utf8_from_gsm7(unpack_gsm7(t_mobile, 8)), "T-Mobile");
    // 7 septets in 7 bytes: the last byte's top 7 bits are padding.
    const std::uint8_t o2[] = {0x4f, 0x19, 0xa8, 0x05, 0xaa, 0x2e, 0x01};
    EXPECT_EQ(utf8_from_gsm7(unpack_gsm7(o2, 7)), "O2 - UK");
    const std::uint8_t at_home[] = {0x4f, 0x79, 0xd8, 0x7d, 0x2e, 0x03, 0x90, 0xef, 0x76, 0x19};
    EXPECT_EQ(utf8_from_gsm7(unpack_gsm7(at_home, 11)), "Orange@Home");
    const std::uint8_t euro[] = {0x9b, 0x72, 0x0d, 0x44, 0x2d, 0xb3, 0x01};
    EXPECT_EQ(utf8_from_gsm7(unpack_gsm7(euro, 7)), "€5 Tel");
    // Asking for more septets than the bytes hold gives what they hold.
    EXPECT_EQ(unpack_gsm7(o2, 100).size(), 8u);
    EXPECT_TRUE(unpack_gsm7({}, 3).empty());
}

TEST(Text, Ucs2)
{
    const std::uint8_t big[] = {0x00, 0x54, 0x00, 0x2d, 0x00, 0x4d, 0x00, 0x6f};
    EXPECT_EQ(utf8_from_ucs2(big, ByteOrder::BigEndian), "T-Mo");
    const std::uint8_t little[] = {0x54, 0x00, 0x2d, 0x00, 0x4d, 0x00, 0x6f, 0x00};
    EXPECT_EQ(utf8_from_ucs2(little, ByteOrder::LittleEndian), "T-Mo");
    // 中国移动 (China Mobile) and a surrogate pair (U+1F4F6), big-endian.
    const std::uint8_t chinese[]
        = {0x4e, 0x2d, 0x56, 0xfd, 0x79, 0xfb, 0x52, 0xa8, 0xd8, 0x3d, 0xdc, 0xf6};
    EXPECT_EQ(utf8_from_ucs2(chinese, ByteOrder::BigEndian), "中国移动\U0001F4F6");
    // A lone surrogate is U+FFFD; an odd last byte is dropped.
    const std::uint8_t broken[] = {0xd8, 0x3d, 0x00, 0x41, 0x00};
    EXPECT_EQ(utf8_from_ucs2(broken, ByteOrder::BigEndian), "\uFFFDA");
}

} // namespace
} // namespace uplink
