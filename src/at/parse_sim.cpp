// SIM parsers: AT+CPIN?, AT+QPINC?, the ICCID commands and AT+CIMI.
#include "at/at.hpp"
#include "at/parse_util.hpp"

#include <array>
#include <utility>

namespace uplink::at {

namespace {

// The first non-empty line with any "<prefix>:" removed, for commands whose reply is one value.
std::optional<std::string_view> first_value(
    const std::vector<std::string>& lines, std::initializer_list<std::string_view> prefixes)
{
    for (const auto& line : lines) {
        auto text = trim(line);
        if (text.empty())
            continue;
        for (auto prefix : prefixes)
            if (starts_with_ignoring_case(text, prefix))
                return trim(text.substr(prefix.size()));
        return text;
    }
    return std::nullopt;
}

bool is_pin_state_text(std::string_view text)
{
    if (text.empty())
        return false;
    for (char c : text) {
        bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == ' ' || c == '-' || c == '_';
        if (!allowed)
            return false;
    }
    return true;
}

// An ICCID as the SIM stores it (EF_ICCID) is BCD with swapped nibbles; some commands
// (Huawei ^ICCID on older firmware, AT+CRSM) return it that way: "98..." for "89...".
std::string unswap_nibbles(std::string_view text)
{
    std::string result(text);
    for (std::size_t i = 0; i + 1 < result.size(); i += 2)
        std::swap(result[i], result[i + 1]);
    return result;
}

} // namespace

// 3GPP TS 27.007 §8.3: +CPIN: <code>
Result<PinState> parse_cpin_read(const std::vector<std::string>& lines)
{
    auto value = first_value(lines, {"+CPIN:"});
    if (!value)
        return not_found();
    auto text = to_upper(unquote(*value));
    static constexpr std::array<std::pair<std::string_view, PinState>, 8> known {{
        {"READY", PinState::Ready},
        {"SIM PIN", PinState::SimPin},
        {"SIM PUK", PinState::SimPuk},
        {"SIM PIN2", PinState::SimPin2},
        {"SIM PUK2", PinState::SimPuk2},
        {"PH-SIM PIN", PinState::PhSimPin},
        {"PH-NET PIN", PinState::PhNetPin},
        {"PH-NET PUK", PinState::PhNetPuk},
    }};
    for (auto [name, state] : known)
        if (text == name)
            return state;
    // Other personalisation locks (PH-NETSUB PIN, PH-SP PIN, PH-CORP PIN, PH-FSIM PIN...) and
    // vendor states such as "NOT READY".
    if (is_pin_state_text(text))
        return PinState::Other;
    return parse_error();
}

// Quectel: +QPINC: "SC",<pin1 left>,<puk1 left> and +QPINC: "P2",<pin2 left>,<puk2 left>
Result<PinCounters> parse_qpinc_read(const std::vector<std::string>& lines)
{
    auto found = all_prefixed(lines, "+QPINC:");
    if (found.empty())
        return not_found();
    PinCounters counters;
    for (auto rest : found) {
        auto fields = split_fields(rest);
        if (fields.size() < 3)
            return parse_error();
        auto pin = to_int(fields[1]);
        auto puk = to_int(fields[2]);
        if (!pin || !puk || *pin < 0 || *puk < 0)
            return parse_error();
        auto facility = to_upper(unquote(fields[0]));
        if (facility == "SC") {
            counters.pin1 = pin;
            counters.puk1 = puk;
        } else if (facility == "P2") {
            counters.pin2 = pin;
            counters.puk2 = puk;
        }
    }
    return counters;
}

// ITU-T E.118: an ICCID is 18 to 20 digits starting with the telecom MII 89; some issuers
// use hex letters in the account part, and 19-digit ones are padded with F.
Result<std::string> parse_iccid(const std::vector<std::string>& lines)
{
    auto value
        = first_value(lines, {"+QCCID:", "+ICCID:", "^ICCID:", "+CCID:", "+CICCID:", "ICCID:"});
    if (!value)
        return not_found();
    // Sierra WP77xx answers "+CCID: <iccid>,<eid>"; the ICCID is the first field.
    auto text = to_upper(unquote(split_fields(*value).front()));
    if (text.starts_with("98"))
        text = unswap_nibbles(text);
    while (!text.empty() && text.back() == 'F')
        text.pop_back();
    if (text.size() < 18 || text.size() > 22 || !text.starts_with("89") || !is_hex_digits(text))
        return parse_error();
    return text;
}

// 3GPP TS 27.007 §7.4: the IMSI, bare (some firmware prefixes "+CIMI: ").
Result<std::string> parse_cimi(const std::vector<std::string>& lines)
{
    auto value = first_value(lines, {"+CIMI:"});
    if (!value)
        return not_found();
    auto text = unquote(*value);
    if (text.size() < 6 || text.size() > 15 || !is_decimal_digits(text))
        return parse_error();
    return std::string(text);
}

} // namespace uplink::at
