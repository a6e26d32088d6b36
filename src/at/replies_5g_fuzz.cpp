// libFuzzer target for the 5G replies: AT+QNWPREFCFG (mode_pref and the band items), the band
// lists in them, the +QENG servingcell reply with its NR5G-SA and NR5G-NSA lines, and the hex
// band masks of AT+QCFG="band". The input is reply lines cut at '\n'. A band list that parses is
// ascending without repeats, and the same list joined by ':' parses back to itself.
#include "at/at.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace uplink::at;

[[noreturn]] void fail(const char* what, std::string_view text)
{
    (void)std::fprintf(stderr, "at 5g fuzz: %s\n--- input ---\n%.*s\n---\n", what,
        static_cast<int>(text.size()), text.data());
    std::abort();
}

bool ascending_without_repeats(const std::vector<int>& bands)
{
    for (std::size_t index = 1; index < bands.size(); ++index)
        if (bands[index - 1] >= bands[index])
            return false;
    return true;
}

void check_band_list(std::string_view text)
{
    auto bands = parse_band_list(text);
    if (!bands)
        return;
    if (bands->empty() || !ascending_without_repeats(*bands))
        fail("a band list that is empty or out of order", text);
    std::string joined;
    for (int band : *bands)
        joined += (joined.empty() ? "" : ":") + std::to_string(band);
    auto again = parse_band_list(joined);
    if (!again || *again != *bands)
        fail("a band list that does not parse back from its own form", text);
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> lines;
    for (std::size_t start = 0; start <= input.size();) {
        auto end = input.find('\n', start);
        if (end == std::string_view::npos)
            end = input.size();
        lines.emplace_back(input.substr(start, end - start));
        start = end + 1;
    }
    for (std::string_view item : {"mode_pref", "lte_band", "nr5g_band", "nsa_nr5g_band"})
        if (auto value = parse_qnwprefcfg(lines, item); value && item != "mode_pref")
            check_band_list(*value);
    check_band_list(input);
    (void)parse_qeng_servingcell(lines);
    if (auto bands = bands_of_mask(input); !ascending_without_repeats(bands))
        fail("a band mask whose bands are out of order", input);
    (void)parse_qcfg_band(lines);
    return 0;
}
