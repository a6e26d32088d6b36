// Config::serialize() after edits keeps the person's layout: comments, blank lines, the order of
// sections, options and list values. The texts are whole files, compared byte for byte.
#include "core/config_test_schema.hpp"
#include "core/core.hpp"

#include <gtest/gtest.h>

namespace uplink {
namespace {

using config_testing::test_schema;

Config parse_good(std::string_view text)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto config = Config::parse(text, test_schema(), diagnostics);
    if (!config) {
        std::string messages;
        for (const auto& diagnostic : diagnostics)
            messages += to_string(diagnostic) + "\n";
        ADD_FAILURE() << "parse failed:\n" << messages;
        return {};
    }
    return *config;
}

void set_options(Config& config, std::string_view type, std::string_view name,
    const std::map<std::string, std::string>& changes)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto result = config.set_options(type, name, changes, diagnostics);
    ASSERT_TRUE(result) << (diagnostics.empty() ? "" : diagnostics.front().message);
}

void set_list(Config& config, std::string_view type, std::string_view name, std::string_view option,
    const std::vector<std::string>& values)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto result = config.set_list(type, name, option, values, diagnostics);
    ASSERT_TRUE(result) << (diagnostics.empty() ? "" : diagnostics.front().message);
}

// Written again, the text gives itself back.
void expect_stable(const std::string& text)
{
    EXPECT_EQ(parse_good(text).serialize(), text);
}

// ---------------------------------------------------------------- a realistic file

// Written by hand in uci's own form, with notes for whoever edits it next.
constexpr const char* commented_file
    = "# /etc/config/uplink on the cabin router: two modems, fibre first.\n"
      "# Edit by hand or in the web UI; uplinkd keeps these notes.\n"
      "\n"
      "config globals\n"
      "\toption log_level 'info'\n"
      "\t# every 30 s is plenty on a metered line\n"
      "\toption poll_interval '30'\n"
      "\n"
      "# The Quectel in the mini-PCIe slot: the work SIM.\n"
      "config modem 'wan1'\n"
      "\toption device '/dev/cdc-wdm0'\n"
      "\toption apn 'work.example'  # the work APN\n"
      "\toption mode 'lte'\n"
      "\t# the operator's resolvers first, then a public one\n"
      "\tlist dns '192.0.2.53'\n"
      "\tlist dns '9.9.9.9'  # quad9\n"
      "\n"
      "# The USB stick with the spare SIM: only when both others are down.\n"
      "config modem 'wan2'\n"
      "\toption device '/dev/ttyUSB2'\n"
      "\toption enabled 'no'\n"
      "\n"
      "config wan 'fibre' # the landline\n"
      "\toption interface 'eth1'\n"
      "\tlist track '192.0.2.1'\n"
      "\n"
      "# end: keep this line\n";

TEST(Layout, ACommentedFileComesBackByteForByte)
{
    expect_stable(commented_file);
}

TEST(Layout, ACommentedFileKeepsItsNotesThroughEdits)
{
    auto config = parse_good(commented_file);
    set_options(config, "globals", "", {{"poll_interval", ""}});
    set_options(config, "modem", "wan1", {{"apn", "work2.example"}, {"mtu", "1400"}});
    set_list(config, "modem", "wan1", "dns", {"9.9.9.9", "2001:db8::53"});
    ASSERT_TRUE(config.remove_section("modem", "wan2"));
    set_options(config, "modem", "wan3", {{"apn", "internet"}, {"device", "/dev/cdc-wdm1"}});

    auto text = config.serialize();
    EXPECT_EQ(text,
        "# /etc/config/uplink on the cabin router: two modems, fibre first.\n"
        "# Edit by hand or in the web UI; uplinkd keeps these notes.\n"
        "\n"
        "config globals\n"
        "\toption log_level 'info'\n" // poll_interval went, with its note
        "\n"
        "# The Quectel in the mini-PCIe slot: the work SIM.\n"
        "config modem 'wan1'\n"
        "\toption device '/dev/cdc-wdm0'\n"
        "\toption apn 'work2.example'  # the work APN\n" // a new value, its note kept
        "\toption mode 'lte'\n"
        "\t# the operator's resolvers first, then a public one\n" // the list's note
        "\tlist dns '9.9.9.9'  # quad9\n" // with its value
        "\tlist dns '2001:db8::53'\n"
        "\toption mtu '1400'\n" // new: after the section's others
        "\n"
        "config modem 'wan3'\n" // new: after the last modem, schema order
        "\toption device '/dev/cdc-wdm1'\n"
        "\toption apn 'internet'\n"
        "\n"
        "config wan 'fibre' # the landline\n"
        "\toption interface 'eth1'\n"
        "\tlist track '192.0.2.1'\n"
        "\n"
        "# end: keep this line\n");
    expect_stable(text);
}

