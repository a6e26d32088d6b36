// Registration and operator parsers: +CREG/+CGREG/+CEREG/+C5GREG, AT+COPS? and AT+COPS=?.
#include "at/at.hpp"
#include "at/parse_util.hpp"

#include <array>

namespace uplink::at {

namespace {

// <stat> 0..11, as 27.007 defines them for the four commands (see RegistrationStatus).
std::optional<RegistrationStatus> status_of(int stat)
{
    if (stat >= 0 && stat <= 11)
        return static_cast<RegistrationStatus>(stat);
    return std::nullopt;
}

// 3GPP TS 27.007 §7.3 <AcT>; values past the table are a technology we do not know.
AccessTechnology technology_of(int act)
{
    if (act >= 0 && act <= 13)
        return static_cast<AccessTechnology>(act);
    return AccessTechnology::Unknown;
}

// An optional field that does not read as what it should be is dropped, not an error: real
// firmware puts odd things in one field (a space inside the LAC, a letter for the AcT) and the
// rest of the line is still good.
std::optional<std::uint64_t> optional_hex(std::string_view field)
{
    auto text = unquote(field);
    if (text.empty())
        return std::nullopt;
    return to_hex(text);
}

std::optional<AccessTechnology> optional_technology(std::string_view field)
{
    auto text = unquote(field);
    if (text.empty())
        return std::nullopt;
    auto act = to_int(text);
    return act ? technology_of(*act) : AccessTechnology::Unknown;
}

std::optional<int> optional_number(std::string_view field)
{
    std::optional<int> value;
    if (!optional_int(field, value))
        return std::nullopt;
    return value;
}

// In the read form the second field is <stat>: a small unquoted number. In the unsolicited
// form it is the <lac>/<tac>, quoted or a hex number of 4 or more digits.
bool second_field_is_stat(std::string_view field)
{
    if (field.empty() || field.size() > 3 || !is_decimal_digits(field))
        return false;
    auto value = to_int(field);
    return value && *value <= 11;
}

// Where <cause_type> sits after <stat>: 27.007 puts <rac> (+CGREG) or <Allowed_NSSAI_length>,
// <Allowed_NSSAI> (+C5GREG) between <AcT> and the causes.
struct Layout {
    std::string_view prefix;
    std::size_t cause_type;
};
constexpr std::array<Layout, 4> layouts {{
    {"+CREG:", 4}, // §7.2:    <stat>,<lac>,<ci>,<AcT>,<cause_type>,<reject_cause>
    {"+CGREG:", 5}, // §10.1.20: ...,<AcT>,<rac>,<cause_type>,<reject_cause>,<timers>...
    {"+CEREG:", 4}, // §10.1.22: ...,<AcT>,<cause_type>,<reject_cause>,<Active-Time>,<TAU>
    {"+C5GREG:", 6}, // §10.1.47: ...,<AcT>,<NSSAI length>,<NSSAI>,<cause_type>,<reject_cause>
}};

} // namespace

Result<Registration> parse_registration(std::string_view line)
{
    line = trim(line);
    const Layout* layout = nullptr;
    for (const auto& candidate : layouts) {
        if (starts_with_ignoring_case(line, candidate.prefix)) {
            layout = &candidate;
            break;
        }
    }
    if (!layout)
        return not_found();
    auto fields = split_fields(line.substr(layout->prefix.size()));
    // Read form: <n>,<stat>[,...]; unsolicited: <stat>[,...]. Only <n> and <stat> must read
    // right; every later field is optional and vendors add their own after 27.007's.
    bool read_form = fields.size() == 2 || (fields.size() >= 4 && second_field_is_stat(fields[1]));
    Registration registration;
    std::size_t index = 0;
    if (read_form) {
        registration.mode = to_int(fields[0]);
        if (!registration.mode)
            return parse_error();
        index = 1;
    }
    auto stat = to_int(unquote(fields[index]));
    if (!stat)
        return parse_error();
    auto status = status_of(*stat);
    if (!status)
        return parse_error();
    registration.status = *status;
    auto field = [&](std::size_t offset) -> std::string_view {
        return index + offset < fields.size() ? fields[index + offset] : std::string_view {};
    };
    if (auto area = optional_hex(field(1)); area && *area <= 0xffffffffu)
        registration.area = static_cast<std::uint32_t>(*area);
    registration.cell_id = optional_hex(field(2));
    registration.technology = optional_technology(field(3));
    registration.cause_type = optional_number(field(layout->cause_type));
    registration.reject_cause = optional_number(field(layout->cause_type + 1));
    if (!registration.cause_type)
        registration.reject_cause.reset();
    return registration;
}

// 3GPP TS 27.007 §7.3: +COPS: <mode>[,<format>,<oper>[,<AcT>]]. <oper> is a string parameter:
// it comes in the +CSCS character set (§5.5), UCS2 hex on a Huawei left in UCS2 mode.
Result<OperatorSelection> parse_cops_read(
    const std::vector<std::string>& lines, CharacterSet charset)
{
    auto rest = find_prefixed(lines, "+COPS:");
    if (!rest)
        return not_found();
    auto fields = split_fields(*rest);
    OperatorSelection selection;
    auto mode = to_int(fields[0]);
    if (!mode || *mode < 0 || *mode > 4)
        return parse_error();
    selection.mode = *mode;
    if (fields.size() > 1 && !optional_int(fields[1], selection.format))
        return parse_error();
    if (fields.size() > 2)
        selection.name = decode_text(unquote(fields[2]), charset);
    if (fields.size() > 3)
        selection.technology = optional_technology(fields[3]);
    return selection;
}

namespace {

// One "(...)" of AT+COPS=?: an operator when it reads (<stat>,"long","short","numeric"[,<AcT>]).
// The trailing "(0-4),(0-2)" lists of supported modes and formats are skipped.
std::optional<OperatorEntry> operator_entry(std::string_view tuple, CharacterSet charset)
{
    auto fields = split_fields(tuple);
    if (fields.size() < 4)
        return std::nullopt;
    auto status = to_int(fields[0]);
    auto quoted_or_empty = [](std::string_view field) {
        return field.empty() || (field.size() >= 2 && field.front() == '"' && field.back() == '"');
    };
    if (!status || *status < 0 || *status > 3 || !quoted_or_empty(fields[1])
        || !quoted_or_empty(fields[2]) || !quoted_or_empty(fields[3]))
        return std::nullopt;
    OperatorEntry entry;
    entry.status = *status;
    entry.long_name = decode_text(unquote(fields[1]), charset);
    entry.short_name = decode_text(unquote(fields[2]), charset);
    entry.numeric = decode_text(unquote(fields[3]), charset);
    if (entry.numeric.empty())
        return std::nullopt;
    if (fields.size() > 4) {
        auto act = to_int(fields[4]);
        if (act)
            entry.technology = technology_of(*act);
    }
    return entry;
}

} // namespace

// 3GPP TS 27.007 §7.3: +COPS: [list of (<stat>,long,short,numeric[,<AcT>])s][,,(modes),(formats)]
Result<std::vector<OperatorEntry>> parse_cops_test(
    const std::vector<std::string>& lines, CharacterSet charset)
{
    // Some phones split the list over several lines, each with or without "+COPS: ".
    std::string text;
    bool found = false;
    for (const auto& line : lines) {
        auto part = trim(line);
        if (starts_with_ignoring_case(part, "+COPS:")) {
            part = trim(part.substr(6));
            found = true;
        }
        if (!text.empty() && !part.empty() && text.back() == ')' && part.front() == '(')
            text += ',';
        text += part;
    }
    if (!found)
        return not_found();
    std::vector<OperatorEntry> entries;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '(') {
            ++i;
            continue;
        }
        std::size_t end = i + 1;
        bool quoted = false;
        while (end < text.size() && (quoted || text[end] != ')')) {
            if (text[end] == '"')
                quoted = !quoted;
            ++end;
        }
        if (end >= text.size())
            return parse_error();
        auto entry = operator_entry(std::string_view(text).substr(i + 1, end - i - 1), charset);
        // Sony Ericsson TM-506 and F3607gw close the tuple before <AcT>: (..."310260"),2)
        std::size_t next = end + 1;
        if (entry && next + 2 < text.size() && text[next] == ',' && text[next + 1] >= '0'
            && text[next + 1] <= '9' && text[next + 2] == ')') {
            entry->technology = technology_of(text[next + 1] - '0');
            next += 3;
        }
        if (entry)
            entries.push_back(std::move(*entry));
        i = next;
    }
    return entries;
}

} // namespace uplink::at
