#include "modem/modem_instance.hpp"

#include "modem/mapping.hpp"
#include "modem/profiles.hpp"
#include "modem/wan_numbers.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace uplink::modem {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

constexpr Duration first_backoff = 500ms;
constexpr Duration max_backoff = 10s;
// A modem takes about 20 s from power-on to RDY (modem-protocols.md §4.6, §7.2); past this the
// port is reported as not answering.
constexpr Duration boot_allowance = 30s;
// After the first answer on a freshly opened port, the time given to any reply still on its way
// to the port's previous owner: it arrives while no command is in flight, so the framer takes it
// for unsolicited (and it is ignored) instead of as the next command's reply.
constexpr Duration settle_after_open = 50ms;
constexpr Duration radio_on_timeout = 15s;
constexpr Duration forever = 24h;

// Index of each registration query in Modem::registrations_.
constexpr std::array<std::string_view, 3> registration_queries {
    "AT+CREG?", "AT+CGREG?", "AT+CEREG?"};
constexpr std::array<std::string_view, 3> registration_prefixes {"+CREG:", "+CGREG:", "+CEREG:"};
// Echo off, and numeric +CME ERROR codes: the SIM logic reads error numbers (27.007 §9.1).
constexpr std::array<std::string_view, 2> port_setup {"ATE0", "AT+CMEE=1"};
// <n>=2: registration URCs carry the area code and cell id (27.007 §7.2, §10.1.19, §10.1.22).
constexpr std::array<std::string_view, 3> registration_urcs {
    "AT+CREG=2", "AT+CGREG=2", "AT+CEREG=2"};
constexpr std::array<std::pair<std::string_view, std::string Identity::*>, 4> identity_queries {{
    {"AT+CGMI", &Identity::manufacturer},
    {"AT+CGMM", &Identity::model},
    {"AT+CGMR", &Identity::revision},
    {"AT+CGSN", &Identity::imei},
}};
// AT+COPS=3,<format>: the name (0), then the MCC+MNC (2), 27.007 §7.3.
constexpr std::array<int, 2> operator_formats {0, 2};

// The value, or "" when the modem's answer did not parse.
std::string text_of(const Result<std::string>& parsed)
{
    return parsed ? *parsed : std::string {};
}

std::string describe(const Registration& registration)
{
    auto text
        = fmt::format("{}, {}", to_string(registration.state), to_string(registration.technology));
    if (!registration.operator_name.empty())
        text += ", " + registration.operator_name;
    return text;
}

std::string describe(const Signal& signal)
{
    std::string text;
    auto add = [&](std::string_view name, const std::optional<int>& value, std::string_view unit) {
        if (value)
            text += fmt::format("{}{} {} {}", text.empty() ? "" : ", ", name, *value, unit);
    };
    add("rssi", signal.rssi_dbm, "dBm");
    add("rsrp", signal.rsrp_dbm, "dBm");
    add("rsrq", signal.rsrq_db, "dB");
    add("sinr", signal.sinr_db, "dB");
    return text.empty() ? "no measurement" : text;
}

} // namespace

Modem::Modem(asio::any_io_executor executor, FoundModem found, ModemSettings settings,
    std::shared_ptr<PinFailureStore> store, std::shared_ptr<RecoveryLadder> ladder, Callbacks callbacks)
    : executor_(executor)
    , device_(std::move(found.device))
    , entry_(std::move(found.entry))
    , settings_(std::move(settings))
    , store_(std::move(store))
    , ladder_(std::move(ladder))
    , callbacks_(std::move(callbacks))
    , wake_(executor)
    , ladder_timer_(executor)
    , effective_(choose_settings(settings_.policy, {}, {}, settings_.wan_number, settings_.link_owner))
{
    for (std::size_t i = 0; i < device_.ports.size(); ++i) {
        if (device_.ports[i].role == PortRole::At) {
            at_port_ = i;
            break;
        }
    }
}

Modem::~Modem()
{
    if (channel_)
        channel_->close();
}

