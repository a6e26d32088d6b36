// The CLI's human output from fixed API bodies (the shapes of docs/api.md).
#include "cli/format.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace uplink::cli {
namespace {

namespace json = boost::json;

// GET /v1/status with a registered EC25 and one whose SIM refused its PIN.
const json::value status_body = json::parse(R"json({"version": "0.1.0", "uptime_s": 11720, "modems": [{"id": "1-1", "state": "registered", "model": "EC25", "manufacturer": "Quectel", "operator_name": "Vodafone UK", "technology": "lte", "rsrp_dbm": -95, "sinr_db": 12, "rssi_dbm": -65, "message": "registered on Vodafone UK (LTE)"}, {"id": "1-2", "state": "failed", "model": "EC25", "manufacturer": "Quectel", "operator_name": "", "technology": "unknown", "rsrp_dbm": null, "sinr_db": null, "rssi_dbm": null, "message": "the SIM refused the configured PIN; 2 tries left"}]})json");

// GET /v1/modems/1-1 and /v1/modems/1-2 of the same two modems.
const json::value registered_modem = json::parse(R"json({"id": "1-1", "state": "registered", "failed_reason": null, "message": "registered on Vodafone UK (LTE)", "identity": {"manufacturer": "Quectel", "model": "EC25", "revision": "EC25EFAR06A06M4G", "imei": "867698041234567"}, "sim": {"state": "ready", "iccid": "8944110068256270054", "imsi": "234150123456789", "operator_id": "23415", "pin_retries": 3, "puk_retries": 10}, "registration": {"state": "home", "technology": "lte", "operator_name": "Vodafone UK", "operator_id": "23415", "tac": 6699, "tac_hex": "1A2B", "cell_id": 27447297, "cell_id_hex": "1A2D001"}, "signal": {"rssi_dbm": -65, "rsrp_dbm": -95, "rsrq_db": -10, "sinr_db": 12, "band": 3, "earfcn": 1300, "pci": 123, "carriers": [{"primary": true, "band": "LTE BAND 3", "earfcn": 1300, "bandwidth_rb": 100, "pci": 123, "rsrp_dbm": -95, "rsrq_db": -10, "sinr_db": 12}, {"primary": false, "band": "LTE BAND 20", "earfcn": 6300, "bandwidth_rb": 50, "pci": 45, "rsrp_dbm": -101, "rsrq_db": -12, "sinr_db": null}], "antennas": [{"chain": "prx", "rsrp_dbm": -95}, {"chain": "drx", "rsrp_dbm": -98}], "age_ms": 2100}, "device": {"usb_path": "1-1", "sysfs_path": "/sys/bus/usb/devices/1-1", "vendor_id": "2c7c", "product_id": "0125", "vendor_entry": "quectel-ec25", "protocol": "qmi", "ports": [{"name": "ttyUSB2", "device_path": "/dev/ttyUSB2", "role": "at", "interface": 2, "driver": "option"}, {"name": "cdc-wdm0", "device_path": "/dev/cdc-wdm0", "role": "qmi", "interface": 4, "driver": "qmi_wwan"}]}})json");
const json::value failed_modem = json::parse(R"json({"id": "1-2", "state": "failed", "failed_reason": "wrong-pin", "message": "the SIM refused the configured PIN; 2 tries left", "identity": {"manufacturer": "Quectel", "model": "EC25", "revision": "EC25EFAR06A06M4G", "imei": "867698047654321"}, "sim": {"state": "pin-required", "iccid": "", "imsi": "", "operator_id": "", "pin_retries": 2, "puk_retries": null}, "registration": {"state": "unknown", "technology": "unknown", "operator_name": "", "operator_id": "", "tac": null, "tac_hex": null, "cell_id": null, "cell_id_hex": null}, "signal": {"rssi_dbm": null, "rsrp_dbm": null, "rsrq_db": null, "sinr_db": null, "band": null, "earfcn": null, "pci": null, "carriers": [], "age_ms": null}, "device": {"usb_path": "1-2", "sysfs_path": "", "vendor_id": "", "product_id": "", "vendor_entry": "", "protocol": "unknown", "ports": [{"name": "ttyUSB6", "device_path": "/dev/ttyUSB6", "role": "at", "interface": null, "driver": "option"}]}})json");

TEST(FormatStatus, OneLinePerModemReadAtAGlance)
{
    EXPECT_EQ(format_status(status_body),
              "uplinkd 0.1.0, up 3h 15m, 2 modems\n"
              "1-1  Quectel EC25  registered  Vodafone UK  LTE  RSRP -95 dBm  SINR 12 dB\n"
              "1-2  Quectel EC25  failed      the SIM refused the configured PIN; 2 tries left\n");
}

TEST(FormatStatus, NoModemsSaysWhatToDo)
{
    auto text = format_status(json::parse(R"({"version":"0.1.0","uptime_s":5,"modems":[]})"));
    EXPECT_EQ(text, "uplinkd 0.1.0, up 5s, 0 modems\n"
                    "no modem found yet: plug one in, then `uplink events` shows what happens\n");
}

TEST(FormatStatus, SearchingModemWithoutNumbersShowsWhatItHas)
{
    auto body = json::parse(R"({"version":"0.1.0","uptime_s":61,"modems":[{"id":"2-1","state":"searching",
        "model":"EM7455","manufacturer":"Sierra Wireless","operator_name":"","technology":"unknown",
        "rsrp_dbm":null,"sinr_db":null,"rssi_dbm":null,"message":"searching for a network"}]})");
    EXPECT_EQ(format_status(body), "uplinkd 0.1.0, up 1m 1s, 1 modem\n"
                                   "2-1  Sierra Wireless EM7455  searching  searching for a network\n");
}

