// Every `uplink` command (docs/cli.md) against a running uplinkd and uplink-sim: each with --json
// exits 0 and prints one JSON document that agrees with the scenario or with the API; a bad
// argument exits non-zero and says what was wrong.
#include "harness.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

namespace uplink::testing {
namespace {

namespace json = boost::json;

class CliTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_path("ec25-test.json"));
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, Daemon::Settings {.pin = "1234"});
        daemon_->wait_for_modem("1-1", "registered", [](const json::value& modem) {
            return text(modem, "state") == "registered";
        });
    }

    std::vector<std::string> command_line(std::vector<std::string> arguments) const
    {
        arguments.insert(arguments.begin(), {binary_path("uplink").string(), "--socket", daemon_->socket().string()});
        return arguments;
    }

    // `uplink --json <arguments>`: must exit 0 and print one JSON document.
    json::value json_of(std::vector<std::string> arguments)
    {
        arguments.insert(arguments.begin(), "--json");
        auto result = run_command(command_line(arguments));
        std::string shown;
        for (const auto& argument : arguments)
            shown += " " + argument;
        EXPECT_EQ(result.exit_code, 0) << "uplink" << shown << ": " << result.err << result.out;
        json::error_code error;
        auto parsed = json::parse(result.out, error);
        EXPECT_FALSE(error) << "uplink" << shown << " printed no JSON: " << result.out;
        return error ? json::value(nullptr) : parsed;
    }

    // The same with `input` on stdin (PINs and passwords are never arguments).
    json::value json_with_input(const std::string& input, std::vector<std::string> arguments)
    {
        auto file = directory_.path() / "stdin";
        std::ofstream(file) << input;
        arguments.insert(arguments.begin(), "--json");
        std::string line;
        for (const auto& argument : command_line(arguments))
            line += "'" + argument + "' ";
        auto result = run_command({"sh", "-c", line + "< '" + file.string() + "'"});
        EXPECT_EQ(result.exit_code, 0) << line << ": " << result.err << result.out;
        json::error_code error;
        auto parsed = json::parse(result.out, error);
        EXPECT_FALSE(error) << line << " printed no JSON: " << result.out;
        return error ? json::value(nullptr) : parsed;
    }

    TemporaryDirectory directory_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(CliTest, EveryCommandAnswersInJsonWhatTheDaemonKnows)
{
    auto status = json_of({"status"});
    ASSERT_TRUE(status.is_object());
    EXPECT_EQ(text(status.at("modems").at(0), "id"), "1-1");
    EXPECT_EQ(text(status.at("modems").at(0), "state"), "registered");

    auto modems = json_of({"modems"});
    ASSERT_TRUE(modems.is_array());
    EXPECT_EQ(text(modems.at(0), "model"), "EC25");

    // By its number in `uplink modems`: the scenario's IMEI.
    auto modem = json_of({"modem", "1"});
    ASSERT_TRUE(modem.is_object());
    EXPECT_EQ(text(modem, "id"), "1-1");
    EXPECT_NE(json::serialize(modem).find("866758040112340"), std::string::npos) << json::serialize(modem);

    daemon_->wait_for_modem("1-1", "the signal measured", [](const json::value& modem) {
        return modem.at("signal").at("rsrp_dbm") == -85;
    });
    auto signal = json_of({"signal", "1-1"});
    ASSERT_TRUE(signal.is_object());
    EXPECT_EQ(signal.at("rsrp_dbm"), -85);
    EXPECT_EQ(signal.at("band"), 3);

    auto at = json_of({"at", "1-1", "AT+CGSN"});
    ASSERT_TRUE(at.is_object());
    EXPECT_EQ(text(at, "final"), "OK");
    EXPECT_NE(json::serialize(at.at("lines")).find("866758040112340"), std::string::npos) << json::serialize(at);

    auto scan = json_of({"scan", "1-1"});
    ASSERT_TRUE(scan.is_object());
    EXPECT_EQ(text(scan.at("networks").at(0), "mcc_mnc"), "00101");

    // connect and disconnect: what was asked, and the daemon follows.
    auto disconnect = json_of({"disconnect", "1-1"});
    ASSERT_TRUE(disconnect.is_object());
    EXPECT_EQ(text(disconnect, "requested"), "disconnect");
    daemon_->wait_for_modem("1-1", "kept disconnected", [](const json::value& modem) {
        return text(modem.at("connection"), "state") == "disconnected";
    });
    auto connect = json_of({"connect", "1-1"});
    ASSERT_TRUE(connect.is_object());
    EXPECT_EQ(text(connect, "requested"), "connect");

    auto debug = json_of({"debug", "1-1"});
    ASSERT_TRUE(debug.is_object());
    EXPECT_FALSE(debug.at("dialogue").as_array().empty());
    EXPECT_EQ(text(debug.at("modem"), "id"), "1-1");

    auto bundle_file = directory_.path() / "bundle.tar.gz";
    auto bundle = json_of({"debug", "1-1", "--bundle", bundle_file.string()});
    ASSERT_TRUE(bundle.is_object());
    EXPECT_EQ(text(bundle, "file"), bundle_file.string());
    EXPECT_EQ(bundle.at("bytes").as_int64(), static_cast<std::int64_t>(std::filesystem::file_size(bundle_file)));

    // Profiles and rules: made, listed, removed.
    auto profile = json_of({"profile", "set", "spare", "apn=internet", "metric=300"});
    ASSERT_TRUE(profile.is_object());
    EXPECT_EQ(profile.at("applied"), true);
    auto rule = json_of({"rule", "set", "other_sims", "mcc_mnc=99999", "profile=spare"});
    ASSERT_TRUE(rule.is_object());
    EXPECT_EQ(rule.at("applied"), true);
    auto preview = json_of({"profile", "set", "spare", "apn=elsewhere", "--preview"});
    ASSERT_TRUE(preview.is_object());
    EXPECT_EQ(preview.at("applied"), false);
    auto profiles = json_of({"profiles"});
    ASSERT_TRUE(profiles.is_object());
    auto named = [](const json::value& list, const std::string& name) {
        for (const auto& entry : list.as_array())
            if (text(entry, "name") == name)
                return entry;
        return json::value(nullptr);
    };
    auto spare = named(profiles.at("profiles"), "spare");
    ASSERT_TRUE(spare.is_object()) << json::serialize(profiles);
    EXPECT_EQ(text(spare, "apn"), "internet");
    EXPECT_EQ(spare.at("metric"), 300);
    auto other_sims = named(profiles.at("rules"), "other_sims");
    ASSERT_TRUE(other_sims.is_object()) << json::serialize(profiles);
    EXPECT_EQ(text(other_sims, "profile"), "spare");
    EXPECT_EQ(json_of({"rule", "delete", "other_sims"}).at("applied"), true);
    EXPECT_EQ(json_of({"profile", "delete", "spare"}).at("applied"), true);
    EXPECT_EQ(json::serialize(json_of({"profiles"})).find("spare"), std::string::npos);

    // WANs and policies, previewed (applied, they would route this machine's own traffic): a list
    // option given more than once is all its values, and each is checked.
    auto wan = json_of({"wan", "set", "fibre", "interface=eth9", "track_ip=192.0.2.1", "track_ip=192.0.2.2", "--preview"});
    ASSERT_TRUE(wan.is_object());
    EXPECT_EQ(wan.at("applied"), false);
    EXPECT_EQ(wan.at("changed"), json::array {"wan"});
    auto bad_policy = run_command(command_line({"policy", "set", "failover", "tier=fibre", "tier=nowhere", "--preview"}));
    EXPECT_NE(bad_policy.exit_code, 0);
    EXPECT_NE(bad_policy.err.find("nowhere"), std::string::npos) << bad_policy.err;

    // The config file out and back.
    auto backup_file = directory_.path() / "backup.conf";
    auto backup = json_of({"config", "backup", backup_file.string()});
    ASSERT_TRUE(backup.is_object());
    std::ifstream backed_up(backup_file);
    std::string saved((std::istreambuf_iterator<char>(backed_up)), std::istreambuf_iterator<char>());
    EXPECT_EQ(backup.at("bytes").as_int64(), static_cast<std::int64_t>(saved.size()));
    EXPECT_NE(saved.find("config profile 'default'"), std::string::npos) << saved;
    auto restore = json_of({"config", "restore", backup_file.string()});
    ASSERT_TRUE(restore.is_object());
    EXPECT_EQ(restore.at("applied"), false);
    EXPECT_EQ(json_of({"config", "restore", backup_file.string(), "--apply"}).at("applied"), true);

    // Secrets on stdin: the SIM's PIN turned off and on, the admin password set.
    auto pin_off = json_with_input("1234\n", {"pin", "1-1", "disable"});
    ASSERT_TRUE(pin_off.is_object());
    EXPECT_EQ(pin_off.at("accepted"), true);
    EXPECT_EQ(pin_off.at("sim").at("pin_enabled"), false);
    auto pin_on = json_with_input("1234\n", {"pin", "1-1", "enable"});
    ASSERT_TRUE(pin_on.is_object());
    EXPECT_EQ(pin_on.at("sim").at("pin_enabled"), true);
    EXPECT_TRUE(json_with_input("a long admin password\n", {"passwd"}).is_object());

    // API tokens: made (shown once), listed (never shown), revoked.
    auto made = json_of({"token", "create", "script", "--scope", "console"});
    ASSERT_TRUE(made.is_object());
    EXPECT_EQ(text(made, "name"), "script");
    EXPECT_EQ(text(made, "token").rfind("upl_", 0), 0u) << made;
    EXPECT_EQ(json::serialize(made.at("scopes")), R"(["console"])");
    auto tokens = json_of({"token", "list"});
    ASSERT_TRUE(tokens.is_object());
    EXPECT_EQ(text(tokens.at("tokens").at(0), "name"), "script");
    EXPECT_EQ(json::serialize(tokens).find(text(made, "token")), std::string::npos) << tokens;
    EXPECT_EQ(json_of({"token", "revoke", "script"}).at("revoked"), true);
    EXPECT_TRUE(json_of({"token", "list"}).at("tokens").as_array().empty());

    // An mwan3 config translated: a local command, which the daemon plays no part in.
    auto mwan3 = (directory_.path() / "mwan3").string();
    std::ofstream(mwan3) << "config interface 'wan'\n\toption enabled '1'\n\tlist track_ip '192.0.2.1'\n"
                            "\toption interval '5'\n"
                            "config member 'wan_m1'\n\toption interface 'wan'\n"
                            "config policy 'wan_only'\n\tlist use_member 'wan_m1'\n"
                            "config rule 'everything'\n\toption use_policy 'wan_only'\n";
    auto imported = json_of({"wan", "import-mwan3", mwan3});
    ASSERT_TRUE(imported.is_object());
    EXPECT_NE(text(imported, "config").find("config wan 'wan'\n\toption interface 'wan'\n\tlist track_ip '192.0.2.1'\n"),
              std::string::npos) << imported;
    EXPECT_NE(text(imported, "config").find("config uplink 'main'\n\toption policy 'wan_only'\n"), std::string::npos)
        << imported;
    EXPECT_EQ(text(imported.at("unmapped").at(0), "option"), "interval '5'") << imported;
    auto without_daemon = run_command({binary_path("uplink").string(), "--socket", (directory_.path() / "none.sock").string(),
                                       "wan", "import-mwan3", mwan3});
    EXPECT_EQ(without_daemon.exit_code, 0) << without_daemon.err;
    EXPECT_NE(without_daemon.out.find("# - interface 'wan', interval '5': uplink paces its own probes"), std::string::npos)
        << without_daemon.out;
}

