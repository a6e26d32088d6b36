// `config wan`, `config policy`, `config traffic` as docs/failover.md describes them: the
// example there, and each mistake a user can make, named in the diagnostic.
#include "wan/wan.hpp"

#include <cctype>
#include <gtest/gtest.h>

namespace uplink::wan {
namespace {

const Schema& schema()
{
    static const Schema schema = [] {
        SectionSchema main_section;
        main_section.type = "uplink";
        main_section.single = true;
        main_section.options = {default_policy_option(), resolv_file_option()};
        Schema all = wan_schema();
        all.push_back(main_section);
        return all;
    }();
    return schema;
}

struct Parsed {
    WanSettings settings;
    std::vector<ConfigDiagnostic> diagnostics;
};

Parsed parse(std::string_view text)
{
    Parsed parsed;
    auto config = Config::parse(text, schema(), parsed.diagnostics);
    if (config)
        parsed.settings = wan_settings_from(*config, parsed.diagnostics);
    return parsed;
}

std::string joined(const std::vector<ConfigDiagnostic>& diagnostics)
{
    std::string text;
    for (const auto& diagnostic : diagnostics)
        text += to_string(diagnostic) + "\n";
    return text;
}

constexpr std::string_view documented = R"(
config wan 'fibre'
	option interface 'eth1'
	list track_ip '192.0.2.1'

config wan 'lte'
	option modem 'wan1'
	option metered '1'
	option standby '1'

config policy 'failover'
	list tier 'fibre'
	list tier 'lte'
	option last_resort 'unreachable'

config policy 'balanced'
	list tier 'fibre:3 lte:1'
	option sticky '600'

config traffic 'voip'
	option src_ip '192.168.1.50'
	option proto 'udp'
	option dest_port '5060-5061'
	option policy 'failover'
)";

TEST(WanConfig, TheDocumentedExampleReads)
{
    auto parsed = parse(documented);
    ASSERT_TRUE(parsed.diagnostics.empty()) << joined(parsed.diagnostics);
    const auto& settings = parsed.settings;
    ASSERT_EQ(settings.wans.size(), 2u);
    EXPECT_EQ(settings.wans[0].interface, "eth1");
    EXPECT_EQ(settings.wans[0].track_ips, std::vector<std::string> {"192.0.2.1"});
    EXPECT_FALSE(settings.wans[0].metered);
    EXPECT_EQ(settings.wans[1].modem, "wan1");
    EXPECT_TRUE(settings.wans[1].standby);
    EXPECT_EQ(settings.wans[0].probe_budget_mb, 50); // the default (unmetered: not used)
    EXPECT_EQ(settings.wans[1].probe_budget_mb, standby_probe_budget_mb); // in standby, unless given
    ASSERT_EQ(settings.policies.size(), 2u);
    EXPECT_EQ(settings.policies[0].tiers, (std::vector<Tier> {{{"fibre", 1}}, {{"lte", 1}}}));
    EXPECT_EQ(settings.policies[1].tiers, (std::vector<Tier> {{{"fibre", 3}, {"lte", 1}}}));
    EXPECT_EQ(settings.policies[1].sticky, std::chrono::seconds(600));
    ASSERT_EQ(settings.rules.size(), 1u);
    EXPECT_EQ(settings.rules[0].source, net::parse_prefix("192.168.1.50"));
    EXPECT_EQ(settings.rules[0].protocol, Protocol::Udp);
    EXPECT_EQ(settings.rules[0].destination_port, (PortRange {5060, 5061}));
    EXPECT_EQ(settings.rules[0].policy, "failover");
    EXPECT_EQ(settings.default_policy, "failover");
}

TEST(WanConfig, DefaultsFollowTheKindOfWan)
{
    auto parsed = parse("config wan 'fibre'\n\toption interface 'eth1'\nconfig wan 'lte'\n\toption "
                        "modem '1-1.2'\n");
    ASSERT_TRUE(parsed.diagnostics.empty()) << joined(parsed.diagnostics);
    EXPECT_FALSE(parsed.settings.wans[0].metered);
    EXPECT_TRUE(parsed.settings.wans[1].metered);
    EXPECT_EQ(parsed.settings.wans[0].track_ips,
        (std::vector<std::string> {"1.1.1.1", "8.8.8.8", "9.9.9.9"}));
}

TEST(WanConfig, WithoutPoliciesTheWiredWansComeFirst)
{
    auto parsed = parse(
        "config wan 'lte'\n\toption modem 'wan1'\nconfig wan 'fibre'\n\toption interface 'eth1'\n"
        "config wan 'lte2'\n\toption modem 'wan2'\n");
    ASSERT_TRUE(parsed.diagnostics.empty()) << joined(parsed.diagnostics);
    ASSERT_EQ(parsed.settings.policies.size(), 1u);
    EXPECT_EQ(parsed.settings.policies[0].name, "failover");
    EXPECT_EQ(parsed.settings.policies[0].tiers,
        (std::vector<Tier> {{{"fibre", 1}}, {{"lte", 1}}, {{"lte2", 1}}}));
    EXPECT_EQ(parsed.settings.default_policy, "failover");
}

struct Mistake {
    const char* what;
    const char* text;
    const char* diagnostic;
};

// Each is a whole file with one mistake, and the words its diagnostic must have.
const Mistake mistakes[] = {
    {"a name with capitals", "config wan 'Fibre'\n\toption interface 'eth1'\n",
        "'Fibre' cannot name a WAN"},
    {"a name too long", "config wan 'a_very_long_wan_name'\n\toption interface 'eth1'\n",
        "at most 15"},
    {"neither interface nor modem", "config wan 'fibre'\n", "exactly one of option 'interface'"},
    {"both interface and modem",
        "config wan 'fibre'\n\toption interface 'eth1'\n\toption modem 'wan1'\n",
        "exactly one of option 'interface'"},
    {"an interface name with a slash", "config wan 'fibre'\n\toption interface 'eth/1'\n",
        "option 'interface': 'eth/1'"},
    {"a modem that is no modem", "config wan 'lte'\n\toption modem 'usb'\n",
        "option 'modem': 'usb'"},
    {"a track_ip that is no address",
        "config wan 'fibre'\n\toption interface 'eth1'\n\tlist track_ip 'one.one'\n",
        "list 'track_ip': 'one.one'"},
    {"standby on a wire", "config wan 'fibre'\n\toption interface 'eth1'\n\toption standby '1'\n",
        "option 'standby'"},
    {"a wired WAN sharing a prefix",
        "config wan 'fibre'\n\toption interface 'eth1'\n\toption share_prefix 'br-lan'\n",
        "option 'share_prefix': only a modem's network"},
    {"a prefix shared on no interface name",
        "config wan 'lte'\n\toption modem 'wan1'\n\toption share_prefix 'br lan'\n",
        "option 'share_prefix': 'br lan' is not an interface name"},
    {"a prefix shared on a WAN",
        "config wan 'fibre'\n\toption interface 'eth1'\nconfig wan 'lte'\n\toption modem 'wan1'\n"
        "\toption share_prefix 'eth1'\n",
        "option 'share_prefix': 'eth1' is WAN 'fibre''s interface, not a LAN"},
    {"an IPv6 target for ping",
        "config wan 'fibre'\n\toption interface 'eth1'\n\tlist track_ip '2001:db8::1'\n",
        "'2001:db8::1': ping probes IPv4 targets"},
    {"a port for ping", "config wan 'fibre'\n\toption interface 'eth1'\n\toption track_port '80'\n",
        "option 'track_port': only track_method 'tcp'"},
    {"a weight of 0",
        "config wan 'a'\n\toption interface 'eth1'\nconfig policy 'failover'\n\tlist tier 'a:0'\n",
        "list 'tier': 'a:0': weight '0' is not a whole number from 1 to 1000"},
    {"a weight above 1000",
        "config wan 'a'\n\toption interface 'eth1'\nconfig policy 'failover'\n\tlist tier "
        "'a:1001'\n",
        "weight '1001' is not a whole number from 1 to 1000"},
    {"a weight that is no number",
        "config wan 'a'\n\toption interface 'eth1'\nconfig policy 'failover'\n\tlist tier 'a:x'\n",
        "weight 'x' is not a whole number"},
    {"an unknown WAN in a tier",
        "config wan 'a'\n\toption interface 'eth1'\nconfig policy 'failover'\n\tlist tier 'a b'\n",
        "list 'tier': there is no WAN 'b'"},
    {"a WAN twice in a policy",
        "config wan 'a'\n\toption interface 'eth1'\nconfig policy 'failover'\n\tlist tier "
        "'a'\n\tlist tier 'a:2'\n",
        "WAN 'a' is in the policy twice"},
    {"a traffic rule naming an unknown policy", "config traffic 'voip'\n\toption policy 'fast'\n",
        "option 'policy': there is no policy 'fast'"},
    {"ports without tcp or udp",
        "config traffic 'voip'\n\toption dest_port '5060'\n\toption policy 'failover'\n",
        "option 'dest_port': ports need option proto 'tcp' or 'udp'"},
    {"a port range backwards",
        "config traffic 'voip'\n\toption proto 'udp'\n\toption src_port '5061-5060'\n"
        "\toption policy 'failover'\n",
        "option 'src_port': '5061-5060' is not a port"},
    {"port 0",
        "config traffic 'voip'\n\toption proto 'tcp'\n\toption dest_port '0'\n\toption policy "
        "'failover'\n",
        "option 'dest_port': '0'"},
    {"an address that is no address",
        "config traffic 't'\n\toption dest_ip '10.0.0.0/33'\n\toption policy 'failover'\n",
        "option 'dest_ip': '10.0.0.0/33'"},
    {"families that disagree",
        "config traffic 't'\n\toption src_ip '192.168.1.5'\n\toption dest_ip '2001:db8::/32'\n"
        "\toption policy 'failover'\n",
        "cannot both match"},
    {"an IPv4 address in an ipv6 rule",
        "config traffic 't'\n\toption src_ip '192.168.1.5'\n\toption family 'ipv6'\n"
        "\toption policy 'failover'\n",
        "family 'ipv6'"},
    {"a default policy that is not there", "config uplink\n\toption policy 'fast'\n",
        "option 'policy': there is no policy 'fast'"},
};

class WanConfigMistake : public testing::TestWithParam<Mistake> { };

TEST_P(WanConfigMistake, IsNamedInItsDiagnostic)
{
    auto parsed = parse(GetParam().text);
    auto text = joined(parsed.diagnostics);
    EXPECT_NE(text.find(GetParam().diagnostic), std::string::npos) << GetParam().what << ":\n"
                                                                   << text;
    for (const auto& diagnostic : parsed.diagnostics)
        EXPECT_GT(diagnostic.line, 0) << diagnostic.message;
}

// Each case is named after its mistake: "a_weight_of_0" (GoogleTest takes [A-Za-z0-9_]).
INSTANTIATE_TEST_SUITE_P(Each, WanConfigMistake, testing::ValuesIn(mistakes),
    [](const testing::TestParamInfo<Mistake>& info) {
        std::string name = info.param.what;
        for (auto& c : name)
            if (!std::isalnum(static_cast<unsigned char>(c)))
                c = '_';
        return name;
    });

// A first policy of another name leaves the implicit failover as the default, so that adding
// one (from the web UI, say) never leaves the rest of the traffic without a policy.
TEST(WanConfig, TheImplicitFailoverStaysBesideOtherPolicies)
{
    auto parsed = parse("config wan 'a'\n\toption interface 'eth1'\nconfig wan 'b'\n\toption modem 'wan1'\n"
                        "config policy 'b_only'\n\tlist tier 'b'\n");
    EXPECT_TRUE(parsed.diagnostics.empty()) << joined(parsed.diagnostics);
    ASSERT_EQ(parsed.settings.policies.size(), 2u);
    EXPECT_EQ(parsed.settings.default_policy, "failover");
    const auto& implicit = parsed.settings.policies[1];
    EXPECT_TRUE(implicit.implicit);
    EXPECT_EQ(implicit.tiers, (std::vector<Tier> {{{"a", 1}}, {{"b", 1}}}));
    EXPECT_FALSE(parsed.settings.policies[0].implicit);
    // Named in the file, it is the file's.
    auto explicit_one = parse("config wan 'a'\n\toption interface 'eth1'\nconfig policy 'failover'\n\tlist tier 'a'\n");
    ASSERT_EQ(explicit_one.settings.policies.size(), 1u);
    EXPECT_FALSE(explicit_one.settings.policies[0].implicit);
}

// A policy with no tiers sends its traffic to its last resort: how some traffic is kept out of the
// WANs' tables (mwan3's `default` policy) or refused.
TEST(WanConfig, APolicyWithoutTiersIsItsLastResort)
{
    auto parsed = parse("config wan 'a'\n\toption interface 'eth1'\nconfig policy 'failover'\n"
                        "\tlist tier 'a'\nconfig policy 'main_table'\n\toption last_resort 'main'\n");
    ASSERT_TRUE(parsed.diagnostics.empty()) << joined(parsed.diagnostics);
    ASSERT_EQ(parsed.settings.policies.size(), 2u);
    EXPECT_TRUE(parsed.settings.policies[1].tiers.empty());
    EXPECT_EQ(parsed.settings.policies[1].last_resort, LastResort::Main);
}

TEST(WanConfig, TiersParse)
{
    EXPECT_EQ(std::get<Tier>(parse_tier("fibre:3 lte:1")), (Tier {{"fibre", 3}, {"lte", 1}}));
    EXPECT_EQ(
        std::get<Tier>(parse_tier("  fibre\tlte:1000 ")), (Tier {{"fibre", 1}, {"lte", 1000}}));
    EXPECT_TRUE(std::holds_alternative<TierError>(parse_tier("")));
    EXPECT_TRUE(std::holds_alternative<TierError>(parse_tier("fibre:")));
    EXPECT_TRUE(std::holds_alternative<TierError>(parse_tier(":3")));
    EXPECT_TRUE(std::holds_alternative<TierError>(parse_tier("fibre:-1")));
    EXPECT_TRUE(std::holds_alternative<TierError>(parse_tier("fibre:3:1")));
}

TEST(WanConfig, NamesAreLowerCaseDigitsAndUnderscores)
{
    EXPECT_TRUE(is_valid_name("wan_2"));
    EXPECT_TRUE(is_valid_name("abcdefghijklmno"));
    EXPECT_FALSE(is_valid_name("abcdefghijklmnop"));
    EXPECT_FALSE(is_valid_name(""));
    EXPECT_FALSE(is_valid_name("wan-2"));
}

TEST(WanConfig, EnumsRoundTrip)
{
    for (auto value : {LastResort::Unreachable, LastResort::Main})
        EXPECT_EQ(to_string(value) == "main", value == LastResort::Main);
    for (auto value : {Failback::New, Failback::All})
        EXPECT_EQ(to_string(value) == "all", value == Failback::All);
    // The schema's choices are the enums' names, which wan_settings_from() maps back.
    for (const auto& section : wan_schema())
        for (const auto& option : section.options) {
            if (option.name == "proto") {
                EXPECT_EQ(option.choices.size(), 4u);
            }
            for (const auto& choice : option.choices) {
                bool known = false;
                for (auto value : {Protocol::All, Protocol::Tcp, Protocol::Udp, Protocol::Icmp})
                    known |= to_string(value) == choice;
                for (auto value : {FamilyFilter::Any, FamilyFilter::Ipv4, FamilyFilter::Ipv6})
                    known |= to_string(value) == choice;
                known |= to_string(LastResort::Unreachable) == choice
                    || to_string(LastResort::Main) == choice;
                known |= to_string(Failback::New) == choice || to_string(Failback::All) == choice;
                for (auto value : {TrackMethod::Ping, TrackMethod::Tcp, TrackMethod::Dns})
                    known |= to_string(value) == choice;
                EXPECT_TRUE(known) << option.name << ": " << choice;
            }
        }
}

} // namespace
} // namespace uplink::wan
