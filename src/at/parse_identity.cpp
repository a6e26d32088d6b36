// Identity and power parsers: ATI, AT+CGMI/CGMM/CGMR, AT+CGSN, AT+CFUN?.
#include "at/at.hpp"
#include "at/parse_util.hpp"

namespace uplink::at {

namespace {

// "+CGMR: x", "+GMR: x" (Telit, LG): a leading "+NAME:" or "^NAME:" tag.
std::string_view strip_tag(std::string_view text)
{
    if (text.empty() || (text.front() != '+' && text.front() != '^'))
        return text;
    auto colon = text.find(':');
    if (colon == std::string_view::npos || colon > 12)
        return text;
    return trim(text.substr(colon + 1));
}

} // namespace

// 3GPP TS 27.007 §5.4 (+CGSN) / V.250 +GSN: the IMEI, bare, tagged or quoted; some
// firmware appends ",<serial>" (Option GlobeTrotter: "129512359199159,SE393939TS").
Result<std::string> parse_cgsn(const std::vector<std::string>& lines)
{
    for (const auto& line : lines) {
        auto text = trim(line);
        if (text.empty())
            continue;
        if (starts_with_ignoring_case(text, "IMEI:"))
            text = trim(text.substr(5));
        text = unquote(split_fields(strip_tag(text)).front());
        if (text.size() < 14 || text.size() > 17 || !is_decimal_digits(text))
            return parse_error();
        return std::string(text);
    }
    return not_found();
}

// ATI has two shapes: "Key: value" lines (Sierra, Huawei, SIMCom, u-blox) or bare lines in
// the order manufacturer, model, revision (Quectel: "Quectel", "EC25", "Revision: ...").
Result<Identity> parse_ati(const std::vector<std::string>& lines)
{
    Identity identity;
    int bare = 0;
    bool found = false;
    for (const auto& line : lines) {
        auto text = trim(line);
        if (text.empty())
            continue;
        auto colon = text.find(':');
        auto key
            = colon == std::string_view::npos ? std::string_view {} : trim(text.substr(0, colon));
        auto value = colon == std::string_view::npos ? text : trim(text.substr(colon + 1));
        if (equals_ignoring_case(key, "Manufacturer")) {
            identity.manufacturer = std::string(value);
            found = true;
        } else if (equals_ignoring_case(key, "Model")) {
            identity.model = std::string(value);
            found = true;
        } else if (equals_ignoring_case(key, "Revision")) {
            identity.revision = std::string(value);
            found = true;
        } else if (colon == std::string_view::npos && !text.starts_with('+')) {
            if (bare == 0 && identity.manufacturer.empty())
                identity.manufacturer = std::string(text);
            else if (bare == 1 && identity.model.empty())
                identity.model = std::string(text);
            else if (bare == 2 && identity.revision.empty())
                identity.revision = std::string(text);
            ++bare;
            found = true;
        }
    }
    if (!found)
        return not_found();
    return identity;
}

Result<std::string> parse_single_value(const std::vector<std::string>& lines)
{
    for (const auto& line : lines) {
        auto text = trim(line);
        if (text.empty())
            continue;
        auto value = unquote(strip_tag(text));
        if (value.empty())
            return parse_error();
        return std::string(value);
    }
    return not_found();
}

// 3GPP TS 27.007 §8.2: +CFUN: <fun>[,<rst>]
Result<int> parse_cfun_read(const std::vector<std::string>& lines)
{
    auto rest = find_prefixed(lines, "+CFUN:");
    if (!rest)
        return not_found();
    auto fun = to_int(split_fields(*rest).front());
    if (!fun || *fun < 0)
        return parse_error();
    return *fun;
}

} // namespace uplink::at
