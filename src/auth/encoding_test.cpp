#include "auth/encoding.hpp"

#include <gtest/gtest.h>
#include <set>

namespace uplink::auth {
namespace {

// RFC 4648 §10 test vectors, without the padding we never write.
TEST(AuthEncoding, Base64MatchesRfc4648Vectors)
{
    const std::pair<std::string_view, std::string_view> vectors[]
        = {{"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"},
            {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (auto [bytes, text] : vectors) {
        EXPECT_EQ(encode_base64(bytes, Base64Alphabet::Standard), text);
        EXPECT_EQ(decode_base64(text, Base64Alphabet::Standard), std::string(bytes)) << text;
    }
}

TEST(AuthEncoding, TheAlphabetsDifferOnlyInTheirLastTwoCharacters)
{
    std::string bytes = "\xfb\xff\xbf";
    EXPECT_EQ(encode_base64(bytes, Base64Alphabet::Standard), "+/+/");
    EXPECT_EQ(encode_base64(bytes, Base64Alphabet::Url), "-_-_");
    EXPECT_EQ(decode_base64("-_-_", Base64Alphabet::Url), bytes);
    EXPECT_FALSE(decode_base64("-_-_", Base64Alphabet::Standard));
    EXPECT_FALSE(decode_base64("+/+/", Base64Alphabet::Url));
}

TEST(AuthEncoding, OnlyTheCanonicalFormDecodes)
{
    for (std::string_view text : {"Zm9v=", "Zg==", "Zm9 v", "Z", "Zm9vY", "Zh", "Zm9", "Zm\n9v"})
        EXPECT_FALSE(decode_base64(text, Base64Alphabet::Standard)) << text;
    EXPECT_TRUE(decode_base64("Zm8", Base64Alphabet::Standard));
    EXPECT_FALSE(decode_base64("Zm9", Base64Alphabet::Standard)); // stray bits after "fo"
}

TEST(AuthEncoding, EveryByteValueRoundTrips)
{
    std::string bytes;
    for (int value = 0; value < 256; ++value)
        bytes += static_cast<char>(value);
    for (std::size_t size = 0; size <= bytes.size(); size += 37)
        for (auto alphabet : {Base64Alphabet::Standard, Base64Alphabet::Url})
            EXPECT_EQ(decode_base64(encode_base64(bytes.substr(0, size), alphabet), alphabet),
                bytes.substr(0, size));
}

TEST(AuthEncoding, HexAndSha256)
{
    EXPECT_EQ(to_hex(std::string("\x00\x9f\xff", 3)), "009fff");
    // FIPS 180-2 appendix B.1.
    EXPECT_EQ(
        to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_TRUE(is_lower_hex("00ff", 4));
    EXPECT_FALSE(is_lower_hex("00FF", 4));
    EXPECT_FALSE(is_lower_hex("00f", 4));
}

TEST(AuthEncoding, RandomBytesAreFreshEachTime)
{
    std::set<std::string> seen;
    for (int i = 0; i < 16; ++i) {
        auto bytes = random_bytes(32);
        ASSERT_TRUE(bytes);
        EXPECT_EQ(bytes->size(), 32u);
        EXPECT_TRUE(seen.insert(*bytes).second);
    }
}

TEST(AuthEncoding, ConstantTimeEquality)
{
    EXPECT_TRUE(equal_in_constant_time("secret", "secret"));
    EXPECT_FALSE(equal_in_constant_time("secret", "secreT"));
    EXPECT_FALSE(equal_in_constant_time("secret", "secret2"));
    EXPECT_FALSE(equal_in_constant_time("", "x"));
    EXPECT_TRUE(equal_in_constant_time("", ""));
}

} // namespace
} // namespace uplink::auth
