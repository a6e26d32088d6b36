// Quectel parsers against real replies. "ref" is the uplink reference notes on the EC25
// (modem-protocols.md §4), which cite their sources; the others are named per case.
#include "at/at.hpp"
#include "at/parse_test_util.hpp"

#include <gtest/gtest.h>

namespace uplink::at {
namespace {

using test::lines_of;

struct QengCase {
    const char* device;
    const char* reply;
    ServingCell expected;
};

ServingCell cell(std::string state, std::string technology, std::string duplex, std::string mcc,
    std::string mnc, std::optional<std::uint64_t> cell_id, std::optional<int> pci,
    std::optional<int> earfcn, std::optional<int> band, std::optional<int> ul,
    std::optional<int> dl, std::optional<std::uint32_t> tac, std::optional<int> rsrp,
    std::optional<int> rsrq, std::optional<int> rssi, std::optional<int> sinr,
    std::optional<int> srxlev)
{
    ServingCell result;
    result.state = std::move(state);
    result.technology = std::move(technology);
    result.duplex = std::move(duplex);
    result.mcc = std::move(mcc);
    result.mnc = std::move(mnc);
    result.cell_id = cell_id;
    result.pci = pci;
    result.earfcn = earfcn;
    result.band = band;
    result.ul_bandwidth_mhz_x10 = ul;
    result.dl_bandwidth_mhz_x10 = dl;
    result.tac = tac;
    result.rsrp_dbm = rsrp;
    result.rsrq_db = rsrq;
    result.rssi_dbm = rssi;
    result.sinr_db = sinr;
    result.srxlev = srxlev;
    return result;
}

TEST(AtParseQeng, RealReplies)
{
    const QengCase cases[] = {
        {"Quectel EC25 (ref): 18 fields, Bell Canada band 2",
            "+QENG: "
            "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",302,610,844D92A,248,900,2,5,5,D6E7,-89,"
            "-8,-61,17,38",
            cell("NOCONN", "LTE", "FDD", "302", "610", 0x844D92A, 248, 900, 2, 200, 200, 0xD6E7,
                -89, -8, -61, 17, 38)},
        {"Quectel EC25 (luci-app-modeminfo #45): srxlev is '-'",
            "+QENG: "
            "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",250,99,A1A9566,113,550,1,3,3,61EA,-84,"
            "-11,-56,2,-",
            cell("NOCONN", "LTE", "FDD", "250", "99", 0xA1A9566, 113, 550, 1, 100, 100, 0x61EA, -84,
                -11, -56, 2, {})},
        {"Quectel EC25 (ref): limited service, TDD, MNC 00 kept",
            "+QENG: "
            "\"servingcell\",\"LIMSRV\",\"LTE\",\"TDD\",460,00,2C17802,407,40936,41,5,5,2495,-"
            "97,-10,-67,15,26",
            cell("LIMSRV", "LTE", "TDD", "460", "00", 0x2C17802, 407, 40936, 41, 200, 200, 0x2495,
                -97, -10, -67, 15, 26)},
        {"Quectel EG25-G (mihari tests): band 19, 10 MHz",
            "+QENG: "
            "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",440,10,2734811,235,6100,19,3,3,1684,-"
            "81,-10,-54,19,50",
            cell("NOCONN", "LTE", "FDD", "440", "10", 0x2734811, 235, 6100, 19, 100, 100, 0x1684,
                -81, -10, -54, 19, 50)},
        {"Quectel EG25-G (mihari tests): every value '-'",
            "+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",-,-,-,-,-,-,-,-,-,-,-,-,-,-",
            cell("NOCONN", "LTE", "FDD", "", "", {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})},
        {"Quectel RM500Q (a serial log): 20 fields with CQI and tx_power",
            "+QENG: "
            "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",460,01,5F1EA15,12,1650,3,5,5,DE10,-100,"
            "-12,-68,11,0,-32768,27",
            cell("NOCONN", "LTE", "FDD", "460", "01", 0x5F1EA15, 12, 1650, 3, 200, 200, 0xDE10,
                -100, -12, -68, 11, 27)},
        {"Quectel EG25-G (mihari tests): searching, the line ends after the state",
            "+QENG: \"servingcell\",\"SEARCH\"",
            cell("SEARCH", "", "", "", "", {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})},
        {"Quectel EG25-G (mihari tests): WCDMA, RSCP in rsrp_dbm",
            "+QENG: "
            "\"servingcell\",\"NOCONN\",\"WCDMA\",440,10,75,6FE0090,10736,58,0,-78,-3,-,-,-,-,-",
            cell("NOCONN", "WCDMA", "", "440", "10", 0x6FE0090, 58, 10736, {}, {}, {}, 0x75, -78,
                {}, {}, {}, {})},
        {"Quectel RM520N-GL (a web UI's byte-checked capture): NR5G-SA, 36-bit cell id",
            "+QENG: \"servingcell\",\"NOCONN\",\"NR5G-SA\",\"TDD\",310,260,18666712F,335,794E00,"
            "516270,41,12,-75,-11,5,1,-",
            cell("NOCONN", "NR5G-SA", "TDD", "310", "260", 0x18666712F, 335, 516270, 41, {}, 1000,
                0x794E00, -75, -11, {}, 5, {})},
        {"Quectel RM520N-GL (cb0401 capture): NR5G-SA with a space after the duplex",
            "+QENG: \"servingcell\",\"NOCONN\",\"NR5G-SA\",\"TDD\", "
            "202,01,12AA54086,262,15EC,634080,"
            "78,7,-92,-11,18,1,-",
            cell("NOCONN", "NR5G-SA", "TDD", "202", "01", 0x12AA54086, 262, 634080, 78, {}, 500,
                0x15EC, -92, -11, {}, 18, {})},
        {"Quectel RM5xx on TIM Italy (a forum capture): EN-DC over three lines, LTE anchor",
            "+QENG: \"servingcell\",\"NOCONN\"\r\n+QENG: "
            "\"LTE\",\"FDD\",222,01,328261F,280,275,1,4,4,BE3,-99,-14,-66,7,4,30,-\r\n+QENG: "
            "\"NR5G-NSA\",222,01,920,-96,18,-10,648768,78,10,1",
            cell("NOCONN", "LTE", "FDD", "222", "01", 0x328261F, 280, 275, 1, 150, 150, 0xBE3, -99,
                -14, -66, 7, {})},
    };
    for (const auto& c : cases) {
        auto got = parse_qeng_servingcell(lines_of(c.reply));
        ASSERT_TRUE(got) << c.device << ": " << got.error().message();
        const auto& want = c.expected;
        EXPECT_EQ(got->state, want.state) << c.device;
        EXPECT_EQ(got->technology, want.technology) << c.device;
        EXPECT_EQ(got->duplex, want.duplex) << c.device;
        EXPECT_EQ(got->mcc, want.mcc) << c.device;
        EXPECT_EQ(got->mnc, want.mnc) << c.device;
        EXPECT_EQ(got->cell_id, want.cell_id) << c.device;
        EXPECT_EQ(got->pci, want.pci) << c.device;
        EXPECT_EQ(got->earfcn, want.earfcn) << c.device;
        EXPECT_EQ(got->band, want.band) << c.device;
        EXPECT_EQ(got->ul_bandwidth_mhz_x10, want.ul_bandwidth_mhz_x10) << c.device;
        EXPECT_EQ(got->dl_bandwidth_mhz_x10, want.dl_bandwidth_mhz_x10) << c.device;
        EXPECT_EQ(got->tac, want.tac) << c.device;
        EXPECT_EQ(got->rsrp_dbm, want.rsrp_dbm) << c.device;
        EXPECT_EQ(got->rsrq_db, want.rsrq_db) << c.device;
        EXPECT_EQ(got->rssi_dbm, want.rssi_dbm) << c.device;
        EXPECT_EQ(got->sinr_db, want.sinr_db) << c.device;
        EXPECT_EQ(got->srxlev, want.srxlev) << c.device;
    }
}

TEST(AtParseQeng, Malformed)
{
    EXPECT_EQ(parse_qeng_servingcell({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_qeng_servingcell({"+QENG: \"neighbourcell intra\",\"LTE\",38950,276"}).error(),
        Errc::NotFound);
    const char* bad[] = {
        "+QENG: \"servingcell\"",
        "+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",302,610,844D92A,248",
        "+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",302,610,XYZ,248,900,2,5,5,D6E7,-89,-8,-"
        "61,17,38",
        "+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",302,610,844D92A,248,900,2,5,5,D6E7,-89,-"
        "8,-61,17,38,1,2,3,4",
        "+QENG: \"servingcell\",\"NOCONN\",\"NR5G-SA\",\"TDD\",310,260",
    };
    for (auto line : bad)
        EXPECT_EQ(parse_qeng_servingcell({line}).error(), Errc::Parse) << line;
}

TEST(AtParseQnwinfo, RealReplies)
{
    struct Case {
        const char* device;
        const char* reply;
        const char* technology;
        const char* operator_id;
        const char* band;
        std::optional<int> channel;
    };
    const Case cases[] = {
        {"Quectel EC25 (ref)", "+QNWINFO: \"FDD LTE\",\"46001\",\"LTE BAND 8\",3740", "FDD LTE",
            "46001", "LTE BAND 8", 3740},
        {"Quectel EC25 (ref): WCDMA", "+QNWINFO: \"WCDMA\",\"46001\",\"WCDMA 2100\",10763", "WCDMA",
            "46001", "WCDMA 2100", 10763},
        // Quectel manual example (Chinese edition): the operator unquoted.
        {"Quectel manual: unquoted operator", "+QNWINFO: \"FDD LTE\",46011,\"LTE BAND 3\",1650",
            "FDD LTE", "46011", "LTE BAND 3", 1650},
        {"Quectel RM502Q-AE R13 (QModem write-up): SA",
            "+QNWINFO: \"TDD NR5G\",\"46000\",\"NR5G BAND 79\",721824", "TDD NR5G", "46000",
            "NR5G BAND 79", 721824},
        {"Quectel EC25 (ref): no service", "+QNWINFO: No Service", "", "", "", {}},
    };
    for (const auto& c : cases) {
        auto info = parse_qnwinfo(lines_of(c.reply));
        ASSERT_TRUE(info) << c.device;
        EXPECT_EQ(info->technology, c.technology) << c.device;
        EXPECT_EQ(info->operator_id, c.operator_id) << c.device;
        EXPECT_EQ(info->band, c.band) << c.device;
        EXPECT_EQ(info->channel, c.channel) << c.device;
    }
    EXPECT_EQ(parse_qnwinfo({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_qnwinfo({"+QNWINFO: \"FDD LTE\""}).error(), Errc::Parse);
    EXPECT_EQ(
        parse_qnwinfo({"+QNWINFO: \"FDD LTE\",\"46001\",\"LTE BAND 8\",x"}).error(), Errc::Parse);
}

struct Carrier {
    bool primary;
    int earfcn;
    int bandwidth;
    const char* band;
    std::optional<int> state, pci, rsrp, rsrq, rssi, sinr;
};

TEST(AtParseQcainfo, RealReplies)
{
    struct Case {
        const char* device;
        const char* reply;
        std::vector<Carrier> expected;
    };
    const Case cases[] = {
        {"Quectel EC25-class (ref): lowercase role, PCC only",
            "+QCAINFO: \"pcc\",250,50,\"LTE BAND 1\",1,277,-97,-9,-71,15",
            {{true, 250, 50, "LTE BAND 1", 1, 277, -97, -9, -71, 15}}},
        {"Quectel RM520N-GL (a test's capture): LTE SCC with UL fields",
            "+QCAINFO: \"PCC\",9485,75,\"LTE BAND 28\",1,295,-86,-9,-58,19\r\n+QCAINFO: "
            "\"SCC\",1350,75,\"LTE BAND 3\",1,295,-95,-6,-79,0,0,-,-",
            {{true, 9485, 75, "LTE BAND 28", 1, 295, -86, -9, -58, 19},
                {false, 1350, 75, "LTE BAND 3", 1, 295, -95, -6, -79, 0}}},
        {"Quectel RM5xx on TIM Italy (a forum capture): EN-DC with an NR SCC",
            "+QCAINFO: \"PCC\",275,75,\"LTE BAND 1\",1,280,-99,-14,-67,-4\r\n+QCAINFO: "
            "\"SCC\",1350,100,\"LTE BAND 3\",1,240,-95,-18,-68,-10,0,-,-\r\n+QCAINFO: "
            "\"SCC\",648768,10,\"NR5G BAND 78\",920",
            {{true, 275, 75, "LTE BAND 1", 1, 280, -99, -14, -67, -4},
                {false, 1350, 100, "LTE BAND 3", 1, 240, -95, -18, -68, -10},
                {false, 648768, 10, "NR5G BAND 78", {}, 920, {}, {}, {}, {}}}},
        {"Quectel RM520N on NR5G-SA (a dashboard test's capture)",
            "+QCAINFO: \"PCC\",627264,12,\"NR5G BAND 78\",543",
            {{true, 627264, 12, "NR5G BAND 78", {}, 543, {}, {}, {}, {}}}},
    };
    for (const auto& c : cases) {
        auto carriers = parse_qcainfo(lines_of(c.reply));
        ASSERT_TRUE(carriers) << c.device;
        ASSERT_EQ(carriers->size(), c.expected.size()) << c.device;
        for (std::size_t i = 0; i < c.expected.size(); ++i) {
            const auto& got = (*carriers)[i];
            const auto& want = c.expected[i];
            EXPECT_EQ(got.primary, want.primary) << c.device << " #" << i;
            EXPECT_EQ(got.earfcn, want.earfcn) << c.device << " #" << i;
            EXPECT_EQ(got.bandwidth_rb, want.bandwidth) << c.device << " #" << i;
            EXPECT_EQ(got.band, want.band) << c.device << " #" << i;
            EXPECT_EQ(got.state, want.state) << c.device << " #" << i;
            EXPECT_EQ(got.pci, want.pci) << c.device << " #" << i;
            EXPECT_EQ(got.rsrp_dbm, want.rsrp) << c.device << " #" << i;
            EXPECT_EQ(got.rsrq_db, want.rsrq) << c.device << " #" << i;
            EXPECT_EQ(got.rssi_dbm, want.rssi) << c.device << " #" << i;
            EXPECT_EQ(got.sinr_db, want.sinr) << c.device << " #" << i;
        }
    }
    EXPECT_EQ(parse_qcainfo({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_qcainfo({"+QCAINFO: \"XCC\",1,2,\"B\""}).error(), Errc::Parse);
    EXPECT_EQ(parse_qcainfo({"+QCAINFO: \"PCC\",x,50,\"LTE BAND 1\""}).error(), Errc::Parse);
    EXPECT_EQ(parse_qcainfo({"+QCAINFO: \"PCC\",250"}).error(), Errc::Parse);
}

TEST(AtParseQrsrp, RealReplies)
{
    struct Case {
        const char* device;
        const char* reply;
        std::vector<std::optional<int>> rsrp;
        const char* technology;
    };
    const Case cases[] = {
        {"Quectel EM/RM (ref): two chains absent", "+QRSRP: -111,-90,-32768,-32768,LTE",
            {-111, -90, {}, {}}, "LTE"},
        {"Quectel (ref): four chains", "+QRSRP: -85,-86,-86,-83,LTE", {-85, -86, -86, -83}, "LTE"},
        {"Quectel RM520N on SA (a dashboard test's capture)", "+QRSRP: -99,-89,-107,-93,NR5G",
            {-99, -89, -107, -93}, "NR5G"},
        {"Quectel 5G (a parser test): -140 is an absent chain", "+QRSRP: -83,-77,-140,-140,NR5G",
            {-83, -77, {}, {}}, "NR5G"},
        {"Quectel RM520N-GL (a shell test's capture): LTE and NR lines, the first is used",
            "+QRSRP: -95,-91,-89,-93,LTE\r\n+QRSRP: -90,-88,-86,-92,NR5G", {-95, -91, -89, -93},
            "LTE"},
    };
    for (const auto& c : cases) {
        auto antennas = parse_qrsrp(lines_of(c.reply));
        ASSERT_TRUE(antennas) << c.device;
        EXPECT_EQ(antennas->rsrp_dbm, c.rsrp) << c.device;
        EXPECT_EQ(antennas->technology, c.technology) << c.device;
    }
    EXPECT_EQ(parse_qrsrp({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_qrsrp({"+QRSRP: LTE"}).error(), Errc::Parse);
    EXPECT_EQ(parse_qrsrp({"+QRSRP: a,-90,LTE"}).error(), Errc::Parse);
}

TEST(AtParseQcfgBand, RealReplies)
{
    struct Case {
        const char* device;
        const char* reply;
        const char *gw, *lte, *tds;
        std::vector<int> bands;
    };
    const Case cases[] = {
        {"Quectel EC20 EU (ref): three masks", "+QCFG: \"band\",0x93,0x80800c5,0x0", "93",
            "80800c5", "0", {1, 3, 7, 8, 20, 28}},
        {"Quectel EC20 (ref): 41-bit LTE mask", "+QCFG: \"band\",0xbff,0x1e00b0e18df,0x0", "bff",
            "1e00b0e18df", "0",
            {1, 2, 3, 4, 5, 7, 8, 12, 13, 18, 19, 20, 25, 26, 28, 38, 39, 40, 41}},
        {"Quectel EC20 CE (ref): two masks only", "+QCFG: \"band\",0xd0,0x1e200000095", "d0",
            "1e200000095", "", {1, 3, 5, 8, 34, 38, 39, 40, 41}},
    };
    for (const auto& c : cases) {
        auto configuration = parse_qcfg_band(lines_of(c.reply));
        ASSERT_TRUE(configuration) << c.device;
        EXPECT_EQ(configuration->gw_mask, c.gw) << c.device;
        EXPECT_EQ(configuration->lte_mask, c.lte) << c.device;
        EXPECT_EQ(configuration->tds_mask, c.tds) << c.device;
        EXPECT_EQ(configuration->lte_bands, c.bands) << c.device;
    }
    EXPECT_EQ(parse_qcfg_band({}).error(), Errc::NotFound);
    EXPECT_EQ(parse_qcfg_band({"+QCFG: \"nwscanmode\",0"}).error(), Errc::NotFound);
    EXPECT_EQ(parse_qcfg_band({"+QCFG: \"band\",0xZZ,0x1"}).error(), Errc::Parse);
    EXPECT_EQ(parse_qcfg_band({"+QCFG: \"band\",0x93"}).error(), Errc::Parse);
}

TEST(AtParseQcfgNwscanmode, RealReplies)
{
    // modem-protocols.md §4.1: an EC25 in its default automatic mode.
    EXPECT_EQ(parse_qcfg_nwscanmode(lines_of("+QCFG: \"nwscanmode\",0")).value(), 0);
    EXPECT_EQ(parse_qcfg_nwscanmode({"+QCFG: \"nwscanmode\",3"}).value(), 3);
    EXPECT_EQ(parse_qcfg_nwscanmode({"+QCFG: \"band\",0x93,0x80800c5,0x0"}).error(), Errc::NotFound);
    EXPECT_EQ(parse_qcfg_nwscanmode({"+QCFG: \"nwscanmode\",x"}).error(), Errc::Parse);
    EXPECT_EQ(parse_qcfg_nwscanmode({"+QCFG: \"nwscanmode\""}).error(), Errc::Parse);
}

} // namespace
TEST(AtParseQnwprefcfg, RealReplies)
{
    // modem-protocols.md §4.1 and the RM500Q-GL reply in 4IceG/luci-app-modemband issue 13.
    EXPECT_EQ(parse_qnwprefcfg(lines_of("+QNWPREFCFG: \"mode_pref\",AUTO"), "mode_pref").value(), "AUTO");
    auto nr = parse_qnwprefcfg({"+QNWPREFCFG: \"nr5g_band\",1:2:3:5:7:8:12:20:25:28:38:40:41:48:66:71:77:78:79"}, "nr5g_band");
    EXPECT_EQ(parse_band_list(nr.value()).value(),
        (std::vector<int> {1, 2, 3, 5, 7, 8, 12, 20, 25, 28, 38, 40, 41, 48, 66, 71, 77, 78, 79}));
    EXPECT_EQ(parse_qnwprefcfg({"+QNWPREFCFG: \"lte_band\",1:3"}, "nr5g_band").error(), Errc::NotFound);
    EXPECT_EQ(parse_qnwprefcfg({"+QNWPREFCFG: \"lte_band\""}, "lte_band").error(), Errc::Parse);
    EXPECT_EQ(parse_qnwprefcfg({"+QNWPREFCFG: \"lte_band\",1,3"}, "lte_band").error(), Errc::Parse);
}

TEST(AtParseBandList, NumbersJoinedByColons)
{
    EXPECT_EQ(parse_band_list("78:41:78").value(), (std::vector<int> {41, 78}));
    EXPECT_EQ(parse_band_list("3").value(), (std::vector<int> {3}));
    for (auto bad : {"", "3:", ":3", "3::7", "b3", "0", "-3"})
        EXPECT_EQ(parse_band_list(bad).error(), Errc::Parse) << bad;
}

} // namespace uplink::at