// The web UI sends every option of the form, changed or not.
TEST(Layout, AnEditThatChangesNothingGivesTheFileBack)
{
    auto config = parse_good(commented_file);
    set_options(config, "modem", "wan1",
        {{"device", "/dev/cdc-wdm0"}, {"apn", "work.example"}, {"mode", "lte"}, {"pin", ""}});
    set_list(config, "modem", "wan1", "dns", {"192.0.2.53", "9.9.9.9"});
    set_options(config, "wan", "fibre", {{"interface", "eth1"}});
    set_list(config, "wan", "fibre", "track", {"192.0.2.1"});
    EXPECT_EQ(config.serialize(), commented_file);
}

// ---------------------------------------------------------------- files uplink and uci wrote

// What uplinkd wrote before it kept layouts, and still writes for a new file.
TEST(Layout, AFileUplinkWroteComesBackByteForByte)
{
    auto config = parse_good("");
    set_options(config, "globals", "", {{"log_level", "debug"}});
    set_options(config, "modem", "wan1", {{"device", "/dev/cdc-wdm0"}, {"apn", "it's"}});
    set_list(config, "modem", "wan1", "dns", {"1.1.1.1", "9.9.9.9"});
    set_options(config, "modem", "wan2", {{"device", "/dev/ttyUSB2"}});
    auto text = config.serialize();
    EXPECT_EQ(text,
        "config globals\n"
        "\toption log_level 'debug'\n"
        "\n"
        "config modem 'wan1'\n"
        "\toption device '/dev/cdc-wdm0'\n"
        "\toption apn 'it'\\''s'\n"
        "\tlist dns '1.1.1.1'\n"
        "\tlist dns '9.9.9.9'\n"
        "\n"
        "config modem 'wan2'\n"
        "\toption device '/dev/ttyUSB2'\n");
    expect_stable(text);

    auto reread = parse_good(text);
    set_options(reread, "modem", "wan1", {{"apn", "it's"}});
    EXPECT_EQ(reread.serialize(), text);
}

// Captured from `uci commit` (openwrt/uci 66127cd76c5d, third_party/openwrt) after `uci set` and
// `uci add_list` built it: a blank line before each section and one at the end, anonymous
// sections without a name.
constexpr const char* uci_commit_file = "\n"
                                        "config globals 'main'\n"
                                        "\toption log_level 'debug'\n"
                                        "\toption poll_interval '30'\n"
                                        "\n"
                                        "config modem 'wan1'\n"
                                        "\toption device '/dev/cdc-wdm0'\n"
                                        "\toption apn 'it'\\''s'\n"
                                        "\tlist dns '1.1.1.1'\n"
                                        "\tlist dns '9.9.9.9'\n"
                                        "\n"
                                        "config wan\n"
                                        "\toption interface 'eth1'\n"
                                        "\tlist track '192.0.2.1'\n"
                                        "\n";

TEST(Layout, AFileUciCommitWroteComesBackByteForByte)
{
    expect_stable(uci_commit_file);
}

