// Character sets of string parameters: AT+CSCS? and the decoding of text the modem sends in them.
#include "at/at.hpp"
#include "at/parse_util.hpp"

#include <array>

namespace uplink::at {

std::string_view to_string(CharacterSet charset)
{
    switch (charset) {
    case CharacterSet::Ira:
        return "IRA";
    case CharacterSet::Gsm:
        return "GSM";
    case CharacterSet::Ucs2:
        return "UCS2";
    case CharacterSet::Utf8:
        return "UTF-8";
    case CharacterSet::Other:
        return "other";
    }
    return "invalid";
}

namespace {

// Hex digits of whole UCS-2 units, as bytes; none for anything else.
std::optional<std::vector<std::uint8_t>> ucs2_bytes(std::string_view text)
{
    if (text.empty() || text.size() % 4 != 0 || !is_hex_digits(text))
        return std::nullopt;
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i < text.size(); i += 2)
        bytes.push_back(static_cast<std::uint8_t>(*to_hex(text.substr(i, 2))));
    return bytes;
}

// Outside UCS2 mode a name is taken for UCS2 only when nothing else reads so: every unit is
// Latin-1 (00xx) and printable, and there are at least two of them. "CAFE" stays "CAFE".
bool only_ucs2_reads_so(const std::vector<std::uint8_t>& bytes)
{
    if (bytes.size() < 4)
        return false;
    for (std::size_t i = 0; i < bytes.size(); i += 2)
        if (bytes[i] != 0 || bytes[i + 1] < 0x20 || bytes[i + 1] == 0x7f)
            return false;
    return true;
}

bool is_ascii(std::string_view text)
{
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80)
            return false;
    return true;
}

} // namespace

std::string decode_text(std::string_view text, CharacterSet charset)
{
    auto ucs2 = ucs2_bytes(text);
    if (ucs2 && (charset == CharacterSet::Ucs2 || only_ucs2_reads_so(*ucs2)))
        return utf8_from_ucs2(*ucs2, ByteOrder::BigEndian);
    // GSM: a septet a byte. Bytes past 0x7f cannot be septets: that text is already UTF-8.
    if (charset == CharacterSet::Gsm && is_ascii(text)) {
        std::vector<std::uint8_t> septets(text.begin(), text.end());
        return utf8_from_gsm7(septets);
    }
    return std::string(text);
}

// 3GPP TS 27.007 §5.5: +CSCS: <chset>
Result<CharacterSet> parse_cscs_read(const std::vector<std::string>& lines)
{
    auto rest = find_prefixed(lines, "+CSCS:");
    if (!rest)
        return not_found();
    auto name = std::string(unquote(*rest));
    if (auto ucs2 = ucs2_bytes(name); ucs2 && only_ucs2_reads_so(*ucs2))
        name = utf8_from_ucs2(*ucs2, ByteOrder::BigEndian);
    name = to_upper(name);
    if (name.empty())
        return parse_error();
    if (name == "IRA")
        return CharacterSet::Ira;
    if (name == "GSM")
        return CharacterSet::Gsm;
    if (name == "UCS2")
        return CharacterSet::Ucs2;
    if (name == "UTF-8" || name == "UTF8")
        return CharacterSet::Utf8;
    return CharacterSet::Other;
}

} // namespace uplink::at
