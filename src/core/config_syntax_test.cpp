#include "core/config_syntax.hpp"

#include <gtest/gtest.h>

namespace uplink::uci {
namespace {

struct SplitCase {
    const char* name;
    std::string text;
    std::vector<std::vector<std::string>> words; // one entry per statement
    std::vector<int> lines; // the line of each statement
};

class SplitStatements : public ::testing::TestWithParam<SplitCase> { };

TEST_P(SplitStatements, GivesTheWordsOfEachLine)
{
    const auto& test = GetParam();
    std::vector<Problem> problems;
    auto statements = split_statements(test.text, problems).statements;
    EXPECT_TRUE(problems.empty()) << problems.front().message;
    ASSERT_EQ(statements.size(), test.words.size());
    for (std::size_t index = 0; index < statements.size(); ++index) {
        EXPECT_EQ(statements[index].words, test.words[index]) << "statement " << index;
        EXPECT_EQ(statements[index].line, test.lines[index]) << "statement " << index;
    }
}

// Quoting as uci reads it (OpenWrt "UCI file syntax"): bare words, 'single' with no escapes,
// "double" with backslash escapes, and parts joined into one word.
INSTANTIATE_TEST_SUITE_P(Quoting, SplitStatements,
    ::testing::Values(
        SplitCase {"bare", "option apn internet", {{"option", "apn", "internet"}}, {1}},
        SplitCase {"single", "option apn 'my apn'", {{"option", "apn", "my apn"}}, {1}},
        SplitCase {"double", "option apn \"my apn\"", {{"option", "apn", "my apn"}}, {1}},
        SplitCase {"quoted_keyword_and_name", "'option' \"apn\" x", {{"option", "apn", "x"}}, {1}},
        SplitCase {"empty_single", "option apn ''", {{"option", "apn", ""}}, {1}},
        SplitCase {"empty_double", "option apn \"\"", {{"option", "apn", ""}}, {1}},
        SplitCase {
            "uci_quote_idiom", R"(option name 'it'\''s')", {{"option", "name", "it's"}}, {1}},
        SplitCase {"escaped_double_quote", R"(option name "say \"hi\"")",
            {{"option", "name", "say \"hi\""}}, {1}},
        SplitCase {"escaped_backslash", R"(option name "a\\b")", {{"option", "name", "a\\b"}}, {1}},
        SplitCase {"backslash_in_single_quotes_is_literal", R"(option name 'a\b')",
            {{"option", "name", "a\\b"}}, {1}},
        SplitCase {
            "bare_backslash_escape", R"(option name a\ b)", {{"option", "name", "a b"}}, {1}},
        SplitCase {
            "joined_parts", R"(option name ab'c d'"e f"g)", {{"option", "name", "abc de fg"}}, {1}},
        SplitCase {"hash_inside_quotes", "option pin '#12#'", {{"option", "pin", "#12#"}}, {1}},
        SplitCase {"double_quote_inside_single", "option a 'x\"y'", {{"option", "a", "x\"y"}}, {1}},
        SplitCase {
            "single_quote_inside_double", "option a \"x'y\"", {{"option", "a", "x'y"}}, {1}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(Layout, SplitStatements,
    ::testing::Values(SplitCase {"empty", "", {}, {}},
        SplitCase {"comments_and_blank_lines", "# top\n\n   # indented\n\t\nconfig globals\n",
            {{"config", "globals"}}, {5}},
        SplitCase {"trailing_comment", "option apn 'x' # the operator's APN",
            {{"option", "apn", "x"}}, {1}},
        SplitCase {"tabs_and_spaces", "\toption \t apn  \t'x'  ", {{"option", "apn", "x"}}, {1}},
        SplitCase {"crlf_line_ends", "config globals\r\n\toption web 1\r\n",
            {{"config", "globals"}, {"option", "web", "1"}}, {1, 2}},
        SplitCase {
            "no_final_newline", "config a\nconfig b", {{"config", "a"}, {"config", "b"}}, {1, 2}},
        SplitCase {"line_numbers_count_blank_lines", "\n\n\nconfig a\n\n# x\nconfig b\n",
            {{"config", "a"}, {"config", "b"}}, {4, 7}}),
    [](const auto& info) { return std::string(info.param.name); });

// The lines a statement does not use are kept for writing back: the blank and comment-only
// lines above it, as written (CR LF line ends aside), and a comment after its last word.
struct KeptLinesCase {
    const char* name;
    std::string text;
    std::vector<std::vector<std::string>> lines_above; // one entry per statement
    std::vector<std::string> comments; // one entry per statement
    std::vector<std::string> lines_after;
};

class KeepsLines : public ::testing::TestWithParam<KeptLinesCase> { };

TEST_P(KeepsLines, AroundTheStatements)
{
    const auto& test = GetParam();
    std::vector<Problem> problems;
    auto split = split_statements(test.text, problems);
    ASSERT_EQ(split.statements.size(), test.comments.size());
    for (std::size_t index = 0; index < split.statements.size(); ++index) {
        SCOPED_TRACE("statement " + std::to_string(index));
        EXPECT_EQ(split.statements[index].lines_above, test.lines_above[index]);
        EXPECT_EQ(split.statements[index].comment, test.comments[index]);
    }
    EXPECT_EQ(split.lines_after, test.lines_after);
}

INSTANTIATE_TEST_SUITE_P(Layout, KeepsLines,
    ::testing::Values(KeptLinesCase {"none", "config a\n\toption b 'c'\n", {{}, {}}, {"", ""}, {}},
        KeptLinesCase {"comment_and_blank_lines_above", "# head\n\n\t# indented \nconfig a\n",
            {{"# head", "", "\t# indented "}}, {""}, {}},
        KeptLinesCase {"comment_after_the_words", "\toption apn 'x'  # the work APN\n", {{}},
            {"  # the work APN"}, {}},
        KeptLinesCase {"hash_inside_quotes_is_no_comment",
            "option pin '#12#'\noption a \"b # c\"\t#d\n", {{}, {}}, {"", "\t#d"}, {}},
        KeptLinesCase {"blanks_after_the_words_are_not_kept", "config a \t\n", {{}}, {""}, {}},
        KeptLinesCase {"crlf_line_ends", "# head\r\nconfig a # b\r\n\r\n# end\r\n", {{"# head"}},
            {" # b"}, {"", "# end"}},
        KeptLinesCase {"lines_after_the_last_statement", "config a\n\n# end\n  \n", {{}}, {""},
            {"", "# end", "  "}},
        KeptLinesCase {"no_final_newline", "config a\n# end", {{}}, {""}, {"# end"}},
        KeptLinesCase {"only_comments", "# a\n\n", {}, {}, {"# a", ""}},
        // A line that does not tokenize is reported; it is not a comment.
        KeptLinesCase {"bad_line_is_not_kept", "# a\noption b 'c\n# d\nconfig e\n",
            {{"# a", "# d"}}, {""}, {}}),
    [](const auto& info) { return std::string(info.param.name); });

struct BadLineCase {
    const char* name;
    std::string text;
    int line;
    std::string message;
};

class SplitBadLines : public ::testing::TestWithParam<BadLineCase> { };

TEST_P(SplitBadLines, NamesTheLineAndKeepsGoing)
{
    const auto& test = GetParam();
    std::vector<Problem> problems;
    // A good statement after the bad line shows that reading went on.
    auto statements = split_statements(test.text + "\nconfig after\n", problems).statements;
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].line, test.line);
    EXPECT_EQ(problems[0].code, ConfigErrc::Syntax);
    EXPECT_EQ(problems[0].message, test.message);
    ASSERT_FALSE(statements.empty());
    EXPECT_EQ(statements.back().words, (std::vector<std::string> {"config", "after"}));
}

INSTANTIATE_TEST_SUITE_P(Errors, SplitBadLines,
    ::testing::Values(BadLineCase {"unterminated_single", "config a\noption apn 'internet", 2,
                          "unterminated single quote (a value must end on the line it starts)"},
        BadLineCase {"unterminated_double", "option apn \"internet", 1,
            "unterminated double quote (a value must end on the line it starts)"},
        BadLineCase {"escaped_final_double_quote", R"(option apn "internet\")", 1,
            "unterminated double quote (a value must end on the line it starts)"},
        BadLineCase {"quote_spanning_lines", "option apn 'a\nb", 1,
            "unterminated single quote (a value must end on the line it starts)"},
        BadLineCase {"line_continuation", "option apn internet\\", 1,
            "a backslash at the end of a line (line continuation) is not supported"},
        BadLineCase {"hash_in_bare_word", "option pin 12#34", 1,
            "'#' inside an unquoted value: quote the value, or put a space before a "
            "comment"},
        BadLineCase {"hash_right_after_quote", "option apn 'x'#note", 1,
            "'#' inside an unquoted value: quote the value, or put a space before a "
            "comment"},
        BadLineCase {"semicolon", "option apn a; option pin 1", 1,
            "';' outside quotes is not supported: write one statement per line"},
        BadLineCase {
            "nul_byte", std::string("option apn 'a\0b'", 16), 1, "the line contains a NUL byte"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SplitStatements, ReportsEveryBadLine)
{
    std::vector<Problem> problems;
    auto statements
        = split_statements("option a 'x\nconfig b\noption c \"y\n", problems).statements;
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].line, 1);
    EXPECT_EQ(problems[1].line, 3);
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].line, 2);
}

