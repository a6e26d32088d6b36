// Quectel parsers: AT+QENG="servingcell", AT+QNWINFO, AT+QCAINFO, AT+QRSRP, AT+QCFG="band".
// Field layouts from the Quectel EC2x/EG2x and RG50x/RM50x AT manuals as quoted by public
// parsers, checked against the captured replies in the tests.
#include "at/at.hpp"
#include "at/parse_util.hpp"

#include <array>
#include <cctype>

namespace uplink::at {

namespace {

using Fields = std::vector<std::string_view>;

std::string text_field(std::string_view field)
{
    auto text = unquote(field);
    return text == "-" ? std::string() : std::string(text);
}

bool hex_field(std::string_view field, std::optional<std::uint64_t>& out)
{
    auto text = unquote(field);
    if (text.empty() || text == "-") {
        out.reset();
        return true;
    }
    out = to_hex(text);
    return out.has_value();
}

bool tac_field(std::string_view field, std::optional<std::uint32_t>& out)
{
    std::optional<std::uint64_t> value;
    if (!hex_field(field, value) || (value && *value > 0xffffffffu))
        return false;
    if (value)
        out = static_cast<std::uint32_t>(*value);
    else
        out.reset();
    return true;
}

// LTE <UL/DL_bandwidth>: 0..5 = 1.4, 3, 5, 10, 15, 20 MHz.
std::optional<int> lte_bandwidth_x10(std::optional<int> index)
{
    static constexpr std::array<int, 6> table {14, 30, 50, 100, 150, 200};
    if (!index || *index < 0 || *index >= static_cast<int>(table.size()))
        return std::nullopt;
    return table[static_cast<std::size_t>(*index)];
}

// NR <NR_DL_bandwidth> (RM50x manual): 0..14 = 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90,
// 100, 200, 400 MHz.
std::optional<int> nr_bandwidth_x10(std::optional<int> index)
{
    static constexpr std::array<int, 15> table {
        50, 100, 150, 200, 250, 300, 400, 500, 600, 700, 800, 900, 1000, 2000, 4000};
    if (!index || *index < 0 || *index >= static_cast<int>(table.size()))
        return std::nullopt;
    return table[static_cast<std::size_t>(*index)];
}

// <is_tdd>,<MCC>,<MNC>,<cellID>,<PCID>,<earfcn>,<freq_band_ind>,<UL_bw>,<DL_bw>,<TAC>,<RSRP>,
// <RSRQ>,<RSSI>,<SINR>[,<CQI>,<tx_power>],<srxlev>, starting at fields[at].
bool parse_lte(const Fields& fields, std::size_t at, ServingCell& cell)
{
    std::size_t count = fields.size() - at;
    if (count != 15 && count != 17)
        return false;
    const auto* f = fields.data() + at;
    std::optional<int> ul, dl;
    cell.technology = "LTE";
    cell.duplex = text_field(f[0]);
    cell.mcc = text_field(f[1]);
    cell.mnc = text_field(f[2]);
    bool ok = hex_field(f[3], cell.cell_id) && optional_int(f[4], cell.pci)
        && optional_int(f[5], cell.earfcn) && optional_int(f[6], cell.band)
        && optional_int(f[7], ul) && optional_int(f[8], dl) && tac_field(f[9], cell.tac)
        && optional_int(f[10], cell.rsrp_dbm) && optional_int(f[11], cell.rsrq_db)
        && optional_int(f[12], cell.rssi_dbm) && optional_int(f[13], cell.sinr_db)
        && optional_int(f[count - 1], cell.srxlev);
    cell.ul_bandwidth_mhz_x10 = lte_bandwidth_x10(ul);
    cell.dl_bandwidth_mhz_x10 = lte_bandwidth_x10(dl);
    return ok;
}

// <duplex>,<MCC>,<MNC>,<cellID>,<PCID>,<TAC>,<ARFCN>,<band>,<NR_DL_bandwidth>,<RSRP>,<RSRQ>,
// <SINR>,<scs>,<srxlev>: the TAC comes before the ARFCN, unlike LTE.
bool parse_nr_sa(const Fields& fields, std::size_t at, ServingCell& cell)
{
    if (fields.size() - at < 12)
        return false;
    const auto* f = fields.data() + at;
    std::optional<int> bandwidth;
    cell.technology = "NR5G-SA";
    cell.duplex = text_field(f[0]);
    cell.mcc = text_field(f[1]);
    cell.mnc = text_field(f[2]);
    bool ok = hex_field(f[3], cell.cell_id) && optional_int(f[4], cell.pci)
        && tac_field(f[5], cell.tac) && optional_int(f[6], cell.earfcn)
        && optional_int(f[7], cell.band) && optional_int(f[8], bandwidth)
        && optional_int(f[9], cell.rsrp_dbm) && optional_int(f[10], cell.rsrq_db)
        && optional_int(f[11], cell.sinr_db);
    if (fields.size() - at >= 14)
        ok = ok && optional_int(f[13], cell.srxlev);
    cell.dl_bandwidth_mhz_x10 = nr_bandwidth_x10(bandwidth);
    return ok;
}

// <MCC>,<MNC>,<LAC>,<cellID>,<uarfcn>,<PSC>,<RAC>,<RSCP>,<ecio>,...: the LAC goes to `tac`,
// the UARFCN to `earfcn`, the PSC to `pci` and the RSCP to `rsrp_dbm`.
bool parse_wcdma(const Fields& fields, std::size_t at, ServingCell& cell)
{
    if (fields.size() - at < 9)
        return false;
    const auto* f = fields.data() + at;
    std::optional<int> rac, ecio;
    cell.technology = "WCDMA";
    cell.mcc = text_field(f[0]);
    cell.mnc = text_field(f[1]);
    return tac_field(f[2], cell.tac) && hex_field(f[3], cell.cell_id)
        && optional_int(f[4], cell.earfcn) && optional_int(f[5], cell.pci)
        && optional_int(f[6], rac) && optional_int(f[7], cell.rsrp_dbm) && optional_int(f[8], ecio);
}

bool parse_technology(
    std::string_view technology, const Fields& fields, std::size_t at, ServingCell& cell)
{
    if (equals_ignoring_case(technology, "LTE") || equals_ignoring_case(technology, "CAT-M")
        || equals_ignoring_case(technology, "CAT-NB"))
        return parse_lte(fields, at, cell);
    if (equals_ignoring_case(technology, "NR5G-SA"))
        return parse_nr_sa(fields, at, cell);
    if (equals_ignoring_case(technology, "WCDMA"))
        return parse_wcdma(fields, at, cell);
    cell.technology = std::string(technology); // GSM, TDSCDMA...: named, not decoded
    return true;
}

} // namespace

// +QENG: "servingcell",<state>,<technology>,... on one line; while searching only
// +QENG: "servingcell","SEARCH"; on EN-DC a "servingcell",<state> line followed by
// +QENG: "LTE",... and +QENG: "NR5G-NSA",... lines (the LTE anchor is what is returned).
Result<ServingCell> parse_qeng_servingcell(const std::vector<std::string>& lines)
{
    ServingCell cell;
    bool found = false;
    for (auto rest : all_prefixed(lines, "+QENG:")) {
        auto fields = split_fields(rest);
        auto kind = unquote(fields[0]);
        if (equals_ignoring_case(kind, "servingcell")) {
            if (fields.size() < 2)
                return parse_error();
            cell.state = text_field(fields[1]);
            found = true;
            if (fields.size() >= 3 && !parse_technology(unquote(fields[2]), fields, 3, cell))
                return parse_error();
        } else if (equals_ignoring_case(kind, "LTE") && cell.technology.empty()) {
            if (!parse_lte(fields, 1, cell))
                return parse_error();
            found = true;
        }
    }
    if (!found)
        return not_found();
    return cell;
}

// +QNWINFO: <AcT>,<oper>,<band>,<channel>, or +QNWINFO: No Service
Result<NetworkInfo> parse_qnwinfo(const std::vector<std::string>& lines)
{
    auto rest = find_prefixed(lines, "+QNWINFO:");
    if (!rest)
        return not_found();
    NetworkInfo info;
    if (equals_ignoring_case(unquote(*rest), "No Service"))
        return info;
    auto fields = split_fields(*rest);
    if (fields.size() < 3)
        return parse_error();
    info.technology = std::string(unquote(fields[0]));
    info.operator_id = std::string(unquote(fields[1]));
    info.band = std::string(unquote(fields[2]));
    if (fields.size() > 3 && !optional_int(fields[3], info.channel))
        return parse_error();
    return info;
}

// +QCAINFO: "PCC"|"SCC",<freq>,<bandwidth>,<band>,<state>,<PCID>,<RSRP>,<RSRQ>,<RSSI>,<SINR>
// [,<UL_configured>,<UL_bandwidth>,<UL_EARFCN>]. NR carriers on RM50x print only
// <freq>,<bandwidth>,<band>,<PCID>; their bandwidth is the NR enum, not resource blocks, and
// their long form is not decoded past the PCID.
Result<std::vector<CarrierComponent>> parse_qcainfo(const std::vector<std::string>& lines)
{
    auto found = all_prefixed(lines, "+QCAINFO:");
    if (found.empty())
        return not_found();
    std::vector<CarrierComponent> carriers;
    for (auto rest : found) {
        auto fields = split_fields(rest);
        if (fields.size() < 4)
            return parse_error();
        auto role = to_upper(unquote(fields[0]));
        if (role != "PCC" && role != "SCC")
            return parse_error();
        CarrierComponent carrier;
        carrier.primary = role == "PCC";
        auto earfcn = to_int(fields[1]);
        auto bandwidth = to_int(fields[2]);
        if (!earfcn || !bandwidth)
            return parse_error();
        carrier.earfcn = *earfcn;
        carrier.bandwidth_rb = *bandwidth;
        carrier.band = std::string(unquote(fields[3]));
        bool ok = true;
        bool nr = carrier.band.find("NR5G") != std::string::npos;
        if (fields.size() == 5) {
            ok = optional_int(fields[4], carrier.pci);
        } else if (fields.size() >= 6) {
            ok = optional_int(fields[4], carrier.state) && optional_int(fields[5], carrier.pci);
            if (!nr && fields.size() >= 10)
                ok = ok && optional_int(fields[6], carrier.rsrp_dbm)
                    && optional_int(fields[7], carrier.rsrq_db)
                    && optional_int(fields[8], carrier.rssi_dbm)
                    && optional_int(fields[9], carrier.sinr_db);
        }
        if (!ok)
            return parse_error();
        carriers.push_back(std::move(carrier));
    }
    return carriers;
}

// +QRSRP: <PRX>,<DRX>,<RX2>,<RX3>,<sysmode>; an absent chain reads -140 or -32768. With
// EN-DC the modem prints an LTE and an NR5G line; the first one is returned.
Result<AntennaRsrp> parse_qrsrp(const std::vector<std::string>& lines)
{
    auto rest = find_prefixed(lines, "+QRSRP:");
    if (!rest)
        return not_found();
    auto fields = split_fields(*rest);
    AntennaRsrp antennas;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        auto field = fields[i];
        auto value = to_int(field);
        if (!value) {
            bool last = i + 1 == fields.size();
            if (field == "-")
                antennas.rsrp_dbm.emplace_back();
            else if (last && !field.empty())
                antennas.technology = std::string(unquote(field));
            else
                return parse_error();
            continue;
        }
        if (*value <= -140 || *value >= 0)
            antennas.rsrp_dbm.emplace_back();
        else
            antennas.rsrp_dbm.emplace_back(*value);
    }
    if (antennas.rsrp_dbm.empty())
        return parse_error();
    return antennas;
}

