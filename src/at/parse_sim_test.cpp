// SIM parsers against real replies. Sources: ModemManager src/tests/test-modem-helpers.c
// (MM), the uplink reference notes on Quectel EC25 (modem-protocols.md §4, "ref"), and the
// public captures named per case.
#include "at/at.hpp"
#include "at/parse_test_util.hpp"

#include <gtest/gtest.h>

namespace uplink::at {
namespace {

using test::lines_of;

struct CpinCase {
    const char* device;
    const char* reply;
    PinState expected;
};

TEST(AtParseCpin, RealReplies)
{
    const CpinCase cases[] = {
        // Quectel EC25EFAR06A06M4G: the plain 27.007 form (ref §4.1).
        {"Quectel EC25 R06", "+CPIN: READY", PinState::Ready},
        // u-blox SARA-R410M-02B L0.0.00.00.05.06: READY then OK on the next line, no blank.
        {"u-blox SARA-R410M 05.06", "\r\n+CPIN: READY\r\nOK\r\n", PinState::Ready},
        {"Quectel EG25-G (locked SIM)", "+CPIN: SIM PIN", PinState::SimPin},
        {"Quectel EC25 (blocked SIM)", "+CPIN: SIM PUK", PinState::SimPuk},
        // MM accepts the code quoted (seen on Option/Huawei firmware) and bare.
        {"Huawei (quoted code)", "+CPIN: \"SIM PIN\"", PinState::SimPin},
        {"Option (bare code, no prefix)", "SIM PUK", PinState::SimPuk},
        {"Quectel EC25 PIN2", "+CPIN: SIM PIN2", PinState::SimPin2},
        {"Quectel EC25 PUK2", "+CPIN: SIM PUK2", PinState::SimPuk2},
        {"carrier-locked EC25", "+CPIN: PH-NET PIN", PinState::PhNetPin},
        {"carrier-locked EC25 (PUK)", "+CPIN: PH-NET PUK", PinState::PhNetPuk},
        {"SIM-locked phone", "+CPIN: PH-SIM PIN", PinState::PhSimPin},
        {"service-provider lock", "+CPIN: PH-SP PIN", PinState::Other},
        // SIMCom and Telit say NOT READY while the SIM boots.
        {"SIMCom SIM7600 (SIM booting)", "+CPIN: NOT READY", PinState::Other},
    };
    for (const auto& c : cases) {
        auto state = parse_cpin_read(lines_of(c.reply));
        ASSERT_TRUE(state) << c.device << ": " << state.error().message();
        EXPECT_EQ(*state, c.expected) << c.device;
    }
}

TEST(AtParseCpin, Malformed)
{
    EXPECT_EQ(parse_cpin_read({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_cpin_read({"+CPIN: "}).error(), Errc::Parse);
    EXPECT_EQ(parse_cpin_read({"+CPIN: READY;\x01"}).error(), Errc::Parse);
}

TEST(AtParseQpinc, RealReplies)
{
    // Quectel BG95 / EC25 (AT manual example, and a BG95 driver comment):
    // +QPINC: "SC",3,10 then +QPINC: "P2",3,10.
    auto counters = parse_qpinc_read(lines_of("+QPINC: \"SC\",3,10\r\n+QPINC: \"P2\",3,10\r\n"));
    ASSERT_TRUE(counters);
    EXPECT_EQ(counters->pin1, 3);
    EXPECT_EQ(counters->puk1, 10);
    EXPECT_EQ(counters->pin2, 3);
    EXPECT_EQ(counters->puk2, 10);

    // AT+QPINC="SC" answers only its facility; one PIN try already used.
    counters = parse_qpinc_read(lines_of("+QPINC: \"SC\",2,10"));
    ASSERT_TRUE(counters);
    EXPECT_EQ(counters->pin1, 2);
    EXPECT_FALSE(counters->pin2);
}

TEST(AtParseQpinc, Malformed)
{
    EXPECT_EQ(parse_qpinc_read({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_qpinc_read({"+QPINC: \"SC\",3"}).error(), Errc::Parse);
    EXPECT_EQ(parse_qpinc_read({"+QPINC: \"SC\",x,10"}).error(), Errc::Parse);
    EXPECT_EQ(parse_qpinc_read({"+QPINC: \"SC\",-1,10"}).error(), Errc::Parse);
}

struct IccidCase {
    const char* device;
    const char* reply;
    const char* expected;
};

TEST(AtParseIccid, RealReplies)
{
    const IccidCase cases[] = {
        {"Quectel EC25 (AT+QCCID)", "+QCCID: 89860436101892671308", "89860436101892671308"},
        // 19-digit ICCIDs are padded with F (ref §4.1).
        {"Quectel EC25 19-digit", "+QCCID: 8901260886258128535F", "8901260886258128535"},
        // Some issuers put hex letters in the account part (ref §4.1; MM hex_account test).
        {"Quectel EC25 hex letters", "+QCCID: 898604B2012290748345", "898604B2012290748345"},
        {"MM quoted hex account", "+QCCID: \"898602F9091830030220\"", "898602F9091830030220"},
        // SIMCom SIM7600 AT+CICCID (SIMCom manual example) and LuatOS Air780 AT+ICCID.
        {"SIMCom SIM7600 AT+CICCID", "+ICCID: 898600700907A6019125", "898600700907A6019125"},
        {"Air780E AT+ICCID", "+ICCID: 8939880841024179213F", "8939880841024179213"},
        // Huawei ME909s/E3372 AT^ICCID? (a ZTE 7520 driver comment shows the same form).
        {"Huawei ^ICCID", "^ICCID: 89860121802374570731", "89860121802374570731"},
        // u-blox SARA-R4 AT+CCID, and Sierra WP7702 which appends the eUICC EID.
        {"u-blox SARA-R410M +CCID", "+CCID: 89610135002619526296", "89610135002619526296"},
        {"Sierra WP7702 +CCID with EID",
            "+CCID: 89332401000010876791,89033240817620069918070003435626", "89332401000010876791"},
        // u-blox SARA-R410M AT+ICCID prints "ICCID:" without the plus (a registration guide's
        // capture; its redacted digits X are 0 here).
        {"u-blox SARA-R410M ICCID:", "ICCID: 89880000666020003347", "89880000666020003347"},
        {"u-blox (ublox-cellular-rs test) +CCID", "+CCID: 89883030000005421166",
            "89883030000005421166"},
        // 18-digit ICCID padded with two F (Go parser test, +CCID).
        {"18-digit FF padding", "+CCID: 894921007608519523FF", "894921007608519523"},
        // The SIM's own byte order (EF_ICCID, nibbles swapped), as MM's swap tests.
        {"MM swapped 19-digit", "\"984402003576012594F9\"", "8944200053671052499"},
        {"MM bare unswapped", "89324102234690160476", "89324102234690160476"},
    };
    for (const auto& c : cases) {
        auto iccid = parse_iccid(lines_of(c.reply));
        ASSERT_TRUE(iccid) << c.device << ": " << iccid.error().message();
        EXPECT_EQ(*iccid, c.expected) << c.device;
    }
}

TEST(AtParseIccid, Malformed)
{
    EXPECT_EQ(parse_iccid({}).error(), Errc::NotFound);
    // MM: too short, invalid characters, and an MII other than 89.
    EXPECT_EQ(parse_iccid({"982314203264096"}).error(), Errc::Parse);
    EXPECT_EQ(parse_iccid({"98231420326pl9614067"}).error(), Errc::Parse);
    EXPECT_EQ(parse_iccid({"\"0044200053671052499\""}).error(), Errc::Parse);
    EXPECT_EQ(parse_iccid({"+QCCID: "}).error(), Errc::Parse);
}

TEST(AtParseCimi, RealReplies)
{
    // quectel-CM AT log (ref §4.1) and a u-blox/Telit style with a prefix.
    auto imsi = parse_cimi(lines_of("460083265908345"));
    ASSERT_TRUE(imsi);
    EXPECT_EQ(*imsi, "460083265908345");
    imsi = parse_cimi(lines_of("+CIMI: 262011234567890"));
    ASSERT_TRUE(imsi);
    EXPECT_EQ(*imsi, "262011234567890");
}

TEST(AtParseCimi, Malformed)
{
    EXPECT_EQ(parse_cimi({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_cimi({"46008326590834X"}).error(), Errc::Parse);
    EXPECT_EQ(parse_cimi({"4600832659083451234"}).error(), Errc::Parse);
}

} // namespace
} // namespace uplink::at
