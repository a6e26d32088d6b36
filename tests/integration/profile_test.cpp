// Profiles bound to the SIM, against uplink-sim: which profile a SIM gets, the APN from the
// operator table, and changes applied live from the API, in any connection state, with no
// restart. Without root the modem has no wwan0, so a call the network accepted ends with
// "cannot configure wwan0", and one it refused with its 3GPP cause: that tells which APN was used.
#include "harness.hpp"
#include "support/eventually.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include <signal.h>

namespace uplink::testing {
namespace {

namespace json = boost::json;

bool accepted(const json::value& modem)
{
    return text(modem.at("connection"), "last_error").find("cannot configure wwan0") != std::string::npos;
}

bool refused(const json::value& modem)
{
    return text(modem.at("connection"), "last_error").find("cause 27") != std::string::npos;
}

class ProfileTest : public ::testing::Test {
protected:
    void start(std::string scenario, std::string connection, std::string extra_config = {})
    {
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_path(scenario));
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_,
            Daemon::Settings {.pin = "1234", .connection = std::move(connection), .extra_config = std::move(extra_config)});
    }

    json::value wait(const std::string& what, const std::function<bool(const json::value&)>& predicate)
    {
        return daemon_->wait_for_modem("1-1", what, predicate);
    }

    json::object post(const std::string& path, std::string_view body)
    {
        return daemon_->request("POST", path, json::parse(body));
    }