// Each edit gives what `uci commit` wrote after the same edit made with `uci` (captured as
// above), so that uci and uplink take turns on one file without moving its lines.
TEST(Layout, AnEditToAUciFileGivesWhatUciWrites)
{
    struct Case {
        const char* name;
        void (*edit)(Config&);
        std::string uci_wrote;
    };
    auto uci_file_with = [](std::string_view modem) {
        return fmt::format("\n"
                           "config globals 'main'\n"
                           "\toption log_level 'debug'\n"
                           "\toption poll_interval '30'\n"
                           "\n"
                           "config modem 'wan1'\n"
                           "\toption device '/dev/cdc-wdm0'\n"
                           "{}"
                           "\n"
                           "config wan\n"
                           "\toption interface 'eth1'\n"
                           "\tlist track '192.0.2.1'\n"
                           "\n",
            modem);
    };
    const Case cases[] = {
        {"uci set uplink.wan1.apn=internet",
            [](Config& config) {
                set_options(config, "modem", "wan1", {{"apn", "internet"}});
            },
            uci_file_with("\toption apn 'internet'\n\tlist dns '1.1.1.1'\n\tlist dns '9.9.9.9'\n")},
        {"uci set uplink.wan1.mtu=1400",
            [](Config& config) {
                set_options(config, "modem", "wan1", {{"mtu", "1400"}});
            },
            uci_file_with("\toption apn 'it'\\''s'\n\tlist dns '1.1.1.1'\n\tlist dns '9.9.9.9'\n"
                          "\toption mtu '1400'\n")},
        {"uci delete uplink.wan1.apn",
            [](Config& config) {
                set_options(config, "modem", "wan1", {{"apn", ""}});
            },
            uci_file_with("\tlist dns '1.1.1.1'\n\tlist dns '9.9.9.9'\n")},
        {"uci add_list uplink.wan1.dns=8.8.8.8",
            [](Config& config) {
                set_list(config, "modem", "wan1", "dns", {"1.1.1.1", "9.9.9.9", "8.8.8.8"});
            },
            uci_file_with("\toption apn 'it'\\''s'\n\tlist dns '1.1.1.1'\n\tlist dns '9.9.9.9'\n"
                          "\tlist dns '8.8.8.8'\n")},
        {"uci del_list uplink.wan1.dns=1.1.1.1",
            [](Config& config) { set_list(config, "modem", "wan1", "dns", {"9.9.9.9"}); },
            uci_file_with("\toption apn 'it'\\''s'\n\tlist dns '9.9.9.9'\n")},
        {"uci delete uplink.main; uci set uplink.main=globals; uci set uplink.main.web=0",
            [](Config& config) {
                ASSERT_TRUE(config.remove_section("globals", "main"));
                set_options(config, "globals", "main", {{"web", "0"}});
            },
            "\n"
            "config modem 'wan1'\n"
            "\toption device '/dev/cdc-wdm0'\n"
            "\toption apn 'it'\\''s'\n"
            "\tlist dns '1.1.1.1'\n"
            "\tlist dns '9.9.9.9'\n"
            "\n"
            "config wan\n"
            "\toption interface 'eth1'\n"
            "\tlist track '192.0.2.1'\n"
            "\n"
            "config globals 'main'\n"
            "\toption web '0'\n"
            "\n"},
        {"uci delete uplink.main",
            [](Config& config) { ASSERT_TRUE(config.remove_section("globals", "main")); },
            "\n"
            "config modem 'wan1'\n"
            "\toption device '/dev/cdc-wdm0'\n"
            "\toption apn 'it'\\''s'\n"
            "\tlist dns '1.1.1.1'\n"
            "\tlist dns '9.9.9.9'\n"
            "\n"
            "config wan\n"
            "\toption interface 'eth1'\n"
            "\tlist track '192.0.2.1'\n"
            "\n"},
        {"uci delete uplink.wan1",
            [](Config& config) { ASSERT_TRUE(config.remove_section("modem", "wan1")); },
            "\n"
            "config globals 'main'\n"
            "\toption log_level 'debug'\n"
            "\toption poll_interval '30'\n"
            "\n"
            "config wan\n"
            "\toption interface 'eth1'\n"
            "\tlist track '192.0.2.1'\n"
            "\n"},
        {"uci delete uplink.@wan[0]",
            [](Config& config) { ASSERT_TRUE(config.remove_section("wan", "")); },
            "\n"
            "config globals 'main'\n"
            "\toption log_level 'debug'\n"
            "\toption poll_interval '30'\n"
            "\n"
            "config modem 'wan1'\n"
            "\toption device '/dev/cdc-wdm0'\n"
            "\toption apn 'it'\\''s'\n"
            "\tlist dns '1.1.1.1'\n"
            "\tlist dns '9.9.9.9'\n"
            "\n"},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.name);
        auto config = parse_good(uci_commit_file);
        test.edit(config);
        EXPECT_EQ(config.serialize(), test.uci_wrote);
    }
}

