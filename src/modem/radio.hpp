// Radio controls: a profile's RAT preference and LTE band lock in Quectel's dialect
// (AT+QCFG="nwscanmode", AT+QCFG="band"), operator scan results, and the memory of the band mask a
// modem had before uplink locked it. Pure functions, except BandMemory's file.
#pragma once

#include "modem/modem.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::modem {

// Quectel's <scanmode>: 0 automatic, 1 GSM only, 2 WCDMA only, 3 LTE only.
int nwscanmode_of(RatPreference preference);
std::optional<RatPreference> rat_of_nwscanmode(int scanmode);

// The LTE mask for these bands: hex without "0x" (the set form's), bit n-1 for band n.
std::string lte_mask_of(const std::vector<int>& bands);

NetworkEntry network_entry_of(const at::OperatorEntry& entry);

// The LTE band mask a modem had before uplink first locked it, per IMEI, so that clearing the lock
// gives that back. It cannot be worked out instead: a firmware enables only the bands it has, and
// variants of one model (EC25-E, EC25-A...) have different ones. <state_dir>/lte-bands holds one
// "<IMEI> <mask>" line per locked modem.
class BandMemory {
public:
    explicit BandMemory(std::string path) : path_(std::move(path)) {}

    // The mask to restore, "" when uplink has not locked this modem. A corrupt file is an error.
    Result<std::string> original(std::string_view imei) const;
    Result<void> remember(std::string_view imei, std::string_view mask);   // keeps a first record
    Result<void> forget(std::string_view imei);

    const std::string& path() const { return path_; }

private:
    Result<std::map<std::string, std::string>> read() const;
    Result<void> write(const std::map<std::string, std::string>& masks) const;

    std::string path_;
};

} // namespace uplink::modem