    TemporaryDirectory directory_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(ProfileTest, TheSimChoosesItsProfileByIccidThenByMccMnc)
{
    start("ec25-test.json", "\toption apn 'no.such.apn'\n",
        "config profile 'office'\n\toption apn 'internet'\n\toption pin '1234'\n"
        "config profile 'test_network'\n\toption apn 'internet'\n\toption pin '1234'\n\toption metric '300'\n"
        "config rule 'office_sims'\n\toption iccid '89440010'\n\toption profile 'office'\n"
        "config rule 'test_sims'\n\toption mcc_mnc '00101'\n\toption profile 'test_network'\n");
    auto modem = wait("the office profile in use", [](const json::value& modem) {
        return text(modem.at("settings"), "profile") == "office" && accepted(modem);
    });
    const auto& settings = modem.at("settings");
    EXPECT_EQ(text(settings, "rule"), "office_sims");
    EXPECT_EQ(text(settings, "reason"), "ICCID starts with 89440010");
    EXPECT_EQ(text(modem, "wan"), "wan1");

    // Without the ICCID rule, the next rule decides by the SIM's home network: live, no restart.
    auto pid = daemon_->process().pid();
    auto reply = post("/v1/rules/office_sims/delete", R"({"preview":false})");
    ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    const auto& change = reply.at("body").at("changes").at(0);
    EXPECT_EQ(text(change, "action"), "none"); // the same APN: the call stays
    EXPECT_EQ(change.at("differences"), json::parse(R"(["profile: office -> test_network", "metric: 200 -> 300"])"));
    modem = wait("the test_network profile in use", [](const json::value& modem) {
        return text(modem.at("settings"), "profile") == "test_network";
    });
    EXPECT_EQ(text(modem.at("settings"), "reason"), "MCC-MNC is 00101");
    EXPECT_EQ(modem.at("settings").at("connection").at("metric"), 300);
    EXPECT_EQ(daemon_->process().pid(), pid);
    EXPECT_TRUE(daemon_->process().running());
}

TEST_F(ProfileTest, ABlankApnComesFromTheOperatorTable)
{
    start("ec25-vodafone-test.json", "");
    auto modem = wait("a call with the table's APN", accepted);
    const auto& settings = modem.at("settings");
    EXPECT_EQ(text(settings, "apn_source"), "operator-table");
    EXPECT_EQ(text(settings, "apn_entry"), "23415 Vodafone");
    EXPECT_EQ(text(settings.at("connection"), "apn"), "internet");
    EXPECT_EQ(text(settings.at("connection"), "auth"), "pap-chap");
    EXPECT_EQ(settings.at("connection").at("password_set"), true);
    EXPECT_EQ(json::serialize(modem).find("\"web\"", json::serialize(modem).find("password")), std::string::npos);
}

// In an error state (the network refused the APN, waiting to retry): a preview says what will
// happen and changes nothing; applying it reconnects with the new APN at once (how soon is a
// figure of bench/modem_bench; the wait here only bounds a hang).
TEST_F(ProfileTest, AnApnChangedInAnErrorStateIsInEffectWithinSeconds)
{
    start("ec25-test.json", "\toption apn 'no.such.apn'\n");
    wait("the refused APN", refused);
    auto pid = daemon_->process().pid();
    auto preview = post("/v1/profiles/default", R"({"options":{"apn":"internet"}})");
    ASSERT_EQ(preview.at("status").as_int64(), 200) << json::serialize(preview);
    EXPECT_EQ(preview.at("body").at("applied"), false);
    const auto& change = preview.at("body").at("changes").at(0);
    EXPECT_EQ(text(change, "action"), "reconnect");
    EXPECT_EQ(change.at("differences"), json::parse(R"(["apn: no.such.apn -> internet"])"));
    auto modem = daemon_->get("/v1/modems/1-1");
    EXPECT_EQ(text(modem.at("settings").at("connection"), "apn"), "no.such.apn");

    auto applied = post("/v1/profiles/default", R"({"options":{"apn":"internet"},"preview":false})");
    ASSERT_EQ(applied.at("status").as_int64(), 200) << json::serialize(applied);
    EXPECT_EQ(applied.at("body").at("applied"), true);
    modem = wait("a call with the new APN", accepted);
    EXPECT_EQ(text(modem.at("settings").at("connection"), "apn"), "internet");
    EXPECT_EQ(daemon_->process().pid(), pid);
    EXPECT_TRUE(daemon_->process().running());
}

// The config file edited by hand (or by OpenWrt's `uci commit`) and SIGHUP: the same live apply
// as an API edit, no restart. A file with a mistake in it is refused whole and changes nothing.
TEST_F(ProfileTest, ASighupAppliesTheEditedConfigFileLive)
{
    start("ec25-test.json", "\toption apn 'no.such.apn'\n");
    wait("the refused APN", refused);
    auto pid = daemon_->process().pid();
    auto edit = [this](const std::string& from, const std::string& to) {
        std::string config;
        {
            std::ifstream in(daemon_->config());
            config.assign(std::istreambuf_iterator<char>(in), {});
        }
        auto at = config.find(from);
        ASSERT_NE(at, std::string::npos) << config;
        config.replace(at, from.size(), to);
        std::ofstream(daemon_->config(), std::ios::trunc) << config;
    };

    ASSERT_NO_FATAL_FAILURE(edit("\toption apn 'no.such.apn'\n", "\toption apn 'internet'\n\toption metric '300'\n"));
    ASSERT_EQ(::kill(pid, SIGHUP), 0);
    auto modem = wait("a call with the APN from the file", [](const json::value& modem) {
        return text(modem.at("settings").at("connection"), "apn") == "internet" && accepted(modem);
    });
    EXPECT_EQ(modem.at("settings").at("connection").at("metric"), 300);

    // A mistake: refused, and the running settings stay.
    ASSERT_NO_FATAL_FAILURE(edit("\toption metric '300'\n", "\toption metric 'high'\n\toption apn 'no.such.apn'\n"));
    ASSERT_EQ(::kill(pid, SIGHUP), 0);
    // A refusal is a log line, not an event: watched for, with a deadline.
    auto refusal_logged = [this] { return daemon_->process().errors().find("reload refused") != std::string::npos; };
    ASSERT_TRUE(eventually(refusal_logged, deadline_in(15s))) << daemon_->process().errors();
    modem = daemon_->get("/v1/modems/1-1");
    EXPECT_EQ(text(modem.at("settings").at("connection"), "apn"), "internet");
    EXPECT_EQ(modem.at("settings").at("connection").at("metric"), 300);
    EXPECT_EQ(daemon_->process().pid(), pid);
    EXPECT_TRUE(daemon_->process().running());
}

// While a call is on its way (every modem reply 1.5 s late), the new APN follows it at once.
TEST_F(ProfileTest, AnApnChangedWhileConnectingIsInEffectWithinSeconds)
{
    start("ec25-test.json", "\toption apn 'no.such.apn'\n");
    wait("registered", [](const json::value& modem) { return text(modem, "state") == "registered"; });
    emulator_->control({{"cmd", "latency"}, {"modem", "ec25"}, {"ms", 1500}});
    wait("connecting", [](const json::value& modem) { return text(modem.at("connection"), "state") == "connecting"; });
    auto applied = post("/v1/profiles/default", R"({"options":{"apn":"internet"},"preview":false})");
    ASSERT_EQ(applied.at("status").as_int64(), 200) << json::serialize(applied);
    EXPECT_EQ(text(applied.at("body").at("changes").at(0), "action"), "reconnect");
    emulator_->control({{"cmd", "latency"}, {"modem", "ec25"}, {"ms", nullptr}});
    wait("a call with the new APN", accepted);
}

// A backup taken with GET /v1/config and put back with a changed APN: previewed, refused while it
// has a mistake (the file and the running profile as they were), then in effect at once.
TEST_F(ProfileTest, ARestoredBackupIsInEffectAtOnceAndABadOneChangesNothing)
{
    start("ec25-test.json", "\toption apn 'no.such.apn'\n");
    wait("the refused APN", refused);
    auto pid = daemon_->process().pid();
    auto backup = daemon_->get("/v1/config");
    EXPECT_EQ(text(backup, "path"), daemon_->config().string());
    auto original = text(backup, "text");
    auto on_disk = [this] {
        std::ifstream file(daemon_->config());
        return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    };
    ASSERT_EQ(original, on_disk());
    auto restored = original;
    restored.replace(restored.find("no.such.apn"), 11, "internet");
    restored = "# restored from a backup\n" + restored;

    auto preview = daemon_->request("POST", "/v1/config", json::object {{"text", restored}});
    ASSERT_EQ(preview.at("status").as_int64(), 200) << json::serialize(preview);
    EXPECT_EQ(preview.at("body").at("applied"), false);
    EXPECT_EQ(preview.at("body").at("changed"), json::parse(R"(["profiles"])"));
    EXPECT_EQ(preview.at("body").at("restart_required"), json::array {});
    EXPECT_EQ(text(preview.at("body").at("changes").at(0), "action"), "reconnect");
    EXPECT_EQ(on_disk(), original);

    // The mistake is on the last line: the parser names it, and nothing changes.
    auto broken = restored + "\nconfig profile 'spare'\n\toption auth 'kerberos'\n";
    auto last_line = std::count(broken.begin(), broken.end(), '\n');
    auto refusal = daemon_->request("POST", "/v1/config", json::object {{"text", broken}, {"preview", false}});
    EXPECT_EQ(refusal.at("status").as_int64(), 400) << json::serialize(refusal);
    EXPECT_NE(text(refusal, "error").find(fmt::format("line {}: option 'auth'", last_line)), std::string::npos)
        << json::serialize(refusal);
    EXPECT_EQ(on_disk(), original);
    EXPECT_EQ(text(daemon_->get("/v1/profiles").at("profiles").at(0), "apn"), "no.such.apn");

    auto applied = daemon_->request("POST", "/v1/config", json::object {{"text", restored}, {"preview", false}});
    ASSERT_EQ(applied.at("status").as_int64(), 200) << json::serialize(applied);
    EXPECT_EQ(applied.at("body").at("applied"), true);
    EXPECT_EQ(on_disk(), restored);   // as sent, the comment kept
    auto modem = wait("the emulator's network accepting the restored APN", accepted);
    EXPECT_EQ(text(modem.at("settings").at("connection"), "apn"), "internet");
    EXPECT_EQ(daemon_->process().pid(), pid);
}

// The same with the CLI: a backup in a file of the user's (mode 0600), a restore shown, then applied.
TEST_F(ProfileTest, TheCliBacksUpAndRestoresTheConfig)
{
    start("ec25-test.json", "\toption apn 'no.such.apn'\n");
    wait("the refused APN", refused);
    auto backup = directory_.path() / "backup.conf";
    auto uplink = [this](std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {binary_path("uplink").string(), "--socket", daemon_->socket().string()});
        return run_command(arguments);
    };
    auto read = [](const std::filesystem::path& path) {
        std::ifstream file(path);
        return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    };
    auto saved = uplink({"config", "backup", backup.string()});
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    EXPECT_EQ(read(backup), read(daemon_->config()));
    EXPECT_EQ(std::filesystem::status(backup).permissions(),
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

    auto original = read(daemon_->config());
    auto changed = original;
    changed.replace(changed.find("no.such.apn"), 11, "internet");
    std::ofstream(backup) << changed;
    auto shown = uplink({"config", "restore", backup.string()});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_NE(shown.out.find("Preview: nothing changed yet.\n  wan1 (1-1): reconnect — apn: no.such.apn -> internet"),
        std::string::npos) << shown.out;
    EXPECT_EQ(read(daemon_->config()), original);

    auto applied = uplink({"config", "restore", backup.string(), "--apply"});
    EXPECT_EQ(applied.exit_code, 0) << applied.err;
    EXPECT_NE(applied.out.find("Saved and applied."), std::string::npos) << applied.out;
    EXPECT_EQ(read(daemon_->config()), changed);
    wait("a call with the restored APN", accepted);
}

TEST_F(ProfileTest, ABadEditIsRefusedAndTheRunningProfileStays)
{
    start("ec25-test.json", "\toption apn 'internet'\n");
    wait("the first call", accepted);
    auto reply = post("/v1/profiles/default", R"({"options":{"auth":"kerberos"},"preview":false})");
    EXPECT_EQ(reply.at("status").as_int64(), 400) << json::serialize(reply);
    EXPECT_NE(text(reply, "error").find("auth"), std::string::npos) << json::serialize(reply);
    auto profiles = daemon_->get("/v1/profiles");
    EXPECT_EQ(text(profiles.at("profiles").at(0), "auth"), "none");
}

} // namespace
} // namespace uplink::testing

