#include "modem/operator_table.hpp"

#include <gtest/gtest.h>
#include <string>

namespace uplink::modem {
namespace {

// Rows in scripts/apn-table's form, with values from mobile-broadband-provider-info 20230416-1
// (20404's is Vodafone NL's M2M APN, the source's only "pap").
constexpr std::string_view good_table
    = "# The operator APN table (a comment)\n"
      "#\n"
      "\n"
      "23415\tinternet\tpap-chap\tweb\tweb\tVodafone\n"
      "310410\tNXTGENPHONE\tnone\t\t\tAT&T\n"
      "52003\tinternet\tchap\t\t\tAIS (AWN)\n"
      "20404\tm2m.global.vodafone.nl\tpap\tweb\tweb\tVodafone\n"
      "26201\tinternet.t-d1.de\tpap-chap\t\tt-d1\tT-Mobile(Telekom)\n"
      "21407\ttelefonica.es\tpap-chap\ttelefonica\ttelefonica\t"
      "Movistar (Telefónica)";

TEST(ModemOperatorTable, ParsesRowsSkippingCommentsAndBlankLines)
{
    std::string problem;
    auto table = OperatorTable::parse(good_table, &problem);
    ASSERT_TRUE(table) << problem;
    EXPECT_EQ(table->size(), 6u);

    const auto* vodafone = table->find("23415");
    ASSERT_NE(vodafone, nullptr);
    EXPECT_EQ(vodafone->mcc_mnc, "23415");
    EXPECT_EQ(vodafone->apn, "internet");
    EXPECT_EQ(vodafone->authentication, Authentication::PapOrChap);
    EXPECT_EQ(vodafone->username, "web");
    EXPECT_EQ(vodafone->password, "web");
    EXPECT_EQ(vodafone->operator_name, "Vodafone");
    EXPECT_EQ(vodafone->line, 4);

    const auto* att = table->find("310410"); // a 3-digit MNC; empty credentials
    ASSERT_NE(att, nullptr);
    EXPECT_EQ(att->apn, "NXTGENPHONE");
    EXPECT_EQ(att->authentication, Authentication::None);
    EXPECT_EQ(att->username, "");
    EXPECT_EQ(att->password, "");
    EXPECT_EQ(att->line, 5);

    EXPECT_EQ(table->find("52003")->authentication, Authentication::Chap);
    EXPECT_EQ(table->find("20404")->authentication, Authentication::Pap);
    EXPECT_EQ(table->find("26201")->username, ""); // a password without a username
    EXPECT_EQ(table->find("26201")->password, "t-d1");
    // The last line has no newline; a name is UTF-8 as it stands.
    EXPECT_EQ(table->find("21407")->operator_name, "Movistar (Telefónica)");
    EXPECT_EQ(table->find("21407")->line, 9);
}

TEST(ModemOperatorTable, FindsOnlyTheExactMccMnc)
{
    auto table = OperatorTable::parse(good_table, nullptr);
    ASSERT_TRUE(table);
    EXPECT_EQ(table->find("31041"), nullptr); // 2-digit MNC "41" is another network than "410"
    EXPECT_EQ(table->find("3104100"), nullptr);
    EXPECT_EQ(table->find("2341"), nullptr);
    EXPECT_EQ(table->find(""), nullptr);
    EXPECT_EQ(table->find("00101"), nullptr);
}

TEST(ModemOperatorTable, AnEmptyTextIsAnEmptyTable)
{
    auto table = OperatorTable::parse("# only a comment\n", nullptr);
    ASSERT_TRUE(table);
    EXPECT_EQ(table->size(), 0u);
    EXPECT_EQ(table->find("23415"), nullptr);
}

struct BadTable {
    std::string_view name;
    std::string_view rows; // after rows_before, so the first of them is line 3
    std::string_view problem; // the whole message, with its line
    ConfigErrc error;
};

void PrintTo(const BadTable& table, std::ostream* out)
{
    *out << table.name;
}

class ModemOperatorTableErrors : public ::testing::TestWithParam<BadTable> { };

// A comment and a good row.
constexpr std::string_view rows_before
    = "# operators\n23415\tinternet\tpap-chap\tweb\tweb\tVodafone\n";

TEST_P(ModemOperatorTableErrors, AreRejectedWithTheirLine)
{
    auto text = std::string(rows_before) + std::string(GetParam().rows);
    std::string problem;
    auto table = OperatorTable::parse(text, &problem);
    ASSERT_FALSE(table);
    EXPECT_EQ(table.error(), make_error_code(GetParam().error)) << table.error().message();
    EXPECT_EQ(problem, GetParam().problem);
    // Without a place for the message the error is the same.
    auto quiet = OperatorTable::parse(text, nullptr);
    ASSERT_FALSE(quiet);
    EXPECT_EQ(quiet.error(), table.error());
}

INSTANTIATE_TEST_SUITE_P(Malformed, ModemOperatorTableErrors,
    ::testing::Values(
        BadTable {"too_few_fields", "310260\tfast.t-mobile.com\tnone\t\tT-Mobile\n",
            "operators.tsv:3: expected 6 tab-separated fields, found 5", ConfigErrc::Syntax},
        BadTable {"too_many_fields", "310260\tfast.t-mobile.com\tnone\t\t\tT-Mobile\tUS\n",
            "operators.tsv:3: expected 6 tab-separated fields, found 7", ConfigErrc::Syntax},
        BadTable {"spaces_for_tabs", "310260 fast.t-mobile.com none   T-Mobile\n",
            "operators.tsv:3: expected 6 tab-separated fields, found 1", ConfigErrc::Syntax},
        BadTable {"windows_line_end", "310260\tfast.t-mobile.com\tnone\t\t\tT-Mobile\r\n",
            "operators.tsv:3: a field holds a control character", ConfigErrc::BadValue},
        BadTable {"mcc_mnc_too_short", "2341\tinternet\tnone\t\t\tShort\n",
            "operators.tsv:3: '2341' is not an MCC-MNC (3 digits, then 2 or 3)",
            ConfigErrc::BadValue},
        BadTable {"mcc_mnc_too_long", "3102600\tinternet\tnone\t\t\tLong\n",
            "operators.tsv:3: '3102600' is not an MCC-MNC (3 digits, then 2 or 3)",
            ConfigErrc::BadValue},
        BadTable {"mcc_mnc_not_digits", "234-15\tinternet\tnone\t\t\tDash\n",
            "operators.tsv:3: '234-15' is not an MCC-MNC (3 digits, then 2 or 3)",
            ConfigErrc::BadValue},
        BadTable {"empty_apn", "310260\t\tnone\t\t\tT-Mobile\n",
            "operators.tsv:3: APN '' is not 1 to 100 characters without spaces",
            ConfigErrc::BadValue},
        BadTable {"apn_with_space", "310260\tfast t-mobile\tnone\t\t\tT-Mobile\n",
            "operators.tsv:3: APN 'fast t-mobile' is not 1 to 100 characters without spaces",
            ConfigErrc::BadValue},
        BadTable {"unknown_auth", "310260\tfast.t-mobile.com\tmschap\t\t\tT-Mobile\n",
            "operators.tsv:3: auth 'mschap' is not one of none, pap, chap, pap-chap",
            ConfigErrc::BadValue},
        BadTable {"auth_in_capitals", "310260\tfast.t-mobile.com\tPAP\t\t\tT-Mobile\n",
            "operators.tsv:3: auth 'PAP' is not one of none, pap, chap, pap-chap",
            ConfigErrc::BadValue},
        BadTable {"empty_operator", "310260\tfast.t-mobile.com\tnone\t\t\t\n",
            "operators.tsv:3: the operator name is empty", ConfigErrc::BadValue},
        BadTable {"duplicate_mcc_mnc", "23415\twap.vodafone.co.uk\tnone\t\t\tAsda Mobile\n",
            "operators.tsv:3: 23415 is already on line 2", ConfigErrc::Duplicate},
        BadTable {"first_bad_line_wins",
            "310260\tfast.t-mobile.com\tnone\t\t\tT-Mobile\n2341\tx\tnone\t\t\tX\n"
            "99\n",
            "operators.tsv:4: '2341' is not an MCC-MNC (3 digits, then 2 or 3)",
            ConfigErrc::BadValue}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ModemOperatorTable, AnApnOverOneHundredCharactersIsRejected)
{
    // 3GPP TS 23.003 §9.1: an APN is at most 100 octets.
    auto row = [](std::size_t length) {
        return "310260\t" + std::string(length, 'a') + "\tnone\t\t\tLong\n";
    };
    EXPECT_TRUE(OperatorTable::parse(row(100), nullptr));
    std::string problem;
    EXPECT_FALSE(OperatorTable::parse(row(101), &problem));
    EXPECT_EQ(problem.rfind("operators.tsv:1: APN '", 0), 0u) << problem;
}

// The real table, values as scripts/apn-table wrote them from mobile-broadband-provider-info
// 20230416-1. A regeneration that changes them should be looked at, not waved through.
TEST(ModemOperatorTable, TheEmbeddedTableParsesWhole)
{
    std::string problem;
    auto table = OperatorTable::parse(embedded_operator_text(), &problem);
    ASSERT_TRUE(table) << problem;
    std::size_t rows = 0;
    auto text = embedded_operator_text();
    for (std::size_t start = 0; start < text.size();) {
        auto end = std::min(text.find('\n', start), text.size());
        if (end > start && text[start] != '#')
            ++rows;
        start = end + 1;
    }
    EXPECT_EQ(table->size(), rows);
    EXPECT_GT(rows, 800u);
    EXPECT_EQ(embedded_operator_table().size(), rows);
}

TEST(ModemOperatorTable, TheEmbeddedTableKnowsWellKnownOperators)
{
    const auto& table = embedded_operator_table();

    const auto* vodafone_uk = table.find("23415");
    ASSERT_NE(vodafone_uk, nullptr);
    EXPECT_EQ(vodafone_uk->operator_name, "Vodafone"); // not Asda Mobile, an MVNO listed after it
    EXPECT_EQ(vodafone_uk->apn, "internet");
    EXPECT_EQ(vodafone_uk->authentication, Authentication::PapOrChap); // credentials, no method
    EXPECT_EQ(vodafone_uk->username, "web");
    EXPECT_EQ(vodafone_uk->password, "web");

    const auto* t_mobile_us = table.find("310260");
    ASSERT_NE(t_mobile_us, nullptr);
    EXPECT_EQ(t_mobile_us->operator_name, "T-Mobile");
    EXPECT_EQ(t_mobile_us->apn, "fast.t-mobile.com");
    EXPECT_EQ(t_mobile_us->authentication, Authentication::None);
    EXPECT_EQ(t_mobile_us->username, "");

    // AT&T lists only combined "mms-internet-hipri" APNs; the first of them is its internet APN.
    const auto* att = table.find("310410");
    ASSERT_NE(att, nullptr);
    EXPECT_EQ(att->operator_name, "AT&T");
    EXPECT_EQ(att->apn, "NXTGENPHONE");

    // E-Plus is marked primary="true" although two MVNOs come before it in the source.
    const auto* e_plus = table.find("26203");
    ASSERT_NE(e_plus, nullptr);
    EXPECT_EQ(e_plus->operator_name, "E-Plus");
    EXPECT_EQ(e_plus->apn, "internet.eplus.de");
    EXPECT_EQ(e_plus->username, "eplus");
    EXPECT_EQ(e_plus->password, "gprs");
}

TEST(ModemOperatorTable, TheTestNetworkIsNotInTheEmbeddedTable)
{
    // ITU-T E.212 keeps MCC 001 for test networks: test SIMs (and uplink-sim's) carry 001-01.
    EXPECT_EQ(embedded_operator_table().find("00101"), nullptr);
    EXPECT_EQ(embedded_operator_table().find("001010"), nullptr);
}

} // namespace
} // namespace uplink::modem
