#include "modem/wan_numbers.hpp"

#include <gtest/gtest.h>

namespace uplink::modem {
namespace {

TEST(ModemWanNumbersFile, BadLinesAreLeftOutAndNamed)
{
    auto file = parse_wan_numbers("1 1-1\n2 1-1.2\nnot a line\n1 2-1\n3 1-1\n0 2-2\n");
    const std::map<std::string, unsigned, std::less<>> expected {{"1-1", 1}, {"1-1.2", 2}};
    EXPECT_EQ(file.numbers, expected);
    EXPECT_EQ(file.bad_lines, (std::vector<int> {3, 4, 5, 6}));
    EXPECT_EQ(wan_numbers_text(file.numbers), "1 1-1\n2 1-1.2\n");
    EXPECT_EQ(parse_wan_numbers(wan_numbers_text(file.numbers)).numbers, expected);
}

} // namespace
} // namespace uplink::modem