// ---------------------------------------------------------------- each rule

TEST(Layout, CommentLinesStayAboveWhatTheyPreceded)
{
    expect_stable("# head\n"
                  "\n"
                  "   # indented, after a blank line\n"
                  "config globals\n"
                  "\n"
                  "\t# above an option\n"
                  "\n"
                  "\toption web 'no'\n"
                  "#\n"
                  "\n"
                  "\n"
                  "config modem\n"
                  "\toption device 'x'\n"
                  "# after the last section\n"
                  "\n");
}

TEST(Layout, ACommentAtTheEndOfALineStaysOnIt)
{
    auto config = parse_good("config globals # the one globals section\n"
                             "\toption poll_interval '5'\t# seconds\n"
                             "\toption hostname 'cabin'   #no space after the hash\n");
    set_options(config, "globals", "", {{"poll_interval", "10"}, {"hostname", "lodge"}});
    EXPECT_EQ(config.serialize(),
        "config globals # the one globals section\n"
        "\toption poll_interval '10'\t# seconds\n"
        "\toption hostname 'lodge'   #no space after the hash\n");
}

TEST(Layout, AHashInsideQuotesIsPartOfTheValue)
{
    auto config = parse_good("config modem\n"
                             "\toption device 'x'\n"
                             "\toption pin '#12#'\n"
                             "\toption apn \"a # b\" # c\n");
    const auto& modem = config.sections().at(0);
    EXPECT_EQ(modem.options.at("pin"), "#12#");
    EXPECT_EQ(modem.options.at("apn"), "a # b");
    EXPECT_EQ(config.serialize(),
        "config modem\n"
        "\toption device 'x'\n"
        "\toption pin '#12#'\n"
        "\toption apn 'a # b' # c\n");
}

TEST(Layout, OptionsAndListValuesKeepTheFileOrder)
{
    // The schema's order is device, apn, ..., mode, dns.
    expect_stable("config modem 'wan1'\n"
                  "\toption mode 'lte'\n"
                  "\tlist dns '9.9.9.9'\n"
                  "\tlist dns '1.1.1.1'\n"
                  "\tlist dns '192.0.2.53'\n"
                  "\toption apn 'internet'\n"
                  "\toption device '/dev/cdc-wdm0'\n"
                  "\n"
                  "config globals\n");
}

// A list's lines that other lines split come together where its first line stood, as uci writes
// a list; each keeps its notes.
TEST(Layout, AListSplitByOtherLinesComesTogether)
{
    auto text = parse_good("config modem\n"
                           "\tlist dns 'a'\n"
                           "\toption device 'x'\n"
                           "\t# b's note\n"
                           "\tlist dns 'b'  # b\n")
                    .serialize();
    EXPECT_EQ(text,
        "config modem\n"
        "\tlist dns 'a'\n"
        "\t# b's note\n"
        "\tlist dns 'b'  # b\n"
        "\toption device 'x'\n");
    expect_stable(text);
}

