// Registration and operator parsers: +CREG/+CGREG/+CEREG/+C5GREG, AT+COPS? and AT+COPS=?.
#include "at/at.hpp"
#include "at/parse_util.hpp"

#include <array>

namespace uplink::at {

namespace {

// 3GPP TS 27.007 §7.2/§10.1.19/§10.1.22/§10.1.48 <stat>. 9 and 10 are "registered for
// CSFB not preferred" (home/roaming): registered, for our purposes.
std::optional<RegistrationStatus> status_of(int stat)
{
    if (stat >= 0 && stat <= 8)
        return static_cast<RegistrationStatus>(stat);
    if (stat == 9)
        return RegistrationStatus::Home;
    if (stat == 10)
        return RegistrationStatus::Roaming;
    return std::nullopt;
}

// 3GPP TS 27.007 §7.3 <AcT>; values past the table are a technology we do not know.
AccessTechnology technology_of(int act)
{
    if (act >= 0 && act <= 13)
        return static_cast<AccessTechnology>(act);
    return AccessTechnology::Unknown;
}

bool optional_hex(std::string_view field, std::optional<std::uint64_t>& out)
{
    auto text = unquote(field);
    if (text.empty()) {
        out.reset();
        return true;
    }
    out = to_hex(text);
    return out.has_value();
}

bool optional_technology(std::string_view field, std::optional<AccessTechnology>& out)
{
    std::optional<int> act;
    if (!optional_int(field, act))
        return false;
    if (act)
        out = technology_of(*act);
    return true;
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

} // namespace

Result<Registration> parse_registration(std::string_view line)
{
    line = trim(line);
    static constexpr std::array<std::string_view, 4> prefixes {
        "+CREG:", "+CGREG:", "+CEREG:", "+C5GREG:"};
    std::string_view rest;
    bool matched = false;
    for (auto prefix : prefixes) {
        if (starts_with_ignoring_case(line, prefix)) {
            rest = line.substr(prefix.size());
            matched = true;
            break;
        }
    }
    if (!matched)
        return not_found();
    auto fields = split_fields(rest);
    // Read form: <n>,<stat>[,<lac>,<ci>[,<AcT>[,...]]]; unsolicited:
    // <stat>[,<lac>,<ci>[,<AcT>...]]. Fields after <AcT> (RAC, cause type, reject cause, PSM
    // timers, NSSAI) are not used.
    bool read_form = fields.size() == 2 || (fields.size() >= 4 && second_field_is_stat(fields[1]));
    Registration registration;
    std::size_t index = 0;
    if (read_form) {
        registration.mode = to_int(fields[0]);
        if (!registration.mode)
            return parse_error();
        index = 1;
    }
    auto stat = to_int(fields[index]);
    if (!stat)
        return parse_error();
    auto status = status_of(*stat);
    if (!status)
        return parse_error();
    registration.status = *status;
    std::optional<std::uint64_t> area;
    if (fields.size() > index + 1 && !optional_hex(fields[index + 1], area))
        return parse_error();
    if (area && *area > 0xffffffffu)
        return parse_error();
    if (area)
        registration.area = static_cast<std::uint32_t>(*area);
    if (fields.size() > index + 2 && !optional_hex(fields[index + 2], registration.cell_id))
        return parse_error();
    if (fields.size() > index + 3
        && !optional_technology(fields[index + 3], registration.technology))
        return parse_error();
    return registration;
}

// 3GPP TS 27.007 §7.3: +COPS: <mode>[,<format>,<oper>[,<AcT>]]
Result<OperatorSelection> parse_cops_read(const std::vector<std::string>& lines)
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
        selection.name = std::string(unquote(fields[2]));
    if (fields.size() > 3 && !optional_technology(fields[3], selection.technology))
        return parse_error();
    return selection;
}

namespace {

// One "(...)" of AT+COPS=?: an operator when it reads (<stat>,"long","short","numeric"[,<AcT>]).
// The trailing "(0-4),(0-2)" lists of supported modes and formats are skipped.
std::optional<OperatorEntry> operator_entry(std::string_view tuple)
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
    entry.long_name = std::string(unquote(fields[1]));
    entry.short_name = std::string(unquote(fields[2]));
    entry.numeric = std::string(unquote(fields[3]));
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
Result<std::vector<OperatorEntry>> parse_cops_test(const std::vector<std::string>& lines)
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
        auto entry = operator_entry(std::string_view(text).substr(i + 1, end - i - 1));
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
