#include "core/config_test_schema.hpp"
#include "core/core.hpp"

#include <gtest/gtest.h>
#include <set>

namespace uplink {
namespace {

using config_testing::test_schema;

struct ExpectedSection {
    std::string type;
    std::string name;
    std::map<std::string, std::string> options;
    std::map<std::string, std::vector<std::string>> lists;
};

void expect_sections(const Config& config, const std::vector<ExpectedSection>& expected)
{
    const auto& sections = config.sections();
    ASSERT_EQ(sections.size(), expected.size());
    for (std::size_t index = 0; index < sections.size(); ++index) {
        SCOPED_TRACE("section " + std::to_string(index));
        EXPECT_EQ(sections[index].type, expected[index].type);
        EXPECT_EQ(sections[index].name, expected[index].name);
        EXPECT_EQ(sections[index].options, expected[index].options);
        EXPECT_EQ(sections[index].lists, expected[index].lists);
    }
}

// The content of two configs, lines aside (a round trip moves lines).
void expect_same_sections(const Config& left, const Config& right)
{
    std::vector<ExpectedSection> expected;
    for (const auto& section : right.sections())
        expected.push_back({section.type, section.name, section.options, section.lists});
    expect_sections(left, expected);
}

std::string all_messages(const std::vector<ConfigDiagnostic>& diagnostics)
{
    std::string text;
    for (const auto& diagnostic : diagnostics)
        text += to_string(diagnostic) + "\n";
    return text;
}

Config parse_good(std::string_view text)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto config = Config::parse(text, test_schema(), diagnostics);
    if (!config) {
        ADD_FAILURE() << "parse failed:\n" << all_messages(diagnostics);
        return {};
    }
    EXPECT_TRUE(diagnostics.empty());
    return *config;
}

// ---------------------------------------------------------------- good files

struct GoodCase {
    const char* name;
    std::string text;
    std::vector<ExpectedSection> sections;
};

class ParseGood : public ::testing::TestWithParam<GoodCase> { };

TEST_P(ParseGood, GivesTheSections)
{
    auto config = parse_good(GetParam().text);
    expect_sections(config, GetParam().sections);
}

INSTANTIATE_TEST_SUITE_P(Files, ParseGood,
    ::testing::Values(GoodCase {"empty", "", {}},
        GoodCase {"only_comments", "# uplink configuration\n\n  # nothing yet\n", {}},
        GoodCase {"package_line_is_ignored", "package uplink\n\nconfig globals\n",
            {{"globals", "", {}, {}}}},
        GoodCase {"globals",
            "config globals\n"
            "\toption log_level debug\n"
            "\toption poll_interval 30\n"
            "\toption hostname 'my router'\n",
            {{"globals", "",
                {{"log_level", "debug"}, {"poll_interval", "30"}, {"hostname", "my router"}}, {}}}},
        // What `uci commit` writes: type bare, name and values in single quotes.
        GoodCase {"uci_commit_style",
            "\nconfig modem 'wan1'\n"
            "\toption device '/dev/cdc-wdm0'\n"
            "\toption apn 'internet'\n"
            "\toption pin '1234'\n"
            "\tlist dns '1.1.1.1'\n"
            "\tlist dns '9.9.9.9'\n\n",
            {{"modem", "wan1", {{"device", "/dev/cdc-wdm0"}, {"apn", "internet"}, {"pin", "1234"}},
                {{"dns", {"1.1.1.1", "9.9.9.9"}}}}}},
        GoodCase {"every_option_type",
            "config modem wan1\n"
            "  option device /dev/ttyUSB2\n"
            "  option enabled off\n"
            "  option mtu 1400\n"
            "  option mode nr\n"
            "  option puk 12345678\n"
            "  list dns 2001:db8::1\n",
            {{"modem", "wan1",
                {{"device", "/dev/ttyUSB2"}, {"enabled", "off"}, {"mtu", "1400"}, {"mode", "nr"},
                    {"puk", "12345678"}},
                {{"dns", {"2001:db8::1"}}}}}},
        GoodCase {"quoting_styles",
            "config modem\n"
            "\toption device \"/dev/cdc-wdm0\"\n"
            "\toption apn 'it'\\''s here'\n"
            "\toption pin \"a\\\"b\\\\c\"\n",
            {{"modem", "", {{"device", "/dev/cdc-wdm0"}, {"apn", "it's here"}, {"pin", "a\"b\\c"}},
                {}}}},
        GoodCase {"empty_values",
            "config modem\n\toption device x\n\toption apn ''\n\tlist dns \"\"\n",
            {{"modem", "", {{"device", "x"}, {"apn", ""}}, {{"dns", {""}}}}}},
        GoodCase {"empty_name_is_anonymous", "config modem ''\n\toption device x\n",
            {{"modem", "", {{"device", "x"}}, {}}}},
        GoodCase {"limits_are_inclusive",
            "config globals\n\toption poll_interval 1\n"
            "config modem a\n\toption device x\n\toption mtu 576\n"
            "config modem b\n\toption device y\n\toption mtu 9000\n",
            {{"globals", "", {{"poll_interval", "1"}}, {}},
                {"modem", "a", {{"device", "x"}, {"mtu", "576"}}, {}},
                {"modem", "b", {{"device", "y"}, {"mtu", "9000"}}, {}}}},
        GoodCase {"integer_without_limits",
            "config wan w1\n\toption interface eth1\n\toption metric -5\n\tlist track x\n"
            "config wan w2\n\toption interface eth2\n"
            "\toption metric 9223372036854775807\n\tlist track y\n",
            {{"wan", "w1", {{"interface", "eth1"}, {"metric", "-5"}}, {{"track", {"x"}}}},
                {"wan", "w2", {{"interface", "eth2"}, {"metric", "9223372036854775807"}},
                    {{"track", {"y"}}}}}},
        GoodCase {"sections_keep_file_order",
            "config modem b\n\toption device 2\n"
            "config globals\n"
            "config modem\n\toption device 3\n"
            "config modem a\n\toption device 1\n",
            {{"modem", "b", {{"device", "2"}}, {}}, {"globals", "", {}, {}},
                {"modem", "", {{"device", "3"}}, {}}, {"modem", "a", {{"device", "1"}}, {}}}},
        GoodCase {"comments_everywhere",
            "# head\n"
            "config globals # the one globals section\n"
            "\t# poll more often\n"
            "\toption poll_interval 5 # seconds\n",
            {{"globals", "", {{"poll_interval", "5"}}, {}}}},
        GoodCase {"crlf_line_ends", "config globals\r\n\toption web 'no'\r\n",
            {{"globals", "", {{"web", "no"}}, {}}}}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- bad files

struct BadCase {
    const char* name;
    std::string text;
    ConfigErrc code; // what parse returns
    std::vector<ConfigDiagnostic> diagnostics; // in line order
};

class ParseBad : public ::testing::TestWithParam<BadCase> { };

TEST_P(ParseBad, NamesTheLineAndTheProblem)
{
    const auto& test = GetParam();
    std::vector<ConfigDiagnostic> diagnostics {{99, "left over from an earlier call"}};
    auto config = Config::parse(test.text, test_schema(), diagnostics);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error(), make_error_code(test.code)) << config.error().message();
    ASSERT_EQ(diagnostics.size(), test.diagnostics.size()) << all_messages(diagnostics);
    for (std::size_t index = 0; index < diagnostics.size(); ++index) {
        EXPECT_EQ(diagnostics[index].line, test.diagnostics[index].line) << index;
        EXPECT_EQ(diagnostics[index].message, test.diagnostics[index].message) << index;
    }
}

INSTANTIATE_TEST_SUITE_P(Syntax, ParseBad,
    ::testing::Values(
        BadCase {"unknown_statement", "config globals\n\topton web 1\n", ConfigErrc::Syntax,
            {{2, "unknown statement 'opton' (expected config, option, list or package)"}}},
        BadCase {"config_without_type", "config\n", ConfigErrc::Syntax,
            {{1, "'config' needs a section type"}}},
        BadCase {"config_with_three_words", "config modem wan1 extra\n\toption device x\n",
            ConfigErrc::Syntax,
            {{1, "'config' takes a section type and an optional name, nothing more"}}},
        BadCase {"option_without_value", "config globals\n\toption hostname\n", ConfigErrc::Syntax,
            {{2, "'option' needs a name and a value"}}},
        BadCase {"list_without_value", "config modem\n\toption device x\n\tlist dns\n",
            ConfigErrc::Syntax, {{3, "'list' needs a name and a value"}}},
        BadCase {"unquoted_spaces", "config globals\n\toption hostname my router\n",
            ConfigErrc::Syntax,
            {{2, "'option' takes a name and one value (quote a value that has spaces)"}}},
        BadCase {"bad_section_name", "config modem 'wan-1'\n\toption bogus x\n", ConfigErrc::Syntax,
            {{1, "'wan-1' is not a valid name (letters, digits and _ only)"}}},
        BadCase {"bad_section_type", "config 'my modem'\n", ConfigErrc::Syntax,
            {{1, "'my modem' is not a valid section type (printable characters, no spaces)"}}},
        BadCase {"bad_option_name", "config globals\n\toption 'poll-interval' 5\n",
            ConfigErrc::Syntax,
            {{2, "'poll-interval' is not a valid name (letters, digits and _ only)"}}},
        BadCase {"option_before_config", "option web 1\nconfig globals\n", ConfigErrc::Syntax,
            {{1, "'option' before any 'config' line"}}},
        BadCase {"package_without_name", "package\n", ConfigErrc::Syntax,
            {{1, "'package' takes one name"}}},
        BadCase {"unterminated_quote", "config globals\n\toption hostname 'router\n",
            ConfigErrc::Syntax,
            {{2, "unterminated single quote (a value must end on the line it starts)"}}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(Schema, ParseBad,
    ::testing::Values(
        // Options of an unknown section are not reported again, one by one.
        BadCase {"unknown_section_type", "config router\n\toption speed 1\n",
            ConfigErrc::UnknownSection, {{1, "unknown section type 'router'"}}},
        BadCase {"unknown_option", "config globals\n\toption pol_interval 5\n",
            ConfigErrc::UnknownOption,
            {{2, "option 'pol_interval': unknown option for a 'globals' section"}}},
        BadCase {"unknown_list", "config modem\n\toption device x\n\tlist dnss 1.1.1.1\n",
            ConfigErrc::UnknownOption, {{3, "list 'dnss': unknown option for a 'modem' section"}}},
        BadCase {"below_minimum_on_line_12",
            "# uplink\n#\n#\n#\n#\n#\n#\n#\n#\n\nconfig globals\n\toption poll_interval 0\n",
            ConfigErrc::BadValue, {{12, "option 'poll_interval': 0 is below the minimum 1"}}},
        BadCase {"above_maximum", "config modem\n\toption device x\n\toption mtu 9001\n",
            ConfigErrc::BadValue, {{3, "option 'mtu': 9001 is above the maximum 9000"}}},
        BadCase {"not_an_integer", "config globals\n\toption poll_interval 10s\n",
            ConfigErrc::BadValue, {{2, "option 'poll_interval': '10s' is not an integer"}}},
        BadCase {"integer_with_spaces", "config globals\n\toption poll_interval ' 10'\n",
            ConfigErrc::BadValue, {{2, "option 'poll_interval': ' 10' is not an integer"}}},
        BadCase {"integer_with_plus", "config globals\n\toption poll_interval +10\n",
            ConfigErrc::BadValue, {{2, "option 'poll_interval': '+10' is not an integer"}}},
        BadCase {"integer_empty", "config globals\n\toption poll_interval ''\n",
            ConfigErrc::BadValue, {{2, "option 'poll_interval': '' is not an integer"}}},
        BadCase {"integer_beyond_64_bits",
            "config wan\n\toption interface x\n\toption metric 9223372036854775808\n"
            "\tlist track y\n",
            ConfigErrc::BadValue,
            {{3, "option 'metric': '9223372036854775808' is not an integer"}}},
        BadCase {"not_a_boolean", "config globals\n\toption web maybe\n", ConfigErrc::BadValue,
            {{2,
                "option 'web': 'maybe' is not a boolean (use 1/0, true/false, yes/no, "
                "on/off or enabled/disabled)"}}},
        BadCase {"boolean_is_lower_case", "config globals\n\toption web True\n",
            ConfigErrc::BadValue,
            {{2,
                "option 'web': 'True' is not a boolean (use 1/0, true/false, yes/no, "
                "on/off or enabled/disabled)"}}},
        BadCase {"not_a_choice", "config modem\n\toption device x\n\toption mode 5g\n",
            ConfigErrc::BadValue, {{3, "option 'mode': '5g' is not one of: auto, lte, nr"}}},
        BadCase {"secret_not_an_integer", "config modem\n\toption device x\n\toption puk 'x1y2'\n",
            ConfigErrc::BadValue, {{3, "option 'puk': the value is not an integer"}}},
        BadCase {"secret_below_minimum", "config modem\n\toption device x\n\toption puk -1\n",
            ConfigErrc::BadValue, {{3, "option 'puk': the value is below the minimum 0"}}},
        BadCase {"list_given_as_option", "config modem\n\toption device x\n\toption dns 1.1.1.1\n",
            ConfigErrc::BadValue,
            {{3, "option 'dns': is a list; give each value on a 'list dns' line"}}},
        BadCase {"option_given_as_list", "config modem\n\tlist device x\n", ConfigErrc::BadValue,
            {{2, "list 'device': is not a list; give it once, on an 'option device' line"}}},
        BadCase {"missing_required", "config modem 'wan1'\n\toption apn internet\n",
            ConfigErrc::Missing, {{1, "section 'wan1': option 'device' is required"}}},
        BadCase {"missing_required_anonymous", "config globals\nconfig modem\n",
            ConfigErrc::Missing, {{2, "anonymous 'modem' section: option 'device' is required"}}},
        BadCase {"missing_required_list", "config wan 'wan_a'\n\toption interface eth1\n",
            ConfigErrc::Missing, {{1, "section 'wan_a': option 'track' is required"}}},
        BadCase {"single_section_twice", "config globals\n\noption web 1\nconfig globals\n",
            ConfigErrc::Duplicate,
            {{4, "only one 'globals' section is allowed (another is on line 1)"}}},
        BadCase {"named_section_twice",
            "config modem wan1\n\toption device a\nconfig modem wan1\n\toption device b\n",
            ConfigErrc::Duplicate, {{3, "section 'wan1': the name is already used on line 1"}}},
        BadCase {"name_used_by_another_type",
            "config modem wan1\n\toption device a\n"
            "config wan wan1\n\toption interface x\n\tlist track y\n",
            ConfigErrc::Duplicate, {{3, "section 'wan1': the name is already used on line 1"}}},
        BadCase {"option_twice",
            "config modem\n\toption device a\n\toption apn one\n\toption apn two\n",
            ConfigErrc::Duplicate, {{4, "option 'apn': already set on line 3"}}}),
    [](const auto& info) { return std::string(info.param.name); });

// The whole file is checked: every problem is reported, in line order, and the error
// returned is that of the first one.
INSTANTIATE_TEST_SUITE_P(WholeFile, ParseBad,
    ::testing::Values(
        BadCase {"every_problem_in_line_order",
            "config globals\n" // 1
            "\toption poll_interval 0\n" // 2
            "\toption web maybe\n" // 3
            "config modem wan1\n" // 4: device missing
            "\toption apn 'unterminated\n" // 5
            "\toption colour blue\n" // 6
            "config router\n" // 7
            "\toption speed 1\n" // 8: not reported
            "config globals\n", // 9
            ConfigErrc::BadValue,
            {{2, "option 'poll_interval': 0 is below the minimum 1"},
                {3,
                    "option 'web': 'maybe' is not a boolean (use 1/0, true/false, yes/no, "
                    "on/off or enabled/disabled)"},
                {4, "section 'wan1': option 'device' is required"},
                {5, "unterminated single quote (a value must end on the line it starts)"},
                {6, "option 'colour': unknown option for a 'modem' section"},
                {7, "unknown section type 'router'"},
                {9, "only one 'globals' section is allowed (another is on line 1)"}}},
        // A bad value of a required option is one problem, not also a missing option.
        BadCase {"bad_required_value_is_not_also_missing",
            "config wan\n\toption interface x\n\toption track y\n", ConfigErrc::BadValue,
            {{3, "option 'track': is a list; give each value on a 'list track' line"}}},
        BadCase {"options_after_a_refused_section_are_skipped",
            "config modem 'a b'\n\toption nonsense 1\nconfig globals\n\toption web 2\n",
            ConfigErrc::Syntax,
            {{1, "'a b' is not a valid name (letters, digits and _ only)"},
                {4,
                    "option 'web': '2' is not a boolean (use 1/0, true/false, yes/no, on/off or "
                    "enabled/disabled)"}}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Parse, SuccessClearsEarlierDiagnostics)
{
    std::vector<ConfigDiagnostic> diagnostics {{1, "old"}};
    ASSERT_TRUE(Config::parse("config globals\n", test_schema(), diagnostics));
    EXPECT_TRUE(diagnostics.empty());
}

TEST(Parse, AcceptsEveryUciBoolean)
{
    struct Case {
        const char* text;
        bool value;
    };
    const Case cases[]
        = {{"1", true}, {"0", false}, {"true", true}, {"false", false}, {"yes", true},
            {"no", false}, {"on", true}, {"off", false}, {"enabled", true}, {"disabled", false}};
    for (const auto& test : cases) {
        auto config = parse_good(fmt::format("config globals\n\toption web '{}'\n", test.text));
        ASSERT_EQ(config.sections().size(), 1u) << test.text;
        EXPECT_EQ(config.get_boolean(config.sections()[0], "web"), test.value) << test.text;
    }
}

// ---------------------------------------------------------------- another program's file

// A DSA router's /etc/config/network (OpenWrt 23.05 defaults, trimmed): section types the
// schema-less reader must take, `bridge-vlan` among them.
TEST(ParseUciSections, ReadsAnotherProgramsFileWithoutASchema)
{
    std::vector<ConfigDiagnostic> diagnostics {{1, "old"}};
    auto sections = parse_uci_sections("config device\n"
                                       "\toption name 'br-lan'\n"
                                       "\toption type 'bridge'\n"
                                       "\tlist ports 'lan1'\n"
                                       "\tlist ports 'lan2'\n"
                                       "\n"
                                       "config bridge-vlan\n"
                                       "\toption device 'br-lan'\n"
                                       "\toption vlan '1'\n"
                                       "\n"
                                       "config interface 'wan'\n"
                                       "\toption device 'wan'\n"
                                       "\toption proto 'dhcp'\n",
        diagnostics);
    ASSERT_TRUE(sections) << all_messages(diagnostics);
    EXPECT_TRUE(diagnostics.empty());
    ASSERT_EQ(sections->size(), 3u);
    EXPECT_EQ((*sections)[0].lists.at("ports"), (std::vector<std::string> {"lan1", "lan2"}));
    EXPECT_EQ((*sections)[1].type, "bridge-vlan");
    EXPECT_EQ((*sections)[1].line, 7);
    EXPECT_EQ((*sections)[2].name, "wan");
    EXPECT_EQ((*sections)[2].options.at("proto"), "dhcp");
}

TEST(ParseUciSections, RefusesWhatUciCannotReadOrWouldMerge)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto sections = parse_uci_sections("config interface 'wan'\n"
                                       "\toption enabled '1'\n"
                                       "\toption enabled '0'\n"
                                       "\tlist enabled '1'\n"
                                       "config 'bad type'\n"
                                       "config member 'wan'\n"
                                       "\toption metric 'unterminated\n",
        diagnostics);
    ASSERT_FALSE(sections);
    EXPECT_EQ(sections.error(), ConfigErrc::Duplicate);
    EXPECT_EQ(all_messages(diagnostics),
        "line 3: option 'enabled': already set on line 2\n"
        "line 4: list 'enabled': given both as an option and as a list\n"
        "line 5: 'bad type' is not a valid section type (printable characters, no spaces)\n"
        "line 6: section 'wan': the name is already used on line 1\n"
        "line 7: unterminated single quote (a value must end on the line it starts)\n");
}

// ---------------------------------------------------------------- access

TEST(Access, GivesValuesAndSchemaDefaults)
{
    auto config = parse_good("config globals\n"
                             "\toption poll_interval 30\n"
                             "config modem wan1\n"
                             "\toption device /dev/cdc-wdm0\n"
                             "\toption enabled 0\n"
                             "\tlist dns 1.1.1.1\n"
                             "\tlist dns 9.9.9.9\n");
    const auto* globals = config.section("globals", "");
    const auto* modem = config.section("modem", "wan1");
    ASSERT_TRUE(globals && modem);

    EXPECT_EQ(config.get_integer(*globals, "poll_interval"), 30);
    EXPECT_EQ(config.get(*globals, "log_level"), "info"); // default
    EXPECT_EQ(config.get(*globals, "hostname"), "uplink"); // default
    EXPECT_TRUE(config.get_boolean(*globals, "web")); // default "1"

    EXPECT_FALSE(config.get_boolean(*modem, "enabled")); // set, over default "yes"
    EXPECT_EQ(config.get_integer(*modem, "mtu"), 1500); // default
    EXPECT_EQ(config.get(*modem, "apn"), ""); // no default
    EXPECT_EQ(config.get_integer(*modem, "puk"), 0); // no default
    EXPECT_EQ(config.get(*modem, "dns"), "1.1.1.1 9.9.9.9");
    EXPECT_EQ(config.get(*modem, "device"), "/dev/cdc-wdm0");
}

TEST(Access, FindsSections)
{
    auto config = parse_good("config modem b\n\toption device 2\n"
                             "config globals main\n"
                             "config modem\n\toption device 3\n"
                             "config modem a\n\toption device 1\n");
    auto modems = config.sections_of("modem");
    ASSERT_EQ(modems.size(), 3u);
    EXPECT_EQ(modems[0]->name, "b");
    EXPECT_EQ(modems[1]->name, "");
    EXPECT_EQ(modems[2]->name, "a");
    EXPECT_TRUE(config.sections_of("wan").empty());

    ASSERT_TRUE(config.section("modem", "a"));
    EXPECT_EQ(config.section("modem", "a")->line, 6);
    EXPECT_EQ(config.section("modem", "")->name, "b"); // first of the type
    EXPECT_EQ(config.section("globals", "")->name, "main"); // a single section, by type
    EXPECT_EQ(config.section("modem", "main"), nullptr); // name of another type
    EXPECT_EQ(config.section("wan", ""), nullptr);
}

// ---------------------------------------------------------------- serialize

// Each statement as `uci commit` writes it; the file's layout (here: no blank lines, one
// comment) as it was. config_layout_test.cpp has the layout's rules.
TEST(Serialize, WritesEachStatementAsUciDoes)
{
    auto config = parse_good("config modem 'wan1'\n"
                             "list dns \"1.1.1.1\"\n"
                             "  option apn it\\'s\n"
                             "      option device /dev/cdc-wdm0   # comment\n"
                             "config globals\n"
                             "option web off\n"
                             "config modem\n"
                             "option device x\n"
                             "option apn ''\n");
    EXPECT_EQ(config.serialize(),
        "config modem 'wan1'\n"
        "\tlist dns '1.1.1.1'\n"
        "\toption apn 'it'\\''s'\n"
        "\toption device '/dev/cdc-wdm0'   # comment\n"
        "config globals\n"
        "\toption web 'off'\n"
        "config modem\n"
        "\toption device 'x'\n"
        "\toption apn ''\n");
}

TEST(Serialize, EmptyConfigIsEmptyText)
{
    EXPECT_EQ(parse_good("").serialize(), "");
    EXPECT_EQ(Config().serialize(), "");
    EXPECT_EQ(parse_good("# nothing\n").serialize(), "# nothing\n"); // comments are kept
}

TEST(Serialize, RoundTripsValuesThatNeedQuoting)
{
    const std::string values[] = {
        "",
        "internet",
        "my apn",
        "it's",
        "''",
        "'\\''",
        "\"double\"",
        "back\\slash",
        "trailing backslash\\",
        "  spaces around  ",
        "tab\tinside",
        "# not a comment",
        "semi;colon",
        "carriage\rreturn",
        "ünïcødé €",
    };
    for (const auto& value : values) {
        SCOPED_TRACE(value);
        auto config = parse_good("config modem wan1\n\toption device x\n");
        std::vector<ConfigDiagnostic> diagnostics;
        ASSERT_TRUE(config.set("modem", "wan1", "apn", value, diagnostics));
        ASSERT_TRUE(config.set_list("modem", "wan1", "dns", {value, value + "2"}, diagnostics));
        ASSERT_TRUE(config.set("globals", "", "hostname", value, diagnostics));

        auto text = config.serialize();
        auto reread = parse_good(text);
        expect_same_sections(reread, config);
        EXPECT_EQ(reread.get(*reread.section("modem", "wan1"), "apn"), value);
        EXPECT_EQ(reread.serialize(), text);
    }
}

TEST(Serialize, RoundTripsEveryGoodFile)
{
    const std::string texts[] = {
        "config globals\n\toption log_level debug\n\toption hostname 'my router'\n",
        "config modem wan1\n\toption device /dev/x\n\tlist dns a\n\tlist dns 'b c'\n"
        "config modem\n\toption device y\n\toption pin \"12'34\"\n"
        "config wan w\n\toption interface eth0\n\tlist track ''\n\toption metric -1\n",
    };
    for (const auto& text : texts) {
        SCOPED_TRACE(text);
        auto config = parse_good(text);
        auto written = config.serialize();
        auto reread = parse_good(written);
        expect_same_sections(reread, config);
        EXPECT_EQ(reread.serialize(), written);
    }
}

// ---------------------------------------------------------------- edits

struct RefusedEdit {
    const char* name;
    std::string type;
    std::string section;
    std::string option;
    std::string value;
    ConfigErrc code;
    std::string message;
};

class SetRefused : public ::testing::TestWithParam<RefusedEdit> { };

constexpr const char* edit_base = "config globals\n"
                                  "config modem wan1\n"
                                  "\toption device /dev/cdc-wdm0\n"
                                  "\tlist dns 1.1.1.1\n"
                                  "config wan w\n"
                                  "\toption interface eth1\n"
                                  "\tlist track x\n";

TEST_P(SetRefused, LeavesTheConfigUnchanged)
{
    const auto& test = GetParam();
    auto config = parse_good(edit_base);
    auto before = config.serialize();
    std::vector<ConfigDiagnostic> diagnostics {{7, "old"}};
    auto result = config.set(test.type, test.section, test.option, test.value, diagnostics);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), make_error_code(test.code));
    ASSERT_FALSE(diagnostics.empty());
    EXPECT_EQ(diagnostics[0].message, test.message) << all_messages(diagnostics);
    EXPECT_EQ(config.serialize(), before);
}

INSTANTIATE_TEST_SUITE_P(Edits, SetRefused,
    ::testing::Values(RefusedEdit {"unknown_type", "router", "", "speed", "1",
                          ConfigErrc::UnknownSection, "unknown section type 'router'"},
        RefusedEdit {"unknown_option", "globals", "", "pol_interval", "5",
            ConfigErrc::UnknownOption,
            "option 'pol_interval': unknown option for a 'globals' section"},
        RefusedEdit {"bad_section_name", "modem", "wan-2", "device", "x", ConfigErrc::Syntax,
            "'wan-2' is not a valid name (letters, digits and _ only)"},
        RefusedEdit {"below_minimum", "globals", "", "poll_interval", "0", ConfigErrc::BadValue,
            "option 'poll_interval': 0 is below the minimum 1"},
        RefusedEdit {"not_a_choice", "modem", "wan1", "mode", "5g", ConfigErrc::BadValue,
            "option 'mode': '5g' is not one of: auto, lte, nr"},
        RefusedEdit {"secret", "modem", "wan1", "puk", "x1", ConfigErrc::BadValue,
            "option 'puk': the value is not an integer"},
        RefusedEdit {"list_option", "modem", "wan1", "dns", "9.9.9.9", ConfigErrc::BadValue,
            "option 'dns': is a list; give each value on a 'list dns' line"},
        RefusedEdit {"line_break", "modem", "wan1", "apn", "a\nb", ConfigErrc::BadValue,
            "option 'apn': a value cannot contain a line break or a NUL byte"},
        RefusedEdit {"nul_byte", "modem", "wan1", "apn", std::string("a\0b", 3),
            ConfigErrc::BadValue,
            "option 'apn': a value cannot contain a line break or a NUL byte"},
        // A new section must be complete, as in a file.
        RefusedEdit {"new_section_missing_required", "modem", "wan2", "apn", "internet",
            ConfigErrc::Missing, "section 'wan2': option 'device' is required"},
        RefusedEdit {"second_single_section", "globals", "main", "web", "1", ConfigErrc::Duplicate,
            "only one 'globals' section is allowed (another is on line 1)"},
        RefusedEdit {"name_of_another_type", "modem", "w", "device", "x", ConfigErrc::Duplicate,
            "section 'w': the name is already used on line 5"}),
    [](const auto& info) { return std::string(info.param.name); });

// An edit is refused with the message a load of the same value gives.
TEST(Set, RefusesWithTheMessageOfALoad)
{
    struct Case {
        std::string option;
        std::string value;
    };
    const Case cases[] = {{"poll_interval", "0"}, {"poll_interval", "3601"}, {"poll_interval", "x"},
        {"web", "maybe"}, {"log_level", "verbose"}, {"nonsense", "1"}};
    for (const auto& test : cases) {
        SCOPED_TRACE(test.option + "=" + test.value);
        std::vector<ConfigDiagnostic> loaded;
        auto text = fmt::format("config globals\n\toption {} '{}'\n", test.option, test.value);
        ASSERT_FALSE(Config::parse(text, test_schema(), loaded));
        ASSERT_EQ(loaded.size(), 1u);

        auto config = parse_good("config globals\n");
        std::vector<ConfigDiagnostic> edited;
        ASSERT_FALSE(config.set("globals", "", test.option, test.value, edited));
        ASSERT_EQ(edited.size(), 1u);
        EXPECT_EQ(edited[0].message, loaded[0].message);
        EXPECT_EQ(edited[0].line, 0);
    }
}

TEST(Set, ChangesAValue)
{
    auto config = parse_good(edit_base);
    std::vector<ConfigDiagnostic> diagnostics {{1, "old"}};
    ASSERT_TRUE(config.set("modem", "wan1", "apn", "internet", diagnostics));
    EXPECT_TRUE(diagnostics.empty());
    ASSERT_TRUE(config.set("modem", "wan1", "apn", "internet.v6", diagnostics));
    EXPECT_EQ(config.get(*config.section("modem", "wan1"), "apn"), "internet.v6");
    ASSERT_TRUE(config.set("globals", "", "poll_interval", "3600", diagnostics));
    EXPECT_EQ(config.get_integer(*config.section("globals", ""), "poll_interval"), 3600);
    EXPECT_EQ(config.sections().size(), 3u);
}

TEST(Set, CreatesASectionAfterTheLastOfItsType)
{
    auto config = parse_good(edit_base);
    std::vector<ConfigDiagnostic> diagnostics;
    ASSERT_TRUE(config.set("modem", "wan2", "device", "/dev/cdc-wdm1", diagnostics))
        << all_messages(diagnostics);
    ASSERT_TRUE(config.set("globals", "", "web", "off", diagnostics)); // the existing one
    expect_sections(config,
        {{"globals", "", {{"web", "off"}}, {}},
            {"modem", "wan1", {{"device", "/dev/cdc-wdm0"}}, {{"dns", {"1.1.1.1"}}}},
            {"modem", "wan2", {{"device", "/dev/cdc-wdm1"}}, {}},
            {"wan", "w", {{"interface", "eth1"}}, {{"track", {"x"}}}}});
}

TEST(Set, CreatesAnAnonymousSection)
{
    auto config = parse_good("");
    std::vector<ConfigDiagnostic> diagnostics;
    ASSERT_TRUE(config.set("globals", "", "log_level", "debug", diagnostics));
    expect_sections(config, {{"globals", "", {{"log_level", "debug"}}, {}}});
    EXPECT_EQ(config.serialize(), "config globals\n\toption log_level 'debug'\n");
}

TEST(Set, NeedsASchema)
{
    Config config;
    std::vector<ConfigDiagnostic> diagnostics;
    auto result = config.set("globals", "", "web", "1", diagnostics);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), make_error_code(ConfigErrc::UnknownSection));
}

TEST(SetList, ReplacesAndRemovesValues)
{
    auto config = parse_good(edit_base);
    std::vector<ConfigDiagnostic> diagnostics;
    ASSERT_TRUE(config.set_list("modem", "wan1", "dns", {"9.9.9.9", "2001:db8::53"}, diagnostics));
    EXPECT_EQ(config.section("modem", "wan1")->lists.at("dns"),
        (std::vector<std::string> {"9.9.9.9", "2001:db8::53"}));
    ASSERT_TRUE(config.set_list("modem", "wan1", "dns", {}, diagnostics));
    EXPECT_EQ(config.section("modem", "wan1")->lists.count("dns"), 0u);
}

TEST(SetList, RefusesWhatALoadRefuses)
{
    struct Case {
        const char* name;
        std::string type;
        std::string option;
        std::vector<std::string> values;
        ConfigErrc code;
        std::string message;
    };
    const Case cases[] = {
        {"not_a_list", "modem", "apn", {"x"}, ConfigErrc::BadValue,
            "list 'apn': is not a list; give it once, on an 'option apn' line"},
        {"line_break", "modem", "dns", {"ok", "a\nb"}, ConfigErrc::BadValue,
            "list 'dns': a value cannot contain a line break or a NUL byte"},
        {"unknown", "modem", "dnss", {"x"}, ConfigErrc::UnknownOption,
            "list 'dnss': unknown option for a 'modem' section"},
        {"required_list_emptied", "wan", "track", {}, ConfigErrc::Missing,
            "section 'w': option 'track' is required"},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.name);
        auto config = parse_good(edit_base);
        auto before = config.serialize();
        std::vector<ConfigDiagnostic> diagnostics;
        auto section = test.type == "wan" ? "w" : "wan1";
        auto result = config.set_list(test.type, section, test.option, test.values, diagnostics);
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error(), make_error_code(test.code));
        ASSERT_EQ(diagnostics.size(), 1u) << all_messages(diagnostics);
        EXPECT_EQ(diagnostics[0].message, test.message);
        EXPECT_EQ(config.serialize(), before);
    }
}

