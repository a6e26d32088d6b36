// AT+CSQ and AT+CESQ against real replies (sources named per case).
#include "at/at.hpp"
#include "at/parse_test_util.hpp"

#include <gtest/gtest.h>

namespace uplink::at {
namespace {

using test::lines_of;

struct CsqCase {
    const char* device;
    const char* reply;
    std::optional<int> rssi_dbm;
    std::optional<int> bit_error_rate;
};

TEST(AtParseCsq, RealReplies)
{
    const CsqCase cases[] = {
        // ModemManager's test responder (gsm-port.conf) and Quectel EC25.
        {"MM gsm-port.conf", "+CSQ: 17,99", -79, {}},
        {"Quectel RM5xx (an AT engine's benchmark capture)", "+CSQ: 24,99", -65, {}},
        // A 5G module on NR reports 99,99: CSQ knows no NR signal (a Rust tool's note).
        {"Fibocom 5G on NR", "+CSQ: 99,99", {}, {}},
        // The range ends of 27.007 and the TD-SCDMA levels 100..191 of the Quectel manual
        // (synthetic: no capture found).
        {"27.007 lowest level with BER", "+CSQ: 0,7", -113, 7},
        {"Quectel TD-SCDMA level", "+CSQ: 150,99", -66, {}},
    };
    for (const auto& c : cases) {
        auto quality = parse_csq(lines_of(c.reply));
        ASSERT_TRUE(quality) << c.device;
        EXPECT_EQ(quality->rssi_dbm, c.rssi_dbm) << c.device;
        EXPECT_EQ(quality->bit_error_rate, c.bit_error_rate) << c.device;
    }
}

TEST(AtParseCsq, Malformed)
{
    EXPECT_EQ(parse_csq({}).error(), Errc::NotFound);
    // A Huawei 5G CPE answered "+CSQ:" with nothing after it (a JS emulator's note).
    EXPECT_EQ(parse_csq({"+CSQ:"}).error(), Errc::Parse);
    EXPECT_EQ(parse_csq({"+CSQ: 17"}).error(), Errc::Parse);
    EXPECT_EQ(parse_csq({"+CSQ: a,b"}).error(), Errc::Parse);
}

struct CesqCase {
    const char* device;
    const char* reply;
    ExtendedSignalQuality expected;
};

TEST(AtParseCesq, RealReplies)
{
    const CesqCase cases[] = {
        // MM cesq_response_tests: LTE, UMTS and GSM only.
        {"MM LTE", "+CESQ: 99,99,255,255,20,80", {{}, {}, {}, {}, -10.0, -61}},
        {"MM UMTS", "+CESQ: 99,99,95,40,255,255", {{}, {}, -26, -4.5, {}, {}}},
        {"MM GSM", "+CESQ: 10,6,255,255,255,255", {-101, 6, {}, {}, {}, {}}},
        // Nordic nRF9160 on KDDI (a board's docs): LTE-M.
        {"Nordic nRF9160", "+CESQ: 99,99,255,255,15,39", {{}, {}, {}, {}, -12.5, -102}},
        // u-blox SARA-R5 driver test: RSRQ 26 -> -7 dB, RSRP 50 -> -91 dBm.
        {"u-blox SARA-R5", "+CESQ: 99,99,255,255,26,50", {{}, {}, {}, {}, -7.0, -91}},
        // 5G modules add <ss_rsrq>,<ss_rsrp>,<ss_sinr>; on NR the LTE fields are 255.
        {"Unisoc 5G CPE on NR", "+CESQ: 99,99,255,255,255,255,75,68,80", {}},
        {"Fibocom FM350 on LTE", "+CESQ: 17,99,255,255,4,55,75,52,57",
            {-94, {}, {}, {}, -18.0, -86}},
        {"nothing known", "+CESQ: 99,99,255,255,255,255", {}},
    };
    for (const auto& c : cases) {
        auto quality = parse_cesq(lines_of(c.reply));
        ASSERT_TRUE(quality) << c.device;
        EXPECT_EQ(quality->rxlev_dbm, c.expected.rxlev_dbm) << c.device;
        EXPECT_EQ(quality->bit_error_rate, c.expected.bit_error_rate) << c.device;
        EXPECT_EQ(quality->rscp_dbm, c.expected.rscp_dbm) << c.device;
        EXPECT_EQ(quality->ecno_db, c.expected.ecno_db) << c.device;
        EXPECT_EQ(quality->rsrq_db, c.expected.rsrq_db) << c.device;
        EXPECT_EQ(quality->rsrp_dbm, c.expected.rsrp_dbm) << c.device;
    }
}

TEST(AtParseCesq, Malformed)
{
    EXPECT_EQ(parse_cesq({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_cesq({"+CESQ: 99,99,255,255"}).error(), Errc::Parse);
    EXPECT_EQ(parse_cesq({"+CESQ: 99,99,255,255,-,80"}).error(), Errc::Parse);
}

} // namespace
} // namespace uplink::at
