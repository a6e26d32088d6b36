#include "daemon/settings.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace uplink::daemon {
namespace {

std::string read_text(const std::string& path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// The first ```uci block of docs/config.md.
std::string documented_example()
{
    auto document = read_text(std::string(UPLINK_DOCS_DIR) + "/config.md");
    auto start = document.find("```uci\n");
    if (start == std::string::npos)
        return "";
    start += 7;
    return document.substr(start, document.find("```", start) - start);
}

std::string all_messages(const std::vector<ConfigDiagnostic>& diagnostics)
{
    std::string text;
    for (const auto& diagnostic : diagnostics)
        text += to_string(diagnostic) + "\n";
    return text;
}

TEST(Settings, DocumentedExampleLoads)
{
    auto example = documented_example();
    ASSERT_FALSE(example.empty()) << "docs/config.md has no ```uci example";
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings(example, diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    EXPECT_EQ(settings->log_level, LogLevel::Info);
    EXPECT_EQ(settings->socket_path, "/run/uplink/uplink.sock");
    const auto& policy = settings->modem.policy;
    ASSERT_EQ(policy.profiles.size(), 2u);
    EXPECT_EQ(policy.profiles[0].name, "work");
    EXPECT_EQ(policy.profiles[0].pin, "4321");
    ASSERT_EQ(policy.rules.size(), 2u);
    EXPECT_EQ(policy.rules[0].name, "work_sims");
    EXPECT_EQ(policy.rules[0].iccid_prefix, "894411");
    EXPECT_EQ(policy.rules[1].name, "rule 2");
    EXPECT_EQ(policy.default_profile, "default");
}

TEST(Settings, EveryOptionIsDocumented)
{
    // The WANs' sections are in docs/failover.md, beside what they do; docs/config.md points there.
    auto document = read_text(std::string(UPLINK_DOCS_DIR) + "/config.md")
        + read_text(std::string(UPLINK_DOCS_DIR) + "/failover.md");
    for (const auto& section : settings_schema()) {
        EXPECT_NE(document.find("config " + section.type), std::string::npos) << section.type;
        for (const auto& option : section.options)
            EXPECT_NE(document.find("| `" + option.name + "` |"), std::string::npos) << option.name;
    }
}

TEST(Settings, WansPoliciesAndTrafficRulesAreRead)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings("config uplink\n\toption policy 'balanced'\n"
                                   "config wan 'fibre'\n\toption interface 'eth1'\n"
                                   "config wan 'lte'\n\toption modem 'wan1'\n"
                                   "config policy 'balanced'\n\tlist tier 'fibre:3 lte'\n", diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    ASSERT_EQ(settings->wan.wans.size(), 2u);
    EXPECT_EQ(settings->wan.default_policy, "balanced");
    EXPECT_EQ(settings->wan.policies.at(0).tiers.at(0).at(0).weight, 3u);

    auto bad = parse_settings("config wan 'fibre'\n\toption interface 'eth1'\n"
                              "config policy 'failover'\n\tlist tier 'fibre:0'\n", diagnostics);
    EXPECT_FALSE(bad);
    EXPECT_NE(all_messages(diagnostics).find("line 3: list 'tier': 'fibre:0': weight '0'"), std::string::npos)
        << all_messages(diagnostics);
}

// The configs the packages install: read without a word of complaint, with their choices.
TEST(Settings, TheOpenWrtPackagesConfigKeepsStateOnFlashAndHistoryInRam)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings(
        read_text(std::string(UPLINK_SOURCE_DIR) + "/packaging/openwrt/uplink/files/etc/config/uplink"), diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    EXPECT_TRUE(diagnostics.empty()) << all_messages(diagnostics);
    EXPECT_EQ(settings->modem.state_dir, "/etc/uplink");
    EXPECT_EQ(settings->history_dir, "/var/lib/uplink");
    EXPECT_EQ(settings->web.https_port, 8443);
    EXPECT_EQ(settings->web.http_port, 0);
}

TEST(Settings, TheDebianPackagesConfigKeepsTheDefaults)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings(read_text(std::string(UPLINK_SOURCE_DIR) + "/debian/config/uplink"), diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    EXPECT_TRUE(diagnostics.empty()) << all_messages(diagnostics);
    EXPECT_EQ(settings->modem.state_dir, "/var/lib/uplink");
    EXPECT_EQ(settings->history_directory(), "/var/lib/uplink");
    EXPECT_EQ(settings->web.interfaces, (std::vector<std::string> {"br-lan", "lo"}));
}

TEST(Settings, EmptyFileGivesTheDefaults)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings("", diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    EXPECT_EQ(settings->log_level, LogLevel::Info);
    EXPECT_EQ(settings->socket_path, "/run/uplink/uplink.sock");
    EXPECT_EQ(settings->modem.sysfs_root, "/sys");
    EXPECT_EQ(settings->modem.dev_root, "/dev");
    EXPECT_EQ(settings->modem.state_dir, "/var/lib/uplink");
    EXPECT_EQ(settings->history_dir, "");
    EXPECT_EQ(settings->history_directory(), settings->modem.state_dir);
    EXPECT_EQ(settings->modem.poll_interval, std::chrono::seconds(10));
    EXPECT_EQ(settings->modem.command_timeout, std::chrono::seconds(5));
    EXPECT_TRUE(settings->modem.policy.profiles.empty());
    EXPECT_TRUE(settings->modem.policy.rules.empty());
    EXPECT_EQ(settings->modem.policy.default_profile, "default");
}

TEST(Settings, ValuesAreRead)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings("config uplink\n"
                                   "\toption log_level debug\n"
                                   "\toption sysfs_root /tmp/sim/sys\n"
                                   "\toption dev_root /tmp/sim/dev\n"
                                   "\toption state_dir /tmp/uplink\n"
                                   "\toption socket /tmp/uplink.sock\n"
                                   "\toption poll_interval 3600\n"
                                   "\toption at_timeout 1\n",
                                   diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    EXPECT_EQ(settings->log_level, LogLevel::Debug);
    EXPECT_EQ(settings->modem.sysfs_root, "/tmp/sim/sys");
    EXPECT_EQ(settings->modem.dev_root, "/tmp/sim/dev");
    EXPECT_EQ(settings->modem.state_dir, "/tmp/uplink");
    EXPECT_EQ(settings->socket_path, "/tmp/uplink.sock");
    EXPECT_EQ(settings->modem.poll_interval, std::chrono::seconds(3600));
    EXPECT_EQ(settings->modem.command_timeout, std::chrono::seconds(1));
}

TEST(Settings, WebIsOnByDefault)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings("", diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    EXPECT_EQ(settings->web, WebSettings{});
    EXPECT_TRUE(settings->web.enabled);
    EXPECT_EQ(settings->web.https_port, 443);
    auto section = parse_settings("config web\n\tlist listen 127.0.0.1\n", diagnostics);
    ASSERT_TRUE(section) << all_messages(diagnostics);
    EXPECT_TRUE(section->web.enabled);
    auto off = parse_settings("config web\n\toption enabled 0\n", diagnostics);
    ASSERT_TRUE(off) << all_messages(diagnostics);
    EXPECT_FALSE(off->web.enabled);
}

TEST(Settings, WebValuesAreRead)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings("config web 'web'\n"
                                   "\toption enabled '1'\n"
                                   "\tlist listen '192.168.1.1'\n"
                                   "\tlist listen 'fd00::1'\n"
                                   "\toption https_port '8443'\n"
                                   "\toption http_port '0'\n"
                                   "\toption max_connections '8'\n"
                                   "\toption idle_timeout '5'\n"
                                   "\toption request_timeout '3'\n",
                                   diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    const auto& web = settings->web;
    EXPECT_TRUE(web.enabled);
    EXPECT_EQ(web.listen, (std::vector<std::string>{"192.168.1.1", "fd00::1"}));
    EXPECT_EQ(web.https_port, 8443);
    EXPECT_EQ(web.http_port, 0);
    EXPECT_EQ(web.max_connections, 8);
    EXPECT_EQ(web.idle_timeout, std::chrono::seconds(5));
    EXPECT_EQ(web.request_timeout, std::chrono::seconds(3));
}

TEST(Settings, WebListensOnTheLanInterfacesByDefault)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto defaults = parse_settings("", diagnostics);
    ASSERT_TRUE(defaults) << all_messages(diagnostics);
    EXPECT_TRUE(defaults->web.listen.empty());
    EXPECT_EQ(defaults->web.interfaces, (std::vector<std::string>{"br-lan", "lo"}));
    auto chosen = parse_settings("config web\n\tlist interface 'eth1'\n\tlist interface 'lan.10'\n", diagnostics);
    ASSERT_TRUE(chosen) << all_messages(diagnostics);
    EXPECT_EQ(chosen->web.interfaces, (std::vector<std::string>{"eth1", "lan.10"}));
    EXPECT_FALSE(parse_settings("config web\n\tlist interface 'a/b'\n", diagnostics));
    EXPECT_NE(all_messages(diagnostics).find("list 'interface': 'a/b' is not an interface name"), std::string::npos)
        << all_messages(diagnostics);
}

TEST(Settings, AWebListenerOnAWanIsNamed)
{
    WebSettings lan_side;
    std::vector<std::string> granted {"100.64.7.2", "2001:db8:7::2"};
    EXPECT_EQ(web_exposure_on_wan(lan_side, "wwan0", granted), "");
    lan_side.interfaces = {"br-lan", "wwan0"};
    EXPECT_NE(web_exposure_on_wan(lan_side, "wwan0", granted).find("lists the WAN 'wwan0' as a LAN interface"),
              std::string::npos);
    WebSettings everywhere;
    everywhere.listen = {"::"};
    EXPECT_NE(web_exposure_on_wan(everywhere, "wwan0", granted).find("listens on ::"), std::string::npos);
    WebSettings on_the_wan;
    on_the_wan.listen = {"192.168.1.1", "2001:db8:7::2"};
    EXPECT_NE(web_exposure_on_wan(on_the_wan, "wwan0", granted).find("2001:db8:7::2, an address of the WAN 'wwan0'"),
              std::string::npos);
    on_the_wan.listen = {"192.168.1.1"};
    EXPECT_EQ(web_exposure_on_wan(on_the_wan, "wwan0", granted), "");
    everywhere.enabled = false;
    EXPECT_EQ(web_exposure_on_wan(everywhere, "wwan0", granted), "");
}

TEST(Settings, ProfilesAndRulesAreRead)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings("config uplink\n"
                                   "\toption default_profile 'home'\n"
                                   "config profile 'home'\n"
                                   "\toption apn 'internet.example'\n"
                                   "\toption auth chap\n"
                                   "\toption username 'user'\n"
                                   "\toption password 'secret'\n"
                                   "\toption ip_family ipv4v6\n"
                                   "\toption autoconnect 0\n"
                                   "\toption pin 1234\n"
                                   "\toption mtu 1400\n"
                                   "\toption metric 300\n"
                                   "\toption ttl 65\n"
                                   "\toption rat 5g\n"
                                   "\toption lte_bands '20,3 7 3'\n"
                                   "\toption nr_bands '78 258,28'\n"
                                   "\toption operator 23415\n"
                                   "config profile 'blank'\n"
                                   "config rule 'vodafone'\n"
                                   "\toption profile 'blank'\n"
                                   "\toption iccid 8944\n"
                                   "\toption imsi 23415\n"
                                   "\toption mcc_mnc 23415\n"
                                   "\toption imei 867698040000001\n"
                                   "\toption model EC25\n",
                                   diagnostics);
    ASSERT_TRUE(settings) << all_messages(diagnostics);
    const auto& policy = settings->modem.policy;
    EXPECT_EQ(policy.default_profile, "home");
    ASSERT_EQ(policy.profiles.size(), 2u);
    const auto& home = policy.profiles[0];
    EXPECT_EQ(home.name, "home");
    EXPECT_EQ(home.connection.apn, "internet.example");
    EXPECT_EQ(home.connection.authentication, modem::Authentication::Chap);
    EXPECT_EQ(home.connection.username, "user");
    EXPECT_EQ(home.connection.password, "secret");
    EXPECT_EQ(home.connection.families, modem::IpFamilies::Both);
    EXPECT_FALSE(home.connection.autoconnect);
    EXPECT_EQ(home.connection.mtu, 1400u);
    EXPECT_EQ(home.connection.route_metric, 300u);
    EXPECT_EQ(home.pin, "1234");
    EXPECT_EQ(home.connection.ttl, 65);
    EXPECT_EQ(home.radio.rat, modem::RatPreference::Nr);
    EXPECT_EQ(home.radio.lte_bands, (std::vector<int> {3, 7, 20}));  // sorted, once each
    EXPECT_EQ(home.radio.nr_bands, (std::vector<int> {28, 78, 258}));
    EXPECT_EQ(home.radio.network, "23415");
    const auto& blank = policy.profiles[1];
    EXPECT_EQ(blank.radio, modem::RadioSettings {});
    EXPECT_EQ(blank.connection.ttl, std::nullopt);
    EXPECT_TRUE(blank.connection.autoconnect);
    EXPECT_EQ(blank.connection.families, modem::IpFamilies::Ipv4);
    EXPECT_EQ(blank.connection.mtu, std::nullopt);
    EXPECT_EQ(blank.connection.route_metric, 0u); // by WAN number
    ASSERT_EQ(policy.rules.size(), 1u);
    const auto& rule = policy.rules[0];
    EXPECT_EQ(rule.name, "vodafone");
    EXPECT_EQ(rule.profile, "blank");
    EXPECT_EQ(rule.iccid_prefix, "8944");
    EXPECT_EQ(rule.imsi_prefix, "23415");
    EXPECT_EQ(rule.mcc_mnc, "23415");
    EXPECT_EQ(rule.imei, "867698040000001");
    EXPECT_EQ(rule.model, "EC25");
}

struct BadCase {
    const char* name;
    const char* text;
    int line;
    const char* words;
};

class BadSettings : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadSettings, AreRefusedNamingTheLine)
{
    const auto& bad = GetParam();
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings(bad.text, diagnostics);
    ASSERT_FALSE(settings);
    ASSERT_FALSE(diagnostics.empty());
    bool found = false;
    for (const auto& diagnostic : diagnostics)
        found |= diagnostic.line == bad.line && diagnostic.message.find(bad.words) != std::string::npos;
    EXPECT_TRUE(found) << "expected line " << bad.line << " with '" << bad.words << "' in:\n"
                       << all_messages(diagnostics);
}