// Without config wan there is no WAN to show: an empty list, and a line that says where to start.
TEST_F(CliTest, WanStatusWithoutConfigWanSaysSo)
{
    auto wans = json_of({"wan", "status"});
    ASSERT_TRUE(wans.is_array()) << wans;
    EXPECT_TRUE(wans.as_array().empty());
    auto plain = run_command(command_line({"wan", "status"}));
    EXPECT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_EQ(plain.out, "no WANs configured: docs/failover.md says how (config wan, config policy)\n");
}

// The token `uplink token create` prints is one the HTTPS API takes, until `uplink token revoke`.
// Root on the router needs no password for it: it could read the state directory anyway.
class CliTokenTest : public CliTest {
protected:
    void SetUp() override
    {
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_path("ec25-test.json"));
        auto web = fmt::format("config web\n\toption enabled '1'\n\tlist listen '127.0.0.1'\n"
                               "\toption https_port '{}'\n\toption http_port '0'\n", https_port_);
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_,
                                           Daemon::Settings {.pin = "1234", .extra_config = web});
    }

    // The HTTP status of GET /api/v1/status with this token, curl verifying the certificate.
    int status_with(const std::string& token)
    {
        auto certificate = directory_.path() / "daemon" / "state" / "web" / "cert.pem";
        auto result = run_command({"curl", "-sS", "--max-time", "20", "--cacert", certificate.string(), "-o",
                                   "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer " + token,
                                   fmt::format("https://127.0.0.1:{}/api/v1/status", https_port_)});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return std::atoi(result.out.c_str());
    }

    std::uint16_t https_port_ = free_port();
};

