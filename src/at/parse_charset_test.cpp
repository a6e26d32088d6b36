// Operator names in the +CSCS character sets (3GPP TS 27.007 §5.5): UCS2 hex, the GSM default
// alphabet, and IRA. Where a case is built from the spec's rule rather than captured, it says so.
#include "at/at.hpp"
#include "at/parse_test_util.hpp"

#include <gtest/gtest.h>
#include <set>

namespace uplink::at {
namespace {

using test::lines_of;
using namespace std::string_view_literals;

struct NameCase {
    const char* device; // device and firmware, and the quirk
    CharacterSet charset;
    std::string_view reply; // a view: GSM text may hold 0x00
    const char* name;
};

TEST(AtCharset, CopsReadNames)
{
    const NameCase cases[] = {
        {"Huawei in UCS2 mode (MM's normalize-operator test): T-Mobile in UCS2 hex",
            CharacterSet::Ucs2, "+COPS: 0,0,\"0054002D004D006F00620069006C0065\",2", "T-Mobile"},
        {"Huawei left in UCS2 mode, lower-case hex", CharacterSet::Ucs2,
            "+COPS: 0,0,\"0054002d004d006f00620069006c0065\",2", "T-Mobile"},
        {"UCS2 mode, CJK name (built by the UCS2 rule): China Mobile", CharacterSet::Ucs2,
            "+COPS: 0,0,\"4E2D56FD79FB52A8\",7", "中国移动"},
        {"UCS2 mode, numeric format in UCS2 too", CharacterSet::Ucs2,
            "+COPS: 0,2,\"00340036003000300030\",7", "46000"},
        {"UCS2 mode, numeric format left plain (5 digits: not UCS2)", CharacterSet::Ucs2,
            "+COPS: 0,2,\"46000\",7", "46000"},
        {"Huawei answering UCS2 although IRA was set", CharacterSet::Ira,
            "+COPS: 0,0,\"0054002D004D006F00620069006C0065\",2", "T-Mobile"},
        {"Quectel EC25 in IRA: plain text", CharacterSet::Ira, "+COPS: 0,0,\"CHINA MOBILE\",7",
            "CHINA MOBILE"},
        {"IRA: a short all-hex name stays a name", CharacterSet::Ira, "+COPS: 0,0,\"BEEF\",7",
            "BEEF"},
        {"IRA: hex that is not Latin-1 UCS2 stays as it came", CharacterSet::Ira,
            "+COPS: 0,0,\"4E2D56FD\",7", "4E2D56FD"},
        {"GSM mode: 0x24 is the currency sign, 0x40 the inverted exclamation mark",
            CharacterSet::Gsm, "+COPS: 0,0,\"A$B@\",0", "A¤B¡"},
        {"GSM mode: @ is 0x00", CharacterSet::Gsm, "+COPS: 0,0,\"Orange\0Home\",0"sv,
            "Orange@Home"},
        {"GSM mode: the extension table's euro sign", CharacterSet::Gsm,
            "+COPS: 0,0,\"\x1b\x65 5\",0", "€ 5"},
        {"GSM mode: UTF-8 bytes are not septets and stay", CharacterSet::Gsm,
            "+COPS: 0,0,\"Telefónica\",2", "Telefónica"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> lines {std::string(c.reply)};
        auto selection = parse_cops_read(lines, c.charset);
        ASSERT_TRUE(selection) << c.device;
        EXPECT_EQ(selection->name, c.name) << c.device;
    }
}

TEST(AtCharset, CopsTestNamesInUcs2)
{
    auto entries = parse_cops_test(lines_of("+COPS: (2,\"0054002D004D006F00620069006C0065\","
                                            "\"0054004D004F\",\"00330031003000320036\",7),"
                                            "(1,\"0041005400260054\",\"0041005400260054\","
                                            "\"003300310030003400310030\",7),,(0,1,2,3,4),(0,1,2)"),
        CharacterSet::Ucs2);
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].long_name, "T-Mobile");
    EXPECT_EQ((*entries)[0].short_name, "TMO");
    EXPECT_EQ((*entries)[0].numeric, "31026");
    EXPECT_EQ((*entries)[1].long_name, "AT&T");
    EXPECT_EQ((*entries)[1].numeric, "310410");
}

TEST(AtCharset, CscsRead)
{
    EXPECT_EQ(parse_cscs_read({"+CSCS: \"IRA\""}).value(), CharacterSet::Ira);
    EXPECT_EQ(parse_cscs_read({"+CSCS: \"GSM\""}).value(), CharacterSet::Gsm);
    EXPECT_EQ(parse_cscs_read({"+CSCS: \"UCS2\""}).value(), CharacterSet::Ucs2);
    EXPECT_EQ(parse_cscs_read({"+CSCS: \"UTF-8\""}).value(), CharacterSet::Utf8);
    // Huawei in UCS2 mode answers with the set's own name in UCS2.
    EXPECT_EQ(parse_cscs_read({"+CSCS: \"0055004300530032\""}).value(), CharacterSet::Ucs2);
    EXPECT_EQ(parse_cscs_read({"+CSCS: \"8859-1\""}).value(), CharacterSet::Other);
    EXPECT_EQ(parse_cscs_read({"+CSCS: \"\""}).error(), Errc::Parse);
    EXPECT_EQ(parse_cscs_read({}).error(), Errc::NotFound);
}

TEST(AtCharset, EveryCharacterSetHasADistinctName)
{
    std::set<std::string_view> names;
    for (auto charset : {CharacterSet::Ira, CharacterSet::Gsm, CharacterSet::Ucs2,
             CharacterSet::Utf8, CharacterSet::Other}) {
        EXPECT_NE(to_string(charset), "invalid");
        EXPECT_TRUE(names.insert(to_string(charset)).second);
    }
}

} // namespace
} // namespace uplink::at
