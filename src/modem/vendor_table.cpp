#include "modem/vendor_table.hpp"

#include "modem/names.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace uplink::modem {

namespace {

constexpr std::string_view iccid_quirk_prefix = "iccid-command=";
const std::set<std::string_view> known_quirks {"qeng", "qcainfo", "qrsrp", "qpinc", "qind", "qcfg-radio", "qnwprefcfg", "hilink"};

bool is_hex(std::string_view text, std::size_t length)
{
    return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c));
    });
}

std::string lower(std::string_view text)
{
    std::string result(text);
    for (auto& c : result)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

// "2=at" or "ff/06/12=at"; the error is a message for a diagnostic.
Result<PortMapping> parse_port(std::string_view spec, std::string& problem)
{
    auto equals = spec.find('=');
    if (equals == std::string_view::npos) {
        problem = "expected '<interface>=<role>'";
        return make_error_code(ConfigErrc::BadValue);
    }
    auto key = spec.substr(0, equals);
    auto role_text = spec.substr(equals + 1);
    PortMapping mapping;
    auto role = port_role_from_string(role_text);
    if (!role || *role == PortRole::Unknown) {
        problem = fmt::format("unknown role '{}'", role_text);
        return make_error_code(ConfigErrc::BadValue);
    }
    mapping.role = *role;
    if (key.size() == 8 && key[2] == '/' && key[5] == '/' && is_hex(key.substr(0, 2), 2)
        && is_hex(key.substr(3, 2), 2) && is_hex(key.substr(6, 2), 2)) {
        mapping.descriptor = lower(key);
        return mapping;
    }
    int number = -1;
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), number);
    if (ec != std::errc {} || end != key.data() + key.size() || number < 0 || number > 255) {
        problem
            = fmt::format("'{}' is neither an interface number nor class/subclass/protocol", key);
        return make_error_code(ConfigErrc::BadValue);
    }
    mapping.interface_number = number;
    return mapping;
}

// Checks one section beyond what the schema can say; adds diagnostics for each problem.
VendorEntry read_entry(
    const Config& config, const ConfigSection& section, std::vector<ConfigDiagnostic>& diagnostics)
{
    auto problem_at = [&](std::string message) {
        diagnostics.push_back({section.line, fmt::format("modem '{}': {}", section.name, message)});
    };
    VendorEntry entry;
    entry.id = section.name;
    entry.vendor_id = lower(config.get(section, "vendor_id"));
    entry.product_id = lower(config.get(section, "product_id"));
    entry.name = config.get(section, "name");
    entry.note = config.get(section, "note");
    if (entry.id.empty())
        problem_at("the section needs a name (config modem '<id>')");
    if (!is_hex(entry.vendor_id, 4))
        problem_at(fmt::format("vendor_id '{}' is not 4 hex digits", entry.vendor_id));
    if (!is_hex(entry.product_id, 4))
        problem_at(fmt::format("product_id '{}' is not 4 hex digits", entry.product_id));
    entry.protocol
        = protocol_from_string(config.get(section, "protocol")).value_or(Protocol::Unknown);

    if (auto ports = section.lists.find("port"); ports != section.lists.end()) {
        for (const auto& spec : ports->second) {
            std::string problem;
            if (auto mapping = parse_port(spec, problem))
                entry.ports.push_back(*mapping);
            else
                problem_at(fmt::format("port '{}': {}", spec, problem));
        }
    }
    if (auto quirks = section.lists.find("quirk"); quirks != section.lists.end()) {
        for (const auto& quirk : quirks->second) {
            if (quirk.starts_with(iccid_quirk_prefix) && quirk.size() > iccid_quirk_prefix.size())
                entry.iccid_command = quirk.substr(iccid_quirk_prefix.size());
            else if (known_quirks.contains(quirk))
                entry.quirks.push_back(quirk);
            else
                problem_at(fmt::format("unknown quirk '{}'", quirk));
        }
    }
    return entry;
}

} // namespace

bool VendorEntry::has_quirk(std::string_view quirk) const
{
    return std::find(quirks.begin(), quirks.end(), quirk) != quirks.end();
}

PortRole VendorEntry::role_of(int interface_number, std::string_view descriptor) const
{
    for (const auto& mapping : ports) {
        if (mapping.interface_number >= 0 && mapping.interface_number == interface_number)
            return mapping.role;
        if (!mapping.descriptor.empty() && mapping.descriptor == descriptor)
            return mapping.role;
    }
    return PortRole::Unknown;
}

const VendorEntry* VendorTable::find(std::string_view vendor_id, std::string_view product_id) const
{
    auto vendor = lower(vendor_id);
    auto product = lower(product_id);
    for (const auto& entry : entries)
        if (entry.vendor_id == vendor && entry.product_id == product)
            return &entry;
    return nullptr;
}

const Schema& vendor_schema()
{
    static const Schema schema = [] {
        auto option
            = [](std::string name, OptionType type, bool required, std::string description) {
                  OptionSchema schema;
                  schema.name = std::move(name);
                  schema.type = type;
                  schema.required = required;
                  schema.description = std::move(description);
                  return schema;
              };
        SectionSchema modem;
        modem.type = "modem";
        modem.options = {
            option("vendor_id", OptionType::String, true, "USB idVendor, 4 hex digits"),
            option("product_id", OptionType::String, true, "USB idProduct, 4 hex digits"),
            option("name", OptionType::String, true, "model name"),
            option("protocol", OptionType::Enum, true, "data path"),
            option("port", OptionType::List, false,
                "'<interface>=<role>' or '<class>/<subclass>/<protocol>=<role>'"),
            option("quirk", OptionType::List, false, "vendor commands and behaviours"),
            option("note", OptionType::String, false, "shown to the user"),
        };
        modem.options[3].choices = {"at", "qmi", "mbim", "ncm", "ecm"};
        return Schema {modem};
    }();
    return schema;
}

Result<VendorTable> parse_vendor_table(
    std::string_view text, std::vector<ConfigDiagnostic>& diagnostics)
{
    auto config = Config::parse(text, vendor_schema(), diagnostics);
    if (!config)
        return config.error();
    VendorTable table;
    std::set<std::string> ids;
    for (const auto* section : config->sections_of("modem")) {
        auto entry = read_entry(*config, *section, diagnostics);
        auto usb_id = entry.vendor_id + ":" + entry.product_id;
        if (!ids.insert(usb_id).second)
            diagnostics.push_back({section->line,
                fmt::format("modem '{}': {} is already in the table", section->name, usb_id)});
        table.entries.push_back(std::move(entry));
    }
    if (!diagnostics.empty())
        return make_error_code(ConfigErrc::BadValue);
    return table;
}

} // namespace uplink::modem
