// The SIM part of a Modem: state, identity, and the PIN safety promise (a PIN is sent at most once
// per SIM, checked against the PinFailureStore before AT+CPIN=, across restarts and replugs).
#include "modem/mapping.hpp"
#include "modem/modem_instance.hpp"

#include <algorithm>

#include <array>

namespace uplink::modem {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr int cme_sim_busy = 14; // 27.007 §9.2.1
constexpr int cme_incorrect_password = 16;
constexpr int cme_sim_puk_required = 12;
constexpr int imsi_attempts = 5;
constexpr Duration sim_busy_pause = 1s;

// Tried after the vendor table's command: one of these answers on most modems.
constexpr std::array<std::string_view, 3> iccid_commands {"AT+QCCID", "AT+ICCID", "AT+CCID"};

std::string sim_failure_message(FailedReason reason)
{
    switch (reason) {
    case FailedReason::SimMissing:
        return "no SIM card: insert one (uplink notices when it is back)";
    case FailedReason::PukRequired:
        return "the SIM is blocked and asks for its PUK: uplink never sends a PIN to a blocked "
               "SIM. "
               "Unblock it with the PUK from the operator";
    default:
        return "the SIM is not working (SIM failure or wrong SIM)";
    }
}

} // namespace

awaitable<Modem::Next> Modem::initialize_sim()
{
    auto next = Next::Proceed;
    Sim sim; // from scratch: another SIM may be in the slot now
    auto reply = co_await transact("AT+CPIN?");
    if (auto failure = failure_of(reply))
        co_return *failure;
    auto error = reply ? at::error_of(reply->final) : reply.error();
    if (error) {
        if (auto failure = sim_failure_of(error)) {
            sim.state = failure->sim;
            if (failure->reason == FailedReason::PukRequired) {
                next = co_await read_iccid(sim);
                if (next != Next::Proceed)
                    co_return next;
            }
            update_sim(std::move(sim));
            set_state(State::Failed, failure->reason, sim_failure_message(failure->reason));
            co_return Next::Wait;
        }
        if (is_cme(error, cme_sim_busy)) { // still reading the SIM after boot: ask again
            co_await sleep(sim_busy_pause);
            if (stopping_)
                co_return Next::Stopped;
            co_return Next::Restart;
        }
        set_state(State::Failed, FailedReason::SimError,
            fmt::format("the modem does not report its SIM state: {}", error.message()));
        co_return Next::Wait;
    }
    auto pin_state = at::parse_cpin_read(reply->lines);
    if (!pin_state) {
        set_state(
            State::Failed, FailedReason::SimError, "the modem's answer to AT+CPIN? is unreadable");
        co_return Next::Wait;
    }
    sim.state = sim_state_of(*pin_state);
    // The ICCID first, while the SIM may still be locked: the PIN store is keyed by it.
    next = co_await read_iccid(sim);
    if (next != Next::Proceed)
        co_return next;
    next = co_await read_pin_counters(sim);
    if (next != Next::Proceed)
        co_return next;
    update_sim(sim);

    switch (sim.state) {
    case SimState::Ready:
        break;
    case SimState::PinRequired:
        next = co_await unlock();
        if (next != Next::Proceed)
            co_return next;
        sim = sim_;
        break;
    case SimState::PukRequired: {
        auto message = sim_failure_message(FailedReason::PukRequired);
        if (sim.puk_retries)
            message += fmt::format(" ({} PUK attempts left)", *sim.puk_retries);
        set_state(State::Failed, FailedReason::PukRequired, std::move(message));
        co_return Next::Wait;
    }
    default:
        set_state(State::Failed, FailedReason::SimError,
            fmt::format(
                "the SIM asks for {}: uplink cannot unlock that", at::to_string(*pin_state)));
        co_return Next::Wait;
    }
    next = co_await read_imsi(sim);
    if (next != Next::Proceed)
        co_return next;
    update_sim(std::move(sim));
    co_return Next::Proceed;
}

awaitable<Modem::Next> Modem::read_iccid(Sim& sim)
{
    std::vector<std::string> commands;
    if (entry_ && !entry_->iccid_command.empty())
        commands.push_back(entry_->iccid_command);
    for (auto fallback : iccid_commands)
        if (std::find(commands.begin(), commands.end(), fallback) == commands.end())
            commands.emplace_back(fallback);
    for (auto& command_text : commands) {
        auto reply = co_await command(std::move(command_text));
        if (auto failure = failure_of(reply))
            co_return *failure;
        if (!reply)
            continue;
        if (auto iccid = at::parse_iccid(reply->lines)) {
            sim.iccid = *iccid;
            co_return Next::Proceed;
        }
    }
    log(LogLevel::Debug, "modem", "{}: no ICCID; PIN failures are keyed by the IMEI",
        device_.usb_path);
    co_return Next::Proceed;
}

