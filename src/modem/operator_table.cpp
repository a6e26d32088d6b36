#include "modem/operator_table.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <optional>
#include <unordered_map>

namespace uplink::modem {

namespace {

constexpr std::string_view file_name = "operators.tsv";
constexpr std::size_t field_count = 6;
// 3GPP TS 23.003 §9.1: an APN is at most 100 octets.
constexpr std::size_t apn_maximum = 100;

bool all_digits(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The table is tab-separated lines, so a value can never hold a tab or a newline; a carriage
// return or other control character means the file was damaged or edited by hand.
bool has_control_character(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

std::vector<std::string_view> split_fields(std::string_view line)
{
    std::vector<std::string_view> fields;
    for (;;) {
        auto tab = line.find('\t');
        fields.push_back(line.substr(0, tab));
        if (tab == std::string_view::npos)
            return fields;
        line.remove_prefix(tab + 1);
    }
}

// The auth column uses the names to_string(Authentication) gives, as the config's `auth` does.
std::optional<Authentication> authentication_from_text(std::string_view text)
{
    for (auto authentication : {Authentication::None, Authentication::Pap, Authentication::Chap,
             Authentication::PapOrChap})
        if (to_string(authentication) == text)
            return authentication;
    return std::nullopt;
}

// One row, or an error with `problem` saying what is wrong with it (without the line number).
Result<OperatorApn> parse_row(std::string_view line, std::string& problem)
{
    auto fields = split_fields(line);
    if (fields.size() != field_count) {
        problem
            = fmt::format("expected {} tab-separated fields, found {}", field_count, fields.size());
        return make_error_code(ConfigErrc::Syntax);
    }
    for (auto field : fields) {
        if (has_control_character(field)) {
            problem = "a field holds a control character";
            return make_error_code(ConfigErrc::BadValue);
        }
    }
    auto [mcc_mnc, apn, authentication_text, username, password, operator_name]
        = std::array {fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]};

    // 3GPP TS 23.003 §2.2: a 3-digit MCC, then a 2- or 3-digit MNC.
    if (!all_digits(mcc_mnc) || mcc_mnc.size() < 5 || mcc_mnc.size() > 6) {
        problem = fmt::format("'{}' is not an MCC-MNC (3 digits, then 2 or 3)", mcc_mnc);
        return make_error_code(ConfigErrc::BadValue);
    }
    if (apn.empty() || apn.size() > apn_maximum || apn.find(' ') != std::string_view::npos) {
        problem
            = fmt::format("APN '{}' is not 1 to {} characters without spaces", apn, apn_maximum);
        return make_error_code(ConfigErrc::BadValue);
    }
    auto authentication = authentication_from_text(authentication_text);
    if (!authentication) {
        problem
            = fmt::format("auth '{}' is not one of none, pap, chap, pap-chap", authentication_text);
        return make_error_code(ConfigErrc::BadValue);
    }
    if (operator_name.empty()) {
        problem = "the operator name is empty";
        return make_error_code(ConfigErrc::BadValue);
    }
    OperatorApn row;
    row.mcc_mnc = mcc_mnc;
    row.operator_name = operator_name;
    row.apn = apn;
    row.username = username;
    row.password = password;
    row.authentication = *authentication;
    return row;
}

} // namespace

Result<OperatorTable> OperatorTable::parse(std::string_view text, std::string* problem)
{
    auto reject = [&](int line, Error error, std::string_view reason) -> Result<OperatorTable> {
        if (problem)
            *problem = fmt::format("{}:{}: {}", file_name, line, reason);
        return error;
    };
    OperatorTable table;
    // Keys point into `text`, which outlives this call.
    std::unordered_map<std::string_view, int> line_of;
    int number = 0;
    while (!text.empty()) {
        auto newline = text.find('\n');
        auto line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        ++number;
        if (line.empty() || line.front() == '#')
            continue;

        std::string reason;
        auto row = parse_row(line, reason);
        if (!row)
            return reject(number, row.error(), reason);
        auto key = line.substr(0, row->mcc_mnc.size());
        if (auto [earlier, inserted] = line_of.try_emplace(key, number); !inserted)
            return reject(number, make_error_code(ConfigErrc::Duplicate),
                fmt::format("{} is already on line {}", key, earlier->second));
        row->line = number;
        table.rows_.push_back(std::move(*row));
    }
    std::sort(table.rows_.begin(), table.rows_.end(),
        [](const OperatorApn& left, const OperatorApn& right) {
            return left.mcc_mnc < right.mcc_mnc;
        });
    return table;
}

const OperatorApn* OperatorTable::find(std::string_view mcc_mnc) const
{
    auto found = std::lower_bound(rows_.begin(), rows_.end(), mcc_mnc,
        [](const OperatorApn& row, std::string_view key) { return row.mcc_mnc < key; });
    if (found == rows_.end() || found->mcc_mnc != mcc_mnc)
        return nullptr;
    return &*found;
}

const OperatorTable& embedded_operator_table()
{
    static const OperatorTable table = [] {
        std::string problem;
        auto parsed = OperatorTable::parse(embedded_operator_text(), &problem);
        assert(parsed && "operators.tsv does not parse; operator_table_test says why");
        return parsed ? std::move(*parsed) : OperatorTable {};
    }();
    return table;
}

} // namespace uplink::modem