TEST(FormatModems, NumberedTableWithDashesForTheUnknown)
{
    EXPECT_EQ(format_modems(status_body.at("modems")),
              "#  ID   MODEM         STATE       OPERATOR     TECH  RSRP     SINR\n"
              "1  1-1  Quectel EC25  registered  Vodafone UK  LTE   -95 dBm  12 dB\n"
              "2  1-2  Quectel EC25  failed      -            -     -        -\n");
}

TEST(FormatModem, RegisteredModemShowsEverySection)
{
    auto text = format_modem(registered_modem);
    for (auto expected : {
             "Modem 1-1: Quectel EC25\n  State         registered\n",
             "  Tries left    PIN 3, PUK 10\n",
             "  Operator      Vodafone UK (23415)\n",
             "  TAC           6699 (hex 1A2B)\n",
             "  Cell          27447297 (hex 1A2D001)\n",
             "  RSSI -65 dBm   RSRP -95 dBm (fair)   RSRQ -10 dB   SINR 12 dB (fair)\n",
             "  Band 3   EARFCN 1300   PCI 123   measured 2.1 s ago\n",
             "    primary    LTE BAND 3   EARFCN 1300  20 MHz  PCI 123  RSRP -95 dBm   RSRQ -10 dB  SINR 12 dB\n",
             "    secondary  LTE BAND 20  EARFCN 6300  10 MHz  PCI 45   RSRP -101 dBm  RSRQ -12 dB\n",
             "  USB id        2c7c:0125\n",
             "    ttyUSB2   at   /dev/ttyUSB2   interface 2  option\n",
         })
        EXPECT_NE(text.find(expected), std::string::npos) << "missing:\n" << expected << "in:\n" << text;
}

TEST(FormatModem, ConnectedModemShowsItsAddresses)
{
    auto body = registered_modem;
    body.as_object()["connection"] = json::parse(R"json({"state": "connected", "interface": "wwan0",
        "ipv4": {"address": "100.64.0.2", "prefix_length": 30, "gateway": "100.64.0.1", "dns": ["100.64.0.53", "100.64.0.54"]},
        "ipv6": null, "mtu": 1500, "connected_since": "2026-11-29T13:00:00.000Z", "uptime_s": 125, "received_bytes": 2345678, "sent_bytes": 512,
        "last_error": ""})json");
    auto text = format_modem(body);
    for (auto expected : {
             "Connection\n  State         connected for 2m 5s\n  Interface     wwan0\n",
             "  IPv4          100.64.0.2/30\n    gateway     100.64.0.1\n    DNS         100.64.0.53, 100.64.0.54\n",
             "  MTU           1500\n  Traffic       2.3 MB received, 512 B sent\n",
         })
        EXPECT_NE(text.find(expected), std::string::npos) << "missing:\n" << expected << "in:\n" << text;
    EXPECT_EQ(text.find("Last error"), std::string::npos);

    auto summary = status_body;
    auto& first = summary.as_object()["modems"].as_array()[0].as_object();
    first["connection"] = "connected";
    first["address"] = "100.64.0.2";
    EXPECT_NE(format_status(summary).find("SINR 12 dB  online 100.64.0.2\n"), std::string::npos) << format_status(summary);
}