TEST(Layout, AnOptionSetAnewGoesAfterTheSectionsOthers)
{
    auto config = parse_good("config modem 'wan1'\n"
                             "\toption mode 'lte'\n"
                             "\toption device 'x'\n"
                             "# the globals\n"
                             "config globals\n");
    set_options(config, "modem", "wan1", {{"mtu", "1400"}, {"apn", "internet"}});
    set_list(config, "modem", "wan1", "dns", {"1.1.1.1"});
    EXPECT_EQ(config.serialize(),
        "config modem 'wan1'\n"
        "\toption mode 'lte'\n"
        "\toption device 'x'\n"
        "\toption apn 'internet'\n" // the new ones in the schema's order
        "\toption mtu '1400'\n"
        "\tlist dns '1.1.1.1'\n"
        "# the globals\n"
        "config globals\n");
}

TEST(Layout, ANewSectionIsInTheSchemasOrderAfterTheLastOfItsType)
{
    auto config = parse_good("# modems\n"
                             "config modem 'wan1'\n"
                             "\toption device 'x'\n"
                             "\n"
                             "# wans\n"
                             "config wan 'fibre'\n"
                             "\toption interface 'eth1'\n"
                             "\tlist track '192.0.2.1'\n"
                             "# the end\n");
    set_options(config, "modem", "wan2", {{"mode", "nr"}, {"device", "y"}, {"apn", "internet"}});
    set_options(config, "globals", "", {{"web", "no"}});
    EXPECT_EQ(config.serialize(),
        "# modems\n"
        "config modem 'wan1'\n"
        "\toption device 'x'\n"
        "\n"
        "config modem 'wan2'\n"
        "\toption device 'y'\n"
        "\toption apn 'internet'\n"
        "\toption mode 'nr'\n"
        "\n"
        "# wans\n"
        "config wan 'fibre'\n"
        "\toption interface 'eth1'\n"
        "\tlist track '192.0.2.1'\n"
        "\n"
        "config globals\n"
        "\toption web 'no'\n"
        "# the end\n");
}

TEST(Layout, ARemovedOptionTakesItsCommentLines)
{
    auto config = parse_good("config modem\n"
                             "\toption device 'x'\n"
                             "\n"
                             "\t# the carrier's APN\n"
                             "\toption apn 'internet'  # since 2023\n"
                             "\t# the SIM's PIN\n"
                             "\toption pin '1234'\n");
    set_options(config, "modem", "", {{"apn", ""}});
    EXPECT_EQ(config.serialize(),
        "config modem\n"
        "\toption device 'x'\n"
        "\t# the SIM's PIN\n"
        "\toption pin '1234'\n");
}

TEST(Layout, AListKeepsItsNoteAndEachValueItsOwn)
{
    auto config = parse_good("config modem\n"
                             "\toption device 'x'\n"
                             "\t# resolvers, in the order to ask them\n"
                             "\tlist dns '192.0.2.53'  # the operator's\n"
                             "\t# public ones\n"
                             "\tlist dns '9.9.9.9'  # quad9\n"
                             "\tlist dns '1.1.1.1'\n"
                             "\toption mtu '1400'\n");
    set_list(config, "modem", "", "dns", {"1.1.1.1", "2001:db8::53", "9.9.9.9"});
    EXPECT_EQ(config.serialize(),
        "config modem\n"
        "\toption device 'x'\n"
        "\t# resolvers, in the order to ask them\n"
        "\tlist dns '1.1.1.1'\n"
        "\tlist dns '2001:db8::53'\n"
        "\t# public ones\n"
        "\tlist dns '9.9.9.9'  # quad9\n"
        "\toption mtu '1400'\n");

    set_list(config, "modem", "", "dns", {});
    EXPECT_EQ(config.serialize(),
        "config modem\n"
        "\toption device 'x'\n"
        "\toption mtu '1400'\n");
}

