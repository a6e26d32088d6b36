// The record of PINs that SIM cards refused, so that no restart or replug sends one again.
// <state_dir>/pin-failures: one line per (SIM, PIN) with a salted SHA-256 of the PIN, never the
// PIN.
#pragma once

#include "modem/modem.hpp"

#include <string>
#include <string_view>

namespace uplink::modem {

enum class PinRecord {
    None, // never tried on this SIM (or it worked)
    Refused, // the SIM said "incorrect password" (or asked for the PUK) after this PIN
    Interrupted, // sent, but no answer was recorded (crash, unplug, hung port): treated as refused
};
std::string_view to_string(PinRecord record);

// One line of the file: a SIM, what its card said, and a salted SHA-256 of the PIN.
struct PinFailureLine {
    std::string sim_key;
    PinRecord record = PinRecord::Refused;
    std::string salt; // 32 hex digits
    std::string hash; // 64 hex digits
    bool operator==(const PinFailureLine&) const = default;
};

// The lines of the file's text, or Errc::PinStoreUnreadable with `problem` naming `path` and the
// line that does not parse.
Result<std::vector<PinFailureLine>> parse_pin_failures(
    std::string_view text, std::string_view path, std::string* problem);
// The file's text for `lines`, with its explanatory comment and header.
std::string pin_failures_text(const std::vector<PinFailureLine>& lines);

class PinFailureStore {
public:
    explicit PinFailureStore(std::string path);

    // What is known about `pin` on the SIM `sim_key` (its ICCID, or "imei:<IMEI>" when the ICCID is
    // unreadable). A corrupt file is an error (Errc::PinStoreUnreadable), with `problem` saying
    // where: it is never read as "no record", because that would allow a retry.
    Result<PinRecord> lookup(
        std::string_view sim_key, std::string_view pin, std::string* problem = nullptr) const;

    // Before AT+CPIN=: an Interrupted record, replaced by the outcome once the SIM answers.
    Result<void> record_attempt(std::string_view sim_key, std::string_view pin);
    Result<void> record_refused(std::string_view sim_key, std::string_view pin);
    Result<void> record_accepted(
        std::string_view sim_key, std::string_view pin); // drops the record

    const std::string& path() const { return path_; }

private:
    Result<void> update(std::string_view sim_key, std::string_view pin, PinRecord record);

    std::string path_;
};

} // namespace uplink::modem
