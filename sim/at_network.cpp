// Network commands: operator selection, registration, signal, Quectel engineering and
// configuration (3GPP TS 27.007 §7, §8; modem-protocols.md §4.1–4.3 for the Quectel forms).
#include "sim/modem.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace uplink::sim {

namespace {

std::optional<int> number(std::string_view text, int minimum, int maximum)
{
    if (text.empty() || text.size() > 6
        || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    int value = std::stoi(std::string(text));
    if (value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

// 3GPP TS 36.101 Table 5.5-1: bands 33 to 53 are TDD.
std::string_view duplex(int band)
{
    return band >= 33 && band <= 53 ? "TDD" : "FDD";
}

// QENG bandwidth enum: 0 = 1.4 MHz, 1 = 3, 2 = 5, 3 = 10, 4 = 15, 5 = 20 (§4.2).
int bandwidth_enum(int megahertz)
{
    switch (megahertz) {
    case 1:
        return 0;
    case 3:
        return 1;
    case 5:
        return 2;
    case 10:
        return 3;
    case 15:
        return 4;
    default:
        return 5;
    }
}

// QCAINFO gives resource blocks (TS 36.101 Table 5.6-1).
int resource_blocks(int megahertz)
{
    switch (megahertz) {
    case 1:
        return 6;
    case 3:
        return 15;
    case 5:
        return 25;
    case 10:
        return 50;
    case 15:
        return 75;
    default:
        return 100;
    }
}

std::string carrier_line(std::string_view kind, const Carrier& carrier, int state)
{
    return fmt::format("+QCAINFO: \"{}\",{},{},\"LTE BAND {}\",{},{},{},{},{},{}", kind,
        carrier.earfcn, resource_blocks(carrier.bandwidth_mhz), carrier.band, state, carrier.pci,
        carrier.rsrp, carrier.rsrq, carrier.rssi, carrier.sinr);
}

std::optional<std::bitset<128>> parse_mask(std::string_view text, std::size_t max_digits)
{
    if (text.starts_with("0x") || text.starts_with("0X"))
        text.remove_prefix(2);
    if (text.empty() || text.size() > max_digits)
        return std::nullopt;
    std::bitset<128> mask;
    for (char c : text) {
        int digit = (c >= '0' && c <= '9') ? c - '0'
            : (c >= 'a' && c <= 'f')       ? c - 'a' + 10
            : (c >= 'A' && c <= 'F')       ? c - 'A' + 10
                                           : -1;
        if (digit < 0)
            return std::nullopt;
        mask <<= 4;
        mask |= std::bitset<128>(static_cast<unsigned long long>(digit));
    }
    return mask;
}

std::string format_mask(const std::bitset<128>& mask)
{
    std::string text;
    for (int nibble = 31; nibble >= 0; --nibble) {
        int digit = 0;
        for (int bit = 3; bit >= 0; --bit)
            digit = digit * 2 + (mask.test(static_cast<std::size_t>(nibble * 4 + bit)) ? 1 : 0);
        if (digit != 0 || !text.empty())
            text += "0123456789abcdef"[digit];
    }
    return text.empty() ? "0" : text;
}

} // namespace

// A string parameter in the port's +CSCS set (27.007 §5.5): UCS2 is four hex digits a UTF-16
// unit, "T" is "0054".
std::string Modem::in_character_set(std::string_view text, const PortSettings& settings)
{
    if (settings.character_set != CharacterSet::Ucs2)
        return std::string(text);
    std::string hex;
    for (std::size_t i = 0; i < text.size();) {
        auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
        char32_t code = length == 1 ? lead : lead & (0x3f >> (length - 1));
        for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
            code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
        i += length;
        if (code >= 0x10000) {
            code -= 0x10000;
            hex += fmt::format("{:04X}{:04X}", 0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff));
        } else {
            hex += fmt::format("{:04X}", static_cast<unsigned>(code));
        }
    }
    return hex;
}

// ---------------------------------------------------------------- AT+COPS
Modem::Response Modem::operator_selection(const AtCommand& command, PortSettings& settings)
{
    switch (command.form) {
    case CommandForm::Test:
        return operator_scan(settings);
    case CommandForm::Execute:
        return error();
    case CommandForm::Set: {
        auto arguments = split_arguments(command.arguments);
        if (!arguments || arguments->empty())
            return cme(50);
        return operator_set(*arguments);
    }
    case CommandForm::Read:
        break;
    }
    const auto* network = serving_operator();
    if (!registered() || network == nullptr)
        return ok({fmt::format("+COPS: {}", static_cast<int>(operator_mode_))});
    auto name = operator_format_ == 0 ? network->long_name
        : operator_format_ == 1       ? network->short_name
                                      : network->plmn();
    return ok({fmt::format("+COPS: {},{},\"{}\",7", static_cast<int>(operator_mode_),
        operator_format_, in_character_set(name, settings))});
}

// 27.007 §7.3: +COPS: [list of (<stat>,long,short,numeric,<AcT>)],,(modes),(formats)
Modem::Response Modem::operator_scan(const PortSettings& settings)
{
    if (auto code = sim_error())
        return cme(*code);
    if (functionality_ != Functionality::Full)
        return cme(3);
    std::vector<std::string> entries;
    auto entry = [&settings](const Operator& network, int status) {
        return fmt::format("({},\"{}\",\"{}\",\"{}\",7)", status,
            in_character_set(network.long_name, settings),
            in_character_set(network.short_name, settings),
            in_character_set(network.plmn(), settings));
    };
    if (surroundings_.radio.available) {
        if (const auto* serving = serving_operator())
            entries.push_back(entry(*serving, registered() ? 2 : 1));
        for (const auto& network : operators_)
            if (network.plmn() != surroundings_.radio.operator_plmn)
                entries.push_back(entry(network, 1));
    }
    std::string list;
    for (const auto& text : entries)
        list += (list.empty() ? "" : ",") + text;
    auto response = ok({fmt::format("+COPS: {},,(0,1,2,3,4),(0,1,2)", list)});
    response.extra = spec_.timings.scan;
    return response;
}

Modem::Response Modem::operator_set(const std::vector<std::string>& arguments)
{
    auto mode = number(arguments[0], 0, 4);
    if (!mode)
        return cme(50);
    auto format = arguments.size() >= 2 && !arguments[1].empty() ? number(arguments[1], 0, 2)
                                                                 : std::optional<int>(0);
    if (!format)
        return cme(50);
    if (*mode == 3) {
        operator_format_ = *format;
        return ok();
    }
    if (*mode == 0 || *mode == 2) {
        operator_mode_ = *mode == 0 ? OperatorMode::Automatic : OperatorMode::Deregistered;
        manual_operator_.clear();
        update_registration();
        return ok();
    }
    if (arguments.size() < 3)
        return cme(50);
    if (auto code = sim_error())
        return cme(*code);
    auto found = std::find_if(operators_.begin(), operators_.end(), [&](const Operator& network) {
        const auto& name = *format == 0 ? network.long_name
            : *format == 1              ? network.short_name
                                        : network.plmn();
        return name == arguments[2];
    });
    bool reachable = found != operators_.end() && found->plmn() == surroundings_.radio.operator_plmn
        && surroundings_.radio.available;
    if (!reachable) {
        if (*mode == 4) { // manual, falling back to automatic
            operator_mode_ = OperatorMode::Automatic;
            update_registration();
            return ok();
        }
        return cme(30);
    }
    bool was_registered = registered();
    operator_mode_ = OperatorMode::Manual;
    manual_operator_ = found->plmn();
    update_registration();
    auto response = ok();
    if (!was_registered)
        response.extra = spec_.timings.attach; // the reply waits for the registration
    return response;
}

// ---------------------------------------------------------------- registration
Modem::Response Modem::registration_command(
    const AtCommand& command, std::string_view prefix, int& mode)
{
    switch (command.form) {
    case CommandForm::Read:
        return ok({registration_line(prefix, mode, true)});
    case CommandForm::Test:
        return ok({fmt::format("{}: (0-2)", prefix)});
    case CommandForm::Set:
        if (auto value = number(command.arguments, 0, 2)) {
            mode = *value;
            return ok();
        }
        return cme(50);
    case CommandForm::Execute:
        break;
    }
    return error();
}

Modem::Response Modem::registration_creg(const AtCommand& command, PortSettings&)
{
    return registration_command(command, "+CREG", creg_mode_);
}

Modem::Response Modem::registration_cgreg(const AtCommand& command, PortSettings&)
{
    return registration_command(command, "+CGREG", cgreg_mode_);
}

Modem::Response Modem::registration_cereg(const AtCommand& command, PortSettings&)
{
    return registration_command(command, "+CEREG", cereg_mode_);
}

// ---------------------------------------------------------------- signal
Modem::Response Modem::signal_quality(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok({"+CSQ: (0-31,99),(0-7,99)"});
    if (command.form != CommandForm::Execute)
        return error();
    if (!registered())
        return ok({"+CSQ: 99,99"});
    // 27.007 §8.5: <rssi> 0 is -113 dBm or less, 31 is -51 dBm or more, 2 dB steps.
    int rssi = std::clamp((surroundings_.radio.primary.rssi + 113) / 2, 0, 31);
    return ok({fmt::format("+CSQ: {},99", rssi)});
}

Modem::Response Modem::extended_signal_quality(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok({"+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)"});
    if (command.form != CommandForm::Execute)
        return error();
    if (!registered())
        return ok({"+CESQ: 99,99,255,255,255,255"});
    // 27.007 §8.69: <rsrq> 0 is below -19.5 dB in 0.5 dB steps; <rsrp> 0 is below -140 dBm.
    const auto& carrier = surroundings_.radio.primary;
    int rsrq = std::clamp((carrier.rsrq + 20) * 2, 0, 34);
    int rsrp = std::clamp(carrier.rsrp + 141, 0, 97);
    return ok({fmt::format("+CESQ: 99,99,255,255,{},{}", rsrq, rsrp)});
}

Modem::Response Modem::engineering(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok({"+QENG: \"servingcell\",\"neighbourcell\""});
    auto arguments = split_arguments(command.arguments);
    if (command.form != CommandForm::Set || !arguments || arguments->size() != 1)
        return cme(50);
    if (equals_ignoring_case((*arguments)[0], "neighbourcell"))
        return ok(); // no neighbour cells are emulated
    if (!equals_ignoring_case((*arguments)[0], "servingcell"))
        return cme(50);
    const auto* network = serving_operator();
    if (!registered() || network == nullptr)
        return ok({"+QENG: \"servingcell\",\"SEARCH\""});
    const auto& radio = surroundings_.radio;
    const auto& carrier = radio.primary;
    int bandwidth = bandwidth_enum(carrier.bandwidth_mhz);
    // Default srxlev: about RSRP + 127, close to the captured EC25 lines in §4.2.
    int srxlev = radio.srxlev.value_or(std::max(0, carrier.rsrp + 127));
    return ok({fmt::format(
        "+QENG: "
        "\"servingcell\",\"NOCONN\",\"LTE\",\"{}\",{},{},{:X},{},{},{},{},{},{:X},{},{},{},{},{}",
        duplex(carrier.band), network->mcc, network->mnc, radio.cell_id, carrier.pci,
        carrier.earfcn, carrier.band, bandwidth, bandwidth, radio.tac, carrier.rsrp, carrier.rsrq,
        carrier.rssi, carrier.sinr, srxlev)});
}

Modem::Response Modem::network_info(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    if (command.form != CommandForm::Execute)
        return error();
    if (!registered())
        return ok({"+QNWINFO: No Service"});
    const auto& carrier = surroundings_.radio.primary;
    return ok({fmt::format("+QNWINFO: \"{} LTE\",\"{}\",\"LTE BAND {}\",{}", duplex(carrier.band),
        surroundings_.radio.operator_plmn, carrier.band, carrier.earfcn)});
}

Modem::Response Modem::carrier_info(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    if (command.form != CommandForm::Execute)
        return error();
    if (!registered())
        return ok();
    // <pcell_state> 1: registered; <scell_state> 2: configured and activated.
    std::vector<std::string> lines {carrier_line("pcc", surroundings_.radio.primary, 1)};
    if (surroundings_.radio.secondary)
        lines.push_back(carrier_line("scc", *surroundings_.radio.secondary, 2));
    return ok(std::move(lines));
}

// +QRSRP: <prx>,<drx>,<rx2>,<rx3>,<sysmode>; absent chains -32768 (§4.3). EC25 support is
// unverified, so a scenario can make it answer ERROR. The no-service form is an inference.
Modem::Response Modem::antenna_rsrp(const AtCommand& command, PortSettings&)
{
    if (spec_.qrsrp == QrsrpSupport::Error || command.form != CommandForm::Execute)
        return error();
    if (!registered())
        return ok({"+QRSRP: -32768,-32768,-32768,-32768,NOSERV"});
    int main = surroundings_.radio.primary.rsrp;
    int diversity = std::clamp(main + surroundings_.radio.diversity_offset_db, -140, -44);
    return ok({fmt::format("+QRSRP: {},{},-32768,-32768,LTE", main, diversity)});
}

// ---------------------------------------------------------------- AT+CGDCONT
Modem::Response Modem::pdp_context(const AtCommand& command, PortSettings&)
{
    auto& contexts = surroundings_.nv.contexts;
    if (command.form == CommandForm::Test)
        return ok({"+CGDCONT: (1-24),\"IP\",,,(0-2),(0-4),(0-1),(0-1)",
            "+CGDCONT: (1-24),\"IPV6\",,,(0-2),(0-4),(0-1),(0-1)",
            "+CGDCONT: (1-24),\"IPV4V6\",,,(0-2),(0-4),(0-1),(0-1)"});
    if (command.form == CommandForm::Read) {
        std::vector<std::string> lines;
        for (const auto& context : contexts) {
            auto address = context.pdp_type == "IP" ? "0.0.0.0" : "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0";
            lines.push_back(fmt::format("+CGDCONT: {},\"{}\",\"{}\",\"{}\",0,0,0,0", context.cid,
                context.pdp_type, context.apn, address));
        }
        return ok(std::move(lines));
    }
    auto arguments = split_arguments(command.arguments);
    if (command.form != CommandForm::Set || !arguments || arguments->empty())
        return cme(50);
    auto cid = number((*arguments)[0], 1, 24);
    if (!cid)
        return cme(50);
    auto existing = std::find_if(
        contexts.begin(), contexts.end(), [&](const auto& context) { return context.cid == *cid; });
    if (arguments->size() == 1) { // 27.007 §10.1.1: only <cid> undefines the context
        if (existing != contexts.end())
            contexts.erase(existing);
        return ok();
    }
    auto type = to_upper((*arguments)[1]);
    if (type != "IP" && type != "IPV6" && type != "IPV4V6" && type != "PPP" && type != "NON-IP")
        return cme(50);
    NonVolatile::Context context {*cid, type, arguments->size() > 2 ? (*arguments)[2] : ""};
    if (existing != contexts.end())
        *existing = context;
    else
        contexts.insert(
            std::upper_bound(contexts.begin(), contexts.end(), context,
                [](const auto& left, const auto& right) { return left.cid < right.cid; }),
            context);
    return ok();
}

// ---------------------------------------------------------------- AT+QCFG
// "nwscanmode" is one RAT alone or automatic: 0 automatic, 1 GSM, 2 WCDMA, 3 LTE.
namespace {

constexpr std::array<unsigned, 4> rats_of_scanmode {0, rat_bit::gsm, rat_bit::wcdma, rat_bit::lte};

int scanmode_of(unsigned rats)
{
    auto found = std::find(rats_of_scanmode.begin(), rats_of_scanmode.end(), rats);
    return found == rats_of_scanmode.end() ? 0 : static_cast<int>(found - rats_of_scanmode.begin());
}

} // namespace

Modem::Response Modem::quectel_config(const AtCommand& command, PortSettings&)
{
    const auto& dialect = spec_.profile->dialect;
    auto& nv = surroundings_.nv;
    if (command.form == CommandForm::Test) {
        std::vector<std::string> lines;
        if (dialect.has_qcfg("band"))
            lines.push_back("+QCFG: \"band\",(0-ffff),(0-7fffffffffffffff),(0-7fffffffffffffff),(0,1)");
        lines.push_back("+QCFG: \"usbnet\",(0-5)");
        if (dialect.has_qcfg("nwscanmode"))
            lines.push_back("+QCFG: \"nwscanmode\",(0-3),(0,1)");
        return ok(std::move(lines));
    }
    auto arguments = split_arguments(command.arguments);
    if (command.form != CommandForm::Set || !arguments || arguments->empty() || !dialect.has_qcfg((*arguments)[0]))
        return error();
    const auto& item = (*arguments)[0];
    if (equals_ignoring_case(item, "band"))
        return band_config(*arguments);
    bool usbnet = equals_ignoring_case(item, "usbnet");
    if (arguments->size() == 1)
        return ok({fmt::format("+QCFG: \"{}\",{}", usbnet ? "usbnet" : "nwscanmode", usbnet ? nv.usbnet : scanmode_of(nv.rats))});
    auto parsed = number((*arguments)[1], 0, usbnet ? 5 : 3);
    if (!parsed || arguments->size() > 3)
        return cme(50);
    if (usbnet)
        nv.usbnet = *parsed;
    else
        nv.rats = rats_of_scanmode.at(static_cast<std::size_t>(*parsed));
    update_registration(); // nwscanmode 1 or 2 (GSM/WCDMA only) leaves the LTE cell
    return ok();
}

// Read: +QCFG: "band",0x<gw>,0x<lte>,0x<tds>. Set: hex masks, "0x" optional (Quectel documents
// them without); LTE bit n-1 is band n. Bands the module lacks are dropped from the mask.
Modem::Response Modem::band_config(const std::vector<std::string>& arguments)
{
    auto& nv = surroundings_.nv;
    if (arguments.size() == 1)
        return ok({fmt::format(
            "+QCFG: \"band\",0x{},0x{},0x{}", nv.gw_mask, format_mask(nv.lte_mask), nv.tds_mask)});
    if (arguments.size() < 3 || arguments.size() > 5)
        return cme(50);
    auto gw = parse_mask(arguments[1], 16);
    auto lte = parse_mask(arguments[2], 32);
    auto tds = arguments.size() > 3 ? parse_mask(arguments[3], 16) : parse_mask("0", 1);
    if (!gw || !lte || !tds
        || (arguments.size() == 5 && arguments[4] != "0" && arguments[4] != "1"))
        return cme(50);
    std::bitset<128> supported;
    for (int band : spec_.lte_bands)
        supported.set(static_cast<std::size_t>(band - 1));
    auto enabled = *lte & supported;
    if (enabled.none())
        return cme(50);
    nv.gw_mask = format_mask(*gw);
    nv.tds_mask = format_mask(*tds);
    nv.lte_mask = enabled;
    update_registration();
    return ok();
}


// ---------------------------------------------------------------- AT+QNWPREFCFG
// The 5G modules' radio settings (modem-protocols.md §4.1): "mode_pref" names the RATs joined
// by ':' (AUTO, WCDMA, LTE, NR5G); "lte_band", "nr5g_band" (SA) and "nsa_nr5g_band" (NSA) are
// band numbers joined by ':'. A set keeps the module's own bands of those given and refuses a
// list with none of them.
namespace {

constexpr std::array<std::pair<std::string_view, unsigned>, 3> rat_names {
    {{"WCDMA", rat_bit::wcdma}, {"LTE", rat_bit::lte}, {"NR5G", rat_bit::nr5g}}};

std::string mode_pref_of(unsigned rats)
{
    std::vector<std::string_view> names;
    for (const auto& [name, bit] : rat_names)
        if (rats & bit)
            names.push_back(name);
    return names.empty() ? std::string("AUTO") : fmt::format("{}", fmt::join(names, ":"));
}

std::vector<std::string_view> colon_separated(std::string_view text)
{
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        auto end = text.find(':', start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

std::string band_list(const std::set<int>& bands)
{
    return fmt::format("{}", fmt::join(bands, ":"));
}

} // namespace

Modem::Response Modem::network_preference(const AtCommand& command, PortSettings&)
{
    auto& nv = surroundings_.nv;
    std::set<int> lte_supported(spec_.lte_bands.begin(), spec_.lte_bands.end());
    std::set<int> nr_supported(spec_.profile->nr_bands.begin(), spec_.profile->nr_bands.end());
    if (command.form == CommandForm::Test)
        return ok({"+QNWPREFCFG: \"mode_pref\",AUTO:WCDMA:LTE:NR5G",
            fmt::format("+QNWPREFCFG: \"lte_band\",{}", band_list(lte_supported)),
            fmt::format("+QNWPREFCFG: \"nsa_nr5g_band\",{}", band_list(nr_supported)),
            fmt::format("+QNWPREFCFG: \"nr5g_band\",{}", band_list(nr_supported))});
    auto arguments = split_arguments(command.arguments);
    if (command.form != CommandForm::Set || !arguments || arguments->empty() || arguments->size() > 2)
        return error();
    const auto& item = (*arguments)[0];
    std::set<int> lte_bands;
    for (std::size_t bit = 0; bit < nv.lte_mask.size(); ++bit)
        if (nv.lte_mask.test(bit))
            lte_bands.insert(static_cast<int>(bit + 1));
    auto reply = [&](std::string_view value) {
        return ok({fmt::format("+QNWPREFCFG: \"{}\",{}", item, value)});
    };
    if (equals_ignoring_case(item, "mode_pref")) {
        if (arguments->size() == 1)
            return reply(mode_pref_of(nv.rats));
        unsigned rats = 0;
        for (auto name : colon_separated((*arguments)[1])) {
            auto found = std::find_if(rat_names.begin(), rat_names.end(),
                [&](const auto& entry) { return equals_ignoring_case(entry.first, name); });
            if (equals_ignoring_case(name, "AUTO"))
                continue;
            if (found == rat_names.end())
                return cme(50);
            rats |= found->second;
        }
        nv.rats = rats == (rat_bit::wcdma | rat_bit::lte | rat_bit::nr5g) ? 0 : rats;
        update_registration();
        return ok();
    }
    std::set<int>* enabled = nullptr;
    const std::set<int>* supported = &nr_supported;
    if (equals_ignoring_case(item, "lte_band")) {
        enabled = &lte_bands;
        supported = &lte_supported;
    } else if (equals_ignoring_case(item, "nr5g_band")) {
        enabled = &nv.nr5g_bands;
    } else if (equals_ignoring_case(item, "nsa_nr5g_band")) {
        enabled = &nv.nsa_nr5g_bands;
    } else {
        return error();
    }
    if (arguments->size() == 1)
        return reply(band_list(*enabled));
    std::set<int> wanted;
    for (auto word : colon_separated((*arguments)[1])) {
        auto band = number(word, 1, 1024);
        if (!band)
            return cme(50);
        if (supported->count(*band))
            wanted.insert(*band);
    }
    if (wanted.empty())
        return cme(50);
    *enabled = std::move(wanted);
    if (enabled == &lte_bands) {
        nv.lte_mask.reset();
        for (int band : lte_bands)
            nv.lte_mask.set(static_cast<std::size_t>(band - 1));
    }
    update_registration();
    return ok();
}

} // namespace uplink::sim
