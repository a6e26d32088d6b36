#include "cli/format.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace uplink::cli {

namespace json = boost::json;

const json::value& field(const json::value& object, std::string_view key)
{
    static const json::value none;
    if (const auto* fields = object.if_object())
        if (const auto* found = fields->if_contains(key))
            return *found;
    return none;
}

std::string text(const json::value& object, std::string_view key)
{
    const auto& value = field(object, key);
    if (const auto* string = value.if_string())
        return std::string(string->data(), string->size());
    return "";
}

namespace {

std::optional<std::int64_t> number(const json::value& object, std::string_view key)
{
    const auto& value = field(object, key);
    if (const auto* integer = value.if_int64())
        return *integer;
    if (const auto* unsigned_integer = value.if_uint64())
        return static_cast<std::int64_t>(*unsigned_integer);
    if (const auto* real = value.if_double())
        return static_cast<std::int64_t>(*real);
    return std::nullopt;
}

const json::array& array(const json::value& value)
{
    static const json::array none;
    if (const auto* items = value.if_array())
        return *items;
    return none;
}

// The strings of a JSON array, skipping anything else.
std::vector<std::string> strings(const json::value& value)
{
    std::vector<std::string> result;
    for (const auto& item : array(value))
        if (const auto* string = item.if_string())
            result.emplace_back(*string);
    return result;
}

// "-95 dBm", or "" when the value is absent.
std::string measure(const json::value& object, std::string_view key, std::string_view unit)
{
    auto value = number(object, key);
    return value ? fmt::format("{} {}", *value, unit) : "";
}

// "1300", or "" when the value is absent.
std::string plain(const json::value& object, std::string_view key)
{
    auto value = number(object, key);
    return value ? std::to_string(*value) : "";
}

// One "  Label         value" line of a section; nothing when the value is unknown. One label
// column for every section, so the values line up down the page.
void add_row(std::string& out, std::string_view label, const std::string& value)
{
    if (!value.empty())
        out += fmt::format("  {:<14}{}\n", label, value);
}

std::string labelled(std::string_view label, const std::string& value)
{
    return value.empty() ? "" : fmt::format("{} {}", label, value);
}

// Cells joined by two spaces; each column padded to its widest cell, a row's last cell never
// padded (so one long message does not push every other row's columns out).
std::string table(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> widths;
    for (const auto& row : rows)
        for (std::size_t column = 0; column + 1 < row.size(); ++column) {
            if (widths.size() <= column)
                widths.resize(column + 1, 0);
            widths[column] = std::max(widths[column], row[column].size());
        }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t column = 0; column < row.size(); ++column) {
            if (column + 1 < row.size())
                line += fmt::format("{:<{}}  ", row[column], widths[column]);
            else
                line += row[column];
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + '\n';
    }
    return out;
}

std::string modem_name(const json::value& modem)
{
    auto manufacturer = text(modem, "manufacturer");
    auto model = text(modem, "model");
    if (manufacturer.empty() && model.empty())
        return "(unidentified)";
    if (manufacturer.empty() || model.empty())
        return manufacturer + model;
    return manufacturer + " " + model;
}

// One modem at a glance: where it is, what it is, how it is, and the two numbers that matter.
// "1.2 MB": decimal units, as data plans count them.
std::string byte_count(std::int64_t bytes)
{
    if (bytes < 1000)
        return fmt::format("{} B", bytes);
    if (bytes < 1'000'000)
        return fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3);
    if (bytes < 1'000'000'000)
        return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
    return fmt::format("{:.2f} GB", static_cast<double>(bytes) / 1e9);
}

std::vector<std::string> summary_cells(const json::value& modem)
{
    std::vector<std::string> cells{text(modem, "id"), modem_name(modem), text(modem, "state")};
    auto operator_name = text(modem, "operator_name");
    if (text(modem, "state") == "registered" || !operator_name.empty()) {
        cells.push_back(operator_name.empty() ? "-" : operator_name);
        cells.push_back(format_technology(text(modem, "technology")));
        cells.push_back(labelled("RSRP", measure(modem, "rsrp_dbm", "dBm")));
        cells.push_back(labelled("SINR", measure(modem, "sinr_db", "dB")));
        auto connection = text(modem, "connection");
        if (connection == "connected")
            cells.push_back("online " + text(modem, "address"));
        else if (connection == "connecting" || connection == "disconnecting")
            cells.push_back(connection);
        while (!cells.empty() && cells.back().empty())
            cells.pop_back();
    } else if (auto message = text(modem, "message"); !message.empty()) {
        cells.push_back(message);
    }
    return cells;
}