namespace {

bool mask_field(std::string_view field, std::string& out)
{
    auto text = unquote(field);
    if (starts_with_ignoring_case(text, "0x"))
        text.remove_prefix(2);
    if (!is_hex_digits(text) || text.size() > 64)
        return false;
    out = std::string(text);
    return true;
}

} // namespace

std::vector<int> bands_of_mask(std::string_view mask)
{
    std::vector<int> bands;
    int bit = 0;
    for (auto digit = mask.rbegin(); digit != mask.rend(); ++digit) {
        char c = *digit;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return {};
        int value = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        for (int k = 0; k < 4; ++k, ++bit)
            if (value & (1 << k))
                bands.push_back(bit + 1);
    }
    return bands;
}

// +QCFG: "band",<GW band mask>,<LTE band mask>[,<TD-SCDMA band mask>] (hex with "0x")
Result<BandConfiguration> parse_qcfg_band(const std::vector<std::string>& lines)
{
    for (auto rest : all_prefixed(lines, "+QCFG:")) {
        auto fields = split_fields(rest);
        if (!equals_ignoring_case(unquote(fields[0]), "band"))
            continue;
        BandConfiguration configuration;
        if (fields.size() < 3 || !mask_field(fields[1], configuration.gw_mask)
            || !mask_field(fields[2], configuration.lte_mask))
            return parse_error();
        if (fields.size() > 3 && !mask_field(fields[3], configuration.tds_mask))
            return parse_error();
        configuration.lte_bands = bands_of_mask(configuration.lte_mask);
        return configuration;
    }
    return not_found();
}

