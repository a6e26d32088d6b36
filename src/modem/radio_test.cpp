#include "modem/radio.hpp"

#include <qmi/qmi.hpp>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace uplink::modem {
namespace {

TEST(ModemRadio, ScanModesRoundTrip)
{
    for (auto preference : {RatPreference::Auto, RatPreference::Lte, RatPreference::Umts, RatPreference::Gsm})
        EXPECT_EQ(rat_of_nwscanmode(nwscanmode_of(preference).value()), preference) << to_string(preference);
    EXPECT_EQ(nwscanmode_of(RatPreference::Lte), 3); // modem-protocols.md §4.1: 3 = LTE only
    EXPECT_EQ(nwscanmode_of(RatPreference::Nr), std::nullopt); // the LTE modules' setting has no 5G
    EXPECT_FALSE(rat_of_nwscanmode(7));
}

TEST(ModemRadio, ModePreferencesRoundTrip)
{
    for (auto preference : {RatPreference::Auto, RatPreference::Nr, RatPreference::Lte, RatPreference::Umts})
        EXPECT_EQ(rat_of_mode_pref(mode_pref_of(preference)), preference) << to_string(preference);
    EXPECT_EQ(mode_pref_of(RatPreference::Nr), "NR5G");
    EXPECT_EQ(rat_of_mode_pref("lte"), RatPreference::Lte);
    EXPECT_EQ(rat_of_mode_pref("LTE:NR5G"), std::nullopt); // several, not all: none of ours
    EXPECT_EQ(rat_of_mode_pref(""), std::nullopt);
}

TEST(ModemRadio, LteMaskHasBitNMinusOneForBandN)
{
    // The EC20 EU reply in at's tests: 0x80800c5 is bands 1 3 7 8 20 28.
    EXPECT_EQ(band_mask_of({1, 3, 7, 8, 20, 28}), "80800c5");
    EXPECT_EQ(band_mask_of({3}), "4");
    EXPECT_EQ(band_mask_of({}), "0");
    EXPECT_EQ(band_mask_of({41, 1}), "10000000001");
    for (const std::vector<int>& bands : {std::vector<int> {1}, {3, 7, 20}, {1, 3, 5, 7, 8, 20, 38, 40, 41}, {66, 71},
             {1, 28, 78, 258}})
        EXPECT_EQ(at::bands_of_mask(band_mask_of(bands)), bands);
}

TEST(ModemRadio, ScanEntriesKeepStatusAndTechnology)
{
    at::OperatorEntry entry;
    entry.status = 2;
    entry.long_name = "Vodafone UK";
    entry.short_name = "voda UK";
    entry.numeric = "23415";
    entry.technology = at::AccessTechnology::Eutran;
    auto network = network_entry_of(entry);
    EXPECT_EQ(network.status, "current");
    EXPECT_EQ(network.mcc_mnc, "23415");
    EXPECT_EQ(network.technology, Technology::Lte);
    entry.status = 3;
    EXPECT_EQ(network_entry_of(entry).status, "forbidden");
    entry.status = 9;
    EXPECT_EQ(network_entry_of(entry).status, "unknown");
}

TEST(ModemRadio, QmiModesAndBands)
{
    EXPECT_EQ(qmi_mode_of(RatPreference::Lte), qmi::rat_mode::lte);
    EXPECT_EQ(qmi_mode_of(RatPreference::Auto), std::nullopt);
    for (auto preference : {RatPreference::Nr, RatPreference::Lte, RatPreference::Umts, RatPreference::Gsm})
        EXPECT_EQ(rat_of_qmi_mode(*qmi_mode_of(preference)), preference);
    EXPECT_EQ(qmi_mode_of(RatPreference::Nr), 1 << 6); // modem-protocols.md: bit 6 is 5G NR
    EXPECT_EQ(rat_of_qmi_mode(qmi::rat_mode::lte | qmi::rat_mode::umts), RatPreference::Auto);
    // The BG96 of the QMI message tests: 0x80 is band 8.
    EXPECT_EQ(lte_mask_of_qmi_bands(0x80), "80");
    EXPECT_EQ(qmi_lte_bands_of(band_mask_of({3, 20})), (1u << 2) | (1u << 19));
    EXPECT_EQ(qmi_lte_bands_of(band_mask_of({66})), std::nullopt); // past TLV 0x15's 64 bits
}

class ModemRadioMemory : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "uplink-radio-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        directory_ = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    std::filesystem::path directory_;
};

TEST_F(ModemRadioMemory, KeepsTheFirstValueUntilForgotten)
{
    RadioMemory memory((directory_ / "state" / "radio-defaults").string()); // the state dir is made
    EXPECT_EQ(memory.original("861234", "lte-bands").value(), "");
    ASSERT_TRUE(memory.remember("861234", "lte-bands", "1a0080800c5"));
    ASSERT_TRUE(memory.remember("861234", "lte-bands", "4"));          // a later lock keeps the modem's own
    ASSERT_TRUE(memory.remember("861234", "mode-preference", "1c"));
    ASSERT_TRUE(memory.remember("869999", "lte-bands", "80800c5"));
    RadioMemory reread(memory.path());
    EXPECT_EQ(reread.original("861234", "lte-bands").value(), "1a0080800c5");
    EXPECT_EQ(reread.original("861234", "mode-preference").value(), "1c");
    EXPECT_EQ(reread.original("869999", "lte-bands").value(), "80800c5");
    ASSERT_TRUE(reread.forget("861234", "lte-bands"));
    EXPECT_EQ(reread.original("861234", "lte-bands").value(), "");
    EXPECT_EQ(reread.original("861234", "mode-preference").value(), "1c");
}

TEST_F(ModemRadioMemory, ACorruptFileIsAnErrorAndStaysAsItWas)
{
    auto path = (directory_ / "radio-defaults").string();
    std::ofstream(path) << "861234 lte-bands\n";
    RadioMemory memory(path);
    EXPECT_FALSE(memory.original("861234", "lte-bands"));
    EXPECT_FALSE(memory.remember("861234", "lte-bands", "4"));
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);
    EXPECT_EQ(line, "861234 lte-bands");
}

TEST(ModemRadioDefaultsFile, ParsesWhatItWrites)
{
    const RadioMemory::Values values {
        {{"861234", "lte-bands"}, "1a0080800c5"}, {{"861234", "mode-preference"}, "1c"}};
    EXPECT_EQ(radio_defaults_text(values),
        "861234 lte-bands 1a0080800c5\n861234 mode-preference 1c\n");
    EXPECT_EQ(parse_radio_defaults(radio_defaults_text(values)).value(), values);
    EXPECT_FALSE(parse_radio_defaults("861234 lte-bands\n"));
}

} // namespace
} // namespace uplink::modem
