// Signal parsers of 3GPP TS 27.007: AT+CSQ and AT+CESQ.
#include "at/at.hpp"
#include "at/parse_util.hpp"

namespace uplink::at {

// 3GPP TS 27.007 §8.5: +CSQ: <rssi>,<ber>. <rssi> 0..31 is -113 + 2*<rssi> dBm, 99 unknown;
// 100..191 are TD-SCDMA levels (-116..-25 dBm, as Quectel documents them).
Result<SignalQuality> parse_csq(const std::vector<std::string>& lines)
{
    auto rest = find_prefixed(lines, "+CSQ:");
    if (!rest)
        return not_found();
    auto fields = split_fields(*rest);
    if (fields.size() < 2)
        return parse_error();
    auto rssi = to_int(fields[0]);
    auto ber = to_int(fields[1]);
    if (!rssi || !ber)
        return parse_error();
    SignalQuality quality;
    if (*rssi >= 0 && *rssi <= 31)
        quality.rssi_dbm = -113 + 2 * *rssi;
    else if (*rssi >= 100 && *rssi <= 191)
        quality.rssi_dbm = -216 + *rssi;
    if (*ber >= 0 && *ber <= 7)
        quality.bit_error_rate = *ber;
    return quality;
}

// 3GPP TS 27.007 §8.69: +CESQ: <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp>[,<ss_rsrq>,<ss_rsrp>,
// <ss_sinr>]. Each is a level; the dB(m) value is the lower edge of the level's range.
// Out-of-range levels (99/255 mean "not known") give no value.
Result<ExtendedSignalQuality> parse_cesq(const std::vector<std::string>& lines)
{
    auto rest = find_prefixed(lines, "+CESQ:");
    if (!rest)
        return not_found();
    auto fields = split_fields(*rest);
    if (fields.size() < 6)
        return parse_error();
    int level[6] = {};
    for (int i = 0; i < 6; ++i) {
        auto value = to_int(fields[static_cast<std::size_t>(i)]);
        if (!value)
            return parse_error();
        level[i] = *value;
    }
    ExtendedSignalQuality quality;
    if (level[0] >= 0 && level[0] <= 63)
        quality.rxlev_dbm = -111 + level[0];
    if (level[1] >= 0 && level[1] <= 7)
        quality.bit_error_rate = level[1];
    if (level[2] >= 0 && level[2] <= 96)
        quality.rscp_dbm = -121 + level[2];
    if (level[3] >= 0 && level[3] <= 49)
        quality.ecno_db = -24.5 + 0.5 * level[3];
    if (level[4] >= 0 && level[4] <= 34)
        quality.rsrq_db = -20.0 + 0.5 * level[4];
    if (level[5] >= 0 && level[5] <= 97)
        quality.rsrp_dbm = -141 + level[5];
    return quality;
}

} // namespace uplink::at