TEST(Layout, ARemovedSectionTakesTheCommentLinesDirectlyAboveIt)
{
    constexpr const char* file = "# uplink, by hand\n"
                                 "\n"
                                 "# the first modem\n"
                                 "config modem 'a'\n"
                                 "\toption device 'x'\n"
                                 "\n"
                                 "# ---- spares ----\n"
                                 "\n"
                                 "# the second modem\n"
                                 "# (a USB stick)\n"
                                 "config modem 'b'\n"
                                 "\toption device 'y'\n"
                                 "\n"
                                 "config modem 'c'\n"
                                 "\toption device 'z'\n"
                                 "\n"
                                 "# the end\n";
    struct Case {
        const char* removed;
        std::string left;
    };
    const Case cases[] = {
        {"a",
            "# uplink, by hand\n"
            "\n"
            "# ---- spares ----\n"
            "\n"
            "# the second modem\n"
            "# (a USB stick)\n"
            "config modem 'b'\n"
            "\toption device 'y'\n"
            "\n"
            "config modem 'c'\n"
            "\toption device 'z'\n"
            "\n"
            "# the end\n"},
        {"b", // the heading is not directly above it: it stays
            "# uplink, by hand\n"
            "\n"
            "# the first modem\n"
            "config modem 'a'\n"
            "\toption device 'x'\n"
            "\n"
            "# ---- spares ----\n"
            "\n"
            "config modem 'c'\n"
            "\toption device 'z'\n"
            "\n"
            "# the end\n"},
        {"c",
            "# uplink, by hand\n"
            "\n"
            "# the first modem\n"
            "config modem 'a'\n"
            "\toption device 'x'\n"
            "\n"
            "# ---- spares ----\n"
            "\n"
            "# the second modem\n"
            "# (a USB stick)\n"
            "config modem 'b'\n"
            "\toption device 'y'\n"
            "\n"
            "# the end\n"},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.removed);
        auto config = parse_good(file);
        ASSERT_TRUE(config.remove_section("modem", test.removed));
        EXPECT_EQ(config.serialize(), test.left);
    }
}

// A file uplink wrote has no blank line before its first section nor after its last.
TEST(Layout, RemovingTheFirstOrLastSectionLeavesNoGap)
{
    constexpr const char* file = "config globals\n"
                                 "\toption web 'no'\n"
                                 "\n"
                                 "config modem 'a'\n"
                                 "\toption device 'x'\n";
    auto config = parse_good(file);
    ASSERT_TRUE(config.remove_section("globals", ""));
    EXPECT_EQ(config.serialize(), "config modem 'a'\n\toption device 'x'\n");
    config = parse_good(file);
    ASSERT_TRUE(config.remove_section("modem", "a"));
    EXPECT_EQ(config.serialize(), "config globals\n\toption web 'no'\n");
    ASSERT_TRUE(config.remove_section("globals", ""));
    EXPECT_EQ(config.serialize(), "");
}

// With no section yet, the file's comments are a header: what an edit adds goes below them.
TEST(Layout, AFileOfCommentsKeepsThemAboveANewSection)
{
    auto config = parse_good("# uplink: every option at its default for now\n");
    set_options(config, "globals", "", {{"log_level", "debug"}});
    auto text = config.serialize();
    EXPECT_EQ(text,
        "# uplink: every option at its default for now\n"
        "\n"
        "config globals\n"
        "\toption log_level 'debug'\n");
    expect_stable(text);
}

// `uci export` starts with a package line; uci import reads it, so it stays where it was.
TEST(Layout, APackageLineStays)
{
    expect_stable("package uplink\n\nconfig globals\n\toption web 'no'\n");
    expect_stable("# exported\npackage uplink # from the old router\n");
}

// A hand-written file in any form uci reads: each statement is written in uci's form (a tab,
// single quotes), the comments and blank lines as they were.
TEST(Layout, StatementsTakeUcisFormAndCommentsStayAsWritten)
{
    auto text = parse_good("  # head  \r\n"
                           "config modem wan1   \r\n"
                           "  option device \"/dev/cdc-wdm0\"  # quoted twice\r\n"
                           "\r\n"
                           "    list dns 1.1.1.1\r\n"
                           "option apn it\\'s\r\n")
                    .serialize();
    EXPECT_EQ(text,
        "  # head  \n"
        "config modem 'wan1'\n"
        "\toption device '/dev/cdc-wdm0'  # quoted twice\n"
        "\n"
        "\tlist dns '1.1.1.1'\n"
        "\toption apn 'it'\\''s'\n");
    expect_stable(text);
}

} // namespace
} // namespace uplink