TEST(Quote, WritesSingleQuotesAndTheUciIdiom)
{
    struct Case {
        std::string value;
        std::string quoted;
    };
    const Case cases[] = {
        {"", "''"},
        {"internet", "'internet'"},
        {"my apn", "'my apn'"},
        {"it's", R"('it'\''s')"},
        {"''", R"(''\'''\''')"},
        {R"(a\b)", R"('a\b')"},
        {"\"x\"", "'\"x\"'"},
        {"# not a comment", "'# not a comment'"},
    };
    for (const auto& test : cases)
        EXPECT_EQ(quote(test.value), test.quoted) << test.value;
}

TEST(Quote, ReadsBackAsTheSameWord)
{
    const std::string values[]
        = {"", "a b", "it's", "''", R"(\)", R"(\')", "\"", "#", ";", "\t x "};
    for (const auto& value : values) {
        std::vector<Problem> problems;
        auto statements = split_statements("option x " + quote(value), problems).statements;
        ASSERT_TRUE(problems.empty()) << value;
        ASSERT_EQ(statements.size(), 1u) << value;
        EXPECT_EQ(statements[0].words[2], value);
    }
}

TEST(IsValidName, AllowsLettersDigitsAndUnderscore)
{
    struct Case {
        std::string name;
        bool valid;
    };
    const Case cases[] = {
        {"wan1", true},
        {"poll_interval", true},
        {"_", true},
        {"ABC", true},
        {"", false},
        {"wan-1", false},
        {"wan.1", false},
        {"a b", false},
        {"é", false},
        {"wan$", false},
    };
    for (const auto& test : cases)
        EXPECT_EQ(is_valid_name(test.name), test.valid) << test.name;
}

TEST(IsValidType, AllowsWhatUciAllows)
{
    struct Case {
        std::string type;
        bool valid;
    };
    const Case cases[] = {
        {"modem", true},
        {"bridge-vlan", true}, // OpenWrt 21.02+ DSA switches in /etc/config/network
        {"a.b", true},
        {"", false},
        {"a b", false},
        {"a\tb", false},
        {"\x7f", false},
        {"\xc3\xa9", false},
    };
    for (const auto& test : cases)
        EXPECT_EQ(is_valid_type(test.type), test.valid) << test.type;
}

TEST(IsWritableValue, RefusesLineBreaksAndNul)
{
    EXPECT_TRUE(is_writable_value("a b\tc'\"\\\r"));
    EXPECT_FALSE(is_writable_value("a\nb"));
    EXPECT_FALSE(is_writable_value(std::string("a\0b", 3)));
}

} // namespace
} // namespace uplink::uci