// AT+QPINC? (Quectel): attempts left for PIN1 and PUK1, shown to the user and in messages.
awaitable<Modem::Next> Modem::read_pin_counters(Sim& sim)
{
    // 27.007 §7.4: AT+CLCK="SC",2 says whether the PIN is asked for at power-on.
    auto lock = co_await command("AT+CLCK=\"SC\",2");
    if (auto failure = failure_of(lock))
        co_return *failure;
    sim.pin_enabled.reset();
    if (lock)
        for (const auto& line : lock->lines)
            if (line == "+CLCK: 0" || line == "+CLCK: 1")
                sim.pin_enabled = line.back() == '1';
    if (!has_quirk("qpinc"))
        co_return Next::Proceed;
    auto reply = co_await command("AT+QPINC?");
    if (auto failure = failure_of(reply))
        co_return *failure;
    if (reply)
        if (auto counters = at::parse_qpinc_read(reply->lines)) {
            sim.pin_retries = counters->pin1;
            sim.puk_retries = counters->puk1;
        }
    co_return Next::Proceed;
}

// AT+CIMI, retried while the SIM is busy (it is, for a moment after the PIN).
awaitable<Modem::Next> Modem::read_imsi(Sim& sim)
{
    for (int attempt = 0; attempt < imsi_attempts; ++attempt) {
        auto reply = co_await command("AT+CIMI");
        if (auto failure = failure_of(reply))
            co_return *failure;
        if (reply) {
            if (auto imsi = at::parse_cimi(reply->lines)) {
                sim.imsi = *imsi;
                sim.operator_id = operator_id_from_imsi(*imsi);
            }
            break;
        }
        if (!is_cme(reply.error(), cme_sim_busy))
            break;
        auto restart = co_await sleep(sim_busy_pause);
        if (restart)
            co_return Next::Restart;
    }
    co_return Next::Proceed;
}

// Whether `pin` may be sent to this SIM: no record of it in the store, and an "interrupted"
// record written first. Otherwise the state says why not, and nothing is sent.
std::optional<std::string> Modem::pin_to_send()
{
    auto pin = configured_pin();
    auto key = sim_key();
    if (!pin) {
        set_state(State::Locked, FailedReason::None,
            fmt::format(
                "{} needs its PIN: set one in the config (uplink sends a PIN only once per SIM)",
                describe_sim()));
        return std::nullopt;
    }
    std::string problem;
    auto known = store_->lookup(key, *pin, &problem);
    if (!known) {
        set_state(State::Locked, FailedReason::None,
            fmt::format(
                "{} needs its PIN, but the record of refused PINs is unreadable ({}). uplink "
                "sends no PIN until that file is fixed or removed",
                describe_sim(), problem));
        return std::nullopt;
    }
    if (*known == PinRecord::Refused) {
        set_state(State::Failed, FailedReason::WrongPin, refused_message(sim_));
        return std::nullopt;
    }
    if (*known == PinRecord::Interrupted) {
        set_state(State::Failed, FailedReason::WrongPin,
            fmt::format("{} was sent the configured PIN before and its answer was lost (restart, "
                        "unplug or a hung port), so uplink will not send it again. Check the PIN, "
                        "then delete the SIM's line in {} to allow one more try",
                describe_sim(), store_->path()));
        return std::nullopt;
    }
    if (auto written = store_->record_attempt(key, *pin); !written) {
        set_state(State::Locked, FailedReason::None,
            fmt::format("{} needs its PIN, but {} cannot be written ({}), so uplink does not risk "
                        "sending one",
                describe_sim(), store_->path(), written.error().message()));
        return std::nullopt;
    }
    return pin;
}