Result<std::string> parse_qnwprefcfg(const std::vector<std::string>& lines, std::string_view item)
{
    for (auto rest : all_prefixed(lines, "+QNWPREFCFG:")) {
        auto fields = split_fields(rest);
        if (!equals_ignoring_case(unquote(fields[0]), item))
            continue;
        if (fields.size() != 2 || unquote(fields[1]).empty())
            return parse_error();
        return std::string(unquote(fields[1]));
    }
    return not_found();
}

Result<std::vector<int>> parse_band_list(std::string_view text)
{
    std::vector<int> bands;
    for (std::size_t start = 0;;) {
        auto end = text.find(':', start);
        auto band = to_int(text.substr(start, end - start));
        if (!band || *band < 1)
            return parse_error();
        bands.push_back(*band);
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    std::sort(bands.begin(), bands.end());
    bands.erase(std::unique(bands.begin(), bands.end()), bands.end());
    return bands;
}

// +QCFG: "nwscanmode",<scanmode>: 0 automatic, 1 GSM only, 2 WCDMA only, 3 LTE only
Result<int> parse_qcfg_nwscanmode(const std::vector<std::string>& lines)
{
    for (auto rest : all_prefixed(lines, "+QCFG:")) {
        auto fields = split_fields(rest);
        if (!equals_ignoring_case(unquote(fields[0]), "nwscanmode"))
            continue;
        auto mode = fields.size() >= 2 ? to_int(fields[1]) : std::nullopt;
        if (!mode || *mode < 0)
            return parse_error();
        return *mode;
    }
    return not_found();
}

} // namespace uplink::at