namespace uplink::testing {
namespace {

// The SIM's PIN through the API, against the emulated SIM (PIN 1234, 3 tries): a wrong PIN costs
// one try and is never sent again; change, disable and enable with the right one.
TEST_F(ProfileTest, TheSimPinIsChangedAndAWrongOneNeverSentTwice)
{
    start("ec25-test.json", "\toption apn 'internet'\n");
    wait("registered", [](const json::value& modem) { return text(modem, "state") == "registered"; });
    auto pin_attempts = [this] { return emulator_->control({{"cmd", "counters"}}).at("pin_attempts").as_int64(); };
    auto attempts_before = pin_attempts();

    auto refused = post("/v1/modems/1-1/sim/pin", R"({"operation":"change","pin":"0000","new_pin":"5678"})");
    ASSERT_EQ(refused.at("status").as_int64(), 200) << json::serialize(refused);
    EXPECT_EQ(refused.at("body").at("accepted"), false);
    EXPECT_EQ(refused.at("body").at("sim").at("pin_retries"), 2);
    EXPECT_NE(text(refused.at("body"), "message").find("2 PIN attempts left"), std::string::npos);
    EXPECT_EQ(pin_attempts(), attempts_before + 1);

    auto again = post("/v1/modems/1-1/sim/pin", R"({"operation":"change","pin":"0000","new_pin":"5678"})");
    EXPECT_EQ(again.at("status").as_int64(), 409) << json::serialize(again);
    EXPECT_EQ(pin_attempts(), attempts_before + 1); // not sent

    auto changed = post("/v1/modems/1-1/sim/pin", R"({"operation":"change","pin":"1234","new_pin":"4321"})");
    ASSERT_EQ(changed.at("status").as_int64(), 200) << json::serialize(changed);
    EXPECT_EQ(changed.at("body").at("accepted"), true);
    EXPECT_EQ(changed.at("body").at("sim").at("pin_retries"), 3);

    auto disabled = post("/v1/modems/1-1/sim/pin", R"({"operation":"disable","pin":"4321"})");
    ASSERT_EQ(disabled.at("status").as_int64(), 200) << json::serialize(disabled);
    EXPECT_EQ(disabled.at("body").at("accepted"), true);
    EXPECT_EQ(disabled.at("body").at("sim").at("pin_enabled"), false);
    auto enabled = post("/v1/modems/1-1/sim/pin", R"({"operation":"enable","pin":"4321"})");
    ASSERT_EQ(enabled.at("status").as_int64(), 200) << json::serialize(enabled);
    EXPECT_EQ(enabled.at("body").at("sim").at("pin_enabled"), true);
    auto modem = daemon_->get("/v1/modems/1-1");
    EXPECT_EQ(modem.at("sim").at("pin_enabled"), true);
    EXPECT_EQ(json::serialize(modem).find("4321"), std::string::npos);

    // The dialogue has every PIN command, and none of the PINs.
    auto dialogue = daemon_->get("/v1/modems/1-1/dialogue");
    int pin_commands = 0;
    for (const auto& line : dialogue.as_array()) {
        auto sent = text(line, "text");
        if (text(line, "direction") != ">" || !(sent.starts_with("AT+CPIN=") || sent.starts_with("AT+CPWD=")
                                                   || sent.starts_with("AT+CLCK=\"SC\",0") || sent.starts_with("AT+CLCK=\"SC\",1")))
            continue;
        ++pin_commands;
        for (const auto* pin : {"1234", "4321", "0000", "5678"})
            EXPECT_EQ(sent.find(pin), std::string::npos) << sent;
    }
    EXPECT_EQ(pin_commands, 5); // the unlock, two changes, disable, enable
}

} // namespace
} // namespace uplink::testing

