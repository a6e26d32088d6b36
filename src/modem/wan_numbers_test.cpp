#include "modem/wan_numbers.hpp"

#include <gtest/gtest.h>

namespace uplink::modem {
namespace {

std::vector<int> lines_of(const WanNumbersFile& file)
{
    std::vector<int> lines;
    for (const auto& bad : file.bad_lines)
        lines.push_back(bad.line);
    return lines;
}

TEST(ModemWanNumbersFile, BadLinesAreLeftOutAndNamed)
{
    auto file = parse_wan_numbers("1 1-1\n2 1-1.2\nnot a line\n1 2-1\n3 1-1\n0 2-2\n");
    const std::map<std::string, unsigned, std::less<>> expected {{"1-1", 1}, {"1-1.2", 2}};
    EXPECT_EQ(file.numbers, expected);
    EXPECT_EQ(lines_of(file), (std::vector<int> {3, 4, 5, 6}));
    EXPECT_EQ(wan_numbers_text(file.numbers), "1 1-1\n2 1-1.2\n");
    EXPECT_EQ(parse_wan_numbers(wan_numbers_text(file.numbers)).numbers, expected);
}

// A number is decimal digits alone, 1 to max_wan_number: a stream's `>> unsigned` took "-1" as
// 4294967295 (WAN "wan4294967295", whose route metric 200 + 10 * (n - 1) wrapped to 180, ahead
// of WAN1's 200). Each bad line says why, and the good lines around it stay as they are.
TEST(ModemWanNumbersFile, ANumberOutOfRangeOrMalformedIsRefused)
{
    struct Case {
        std::string line, problem;
    };
    for (const auto& [line, problem] : std::vector<Case> {
             {"-1 1-2", "'-1' is not a WAN number (1 to 999)"},
             {"0 1-2", "'0' is not a WAN number"},
             {"1000 1-2", "'1000' is not a WAN number"},
             {"4294967297 1-2", "'4294967297' is not a WAN number"},
             {"99999999999999999999999 1-2", "is not a WAN number"},
             {"+3 1-2", "'+3' is not a WAN number"},
             {"3x 1-2", "'3x' is not a WAN number"},
             {"0x3 1-2", "'0x3' is not a WAN number"},
             {"3", "not '<number> <usb path>'"},
             {"3 1-2 extra", "not '<number> <usb path>'"},
             {"", "not '<number> <usb path>'"},
             {"1 1-3", "WAN number 1 is given on line 1 already"},
             {"3 1-1", "USB path 1-1 is given on line 1 already"},
         }) {
        auto file = parse_wan_numbers("1 1-1\n" + line + "\n4 1-4\n");
        const std::map<std::string, unsigned, std::less<>> kept {{"1-1", 1}, {"1-4", 4}};
        EXPECT_EQ(file.numbers, kept) << line;
        ASSERT_EQ(lines_of(file), (std::vector<int> {2})) << line;
        EXPECT_NE(file.bad_lines[0].problem.find(problem), std::string::npos)
            << line << ": " << file.bad_lines[0].problem;
    }
    EXPECT_EQ(parse_wan_numbers("999 1-1\n").numbers.at("1-1"), max_wan_number);
}

} // namespace
} // namespace uplink::modem
