// `uplink debug <id> --bundle FILE` against uplinkd and uplink-sim: the archive a user attaches
// to a bug report, extracted with the real tar, holds the dialogue, the profile and the port
// map, and not the SIM's PIN nor the APN's password, wherever they went on the way.
#include "harness.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace uplink::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// Strings that occur nowhere else in the bundle by chance (an IMEI holds "1234").
constexpr std::string_view pin = "73914628";
constexpr std::string_view password = "Pa55-w0rd-Zq";

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

// Columns are padded to their widest cell; one space between them is easier to search.
std::string squeezed(std::string text)
{
    auto end = std::unique(
        text.begin(), text.end(), [](char a, char b) { return a == ' ' && b == ' '; });
    text.erase(end, text.end());
    return text;
}

// ec25-test.json with the SIM's PIN replaced.
fs::path scenario_with_pin(const fs::path& directory)
{
    auto scenario = read_json_file(scenario_path("ec25-test.json"));
    scenario.at("sims").at(0).as_object()["pin"] = pin;
    auto path = directory / "scenario.json";
    std::ofstream(path) << json::serialize(scenario);
    return path;
}

void expect_no_secret(std::string_view where, const std::string& content)
{
    EXPECT_EQ(content.find(pin), std::string::npos) << "the PIN is in " << where;
    EXPECT_EQ(content.find(password), std::string::npos) << "the password is in " << where;
}

TEST(DebugBundle, HoldsTheDialogueProfileAndPortsButNoSecret)
{
    TemporaryDirectory directory;
    Emulator emulator(directory.path() / "sim", scenario_with_pin(directory.path()));
    Daemon daemon(directory.path() / "daemon", emulator,
        Daemon::Settings {.pin = std::string(pin),
            .connection = fmt::format("\toption apn 'internet'\n\toption auth 'chap'\n"
                                      "\toption username 'bundle-user'\n\toption password '{}'\n",
                password)});
    // The SIM unlocked with its PIN and the call made with the password: accepted by the network,
    // and online where the daemon may configure wwan0.
    daemon.wait_for_modem("1-1", "a data call", [](const json::value& modem) {
        const auto& connection = modem.at("connection");
        return text(connection, "state") == "connected"
            || text(connection, "last_error").find("wwan0") != std::string::npos;
    });
    // Secrets an administrator sends by hand take the same way into the dialogue.
    auto pin_reply = daemon.request(
        "POST", "/v1/modems/1-1/sim/pin", json::object {{"operation", "enable"}, {"pin", pin}});
    EXPECT_EQ(pin_reply.at("status"), 200) << json::serialize(pin_reply);
    auto at_reply = daemon.request("POST", "/v1/modems/1-1/at",
        json::object {{"command", fmt::format("AT+CGAUTH=1,2,\"bundle-user\",\"{}\"", password)}});
    EXPECT_EQ(at_reply.at("status"), 200) << json::serialize(at_reply);

    auto bundle = directory.path() / "b.tar.gz";
    auto uplink = binary_path("uplink").string();
    auto written = run_command({uplink, "--socket", daemon.socket().string(), "debug", "1-1",
        "--bundle", bundle.string()});
    ASSERT_EQ(written.exit_code, 0) << written.err;
    EXPECT_NE(written.out.find(bundle.string()), std::string::npos) << written.out;

    auto extracted = directory.path() / "extracted";
    fs::create_directories(extracted);
    auto tar = run_command({"tar", "-xzf", bundle.string(), "-C", extracted.string()});
    ASSERT_EQ(tar.exit_code, 0) << tar.err;
    auto files = extracted / "uplink-debug-1-1";
    for (const auto* name : {"README.txt", "modem.txt", "modem.json", "profile.json", "usb.txt",
             "events.txt", "dialogue.txt"})
        EXPECT_TRUE(fs::is_regular_file(files / name)) << name;

    auto dialogue = squeezed(read_file(files / "dialogue.txt"));
    EXPECT_NE(dialogue.find("ttyUSB2 > AT+CPIN=***"), std::string::npos) << dialogue;
    EXPECT_NE(dialogue.find("AT+CLCK=\"SC\",1,***"), std::string::npos) << dialogue;
    EXPECT_NE(dialogue.find("AT+CGAUTH=1,2,***"), std::string::npos) << dialogue;
    EXPECT_NE(dialogue.find("cdc-wdm0 > WDS 0x0020 request"), std::string::npos)
        << dialogue; // Start Network
    auto profile = read_json_file(files / "profile.json");
    EXPECT_EQ(text(profile.at("profile"), "name"), "default");
    EXPECT_EQ(text(profile.at("profile"), "username"), "bundle-user");
    EXPECT_EQ(profile.at("profile").at("password_set"), true);
    EXPECT_EQ(profile.at("profile").at("pin_set"), true);
    auto modem = read_json_file(files / "modem.json");
    EXPECT_EQ(text(modem.at("settings"), "profile"), "default");
    auto ports = squeezed(read_file(files / "usb.txt"));
    EXPECT_NE(ports.find("2c7c:0125"), std::string::npos) << ports;
    EXPECT_NE(ports.find("ttyUSB2 at " + (emulator.root() / "dev/ttyUSB2").string()
                  + " interface 2 option"),
        std::string::npos)
        << ports;
    EXPECT_NE(ports.find("cdc-wdm0 qmi"), std::string::npos) << ports;
    EXPECT_NE(read_file(files / "events.txt").find("1-1  added"), std::string::npos);

    auto archive = run_command({"gzip", "-dc", bundle.string()});
    ASSERT_EQ(archive.exit_code, 0) << archive.err;
    EXPECT_NE(
        archive.out.find("AT+CPIN=***"), std::string::npos); // the bytes searched are the files'
    expect_no_secret("the archive", archive.out);
    for (const auto& entry : fs::recursive_directory_iterator(extracted))
        if (entry.is_regular_file())
            expect_no_secret(entry.path().filename().string(), read_file(entry.path()));

    // Without --bundle, the dialogue on stdout.
    auto shown = run_command({uplink, "--socket", daemon.socket().string(), "debug", "1-1"});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_NE(shown.out.find("AT+CPIN=***"), std::string::npos) << shown.out;
    expect_no_secret("the printed dialogue", shown.out);
}

} // namespace
} // namespace uplink::testing