namespace uplink::testing {
namespace {

bool has_bands(const json::value& modem, std::string_view bands)
{
    return modem.at("radio").at("lte_bands") == json::parse(bands);
}

// Radio controls from the profile, against the emulated EC25 (LTE bands 1 3 5 7 8 20 38 40 41, its
// cell on band 3): RAT and band lock applied live, a lock that leaves out the cell's band takes
// the modem off it, and clearing the lock gives back the modem's own bands.
TEST_F(ProfileTest, ABandLockAppliesLiveAndClearingItRestoresTheModemsBands)
{
    start("ec25-test.json", "\toption apn 'internet'\n");
    auto all_bands = "[1,3,5,7,8,20,38,40,41]";
    auto modem = wait("registered with every band", [&](const json::value& modem) {
        return text(modem, "state") == "registered" && has_bands(modem, all_bands);
    });
    EXPECT_EQ(text(modem.at("radio"), "rat"), "auto");
    EXPECT_EQ(text(modem.at("radio"), "selection"), "automatic");
    auto pid = daemon_->process().pid();

    auto reply = post("/v1/profiles/default", R"({"options":{"rat":"lte","lte_bands":"20 3"},"preview":false})");
    ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    const auto& change = reply.at("body").at("changes").at(0);
    EXPECT_EQ(text(change, "action"), "none"); // no new call for a band lock
    EXPECT_EQ(text(change, "radio_action"), "apply");
    EXPECT_EQ(change.at("differences"), json::parse(R"(["rat: auto -> lte", "lte_bands: all -> 3 20"])"));
    modem = wait("locked to bands 3 and 20, LTE only", [](const json::value& modem) {
        return text(modem.at("radio"), "rat") == "lte" && has_bands(modem, "[3,20]");
    });
    EXPECT_TRUE(modem.at("radio").at("error").is_null()) << json::serialize(modem.at("radio"));
    auto band = post("/v1/modems/1-1/at", R"({"command":"AT+QCFG=\"band\""})");
    EXPECT_EQ(band.at("body").at("lines"), json::parse(R"(["+QCFG: \"band\",0x93,0x80004,0x0"])")) << json::serialize(band);

