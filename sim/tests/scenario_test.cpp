// Scenario files: the shipped ones parse, and each kind of mistake is named by its field.
#include "sim/scenario.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>

namespace uplink::sim {
namespace {

constexpr std::string_view minimal = R"({
  "operators": [{"mcc": "001", "mnc": "01", "long_name": "Uplink Test UK"}],
  "sims": [{"id": "card", "iccid": "8944001000000000012F", "imsi": "001010000000001"}],
  "modems": [{"id": "ec25", "imei": "866758040112340", "usb": {"path": "1-1"}, "sim": "card",
              "radio": {"band": 3, "earfcn": 1575}}]
})";

// The minimal scenario with one substring replaced.
std::string with(std::string_view from, std::string_view to)
{
    std::string text(minimal);
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
        text.replace(at, from.size(), to);
    return text;
}

std::string error_of(std::string_view text)
{
    std::string message;
    auto parsed = parse_scenario(text, message);
    EXPECT_FALSE(parsed) << "parsed: " << text;
    return message;
}

TEST(Scenario, ShippedScenariosParse)
{
    for (auto name : {"ec25-demo.json", "ec25-test.json", "ec25-nopin.json", "ec25-bench.json"}) {
        std::string message;
        auto parsed = load_scenario(std::string(UPLINK_SIM_SCENARIOS) + "/" + name, message);
        ASSERT_TRUE(parsed) << name << ": " << message;
        ASSERT_EQ(parsed->modems.size(), 1u) << name;
        const auto& modem = parsed->modems.front();
        EXPECT_EQ(modem.usb.vendor_id, "2c7c");
        EXPECT_EQ(modem.usb.product_id, "0125");
        ASSERT_TRUE(modem.sim);
        const auto* sim = parsed->find_sim(*modem.sim);
        ASSERT_NE(sim, nullptr);
        EXPECT_NE(parsed->home_operator(sim->imsi), nullptr) << name;
        EXPECT_EQ(modem.radio.operator_plmn, "00101");
    }
}

// An EC25 and an MC7455 on two ports of one hub, each with its own SIM on its own network.
TEST(Scenario, TwoModemScenariosParse)
{
    for (auto name : {"two-modems-test.json", "two-modems-demo.json"}) {
        std::string message;
        auto parsed = load_scenario(std::string(UPLINK_SIM_SCENARIOS) + "/" + name, message);
        ASSERT_TRUE(parsed) << name << ": " << message;
        ASSERT_EQ(parsed->modems.size(), 2u) << name;
        const auto& ec25 = parsed->modems[0];
        const auto& mc7455 = parsed->modems[1];
        EXPECT_EQ(ec25.profile->model, "EC25");
        EXPECT_EQ(ec25.usb.path, "1-1.2");
        EXPECT_EQ(ec25.usb.vendor_id + ":" + ec25.usb.product_id, "2c7c:0125");
        EXPECT_EQ(mc7455.profile->model, "MC7455");
        EXPECT_EQ(mc7455.model, "MC7455");
        EXPECT_EQ(mc7455.manufacturer, "Sierra Wireless, Incorporated");
        EXPECT_EQ(mc7455.usb.path, "1-1.3");
        EXPECT_EQ(mc7455.usb.vendor_id + ":" + mc7455.usb.product_id, "1199:9071");
        ASSERT_TRUE(ec25.sim && mc7455.sim);
        const auto* first = parsed->find_sim(*ec25.sim);
        const auto* second = parsed->find_sim(*mc7455.sim);
        EXPECT_NE(first->iccid, second->iccid);
        EXPECT_NE(first->imsi, second->imsi);
        const auto* first_home = parsed->home_operator(first->imsi);
        const auto* second_home = parsed->home_operator(second->imsi);
        ASSERT_TRUE(first_home && second_home) << name;
        EXPECT_NE(first_home, second_home);
        EXPECT_EQ(ec25.radio.operator_plmn, first_home->plmn());
        EXPECT_EQ(mc7455.radio.operator_plmn, second_home->plmn());
        ASSERT_FALSE(second_home->apns.empty());
        EXPECT_NE(first_home->apns.front().name, second_home->apns.front().name);
    }
    std::string message;
    auto demo = load_scenario(std::string(UPLINK_SIM_SCENARIOS) + "/two-modems-demo.json", message);
    ASSERT_TRUE(demo) << message;
    for (const auto& modem : demo->modems) {
        ASSERT_TRUE(modem.data_path) << modem.id;
        EXPECT_EQ(modem.data_path->namespace_name, "uplink-demo-router");
        EXPECT_EQ(modem.data_path->carrier_namespace, "uplink-demo-carrier");
    }
}