// At most one AT+CPIN=<pin> per (SIM, PIN), ever: the store is asked first, an "interrupted" record
// is written before sending, and the outcome replaces it.
awaitable<Modem::Next> Modem::unlock()
{
    auto next = Next::Proceed;
    auto pin = pin_to_send();
    if (!pin)
        co_return Next::Wait;
    auto key = sim_key();
    log(LogLevel::Debug, "modem", "{}: sending the configured PIN to {}", device_.usb_path,
        describe_sim());
    auto reply = co_await transact(fmt::format("AT+CPIN=\"{}\"", *pin));
    if (!reply) // no answer: the "interrupted" record stays, and blocks a resend
        co_return transport_failure(reply.error()).value_or(Next::Wait);
    record_pin_answer(key, *pin, reply->final);
    auto error = at::error_of(reply->final);
    if (!error) {
        auto sim = sim_;
        sim.state = SimState::Ready;
        next = co_await read_pin_counters(sim);
        if (next != Next::Proceed)
            co_return next;
        update_sim(std::move(sim));
        co_return Next::Proceed;
    }
    auto sim = sim_;
    if (is_cme(error, cme_incorrect_password) || is_cme(error, cme_sim_puk_required)) {
        next = co_await read_pin_counters(sim);
        if (next != Next::Proceed)
            co_return next;
        if (is_cme(error, cme_sim_puk_required) || sim.pin_retries == 0)
            sim.state = SimState::PukRequired;
        update_sim(sim);
        set_state(State::Failed,
            sim.state == SimState::PukRequired ? FailedReason::PukRequired : FailedReason::WrongPin,
            refused_message(sim));
        co_return Next::Wait;
    }
    // Another answer (SIM busy, not allowed...): whether it counted is unknown, so the record
    // stays.
    set_state(State::Failed, FailedReason::WrongPin,
        fmt::format(
            "{} answered the configured PIN with '{}'; uplink will not send it again. Check "
            "the PIN, then delete the SIM's line in {} to allow one more try",
            describe_sim(), reply->final.text, store_->path()));
    co_return Next::Wait;
}

// The same rule as unlock(): the store is asked first, an "interrupted" record written before the
// PIN is sent, and the SIM's answer replaces it. The SIM must be open (its PIN entered).
awaitable<Result<PinOutcome>> Modem::set_sim_pin(PinRequest request)
{
    auto is_pin = [](const std::string& pin) {
        return pin.size() >= 4 && pin.size() <= 8
            && std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!is_pin(request.pin) || (request.operation == PinOperation::Change && !is_pin(request.new_pin)))
        co_return make_error_code(Errc::BadPin);
    if (sim_.state != SimState::Ready || !channel_)
        co_return make_error_code(Errc::NotReady);
    auto key = sim_key();
    if (auto claimed = claim_pin_attempt(key, request.pin); !claimed)
        co_return claimed.error();
    auto line = request.operation == PinOperation::Change
        ? fmt::format("AT+CPWD=\"SC\",\"{}\",\"{}\"", request.pin, request.new_pin)
        : fmt::format("AT+CLCK=\"SC\",{},\"{}\"", request.operation == PinOperation::Enable ? 1 : 0, request.pin);
    auto reply = co_await transact(std::move(line));
    if (!reply) // no answer: the "interrupted" record stays, and blocks a resend
        co_return reply.error();
    PinOutcome outcome;
    record_pin_answer(key, request.pin, reply->final);
    auto error = at::error_of(reply->final);
    outcome.accepted = !error;
    auto sim = sim_;
    auto next = co_await read_pin_counters(sim);
    if (next == Next::Proceed)
        update_sim(sim);
    outcome.sim = sim_;
    auto left = sim_.pin_retries ? fmt::format("; {} PIN attempts left", *sim_.pin_retries) : std::string {};
    if (outcome.accepted)
        outcome.message = fmt::format("{}: PIN {}", describe_sim(),
            request.operation == PinOperation::Change ? "changed (set it in the profile too)"
                : request.operation == PinOperation::Enable ? "enabled" : "disabled");
    else if (error && is_cme(error, cme_incorrect_password))
        outcome.message = fmt::format("{} refused the PIN{}; it will not be sent to this SIM again", describe_sim(), left);
    else
        outcome.message = fmt::format("{} answered '{}'{}; this PIN will not be sent to it again", describe_sim(),
            reply->final.text, left);
    log(LogLevel::Info, "modem", "{}: {} PIN: {}", device_.usb_path, to_string(request.operation), outcome.message);
    if (sim_.pin_retries == 0)
        request_restart("the SIM is blocked"); // it now asks for its PUK: the state says so
    co_return outcome;
}

// Every PIN uplink sends goes through here and record_pin_answer(): its own unlock, a change
// through the API, and an administrator's console line. One this SIM refused, or whose answer was
// lost, is not sent again; before one is sent, an "interrupted" record is written.
Result<void> Modem::claim_pin_attempt(const std::string& key, std::string_view pin)
{
    auto known = store_->lookup(key, pin);
    if (!known)
        return known.error();
    if (*known != PinRecord::None)
        return make_error_code(Errc::WrongPinRemembered);
    return store_->record_attempt(key, pin);
}