    post("/v1/profiles/default", R"({"options":{"lte_bands":"20"},"preview":false})");
    wait("off band 3, searching", [](const json::value& modem) {
        return has_bands(modem, "[20]") && text(modem.at("registration"), "state") == "searching";
    });

    post("/v1/profiles/default", R"({"options":{"lte_bands":"","rat":"auto"},"preview":false})");
    wait("every band back, registered and calling", [&](const json::value& modem) {
        return has_bands(modem, all_bands) && text(modem.at("radio"), "rat") == "auto"
            && text(modem, "state") == "registered" && accepted(modem);
    });
    EXPECT_EQ(daemon_->process().pid(), pid);
}

// The profile keeps the radio settings: they are in the config file, and a restarted daemon finds
// the modem as it left it and sends nothing.
TEST_F(ProfileTest, RadioSettingsArePersistedInTheProfile)
{
    start("ec25-test.json", "\toption apn 'internet'\n");
    wait("registered", [](const json::value& modem) { return text(modem, "state") == "registered"; });
    post("/v1/profiles/default", R"({"options":{"lte_bands":"3,7"},"preview":false})");
    wait("locked to 3 and 7", [](const json::value& modem) { return has_bands(modem, "[3,7]"); });
    std::ifstream file(daemon_->config());
    std::string config((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    EXPECT_NE(config.find("option lte_bands '3,7'"), std::string::npos) << config;

    daemon_->restart();
    auto modem = wait("locked to 3 and 7 after a restart", [](const json::value& modem) {
        return has_bands(modem, "[3,7]") && text(modem, "state") == "registered";
    });
    auto dialogue = daemon_->get("/v1/modems/1-1/dialogue");
    for (const auto& line : dialogue.as_array())
        EXPECT_FALSE(text(line, "text").starts_with("AT+QCFG=\"band\",")) << "a lock sent again: " << text(line, "text");
}

// A 5G module, the emulated RM520N (its cell on LTE band 3; the emulated network has no NR cells):
// RAT and LTE and 5G NR band locks through Quectel's AT+QNWPREFCFG, the NR lock on both its
// standalone and its with-LTE setting, and all of them given back when the profile clears them.
TEST_F(ProfileTest, A5gModemTakesItsRatAndNrBandLocksLive)
{
    start("rm520n-test.json", "\toption apn 'internet'\n");
    auto own_nr = json::parse("[1,2,3,5,7,8,12,13,14,18,20,25,26,28,29,30,38,40,41,48,66,70,71,75,76,77,78,79]");
    auto modem = wait("registered, every 5G band on", [&](const json::value& modem) {
        return text(modem, "state") == "registered" && modem.at("radio").at("nr_bands") == own_nr;
    });
    auto before = modem.at("radio");
    EXPECT_EQ(text(before, "rat"), "auto");
    EXPECT_EQ(before.at("nsa_nr_bands"), own_nr);

    auto reply = post("/v1/profiles/default", R"({"options":{"rat":"lte","lte_bands":"3 7","nr_bands":"78,41"},"preview":false})");
    ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    EXPECT_EQ(reply.at("body").at("changes").at(0).at("differences"),
        json::parse(R"(["rat: auto -> lte", "lte_bands: all -> 3 7", "nr_bands: all -> 41 78"])"));
    modem = wait("LTE only, locked", [](const json::value& modem) {
        const auto& radio = modem.at("radio");
        return text(radio, "rat") == "lte" && radio.at("lte_bands") == json::parse("[3,7]")
            && radio.at("nr_bands") == json::parse("[41,78]") && radio.at("nsa_nr_bands") == json::parse("[41,78]");
    });
    EXPECT_TRUE(modem.at("radio").at("error").is_null()) << json::serialize(modem.at("radio"));
    auto nr = post("/v1/modems/1-1/at", R"({"command":"AT+QNWPREFCFG=\"nr5g_band\""})");
    EXPECT_EQ(nr.at("body").at("lines"), json::parse(R"(["+QNWPREFCFG: \"nr5g_band\",41:78"])")) << json::serialize(nr);

    // 5G alone: no NR cell here, so the modem leaves its LTE cell.
    post("/v1/profiles/default", R"({"options":{"rat":"5g"},"preview":false})");
    wait("on 5G alone, searching", [](const json::value& modem) {
        return text(modem.at("radio"), "rat") == "5g" && text(modem.at("registration"), "state") == "searching";
    });

    post("/v1/profiles/default", R"({"options":{"rat":"","lte_bands":"","nr_bands":""},"preview":false})");
    wait("as it was, registered", [&](const json::value& modem) {
        return modem.at("radio") == before && text(modem, "state") == "registered";
    });
}

// An LTE module asked for 5G says it cannot, and keeps what it can do.
TEST_F(ProfileTest, AnLteModuleAskedFor5gSaysItHasNone)
{
    start("ec25-test.json", "\toption apn 'internet'\n");
    wait("registered", [](const json::value& modem) { return text(modem, "state") == "registered"; });
    post("/v1/profiles/default", R"({"options":{"rat":"5g","nr_bands":"78"},"preview":false})");
    auto modem = wait("a radio error", [](const json::value& modem) { return !modem.at("radio").at("error").is_null(); });
    const auto& radio = modem.at("radio");
    EXPECT_EQ(text(radio, "error"), "RAT 5g: the Quectel EC25/EG25/EC20 R2 has no such mode; 5G NR bands: the Quectel "
                                    "EC25/EG25/EC20 R2 has no 5G NR band control uplink knows (Quectel's AT+QNWPREFCFG)");
    EXPECT_EQ(text(radio, "rat"), "auto");
    EXPECT_TRUE(radio.at("nr_bands").is_null());
    EXPECT_EQ(text(modem, "state"), "registered");
}

TEST_F(ProfileTest, AnOperatorIsScannedAndChosenByHand)
{
    start("ec25-test.json", "\toption apn 'internet'\n");
    wait("registered", [](const json::value& modem) { return text(modem, "state") == "registered"; });
    auto scan = post("/v1/modems/1-1/scan", "null");
    ASSERT_EQ(scan.at("status").as_int64(), 200) << json::serialize(scan);
    EXPECT_EQ(scan.at("body").at("networks"), json::parse(R"([{"mcc_mnc":"00101","long_name":"Uplink Test UK",
        "short_name":"UPLINK","status":"current","technology":"lte"}])"));
    auto cli = run_command({binary_path("uplink"), "--socket", daemon_->socket().string(), "scan", "1-1"});
    EXPECT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_NE(cli.out.find("00101    Uplink Test UK  UPLINK  LTE         current"), std::string::npos) << cli.out;

    post("/v1/profiles/default", R"({"options":{"operator":"00101"},"preview":false})");
    wait("registered on 00101 by hand", [](const json::value& modem) {
        return text(modem.at("radio"), "selection") == "manual" && text(modem.at("radio"), "operator") == "00101"
            && text(modem, "state") == "registered";
    });

    // A network out of reach: the modem says so, and the API shows why the setting is not in effect.
    post("/v1/profiles/default", R"({"options":{"operator":"23415"},"preview":false})");
    auto modem = wait("23415 refused", [](const json::value& modem) {
        return text(modem.at("radio"), "error").find("operator 23415") != std::string::npos;
    });
    EXPECT_NE(text(modem.at("radio"), "error").find("no network service"), std::string::npos)
        << json::serialize(modem.at("radio"));

    post("/v1/profiles/default", R"({"options":{"operator":"auto"},"preview":false})");
    wait("automatic again", [](const json::value& modem) {
        return text(modem.at("radio"), "selection") == "automatic" && modem.at("radio").at("error").is_null()
            && text(modem, "state") == "registered";
    });
}

} // namespace
} // namespace uplink::testing
