#include "at/at.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace uplink::at {

bool operator==(const FrameEvent& a, const FrameEvent& b)
{
    if (a.kind != b.kind || a.text != b.text || a.final.has_value() != b.final.has_value())
        return false;
    return !a.final
        || (a.final->kind == b.final->kind && a.final->code == b.final->code
            && a.final->text == b.final->text);
}

void PrintTo(const FrameEvent& event, std::ostream* out)
{
    *out << to_string(event.kind) << " '" << event.text << "'";
    if (event.final)
        *out << " (" << to_string(event.final->kind) << " " << event.final->code << ")";
}

namespace {

using Kind = FrameEvent::Kind;

FrameEvent line(std::string text)
{
    return {Kind::Line, std::move(text), std::nullopt};
}
FrameEvent urc(std::string text)
{
    return {Kind::Urc, std::move(text), std::nullopt};
}
FrameEvent garbage(std::string text)
{
    return {Kind::Garbage, std::move(text), std::nullopt};
}
FrameEvent final(FinalKind kind, std::string text, int code = -1)
{
    return {Kind::Final, text, Final {kind, code, text}};
}

struct Fixture {
    const char* name;
    std::optional<std::string> command; // begun before the bytes arrive
    std::string bytes;
    std::vector<FrameEvent> expected;
};

std::vector<Fixture> fixtures()
{
    using namespace std::string_literals;
    std::string long_line(5000, 'A');
    return {
        // Quectel EC25 with ATE1 (the default): the echo ends in a bare CR.
        {"ec25_csq_echo", "AT+CSQ", "AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n",
            {line("+CSQ: 17,99"), final(FinalKind::Ok, "OK")}},
        {"ec25_csq_no_echo", "AT+CSQ", "\r\n+CSQ: 17,99\r\n\r\nOK\r\n",
            {line("+CSQ: 17,99"), final(FinalKind::Ok, "OK")}},
        {"urc_between_command_and_reply", "AT+CSQ",
            "AT+CSQ\r\r\n+CEREG: 1\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n",
            {urc("+CEREG: 1"), line("+CSQ: 20,99"), final(FinalKind::Ok, "OK")}},
        {"cpin_is_the_reply_to_cpin_read", "AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n",
            {line("+CPIN: READY"), final(FinalKind::Ok, "OK")}},
        {"cpin_is_a_urc_during_cfun", "AT+CFUN=1", "\r\n+CPIN: READY\r\n\r\nOK\r\n",
            {urc("+CPIN: READY"), final(FinalKind::Ok, "OK")}},
        {"creg_read_with_cereg_urc", "AT+CREG?", "\r\n+CEREG: 5\r\n\r\n+CREG: 0,1\r\n\r\nOK\r\n",
            {urc("+CEREG: 5"), line("+CREG: 0,1"), final(FinalKind::Ok, "OK")}},
        {"cme_error_numeric", "AT+CPIN?", "\r\n+CME ERROR: 10\r\n",
            {final(FinalKind::CmeError, "+CME ERROR: 10", 10)}},
        {"cme_error_verbose", "AT+CPIN?", "\r\n+CME ERROR: SIM not inserted\r\n",
            {final(FinalKind::CmeError, "+CME ERROR: SIM not inserted")}},
        {"cms_error", "AT+CMGS=23", "\r\n+CMS ERROR: 304\r\n",
            {final(FinalKind::CmsError, "+CMS ERROR: 304", 304)}},
        {"plain_error", "AT+QRSRP", "AT+QRSRP\r\r\nERROR\r\n", {final(FinalKind::Error, "ERROR")}},
        {"dial_connect", "ATD*99#", "\r\nCONNECT 150000000\r\n",
            {final(FinalKind::Connect, "CONNECT 150000000")}},
        {"dial_no_carrier", "ATD*99#", "\r\nNO CARRIER\r\n",
            {final(FinalKind::NoCarrier, "NO CARRIER")}},
        {"dial_busy", "ATD+4912345", "\r\nBUSY\r\n", {final(FinalKind::Busy, "BUSY")}},
        {"dial_no_answer", "ATD+4912345", "\r\nNO ANSWER\r\n",
            {final(FinalKind::NoAnswer, "NO ANSWER")}},
        {"dial_no_dialtone", "ATD+4912345", "\r\nNO DIALTONE\r\n",
            {final(FinalKind::NoDialtone, "NO DIALTONE")}},
        // Quectel EG25-G boot (pinephone_modem_sdk #130): nothing in flight, all URCs.
        {"eg25_boot_urcs", std::nullopt,
            "\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+CFUN: 4\r\n\r\n+QIND: SMS "
            "DONE\r\n",
            {urc("RDY"), urc("+CPIN: READY"), urc("+QUSIM: 1"), urc("+CFUN: 4"),
                urc("+QIND: SMS DONE")}},
        {"ring_during_command", "AT+CSQ", "\r\nRING\r\n\r\n+CSQ: 9,99\r\n\r\nOK\r\n",
            {urc("RING"), line("+CSQ: 9,99"), final(FinalKind::Ok, "OK")}},
        {"sms_and_ussd_urcs", "AT+COPS?",
            "\r\n+CMTI: \"SM\",3\r\n\r\n+CUSD: 0,\"Balance 5.00\",15\r\n\r\n+COPS: "
            "0,0,\"Tele2\",7\r\n"
            "\r\nOK\r\n",
            {urc("+CMTI: \"SM\",3"), urc("+CUSD: 0,\"Balance 5.00\",15"),
                line("+COPS: 0,0,\"Tele2\",7"), final(FinalKind::Ok, "OK")}},
        // SIMCom SIM7600C (a Python test's captured reply) separates lines with bare CR.
        {"sim7600_bare_cr", "ATI",
            "\r\nManufacturer: SIMCOM INCORPORATED\rModel: SIMCOM_SIM7600C\rRevision: SIM7600C "
            "_V1.0\rIMEI: 351602000330570\r+GCAP: +CGSM,+FCLASS,+DS\rOK\r\n",
            {line("Manufacturer: SIMCOM INCORPORATED"), line("Model: SIMCOM_SIM7600C"),
                line("Revision: SIM7600C _V1.0"), line("IMEI: 351602000330570"),
                line("+GCAP: +CGSM,+FCLASS,+DS"), final(FinalKind::Ok, "OK")}},
        {"bare_lf", "AT+CSQ", "+CSQ: 1,2\nOK\n", {line("+CSQ: 1,2"), final(FinalKind::Ok, "OK")}},
        {"ec25_ati", "ATI", "ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n",
            {line("Quectel"), line("EC25"), line("Revision: EC25EFAR06A06M4G"),
                final(FinalKind::Ok, "OK")}},
        {"qeng_endc_three_lines", "AT+QENG=\"servingcell\"",
            "\r\n+QENG: \"servingcell\",\"NOCONN\"\r\n+QENG: "
            "\"LTE\",\"FDD\",222,01,328261F,280,275,1,4,"
            "4,BE3,-99,-14,-66,7,4,30,-\r\n+QENG: "
            "\"NR5G-NSA\",222,01,920,-96,18,-10,648768,78,10,1\r\n"
            "\r\nOK\r\n",
            {line("+QENG: \"servingcell\",\"NOCONN\""),
                line(
                    "+QENG: \"LTE\",\"FDD\",222,01,328261F,280,275,1,4,4,BE3,-99,-14,-66,7,4,30,-"),
                line("+QENG: \"NR5G-NSA\",222,01,920,-96,18,-10,648768,78,10,1"),
                final(FinalKind::Ok, "OK")}},
        {"utf8_operator_name", "AT+COPS?", "\r\n+COPS: 0,0,\"Tele2 \xc3\x96sterreich\",7\r\nOK\r\n",
            {line("+COPS: 0,0,\"Tele2 \xc3\x96sterreich\",7"), final(FinalKind::Ok, "OK")}},
        // Noise after a modem reset: NULs and invalid bytes, then text without a line break.
        {"nul_run_before_rdy", std::nullopt, "\0\0\0\xff"s + "RDY\r\n",
            {garbage("\\x00\\x00\\x00\\xff"), urc("RDY")}},
        {"control_byte_inside_line", "AT+CSQ", "\r\n+CSQ: 1\x01,2\r\n\r\nOK\r\n",
            {garbage("+CSQ: 1\\x01,2"), final(FinalKind::Ok, "OK")}},
        {"invalid_utf8_line", "AT+CSQ", "\r\n\xc3\x28\r\n\r\nOK\r\n",
            {garbage("\\xc3("), final(FinalKind::Ok, "OK")}},
        {"over_long_line", "AT+CSQ", "\r\n" + long_line + "\r\nOK\r\n",
            {garbage(std::string(48, 'A') + "... (4097 bytes)"), final(FinalKind::Ok, "OK")}},
        {"stray_ok_without_command", std::nullopt, "\r\nOK\r\n", {urc("OK")}},
        {"echo_is_dropped_once", "AT", "AT\r\r\nOK\r\n", {final(FinalKind::Ok, "OK")}},
    };
}

std::vector<FrameEvent> feed_in_pieces(const Fixture& fixture, std::vector<std::size_t> cuts)
{
    Framer framer;
    if (fixture.command)
        framer.begin_command(*fixture.command);
    std::vector<FrameEvent> events;
    std::size_t start = 0;
    cuts.push_back(fixture.bytes.size());
    for (auto cut : cuts) {
        auto piece = std::string_view(fixture.bytes).substr(start, cut - start);
        for (auto& event : framer.feed(piece))
            events.push_back(std::move(event));
        start = cut;
    }
    return events;
}

TEST(AtFramer, FixturesGiveTheExpectedEvents)
{
    for (const auto& fixture : fixtures())
        EXPECT_EQ(feed_in_pieces(fixture, {}), fixture.expected) << fixture.name;
}

TEST(AtFramer, EverySplitGivesTheSameEvents)
{
    for (const auto& fixture : fixtures()) {
        for (std::size_t cut = 0; cut <= fixture.bytes.size(); ++cut)
            ASSERT_EQ(feed_in_pieces(fixture, {cut}), fixture.expected)
                << fixture.name << " split at " << cut;
    }
}

TEST(AtFramer, ByteByByteGivesTheSameEvents)
{
    for (const auto& fixture : fixtures()) {
        std::vector<std::size_t> cuts;
        for (std::size_t cut = 1; cut < fixture.bytes.size(); ++cut)
            cuts.push_back(cut);
        EXPECT_EQ(feed_in_pieces(fixture, cuts), fixture.expected) << fixture.name;
    }
}

TEST(AtFramer, CommandInFlightEndsWithTheFinal)
{
    Framer framer;
    EXPECT_FALSE(framer.command_in_flight());
    framer.begin_command("AT+CSQ");
    EXPECT_TRUE(framer.command_in_flight());
    framer.feed("\r\n+CSQ: 1,2\r\n");
    EXPECT_TRUE(framer.command_in_flight());
    framer.feed("\r\nOK\r\n");
    EXPECT_FALSE(framer.command_in_flight());
}

TEST(AtFramer, ResetDropsAPartialLineAndTheCommand)
{
    Framer framer;
    framer.begin_command("AT+CSQ");
    framer.feed("\r\n+CSQ: 1");
    framer.reset();
    EXPECT_FALSE(framer.command_in_flight());
    EXPECT_EQ(framer.feed("RDY\r\n"), (std::vector<FrameEvent> {urc("RDY")}));
}

TEST(AtFramer, IsUrcKnowsTheUnsolicitedCodes)
{
    const char* urcs[] = {"RDY", "+CPIN: READY", "+QUSIM: 1", "+QIND: PB DONE", "+CREG: 1",
        "+CGREG: 5", "+CEREG: 1,\"1A2B\",\"0101\",7", "+C5GREG: 1", "+CFUN: 1", "POWERED DOWN",
        "+QSTAT: 1", "+CMTI: \"ME\",2", "+CUSD: 2", "+CRING: VOICE", "RING"};
    for (auto text : urcs)
        EXPECT_TRUE(is_urc(text)) << text;
    const char* replies[] = {"+CSQ: 17,99", "OK", "Quectel", "+COPS: 0", "RINGING", "RDY2"};
    for (auto text : replies)
        EXPECT_FALSE(is_urc(text)) << text;
}

} // namespace
} // namespace uplink::at