void Modem::start()
{
    set_state(State::Initializing);
    start_data_connection();
    apply_watchdog();
    asio::co_spawn(executor_, run(shared_from_this()),
        LogFailure {"modem", device_.usb_path + ": stopped by an unexpected error"});
}

void Modem::stop()
{
    stopping_ = true;
    wake_.cancel();
    ladder_timer_.cancel();
    if (data_)
        data_->stop();
    if (channel_)
        channel_->close();
}

void Modem::apply(ModemSettings settings)
{
    auto planned = plan(settings.policy);
    if (settings.link_owner != settings_.link_owner)
        log(LogLevel::Info, "modem", "{}: its link is now {}'s", device_.usb_path, to_string(settings.link_owner));
    settings_ = std::move(settings);
    refresh_settings();
    wake_.cancel(); // the poll loop re-arms with the new interval
    if (!planned.differences.empty())
        log(LogLevel::Info, "modem", "{}: {} ({})", device_.usb_path, fmt::join(planned.differences, ", "),
            to_string(planned.action));
    // A locked SIM tries a new PIN at once (unless it failed before: unlock() checks the store);
    // a Locked state may also come from an unreadable store the administrator has now fixed.
    if (state_ == State::Locked || planned.action == PlannedChange::Action::RetryPin)
        request_restart("settings changed");
}

PlannedChange Modem::plan(const ProfilePolicy& policy, SecretComparison secrets) const
{
    ModemCondition condition {state_, failed_reason_,
        data_ ? data_->state() : ConnectionState::Disconnected, data_ && data_->wanted(),
        settings_.wan_number, settings_.link_owner};
    auto planned = plan_change(settings_.policy, policy, sim_, identity_, condition, secrets);
    planned.modem_id = device_.usb_path;
    planned.wan = wan_name(settings_.wan_number);
    return planned;
}

EffectiveSettings Modem::effective_settings() const
{
    return choose_settings(settings_.policy, sim_, identity_, settings_.wan_number, settings_.link_owner);
}

// The data connection takes new settings at once; it reconnects only for a new call.
void Modem::refresh_settings()
{
    auto next = effective_settings();
    if (next == effective_)
        return;
    auto before = std::exchange(effective_, std::move(next));
    apply_watchdog();
    if (!same_call(before.connection, effective_.connection))
        ladder_->reset(); // new settings deserve a fresh start, not the old failures' remedies
    if (before.profile != effective_.profile || before.rule != effective_.rule
        || before.provisional != effective_.provisional) {
        auto message = fmt::format("profile '{}': {}", effective_.profile, effective_.reason);
        log(LogLevel::Info, "modem", "{}: {}", device_.usb_path, message);
        callbacks_.event(Event::Kind::SettingsChanged, std::move(message));
    }
    if (data_)
        data_->apply(effective_.connection);
    if (before.radio != effective_.radio) {
        radio_work_ = RadioWork::Apply; // the poll loop applies it, or the next initialization does
        wake_.cancel();
    }
}

Snapshot Modem::snapshot() const
{
    Snapshot snapshot;
    snapshot.id = device_.usb_path;
    snapshot.wan = wan_name(settings_.wan_number);
    snapshot.state = state_;
    snapshot.failed_reason = failed_reason_;
    snapshot.message = message_;
    snapshot.identity = identity_;
    snapshot.sim = sim_;
    snapshot.radio = radio_;
    snapshot.registration = registration_;
    snapshot.signal = signal_;
    if (data_)
        snapshot.connection = data_->connection();
    snapshot.settings = effective_;
    snapshot.recovery = recovery();
    snapshot.device = device_;
    return snapshot;
}

// ---------------------------------------------------------------- the run loop

awaitable<void> Modem::run(std::shared_ptr<Modem> self)
{
    auto next = co_await choose_at_port();
    while (next == Next::Proceed || next == Next::Restart) {
        next = co_await initialize();
        if (next == Next::Proceed)
            next = co_await poll_loop();
        if (next == Next::Wait)
            next = co_await wait_for_wakeup();
        if (next == Next::Hung) {
            // Two timeouts in a row: reopen and probe with backoff (wait_until_answering), then
            // init.
            set_state(State::Failed, FailedReason::PortHung, "AT port not answering");
            next = Next::Restart;
        }
        if (next == Next::Closed) {
            // EIO/HUP: usually an unplug, and the rescan removes this modem; if the device is still
            // there, wait_until_answering reopens the port.
            callbacks_.port_failed();
            next = Next::Restart;
        }
        if (stopping_)
            next = Next::Stopped;
    }
    log(LogLevel::Debug, "modem", "{}: run loop ended", self->device_.usb_path);
}

