// Text codecs of 3GPP TS 23.038: the GSM 7-bit default alphabet (packed and unpacked) and UCS-2.
#include "core/core.hpp"

#include <algorithm>
#include <array>

namespace uplink {

namespace {

constexpr char32_t replacement = 0xfffd;

// 23.038 §6.2.1: the default alphabet, by septet value.
// A row of the table is 16 septets, as 23.038 prints it.
// clang-format off
constexpr std::array<char32_t, 128> gsm7_default {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ', U'Θ', U'Ξ', U'\x1b', U'Æ', U'æ', U'ß', U'É',
    U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7', U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',
    U'¡', U'A', U'B', U'C', U'D', U'E', U'F', U'G', U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W', U'X', U'Y', U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§',
    U'¿', U'a', U'b', U'c', U'd', U'e', U'f', U'g', U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w', U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à'};
// clang-format on

// 23.038 §6.2.1.1: the extension table. A value it does not define shows as the default
// alphabet's character (the rule for a receiving entity).
std::optional<char32_t> gsm7_extension(std::uint8_t septet)
{
    switch (septet) {
    case 0x0a:
        return U'\f';
    case 0x14:
        return U'^';
    case 0x28:
        return U'{';
    case 0x29:
        return U'}';
    case 0x2f:
        return U'\\';
    case 0x3c:
        return U'[';
    case 0x3d:
        return U'~';
    case 0x3e:
        return U']';
    case 0x40:
        return U'|';
    case 0x65:
        return U'€';
    default:
        return std::nullopt;
    }
}

void append_utf8(std::string& out, char32_t code)
{
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xc0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xe0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code & 0x3f));
    }
}

} // namespace

std::string utf8_from_gsm7(std::span<const std::uint8_t> septets)
{
    std::string out;
    for (std::size_t i = 0; i < septets.size(); ++i) {
        auto septet = static_cast<std::uint8_t>(septets[i] & 0x7f);
        if (septet != 0x1b) {
            append_utf8(out, gsm7_default[septet]);
            continue;
        }
        if (i + 1 == septets.size()) // an escape with nothing after it
            break;
        auto next = static_cast<std::uint8_t>(septets[++i] & 0x7f);
        auto extended = gsm7_extension(next);
        append_utf8(out, extended ? *extended : next == 0x1b ? U' ' : gsm7_default[next]);
    }
    return out;
}

std::vector<std::uint8_t> unpack_gsm7(std::span<const std::uint8_t> packed, std::size_t count)
{
    std::vector<std::uint8_t> septets;
    count = std::min(count, packed.size() * 8 / 7);
    septets.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto bit = i * 7;
        auto byte = bit / 8;
        auto shift = bit % 8;
        unsigned value = packed[byte] >> shift;
        if (shift > 1 && byte + 1 < packed.size())
            value |= static_cast<unsigned>(packed[byte + 1]) << (8 - shift);
        septets.push_back(static_cast<std::uint8_t>(value & 0x7f));
    }
    return septets;
}

std::string utf8_from_ucs2(std::span<const std::uint8_t> bytes, ByteOrder order)
{
    auto unit_at = [&](std::size_t i) -> char32_t {
        return order == ByteOrder::BigEndian ? (bytes[i] << 8) | bytes[i + 1]
                                             : (bytes[i + 1] << 8) | bytes[i];
    };
    std::string out;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        auto unit = unit_at(i);
        if (unit >= 0xd800 && unit <= 0xdbff && i + 3 < bytes.size()) {
            auto low = unit_at(i + 2);
            if (low >= 0xdc00 && low <= 0xdfff) {
                append_utf8(out, 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
                i += 2;
                continue;
            }
        }
        append_utf8(out, unit >= 0xd800 && unit <= 0xdfff ? replacement : unit);
    }
    return out;
}

} // namespace uplink
