// Command-line splitting (V.250 §5.2): extended commands end at ';', basic ones chain.
#include "sim/at_parse.hpp"

#include <gtest/gtest.h>

namespace uplink::sim {
namespace {

std::vector<std::string> names(std::string_view line)
{
    std::vector<std::string> out;
    auto commands = parse_command_line(line);
    if (!commands)
        return {"(invalid)"};
    for (const auto& command : *commands)
        out.push_back(
            command.name + "|" + std::string(to_string(command.form)) + "|" + command.arguments);
    return out;
}

using Names = std::vector<std::string>;

TEST(AtParse, Forms)
{
    EXPECT_EQ(names("AT"), Names {"|execute|"});
    EXPECT_EQ(names("at+cpin?"), Names {"+CPIN|read|"});
    EXPECT_EQ(names("AT+COPS=?"), Names {"+COPS|test|"});
    EXPECT_EQ(names("AT+CPIN=\"1234\""), Names {"+CPIN|set|\"1234\""});
    EXPECT_EQ(names("AT+QENG=\"servingcell\""), Names {"+QENG|set|\"servingcell\""});
    EXPECT_EQ(names("AT+CSQ"), Names {"+CSQ|execute|"});
}

TEST(AtParse, SeveralCommands)
{
    EXPECT_EQ(names("AT+CSQ;+CREG?"), (Names {"+CSQ|execute|", "+CREG|read|"}));
    EXPECT_EQ(names("ATE0 V1"), (Names {"E|execute|0", "V|execute|1"}));
    EXPECT_EQ(names("ATE0Q0V1"), (Names {"E|execute|0", "Q|execute|0", "V|execute|1"}));
    EXPECT_EQ(names("ATI;+CGMR"), (Names {"I|execute|", "+CGMR|execute|"}));
    EXPECT_EQ(names("AT+CGDCONT=1,\"IP\",\"a;b\";+CGDCONT?"),
        (Names {"+CGDCONT|set|1,\"IP\",\"a;b\"", "+CGDCONT|read|"}));
    EXPECT_EQ(names("AT&F0S0=0"), (Names {"&F|execute|0", "S0|set|0"}));
    EXPECT_EQ(names("ATD*99#"), Names {"D|execute|*99#"});
}

TEST(AtParse, Invalid)
{
    EXPECT_EQ(names("A"), Names {"(invalid)"});
    EXPECT_EQ(names("XT"), Names {"(invalid)"});
    EXPECT_EQ(names("AT+"), Names {"(invalid)"});
    EXPECT_EQ(names("AT+CPIN=\"12"), Names {"(invalid)"});
    EXPECT_EQ(names("AT!"), Names {"(invalid)"});
    EXPECT_EQ(names("AT+CSQ x"), Names {"(invalid)"});
}

TEST(AtParse, TextAndCounterNames)
{
    auto commands = parse_command_line("AT+CSQ;+QENG=\"servingcell\"");
    ASSERT_TRUE(commands);
    EXPECT_EQ((*commands)[1].text, "AT+QENG=\"servingcell\"");
    EXPECT_EQ(counter_name((*commands)[1]), "AT+QENG");
    EXPECT_EQ(counter_name(parse_command_line("ATS7=5")->front()), "ATS");
    EXPECT_EQ(counter_name(parse_command_line("AT")->front()), "AT");
}

TEST(AtParse, Arguments)
{
    using Strings = std::vector<std::string>;
    EXPECT_EQ(split_arguments("\"SC\",1,\"1234\""), (Strings {"SC", "1", "1234"}));
    EXPECT_EQ(split_arguments("1, 2 ,3"), (Strings {"1", "2", "3"}));
    EXPECT_EQ(split_arguments("1,,\"a, b\""), (Strings {"1", "", "a, b"}));
    EXPECT_EQ(split_arguments(""), Strings {});
    EXPECT_FALSE(split_arguments("\"open"));
    EXPECT_TRUE(equals_ignoring_case("AT+Csq", "at+CSQ"));
    EXPECT_EQ(to_upper("at+qeng"), "AT+QENG");
}

} // namespace
} // namespace uplink::sim