// The SIM's answer replaces the "interrupted" record: OK forgets the PIN, "incorrect password"
// (or "PUK required": the last try went) keeps it as refused. After another answer whether the
// try counted is unknown, so the record stays and blocks a resend.
void Modem::record_pin_answer(const std::string& key, std::string_view pin, const at::Final& final)
{
    auto error = at::error_of(final);
    Result<void> recorded;
    if (!error)
        recorded = store_->record_accepted(key, pin);
    else if (is_cme(error, cme_incorrect_password) || is_cme(error, cme_sim_puk_required))
        recorded = store_->record_refused(key, pin);
    if (!recorded)
        log(LogLevel::Warning, "modem", "{}: cannot record the SIM's answer to a PIN in {}: {}", device_.usb_path,
            store_->path(), recorded.error().message());
}

// An administrator's line (POST .../at, `uplink at`). A SIM password in it keeps the rule of
// uplink's own: the PIN (or the PUK, kept apart as "<sim>:puk") is claimed first and the answer
// recorded. One per line, so that the answer is known to be its own.
awaitable<Result<at::Reply>> Modem::send_at(std::string command)
{
    if (!channel_ || !at_port_)
        co_return make_error_code(Errc::NoAtPort);
    auto passwords = at::sim_passwords(command);
    if (passwords.empty())
        co_return co_await channel_->transact(std::move(command), settings_.command_timeout);
    if (passwords.size() > 1)
        co_return make_error_code(Errc::OnePinPerLine);
    const auto& password = passwords.front();
    auto key = password.kind == at::SimPassword::Kind::Puk ? sim_key() + ":puk" : sim_key();
    if (auto claimed = claim_pin_attempt(key, password.value); !claimed)
        co_return claimed.error();
    auto reply = co_await channel_->transact(std::move(command), settings_.command_timeout);
    if (reply)   // no answer: the "interrupted" record stays, and blocks a resend
        record_pin_answer(key, password.value, reply->final);
    co_return reply;
}

// The ICCID identifies the SIM; a modem that cannot read it while locked is keyed by its IMEI.
std::string Modem::sim_key() const
{
    if (!sim_.iccid.empty())
        return sim_.iccid;
    if (!identity_.imei.empty())
        return "imei:" + identity_.imei;
    return fmt::format("usb:{}:{}:{}", device_.vendor_id, device_.product_id, device_.usb_path);
}

std::string Modem::describe_sim() const
{
    if (!sim_.iccid.empty())
        return "SIM " + short_iccid(sim_.iccid);
    return fmt::format(
        "The SIM in modem {} (its ICCID is unreadable, so it is remembered by the modem's "
        "IMEI)",
        device_.usb_path);
}

std::string Modem::refused_message(const Sim& sim) const
{
    std::string left;
    if (sim.state == SimState::PukRequired)
        left = "; the SIM is now blocked and needs its PUK";
    else if (sim.pin_retries)
        left = fmt::format(
            "; {} attempt{} left", *sim.pin_retries, *sim.pin_retries == 1 ? "" : "s");
    return fmt::format(
        "{} refused the configured PIN{}. Set the right PIN in the config — uplink will not "
        "try this one again.",
        describe_sim(), left);
}

// The PIN of the profile chosen with what is known while locked (ICCID, IMEI, model).
std::optional<std::string> Modem::configured_pin() const
{
    auto pin = pin_of(settings_.policy, effective_settings());
    if (pin.empty())
        return std::nullopt;
    return pin;
}

void Modem::on_cpin_urc(const std::string& line)
{
    if (line.find("NOT INSERTED") != std::string::npos) { // SIM pulled out (hot-swap)
        Sim sim;
        sim.state = SimState::Missing;
        update_sim(std::move(sim));
        set_state(State::Failed, FailedReason::SimMissing,
            "SIM card removed: insert one (uplink notices when it is back)");
        registrations_.assign(registrations_.size(), std::nullopt);
        update_registration(Registration {});
        return;
    }
    if (line.find("NOT READY") != std::string::npos) {
        // Quectel's hot-swap URC (AT+QSIMDET): the SIM was pulled, or is being reset. AT+CPIN?
        // tells which (+CME ERROR: 10 when it is gone), so the SIM part runs again.
        if (sim_.state != SimState::Missing)
            request_restart(line);
        return;
    }
    auto state = at::parse_cpin_read({line});
    if (!state)
        return;
    // A SIM came back, or was unlocked by hand: run the SIM part again.
    bool sim_failed = state_ == State::Locked
        || (state_ == State::Failed
            && (failed_reason_ == FailedReason::SimMissing
                || failed_reason_ == FailedReason::SimError
                || failed_reason_ == FailedReason::WrongPin));
    if (sim_failed || sim_.state == SimState::Missing)
        request_restart(fmt::format("{}", line));
}

} // namespace uplink::modem
