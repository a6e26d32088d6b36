#include "at/parse_util.hpp"

#include <charconv>
#include <limits>

namespace uplink::at {

namespace {

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

} // namespace

std::string_view trim(std::string_view text)
{
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (upper(a[i]) != upper(b[i]))
            return false;
    return true;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size()
        && equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

std::string to_upper(std::string_view text)
{
    std::string result(text);
    for (auto& c : result)
        c = upper(c);
    return result;
}

std::string_view unquote(std::string_view text)
{
    text = trim(text);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        text = text.substr(1, text.size() - 2);
    return text;
}

std::vector<std::string_view> split_fields(std::string_view text)
{
    std::vector<std::string_view> fields;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (text[i] == ',' && !quoted) {
            fields.push_back(trim(text.substr(start, i - start)));
            start = i + 1;
        }
    }
    fields.push_back(trim(text.substr(start)));
    return fields;
}

std::optional<long long> to_integer(std::string_view text)
{
    text = trim(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::optional<int> to_int(std::string_view text)
{
    auto value = to_integer(text);
    if (!value || *value < std::numeric_limits<int>::min()
        || *value > std::numeric_limits<int>::max())
        return std::nullopt;
    return static_cast<int>(*value);
}

bool is_hex_digits(std::string_view text)
{
    if (text.empty())
        return false;
    for (char c : text)
        if (!is_hex(c))
            return false;
    return true;
}

bool is_decimal_digits(std::string_view text)
{
    if (text.empty())
        return false;
    for (char c : text)
        if (c < '0' || c > '9')
            return false;
    return true;
}

std::optional<std::uint64_t> to_hex(std::string_view text)
{
    text = trim(unquote(text));
    if (starts_with_ignoring_case(text, "0x"))
        text.remove_prefix(2);
    if (!is_hex_digits(text))
        return std::nullopt;
    while (text.size() > 1 && text.front() == '0')
        text.remove_prefix(1);
    if (text.size() > 16)
        return std::nullopt;
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value, 16);
    return value;
}

std::optional<std::string_view> find_prefixed(
    const std::vector<std::string>& lines, std::string_view prefix)
{
    for (const auto& line : lines) {
        auto text = trim(line);
        if (starts_with_ignoring_case(text, prefix))
            return trim(text.substr(prefix.size()));
    }
    return std::nullopt;
}

std::vector<std::string_view> all_prefixed(
    const std::vector<std::string>& lines, std::string_view prefix)
{
    std::vector<std::string_view> found;
    for (const auto& line : lines) {
        auto text = trim(line);
        if (starts_with_ignoring_case(text, prefix))
            found.push_back(trim(text.substr(prefix.size())));
    }
    return found;
}

bool optional_int(std::string_view field, std::optional<int>& out)
{
    field = unquote(field);
    if (field.empty() || field == "-") {
        out.reset();
        return true;
    }
    out = to_int(field);
    return out.has_value();
}

} // namespace uplink::at