// ---------------------------------------------------------------- errors

TEST(ConfigCategory, HasAClearMessageForEveryCode)
{
    const ConfigErrc codes[]
        = {ConfigErrc::Syntax, ConfigErrc::UnknownSection, ConfigErrc::UnknownOption,
            ConfigErrc::BadValue, ConfigErrc::Missing, ConfigErrc::Duplicate, ConfigErrc::Io};
    std::set<std::string> messages;
    for (auto code : codes) {
        Error error = code;
        EXPECT_EQ(&error.category(), &config_category());
        EXPECT_TRUE(error.failed());
        auto message = error.message();
        EXPECT_EQ(message.find("unknown configuration error"), std::string::npos);
        EXPECT_TRUE(messages.insert(message).second) << "two codes share: " << message;
    }
    EXPECT_STREQ(config_category().name(), "uplink.config");
    EXPECT_EQ(Error(static_cast<int>(ConfigErrc::Io) + 1, config_category()).message(),
        "unknown configuration error");
}

TEST(ConfigDiagnostic, ToStringNamesTheLine)
{
    EXPECT_EQ(to_string(ConfigDiagnostic {12, "option 'poll_interval': 0 is below the minimum 1"}),
        "line 12: option 'poll_interval': 0 is below the minimum 1");
    EXPECT_EQ(to_string(ConfigDiagnostic {0, "cannot read /x: No such file or directory"}),
        "cannot read /x: No such file or directory");
}

} // namespace
} // namespace uplink