// The table's AT port, or the first serial port that answers AT (3 tries each).
awaitable<Modem::Next> Modem::choose_at_port()
{
    if (at_port_)
        co_return Next::Proceed;
    if (entry_ && entry_->has_quirk("hilink")) {
        set_state(State::Unknown, FailedReason::None, entry_->note);
        co_return Next::Wait;
    }
    auto candidates = probe_candidates(device_);
    std::string tried;
    for (const auto& candidate : candidates) {
        tried += (tried.empty() ? "" : ", ") + candidate.name;
        auto fd = at::open_serial_port(candidate.device_path);
        if (!fd)
            continue;
        channel_ = std::make_unique<at::Channel>(executor_, candidate.name, *fd);
        for (int attempt = 0; attempt < 3 && !stopping_; ++attempt) {
            if (channel_->hung())
                if (auto reopened = at::open_serial_port(candidate.device_path); reopened)
                    (void)channel_->reopen(*reopened);
            auto reply = co_await channel_->command("AT", probe_timeout());
            if (reply) {
                for (std::size_t i = 0; i < device_.ports.size(); ++i)
                    if (device_.ports[i].name == candidate.name)
                        at_port_ = i;
                device_.ports[*at_port_].role = PortRole::At;
                attach_handlers();
                co_await sleep(settle_after_open);
                log(LogLevel::Debug, "modem", "{}: {} answers AT", device_.usb_path,
                    candidate.name);
                co_return Next::Proceed;
            }
            if (reply.error() == at::Errc::PortClosed || reply.error() == at::Errc::Cancelled)
                break;
        }
        channel_->close();
        channel_.reset();
    }
    if (stopping_)
        co_return Next::Stopped;
    set_state(State::Failed, FailedReason::Unsupported,
        tried.empty() ? std::string("no AT port: this device has no serial port to manage it with")
                      : fmt::format("no port answered AT (tried {})", tried));
    co_return Next::Wait;
}

// 3GPP TS 27.007 §5.5: string parameters (operator names, the +COPS=? scan) come in the
// character set +CSCS selects, and the modem's default varies: GSM on Quectel, IRA on most
// Huawei, UCS2 on a Huawei that another program left so. uplink asks for "IRA" (T.50, plain
// ASCII: no GSM septets such as 0x00 for "@" on the line) and then reads back what the modem
// took, so that a modem that refuses IRA or stays in UCS2 still has its names decoded
// (at::decode_text(); UCS2 hex is decoded in any mode when nothing else reads so). It does not
// ask for "UCS2" or "UTF-8": +CSCS applies to every string parameter, the APN of +CGDCONT too,
// and not every firmware has UTF-8.
awaitable<Modem::Next> Modem::select_character_set()
{
    auto set = co_await command("AT+CSCS=\"IRA\"");
    if (auto failure = failure_of(set))
        co_return *failure;
    auto read = co_await command("AT+CSCS?");
    if (auto failure = failure_of(read))
        co_return *failure;
    auto charset = read ? at::parse_cscs_read(read->lines) : Result<at::CharacterSet>(read.error());
    character_set_ = charset ? *charset : at::CharacterSet::Ira;
    if (charset && *charset != at::CharacterSet::Ira)
        log(LogLevel::Debug, "modem", "{}: character set {}: operator names decoded from it",
            device_.usb_path, at::to_string(*charset));
    co_return Next::Proceed;
}

