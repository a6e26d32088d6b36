// The models' AT dialects, sans-I/O: the same commands on an EC25 and an MC7455 give each
// vendor's own answers, and each model answers only its own vendor commands. Expected lines
// follow the captures cited in sim/model_profile.cpp and sim/at_sim.cpp.
#include "sim/modem.hpp"
#include "sim/tests/at_replies.hpp"

#include <gtest/gtest.h>

namespace uplink::sim {
namespace {

using uplink::sim::testing::lines;
using uplink::sim::testing::ok;

constexpr std::string_view scenario_text = R"({
  "operators": [{"mcc": "001", "mnc": "02", "long_name": "Other Test Network", "apns": ["web"]}],
  "sims": [{"id": "card", "iccid": "89001020000000000028", "imsi": "001020000000002",
            "pin": "4321", "puk": "87654321", "pin_enabled": true}],
  "modems": [{
    "id": "modem", "model": "MC7455", "imei": "359072060001234",
    "usb": {"path": "1-1.3", "serial": "LQ00000000001234"}, "sim": "card",
    "radio": {"band": 7, "earfcn": 3100, "rsrp": -92, "rsrq": -10, "rssi": -63, "sinr": 12},
    "timings": {"boot_ms": 100, "latency_ms": 10, "attach_ms": 500, "sim_init_ms": 20, "scan_ms": 1000}
  }]
})";

// One modem of the scenario above as `model`, on a fake clock.
class Bench {
public:
    explicit Bench(std::string_view model)
    {
        std::string text(scenario_text);
        text.replace(text.find("MC7455"), 6, model);
        std::string message;
        auto parsed = parse_scenario(text, message);
        EXPECT_TRUE(parsed) << message;
        scenario_ = *parsed;
        const auto& spec = scenario_.modems.front();
        modem = std::make_unique<Modem>(spec, scenario_.operators,
            SimCard(*scenario_.find_sim(*spec.sim)), initial_surroundings(spec), now, now);
    }

    void run_for(Duration duration)
    {
        now += duration;
        for (const auto& urc : modem->advance(now))
            urcs += urc;
    }

    // The reply without echo (the first command turns it off).
    std::string ask(std::string_view line)
    {
        auto answer = modem->command(3, line, now);
        if (!answer)
            return "(no answer)";
        run_for(answer->delay + Duration(1));
        return answer->reply;
    }

    Scenario scenario_;
    Clock::time_point now = Clock::time_point {} + std::chrono::hours(1);
    std::unique_ptr<Modem> modem;
    std::string urcs;
};

TEST(Dialect, Mc7455BootsWithoutQuectelLines)
{
    Bench bench("MC7455");
    bench.run_for(Duration(100 + 20 + 20 + 20));
    // No RDY, +QUSIM or +QIND: only the SIM's state.
    EXPECT_EQ(bench.urcs, "\r\n+CPIN: SIM PIN\r\n");
    EXPECT_EQ(bench.ask("ATE0"), ok);
    bench.urcs.clear();
    EXPECT_EQ(bench.ask("AT+CPIN=4321"), ok);
    bench.run_for(Duration(600));
    EXPECT_EQ(bench.urcs, "\r\n+CPIN: READY\r\n");
}

TEST(Dialect, Ec25KeepsItsBootLines)
{
    Bench bench("EC25");
    bench.run_for(Duration(100 + 20));
    EXPECT_EQ(bench.urcs, "\r\nRDY\r\n\r\n+CPIN: SIM PIN\r\n\r\n+QUSIM: 1\r\n");
}