// 3GPP TS 36.101 Table 5.6-1: resource blocks per channel bandwidth.
std::string bandwidth(std::int64_t resource_blocks)
{
    switch (resource_blocks) {
    case 6: return "1.4 MHz";
    case 15: return "3 MHz";
    case 25: return "5 MHz";
    case 50: return "10 MHz";
    case 75: return "15 MHz";
    case 100: return "20 MHz";
    default: return resource_blocks > 0 ? fmt::format("{} RB", resource_blocks) : "";
    }
}

// Rough quality words for LTE, as operators' and router vendors' guides give them.
std::string rsrp_quality(std::int64_t rsrp)
{
    if (rsrp >= -80)
        return "excellent";
    if (rsrp >= -90)
        return "good";
    if (rsrp >= -100)
        return "fair";
    return "poor";
}

std::string sinr_quality(std::int64_t sinr)
{
    if (sinr >= 20)
        return "excellent";
    if (sinr >= 13)
        return "good";
    if (sinr >= 0)
        return "fair";
    return "poor";
}

// [3, 20] -> "3 20"; an empty list is no lock: "all".
std::string band_list(const json::value& bands)
{
    std::vector<std::string> numbers;
    for (const auto& band : array(bands))
        numbers.push_back(json::serialize(band));
    return numbers.empty() ? std::string("all") : fmt::format("{}", fmt::join(numbers, " "));
}

std::string join_nonempty(const std::vector<std::string>& parts, std::string_view separator)
{
    std::string joined;
    for (const auto& part : parts) {
        if (part.empty())
            continue;
        if (!joined.empty())
            joined += separator;
        joined += part;
    }
    return joined;
}

std::string signal_lines(const json::value& signal, std::string_view indent)
{
    std::string out;
    auto rsrp = number(signal, "rsrp_dbm");
    auto sinr = number(signal, "sinr_db");
    auto levels = join_nonempty({labelled("RSSI", measure(signal, "rssi_dbm", "dBm")),
                                 rsrp ? fmt::format("RSRP {} dBm ({})", *rsrp, rsrp_quality(*rsrp)) : "",
                                 labelled("RSRQ", measure(signal, "rsrq_db", "dB")),
                                 sinr ? fmt::format("SINR {} dB ({})", *sinr, sinr_quality(*sinr)) : ""},
                                "   ");
    out += fmt::format("{}{}\n", indent, levels.empty() ? "no signal measured yet" : levels);
    std::string age;
    if (auto milliseconds = number(signal, "age_ms"))
        age = fmt::format("measured {:.1f} s ago", static_cast<double>(*milliseconds) / 1000.0);
    auto cell = join_nonempty({labelled("Band", plain(signal, "band")), labelled("EARFCN", plain(signal, "earfcn")),
                               labelled("PCI", plain(signal, "pci")), age},
                              "   ");
    if (!cell.empty())
        out += fmt::format("{}{}\n", indent, cell);
    std::vector<std::string> antennas;
    for (const auto& antenna : array(field(signal, "antennas")))
        antennas.push_back(fmt::format("{} {}", text(antenna, "chain"), measure(antenna, "rsrp_dbm", "dBm")));
    if (!antennas.empty())
        out += fmt::format("{}RSRP per antenna: {}\n", indent, fmt::join(antennas, "   "));
    const auto& carriers = array(field(signal, "carriers"));
    if (!carriers.empty()) {
        out += fmt::format("{}{}\n", indent, carriers.size() > 1 ? "Carriers (aggregated):" : "Carrier:");
        std::vector<std::vector<std::string>> rows;
        for (const auto& carrier : carriers) {
            const auto* primary = field(carrier, "primary").if_bool();
            std::vector<std::string> row{
                fmt::format("{}  {}", indent, primary && *primary ? "primary" : "secondary"),
                text(carrier, "band"),
                labelled("EARFCN", plain(carrier, "earfcn")),
                bandwidth(number(carrier, "bandwidth_rb").value_or(0)),
                labelled("PCI", plain(carrier, "pci")),
                labelled("RSRP", measure(carrier, "rsrp_dbm", "dBm")),
                labelled("RSRQ", measure(carrier, "rsrq_db", "dB")),
                labelled("SINR", measure(carrier, "sinr_db", "dB")),
            };
            while (!row.empty() && row.back().empty())
                row.pop_back();
            rows.push_back(std::move(row));
        }
        out += table(rows);
    }
    return out;
}

} // namespace