TEST(FormatModem, FailedModemShowsItsReasonAndLeavesOutWhatIsUnknown)
{
    auto text = format_modem(failed_modem);
    EXPECT_NE(text.find("  State         failed (wrong-pin)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("  Tries left    PIN 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("  no signal measured yet\n"), std::string::npos) << text;
    EXPECT_NE(text.find("(not in the vendor table; probed)"), std::string::npos) << text;
    EXPECT_EQ(text.find("ICCID"), std::string::npos) << text;
    EXPECT_EQ(text.find("TAC"), std::string::npos) << text;
    EXPECT_EQ(text.find("null"), std::string::npos) << text;
}

TEST(FormatSignal, LevelsCellAntennasAndCarriers)
{
    EXPECT_EQ(format_signal(registered_modem.at("signal")),
              "RSSI -65 dBm   RSRP -95 dBm (fair)   RSRQ -10 dB   SINR 12 dB (fair)\n"
              "Band 3   EARFCN 1300   PCI 123   measured 2.1 s ago\n"
              "RSRP per antenna: prx -95 dBm   drx -98 dBm\n"
              "Carriers (aggregated):\n"
              "  primary    LTE BAND 3   EARFCN 1300  20 MHz  PCI 123  RSRP -95 dBm   RSRQ -10 dB  SINR 12 dB\n"
              "  secondary  LTE BAND 20  EARFCN 6300  10 MHz  PCI 45   RSRP -101 dBm  RSRQ -12 dB\n");
}

TEST(FormatAtReply, LinesThenFinal)
{
    EXPECT_EQ(format_at_reply(json::parse(R"({"lines":["+CSQ: 24,99"],"final":"OK"})")), "+CSQ: 24,99\nOK\n");
    EXPECT_EQ(format_at_reply(json::parse(R"({"lines":[],"final":"+CME ERROR: 10","error":"SIM not inserted"})")),
              "+CME ERROR: 10  (SIM not inserted)\n");
}

TEST(FormatEvent, OneLinePerEvent)
{
    auto event = json::parse(R"({"kind":"state-changed","modem_id":"1-1","message":"searching -> registered",
        "time":"2024-05-01T12:00:00.123Z"})");
    EXPECT_EQ(format_event(event), "2024-05-01T12:00:00.123Z  1-1  state-changed  searching -> registered\n");
    EXPECT_EQ(format_events(json::array{event, event}), format_event(event) + format_event(event));
    EXPECT_EQ(format_events(json::array{}), "no events yet\n");
    // A WAN's event names the WAN.
    auto wan = json::parse(R"json({"kind":"wan-changed","modem_id":null,"wan":"fibre",
        "message":"up -> dead: link down (netlink)","time":"2024-05-01T12:00:01.000Z"})json");
    EXPECT_EQ(format_event(wan), "2024-05-01T12:00:01.000Z  fibre  wan-changed  up -> dead: link down (netlink)\n");
}

TEST(Format, WrongShapesNeverCrash)
{
    for (auto text : {"null", "1", "\"x\"", "[]", "{}", "[1,2]", R"({"modems":5,"signal":[],"identity":"x"})",
                      R"({"lines":[1,null],"final":3})", R"([{"id":5,"rsrp_dbm":"x"}])"}) {
        auto value = json::parse(text);
        format_status(value);
        format_modems(value);
        format_modem(value);
        format_signal(value);
        format_at_reply(value);
        format_connection_request(value);
        format_event(value);
        format_events(value);
        format_networks(value);
        format_profiles(value);
    }
}

TEST(FormatModem, RadioShowsWhatTheModemUsesAndWhyNot)
{
    auto body = registered_modem;
    body.as_object()["radio"] = json::parse(R"({"rat":"lte","lte_bands":[3,20],"selection":"manual",
        "operator":"23415","error":"the modem lacks LTE band 42"})");
    auto text = format_modem(body);
    for (auto expected : {"Radio\n  RAT           lte\n  LTE bands     3 20\n",
             "  Operator      23415 (chosen by hand)\n  Problem       the modem lacks LTE band 42\n"})
        EXPECT_NE(text.find(expected), std::string::npos) << "missing:\n" << expected << "in:\n" << text;
    body.as_object()["radio"] = json::parse(R"({"rat":null,"lte_bands":null,"selection":"automatic","operator":null,"error":null})");
    text = format_modem(body);
    EXPECT_NE(text.find("  LTE bands     (not controlled on this model)\n  Operator      automatic\n"), std::string::npos) << text;
    body.as_object()["radio"] = json::parse(R"({"rat":"5g","lte_bands":[1,3],"nr_bands":[41,78],"nsa_nr_bands":[78],
        "selection":"automatic","operator":null,"error":null})");
    text = format_modem(body);
    EXPECT_NE(text.find("  RAT           5g\n  LTE bands     1 3\n  5G NR bands   41 78\n  5G NSA bands  78\n"), std::string::npos) << text;
}