TEST(Dialect, Mc7455Identity)
{
    Bench bench("MC7455");
    bench.run_for(Duration(200));
    EXPECT_EQ(bench.ask("ATE0"), ok);
    EXPECT_EQ(bench.ask("ATI"),
        lines({"Manufacturer: Sierra Wireless, Incorporated", "Model: MC7455",
            "Revision: SWI9X30C_02.33.03.00 r8209 CARMD-EV-FRMWR2 2019/08/28 20:59:30",
            "IMEI: 359072060001234", "IMEI SV: 20", "FSN: LQ00000000001234", "+GCAP: +CGSM"})
            + ok);
    EXPECT_EQ(bench.ask("AT+CGMI"), lines({"Sierra Wireless, Incorporated"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGMM"), lines({"MC7455"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGMR"),
        lines({"SWI9X30C_02.33.03.00 r8209 CARMD-EV-FRMWR2 2019/08/28 20:59:30"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGSN"), lines({"359072060001234"}) + ok);
}

TEST(Dialect, Mc7455IdentityWithoutSerialLeavesOutTheFsn)
{
    Bench bench("MC7455");
    bench.scenario_.modems.front().usb.serial.clear();
    const auto& spec = bench.scenario_.modems.front();
    bench.modem = std::make_unique<Modem>(spec, bench.scenario_.operators, std::nullopt,
        initial_surroundings(spec), bench.now, bench.now);
    bench.run_for(Duration(200));
    EXPECT_EQ(bench.ask("ATE0"), ok);
    auto ati = bench.ask("ATI");
    EXPECT_EQ(ati.find("FSN"), std::string::npos) << ati;
    EXPECT_NE(ati.find("IMEI SV: 20\r\n+GCAP: +CGSM\r\n"), std::string::npos) << ati;
}

TEST(Dialect, Mc7455IccidAndPinCounters)
{
    Bench bench("MC7455");
    bench.run_for(Duration(200));
    EXPECT_EQ(bench.ask("ATE0"), ok);
    // Before the PIN: AT+ICCID answers, AT!ICCID? does not (Sierra firmware).
    EXPECT_EQ(bench.ask("AT+ICCID"), lines({"ICCID: 89001020000000000028"}) + ok);
    EXPECT_EQ(bench.ask("AT!ICCID?"), "\r\n+CME ERROR: 11\r\n");
    EXPECT_EQ(bench.ask("AT+CPINC?"), lines({"+CPINC: 3,3,10,10"}) + ok);
    EXPECT_EQ(bench.ask("AT+CPIN=0000"), "\r\n+CME ERROR: 16\r\n");
    EXPECT_EQ(bench.ask("AT+CPINC?"), lines({"+CPINC: 2,3,10,10"}) + ok);
    EXPECT_EQ(bench.ask("AT+CPIN=4321"), ok);
    EXPECT_EQ(bench.ask("AT!ICCID?"), lines({"!ICCID: 89001020000000000028"}) + ok);
    EXPECT_EQ(bench.ask("AT!ICCID=?"), ok);
    EXPECT_EQ(bench.ask("AT!ICCID"), "\r\nERROR\r\n"); // only the query form
    EXPECT_EQ(bench.ask("AT+CPINC?"), lines({"+CPINC: 3,3,10,10"}) + ok);
}

TEST(Dialect, EachModelAnswersOnlyItsOwnVendorCommands)
{
    struct Case {
        std::string_view command;
        bool ec25, mc7455, rm520n; // answered (not ERROR)
    };
    const std::vector<Case> cases {
        {"AT+QCCID", true, false, true},
        {"AT+QPINC?", true, false, true},
        {"AT+QENG=\"servingcell\"", true, false, true},
        {"AT+QNWINFO", true, false, true},
        {"AT+QCAINFO", true, false, true},
        {"AT+QRSRP", true, false, true},
        {"AT+QCFG=\"band\"", true, false, false},
        {"AT+QCFG=\"nwscanmode\"", true, false, false},
        {"AT+QCFG=\"usbnet\"", true, false, true},
        {"AT+QNWPREFCFG=\"mode_pref\"", false, false, true},
        {"AT!ICCID?", false, true, false},
        {"AT+ICCID", false, true, false},
        {"AT+CPINC?", false, true, false},
        // The standard ones are everybody's.
        {"AT+CSQ", true, true, true},
        {"AT+CESQ", true, true, true},
        {"AT+COPS?", true, true, true},
        {"AT+CEREG?", true, true, true},
        {"AT+CIMI", true, true, true},
        {"AT+CRSM=176,12258,0,0,10", true, true, true},
    };
    for (std::string_view model : {"EC25", "MC7455", "RM520N"}) {
        Bench bench(model);
        bench.run_for(Duration(200));
        EXPECT_EQ(bench.ask("ATE0"), ok);
        EXPECT_EQ(bench.ask("AT+CPIN=4321"), ok);
        bench.run_for(Duration(600));
        for (const auto& entry : cases) {
            bool expected = model == "EC25" ? entry.ec25 : model == "MC7455" ? entry.mc7455 : entry.rm520n;
            auto reply = bench.ask(entry.command);
            EXPECT_EQ(reply != "\r\nERROR\r\n", expected)
                << model << " " << entry.command << ": " << reply;
        }
    }
}

TEST(Dialect, ScenarioModelChoosesTheDefaults)
{
    Bench bench("MC7455");
    const auto& spec = bench.scenario_.modems.front();
    EXPECT_EQ(spec.profile->model, "MC7455");
    EXPECT_EQ(spec.manufacturer, "Sierra Wireless, Incorporated");
    EXPECT_EQ(spec.usb.vendor_id, "1199");
    EXPECT_EQ(spec.usb.product_id, "9071");
    EXPECT_EQ(spec.usb.manufacturer, "Sierra Wireless, Incorporated");
    EXPECT_EQ(spec.usb.product, "MC7455");
    EXPECT_EQ(spec.lte_bands, (std::vector<int> {1, 2, 3, 4, 5, 7, 8, 12, 13, 20, 25, 41}));
    EXPECT_EQ(find_model("mc7455"), spec.profile); // without case
    EXPECT_EQ(find_model("EG25"), nullptr);
}

// The 5G module's radio settings: AT+QNWPREFCFG's read and set forms, the module's own bands kept
// of those given, and 5G alone leaving the emulated network's LTE cell.
TEST(Dialect, Rm520nNetworkPreferences)
{
    Bench bench("RM520N");
    bench.run_for(Duration(200));
    EXPECT_EQ(bench.ask("ATE0"), ok);
    EXPECT_EQ(bench.ask("AT+CPIN=4321"), ok);
    bench.run_for(Duration(600));
    auto preference = [&](std::string_view item, std::string_view value) {
        return fmt::format("\r\n+QNWPREFCFG: \"{}\",{}\r\n", item, value) + ok;
    };
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"mode_pref\""), preference("mode_pref", "AUTO"));
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"nr5g_band\""),
        preference("nr5g_band", "1:2:3:5:7:8:12:13:14:18:20:25:26:28:29:30:38:40:41:48:66:70:71:75:76:77:78:79"));
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"nr5g_band\",78:41:260"), ok); // n260 is not the module's
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"nr5g_band\""), preference("nr5g_band", "41:78"));
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"nsa_nr5g_band\",78"), ok);
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"nsa_nr5g_band\""), preference("nsa_nr5g_band", "78"));
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"nr5g_band\",260"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"lte_band\",3:7:20"), ok);
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"lte_band\""), preference("lte_band", "3:7:20"));
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"lte_band\",3:x"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"nosuch\""), "\r\nERROR\r\n");

    EXPECT_EQ(bench.ask("AT+CEREG?"), "\r\n+CEREG: 0,1\r\n" + ok);
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"mode_pref\",NR5G"), ok);
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"mode_pref\""), preference("mode_pref", "NR5G"));
    EXPECT_EQ(bench.ask("AT+CEREG?"), "\r\n+CEREG: 0,2\r\n" + ok); // no NR cell here
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"mode_pref\",lte:nr5g"), ok);
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"mode_pref\""), preference("mode_pref", "LTE:NR5G"));
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"mode_pref\",GSM"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"mode_pref\",WCDMA:LTE:NR5G"), ok);
    EXPECT_EQ(bench.ask("AT+QNWPREFCFG=\"mode_pref\""), preference("mode_pref", "AUTO"));
}

} // namespace
} // namespace uplink::sim
