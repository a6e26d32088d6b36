#include "modem/radio.hpp"

#include "modem/mapping.hpp"

#include <qmi/qmi.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace uplink::modem {

namespace {

constexpr RatPreference all_rat_preferences[] {
    RatPreference::Auto, RatPreference::Nr, RatPreference::Lte, RatPreference::Umts, RatPreference::Gsm};

} // namespace

std::optional<int> nwscanmode_of(RatPreference preference)
{
    switch (preference) {
    case RatPreference::Auto:
        return 0;
    case RatPreference::Nr:
        return std::nullopt;
    case RatPreference::Gsm:
        return 1;
    case RatPreference::Umts:
        return 2;
    case RatPreference::Lte:
        return 3;
    }
    return std::nullopt;
}

std::optional<RatPreference> rat_of_nwscanmode(int scanmode)
{
    for (auto preference : all_rat_preferences)
        if (nwscanmode_of(preference) == scanmode)
            return preference;
    return std::nullopt;
}

std::string_view mode_pref_of(RatPreference preference)
{
    switch (preference) {
    case RatPreference::Auto:
        return "AUTO";
    case RatPreference::Nr:
        return "NR5G";
    case RatPreference::Lte:
        return "LTE";
    case RatPreference::Umts:
        return "WCDMA";
    case RatPreference::Gsm:
        return "GSM";
    }
    return "AUTO";
}

std::optional<RatPreference> rat_of_mode_pref(std::string_view mode)
{
    std::string upper(mode);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    for (auto preference : all_rat_preferences)
        if (mode_pref_of(preference) == upper)
            return preference;
    return std::nullopt;
}

std::optional<std::uint16_t> qmi_mode_of(RatPreference preference)
{
    switch (preference) {
    case RatPreference::Auto:
        return std::nullopt;
    case RatPreference::Nr:
        return qmi::rat_mode::nr5g;
    case RatPreference::Gsm:
        return qmi::rat_mode::gsm;
    case RatPreference::Umts:
        return qmi::rat_mode::umts;
    case RatPreference::Lte:
        return qmi::rat_mode::lte;
    }
    return std::nullopt;
}

RatPreference rat_of_qmi_mode(std::uint16_t mode)
{
    for (auto preference : all_rat_preferences)
        if (qmi_mode_of(preference) == mode)
            return preference;
    return RatPreference::Auto;
}

std::string lte_mask_of_qmi_bands(std::uint64_t bands)
{
    return fmt::format("{:x}", bands);
}

std::optional<std::uint64_t> qmi_lte_bands_of(std::string_view mask)
{
    std::uint64_t bands = 0;
    for (int band : at::bands_of_mask(mask)) {
        if (band > 64)
            return std::nullopt;
        bands |= std::uint64_t {1} << (band - 1);
    }
    return bands;
}

std::string band_mask_of(const std::vector<int>& bands)
{
    std::string digits;
    for (int band : bands) {
        if (band < 1)
            continue;
        auto bit = static_cast<std::size_t>(band - 1);
        if (digits.size() <= bit / 4)
            digits.resize(bit / 4 + 1, 0);
        digits[bit / 4] = static_cast<char>(digits[bit / 4] | (1 << (bit % 4)));
    }
    std::string text;
    for (auto digit = digits.rbegin(); digit != digits.rend(); ++digit)
        text += "0123456789abcdef"[static_cast<unsigned char>(*digit)];
    return text.empty() ? "0" : text;
}

NetworkEntry network_entry_of(const at::OperatorEntry& entry)
{
    // 27.007 §7.3 <stat>: 0 unknown, 1 available, 2 current, 3 forbidden.
    static constexpr std::string_view statuses[] = {"unknown", "available", "current", "forbidden"};
    NetworkEntry network;
    network.mcc_mnc = entry.numeric;
    network.long_name = entry.long_name;
    network.short_name = entry.short_name;
    network.status = entry.status >= 0 && entry.status <= 3 ? statuses[entry.status] : "unknown";
    if (entry.technology)
        network.technology = technology_of(*entry.technology);
    return network;
}

Result<RadioMemory::Values> parse_radio_defaults(std::string_view text)
{
    RadioMemory::Values values;
    std::istringstream lines {std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string imei, setting, value, extra;
        if (!(words >> imei >> setting >> value) || (words >> extra))
            return Error(EILSEQ, boost::system::generic_category()); // not a line this class writes
        values[{imei, setting}] = value;
    }
    return values;
}

std::string radio_defaults_text(const RadioMemory::Values& values)
{
    std::string text;
    for (const auto& [key, value] : values)
        text += fmt::format("{} {} {}\n", key.first, key.second, value);
    return text;
}

Result<RadioMemory::Values> RadioMemory::read() const
{
    std::ifstream file(path_);
    if (!file) {
        if (errno == ENOENT)
            return Values {};
        return Error(errno, boost::system::generic_category());
    }
    std::ostringstream text;
    text << file.rdbuf();
    return parse_radio_defaults(text.str());
}

Result<void> RadioMemory::write(const Values& values) const
{
    std::error_code ignored; // a missing directory shows as the write's error
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ignored);
    return write_file_atomically(path_, radio_defaults_text(values));
}

Result<std::string> RadioMemory::original(std::string_view imei, std::string_view setting) const
{
    auto values = read();
    if (!values)
        return values.error();
    auto found = values->find({std::string(imei), std::string(setting)});
    return found == values->end() ? std::string() : found->second;
}

Result<void> RadioMemory::remember(std::string_view imei, std::string_view setting, std::string_view value)
{
    auto values = read();
    if (!values)
        return values.error();
    if (!values->emplace(std::pair {std::string(imei), std::string(setting)}, std::string(value)).second)
        return {};
    return write(*values);
}

Result<void> RadioMemory::forget(std::string_view imei, std::string_view setting)
{
    auto values = read();
    if (!values)
        return values.error();
    if (values->erase({std::string(imei), std::string(setting)}) == 0)
        return {};
    return write(*values);
}

} // namespace uplink::modem