std::string format_technology(std::string_view technology)
{
    if (technology == "lte")
        return "LTE";
    if (technology == "5g-nsa")
        return "5G NSA";
    if (technology == "5g-sa")
        return "5G SA";
    if (technology == "umts")
        return "3G";
    if (technology == "gsm")
        return "2G";
    if (technology == "unknown")
        return "";
    return std::string(technology);
}

std::string format_uptime(std::int64_t seconds)
{
    if (seconds < 60)
        return fmt::format("{}s", std::max<std::int64_t>(seconds, 0));
    if (seconds < 3600)
        return fmt::format("{}m {}s", seconds / 60, seconds % 60);
    if (seconds < 86400)
        return fmt::format("{}h {}m", seconds / 3600, seconds % 3600 / 60);
    return fmt::format("{}d {}h", seconds / 86400, seconds % 86400 / 3600);
}

std::string format_status(const json::value& body)
{
    const auto& modems = array(field(body, "modems"));
    std::string out = fmt::format("uplinkd {}, up {}, {} modem{}\n", text(body, "version"),
                                  format_uptime(number(body, "uptime_s").value_or(0)), modems.size(),
                                  modems.size() == 1 ? "" : "s");
    if (modems.empty())
        return out + "no modem found yet: plug one in, then `uplink events` shows what happens\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& modem : modems)
        rows.push_back(summary_cells(modem));
    return out + table(rows);
}

std::string format_modems(const json::value& body)
{
    const auto& modems = array(body);
    if (modems.empty())
        return "no modem found yet: plug one in, then `uplink events` shows what happens\n";
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"#", "ID", "MODEM", "STATE", "OPERATOR", "TECH", "RSRP", "SINR"});
    std::size_t index = 1;
    for (const auto& modem : modems) {
        std::vector<std::string> row{std::to_string(index++), text(modem, "id"), modem_name(modem),
                                     text(modem, "state")};
        auto operator_name = text(modem, "operator_name");
        row.push_back(operator_name.empty() ? "-" : operator_name);
        auto technology = format_technology(text(modem, "technology"));
        row.push_back(technology.empty() ? "-" : technology);
        auto rsrp = measure(modem, "rsrp_dbm", "dBm");
        row.push_back(rsrp.empty() ? "-" : rsrp);
        auto sinr = measure(modem, "sinr_db", "dB");
        row.push_back(sinr.empty() ? "-" : sinr);
        rows.push_back(std::move(row));
    }
    return table(rows);
}

