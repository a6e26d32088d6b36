// The modem's state machine: boot, SIM, registration, the timeline and control actions.
#include "sim/modem.hpp"

#include "sim/qmi_message.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <iterator>

namespace uplink::sim {

// ---------------------------------------------------------------- SIM card
SimCard::Check SimCard::verify_pin(std::string_view pin)
{
    if (pin_blocked() || blocked())
        return Check::Wrong;
    if (pin == spec_.pin) {
        spec_.pin_retries = pin_tries;
        return Check::Correct;
    }
    --spec_.pin_retries;
    return Check::Wrong;
}

SimCard::Check SimCard::change_pin(std::string_view old_pin, std::string_view new_pin)
{
    if (verify_pin(old_pin) == Check::Wrong)
        return Check::Wrong;
    spec_.pin = std::string(new_pin);
    return Check::Correct;
}

SimCard::Check SimCard::unblock(std::string_view puk, std::string_view new_pin)
{
    if (blocked())
        return Check::Wrong;
    if (puk == spec_.puk) {
        spec_.pin = std::string(new_pin);
        spec_.pin_retries = pin_tries;
        spec_.puk_retries = puk_tries;
        return Check::Correct;
    }
    --spec_.puk_retries;
    return Check::Wrong;
}

// ---------------------------------------------------------------- names
std::string_view to_string(SimState state)
{
    switch (state) {
    case SimState::Absent:
        return "absent";
    case SimState::Initializing:
        return "initializing";
    case SimState::PinRequired:
        return "pin-required";
    case SimState::PukRequired:
        return "puk-required";
    case SimState::Blocked:
        return "blocked";
    case SimState::Ready:
        return "ready";
    }
    return "unknown";
}

std::string_view to_string(RegistrationStatus status)
{
    switch (status) {
    case RegistrationStatus::NotRegistered:
        return "not-registered";
    case RegistrationStatus::Home:
        return "home";
    case RegistrationStatus::Searching:
        return "searching";
    case RegistrationStatus::Denied:
        return "denied";
    case RegistrationStatus::Unknown:
        return "unknown";
    case RegistrationStatus::Roaming:
        return "roaming";
    }
    return "unknown";
}

std::string_view to_string(Functionality functionality)
{
    switch (functionality) {
    case Functionality::Minimum:
        return "minimum";
    case Functionality::Full:
        return "full";
    case Functionality::Airplane:
        return "airplane";
    }
    return "unknown";
}

std::string frame(std::string_view line)
{
    return fmt::format("\r\n{}\r\n", line);
}

Surroundings initial_surroundings(const ModemSpec& spec)
{
    Surroundings surroundings;
    surroundings.radio = spec.radio;
    surroundings.nv.gw_mask = spec.gw_band_mask;
    for (int band : spec.lte_bands)
        if (band >= 1 && band <= 128)
            surroundings.nv.lte_mask.set(static_cast<std::size_t>(band - 1));
    const auto& nr_bands = spec.profile->nr_bands;
    surroundings.nv.nr5g_bands.insert(nr_bands.begin(), nr_bands.end());
    surroundings.nv.nsa_nr5g_bands = surroundings.nv.nr5g_bands;
    return surroundings;
}

// ---------------------------------------------------------------- life cycle
Modem::Modem(ModemSpec spec, std::vector<Operator> operators, std::optional<SimCard> card,
    Surroundings surroundings, Clock::time_point start, Clock::time_point now)
    : spec_(std::move(spec))
    , operators_(std::move(operators))
    , card_(std::move(card))
    , surroundings_(std::move(surroundings))
    , now_(now)
{
    for (std::size_t index = 0; index < spec_.timeline.size(); ++index) {
        auto when = start + spec_.timeline[index].after;
        if (when > now)
            events_.emplace(when, Event {EventKind::Timeline, 0, index, {}, {}});
    }
    schedule(spec_.timings.boot, EventKind::Boot, boot_generation_);
}

void Modem::schedule(Duration after, EventKind kind, unsigned generation, std::size_t index)
{
    events_.emplace(now_ + after, Event {kind, generation, index, {}, {}});
}

std::optional<Clock::time_point> Modem::next_deadline() const
{
    if (events_.empty())
        return std::nullopt;
    return events_.begin()->first;
}

std::vector<std::string> Modem::advance(Clock::time_point now)
{
    std::vector<std::string> out;
    while (!events_.empty() && events_.begin()->first <= now) {
        auto node = events_.extract(events_.begin());
        now_ = node.key();
        handle(node.mapped());
        for (auto& line : urcs_)
            out.push_back(frame(line));
        urcs_.clear();
        std::move(indications_.begin(), indications_.end(), std::back_inserter(indications_due_));
        indications_.clear();
    }
    now_ = std::max(now_, now);
    return out;
}

void Modem::queue_emitted(Clock::time_point when)
{
    for (auto& line : urcs_)
        events_.emplace(when, Event {EventKind::Urc, 0, 0, std::move(line), {}});
    urcs_.clear();
    for (auto& message : indications_)
        events_.emplace(when, Event {EventKind::Indication, 0, 0, {}, std::move(message)});
    indications_.clear();
}

void Modem::handle(const Event& event)
{
    switch (event.kind) {
    case EventKind::Boot:
        if (event.generation == boot_generation_)
            boot_completed();
        break;
    case EventKind::SimInit:
        if (event.generation == sim_generation_ && booted_)
            sim_initialized();
        break;
    case EventKind::SimFiles:
        // Quectel: SMS and phonebook initialization finish after the SIM is unlocked.
        if (event.generation == sim_generation_ && sim_state() == SimState::Ready)
            for (auto urc : spec_.profile->dialect.sim_files_urcs)
                emit(std::string(urc));
        break;
    case EventKind::Attach:
        if (event.generation == attach_generation_) {
            attach_pending_ = false;
            if (can_register())
                set_registration(attached_status());
            else
                update_registration();
        }
        break;
    case EventKind::Timeline: {
        auto before = surroundings_.radio;
        spec_.timeline[event.index].set.apply_to(surroundings_.radio);
        radio_changed(before);
        break;
    }
    case EventKind::Urc:
        emit(event.text);
        break;
    case EventKind::Indication:
        indicate(event.indication);
        break;
    }
}

void Modem::boot_completed()
{
    booted_ = true;
    if (!spec_.profile->dialect.ready_urc.empty()) // Quectel: RDY
        emit(std::string(spec_.profile->dialect.ready_urc));
    // After a reset the modem tells QMI clients that every CID is gone (CTL Sync indication,
    // modem-protocols.md §1.1; uqmi cancels its requests on it).
    if (boot_generation_ > 0)
        indicate(indication(qmi::Service::Ctl, 0, qmi::ctl::sync));
    ++sim_generation_;
    if (card_)
        schedule(spec_.timings.sim_init, EventKind::SimInit, sim_generation_);
}

// The boot (or insertion) sequence: +CPIN: <state>, and on an EC25 +QUSIM: 1, then SMS/PB
// DONE once the SIM is unlocked (modem-protocols.md §4.6). Whether an MC7455 reports its SIM
// unasked is not known here: it gets the +CPIN: lines, which 27.007 does not define as URCs
// but clients that watch for them (uplinkd, ModemManager) take.
void Modem::sim_initialized()
{
    sim_initialized_ = true;
    switch (sim_state()) {
    case SimState::Ready:
        emit("+CPIN: READY");
        break;
    case SimState::PinRequired:
        emit("+CPIN: SIM PIN");
        break;
    case SimState::PukRequired:
        emit("+CPIN: SIM PUK");
        break;
    default:
        break;
    }
    for (auto urc : spec_.profile->dialect.sim_present_urcs)
        emit(std::string(urc));
    card_status_changed();
    if (sim_state() == SimState::Ready)
        schedule(spec_.timings.sim_init, EventKind::SimFiles, sim_generation_);
    update_registration();
}

void Modem::unlock_sim()
{
    sim_unlocked_ = true;
    emit("+CPIN: READY");
    card_status_changed();
    schedule(spec_.timings.sim_init, EventKind::SimFiles, sim_generation_);
    update_registration();
}

// AT+CFUN=1,1: the module restarts; volatile settings return to their defaults.
void Modem::reboot(Duration after)
{
    booted_ = false;
    sim_initialized_ = false;
    sim_unlocked_ = false;
    attach_pending_ = false;
    ++boot_generation_;
    ++sim_generation_;
    ++attach_generation_;
    ports_.clear();
    functionality_ = Functionality::Full;
    operator_mode_ = OperatorMode::Automatic;
    operator_format_ = 0;
    manual_operator_.clear();
    registration_ = RegistrationStatus::NotRegistered;
    creg_mode_ = cgreg_mode_ = cereg_mode_ = 0;
    reset_qmi();
    schedule(after + spec_.timings.boot, EventKind::Boot, boot_generation_);
}

SimState Modem::sim_state() const
{
    if (!card_)
        return SimState::Absent;
    if (!sim_initialized_)
        return SimState::Initializing;
    if (card_->blocked())
        return SimState::Blocked;
    if (card_->pin_blocked())
        return SimState::PukRequired;
    if (card_->spec().pin_enabled && !sim_unlocked_)
        return SimState::PinRequired;
    return SimState::Ready;
}

// ---------------------------------------------------------------- control actions
std::optional<SimCard> Modem::remove_sim(Clock::time_point now)
{
    now_ = std::max(now_, now);
    if (!card_)
        return std::nullopt;
    auto card = std::move(card_);
    card_.reset();
    sim_initialized_ = false;
    sim_unlocked_ = false;
    ++sim_generation_;
    // Quectel AT manual, AT+QSIMDET example: "<Remove (U)SIM card> +CPIN: NOT READY".
    if (booted_) {
        emit("+CPIN: NOT READY");
        card_status_changed();
    }
    update_registration();
    queue_emitted(now_);
    return card;
}

void Modem::insert_sim(SimCard card, Clock::time_point now)
{
    now_ = std::max(now_, now);
    card_ = std::move(card);
    sim_initialized_ = false;
    sim_unlocked_ = false;
    ++sim_generation_;
    if (booted_) {
        schedule(spec_.timings.sim_init, EventKind::SimInit, sim_generation_);
        card_status_changed();
        queue_emitted(now_);
    }
}

void Modem::change_radio(const RadioPatch& patch, Clock::time_point now)
{
    now_ = std::max(now_, now);
    auto before = surroundings_.radio;
    patch.apply_to(surroundings_.radio);
    radio_changed(before);
    queue_emitted(now_);
}

void Modem::set_network_access(NetworkAccess access, Clock::time_point now)
{
    now_ = std::max(now_, now);
    surroundings_.network = access;
    update_registration();
    queue_emitted(now_);
}

// ---------------------------------------------------------------- registration
const Operator* Modem::serving_operator() const
{
    auto found = std::find_if(operators_.begin(), operators_.end(),
        [&](const auto& network) { return network.plmn() == surroundings_.radio.operator_plmn; });
    return found == operators_.end() ? nullptr : &*found;
}

bool Modem::band_enabled(int band) const
{
    return band >= 1 && band <= 128
        && surroundings_.nv.lte_mask.test(static_cast<std::size_t>(band - 1));
}

bool Modem::registered() const
{
    return registration_ == RegistrationStatus::Home
        || registration_ == RegistrationStatus::Roaming;
}

bool Modem::can_register() const
{
    const auto& radio = surroundings_.radio;
    return booted_ && functionality_ == Functionality::Full && sim_state() == SimState::Ready
        && surroundings_.network == NetworkAccess::Allowed && radio.available
        && operator_mode_ != OperatorMode::Deregistered && band_enabled(radio.primary.band)
        && (surroundings_.nv.rats == 0 || (surroundings_.nv.rats & rat_bit::lte) != 0)
        && serving_operator() != nullptr
        && (operator_mode_ != OperatorMode::Manual || manual_operator_ == radio.operator_plmn);
}

// Not registered and not trying (0) when the modem cannot try; searching (2) when it can
// but finds no network that takes it.
RegistrationStatus Modem::idle_status() const
{
    if (!booted_ || functionality_ != Functionality::Full || sim_state() != SimState::Ready
        || operator_mode_ == OperatorMode::Deregistered)
        return RegistrationStatus::NotRegistered;
    return RegistrationStatus::Searching;
}

RegistrationStatus Modem::attached_status() const
{
    const auto& imsi = card_->spec().imsi;
    return imsi.starts_with(surroundings_.radio.operator_plmn) ? RegistrationStatus::Home
                                                               : RegistrationStatus::Roaming;
}

void Modem::update_registration()
{
    if (!can_register()) {
        ++attach_generation_;
        attach_pending_ = false;
        set_registration(idle_status());
        return;
    }
    if (registered()) {
        set_registration(attached_status());
        return;
    }
    if (attach_pending_)
        return;
    set_registration(RegistrationStatus::Searching);
    attach_pending_ = true;
    schedule(spec_.timings.attach, EventKind::Attach, ++attach_generation_);
}

// The cell or network changed under a registered modem: it searches and attaches again.
void Modem::restart_registration()
{
    ++attach_generation_;
    attach_pending_ = false;
    if (registered())
        set_registration(RegistrationStatus::Searching);
    update_registration();
}

void Modem::radio_changed(const Radio& before)
{
    const auto& after = surroundings_.radio;
    if (before.operator_plmn != after.operator_plmn || before.available != after.available
        || before.primary.band != after.primary.band) {
        restart_registration();
        return;
    }
    if (registered() && (before.tac != after.tac || before.cell_id != after.cell_id)) {
        emit_location();
        registration_changed();
    }
    const auto &old_signal = before.primary, &new_signal = after.primary;
    if (old_signal.rsrp != new_signal.rsrp || old_signal.rsrq != new_signal.rsrq
        || old_signal.rssi != new_signal.rssi || old_signal.sinr != new_signal.sinr)
        signal_changed();
}

void Modem::set_registration(RegistrationStatus status)
{
    if (status == registration_)
        return;
    registration_ = status;
    if (creg_mode_ > 0)
        emit(registration_line("+CREG", creg_mode_, false));
    if (cgreg_mode_ > 0)
        emit(registration_line("+CGREG", cgreg_mode_, false));
    if (cereg_mode_ > 0)
        emit(registration_line("+CEREG", cereg_mode_, false));
    registration_changed();
}

// 3GPP TS 27.007 §7.2: with <n>=2 a cell change is reported too.
void Modem::emit_location()
{
    if (creg_mode_ == 2)
        emit(registration_line("+CREG", creg_mode_, false));
    if (cgreg_mode_ == 2)
        emit(registration_line("+CGREG", cgreg_mode_, false));
    if (cereg_mode_ == 2)
        emit(registration_line("+CEREG", cereg_mode_, false));
}

// Read form "+CEREG: 2,1,\"D6E7\",\"844D92A\",7"; URC form without <n>. EC25 reports the LTE
// TAC as <lac> in +CREG/+CGREG too.
std::string Modem::registration_line(std::string_view prefix, int mode, bool with_mode) const
{
    auto line = fmt::format("{}: ", prefix);
    if (with_mode)
        line += fmt::format("{},", mode);
    line += std::to_string(static_cast<int>(registration_));
    if (mode == 2 && registered())
        line += fmt::format(
            ",\"{:04X}\",\"{:X}\",7", surroundings_.radio.tac, surroundings_.radio.cell_id);
    return line;
}

} // namespace uplink::sim