TEST(Scenario, DemoHasTheAdvertisedValues)
{
    std::string message;
    auto demo = load_scenario(std::string(UPLINK_SIM_SCENARIOS) + "/ec25-demo.json", message);
    ASSERT_TRUE(demo) << message;
    const auto& modem = demo->modems.front();
    EXPECT_EQ(modem.model, "EC25");
    EXPECT_EQ(modem.timings.boot, Duration(1500));
    EXPECT_EQ(modem.timings.latency, Duration(20));
    EXPECT_EQ(modem.timings.attach, Duration(1000));
    EXPECT_EQ(modem.radio.primary.band, 3);
    const auto& sim = *demo->find_sim(*modem.sim);
    EXPECT_TRUE(sim.pin_enabled);
    EXPECT_EQ(sim.pin, "1234");
    EXPECT_EQ(sim.iccid.size(), 20u);
    EXPECT_EQ(sim.iccid.back(), 'F');
    ASSERT_EQ(modem.timeline.size(), 2u);
    EXPECT_EQ(modem.timeline[0].after, Duration(60000));
    EXPECT_EQ(modem.timeline[0].set.rsrp, -101);
    // scripts/demo makes these namespaces.
    ASSERT_TRUE(modem.data_path);
    EXPECT_EQ(modem.data_path->namespace_name, "uplink-demo-router");
}

TEST(Scenario, DocumentedExampleParses)
{
    std::ifstream file(std::string(UPLINK_SOURCE_DIR) + "/docs/scenario.md");
    std::stringstream text;
    text << file.rdbuf();
    auto document = text.str();
    auto start = document.find("```json\n");
    ASSERT_NE(start, std::string::npos);
    start += 8;
    auto example = document.substr(start, document.find("```", start) - start);
    std::string message;
    auto parsed = parse_scenario(example, message);
    ASSERT_TRUE(parsed) << message;
    EXPECT_EQ(parsed->sims.size(), 2u);
    EXPECT_EQ(parsed->modems.front().timeline.size(), 4u);
    EXPECT_TRUE(parsed->modems.front().radio.secondary);
}

TEST(Scenario, DefaultsAndDerivedValues)
{
    std::string message;
    auto parsed = parse_scenario(minimal, message);
    ASSERT_TRUE(parsed) << message;
    const auto& modem = parsed->modems.front();
    EXPECT_EQ(modem.manufacturer, "Quectel");
    EXPECT_EQ(modem.radio.operator_plmn, "00101"); // the SIM's home network
    EXPECT_EQ(modem.lte_bands.size(), 9u);
    EXPECT_TRUE(modem.plugged);
    EXPECT_EQ(parsed->sims.front().pin_retries, 3);
    EXPECT_EQ(parsed->sims.front().puk_retries, 10);
    EXPECT_EQ(parsed->operators.front().short_name, "Uplink Test UK");
}

TEST(Scenario, HexAndIntegerCellIdentity)
{
    std::string message;
    auto parsed = parse_scenario(
        with(R"("earfcn": 1575)", R"("earfcn": 1575, "cell_id": "0x1A2B3C4", "tac": 55015)"),
        message);
    ASSERT_TRUE(parsed) << message;
    EXPECT_EQ(parsed->modems.front().radio.cell_id, 0x1A2B3C4u);
    EXPECT_EQ(parsed->modems.front().radio.tac, 55015u);
}