INSTANTIATE_TEST_SUITE_P(
    Settings, BadSettings,
    ::testing::Values(
        BadCase{"PollIntervalZero", "config uplink 'main'\n\toption log_level info\n\toption poll_interval 0\n", 3,
                "poll_interval"},
        BadCase{"PollIntervalTooLong", "config uplink\n\toption poll_interval 3601\n", 2, "poll_interval"},
        BadCase{"AtTimeoutNotANumber", "config uplink\n\toption at_timeout five\n", 2, "at_timeout"},
        BadCase{"AtTimeoutTooLong", "config uplink\n\toption at_timeout 121\n", 2, "at_timeout"},
        BadCase{"UnknownLogLevel", "config uplink\n\toption log_level verbose\n", 2, "log_level"},
        BadCase{"UnknownOption", "config uplink\n\toption poll 5\n", 2, "poll"},
        BadCase{"TwoMainSections", "config uplink\nconfig uplink 'other'\n", 2, "uplink"},
        BadCase{"RelativeSocket", "\nconfig uplink\n\toption socket uplink.sock\n", 2, "absolute path"},
        BadCase{"LongSocket", "config uplink\n\toption socket /run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
                1, "shorter than"},
        BadCase{"PinTooShort", "config uplink\n\nconfig profile 'p'\n\toption pin 123\n", 3, "4 to 8 digits"},
        BadCase{"PinNotDigits", "config profile 'work'\n\toption pin 12a4\n", 1, "4 to 8 digits"},
        BadCase{"ProfileWithoutName", "config profile\n\toption apn x\n", 1, "needs a name"},
        BadCase{"RuleWithoutProfile", "config rule\n\toption iccid 8944\n", 1, "profile"},
        BadCase{"RuleOfUnknownProfile", "config rule\n\toption profile 'nowhere'\n", 1, "no profile 'nowhere'"},
        BadCase{"UnknownDefaultProfile", "config uplink\n\toption default_profile 'nowhere'\n", 1, "no profile 'nowhere'"},
        BadCase{"IccidNotDigits", "config rule\n\toption profile default\n\toption iccid 89-44\n", 1, "iccid"},
        BadCase{"ImsiTooLong", "config rule\n\toption profile default\n\toption imsi 2341500000000001\n", 1, "imsi"},
        BadCase{"MccMncTooShort", "config rule\n\toption profile default\n\toption mcc_mnc 2341\n", 1, "mcc_mnc"},
        BadCase{"ImeiTooShort", "config rule\n\toption profile default\n\toption imei 8676980400\n", 1, "imei"},
        BadCase{"MtuTooSmall", "config profile 'p'\n\toption mtu 500\n", 1, "below 576"},
        BadCase{"MtuTooLarge", "config profile 'p'\n\toption mtu 9001\n", 2, "mtu"},
        BadCase{"UnknownAuth", "config profile 'p'\n\toption auth kerberos\n", 2, "auth"},
        BadCase{"TtlTooLarge", "config profile 'p'\n\toption ttl 256\n", 2, "ttl"},
        BadCase{"UnknownRat", "config profile 'p'\n\toption rat 6g\n", 2, "rat"},
        BadCase{"LteBandZero", "config profile 'p'\n\toption lte_bands '3 0'\n", 1, "'0' is not an LTE band"},
        BadCase{"LteBandNotANumber", "config profile 'p'\n\toption lte_bands 'b3'\n", 1, "'b3' is not an LTE band"},
        BadCase{"NrBandTooHigh", "config profile 'p'\n\toption nr_bands '78 999'\n", 1, "option 'nr_bands': '999' is not a 5G NR band (1 to 512)"},
        BadCase{"OperatorTooShort", "config profile 'p'\n\toption operator 2341\n", 1, "operator"},
        BadCase{"UnknownIpFamily", "config profile 'p'\n\toption ip_family ipv5\n", 2, "ip_family"},
        BadCase{"WebListenNotAnAddress", "config web\n\tlist listen '192.168.1.1'\n\tlist listen 'router.lan'\n", 1,
                "'router.lan' is not an IPv4 or IPv6 address"},
        BadCase{"WebListenTwice", "config web\n\tlist listen '::'\n\tlist listen '::'\n", 1, "given twice"},
        BadCase{"WebHttpsPortZero", "config web\n\toption https_port 0\n", 2, "https_port"},
        BadCase{"WebHttpPortTooLarge", "config web\n\toption http_port 65536\n", 2, "http_port"},
        BadCase{"WebSamePortTwice", "config web\n\toption https_port 8443\n\toption http_port 8443\n", 1,
                "the HTTPS port too"},
        BadCase{"WebEnabledNotABoolean", "config web\n\toption enabled maybe\n", 2, "enabled"},
        BadCase{"TwoWebSections", "config web\nconfig web 'other'\n", 2, "web"},
        BadCase{"ApnTooLong", "config profile 'p'\n\toption apn 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'\n", 1, "100 characters"},
        BadCase{"UsernameTooLong", "config profile 'p'\n\toption username '"
                                   "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
                                   "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
                                   "'\n", 1,
                "option 'username': at most 127 characters"},
        BadCase{"PasswordTooLong", "config profile 'p'\n\toption password '"
                                   "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
                                   "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
                                   "'\n", 1,
                "option 'password': at most 127 characters"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(Settings, PinIsNeverShownInAMessage)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings("config profile 'p'\n\toption pin 98765x\n", diagnostics);
    ASSERT_FALSE(settings);
    EXPECT_EQ(all_messages(diagnostics).find("98765"), std::string::npos) << all_messages(diagnostics);
}

class LoadSettings : public ::testing::Test {
protected:
    LoadSettings()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "uplink-settings-XXXXXX").string();
        directory = ::mkdtemp(pattern.data());
    }
    ~LoadSettings() override { std::filesystem::remove_all(directory); }

    std::string directory;
};

