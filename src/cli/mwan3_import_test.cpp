#include "cli/mwan3_import.hpp"
#include "core/core.hpp"
#include "daemon/settings.hpp"

#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

namespace uplink::cli {
namespace {

std::string read_testdata(const std::string& name)
{
    std::ifstream file(std::string(UPLINK_MWAN3_TESTDATA) + "/" + name, std::ios::binary);
    EXPECT_TRUE(file) << name;
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

Mwan3Import imported(std::string_view mwan3, std::optional<std::string_view> network = std::nullopt)
{
    auto result = import_mwan3(mwan3, network);
    if (auto* refusal = std::get_if<Mwan3ImportRefusal>(&result)) {
        ADD_FAILURE() << "refused: " << refusal->message;
        return {};
    }
    return std::get<Mwan3Import>(result);
}

// "interface 'wan', reliability '2'": what a finding is about, its reason aside.
std::vector<std::string> findings(const Mwan3Import& result)
{
    std::vector<std::string> list;
    for (const auto& finding : result.unmapped)
        list.push_back(
            finding.option.empty() ? finding.section : finding.section + ", " + finding.option);
    return list;
}

// The sections as uplinkd reads them: its own settings loader, schema and checks, so what the
// importer prints is what uplinkd accepts.
void expect_valid_failover_config(const std::string& text)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = daemon::parse_settings(text, diagnostics);
    std::string messages;
    for (const auto& diagnostic : diagnostics)
        messages += to_string(diagnostic) + "\n";
    EXPECT_TRUE(settings) << messages << text;
}

struct GoldenCase {
    const char* name;
    const char* network; // or null: no --network
    std::vector<std::string> unmapped; // section, option
};

class Mwan3Golden : public ::testing::TestWithParam<GoldenCase> { };

TEST_P(Mwan3Golden, PrintsTheExpectedConfigAndWhatItCouldNotMap)
{
    const auto& test = GetParam();
    auto mwan3 = read_testdata(std::string(test.name) + ".mwan3");
    std::optional<std::string> network;
    if (test.network)
        network = read_testdata(test.network);
    auto result
        = imported(mwan3, network ? std::optional<std::string_view>(*network) : std::nullopt);
    EXPECT_EQ(to_printout(result), read_testdata(std::string(test.name) + ".expected"));
    EXPECT_EQ(findings(result), test.unmapped);
    expect_valid_failover_config(to_uci_text(result.sections));
    // The printout with its comment block is UCI too: it can be pasted as it is.
    std::vector<ConfigDiagnostic> diagnostics;
    EXPECT_TRUE(parse_uci_sections(to_printout(result), diagnostics));
}

INSTANTIATE_TEST_SUITE_P(Mwan3Import, Mwan3Golden,
    ::testing::Values(
        // What OpenWrt's mwan3 package installs (openwrt/packages
        // net/mwan3/files/etc/config/mwan3): wan and wanb with IPv6 twins, five policies, a sticky
        // HTTPS rule, a catch-all per family.
        GoldenCase {"openwrt-default", nullptr,
            {"globals 'globals', mmx_mask '0x3F00'", "interface 'wan', reliability '2'",
                "interface 'wan6'", "interface 'wan6', enabled '0'",
                "interface 'wan6', track_ip '2606:4700:4700::1001'",
                "interface 'wan6', track_ip '2606:4700:4700::1111'",
                "interface 'wan6', track_ip '2620:0:ccd::2'",
                "interface 'wan6', track_ip '2620:0:ccc::2'", "interface 'wan6', reliability '2'",
                "interface 'wanb', reliability '1'", "interface 'wanb6'",
                "interface 'wanb6', track_ip '2606:4700:4700::1001'",
                "interface 'wanb6', track_ip '2606:4700:4700::1111'",
                "interface 'wanb6', track_ip '2620:0:ccd::2'",
                "interface 'wanb6', track_ip '2620:0:ccc::2'",
                "interface 'wanb6', reliability '1'"}},
        // Fibre (DHCP), DSL (PPPoE) and an LTE modem (QMI) in one failover policy, with the
        // network file: devices and the modem found, wan6 ('@wan') merged into wan.
        GoldenCase {"dual-wan-lte-failover", "dual-wan-lte-failover.network",
            {"globals 'globals', logging '1'", "globals 'globals', loglevel 'notice'",
                "globals 'globals', mmx_mask '0x3F00'", "interface 'wan', count '1'",
                "interface 'wan', down '3'", "interface 'wan', failure_interval '2'",
                "interface 'wan', interval '5'", "interface 'wan', recovery_interval '5'",
                "interface 'wan', reliability '2'", "interface 'wan', timeout '2'",
                "interface 'wan', up '3'", "interface 'wan', flush_conntrack 'ifdown'",
                "interface 'wan', flush_conntrack 'disconnected'", "interface 'wan6'",
                "interface 'wan6', track_ip '2606:4700:4700::1111'",
                "interface 'wan6', reliability '1'", "interface 'wanb', down '5'",
                "interface 'wanb', httping_ssl '1'", "interface 'wanb', interval '10'",
                "interface 'wanb', reliability '1'", "interface 'wanb', track_method 'httping'",
                "interface 'wanb', up '5'", "interface 'wwan', check_quality '1'",
                "interface 'wwan', failure_latency '1500'", "interface 'wwan', failure_loss '30'",
                "interface 'wwan', initial_state 'offline'", "interface 'wwan', interval '30'",
                "interface 'wwan', recovery_latency '800'", "interface 'wwan', recovery_loss '5'",
                "interface 'wwan', reliability '1'", "interface 'wwan', timeout '4'",
                "policy 'lte_only', last_resort 'blackhole'", "rule 'streaming'",
                "rule 'cameras', logging '1'"}},
        // Two wired lines balanced 3:2 without the network file, HTTPS sticky for 300 s, the VoIP
        // phone's SIP and RTP on a failover policy; a port list, GRE and a host name as target.
        GoldenCase {"load-balance-voip", nullptr,
            {"globals 'globals', mmx_mask '0x3F00'", "interface 'fibre', reliability '1'",
                "interface 'cable', track_ip 'dns.quad9.net'", "interface 'cable', reliability '1'",
                "rule 'web'", "rule 'vpn_gre'"}}),
    [](const auto& info) {
        std::string name = info.param.name;
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    });

std::string printout_of(std::string_view mwan3)
{
    return to_printout(imported(mwan3));
}

std::string refusal_of(
    std::string_view mwan3, std::optional<std::string_view> network = std::nullopt)
{
    auto result = import_mwan3(mwan3, network);
    auto* refusal = std::get_if<Mwan3ImportRefusal>(&result);
    return refusal ? refusal->message : "imported";
}

TEST(Mwan3Import, RefusesWhatIsNotAnMwan3File)
{
    EXPECT_EQ(refusal_of("mwan3.wan=interface\nmwan3.wan.enabled='1'\n"),
        "is not a UCI file uplink can read:\n  line 1: unknown statement 'mwan3.wan=interface' "
        "(expected config, option, list or package)\n  line 2: unknown statement "
        "'mwan3.wan.enabled=1' (expected config, option, list or package)\n  (that is what `uci "
        "show mwan3` prints: give /etc/config/mwan3 itself, or what `uci export mwan3` prints)");
    auto no_mwan3
        = "has no mwan3 section (interface, member, policy, rule): is it /etc/config/mwan3?";
    EXPECT_EQ(refusal_of(""), no_mwan3);
    EXPECT_EQ(refusal_of("# nothing here\n"), no_mwan3);
    // /etc/config/network given by mistake: its interfaces have a proto.
    EXPECT_EQ(refusal_of(read_testdata("dual-wan-lte-failover.network")), no_mwan3);
    EXPECT_EQ(refusal_of("config interface 'wan'\n", "config 'a b'\n"),
        "the network file is not a UCI file uplink can read:\n  line 1: 'a b' is not a valid "
        "section type (printable characters, no spaces)");
}

TEST(Mwan3Import, AnInterfaceAloneIsAWan)
{
    auto text = printout_of(
        "config interface 'wan'\n\toption enabled '1'\n\tlist track_ip '192.0.2.1'\n");
    EXPECT_NE(
        text.find("config wan 'wan'\n\toption interface 'wan'\n\tlist track_ip '192.0.2.1'\n"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("# Everything in the mwan3 file was mapped.\n"), std::string::npos) << text;
}

// Each rule option alone, and what becomes of it.
TEST(Mwan3Import, TranslatesRuleOptions)
{
    struct Case {
        const char* rule;
        const char* traffic; // the traffic section's lines, or "" when the rule is not mapped
    };
    const Case cases[] = {
        {"option src_ip '192.168.1.0/24'", "\toption src_ip '192.168.1.0/24'\n"},
        {"option dest_ip '2001:db8::/32'", "\toption dest_ip '2001:db8::/32'\n"},
        {"option proto 'udp'\n\toption src_port '1000:1010'",
            "\toption proto 'udp'\n\toption src_port '1000-1010'\n"},
        {"option proto 'icmp'\n\toption dest_port '80'", "\toption proto 'icmp'\n"},
        {"option proto 'tcp'\n\toption dest_port '!80'", ""},
        {"option src_ip '192.168.1.1,192.168.1.2'", ""},
        {"option dest_ip '::/0'\n\toption src_port '53'", "\toption family 'ipv6'\n"},
        {"option family 'ipv4'\n\toption src_ip '192.168.1.9'",
            "\toption src_ip '192.168.1.9'\n\toption family 'ipv4'\n"},
        {"option src_iface 'lan'", ""},
        {"option family 'ipv5'\n\toption src_ip '192.168.1.9'", ""},
    };
    for (const auto& test : cases) {
        auto text = printout_of(
            fmt::format("config interface 'wan'\nconfig member 'm'\n\toption interface 'wan'\n"
                        "config policy 'p'\n\tlist use_member 'm'\nconfig rule 'r'\n\t{}\n"
                        "\toption use_policy 'p'\n",
                test.rule));
        auto expected = fmt::format("config traffic 'r'\n{}\toption policy 'p'\n", test.traffic);
        if (*test.traffic)
            EXPECT_NE(text.find(expected), std::string::npos) << test.rule << "\n" << text;
        else
            EXPECT_EQ(text.find("config traffic"), std::string::npos) << test.rule << "\n" << text;
    }
}

// Members to tiers: lowest metric first, weights within uplink's 1 to 1000, a WAN once.
TEST(Mwan3Import, TranslatesMembersAndLastResort)
{
    auto result
        = imported("config interface 'a'\nconfig interface 'b'\n"
                   "config member 'a1'\n\toption interface 'a'\n\toption weight '2'\n"
                   "config member 'b1'\n\toption interface 'b'\n\toption weight '5000'\n"
                   "config member 'a2'\n\toption interface 'a'\n\toption metric '2'\n"
                   "config member 'b2'\n\toption interface 'b'\n\toption metric '2'\n"
                   "config policy 'p'\n\tlist use_member 'a1'\n\tlist use_member 'b1'\n"
                   "\tlist use_member 'a2'\n\tlist use_member 'b2'\n\tlist use_member 'nobody'\n"
                   "\toption last_resort 'nowhere'\n");
    auto text = to_uci_text(result.sections);
    EXPECT_NE(text.find("config policy 'p'\n\tlist tier 'a:2 b:1000'\n\n"), std::string::npos)
        << text;
    EXPECT_EQ(findings(result),
        (std::vector<std::string> {"policy 'p', use_member 'b1'", "policy 'p', use_member 'a2'",
            "policy 'p', use_member 'b2'", "policy 'p', use_member 'nobody'",
            "policy 'p', last_resort 'nowhere'"}));
    EXPECT_EQ(result.unmapped.at(0).why, "weight 5000 is outside uplink's 1 to 1000: made 1000");
    EXPECT_EQ(result.unmapped.at(2).why,
        "WAN 'b' is in the policy already, at metric 1 and weight 1000: uplink puts a WAN in a "
        "policy once");
    expect_valid_failover_config(text);
}

TEST(Mwan3Import, NamesStayUniqueAndWithinUplinksLimits)
{
    auto result = imported("config interface 'WAN'\nconfig interface 'wan'\n"
                           "config interface 'a_very_long_interface_name'\n"
                           "config rule 'main_table'\n\toption use_policy 'default'\n\toption proto 'tcp'\n",
        "config interface 'a_very_long_interface_name'\n\toption device 'eth2'\n");
    expect_valid_failover_config(to_uci_text(result.sections));
    std::vector<std::string> names;
    for (const auto& section : result.sections)
        names.push_back(section.type + " " + section.name);
    EXPECT_EQ(names,
        (std::vector<std::string> {"wan wan", "wan wan_2", "wan a_very_long_int",
            "policy main_table_2", "traffic main_table", "uplink main"}));
}

// Without the network file, a netifd name that no device can have (longer than 15 characters)
// would make a WAN uplinkd refuses: the interface is listed instead, and its members with it.
TEST(Mwan3Import, ANetifdNameNoDeviceCanHaveIsListed)
{
    auto result = imported("config interface 'a_very_long_interface_name'\n\toption enabled '1'\n"
                           "config interface 'wan'\n\toption enabled '1'\n"
                           "config member 'long_m1'\n\toption interface 'a_very_long_interface_name'\n"
                           "config member 'wan_m1'\n\toption interface 'wan'\n"
                           "config policy 'both'\n\tlist use_member 'long_m1'\n\tlist use_member 'wan_m1'\n");
    expect_valid_failover_config(to_uci_text(result.sections));
    EXPECT_EQ(findings(result),
        (std::vector<std::string> {"interface 'a_very_long_interface_name'",
            "policy 'both', use_member 'long_m1'"}));
    EXPECT_NE(result.unmapped.at(0).why.find("--network /etc/config/network"), std::string::npos)
        << result.unmapped.at(0).why;
}

} // namespace
} // namespace uplink::cli
