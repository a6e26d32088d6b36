// Pure mapping from parsed AT values (at::) to what a Snapshot shows (modem::). No I/O.
#pragma once

#include "modem/modem.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::modem {

RegistrationState registration_state_of(at::RegistrationStatus status);
Technology technology_of(at::AccessTechnology technology);
// QENG/QNWINFO technology text: "LTE", "FDD LTE", "NR5G-SA", "NR5G-NSA", "WCDMA", "GSM".
Technology technology_of(std::string_view text);
SimState sim_state_of(at::PinState state);

// The modem state that a registration means once the radio is on.
State state_of(RegistrationState registration);

// +CME ERROR codes that describe the SIM (3GPP TS 27.007 §9.2.1): 10 not inserted, 12 PUK
// required, 13 failure, 15 wrong SIM.
struct SimFailure {
    SimState sim = SimState::Error;
    FailedReason reason = FailedReason::SimError;
};
std::optional<SimFailure> sim_failure_of(const Error& error);
bool is_cme(const Error& error, int code);
// The modem refused the command (ERROR, +CME ERROR), as a modem does with one it does not know.
bool is_refusal(const Error& error);

// MCC + MNC from an IMSI. The MNC length is not in the IMSI (it is in the SIM's EF_AD); these MCCs
// use 3-digit MNCs (ITU-T E.212 assignments for North America, parts of Latin America and India).
std::string operator_id_from_imsi(std::string_view imsi);

// The registration to show, as an index into `candidates` (CREG, CGREG, CEREG in that order): a
// registered one first, else searching, else denied, else any; on a tie the later (EPS before GPRS
// before CS).
std::optional<std::size_t> best_registration(
    const std::vector<std::optional<at::Registration>>& candidates);

Registration registration_from(const at::Registration& registration, Technology fallback);

// The parsed replies of one signal poll; a reply that did not come, was refused or did not parse
// is none (or empty).
struct SignalReplies {
    std::optional<at::SignalQuality> csq;
    std::optional<at::ServingCell> serving_cell; // AT+QENG="servingcell"
    std::optional<at::ExtendedSignalQuality> cesq;
    std::vector<at::CarrierComponent> carriers; // AT+QCAINFO
    std::optional<at::AntennaRsrp> antennas; // AT+QRSRP
};
// The signal as one poll measured it. A value the modem stopped reporting (SINR "-" in one
// QENG reply, or a reply that failed) is none, never the one an earlier poll saw.
Signal signal_from(const SignalReplies& replies);

void apply_signal_quality(const at::SignalQuality& quality, Signal& signal);
void apply_extended_signal_quality(const at::ExtendedSignalQuality& quality, Signal& signal);
void apply_serving_cell(const at::ServingCell& cell, Signal& signal);
std::vector<Carrier> carriers_from(const std::vector<at::CarrierComponent>& components);

// Equal in every value a person sees (the update time is not compared).
bool same_values(const Signal& a, const Signal& b);
bool same_values(const Registration& a, const Registration& b);
bool same_values(const Sim& a, const Sim& b);

// +QIND: "csq",<rssi>,<ber> (Quectel, after AT+QINDCFG="csq",1) read with the +CSQ parser.
std::optional<at::SignalQuality> parse_qind_csq(std::string_view line);

// "8944…1234": enough of an ICCID to tell SIMs apart in a message, without printing it whole.
std::string short_iccid(std::string_view iccid);

} // namespace uplink::modem