TEST_F(CliTokenTest, ATokenMadeByRootServesHttpsUntilRevoked)
{
    // As a person reads it: the token, and that it is not shown again.
    auto made = run_command(command_line({"token", "create", "monitoring"}));
    ASSERT_EQ(made.exit_code, 0) << made.err << made.out;
    EXPECT_NE(made.out.find("only time it is shown"), std::string::npos) << made.out;
    auto start = made.out.find("upl_");
    ASSERT_NE(start, std::string::npos) << made.out;
    auto token = made.out.substr(start, made.out.find('\n', start) - start);
    EXPECT_EQ(token.size(), 47u) << made.out;

    EXPECT_EQ(status_with(token), 200);
    auto listed = run_command(command_line({"token", "list"}));
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("monitoring"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find(token), std::string::npos) << "a token is shown once only: " << listed.out;

    auto revoked = run_command(command_line({"token", "revoke", "monitoring"}));
    EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_NE(revoked.out.find("revoked"), std::string::npos) << revoked.out;
    EXPECT_EQ(status_with(token), 401);
    auto again = run_command(command_line({"token", "revoke", "monitoring"}));
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("no API token named 'monitoring'"), std::string::npos) << again.err;
}

// `uplink --json events` prints each event as one JSON line as it happens.
TEST_F(CliTest, EventsAreFollowedOneJsonLineEach)
{
    Process events(command_line({"--json", "events"}), directory_.path() / "events.out", directory_.path() / "events.err");
    // The stream is subscribed once its first line is read; a change of signal after that shows.
    auto changed = [&events] { return events.output().find("\"signal-changed\"") != std::string::npos; };
    auto deadline = deadline_in(10s);
    for (int rsrp = -90; !changed() && std::chrono::steady_clock::now() < deadline; --rsrp) {
        emulator_->control({{"cmd", "set-signal"}, {"rsrp", rsrp}});
        daemon_->wait_for_modem("1-1", "the new signal", [rsrp](const json::value& modem) {
            return modem.at("signal").at("rsrp_dbm") == rsrp;
        });
    }
    ASSERT_TRUE(changed()) << events.output() << events.errors();
    auto output = events.output();
    auto line = output.substr(0, output.find('\n'));
    auto first = json::parse(line);
    EXPECT_FALSE(text(first, "kind").empty()) << line;
    EXPECT_TRUE(events.running());
    // SIGTERM (or Ctrl-C) is how following ends: exit status 0.
    EXPECT_EQ(events.stop(), 0);
}

