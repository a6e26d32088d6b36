#include "modem/radio.hpp"

#include "modem/mapping.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace uplink::modem {

int nwscanmode_of(RatPreference preference)
{
    switch (preference) {
    case RatPreference::Auto:
        return 0;
    case RatPreference::Gsm:
        return 1;
    case RatPreference::Umts:
        return 2;
    case RatPreference::Lte:
        return 3;
    }
    return 0;
}

std::optional<RatPreference> rat_of_nwscanmode(int scanmode)
{
    for (auto preference : {RatPreference::Auto, RatPreference::Gsm, RatPreference::Umts, RatPreference::Lte})
        if (nwscanmode_of(preference) == scanmode)
            return preference;
    return std::nullopt;
}

std::string lte_mask_of(const std::vector<int>& bands)
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

Result<std::map<std::string, std::string>> BandMemory::read() const
{
    std::map<std::string, std::string> masks;
    std::ifstream file(path_);
    if (!file) {
        if (errno == ENOENT)
            return masks;
        return Error(errno, boost::system::generic_category());
    }
    std::string line;
    while (std::getline(file, line)) {
        std::istringstream words(line);
        std::string imei, mask, extra;
        if (!(words >> imei >> mask) || (words >> extra))
            return Error(EILSEQ, boost::system::generic_category()); // not a line this class writes
        masks[imei] = mask;
    }
    return masks;
}

Result<void> BandMemory::write(const std::map<std::string, std::string>& masks) const
{
    std::string text;
    for (const auto& [imei, mask] : masks)
        text += fmt::format("{} {}\n", imei, mask);
    std::error_code ignored; // a missing directory shows as the write's error
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ignored);
    return write_file_atomically(path_, text);
}

Result<std::string> BandMemory::original(std::string_view imei) const
{
    auto masks = read();
    if (!masks)
        return masks.error();
    auto found = masks->find(std::string(imei));
    return found == masks->end() ? std::string() : found->second;
}

Result<void> BandMemory::remember(std::string_view imei, std::string_view mask)
{
    auto masks = read();
    if (!masks)
        return masks.error();
    if (!masks->emplace(std::string(imei), std::string(mask)).second)
        return {};
    return write(*masks);
}

Result<void> BandMemory::forget(std::string_view imei)
{
    auto masks = read();
    if (!masks)
        return masks.error();
    if (masks->erase(std::string(imei)) == 0)
        return {};
    return write(*masks);
}

} // namespace uplink::modem
