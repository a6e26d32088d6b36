// libFuzzer target for every reply parser, and the redaction of lines. The first byte picks the parser; the rest is cut
// into lines at '\n' as the Framer would deliver them. Parsers must return a value or an
// error, never crash, hang or read out of bounds.
#include "at/at.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace uplink::at;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= input.size()) {
        auto end = input.find('\n', start);
        if (end == std::string_view::npos)
            end = input.size();
        lines.emplace_back(input.substr(start, end - start));
        start = end + 1;
    }
    // The operator parsers decode names in each +CSCS character set; the top bits choose it.
    auto charset = static_cast<CharacterSet>((data[0] >> 5) % 5);
    switch (data[0] % 21) {
    case 0:
        (void)parse_cpin_read(lines);
        break;
    case 1:
        (void)parse_qpinc_read(lines);
        break;
    case 2:
        (void)parse_iccid(lines);
        break;
    case 3:
        (void)parse_cimi(lines);
        break;
    case 4:
        (void)parse_cgsn(lines);
        break;
    case 5:
        (void)parse_ati(lines);
        break;
    case 6:
        (void)parse_single_value(lines);
        break;
    case 7:
        (void)parse_cfun_read(lines);
        break;
    case 8:
        for (const auto& line : lines)
            (void)parse_registration(line);
        break;
    case 9:
        (void)parse_cops_read(lines, charset);
        (void)parse_cscs_read(lines);
        break;
    case 10:
        (void)parse_cops_test(lines, charset);
        break;
    case 11:
        (void)parse_csq(lines);
        break;
    case 12:
        (void)parse_cesq(lines);
        break;
    case 13:
        (void)parse_qeng_servingcell(lines);
        break;
    case 14:
        (void)parse_qnwinfo(lines);
        break;
    case 15:
        (void)parse_qcainfo(lines);
        break;
    case 16:
        (void)parse_qrsrp(lines);
        break;
    case 17:
        (void)parse_cgdcont_read(lines);
        break;
    case 18:
        (void)parse_qcfg_band(lines);
        (void)parse_qcfg_nwscanmode(lines);
        break;
    case 19: {
        Final final;
        final.kind = (data[0] & 0x20) ? FinalKind::CmeError : FinalKind::CmsError;
        final.text = std::string(input);
        (void)error_of(final);
        (void)is_urc(input);
        break;
    }
    case 20:   // a command line from the console, or a reply line, on its way to the dialogue
        for (const auto& line : lines) {
            (void)redact_secrets(line);
            (void)sim_passwords(line);
        }
        break;
    }
    return 0;
}