TEST(Scenario, DataPathNamesTheNamespaces)
{
    std::string message;
    auto parsed = parse_scenario(with(R"("sim": "card")",
                                     R"("sim": "card", "data_path": {"namespace": "router", "carrier_namespace": "carrier"})"),
        message);
    ASSERT_TRUE(parsed) << message;
    ASSERT_TRUE(parsed->modems.front().data_path);
    EXPECT_EQ(parsed->modems.front().data_path->namespace_name, "router");
    EXPECT_EQ(parsed->modems.front().data_path->carrier_namespace, "carrier");
    EXPECT_FALSE(parse_scenario(minimal, message)->modems.front().data_path);
}

struct BadCase {
    const char* name;
    std::string text;
    const char* message;
};

TEST(Scenario, BadFilesNameTheField)
{
    // The MC7455 has no band 38 (the EC25-E has).
    auto mc7455_on_band_38 = with(R"("imei")", R"("model": "MC7455", "imei")");
    constexpr std::string_view band_3 = R"("band": 3)";
    mc7455_on_band_38.replace(mc7455_on_band_38.find(band_3), band_3.size(), R"("band": 38)");
    const std::vector<BadCase> cases {
        {"not json", "{\"modems\": [", "not valid JSON (line 1)"},
        {"not an object", "[]", "the scenario must be a JSON object"},
        {"no modems", R"({"operators": [{"mcc": "001", "mnc": "01", "long_name": "x"}]})",
            "modems: missing"},
        {"unknown top-level field", with(R"("modems": [{)", R"("modems": [], "x": [{)"),
            "x: unknown field"},
        {"empty modems",
            R"({"modems": [], "operators": [{"mcc": "001", "mnc": "01", "long_name": "x"}]})",
            "modems: needs at least one modem"},
        {"unknown field", with(R"("imei")", R"("imie": "1", "imei")"),
            "modems[0].imie: unknown field"},
        {"short imei", with("866758040112340", "12345"), "modems[0].imei: expected 15 digits"},
        {"bad iccid", with("8944001000000000012F", "89X4"),
            "sims[0].iccid: expected 19 or 20 characters"},
        {"bad imsi", with("001010000000001", "00101abc"), "sims[0].imsi: expected 6 to 15 digits"},
        {"bad pin",
            with(R"("imsi": "001010000000001")", R"("imsi": "001010000000001", "pin": "12")"),
            "sims[0].pin: expected 4 to 8 digits"},
        {"unknown sim", with(R"("sim": "card")", R"("sim": "other")"),
            "modems[0].sim: no SIM with id \"other\""},
        {"band not supported", with(R"("band": 3)", R"("band": 28)"),
            "modems[0].radio.band: band 28 is not in lte_bands"},
        {"bad earfcn", with("1575", "-1"), "modems[0].radio.earfcn: expected an integer 0..262143"},
        {"bad rsrp", with(R"("earfcn": 1575)", R"("earfcn": 1575, "rsrp": -20)"),
            "modems[0].radio.rsrp: expected an integer -140..-44"},
        {"bad technology", with(R"("band": 3)", R"("technology": "NR5G", "band": 3)"),
            "modems[0].radio.technology: only \"LTE\""},
        {"unknown operator", with(R"("band": 3)", R"("operator": "00199", "band": 3)"),
            "modems[0].radio.operator: no operator 00199"},
        {"bad usb path", with(R"("path": "1-1")", R"("path": "2-1")"),
            "modems[0].usb.path: expected <busnum>-<port>"},
        {"bad usb id", with(R"("path": "1-1")", R"("path": "1-1", "id": "2c7c-0125")"),
            "modems[0].usb.id: expected VID:PID"},
        {"no radio", with(R"("radio")", R"("_radio")"), "modems[0].radio: missing"},
        {"bad timing", with(R"("sim": "card")", R"("sim": "card", "timings": {"boot_ms": -5})"),
            "modems[0].timings.boot_ms: expected an integer 0..600000"},
        {"unknown timing", with(R"("sim": "card")", R"("sim": "card", "timings": {"boot": 5})"),
            "modems[0].timings.boot: unknown field"},
        {"data path without carrier",
            with(R"("sim": "card")", R"("sim": "card", "data_path": {"namespace": "r"})"),
            "modems[0].data_path.carrier_namespace: missing"},
        {"data path bad name",
            with(R"("sim": "card")",
                R"("sim": "card", "data_path": {"namespace": "../x", "carrier_namespace": "c"})"),
            "modems[0].data_path.namespace: expected 1 to 64 letters"},
        {"empty timeline set",
            with(R"("sim": "card")", R"("sim": "card", "timeline": [{"after_ms": 5, "set": {}}])"),
            "modems[0].timeline[0].set: changes nothing"},
        {"bad timeline field",
            with(R"("sim": "card")",
                R"("sim": "card", "timeline": [{"after_ms": 5, "set": {"rsrp": "x"}}])"),
            "modems[0].timeline[0].set.rsrp: expected an integer"},
        {"bad apn mtu",
            with(R"("long_name": "Uplink Test UK")",
                R"("long_name": "Uplink Test UK", "apns": [{"name": "internet", "mtu": 100}])"),
            "operators[0].apns[0].mtu: expected an integer 576..65535"},
        {"bad mcc", with(R"("mcc": "001")", R"("mcc": "1")"),
            "operators[0].mcc: expected 3 digits"},
        {"bad qrsrp", with(R"("sim": "card")", R"("sim": "card", "qrsrp": "maybe")"),
            "modems[0].qrsrp: expected \"supported\" or \"error\""},
        {"bad bandwidth", with(R"("earfcn": 1575)", R"("earfcn": 1575, "bandwidth_mhz": 7)"),
            "modems[0].radio.bandwidth_mhz: expected one of"},
        {"unknown model", with(R"("imei")", R"("model": "EG25", "imei")"),
            "modems[0].model: \"EG25\" is not emulated: expected one of EC25, MC7455"},
        {"band the model lacks", mc7455_on_band_38,
            "modems[0].radio.band: band 38 is not in lte_bands"},
    };
    for (const auto& bad : cases) {
        auto message = error_of(bad.text);
        EXPECT_NE(message.find(bad.message), std::string::npos)
            << bad.name << ": got \"" << message << "\"";
    }
}