// The fixed sequence, top to bottom: port answers, echo off, identity, SIM, radio, URCs.
awaitable<Modem::Next> Modem::initialize()
{
    auto next = Next::Proceed;
    restart_requested_ = false;
    registrations_.assign(registration_queries.size(), std::nullopt);
    next = co_await wait_until_answering();
    if (next != Next::Proceed)
        co_return next;
    set_state(State::Initializing);
    for (auto setup : port_setup) {
        auto answer = co_await command(std::string(setup));
        if (auto failure = failure_of(answer))
            co_return *failure;
    }
    next = co_await select_character_set();
    if (next != Next::Proceed)
        co_return next;
    next = co_await read_identity();
    if (next != Next::Proceed)
        co_return next;
    next = co_await initialize_sim();
    if (next != Next::Proceed)
        co_return next;
    next = co_await enable_radio();
    if (next != Next::Proceed)
        co_return next;
    next = co_await apply_radio();
    if (next != Next::Proceed)
        co_return next;
    for (auto enable : registration_urcs) {
        auto answer = co_await command(std::string(enable));
        if (auto failure = failure_of(answer))
            co_return *failure;
    }
    if (has_quirk("qind")) {
        auto answer = co_await command("AT+QINDCFG=\"csq\",1");
        if (auto failure = failure_of(answer))
            co_return *failure;
    }
    co_return Next::Proceed;
}

// `AT` until OK (or RDY wakes us early), reopening a hung or closed port, with backoff.
awaitable<Modem::Next> Modem::wait_until_answering()
{
    auto backoff = first_backoff;
    auto started = Clock::now();
    for (int attempt = 0;; ++attempt) {
        if (stopping_)
            co_return Next::Stopped;
        bool usable = channel_ && !channel_->hung() && !port_closed_;
        if (!usable) {
            auto opened = open_port();
            usable = bool(opened);
            if (!opened) {
                // udev makes /dev nodes a moment after sysfs shows the device; a vanished node
                // usually means an unplug, which the rescan confirms.
                log(LogLevel::Debug, "modem", "{}: cannot open {}: {}", device_.usb_path,
                    device_.ports[*at_port_].device_path, opened.error().message());
                callbacks_.port_failed();
            }
        }
        if (usable) {
            auto reply = co_await channel_->command("AT", probe_timeout());
            if (reply) {
                if (std::exchange(fresh_port_, false))
                    co_await sleep(settle_after_open);
                co_return Next::Proceed;
            }
            if (stopping_)
                co_return Next::Stopped;
            if (reply.error() == at::Errc::PortClosed)
                port_closed_ = true;
        }
        if (attempt == 0 && state_ == State::Initializing)
            set_state(State::Initializing, FailedReason::None, "waiting for the modem to answer");
        if (Clock::now() - started > boot_allowance && state_ != State::Failed)
            set_state(State::Failed, FailedReason::PortHung, "AT port not answering");
        co_await sleep(backoff);
        restart_requested_ = false; // RDY while waiting: it answers now
        backoff = std::min(backoff * 2, max_backoff);
    }
}

// AT+CGMI/CGMM/CGMR/CGSN (27.007 §5), or ATI where the first is missing.
awaitable<Modem::Next> Modem::read_identity()
{
    Identity identity;
    for (const auto& [query, field] : identity_queries) {
        auto reply = co_await command(std::string(query));
        if (auto failure = failure_of(reply))
            co_return *failure;
        if (reply)
            identity.*field = text_of(query == "AT+CGSN" ? at::parse_cgsn(reply->lines)
                                                         : at::parse_single_value(reply->lines));
    }
    if (identity.manufacturer.empty()) {
        auto ati = co_await command("ATI");
        if (auto failure = failure_of(ati))
            co_return *failure;
        auto parsed = ati ? at::parse_ati(ati->lines) : Result<at::Identity>(ati.error());
        if (parsed) {
            identity.manufacturer = parsed->manufacturer;
            identity.model = parsed->model;
            identity.revision = parsed->revision;
        }
    }
    identity_ = std::move(identity);
    refresh_settings();
    co_return Next::Proceed;
}