std::string format_modem(const json::value& body)
{
    const auto& identity = field(body, "identity");
    const auto& sim = field(body, "sim");
    const auto& registration = field(body, "registration");
    auto wan = text(body, "wan");
    std::string out = fmt::format("Modem {}{}: {}\n", text(body, "id"), wan.empty() ? "" : " (" + wan + ")",
        modem_name(identity));
    auto row = [&out](std::string_view label, const std::string& value) { add_row(out, label, value); };

    auto state = text(body, "state");
    if (auto reason = text(body, "failed_reason"); !reason.empty())
        state += " (" + reason + ")";
    row("State", state);
    row("Message", text(body, "message"));
    row("Revision", text(identity, "revision"));
    row("IMEI", text(identity, "imei"));

    out += "SIM\n";
    row("State", text(sim, "state"));
    row("ICCID", text(sim, "iccid"));
    row("IMSI", text(sim, "imsi"));
    row("Home network", text(sim, "operator_id"));
    auto pin_retries = number(sim, "pin_retries");
    auto puk_retries = number(sim, "puk_retries");
    const auto& pin_enabled = field(sim, "pin_enabled");
    if (pin_enabled.is_bool())
        row("PIN", pin_enabled.as_bool() ? "asked at power-on" : "off");
    row("Tries left", join_nonempty({pin_retries ? fmt::format("PIN {}", *pin_retries) : "",
                                     puk_retries ? fmt::format("PUK {}", *puk_retries) : ""},
                                    ", "));

    out += "Registration\n";
    row("State", text(registration, "state"));
    row("Technology", format_technology(text(registration, "technology")));
    auto operator_id = text(registration, "operator_id");
    auto operator_name = text(registration, "operator_name");
    row("Operator", operator_id.empty() || operator_name.empty()
                        ? operator_name + operator_id
                        : fmt::format("{} ({})", operator_name, operator_id));
    if (auto tac = number(registration, "tac"))
        row("TAC", fmt::format("{} (hex {})", *tac, text(registration, "tac_hex")));
    if (auto cell = number(registration, "cell_id"))
        row("Cell", fmt::format("{} (hex {})", *cell, text(registration, "cell_id_hex")));

    out += "Signal\n";
    out += signal_lines(field(body, "signal"), "  ");

    const auto& settings = field(body, "settings");
    if (auto profile = text(settings, "profile"); !profile.empty()) {
        out += "Settings\n";
        auto rule = text(settings, "rule");
        row("Profile", fmt::format("{} ({}{})", profile, rule.empty() ? "" : "rule " + rule + ": ",
                           text(settings, "reason")));
        const auto& wanted = field(settings, "connection");
        auto apn = text(wanted, "apn");
        auto source = text(settings, "apn_source");
        row("APN", source == "operator-table" ? fmt::format("{} (operator table: {})", apn, text(settings, "apn_entry"))
                   : source == "network"      ? std::string("the network's default")
                                              : apn);
        row("IP family", text(wanted, "ip_family"));
        row("Route metric", plain(wanted, "metric"));
    }

    const auto& radio = field(body, "radio");
    if (auto selection = text(radio, "selection"); !selection.empty()) {
        out += "Radio\n";
        auto rat = text(radio, "rat");
        row("RAT", rat.empty() ? "(not controlled on this model)" : rat);
        const auto& bands = field(radio, "lte_bands");
        row("LTE bands", bands.is_array() ? band_list(bands) : "(not controlled on this model)");
        // Only 5G modems have the NR rows.
        if (const auto& nr = field(radio, "nr_bands"); nr.is_array())
            row("5G NR bands", band_list(nr));
        if (const auto& nsa = field(radio, "nsa_nr_bands"); nsa.is_array())
            row("5G NSA bands", band_list(nsa));
        row("Operator", selection == "manual" ? fmt::format("{} (chosen by hand)", text(radio, "operator")) : selection);
        row("Problem", text(radio, "error"));
    }

    const auto& connection = field(body, "connection");
    if (auto interface = text(connection, "interface"); !interface.empty()) {
        out += "Connection\n";
        auto state = text(connection, "state");
        if (auto uptime = number(connection, "uptime_s"))
            state += fmt::format(" for {}", format_uptime(*uptime));
        row("State", state);
        row("Interface", interface);
        for (const auto* family : {"ipv4", "ipv6"}) {
            const auto& ip = field(connection, family);
            auto address = text(ip, "address");
            if (address.empty())
                continue;
            row(family == std::string_view("ipv4") ? "IPv4" : "IPv6",
                fmt::format("{}/{}", address, number(ip, "prefix_length").value_or(0)));
            row("  gateway", text(ip, "gateway"));
            std::vector<std::string> dns;
            for (const auto& server : array(field(ip, "dns")))
                if (server.is_string())
                    dns.emplace_back(server.as_string());
            row("  DNS", fmt::format("{}", fmt::join(dns, ", ")));
        }
        row("MTU", plain(connection, "mtu"));
        auto received = number(connection, "received_bytes");
        auto sent = number(connection, "sent_bytes");
        if (received && sent)
            row("Traffic", fmt::format("{} received, {} sent", byte_count(*received), byte_count(*sent)));
        row("Last error", text(connection, "last_error"));
    }

    return out + format_device(field(body, "device"));
}

std::string format_device(const json::value& device)
{
    std::string out = "Device\n";
    auto row = [&out](std::string_view label, const std::string& value) { add_row(out, label, value); };
    row("USB path", text(device, "usb_path"));
    auto vendor_id = text(device, "vendor_id");
    if (!vendor_id.empty())
        row("USB id", fmt::format("{}:{}", vendor_id, text(device, "product_id")));
    auto entry = text(device, "vendor_entry");
    row("Known as", entry.empty() ? "(not in the vendor table; probed)" : entry);
    row("Protocol", text(device, "protocol"));
    row("Sysfs", text(device, "sysfs_path"));
    const auto& ports = array(field(device, "ports"));
    if (!ports.empty()) {
        out += "  Ports\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& port : ports) {
            auto interface = number(port, "interface");
            rows.push_back({"    " + text(port, "name"), text(port, "role"), text(port, "device_path"),
                            interface ? fmt::format("interface {}", *interface) : "-", text(port, "driver")});
        }
        out += table(rows);
    }
    return out;
}

std::string format_signal(const json::value& body) { return signal_lines(body, ""); }

