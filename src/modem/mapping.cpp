#include "modem/mapping.hpp"

#include <algorithm>
#include <array>

namespace uplink::modem {

RegistrationState registration_state_of(at::RegistrationStatus status)
{
    // 3GPP TS 27.007 §7.2/§10.1.22 <stat>. "CSFB not preferred" (9, 10) is a full EPS
    // registration that only tells how voice calls go: data works, so it counts as registered.
    // SMS-only (6, 7), emergency-only (8) and RLOS (11) registrations carry no data.
    switch (status) {
    case at::RegistrationStatus::NotRegistered:
        return RegistrationState::Idle;
    case at::RegistrationStatus::Home:
        return RegistrationState::Home;
    case at::RegistrationStatus::Searching:
        return RegistrationState::Searching;
    case at::RegistrationStatus::Denied:
        return RegistrationState::Denied;
    case at::RegistrationStatus::Unknown:
        return RegistrationState::Unknown;
    case at::RegistrationStatus::Roaming:
    case at::RegistrationStatus::CsfbNotPreferredRoaming:
        return RegistrationState::Roaming;
    case at::RegistrationStatus::CsfbNotPreferredHome:
        return RegistrationState::Home;
    case at::RegistrationStatus::SmsOnlyHome:
    case at::RegistrationStatus::SmsOnlyRoaming:
    case at::RegistrationStatus::Emergency:
    case at::RegistrationStatus::RestrictedLocalServices:
        return RegistrationState::Idle;
    }
    return RegistrationState::Unknown;
}

Technology technology_of(at::AccessTechnology technology)
{
    // 3GPP TS 27.007 §7.3 <AcT>
    switch (technology) {
    case at::AccessTechnology::Gsm:
    case at::AccessTechnology::GsmCompact:
    case at::AccessTechnology::GsmEgprs:
    case at::AccessTechnology::EcGsmIot:
        return Technology::Gsm;
    case at::AccessTechnology::Utran:
    case at::AccessTechnology::UtranHsdpa:
    case at::AccessTechnology::UtranHsupa:
    case at::AccessTechnology::UtranHspa:
        return Technology::Umts;
    case at::AccessTechnology::Eutran:
    case at::AccessTechnology::EutranNbIot:
    case at::AccessTechnology::EutranNr:
        return Technology::Lte; // 10: E-UTRA attached to a 5G core
    case at::AccessTechnology::Nr:
    case at::AccessTechnology::NgRan:
        return Technology::Nr5gSa;
    case at::AccessTechnology::EutranNrDual:
        return Technology::Nr5gNsa; // 13: EN-DC
    case at::AccessTechnology::Unknown:
        return Technology::Unknown;
    }
    return Technology::Unknown;
}

Technology technology_of(std::string_view text)
{
    if (text.find("NR5G-NSA") != std::string_view::npos)
        return Technology::Nr5gNsa;
    if (text.find("NR5G") != std::string_view::npos || text.find("NR") == 0)
        return Technology::Nr5gSa;
    if (text.find("LTE") != std::string_view::npos)
        return Technology::Lte;
    if (text.find("WCDMA") != std::string_view::npos || text.find("HSPA") != std::string_view::npos
        || text.find("UMTS") != std::string_view::npos
        || text.find("TDSCDMA") != std::string_view::npos)
        return Technology::Umts;
    if (text.find("GSM") != std::string_view::npos || text.find("EDGE") != std::string_view::npos
        || text.find("GPRS") != std::string_view::npos)
        return Technology::Gsm;
    return Technology::Unknown;
}

SimState sim_state_of(at::PinState state)
{
    switch (state) {
    case at::PinState::Ready:
        return SimState::Ready;
    case at::PinState::SimPin:
        return SimState::PinRequired;
    case at::PinState::SimPuk:
        return SimState::PukRequired;
    // PIN2/PUK2 guard only some SIM files; the SIM itself is usable.
    case at::PinState::SimPin2:
    case at::PinState::SimPuk2:
        return SimState::Ready;
    case at::PinState::PhSimPin:
    case at::PinState::PhNetPin:
    case at::PinState::PhNetPuk:
    case at::PinState::Other:
        return SimState::Error;
    }
    return SimState::Unknown;
}

State state_of(RegistrationState registration)
{
    switch (registration) {
    case RegistrationState::Home:
    case RegistrationState::Roaming:
        return State::Registered;
    case RegistrationState::Searching:
        return State::Searching;
    case RegistrationState::Idle:
    case RegistrationState::Denied:
    case RegistrationState::Unknown:
        return State::Enabled;
    }
    return State::Enabled;
}

bool is_cme(const Error& error, int code)
{
    return error.category() == at::cme_category() && error.value() == code;
}

bool is_refusal(const Error& error)
{
    return error == at::Errc::Error || error.category() == at::cme_category();
}

std::optional<SimFailure> sim_failure_of(const Error& error)
{
    if (error.category() != at::cme_category())
        return std::nullopt;
    switch (error.value()) {
    case 10:
        return SimFailure {SimState::Missing, FailedReason::SimMissing};
    case 12:
        return SimFailure {SimState::PukRequired, FailedReason::PukRequired};
    case 13:
    case 15:
        return SimFailure {SimState::Error, FailedReason::SimError};
    default:
        return std::nullopt;
    }
}

std::string operator_id_from_imsi(std::string_view imsi)
{
    static constexpr std::array<std::string_view, 25> three_digit_mnc {"302", "310", "311", "312",
        "313", "314", "315", "316", "334", "338", "342", "344", "346", "348", "354", "356", "358",
        "360", "365", "376", "405", "708", "722", "732", "750"};
    if (imsi.size() < 6 || imsi.find_first_not_of("0123456789") != std::string_view::npos)
        return {};
    auto mcc = imsi.substr(0, 3);
    bool three
        = std::find(three_digit_mnc.begin(), three_digit_mnc.end(), mcc) != three_digit_mnc.end();
    return std::string(imsi.substr(0, three ? 6 : 5));
}

std::optional<std::size_t> best_registration(
    const std::vector<std::optional<at::Registration>>& candidates)
{
    auto rank = [](const at::Registration& registration) {
        switch (registration_state_of(registration.status)) {
        case RegistrationState::Home:
        case RegistrationState::Roaming:
            return 3;
        case RegistrationState::Searching:
            return 2;
        case RegistrationState::Denied:
            return 1;
        default:
            return 0;
        }
    };
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        if (candidates[i] && (!best || rank(*candidates[i]) >= rank(*candidates[*best])))
            best = i;
    return best;
}

Registration registration_from(const at::Registration& registration, Technology fallback)
{
    Registration result;
    result.state = registration_state_of(registration.status);
    result.technology
        = registration.technology ? technology_of(*registration.technology) : fallback;
    result.tac = registration.area;
    result.cell_id = registration.cell_id;
    return result;
}

void apply_signal_quality(const at::SignalQuality& quality, Signal& signal)
{
    signal.rssi_dbm = quality.rssi_dbm;
}

// 3GPP TS 27.007 §8.69: 255 is "not known or not detectable"; the parser gives none for it,
// and none replaces what the signal had.
void apply_extended_signal_quality(const at::ExtendedSignalQuality& quality, Signal& signal)
{
    signal.rsrp_dbm = quality.rsrp_dbm;
    signal.rsrq_db.reset();
    if (quality.rsrq_db)
        signal.rsrq_db = static_cast<int>(*quality.rsrq_db);
}

Signal signal_from(const SignalReplies& replies)
{
    Signal signal;
    if (replies.csq)
        apply_signal_quality(*replies.csq, signal);
    if (replies.serving_cell)
        apply_serving_cell(*replies.serving_cell, signal);
    else if (replies.cesq)
        apply_extended_signal_quality(*replies.cesq, signal);
    signal.carriers = carriers_from(replies.carriers);
    if (replies.antennas)
        signal.antenna_rsrp_dbm = replies.antennas->rsrp_dbm;
    return signal;
}

void apply_serving_cell(const at::ServingCell& cell, Signal& signal)
{
    if (cell.technology.empty()) { // "SEARCH": no cell, nothing measured
        signal.rsrp_dbm.reset();
        signal.rsrq_db.reset();
        signal.sinr_db.reset();
        signal.band.reset();
        signal.earfcn.reset();
        signal.pci.reset();
        return;
    }
    signal.rsrp_dbm = cell.rsrp_dbm;
    signal.rsrq_db = cell.rsrq_db;
    signal.sinr_db = cell.sinr_db;
    signal.band = cell.band;
    signal.earfcn = cell.earfcn;
    signal.pci = cell.pci;
    if (cell.rssi_dbm)
        signal.rssi_dbm = cell.rssi_dbm;
}

std::vector<Carrier> carriers_from(const std::vector<at::CarrierComponent>& components)
{
    std::vector<Carrier> carriers;
    for (const auto& component : components) {
        Carrier carrier;
        carrier.primary = component.primary;
        carrier.band = component.band;
        carrier.earfcn = component.earfcn;
        carrier.bandwidth_rb = component.bandwidth_rb;
        carrier.pci = component.pci;
        carrier.rsrp_dbm = component.rsrp_dbm;
        carrier.rsrq_db = component.rsrq_db;
        carrier.sinr_db = component.sinr_db;
        carriers.push_back(std::move(carrier));
    }
    return carriers;
}

bool same_values(const Signal& a, const Signal& b)
{
    auto same_carrier = [](const Carrier& x, const Carrier& y) {
        return x.primary == y.primary && x.band == y.band && x.earfcn == y.earfcn
            && x.bandwidth_rb == y.bandwidth_rb && x.pci == y.pci && x.rsrp_dbm == y.rsrp_dbm
            && x.rsrq_db == y.rsrq_db && x.sinr_db == y.sinr_db;
    };
    return a.rssi_dbm == b.rssi_dbm && a.rsrp_dbm == b.rsrp_dbm && a.rsrq_db == b.rsrq_db
        && a.sinr_db == b.sinr_db && a.band == b.band && a.earfcn == b.earfcn && a.pci == b.pci
        && std::equal(a.carriers.begin(), a.carriers.end(), b.carriers.begin(), b.carriers.end(),
            same_carrier);
}

bool same_values(const Registration& a, const Registration& b)
{
    return a.state == b.state && a.technology == b.technology && a.operator_name == b.operator_name
        && a.operator_id == b.operator_id && a.tac == b.tac && a.cell_id == b.cell_id;
}

bool same_values(const Sim& a, const Sim& b)
{
    return a.state == b.state && a.iccid == b.iccid && a.imsi == b.imsi
        && a.operator_id == b.operator_id && a.pin_retries == b.pin_retries
        && a.puk_retries == b.puk_retries && a.pin_enabled == b.pin_enabled;
}

std::optional<at::SignalQuality> parse_qind_csq(std::string_view line)
{
    constexpr std::string_view prefix = "+QIND: \"csq\",";
    if (!line.starts_with(prefix))
        return std::nullopt;
    auto quality = at::parse_csq({"+CSQ: " + std::string(line.substr(prefix.size()))});
    if (!quality)
        return std::nullopt;
    return *quality;
}

std::string short_iccid(std::string_view iccid)
{
    if (iccid.size() <= 8)
        return std::string(iccid);
    return fmt::format("{}…{}", iccid.substr(0, 4), iccid.substr(iccid.size() - 4));
}

} // namespace uplink::modem