// AT+CFUN? must say 1 (full functionality, 27.007 §8.2); 0 and 4 are turned on: disabled ->
// enabling.
awaitable<Modem::Next> Modem::enable_radio()
{
    auto reply = co_await command("AT+CFUN?");
    if (auto failure = failure_of(reply))
        co_return *failure;
    auto mode = reply ? at::parse_cfun_read(reply->lines) : Result<int>(reply.error());
    if (!mode || *mode == 1) { // a modem without AT+CFUN? is taken as on
        set_state(State::Enabled);
        co_return Next::Proceed;
    }
    set_state(State::Disabled, FailedReason::None, fmt::format("radio off (AT+CFUN={})", *mode));
    set_state(State::Enabling);
    auto on = co_await command("AT+CFUN=1", std::max(settings_.command_timeout, radio_on_timeout));
    if (auto failure = failure_of(on))
        co_return *failure;
    if (!on) {
        set_state(State::Disabled, FailedReason::None,
            fmt::format("the modem refused to turn its radio on: {}", on.error().message()));
        co_return Next::Wait;
    }
    set_state(State::Enabled);
    co_return Next::Proceed;
}

awaitable<Modem::Next> Modem::poll_loop()
{
    for (;;) {
        if (stopping_)
            co_return Next::Stopped;
        if (restart_requested_)
            co_return Next::Restart;
        auto next = co_await poll_once();
        if (next != Next::Proceed)
            co_return next;
        if (radio_work_ != RadioWork::Apply) {
            auto waited = co_await wait_for_next_poll();
            if (waited != Next::Proceed)
                co_return waited;
        }
        if (pending_remedy_) {
            auto remedy = co_await perform_remedy(*std::exchange(pending_remedy_, std::nullopt));
            if (remedy != Next::Proceed)
                co_return remedy;
        }
        if (radio_work_ != RadioWork::None) {
            auto applied = co_await apply_radio();
            if (applied != Next::Proceed)
                co_return applied;
        }
    }
}

awaitable<Modem::Next> Modem::poll_once()
{
    for (std::size_t source = 0; source < registration_queries.size(); ++source) {
        auto reply = co_await command(std::string(registration_queries[source]));
        if (auto failure = failure_of(reply))
            co_return *failure;
        if (!reply)
            continue;
        for (const auto& line : reply->lines)
            if (line.starts_with(registration_prefixes[source]))
                if (auto parsed = at::parse_registration(line))
                    registrations_[source] = *parsed;
    }
    auto registration = combined_registration(registration_);
    registration.operator_name.clear();
    registration.operator_id.clear();
    operator_technology_.reset();
    if (registration.state == RegistrationState::Home
        || registration.state == RegistrationState::Roaming) {
        for (auto format : operator_formats) {
            auto answer = co_await command(fmt::format("AT+COPS=3,{}", format));
            if (auto failure = failure_of(answer))
                co_return *failure;
            auto cops = co_await command("AT+COPS?");
            if (auto failure = failure_of(cops))
                co_return *failure;
            auto selection = cops ? at::parse_cops_read(cops->lines, character_set_)
                                  : Result<at::OperatorSelection>(cops.error());
            if (!selection)
                continue;
            (format == 0 ? registration.operator_name : registration.operator_id) = selection->name;
            if (selection->technology)
                operator_technology_ = selection->technology;
        }
        registration = combined_registration(registration);
    }
    update_registration(std::move(registration));
    co_return co_await poll_signal();
}