TEST_F(CliTest, ABadArgumentExitsNonZeroWithAMessage)
{
    struct Case {
        std::vector<std::string> arguments;
        std::string message;
    };
    const Case cases[] = {
        {{"--json", "modem", "9"}, "9"},
        {{"--json", "modem", "no-such-modem"}, "no-such-modem"},
        {{"--json", "frobnicate"}, "frobnicate"},
        {{"--json", "pin", "1-1", "sideways"}, "change, enable or disable"},
        {{"--json", "signal"}, "signal"},
        {{"--json", "profile", "set", "default", "metric=high"}, "metric"},
        {{"--json", "profile", "delete", "no_such_profile"}, "no_such_profile"},
        // The default profile, with the SIM's PIN in it, stays (docs/api.md: a 409).
        {{"--json", "profile", "delete", "default"}, "profile 'default' is the default profile"},
        {{"--json", "config", "restore", "/nonexistent/uplink.conf"}, "/nonexistent/uplink.conf"},
        {{"--json", "token", "create"}, "one name"},
        {{"--json", "token", "remove", "script"}, "list, create or revoke"},
        {{"--json", "token", "create", "has space"}, "A-Z a-z 0-9"},
        {{"--json", "status", "--scope", "console"}, "--scope goes with token create"},
        {{"--json", "token", "create", "x", "--scope", "root"}, "not a scope"},
        {{"--json", "wan", "import-mwan3", "/nonexistent/mwan3"}, "/nonexistent/mwan3"},
        {{"--json", "wan", "import-mwan3", daemon_->config().string()}, "has no mwan3 section"},
        {{"--json", "wan", "import-mwan3"}, "'wan import-mwan3' takes one file"},
        {{"--json", "wan", "mwan3", "x"}, "'wan' takes status, set, delete or import-mwan3"},
        {{"--json", "status", "--network", "/etc/config/network"}, "--network goes with wan import-mwan3"},
    };
    for (const auto& bad : cases) {
        auto result = run_command(command_line(bad.arguments));
        std::string shown;
        for (const auto& argument : bad.arguments)
            shown += " " + argument;
        EXPECT_NE(result.exit_code, 0) << "uplink" << shown << ": " << result.out;
        EXPECT_NE(result.err.find(bad.message), std::string::npos) << "uplink" << shown << ": " << result.err;
    }
    std::ifstream config(daemon_->config());
    std::string saved((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
    EXPECT_NE(saved.find("config profile 'default'\n\toption pin '1234'"), std::string::npos) << saved;
    EXPECT_TRUE(daemon_->process().running());
}

} // namespace
} // namespace uplink::testing