TEST_F(LoadSettings, MissingFileMeansDefaults)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto loaded = load_settings(directory + "/uplink", diagnostics);
    ASSERT_TRUE(loaded) << all_messages(diagnostics);
    EXPECT_EQ(loaded->source, SettingsSource::Defaults);
    EXPECT_EQ(loaded->settings.modem.poll_interval, std::chrono::seconds(10));
}

TEST_F(LoadSettings, FileIsReadAndABadOneRefused)
{
    std::string path = directory + "/uplink";
    std::ofstream(path) << "config uplink\n\toption poll_interval 7\n";
    std::vector<ConfigDiagnostic> diagnostics;
    auto loaded = load_settings(path, diagnostics);
    ASSERT_TRUE(loaded) << all_messages(diagnostics);
    EXPECT_EQ(loaded->source, SettingsSource::File);
    EXPECT_EQ(loaded->settings.modem.poll_interval, std::chrono::seconds(7));

    std::ofstream(path) << "config uplink\n\toption poll_interval 7\n\toption at_timeout 0\n";
    auto refused = load_settings(path, diagnostics);
    ASSERT_FALSE(refused);
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_EQ(diagnostics[0].line, 3);
}

TEST_F(LoadSettings, UnreadableFileIsAnErrorNotDefaults)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto loaded = load_settings(directory, diagnostics);   // a directory, not a file
    EXPECT_FALSE(loaded);
}