awaitable<Modem::Next> Modem::poll_signal()
{
    // Every poll starts empty: what a reply leaves out is cleared, not carried over.
    SignalReplies replies;
    auto csq = co_await command("AT+CSQ");
    if (auto failure = failure_of(csq))
        co_return *failure;
    if (csq)
        if (auto quality = at::parse_csq(csq->lines))
            replies.csq = *quality;
    if (has_quirk("qeng")) {
        auto qeng = co_await command("AT+QENG=\"servingcell\"");
        if (auto failure = failure_of(qeng))
            co_return *failure;
        if (qeng)
            if (auto cell = at::parse_qeng_servingcell(qeng->lines))
                replies.serving_cell = *cell;
    } else {
        auto cesq = co_await command("AT+CESQ");
        if (auto failure = failure_of(cesq))
            co_return *failure;
        if (cesq)
            if (auto quality = at::parse_cesq(cesq->lines))
                replies.cesq = *quality;
    }
    if (has_quirk("qcainfo")) {
        auto qcainfo = co_await command("AT+QCAINFO");
        if (auto failure = failure_of(qcainfo))
            co_return *failure;
        if (qcainfo)
            if (auto components = at::parse_qcainfo(qcainfo->lines))
                replies.carriers = *components;
    }
    // Per-antenna RSRP, for aligning antennas. Documented for Quectel's EG/EM/RM modules; a
    // firmware that answers ERROR (some EC25s, reference §4.3) is not asked again.
    if (has_quirk("qrsrp") && !antenna_rsrp_refused_) {
        auto qrsrp = co_await command("AT+QRSRP");
        if (auto failure = failure_of(qrsrp))
            co_return *failure;
        if (!qrsrp)
            antenna_rsrp_refused_ = qrsrp.error() != at::Errc::Timeout;   // ERROR or +CME ERROR
        else if (auto antennas = at::parse_qrsrp(qrsrp->lines))
            replies.antennas = *antennas;
    }
    auto signal = signal_from(replies);
    signal.updated = Clock::now();
    update_signal(std::move(signal));
    co_return Next::Proceed;
}

// A poll interval's sleep; while a fast-signal lease lasts, a signal poll every
// fast_signal_interval meanwhile. The channel runs commands in call order, so another command
// (the API's, a remedy's) waits for one signal command at most. Any wake (new settings, a remedy,
// a lease that begins) ends the wait at once, for a full poll.
awaitable<Modem::Next> Modem::wait_for_next_poll()
{
    auto next_poll = Clock::now() + settings_.poll_interval;
    auto next_sample = Clock::now() + Manager::fast_signal_interval;
    for (;;) {
        auto wake_at = fast_signal_active() ? std::min(next_poll, next_sample) : next_poll;
        if (auto now = Clock::now(); wake_at > now) {
            between_polls_ = true;
            auto restart = co_await sleep(std::chrono::ceil<Duration>(wake_at - now));
            between_polls_ = false;
            if (restart)
                co_return Next::Restart;
            if (stopping_)
                co_return Next::Stopped;
            if (Clock::now() < wake_at)
                co_return Next::Proceed;
        }
        if (Clock::now() >= next_poll)
            co_return Next::Proceed;
        if (!fast_signal_active())
            continue; // the lease ended while asleep
        // At a fixed rate; a modem slower than that is polled back to back.
        next_sample = std::max(next_sample + Manager::fast_signal_interval, Clock::now());
        auto polled = co_await poll_signal();
        if (polled != Next::Proceed)
            co_return polled;
    }
}

awaitable<Modem::Next> Modem::wait_for_wakeup()
{
    for (;;) {
        if (stopping_)
            co_return Next::Stopped;
        bool restart = co_await sleep(forever);
        if (restart)
            co_return Next::Restart;
    }
}

awaitable<bool> Modem::sleep(Duration duration)
{
    if (!restart_requested_ && !stopping_) {
        wake_.expires_after(duration);
        co_await wake_.async_wait(asio::as_tuple(use_awaitable));
    }
    co_return restart_requested_;
}

// ---------------------------------------------------------------- the channel

awaitable<Result<at::Reply>> Modem::transact(std::string command, std::optional<Duration> timeout)
{
    if (!channel_)
        co_return make_error_code(at::Errc::PortClosed);
    co_return co_await channel_->transact(
        std::move(command), timeout.value_or(settings_.command_timeout));
}

awaitable<Result<at::Reply>> Modem::command(std::string command, std::optional<Duration> timeout)
{
    if (!channel_)
        co_return make_error_code(at::Errc::PortClosed);
    co_return co_await channel_->command(
        std::move(command), timeout.value_or(settings_.command_timeout));
}

std::optional<Modem::Next> Modem::transport_failure(const Error& error) const
{
    if (stopping_)
        return Next::Stopped;
    if (error == at::Errc::PortHung || (error == at::Errc::Timeout && channel_ && channel_->hung()))
        return Next::Hung;
    if (error == at::Errc::PortClosed || error == at::Errc::Cancelled)
        return Next::Closed;
    return std::nullopt;
}