TEST(FormatNetworks, ATableAndHowToChoose)
{
    auto body = json::parse(R"json({"modem_id":"1-1","networks":[
        {"mcc_mnc":"23415","long_name":"Vodafone UK","short_name":"voda UK","status":"current","technology":"lte"},
        {"mcc_mnc":"23410","long_name":"O2 - UK","short_name":"O2","status":"forbidden","technology":"lte"}]})json");
    EXPECT_EQ(format_networks(body), "MCC-MNC  NAME         SHORT    TECHNOLOGY  STATUS\n"
                                     "23415    Vodafone UK  voda UK  LTE         current\n"
                                     "23410    O2 - UK      O2       LTE         forbidden\n"
                                     "Choose one by hand with `uplink profile set <profile> operator=<MCC-MNC>` (operator=auto undoes it)\n");
    EXPECT_EQ(format_networks(json::parse(R"({"modem_id":"1-1","networks":[]})")), "1-1: no network in reach\n");
}

// POST /v1/config: a restore's preview says what differs and what waits for a restart.
TEST(FormatConfigChange, ARestoreNamesTheSettingsAndTheRestart)
{
    auto body = json::parse(R"json({"applied":false,"changed":["poll_interval","profiles","web"],
        "restart_required":["web"],"changes":[{"modem_id":"1-1","wan":"wan1","action":"reconnect",
        "radio_action":"keep","differences":["apn: internet -> iot.example"],"before":null,"after":null}]})json");
    EXPECT_EQ(format_config_change(body), "Preview: nothing changed yet.\n"
                                          "  wan1 (1-1): reconnect — apn: internet -> iot.example\n"
                                          "  settings that differ: poll_interval, profiles, web\n"
                                          "  web would take effect only when uplinkd restarts\n");
}

TEST(Format, UptimeAndTechnology)
{
    EXPECT_EQ(format_uptime(0), "0s");
    EXPECT_EQ(format_uptime(59), "59s");
    EXPECT_EQ(format_uptime(3599), "59m 59s");
    EXPECT_EQ(format_uptime(86400 + 7200), "1d 2h");
    EXPECT_EQ(format_technology("lte"), "LTE");
    EXPECT_EQ(format_technology("5g-nsa"), "5G NSA");
    EXPECT_EQ(format_technology("unknown"), "");
}

TEST(FormatWans, OneLinePerWanWithItsReason)
{
    auto wans = json::parse(R"json([
        {"name":"fibre","interface":"eth1","state":"dead","reason":"link down (netlink)",
         "since":"2026-12-07T12:00:00.000Z","rtt_ms":12,"loss":0.25},
        {"name":"lte","interface":null,"state":"dead","reason":"the modem has no connection","since":null,
         "rtt_ms":null,"loss":null}])json");
    EXPECT_EQ(format_wans(wans),
              "WAN    INTERFACE  STATE  RTT    LOSS  SINCE                     WHY\n"
              "fibre  eth1       dead   12 ms  25 %  2026-12-07T12:00:00.000Z  link down (netlink)\n"
              "lte    -          dead                -                         the modem has no connection\n");
    EXPECT_EQ(format_wans(json::array {}), "no WANs configured: docs/failover.md says how (config wan, config policy)\n");
}

TEST(FormatTokens, ATableWithoutTheTokensAndTheNewOneShownOnce)
{
    auto listed = json::parse(R"({"tokens":[
        {"name":"prometheus","created":"2026-12-04T05:10:00Z","last_used":"2026-12-04T05:12:31Z","scopes":[]},
        {"name":"modem-script","created":"2026-12-05T08:00:00Z","last_used":null,"scopes":["console"]}]})");
    EXPECT_EQ(format_tokens(listed),
              "NAME          CREATED               LAST USED             SCOPES\n"
              "prometheus    2026-12-04T05:10:00Z  2026-12-04T05:12:31Z  -\n"
              "modem-script  2026-12-05T08:00:00Z  never                 console\n");
    EXPECT_EQ(format_tokens(json::parse(R"({"tokens":[]})")), "no API tokens: `uplink token create NAME` makes one\n");
    auto made = format_token_made(json::parse(
        R"({"name":"modem-script","token":"upl_3q2-7wR0d1bXk9yQ4v8N5mZcLpTfHsJaEeGiKoUuW2x","scopes":["console"]})"));
    EXPECT_EQ(made.rfind("API token 'modem-script' (scopes: console):\nupl_3q2-7wR0d1bXk9yQ4v8N5mZcLpTfHsJaEeGiKoUuW2x\n", 0),
              0u) << made;
    EXPECT_NE(made.find("only time it is shown"), std::string::npos) << made;
    EXPECT_EQ(format_token_revoked(json::parse(R"({"name":"prometheus","revoked":true})")),
              "API token 'prometheus' revoked: it no longer works\n");
}

} // namespace
} // namespace uplink::cli
