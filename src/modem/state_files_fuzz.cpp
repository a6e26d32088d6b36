// libFuzzer target for the modem module's state files, each read from the same text: the PIN
// failures (<state_dir>/pin-failures), the WAN numbers (wans) and the radio defaults
// (radio-defaults). What parses is written again as the module writes it, and that text parses
// to the same records: a record lost or changed in a rewrite could send a refused PIN again or
// move a modem to another WAN.
#include "modem/pin_store.hpp"
#include "modem/radio.hpp"
#include "modem/wan_numbers.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

namespace {

using namespace uplink::modem;

[[noreturn]] void fail(const char* what, std::string_view text)
{
    (void)std::fprintf(stderr, "modem state files fuzz: %s\n--- text ---\n%.*s\n---\n", what,
        static_cast<int>(text.size()), text.data());
    std::abort();
}

void check_pin_failures(std::string_view text)
{
    std::string problem;
    auto lines = parse_pin_failures(text, "/tmp/pin-failures", &problem);
    if (!lines)
        return;
    auto written = pin_failures_text(*lines);
    auto again = parse_pin_failures(written, "/tmp/pin-failures", &problem);
    if (!again || *again != *lines)
        fail("PIN failures that do not survive a rewrite", text);
}

void check_wan_numbers(std::string_view text)
{
    auto file = parse_wan_numbers(text);
    std::set<unsigned> numbers;
    for (const auto& [path, number] : file.numbers)
        if (number == 0 || number > max_wan_number || !numbers.insert(number).second)
            fail("a WAN number that is 0, above the maximum or given twice", text);
    auto again = parse_wan_numbers(wan_numbers_text(file.numbers));
    if (!again.bad_lines.empty() || again.numbers != file.numbers)
        fail("WAN numbers that do not survive a rewrite", text);
}

void check_radio_defaults(std::string_view text)
{
    auto values = parse_radio_defaults(text);
    if (!values)
        return;
    auto again = parse_radio_defaults(radio_defaults_text(*values));
    if (!again || *again != *values)
        fail("radio defaults that do not survive a rewrite", text);
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    check_pin_failures(text);
    check_wan_numbers(text);
    check_radio_defaults(text);
    return 0;
}