TEST(ChangedSettings, NamesWhatDiffers)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto before = *parse_settings("config profile 'p'\n\toption pin 1234\n", diagnostics);
    auto after = *parse_settings("config uplink\n\toption poll_interval 5\n\toption socket /tmp/u.sock\n"
                                 "config profile 'p'\n\toption pin 4321\n"
                                 "config rule\n\toption profile 'p'\n"
                                 "config web\n\toption https_port 8443\n",
                                 diagnostics);
    EXPECT_TRUE(changed_settings(before, before).empty());
    EXPECT_EQ(changed_settings(before, after),
              (std::vector<std::string>{"socket", "poll_interval", "profiles", "rules", "web"}));
    EXPECT_EQ(restart_required(before, after), (std::vector<std::string>{"socket", "web"}));
    EXPECT_TRUE(restart_required(before, before).empty());
}

TEST(NetifdNetwork, ProtoUplinkInterfacesGiveTheirModemsToNetifd)
{
    auto found = netifd_modems(R"(
config interface 'lan'
	option proto 'static'
	option device 'br-lan'

config interface 'wwan'
	option proto 'uplink'
	option modem 'WAN1'

config interface 'wwan2'
	option proto 'uplink'
	option modem '1-1.2'

config interface 'other'
	option proto 'qmi'
	option device '/dev/cdc-wdm1'
)");
    EXPECT_EQ(found.modems, (std::vector<std::string>{"wan1", "1-1.2"}));
    EXPECT_TRUE(found.warnings.empty());
}