std::optional<Modem::Next> Modem::failure_of(const Result<at::Reply>& reply) const
{
    if (reply)
        return std::nullopt;
    return transport_failure(reply.error());
}

Duration Modem::probe_timeout() const
{
    return std::min(settings_.command_timeout, Duration(1500ms));
}

Result<void> Modem::open_port()
{
    const auto& port = device_.ports[*at_port_];
    auto fd = at::open_serial_port(port.device_path);
    if (!fd)
        return fd.error();
    if (channel_) {
        if (auto reopened = channel_->reopen(*fd); !reopened)
            return reopened.error();
    } else {
        channel_ = std::make_unique<at::Channel>(executor_, port.name, *fd);
        attach_handlers();
    }
    port_closed_ = false;
    fresh_port_ = true;
    return {};
}

void Modem::note(std::string_view port, std::string_view direction, std::string_view text)
{
    dialogue_.push_back({std::chrono::system_clock::now(), std::string(port), std::string(direction), std::string(text)});
    while (dialogue_.size() > Manager::dialogue_limit)
        dialogue_.pop_front();
}

void Modem::attach_handlers()
{
    channel_->set_trace_handler([weak = weak_from_this(), port = channel_->name()](
                                    std::string_view direction, std::string_view text) {
        if (auto self = weak.lock())
            self->note(port, direction, text);
    });
    channel_->set_urc_handler([weak = weak_from_this()](const std::string& line) {
        if (auto self = weak.lock())
            self->on_urc(line);
    });
    channel_->set_closed_handler([weak = weak_from_this()](Error error) {
        if (auto self = weak.lock())
            self->on_port_closed(error);
    });
}

void Modem::on_port_closed(Error error)
{
    log(LogLevel::Debug, "modem", "{}: AT port closed: {}", device_.usb_path, error.message());
    port_closed_ = true;
    if (!stopping_)
        callbacks_.port_failed();
}

void Modem::request_restart(std::string reason)
{
    log(LogLevel::Debug, "modem", "{}: re-initializing: {}", device_.usb_path, reason);
    restart_requested_ = true;
    wake_.cancel();
}

// ---------------------------------------------------------------- URCs

void Modem::on_urc(const std::string& line)
{
    if (stopping_)
        return;
    if (line == "RDY") { // the modem (re)booted: everything set up so far is gone
        set_state(State::Initializing, FailedReason::None, "the modem restarted");
        request_restart("RDY");
        return;
    }
    if (line.starts_with("+CPIN:")) {
        on_cpin_urc(line);
        return;
    }
    for (std::size_t source = 0; source < registration_prefixes.size(); ++source) {
        if (!line.starts_with(registration_prefixes[source]))
            continue;
        if (auto parsed = at::parse_registration(line)) {
            registrations_[source] = *parsed;
            if (state_ == State::Enabled || state_ == State::Searching
                || state_ == State::Registered)
                update_registration(combined_registration(registration_));
        }
        return;
    }
    if (auto quality = parse_qind_csq(line)) {
        auto signal = signal_;
        apply_signal_quality(*quality, signal);
        signal.updated = Clock::now();
        update_signal(std::move(signal));
    }
}

// ---------------------------------------------------------------- state

void Modem::set_state(State state, FailedReason reason, std::string message)
{
    if (state != State::Failed)
        reason = FailedReason::None;
    if (state == state_ && reason == failed_reason_ && message == message_)
        return;
    auto transition = fmt::format("{} -> {}", to_string(state_), to_string(state));
    if (state == State::Failed)
        transition += fmt::format(" ({})", to_string(reason));
    bool state_changed = state != state_ || reason != failed_reason_;
    bool was_registered = state_ == State::Registered;
    state_ = state;
    failed_reason_ = reason;
    message_ = std::move(message);
    log(state_changed ? LogLevel::Info : LogLevel::Debug, "modem", "{}: {}{}{}", device_.usb_path,
        transition, message_.empty() ? "" : ": ", message_);
    callbacks_.event(Event::Kind::StateChanged, transition);
    if (data_)
        data_->set_registered(state_ == State::Registered);
    if (was_registered != (state_ == State::Registered) && ladder_)
        follow_ladder(state_ == State::Registered ? ladder_->registration_regained(Clock::now())
                                                  : ladder_->registration_lost(Clock::now()));
}

