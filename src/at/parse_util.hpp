// Private helpers shared by the at module's parsers: trimming, field splitting with
// quotes, and number conversions that never throw.
#pragma once

#include "at/at.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::at {

std::string_view trim(std::string_view text);
bool equals_ignoring_case(std::string_view a, std::string_view b);
bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);
std::string to_upper(std::string_view text);

// Removes surrounding whitespace and one pair of double quotes.
std::string_view unquote(std::string_view text);

// Splits on commas outside double quotes; each field is trimmed (quotes kept).
std::vector<std::string_view> split_fields(std::string_view text);

// Decimal integer with an optional sign; "", "-" and anything else give none.
std::optional<long long> to_integer(std::string_view text);
std::optional<int> to_int(std::string_view text);
// Hex digits, optionally quoted and with "0x"; at most 16 digits after leading zeros.
std::optional<std::uint64_t> to_hex(std::string_view text);
bool is_hex_digits(std::string_view text);
bool is_decimal_digits(std::string_view text);

// The text after "<prefix>" (e.g. "+CSQ:") on the first line that starts with it, trimmed.
std::optional<std::string_view> find_prefixed(
    const std::vector<std::string>& lines, std::string_view prefix);
// Every such line, in order.
std::vector<std::string_view> all_prefixed(
    const std::vector<std::string>& lines, std::string_view prefix);

// A field that is a number or empty/"-" (absent); anything else is a parse error.
// Returns false on a parse error.
bool optional_int(std::string_view field, std::optional<int>& out);

inline Error parse_error()
{
    return make_error_code(Errc::Parse);
}
inline Error not_found()
{
    return make_error_code(Errc::NotFound);
}

} // namespace uplink::at