TEST(NetifdNetwork, AProblemIsAWarningNamingTheInterface)
{
    auto found = netifd_modems(R"(
config interface 'nomodem'
	option proto 'uplink'

config interface 'bad'
	option proto 'uplink'
	option modem '/dev/cdc-wdm0'

config interface 'wwan'
	option proto 'uplink'
	option modem 'wan1'

config interface 'again'
	option proto 'uplink'
	option modem 'wan1'
)");
    EXPECT_EQ(found.modems, (std::vector<std::string>{"wan1"}));
    ASSERT_EQ(found.warnings.size(), 3u);
    EXPECT_NE(found.warnings[0].find("interface 'nomodem' (proto uplink) names no modem"), std::string::npos);
    EXPECT_NE(found.warnings[1].find("'/dev/cdc-wdm0' is neither"), std::string::npos);
    EXPECT_NE(found.warnings[2].find("interface 'again'"), std::string::npos);
}

TEST(NetifdNetwork, AFileThatIsNotUciIsAWarningAndGivesNoModem)
{
    auto found = netifd_modems("config interface 'wwan\n\toption proto 'uplink'\n");
    EXPECT_TRUE(found.modems.empty());
    ASSERT_FALSE(found.warnings.empty());
    EXPECT_NE(found.warnings[0].find("not read: line 1"), std::string::npos) << found.warnings[0];
}

