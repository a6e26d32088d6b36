// Identity and power parsers against real replies (sources named per case).
#include "at/at.hpp"
#include "at/parse_test_util.hpp"

#include <gtest/gtest.h>

namespace uplink::at {
namespace {

using test::lines_of;

struct AtiCase {
    const char* device;
    const char* reply;
    Identity expected;
};

TEST(AtParseAti, RealReplies)
{
    const AtiCase cases[] = {
        // Quectel: bare manufacturer and model lines, then "Revision:" (ref §4.1).
        {"Quectel EC25 R06", "Quectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK",
            {"Quectel", "EC25", "EC25EFAR06A06M4G"}},
        // Quectel RM502Q-AE (an OpenWrt QModem write-up).
        {"Quectel RM502Q-AE R13", "Quectel\r\nRM502Q-AE\r\nRevision: RM502QAEAAR13A04M4G",
            {"Quectel", "RM502Q-AE", "RM502QAEAAR13A04M4G"}},
        // Sierra MC7455 (a Go atmodem test, "from mdlayher's modem"): key/value lines.
        {"Sierra MC7455 02.33",
            "Manufacturer: Sierra Wireless, Incorporated\r\nModel: MC7455\r\nRevision: "
            "SWI9X30C_02.33.03.00 r8209 CARMD-EV-FRMWR2 2019/08/28 20:59:30\r\nMEID: "
            "11111111111111\r\nIMEI: 111111111111110\r\nIMEI SV: 20\r\nFSN: "
            "ABCDEF12345678\r\n+GCAP: "
            "+CGSM",
            {"Sierra Wireless, Incorporated", "MC7455",
                "SWI9X30C_02.33.03.00 r8209 CARMD-EV-FRMWR2 2019/08/28 20:59:30"}},
        {"Sierra EM7455B 02.24",
            "Manufacturer: Sierra Wireless, Incorporated\r\nModel: EM7455B\r\nRevision: "
            "SWI9X30C_02.24.05.06 r7040 CARMD-EV-FRMWR2 2017/05/19 06:23:09\r\nIMEI SV: 12",
            {"Sierra Wireless, Incorporated", "EM7455B",
                "SWI9X30C_02.24.05.06 r7040 CARMD-EV-FRMWR2 2017/05/19 06:23:09"}},
        // Huawei E1550 (MM device identifier table).
        {"Huawei E1550 11.608",
            "Manufacturer: huawei\nModel: E1550\nRevision: 11.608.09.01.21\nIMEI: "
            "235012412595195\n+GCAP: +CGSM,+FCLASS,+DS",
            {"huawei", "E1550", "11.608.09.01.21"}},
        // u-blox SARA-R410M-02B (a registration guide's capture).
        {"u-blox SARA-R410M 05.06",
            "Manufacturer: u-blox\r\nModel: SARA-R410M-02B\r\nRevision: L0.0.00.00.05.06 [Feb 03 "
            "2018 13:00:41]\r\nSVN: 02\r\nIMEI: 352753097892796",
            {"u-blox", "SARA-R410M-02B", "L0.0.00.00.05.06 [Feb 03 2018 13:00:41]"}},
        // SIMCom SIM7600G-H (a Raspberry Pi setup note's capture).
        {"SIMCom SIM7600G-H V2.0",
            "Manufacturer: SIMCOM INCORPORATED\r\nModel: SIMCOM_SIM7600G-H\r\nRevision: "
            "SIM7600M22_V2.0\r\nIMEI: 868822040061788\r\n+GCAP: +CGSM",
            {"SIMCOM INCORPORATED", "SIMCOM_SIM7600G-H", "SIM7600M22_V2.0"}},
        // Sony Ericsson MD300 (MM): ATI gives only the model.
        {"Sony Ericsson MD300", "MD300", {"MD300", "", ""}},
    };
    for (const auto& c : cases) {
        auto identity = parse_ati(lines_of(c.reply));
        ASSERT_TRUE(identity) << c.device;
        EXPECT_EQ(identity->manufacturer, c.expected.manufacturer) << c.device;
        EXPECT_EQ(identity->model, c.expected.model) << c.device;
        EXPECT_EQ(identity->revision, c.expected.revision) << c.device;
    }
    EXPECT_EQ(parse_ati({}).error(), Errc::NotFound);
}

struct ValueCase {
    const char* device;
    const char* reply;
    const char* expected;
};

TEST(AtParseSingleValue, RealReplies)
{
    const ValueCase cases[] = {
        {"Quectel RM500U AT+CGMR", "RM500UCNAAR03A03M2G_01.001.01.001",
            "RM500UCNAAR03A03M2G_01.001.01.001"},
        {"u-blox SARA-R412M AT+CGMI", "u-blox", "u-blox"},
        // Motorola ROKR E2 (MM) quotes its answers.
        {"Motorola ROKR E2 AT+CGMI", "\"Motorola\"", "Motorola"},
        // LG LX265 (MM) tags them.
        {"LG LX265 AT+GMR", "+GMR: LX265V05, 50571", "LX265V05, 50571"},
        {"Huawei E1550 AT+CGMM", "\r\nE1550\r\n", "E1550"},
    };
    for (const auto& c : cases) {
        auto value = parse_single_value(lines_of(c.reply));
        ASSERT_TRUE(value) << c.device;
        EXPECT_EQ(*value, c.expected) << c.device;
    }
    EXPECT_EQ(parse_single_value({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_single_value({"\"\""}).error(), Errc::Parse);
}

TEST(AtParseCgsn, RealReplies)
{
    const ValueCase cases[] = {
        {"Quectel RM551 AT+CGSN", "350596531481979", "350596531481979"},
        {"Telit/SIMCom +CGSN: prefix", "+CGSN: 868822040061788", "868822040061788"},
        // Motorola ROKR E2 (MM) quotes it; Option GlobeTrotter appends its serial number.
        {"Motorola ROKR E2", "\"626936926396996\"", "626936926396996"},
        {"Option iCON 7.2", "129512359199159,SE393939TS", "129512359199159"},
        {"Huawei E1550", "\n235012412595195\n", "235012412595195"},
    };
    for (const auto& c : cases) {
        auto imei = parse_cgsn(lines_of(c.reply));
        ASSERT_TRUE(imei) << c.device;
        EXPECT_EQ(*imei, c.expected) << c.device;
    }
    EXPECT_EQ(parse_cgsn({}).error(), Errc::NotFound);
    // A CDMA ESN (Huawei EC121 in MM) is not an IMEI.
    EXPECT_EQ(parse_cgsn({"0x3B0C4B98"}).error(), Errc::Parse);
}

TEST(AtParseCfun, RealReplies)
{
    struct Case {
        const char* source;
        const char* reply;
        int expected;
    };
    // MM cfun_query_tests, and an EG25-G booted in airplane mode (ref §4.6).
    const Case cases[] = {
        {"MM", "+CFUN: 1", 1},
        {"MM", "+CFUN: 1,0", 1},
        {"MM", "+CFUN: 0", 0},
        {"MM", "+CFUN: 19,0", 19},
        {"EG25-G airplane", "+CFUN: 4", 4},
    };
    for (const auto& c : cases) {
        auto fun = parse_cfun_read(lines_of(c.reply));
        ASSERT_TRUE(fun) << c.reply;
        EXPECT_EQ(*fun, c.expected) << c.reply;
    }
    EXPECT_EQ(parse_cfun_read({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_cfun_read({"+CFUN: x"}).error(), Errc::Parse);
    EXPECT_EQ(parse_cfun_read({"+CFUN:"}).error(), Errc::Parse);
}

} // namespace
} // namespace uplink::at