std::string format_connection_request(const json::value& body)
{
    auto requested = text(body, "requested");
    return fmt::format("{}: {} requested (connection now {}); `uplink modem {}` or `uplink events` shows the rest\n",
        text(body, "modem_id"), requested, text(field(body, "connection"), "state"), text(body, "modem_id"));
}

std::string format_networks(const json::value& body)
{
    const auto& networks = array(field(body, "networks"));
    if (networks.empty())
        return fmt::format("{}: no network in reach\n", text(body, "modem_id"));
    std::vector<std::vector<std::string>> rows {{"MCC-MNC", "NAME", "SHORT", "TECHNOLOGY", "STATUS"}};
    for (const auto& network : networks)
        rows.push_back({text(network, "mcc_mnc"), text(network, "long_name"), text(network, "short_name"),
            format_technology(text(network, "technology")), text(network, "status")});
    return table(rows) + "Choose one by hand with `uplink profile set <profile> operator=<MCC-MNC>` (operator=auto undoes it)\n";
}

namespace {

std::string scope_list(const json::value& token)
{
    std::string scopes;
    for (const auto& scope : strings(field(token, "scopes")))
        scopes += (scopes.empty() ? "" : ",") + scope;
    return scopes.empty() ? "-" : scopes;
}

} // namespace

std::string format_tokens(const json::value& body)
{
    const auto& tokens = array(field(body, "tokens"));
    if (tokens.empty())
        return "no API tokens: `uplink token create NAME` makes one\n";
    std::vector<std::vector<std::string>> rows {{"NAME", "CREATED", "LAST USED", "SCOPES"}};
    for (const auto& token : tokens) {
        auto last_used = text(token, "last_used");
        rows.push_back({text(token, "name"), text(token, "created"), last_used.empty() ? "never" : last_used,
            scope_list(token)});
    }
    return table(rows);
}

// One line per WAN, then its last transition: what a person checks after a failover.
std::string format_wans(const json::value& body)
{
    const auto& wans = array(body);
    if (wans.empty())
        return "no WANs configured: docs/failover.md says how (config wan, config policy)\n";
    std::vector<std::vector<std::string>> rows {{"WAN", "INTERFACE", "STATE", "RTT", "LOSS", "SINCE", "WHY"}};
    for (const auto& wan : wans) {
        const auto& loss = field(wan, "loss");
        auto interface = text(wan, "interface");
        auto since = text(wan, "since");
        rows.push_back({text(wan, "name"), interface.empty() ? "-" : interface, text(wan, "state"),
            measure(wan, "rtt_ms", "ms"), loss.is_double() ? fmt::format("{:.0f} %", loss.as_double() * 100) : "",
            since.empty() ? "-" : since, text(wan, "reason")});
    }
    return table(rows);
}

// The token is in this reply alone: uplinkd keeps only its SHA-256.
std::string format_token_made(const json::value& body)
{
    return fmt::format("API token '{}' (scopes: {}):\n{}\nThis is the only time it is shown: copy it now. Scripts "
                       "send it as `Authorization: Bearer <token>`.\n",
        text(body, "name"), scope_list(body), text(body, "token"));
}

std::string format_token_revoked(const json::value& body)
{
    return fmt::format("API token '{}' revoked: it no longer works\n", text(body, "name"));
}

std::string format_profiles(const json::value& body)
{
    std::string out = fmt::format("Default profile: {}\n", text(body, "default_profile"));
    std::vector<std::vector<std::string>> rows {{"PROFILE", "APN", "AUTH", "IP", "PIN", "MTU", "METRIC", "RADIO"}};
    for (const auto& profile : array(field(body, "profiles"))) {
        auto apn = text(profile, "apn");
        const auto& radio = field(profile, "radio");
        auto network = text(radio, "operator");
        auto nr_bands = band_list(field(radio, "nr_bands"));
        auto radio_text = fmt::format("{}, bands {}{}, operator {}", text(radio, "rat"), band_list(field(radio, "lte_bands")),
            nr_bands == "all" ? "" : fmt::format(", 5G bands {}", nr_bands), network.empty() ? "auto" : network);
        rows.push_back({text(profile, "name"), apn.empty() ? "(operator table)" : apn, text(profile, "auth"),
            text(profile, "ip_family"), field(profile, "pin_set").is_bool() && field(profile, "pin_set").as_bool() ? "set" : "-",
            plain(profile, "mtu").empty() ? "network" : plain(profile, "mtu"),
            plain(profile, "metric").empty() ? "by WAN" : plain(profile, "metric"), radio_text});
    }
    out += table(rows);
    const auto& rules = array(field(body, "rules"));
    if (rules.empty())
        return out + "No SIM rules: every SIM uses the default profile\n";
    out += "SIM rules, first match wins:\n";
    std::vector<std::vector<std::string>> rule_rows {{"RULE", "PROFILE", "MATCHES"}};
    for (const auto& rule : rules) {
        std::vector<std::string> criteria;
        for (const auto* key : {"iccid", "imsi", "mcc_mnc", "imei", "model"})
            if (auto value = text(rule, key); !value.empty())
                criteria.push_back(fmt::format("{}={}", key, value));
        rule_rows.push_back({text(rule, "name"), text(rule, "profile"),
            criteria.empty() ? "any SIM" : fmt::format("{}", fmt::join(criteria, " "))});
    }
    return out + table(rule_rows);
}