TEST(NetifdNetwork, LoadReadsTheNetworkFileAndWarnsOfAWanNamingTheSameModem)
{
    auto directory = std::filesystem::temp_directory_path() / ("uplink-netifd-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory);
    auto network = (directory / "network").string();
    std::ofstream(network) << "config interface 'wwan'\n\toption proto 'uplink'\n\toption modem 'wan1'\n";
    auto config = (directory / "uplink").string();
    std::ofstream(config) << "config uplink\n\toption netifd_network '" << network
                          << "'\n\nconfig wan 'lte'\n\toption modem 'wan1'\n";
    std::vector<ConfigDiagnostic> diagnostics;
    auto loaded = load_settings(config, diagnostics);
    ASSERT_TRUE(loaded) << (diagnostics.empty() ? "" : diagnostics[0].message);
    EXPECT_EQ(loaded->settings.modem.netifd_modems, (std::vector<std::string>{"wan1"}));
    ASSERT_EQ(loaded->warnings.size(), 1u);
    EXPECT_NE(loaded->warnings[0].find("config wan 'lte' of uplink's own file names it too"), std::string::npos);

    std::filesystem::remove(network); // Debian: no network file, no netifd modem, no warning
    loaded = load_settings(config, diagnostics);
    ASSERT_TRUE(loaded);
    EXPECT_TRUE(loaded->settings.modem.netifd_modems.empty());
    EXPECT_TRUE(loaded->warnings.empty());
    std::filesystem::remove_all(directory);
}

} // namespace
} // namespace uplink::daemon
