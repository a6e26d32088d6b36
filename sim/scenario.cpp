#include "sim/scenario.hpp"

#include "sim/json_fields.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/stream_parser.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace uplink::sim {

namespace json = boost::json;

namespace {

bool all_digits(std::string_view text)
{
    return !text.empty()
        && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool all_hex(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

bool valid_id(std::string_view text)
{
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || c == '-' || c == '_';
    });
}

// "1-1", "1-1.4", "2-3.1.2": bus, then port numbers.
bool valid_usb_path(std::string_view text, int busnum)
{
    auto dash = text.find('-');
    if (dash == std::string_view::npos || text.substr(0, dash) != std::to_string(busnum))
        return false;
    auto ports = text.substr(dash + 1);
    if (ports.empty() || ports.front() == '.' || ports.back() == '.'
        || ports.find("..") != std::string_view::npos)
        return false;
    return std::all_of(
        ports.begin(), ports.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

std::optional<int> read_int(Fields& fields, std::string_view key, int minimum, int maximum)
{
    auto value = fields.integer(key, minimum, maximum);
    return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

std::optional<int> read_bandwidth(Fields& fields, std::string_view key)
{
    auto value = read_int(fields, key, 1, 20);
    if (value && *value != 1 && *value != 3 && *value != 5 && *value != 10 && *value != 15
        && *value != 20) {
        fields.fail(key, "expected one of 1 (1.4 MHz), 3, 5, 10, 15, 20");
        return std::nullopt;
    }
    return value;
}

// Signal limits: 3GPP TS 36.133 reporting ranges, rounded to whole dB.
struct SignalFields {
    std::optional<int> rsrp, rsrq, rssi, sinr;
};

SignalFields read_signal(Fields& fields)
{
    return {read_int(fields, "rsrp", -140, -44), read_int(fields, "rsrq", -20, -3),
        read_int(fields, "rssi", -120, -20), read_int(fields, "sinr", -20, 30)};
}

std::optional<Carrier> read_carrier(
    const json::object& object, const std::string& where, std::string& message)
{
    Fields fields(object, where, message);
    Carrier carrier;
    fields.require("band");
    fields.require("earfcn");
    carrier.band = read_int(fields, "band", 1, 255).value_or(carrier.band);
    carrier.earfcn = read_int(fields, "earfcn", 0, 262143).value_or(carrier.earfcn);
    carrier.pci = read_int(fields, "pci", 0, 503).value_or(carrier.pci);
    carrier.bandwidth_mhz = read_bandwidth(fields, "bandwidth_mhz").value_or(carrier.bandwidth_mhz);
    auto signal = read_signal(fields);
    carrier.rsrp = signal.rsrp.value_or(carrier.rsrp);
    carrier.rsrq = signal.rsrq.value_or(carrier.rsrq);
    carrier.rssi = signal.rssi.value_or(carrier.rssi);
    carrier.sinr = signal.sinr.value_or(carrier.sinr);
    if (!fields.finish())
        return std::nullopt;
    return carrier;
}

void read_radio_fields(Fields& fields, RadioPatch& patch, std::string& message)
{
    patch.available = fields.boolean("available");
    patch.band = read_int(fields, "band", 1, 255);
    patch.earfcn = read_int(fields, "earfcn", 0, 262143);
    patch.pci = read_int(fields, "pci", 0, 503);
    patch.bandwidth_mhz = read_bandwidth(fields, "bandwidth_mhz");
    auto signal = read_signal(fields);
    patch.rsrp = signal.rsrp;
    patch.rsrq = signal.rsrq;
    patch.rssi = signal.rssi;
    patch.sinr = signal.sinr;
    patch.srxlev = read_int(fields, "srxlev", -100, 200);
    patch.cell_id = fields.hex_or_integer("cell_id", 0xFFFFFFF);
    patch.tac = fields.hex_or_integer("tac", 0xFFFF);
    if (auto plmn = fields.string("operator")) {
        if (plmn->size() < 5 || plmn->size() > 6 || !all_digits(*plmn))
            fields.fail("operator", "expected MCC+MNC, 5 or 6 digits");
        patch.operator_plmn = plmn;
    }
    if (const auto* secondary = fields.value("secondary")) {
        if (secondary->is_null())
            patch.secondary = std::optional<Carrier> {};
        else if (!secondary->is_object())
            fields.fail("secondary", "expected an object or null");
        else if (auto carrier
            = read_carrier(secondary->get_object(), fields.path("secondary"), message))
            patch.secondary = carrier;
    }
}

std::optional<Radio> read_radio(
    const json::object& object, const std::string& where, std::string& message)
{
    Fields fields(object, where, message);
    Radio radio;
    if (auto technology = fields.string("technology"); technology && *technology != "LTE")
        fields.fail("technology", "only \"LTE\" is emulated");
    radio.diversity_offset_db = read_int(fields, "diversity_offset_db", -40, 40).value_or(-3);
    RadioPatch patch;
    read_radio_fields(fields, patch, message);
    if (!fields.finish())
        return std::nullopt;
    patch.apply_to(radio);
    return radio;
}

std::optional<TimelineEntry> read_timeline_entry(
    const json::value& value, const std::string& where, std::string& message)
{
    if (!value.is_object()) {
        message = where + ": expected an object";
        return std::nullopt;
    }
    Fields fields(value.get_object(), where, message);
    TimelineEntry entry;
    fields.require("after_ms");
    fields.require("set");
    entry.after = Duration(fields.integer("after_ms", 0, 86'400'000).value_or(0));
    if (const auto* set = fields.object("set")) {
        auto patch = parse_radio_patch(*set, fields.path("set"), message);
        if (patch && patch->empty())
            fields.fail("set", "changes nothing");
        if (patch)
            entry.set = *patch;
    }
    if (!fields.finish())
        return std::nullopt;
    return entry;
}

void read_timings(Fields& parent, Timings& timings, std::string& message)
{
    const auto* object = parent.object("timings");
    if (object == nullptr)
        return;
    Fields fields(*object, parent.path("timings"), message);
    auto read = [&](std::string_view key, Duration& target, std::int64_t maximum) {
        if (auto value = fields.integer(key, 0, maximum))
            target = Duration(*value);
    };
    read("boot_ms", timings.boot, 600'000);
    read("latency_ms", timings.latency, 60'000);
    read("attach_ms", timings.attach, 600'000);
    read("sim_init_ms", timings.sim_init, 60'000);
    read("scan_ms", timings.scan, 600'000);
    fields.finish();
}

void read_data_path(Fields& parent, std::optional<DataPath>& data_path, std::string& message)
{
    const auto* object = parent.object("data_path");
    if (object == nullptr)
        return;
    Fields fields(*object, parent.path("data_path"), message);
    fields.require("namespace");
    fields.require("carrier_namespace");
    DataPath path;
    // Network namespace names are file names under /run/netns.
    auto name = [&fields](std::string_view key, std::string& target, std::size_t limit) {
        if (auto value = fields.string(key)) {
            if (value->empty() || value->size() > limit || !valid_id(*value))
                fields.fail(key, fmt::format("expected 1 to {} letters, digits, '-' or '_'", limit));
            target = *value;
        }
    };
    name("namespace", path.namespace_name, 64);
    name("carrier_namespace", path.carrier_namespace, 64);
    if (fields.finish())
        data_path = std::move(path);
}

// The model's USB ids and strings unless the scenario gives others.
void read_usb(Fields& parent, const ModelProfile& profile, UsbIdentity& usb, std::string& message)
{
    usb.vendor_id = std::string(profile.usb.vendor_id);
    usb.product_id = std::string(profile.usb.product_id);
    usb.manufacturer = std::string(profile.usb.manufacturer);
    usb.product = std::string(profile.usb.product);
    if (!parent.require("usb"))
        return;
    const auto* object = parent.object("usb");
    if (object == nullptr)
        return;
    Fields fields(*object, parent.path("usb"), message);
    fields.require("path");
    usb.busnum = read_int(fields, "busnum", 1, 127).value_or(usb.busnum);
    usb.devnum = read_int(fields, "devnum", 1, 127).value_or(usb.devnum);
    if (auto path = fields.string("path")) {
        if (!valid_usb_path(*path, usb.busnum))
            fields.fail("path", "expected <busnum>-<port>[.<port>...], like \"1-1\" or \"1-1.4\"");
        usb.path = *path;
    }
    if (auto id = fields.string("id")) {
        if (id->size() != 9 || (*id)[4] != ':' || !all_hex(id->substr(0, 4))
            || !all_hex(id->substr(5)))
            fields.fail("id", "expected VID:PID in hex, like \"2c7c:0125\"");
        usb.vendor_id = id->substr(0, 4);
        usb.product_id = id->size() > 5 ? id->substr(5) : "";
    }
    usb.manufacturer = fields.string("manufacturer").value_or(usb.manufacturer);
    usb.product = fields.string("product").value_or(usb.product);
    usb.serial = fields.string("serial").value_or("");
    fields.finish();
}

void read_bands(Fields& fields, ModemSpec& modem)
{
    modem.lte_bands = modem.profile->lte_bands;
    if (const auto* bands = fields.array("lte_bands")) {
        modem.lte_bands.clear();
        for (const auto& band : *bands) {
            if (!band.is_int64() || band.get_int64() < 1 || band.get_int64() > 128) {
                fields.fail("lte_bands", "expected an array of band numbers 1..128");
                break;
            }
            modem.lte_bands.push_back(static_cast<int>(band.get_int64()));
        }
        if (modem.lte_bands.empty())
            fields.fail("lte_bands", "needs at least one band");
    }
    if (auto mask = fields.string("gw_band_mask")) {
        if (mask->size() > 16 || !all_hex(*mask))
            fields.fail("gw_band_mask", "expected hex without 0x, up to 16 digits");
        modem.gw_band_mask = *mask;
    }
}

void read_modem_identity(Fields& fields, ModemSpec& modem)
{
    fields.require("id");
    fields.require("imei");
    if (auto id = fields.string("id")) {
        if (!valid_id(*id))
            fields.fail("id", "expected letters, digits, '-' or '_'");
        modem.id = *id;
    }
    if (auto model = fields.string("model")) {
        if (const auto* profile = find_model(*model))
            modem.profile = profile;
        else
            fields.fail("model",
                fmt::format("\"{}\" is not emulated: expected one of {}", *model, model_names()));
    }
    const auto& profile = *modem.profile;
    modem.model = std::string(profile.model);
    modem.manufacturer = fields.string("manufacturer").value_or(std::string(profile.manufacturer));
    modem.revision = fields.string("revision").value_or(std::string(profile.revision));
    if (auto imei = fields.string("imei")) {
        if (imei->size() != 15 || !all_digits(*imei))
            fields.fail("imei", "expected 15 digits");
        modem.imei = *imei;
    }
}

std::optional<ModemSpec> read_modem(
    const json::value& value, const std::string& where, std::string& message)
{
    if (!value.is_object()) {
        message = where + ": expected an object";
        return std::nullopt;
    }
    Fields fields(value.get_object(), where, message);
    ModemSpec modem;
    read_modem_identity(fields, modem);
    read_usb(fields, *modem.profile, modem.usb, message);
    if (const auto* sim = fields.value("sim"); sim != nullptr && !sim->is_null()) {
        if (!sim->is_string())
            fields.fail("sim", "expected the id of a SIM, or null for an empty slot");
        else
            modem.sim = std::string(sim->get_string());
    }
    modem.plugged = fields.boolean("plugged").value_or(true);
    read_bands(fields, modem);
    if (auto qrsrp = fields.string("qrsrp")) {
        if (*qrsrp != "supported" && *qrsrp != "error")
            fields.fail("qrsrp", "expected \"supported\" or \"error\"");
        modem.qrsrp = *qrsrp == "error" ? QrsrpSupport::Error : QrsrpSupport::Supported;
    }
    if (fields.require("radio"))
        if (const auto* radio = fields.object("radio"))
            if (auto parsed = read_radio(*radio, fields.path("radio"), message))
                modem.radio = *parsed;
    if (const auto* timeline = fields.array("timeline"))
        for (std::size_t index = 0; index < timeline->size(); ++index)
            if (auto entry = read_timeline_entry(
                    (*timeline)[index], indexed(fields.path("timeline"), index), message))
                modem.timeline.push_back(*entry);
    std::stable_sort(modem.timeline.begin(), modem.timeline.end(),
        [](const auto& left, const auto& right) { return left.after < right.after; });
    read_timings(fields, modem.timings, message);
    read_data_path(fields, modem.data_path, message);
    if (!fields.finish())
        return std::nullopt;
    return modem;
}

std::optional<SimSpec> read_sim(
    const json::value& value, const std::string& where, std::string& message)
{
    if (!value.is_object()) {
        message = where + ": expected an object";
        return std::nullopt;
    }
    Fields fields(value.get_object(), where, message);
    SimSpec sim;
    for (auto key : {"id", "iccid", "imsi"})
        fields.require(key);
    sim.id = fields.string("id").value_or("");
    if (!fields.failed() && !valid_id(sim.id))
        fields.fail("id", "expected letters, digits, '-' or '_'");
    sim.iccid = fields.string("iccid").value_or("");
    // ITU-T E.118: up to 19 digits plus a check digit; a 19-digit ICCID is padded with 'F'.
    if (!fields.failed() && (sim.iccid.size() < 19 || sim.iccid.size() > 20 || !all_hex(sim.iccid)))
        fields.fail("iccid", "expected 19 or 20 characters (digits, a 19-digit ICCID ends in F)");
    sim.imsi = fields.string("imsi").value_or("");
    if (!fields.failed() && (sim.imsi.size() < 6 || sim.imsi.size() > 15 || !all_digits(sim.imsi)))
        fields.fail("imsi", "expected 6 to 15 digits");
    sim.pin = fields.string("pin").value_or("0000");
    if (!fields.failed() && (sim.pin.size() < 4 || sim.pin.size() > 8 || !all_digits(sim.pin)))
        fields.fail("pin", "expected 4 to 8 digits");
    sim.puk = fields.string("puk").value_or("12345678");
    if (!fields.failed() && (sim.puk.size() != 8 || !all_digits(sim.puk)))
        fields.fail("puk", "expected 8 digits");
    sim.pin_enabled = fields.boolean("pin_enabled").value_or(false);
    sim.pin_retries = read_int(fields, "pin_retries", 0, 10).value_or(3);
    sim.puk_retries = read_int(fields, "puk_retries", 0, 10).value_or(10);
    if (!fields.finish())
        return std::nullopt;
    return sim;
}

std::optional<Apn> read_apn(
    const json::value& value, const std::string& where, std::string& message)
{
    if (value.is_string())
        return Apn {std::string(value.get_string()), "IPV4V6"};
    if (!value.is_object()) {
        message = where + ": expected a string or an object";
        return std::nullopt;
    }
    Fields fields(value.get_object(), where, message);
    fields.require("name");
    Apn apn {fields.string("name").value_or(""), fields.string("type").value_or("IPV4V6")};
    if (apn.pdp_type != "IP" && apn.pdp_type != "IPV6" && apn.pdp_type != "IPV4V6")
        fields.fail("type", "expected IP, IPV6 or IPV4V6");
    // IPv4's least (RFC 791: 576) to the most an IPv4 packet can be.
    apn.mtu = static_cast<std::uint32_t>(fields.integer("mtu", 576, 65535).value_or(1500));
    if (!fields.finish())
        return std::nullopt;
    return apn;
}

std::optional<Operator> read_operator(
    const json::value& value, const std::string& where, std::string& message)
{
    if (!value.is_object()) {
        message = where + ": expected an object";
        return std::nullopt;
    }
    Fields fields(value.get_object(), where, message);
    Operator network;
    for (auto key : {"mcc", "mnc", "long_name"})
        fields.require(key);
    network.mcc = fields.string("mcc").value_or("");
    if (!fields.failed() && (network.mcc.size() != 3 || !all_digits(network.mcc)))
        fields.fail("mcc", "expected 3 digits");
    network.mnc = fields.string("mnc").value_or("");
    if (!fields.failed()
        && (network.mnc.size() < 2 || network.mnc.size() > 3 || !all_digits(network.mnc)))
        fields.fail("mnc", "expected 2 or 3 digits");
    network.long_name = fields.string("long_name").value_or("");
    network.short_name = fields.string("short_name").value_or(network.long_name);
    if (const auto* apns = fields.array("apns"))
        for (std::size_t index = 0; index < apns->size(); ++index)
            if (auto apn = read_apn((*apns)[index], indexed(fields.path("apns"), index), message))
                network.apns.push_back(*apn);
    if (!fields.finish())
        return std::nullopt;
    return network;
}

template <typename T, typename Reader>
void read_list(
    Fields& fields, std::string_view key, std::vector<T>& out, Reader reader, std::string& message)
{
    const auto* array = fields.array(key);
    if (array == nullptr)
        return;
    for (std::size_t index = 0; index < array->size() && message.empty(); ++index)
        if (auto item = reader((*array)[index], indexed(key, index), message))
            out.push_back(std::move(*item));
}

std::string check_unique(const Scenario& scenario)
{
    std::set<std::string> ids, paths, sims_in_use;
    for (std::size_t index = 0; index < scenario.modems.size(); ++index) {
        const auto& modem = scenario.modems[index];
        auto where = indexed("modems", index);
        if (!ids.insert(modem.id).second)
            return where + ".id: \"" + modem.id + "\" is used twice";
        if (!paths.insert(modem.usb.path).second)
            return where + ".usb.path: \"" + modem.usb.path + "\" is used twice";
        if (modem.sim && !sims_in_use.insert(*modem.sim).second)
            return where + ".sim: \"" + *modem.sim + "\" is already in another modem";
    }
    std::set<std::string> sim_ids, plmns;
    for (std::size_t index = 0; index < scenario.sims.size(); ++index)
        if (!sim_ids.insert(scenario.sims[index].id).second)
            return indexed("sims", index) + ".id: \"" + scenario.sims[index].id
                + "\" is used twice";
    for (std::size_t index = 0; index < scenario.operators.size(); ++index)
        if (!plmns.insert(scenario.operators[index].plmn()).second)
            return indexed("operators", index) + ": MCC+MNC " + scenario.operators[index].plmn()
                + " is used twice";
    return {};
}

// Cross-references; fills the serving operator when the radio does not name one.
std::string resolve(Scenario& scenario)
{
    if (auto message = check_unique(scenario); !message.empty())
        return message;
    for (std::size_t index = 0; index < scenario.modems.size(); ++index) {
        auto& modem = scenario.modems[index];
        auto where = indexed("modems", index);
        const SimSpec* sim = modem.sim ? scenario.find_sim(*modem.sim) : nullptr;
        if (modem.sim && sim == nullptr)
            return where + ".sim: no SIM with id \"" + *modem.sim + "\" in sims";
        auto& plmn = modem.radio.operator_plmn;
        if (plmn.empty()) {
            const auto* home = sim ? scenario.home_operator(sim->imsi) : nullptr;
            plmn = home ? home->plmn() : scenario.operators.front().plmn();
        }
        if (scenario.find_operator(plmn) == nullptr)
            return where + ".radio.operator: no operator " + plmn + " in operators";
        auto supported = [&](int band) {
            return std::find(modem.lte_bands.begin(), modem.lte_bands.end(), band)
                != modem.lte_bands.end();
        };
        if (!supported(modem.radio.primary.band))
            return where + ".radio.band: band " + std::to_string(modem.radio.primary.band)
                + " is not in lte_bands";
        for (std::size_t entry = 0; entry < modem.timeline.size(); ++entry) {
            const auto& set = modem.timeline[entry].set;
            if (set.operator_plmn && scenario.find_operator(*set.operator_plmn) == nullptr)
                return where + indexed(".timeline", entry) + ".set.operator: no operator "
                    + *set.operator_plmn;
        }
    }
    return {};
}

Result<json::value> parse_json(std::string_view text, std::string& message)
{
    json::stream_parser parser;
    boost::system::error_code error;
    auto consumed = parser.write(text.data(), text.size(), error);
    if (!error)
        parser.finish(error);
    if (error) {
        auto before = text.substr(0, std::min(consumed, text.size()));
        auto line = 1 + std::count(before.begin(), before.end(), '\n');
        message = "not valid JSON (line " + std::to_string(line) + "): " + error.message();
        return make_error_code(ScenarioErrc::Syntax);
    }
    return parser.release();
}

} // namespace

bool RadioPatch::empty() const
{
    return !available && !band && !earfcn && !pci && !bandwidth_mhz && !rsrp && !rsrq && !rssi
        && !sinr && !srxlev && !cell_id && !tac && !operator_plmn && !secondary;
}

void RadioPatch::apply_to(Radio& radio) const
{
    auto& carrier = radio.primary;
    radio.available = available.value_or(radio.available);
    carrier.band = band.value_or(carrier.band);
    carrier.earfcn = earfcn.value_or(carrier.earfcn);
    carrier.pci = pci.value_or(carrier.pci);
    carrier.bandwidth_mhz = bandwidth_mhz.value_or(carrier.bandwidth_mhz);
    carrier.rsrp = rsrp.value_or(carrier.rsrp);
    carrier.rsrq = rsrq.value_or(carrier.rsrq);
    carrier.rssi = rssi.value_or(carrier.rssi);
    carrier.sinr = sinr.value_or(carrier.sinr);
    if (srxlev)
        radio.srxlev = srxlev;
    radio.cell_id = cell_id.value_or(radio.cell_id);
    radio.tac = tac.value_or(radio.tac);
    radio.operator_plmn = operator_plmn.value_or(radio.operator_plmn);
    if (secondary)
        radio.secondary = *secondary;
}

std::string_view to_string(QrsrpSupport support)
{
    return support == QrsrpSupport::Error ? "error" : "supported";
}

const SimSpec* Scenario::find_sim(std::string_view id) const
{
    auto found
        = std::find_if(sims.begin(), sims.end(), [&](const auto& sim) { return sim.id == id; });
    return found == sims.end() ? nullptr : &*found;
}

const Operator* Scenario::find_operator(std::string_view plmn) const
{
    auto found = std::find_if(operators.begin(), operators.end(),
        [&](const auto& network) { return network.plmn() == plmn; });
    return found == operators.end() ? nullptr : &*found;
}

const Operator* Scenario::home_operator(std::string_view imsi) const
{
    for (const auto& network : operators)
        if (imsi.starts_with(network.plmn()))
            return &network;
    return nullptr;
}

Result<RadioPatch> parse_radio_patch(
    const json::object& object, const std::string& where, std::string& message)
{
    Fields fields(object, where, message);
    RadioPatch patch;
    read_radio_fields(fields, patch, message);
    if (!fields.finish())
        return make_error_code(ScenarioErrc::BadField);
    return patch;
}

Result<Scenario> parse_scenario(std::string_view text, std::string& message)
{
    message.clear();
    auto document = parse_json(text, message);
    if (!document)
        return document.error();
    if (!document->is_object()) {
        message = "the scenario must be a JSON object";
        return make_error_code(ScenarioErrc::BadField);
    }
    Fields fields(document->get_object(), "", message);
    Scenario scenario;
    fields.require("modems");
    fields.require("operators");
    read_list(fields, "operators", scenario.operators, read_operator, message);
    read_list(fields, "sims", scenario.sims, read_sim, message);
    read_list(fields, "modems", scenario.modems, read_modem, message);
    if (!fields.finish())
        return make_error_code(ScenarioErrc::BadField);
    if (scenario.modems.empty())
        message = "modems: needs at least one modem";
    else if (scenario.operators.empty())
        message = "operators: needs at least one operator";
    else
        message = resolve(scenario);
    if (!message.empty())
        return make_error_code(ScenarioErrc::BadField);
    return scenario;
}

Result<Scenario> load_scenario(const std::string& path, std::string& message)
{
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        message = "cannot read " + path;
        return make_error_code(ScenarioErrc::Io);
    }
    std::ostringstream text;
    text << file.rdbuf();
    return parse_scenario(text.str(), message);
}

const boost::system::error_category& scenario_category()
{
    static const struct : boost::system::error_category {
        const char* name() const noexcept override { return "uplink.sim.scenario"; }
        std::string message(int value) const override
        {
            switch (static_cast<ScenarioErrc>(value)) {
            case ScenarioErrc::Syntax:
                return "the scenario is not valid JSON";
            case ScenarioErrc::BadField:
                return "a scenario field is missing or wrong";
            case ScenarioErrc::Io:
                return "the scenario file cannot be read";
            }
            return "unknown scenario error";
        }
    } category;
    return category;
}

Error make_error_code(ScenarioErrc code)
{
    return {static_cast<int>(code), scenario_category()};
}

} // namespace uplink::sim