// The QMI control port and the network interface of the same USB function carry the data.
void Modem::start_data_connection()
{
    DataConnection::Ports ports;
    for (const auto& port : device_.ports) {
        if (port.role == PortRole::Qmi && ports.control_name.empty()) {
            ports.control_name = port.name;
            ports.control_path = port.device_path;
        }
        if (port.role == PortRole::Net && ports.interface.empty()) {
            ports.interface = port.name;
            ports.interface_sysfs = port.device_path;
        }
    }
    if (ports.control_name.empty())
        return;
    auto weak = weak_from_this();
    data_ = std::make_shared<DataConnection>(executor_, device_.usb_path, std::move(ports), effective_.connection,
        settings_.link, settings_.command_timeout, [weak](std::string message) {
            if (auto self = weak.lock())
                self->callbacks_.event(Event::Kind::ConnectionChanged, std::move(message));
        });
    data_->set_tracer([weak](std::string_view port, std::string_view direction, std::string_view text) {
        if (auto self = weak.lock())
            self->note(port, direction, text);
    });
    data_->set_observer([weak](const DataConnection::Observation& observation) {
        if (auto self = weak.lock())
            self->on_observation(observation);
    });
    data_->apply(effective_.watchdog);
    data_->start();
}

Clock::time_point Modem::fast_signal(Duration length)
{
    bool began = !fast_signal_active();
    fast_signal_until_ = std::max(fast_signal_until_, Clock::now() + length);
    // The wait between polls takes it up at once; other sleeps (a USB port's power-off) are left.
    if (began && between_polls_)
        wake_.cancel();
    return fast_signal_until_;
}

Result<void> Modem::set_connection_wanted(bool wanted)
{
    if (!data_)
        return make_error_code(Errc::NoDataPort);
    if (wanted)
        ladder_->reset(); // a person asked: start from the bottom
    data_->set_wanted(wanted);
    return {};
}

void Modem::update_sim(Sim sim)
{
    if (same_values(sim, sim_))
        return;
    sim_ = std::move(sim);
    callbacks_.event(Event::Kind::SimChanged,
        fmt::format("SIM {}{}", to_string(sim_.state),
            sim_.iccid.empty() ? "" : " " + short_iccid(sim_.iccid)));
    refresh_settings();
}

void Modem::update_registration(Registration registration)
{
    if (!same_values(registration, registration_)) {
        registration_ = std::move(registration);
        callbacks_.event(Event::Kind::RegistrationChanged, describe(registration_));
    }
    if (state_ == State::Enabled || state_ == State::Searching || state_ == State::Registered)
        set_state(state_of(registration_.state), FailedReason::None,
            registration_.state == RegistrationState::Denied ? "the network denied registration"
                                                             : std::string {});
}

void Modem::update_signal(Signal signal)
{
    bool changed = !same_values(signal, signal_);
    signal_ = std::move(signal);
    if (changed)
        callbacks_.event(Event::Kind::SignalChanged, describe(signal_));
    else if (fast_signal_active())
        callbacks_.signal_sample(describe(signal_));
}

// The best of the three registrations, keeping the operator known from the last poll.
Registration Modem::combined_registration(const Registration& current) const
{
    auto best = best_registration(registrations_);
    if (!best)
        return Registration {};
    auto fallback = operator_technology_ ? technology_of(*operator_technology_)
        : *best == 2                     ? Technology::Lte
                                         : Technology::Unknown;
    auto registration = registration_from(*registrations_[*best], fallback);
    if (registration.state == RegistrationState::Home
        || registration.state == RegistrationState::Roaming) {
        registration.operator_name = current.operator_name;
        registration.operator_id = current.operator_id;
    }
    return registration;
}

bool Modem::has_quirk(std::string_view quirk) const
{
    return entry_ && entry_->has_quirk(quirk);
}

} // namespace uplink::modem
