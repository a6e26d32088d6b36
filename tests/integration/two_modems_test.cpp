// uplinkd with two modems at once (scenarios/two-modems-test.json): a Quectel EC25 on USB port
// 1-1.2 and a Sierra Wireless MC7455 on 1-1.3, each with its own SIM, PIN and network. Each is
// managed on its own (the MC7455 through the generic AT path, with none of Quectel's
// commands), both register, and unplugging one leaves the other registered and untouched.
#include "harness.hpp"

#include "scenario.hpp" // uplink-sim's scenario: the expected values come from the same file

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace uplink::testing {
namespace {

namespace json = boost::json;

std::int64_t number(const json::value& value, std::string_view key)
{
    const auto* field = value.is_object() ? value.as_object().if_contains(key) : nullptr;
    return field && field->is_int64() ? field->as_int64() : INT64_MIN;
}

bool registered_with_operator(const json::value& modem)
{
    return text(modem, "state") == "registered"
        && !text(modem.as_object().at("registration"), "operator_id").empty();
}

std::int64_t count_of(const json::object& counters, std::string_view command)
{
    const auto* field = counters.at("commands_by_name").as_object().if_contains(command);
    return field ? field->as_int64() : 0;
}

class TwoModemsTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string message;
        auto parsed = sim::load_scenario(scenario_path("two-modems-test.json").string(), message);
        ASSERT_TRUE(parsed) << message;
        scenario_ = *parsed;
        ASSERT_EQ(scenario_.modems.size(), 2u);
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_path("two-modems-test.json"));
        // One profile per SIM, with its PIN, chosen by a rule on the start of its ICCID.
        std::string profiles;
        for (const auto& modem : scenario_.modems) {
            const auto& sim = *scenario_.find_sim(*modem.sim);
            profiles += "config profile '" + profile_of(modem) + "'\n\toption pin '" + sim.pin + "'\n\n"
                + "config rule\n\toption iccid '" + sim.iccid.substr(0, 8) + "'\n\toption profile '"
                + profile_of(modem) + "'\n\n";
        }
        Daemon::Settings settings;
        settings.extra_config = profiles;
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, settings);
    }

    static std::string profile_of(const sim::ModemSpec& modem) { return modem.id + "_sim"; }

    const sim::ModemSpec& spec(std::string_view id) const
    {
        for (const auto& modem : scenario_.modems)
            if (modem.id == id)
                return modem;
        throw std::out_of_range(std::string(id));
    }

    json::value wait_registered(const sim::ModemSpec& modem)
    {
        return daemon_->wait_for_modem(modem.usb.path, modem.id + " registered with its operator",
                                       registered_with_operator);
    }

    // What uplinkd reports for one modem against what the scenario says about it.
    void expect_scenario_values(const json::value& reported, const sim::ModemSpec& modem)
    {
        SCOPED_TRACE(modem.id);
        EXPECT_EQ(text(reported, "id"), modem.usb.path);
        const auto& identity = reported.at("identity");
        EXPECT_EQ(text(identity, "manufacturer"), modem.manufacturer);
        EXPECT_EQ(text(identity, "model"), modem.model);
        EXPECT_EQ(text(identity, "revision"), modem.revision);
        EXPECT_EQ(text(identity, "imei"), modem.imei);

        const auto& sim_spec = *scenario_.find_sim(*modem.sim);
        auto iccid = sim_spec.iccid;
        if (iccid.ends_with('F'))
            iccid.pop_back();
        const auto& sim = reported.at("sim");
        EXPECT_EQ(text(sim, "state"), "ready");
        EXPECT_EQ(text(sim, "iccid"), iccid);
        EXPECT_EQ(text(sim, "imsi"), sim_spec.imsi);
        const auto* home = scenario_.home_operator(sim_spec.imsi);
        ASSERT_NE(home, nullptr);
        EXPECT_EQ(text(sim, "operator_id"), home->plmn());

        const auto& registration = reported.at("registration");
        EXPECT_EQ(text(registration, "state"), "home");
        EXPECT_EQ(text(registration, "technology"), "lte");
        EXPECT_EQ(text(registration, "operator_name"), home->long_name);
        EXPECT_EQ(text(registration, "operator_id"), home->plmn());
        EXPECT_EQ(number(registration, "tac"), modem.radio.tac);
        EXPECT_EQ(number(registration, "cell_id"), modem.radio.cell_id);

        const auto& device = reported.at("device");
        EXPECT_EQ(text(device, "vendor_id"), modem.usb.vendor_id);
        EXPECT_EQ(text(device, "product_id"), modem.usb.product_id);
        EXPECT_EQ(text(reported.at("settings"), "profile"), profile_of(modem))
            << json::serialize(reported.at("settings"));
    }

    // The device's port with `name`, as uplinkd reports it.
    static std::string role_of(const json::value& reported, const std::string& name)
    {
        for (const auto& port : reported.at("device").at("ports").as_array())
            if (text(port, "name") == name)
                return text(port, "role");
        return "(absent)";
    }

    TemporaryDirectory directory_;
    sim::Scenario scenario_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(TwoModemsTest, EachModemShowsItsOwnIdentityAndSim)
{
    const auto& ec25 = spec("ec25");
    const auto& mc7455 = spec("mc7455");
    auto quectel = wait_registered(ec25);
    auto sierra = wait_registered(mc7455);
    ASSERT_TRUE(registered_with_operator(quectel));
    ASSERT_TRUE(registered_with_operator(sierra));
    expect_scenario_values(quectel, ec25);
    expect_scenario_values(sierra, mc7455);

    // The vendor table's ports: EC25 ttyUSB0..3 + cdc-wdm0; MC7455 (qcserial SWI layout, plugged
    // second) ttyUSB4 diag, ttyUSB5 nmea, ttyUSB6 at, cdc-wdm1 qmi.
    EXPECT_EQ(role_of(quectel, "ttyUSB2"), "at");
    EXPECT_EQ(role_of(quectel, "cdc-wdm0"), "qmi");
    EXPECT_EQ(role_of(sierra, "ttyUSB4"), "diag");
    EXPECT_EQ(role_of(sierra, "ttyUSB5"), "nmea");
    EXPECT_EQ(role_of(sierra, "ttyUSB6"), "at");
    EXPECT_EQ(role_of(sierra, "cdc-wdm1"), "qmi");
    EXPECT_EQ(role_of(sierra, "wwan1"), "net");
    // Two WANs, numbered by USB port path.
    EXPECT_FALSE(text(quectel, "wan").empty());
    EXPECT_FALSE(text(sierra, "wan").empty());
    EXPECT_NE(text(quectel, "wan"), text(sierra, "wan"));

    // Signal: the EC25's from AT+QENG, the MC7455's from the standard AT+CESQ.
    sierra = daemon_->wait_for_modem(mc7455.usb.path, "the MC7455's signal", [](const json::value& value) {
        return !value.at("signal").at("rsrp_dbm").is_null();
    });
    EXPECT_EQ(number(sierra.at("signal"), "rsrp_dbm"), mc7455.radio.primary.rsrp);
    EXPECT_EQ(number(sierra.at("signal"), "rsrq_db"), mc7455.radio.primary.rsrq);
    quectel = daemon_->wait_for_modem(ec25.usb.path, "the EC25's signal", [](const json::value& value) {
        return !value.at("signal").at("rsrp_dbm").is_null();
    });
    EXPECT_EQ(number(quectel.at("signal"), "rsrp_dbm"), ec25.radio.primary.rsrp);
    EXPECT_EQ(number(quectel.at("signal"), "band"), ec25.radio.primary.band);

    // uplinkd spoke the generic dialect to the MC7455: no Quectel command, the ICCID by
    // AT+ICCID (vendors.uci), each SIM given its own PIN once.
    auto counters = emulator_->control({{"cmd", "counters"}, {"modem", "mc7455"}});
    for (const auto& [name, count] : counters.at("commands_by_name").as_object())
        EXPECT_FALSE(name.starts_with("AT+Q")) << "uplinkd sent " << name << " to the MC7455";
    EXPECT_GE(count_of(counters, "AT+ICCID"), 1);
    EXPECT_GE(count_of(counters, "AT+CESQ"), 1);
    EXPECT_EQ(counters.at("pin_attempts").as_int64(), 1);
    EXPECT_EQ(emulator_->control({{"cmd", "counters"}, {"modem", "ec25"}}).at("pin_attempts").as_int64(), 1);

    auto result = run_command({binary_path("uplink"), "--socket", daemon_->socket().string(), "--json", "status"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto status = json::parse(result.out);
    ASSERT_EQ(status.at("modems").as_array().size(), 2u) << result.out;
}

TEST_F(TwoModemsTest, UnpluggingOneLeavesTheOtherRegisteredAndUntouched)
{
    const auto& ec25 = spec("ec25");
    const auto& mc7455 = spec("mc7455");
    auto before = wait_registered(ec25);
    ASSERT_TRUE(registered_with_operator(before));
    ASSERT_TRUE(registered_with_operator(wait_registered(mc7455)));
    for (const auto& [gone, stays] : {std::pair {&mc7455, &ec25}, std::pair {&ec25, &mc7455}}) {
        SCOPED_TRACE("unplug " + gone->id);
        // Whatever re-initialized the modem that stays would show in its counters: an AT+CPIN?
        // or a PIN sent again.
        auto counters_before = emulator_->control({{"cmd", "counters"}, {"modem", stays->id}});
        emulator_->control({{"cmd", "unplug"}, {"modem", gone->id}});
        daemon_->wait_for_absence(gone->usb.path);
        auto kept = daemon_->get("/v1/modems/" + stays->usb.path);
        EXPECT_EQ(text(kept, "state"), "registered") << json::serialize(kept);
        // It keeps being polled: a change in its signal still arrives.
        emulator_->control({{"cmd", "set-signal"}, {"modem", stays->id}, {"rsrp", -101}, {"rsrq", -15}});
        kept = daemon_->wait_for_modem(stays->usb.path, stays->id + " RSRP -101", [](const json::value& value) {
            return number(value.at("signal"), "rsrp_dbm") == -101;
        });
        EXPECT_EQ(text(kept, "state"), "registered");
        auto counters_after = emulator_->control({{"cmd", "counters"}, {"modem", stays->id}});
        EXPECT_EQ(count_of(counters_after, "AT+CPIN"), count_of(counters_before, "AT+CPIN"));
        EXPECT_EQ(counters_after.at("pin_attempts"), counters_before.at("pin_attempts"));

        emulator_->control({{"cmd", "replug"}, {"modem", gone->id}});
        auto back = wait_registered(*gone);
        ASSERT_TRUE(registered_with_operator(back));
        expect_scenario_values(back, *gone);
        emulator_->control({{"cmd", "set-signal"}, {"modem", stays->id}, {"rsrp", stays->radio.primary.rsrp},
                            {"rsrq", stays->radio.primary.rsrq}});
    }
    auto after = daemon_->get("/v1/modems/" + ec25.usb.path);
    EXPECT_EQ(after.at("identity"), before.at("identity"));
    EXPECT_EQ(text(after.at("sim"), "iccid"), text(before.at("sim"), "iccid"));
}

// Each modem takes its own profile's radio settings, in its own dialect: the EC25 with Quectel's
// AT+QCFG, the MC7455 (no Quectel commands) over QMI's NAS system selection; clearing them gives
// the MC7455 its own RAT preference and bands back.
TEST_F(TwoModemsTest, EachModemAppliesItsOwnRadioSettings)
{
    const auto& ec25 = spec("ec25");
    const auto& mc7455 = spec("mc7455");
    wait_registered(ec25);
    auto sierra_before = wait_registered(mc7455);
    auto edit = [this](const sim::ModemSpec& modem, json::object options) {
        auto reply = daemon_->request("POST", "/v1/profiles/" + profile_of(modem),
            json::object {{"options", std::move(options)}, {"preview", false}});
        ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    };
    edit(ec25, {{"rat", "lte"}, {"lte_bands", std::to_string(ec25.radio.primary.band)}});
    auto sierra_home = scenario_.home_operator(scenario_.find_sim(*mc7455.sim)->imsi)->plmn();
    edit(mc7455, {{"rat", "lte"}, {"lte_bands", std::to_string(mc7455.radio.primary.band)}, {"operator", sierra_home}});

    for (const auto* modem : {&ec25, &mc7455}) {
        auto locked = daemon_->wait_for_modem(modem->usb.path, modem->id + " on LTE, locked to its band",
            [&](const json::value& value) {
                const auto& radio = value.at("radio");
                return text(radio, "rat") == "lte" && radio.at("lte_bands") == json::array {modem->radio.primary.band};
            });
        EXPECT_TRUE(locked.at("radio").at("error").is_null()) << json::serialize(locked.at("radio"));
    }
    auto sierra = daemon_->get("/v1/modems/" + mc7455.usb.path);
    EXPECT_EQ(text(sierra.at("radio"), "selection"), "manual");
    EXPECT_EQ(text(sierra.at("radio"), "operator"), sierra_home);
    for (const auto* modem : {&ec25, &mc7455})
        EXPECT_EQ(text(daemon_->get("/v1/modems/" + modem->usb.path), "state"), "registered") << modem->id;

    edit(mc7455, {{"rat", nullptr}, {"lte_bands", nullptr}, {"operator", nullptr}});
    daemon_->wait_for_modem(mc7455.usb.path, "the MC7455 as it was", [&](const json::value& value) {
        return value.at("radio") == sierra_before.at("radio");
    });
}

// A WAN number belongs to the USB port, not to the order modems are found in: with the modem
// holding WAN1 unplugged while uplinkd restarts, the other keeps its number (not the lowest
// free one), and the first gets WAN1 back when it returns. Firewall zones and routes name them.
TEST_F(TwoModemsTest, EachUsbPortKeepsItsWanNumberAcrossRestarts)
{
    std::map<std::string, std::string> wan_of; // USB path -> "wan1"
    for (const auto& modem : scenario_.modems)
        wan_of[modem.usb.path] = text(wait_registered(modem), "wan");
    std::set<std::string> numbers;
    for (const auto& [path, wan] : wan_of)
        numbers.insert(wan);
    ASSERT_EQ(numbers, (std::set<std::string> {"wan1", "wan2"}));
    const auto& first = *std::find_if(scenario_.modems.begin(), scenario_.modems.end(),
        [&wan_of](const sim::ModemSpec& modem) { return wan_of[modem.usb.path] == "wan1"; });
    const auto& second = &first == &scenario_.modems[0] ? scenario_.modems[1] : scenario_.modems[0];

    daemon_->stop();
    emulator_->control({{"cmd", "unplug"}, {"modem", first.id}});
    daemon_->start();
    auto alone = wait_registered(second);
    EXPECT_EQ(text(alone, "wan"), "wan2") << second.usb.path << " took another number with " << first.usb.path << " empty";
    ASSERT_EQ(daemon_->get("/v1/modems").as_array().size(), 1u);

    emulator_->control({{"cmd", "replug"}, {"modem", first.id}});
    EXPECT_EQ(text(wait_registered(first), "wan"), "wan1");
    EXPECT_EQ(text(daemon_->get("/v1/modems/" + second.usb.path), "wan"), "wan2");

    // And again with both present from the start.
    daemon_->restart();
    for (const auto& modem : scenario_.modems)
        EXPECT_EQ(text(wait_registered(modem), "wan"), wan_of[modem.usb.path]) << modem.usb.path;
}

} // namespace
} // namespace uplink::testing