TEST(Scenario, DuplicatesAreRejected)
{
    std::string two_modems(minimal);
    auto modem = std::string(R"({"id": "ec25", "imei": "866758040112340", "usb": {"path": "1-2"},)"
                             R"( "radio": {"band": 3, "earfcn": 1575}})");
    two_modems.insert(two_modems.rfind(']'), ", " + modem);
    EXPECT_NE(error_of(two_modems).find("modems[1].id: \"ec25\" is used twice"), std::string::npos);
}

TEST(Scenario, MissingFileIsAnIoError)
{
    std::string message;
    auto parsed = load_scenario("/nonexistent/scenario.json", message);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error(), make_error_code(ScenarioErrc::Io));
    EXPECT_NE(message.find("cannot read"), std::string::npos);
}

TEST(Scenario, RadioPatchApplies)
{
    Radio radio;
    RadioPatch patch;
    patch.rsrp = -110;
    patch.secondary = Carrier {20, 6300, 1, 10, -100, -12, -70, 3};
    patch.apply_to(radio);
    EXPECT_EQ(radio.primary.rsrp, -110);
    ASSERT_TRUE(radio.secondary);
    EXPECT_EQ(radio.secondary->band, 20);
    patch = RadioPatch {};
    EXPECT_TRUE(patch.empty());
    patch.secondary = std::optional<Carrier> {};
    patch.apply_to(radio);
    EXPECT_FALSE(radio.secondary);
    EXPECT_EQ(to_string(QrsrpSupport::Error), "error");
}

} // namespace
} // namespace uplink::sim