std::string format_pin_outcome(const json::value& body)
{
    return text(body, "message") + '\n';
}

std::string format_config_change(const json::value& body)
{
    auto applied = field(body, "applied").is_bool() && field(body, "applied").as_bool();
    std::string out = applied ? "Saved and applied.\n" : "Preview: nothing changed yet.\n";
    for (const auto& change : array(field(body, "changes"))) {
        auto differences = strings(field(change, "differences"));
        out += fmt::format("  {} ({}): {}{}\n", text(change, "wan"), text(change, "modem_id"),
            text(change, "action") == "none" ? "no action" : text(change, "action"),
            differences.empty() ? "" : fmt::format(" — {}", fmt::join(differences, ", ")));
    }
    if (array(field(body, "changes")).empty())
        out += "  no modem is affected\n";
    // A restore of the whole file (POST /v1/config) says which settings differ, and which of them
    // wait for a restart.
    if (auto changed = strings(field(body, "changed")); !changed.empty())
        out += fmt::format("  settings that differ: {}\n", fmt::join(changed, ", "));
    if (auto pending = strings(field(body, "restart_required")); !pending.empty())
        out += fmt::format("  {} {} only when uplinkd restarts\n", fmt::join(pending, ", "),
            applied ? "take effect" : "would take effect");
    return out;
}

std::string format_at_reply(const json::value& body)
{
    std::string out;
    for (const auto& line : array(field(body, "lines")))
        if (const auto* string = line.if_string())
            out += std::string(string->data(), string->size()) + '\n';
    auto final = text(body, "final");
    auto error = text(body, "error");
    if (!error.empty() && error != final)
        out += fmt::format("{}  ({})\n", final, error);
    else
        out += final + '\n';
    return out;
}

std::string format_event(const json::value& event)
{
    // A modem's event names the modem; a WAN's (wan-changed) the WAN.
    auto subject = text(event, "modem_id");
    if (subject.empty())
        subject = text(event, "wan");
    std::vector<std::string> cells{text(event, "time"), subject, text(event, "kind"), text(event, "message")};
    return join_nonempty(cells, "  ") + '\n';
}

std::string format_events(const json::value& body)
{
    std::string out;
    for (const auto& event : array(body))
        out += format_event(event);
    if (out.empty())
        out = "no events yet\n";
    return out;
}

std::string format_dialogue(const json::value& body)
{
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : array(body))
        rows.push_back({text(line, "time"), text(line, "port"), text(line, "direction"), text(line, "text")});
    return rows.empty() ? "no dialogue yet\n" : table(rows);
}

namespace {

void append_json(std::string& out, const json::value& value, std::size_t depth)
{
    auto new_line = [&out](std::size_t indent) {
        out += '\n';
        out.append(2 * indent, ' ');
    };
    if (const auto* object = value.if_object(); object && !object->empty()) {
        out += '{';
        for (auto member = object->begin(); member != object->end(); ++member) {
            if (member != object->begin())
                out += ',';
            new_line(depth + 1);
            out += json::serialize(json::value(member->key())) + ": ";
            append_json(out, member->value(), depth + 1);
        }
        new_line(depth);
        out += '}';
    } else if (const auto* items = value.if_array(); items && !items->empty()) {
        out += '[';
        for (auto item = items->begin(); item != items->end(); ++item) {
            if (item != items->begin())
                out += ',';
            new_line(depth + 1);
            append_json(out, *item, depth + 1);
        }
        new_line(depth);
        out += ']';
    } else {
        out += json::serialize(value);
    }
}

} // namespace

std::string format_json(const json::value& value)
{
    std::string out;
    append_json(out, value, 0);
    return out + '\n';
}

} // namespace uplink::cli
