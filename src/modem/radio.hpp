// Radio controls: a profile's RAT preference and band locks in Quectel's dialects (AT+QCFG=
// "nwscanmode" and "band" on LTE modules, AT+QNWPREFCFG on 5G ones) and QMI's (NAS System
// Selection Preference), operator
// scan results, and the memory of the settings a modem had before uplink changed them. Pure
// functions, except RadioMemory's file.
#pragma once

#include "modem/modem.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::modem {

// Quectel's <scanmode>: 0 automatic, 1 GSM only, 2 WCDMA only, 3 LTE only; none for 5G.
std::optional<int> nwscanmode_of(RatPreference preference);
std::optional<RatPreference> rat_of_nwscanmode(int scanmode);

// Quectel's "mode_pref": AUTO, NR5G, LTE, WCDMA, GSM. Several joined by ':' (LTE:NR5G) is none
// of ours.
std::string_view mode_pref_of(RatPreference preference);
std::optional<RatPreference> rat_of_mode_pref(std::string_view mode);

// QMI's mode preference for one RAT (qmi::rat_mode bits); none for Auto. A mode of several RATs
// is automatic.
std::optional<std::uint16_t> qmi_mode_of(RatPreference preference);
RatPreference rat_of_qmi_mode(std::uint16_t mode);

// The mask for these bands: hex without "0x" (AT+QCFG="band"'s set form), bit n-1 for band n.
std::string band_mask_of(const std::vector<int>& bands);
// QMI's 64-bit LTE band preference as that hex text, and back (none past band 64).
std::string lte_mask_of_qmi_bands(std::uint64_t bands);
std::optional<std::uint64_t> qmi_lte_bands_of(std::string_view mask);

NetworkEntry network_entry_of(const at::OperatorEntry& entry);

// What a modem had before uplink first changed a radio setting (its LTE band mask, its QMI mode
// preference), per IMEI, so that going back to the default gives that back. It cannot be worked
// out instead: a firmware enables only the bands and RATs it has, and variants of one model
// (EC25-E, EC25-A...) differ. <state_dir>/radio-defaults holds "<IMEI> <setting> <value>" lines.
class RadioMemory {
public:
    // The value by IMEI and setting.
    using Values = std::map<std::pair<std::string, std::string>, std::string>;

    explicit RadioMemory(std::string path) : path_(std::move(path)) {}

    // The value to restore, "" when uplink has not changed it. A corrupt file is an error.
    Result<std::string> original(std::string_view imei, std::string_view setting) const;
    // Keeps a first record: a later change does not replace the modem's own value.
    Result<void> remember(std::string_view imei, std::string_view setting, std::string_view value);
    Result<void> forget(std::string_view imei, std::string_view setting);

    const std::string& path() const { return path_; }

private:
    Result<Values> read() const;
    Result<void> write(const Values& values) const;

    std::string path_;
};

// The file's text: EILSEQ for a line that is not "<IMEI> <setting> <value>", as RadioMemory writes.
Result<RadioMemory::Values> parse_radio_defaults(std::string_view text);
std::string radio_defaults_text(const RadioMemory::Values& values);

} // namespace uplink::modem
