// The Modem's side of the recovery ladder: it feeds the ladder what the data connection and the
// registration show, takes the remedy the ladder answers with (each an event with its reason),
// and ticks it when it asks. The ladder decides; this file only does.
#include "modem/modem_instance.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fstream>

namespace uplink::modem {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr Duration radio_off_timeout = 15s;
constexpr Duration radio_on_timeout = 15s;
constexpr Duration usb_power_off_time = 3s; // long enough for the modem to lose its power

std::optional<std::chrono::system_clock::time_point> wall_time(std::optional<Clock::time_point> time)
{
    if (!time)
        return std::nullopt;
    return std::chrono::system_clock::now()
        + std::chrono::duration_cast<std::chrono::system_clock::duration>(*time - Clock::now());
}

// The sysfs `disable` file of the hub port a USB device hangs from (Linux 5.x,
// Documentation/ABI/testing/sysfs-bus-usb): device 1-1.2 is port 2 of hub 1-1, device 1-3 is
// port 3 of root hub usb1.
std::string port_disable_path(const std::string& sysfs_root, const std::string& usb_path)
{
    auto dot = usb_path.rfind('.');
    auto dash = usb_path.find('-');
    if (dash == std::string::npos)
        return {};
    if (dot != std::string::npos) {
        auto hub = usb_path.substr(0, dot);
        return fmt::format("{}/bus/usb/devices/{}:1.0/{}-port{}/disable", sysfs_root, hub, hub, usb_path.substr(dot + 1));
    }
    auto bus = usb_path.substr(0, dash);
    return fmt::format("{}/bus/usb/devices/usb{}/{}-0:1.0/usb{}-port{}/disable", sysfs_root, bus, bus, bus,
        usb_path.substr(dash + 1));
}

RecoverySettings recovery_settings(const Watchdog& watchdog)
{
    RecoverySettings settings;
    settings.first_backoff = watchdog.first_backoff;
    settings.usb_power_cycle = watchdog.usb_power_cycle ? UsbPowerCycling::Allowed : UsbPowerCycling::Forbidden;
    return settings;
}

} // namespace

void Modem::apply_watchdog()
{
    if (data_)
        data_->apply(effective_.watchdog);
    auto settings = recovery_settings(effective_.watchdog);
    if (settings != ladder_->settings())
        ladder_->apply(settings);
}

Recovery Modem::recovery() const
{
    auto status = ladder_->status();
    Recovery view;
    view.state = std::string(to_string(status.state));
    view.next_step = std::string(to_string(status.next_step));
    if (status.last_action) {
        view.last_action = to_string(*status.last_action);
        view.last_action_at = wall_time(status.last_action->time);
    }
    view.not_before = wall_time(status.not_before);
    view.probe_bytes_per_month = watchdog_bytes_per_month(effective_.watchdog);
    return view;
}

void Modem::on_observation(const DataConnection::Observation& observation)
{
    using Kind = DataConnection::Observation::Kind;
    auto now = Clock::now();
    switch (observation.kind) {
    case Kind::Up:
        follow_ladder(ladder_->connection_up(now));
        return;
    case Kind::AttemptFailed:
    case Kind::Dropped:
        // A refusal only other settings cure is the administrator's to fix: no remedy helps.
        if (!observation.curable)
            return;
        follow_ladder(ladder_->connection_failed(now,
            observation.kind == Kind::Dropped ? ConnectionFailure::Dropped : ConnectionFailure::AttemptFailed,
            observation.detail));
        return;
    case Kind::ProbeAnswered:
        follow_ladder(ladder_->probe_answered(now));
        return;
    case Kind::ProbeUnanswered:
        follow_ladder(ladder_->probe_unanswered(now));
        return;
    }
}

void Modem::follow_ladder(RecoveryOutput output)
{
    if (stopping_)
        return;
    if (output.recovered) {
        log(LogLevel::Info, "modem", "{}: recovery: {}", device_.usb_path, *output.recovered);
        callbacks_.event(Event::Kind::Recovery, *output.recovered);
    }
    if (output.wake)
        arm_ladder_timer(*output.wake);
    if (!output.action)
        return;
    auto text = to_string(*output.action);
    log(LogLevel::Warning, "modem", "{}: recovery: {}", device_.usb_path, text);
    callbacks_.event(Event::Kind::Recovery, text);
    if (output.action->step == RecoveryStep::Reconnect) {
        if (data_)
            data_->reconnect("recovery: reconnecting");
        return;
    }
    pending_remedy_ = output.action->step;
    wake_.cancel(); // the poll loop takes it
}

void Modem::arm_ladder_timer(Clock::time_point when)
{
    ladder_timer_.expires_at(when);
    ladder_timer_.async_wait([weak = weak_from_this()](boost::system::error_code error) {
        auto self = weak.lock();
        if (error || !self || self->stopping_)
            return;
        self->follow_ladder(self->ladder_->tick(Clock::now()));
    });
}

// Radio off and on again re-registers from scratch; a reset restarts the modem (its USB device
// goes and comes back, as a new Modem on the same ladder). Either way the modem is read afresh.
awaitable<Modem::Next> Modem::perform_remedy(RecoveryStep step)
{
    switch (step) {
    case RecoveryStep::Reconnect:
        co_return Next::Proceed;
    case RecoveryStep::RadioOffOn: {
        set_state(State::Enabling, FailedReason::None, "recovery: radio off and on");
        auto off = co_await command("AT+CFUN=4", radio_off_timeout);
        if (auto failure = failure_of(off))
            co_return *failure;
        auto on = co_await command("AT+CFUN=1", radio_on_timeout);
        if (auto failure = failure_of(on))
            co_return *failure;
        co_return Next::Restart;
    }
    case RecoveryStep::ModemReset: {
        set_state(State::Initializing, FailedReason::None, "recovery: modem reset");
        // The modem may drop off the bus before it answers: only a closed port or a stop ends here.
        auto reset = co_await transact("AT+CFUN=1,1", radio_on_timeout);
        if (!reset)
            if (auto failure = transport_failure(reset.error()); failure == Next::Closed || failure == Next::Stopped)
                co_return *failure;
        co_return Next::Restart;
    }
    case RecoveryStep::UsbPowerCycle:
        co_return co_await power_cycle_usb_port();
    }
    co_return Next::Proceed;
}

awaitable<Modem::Next> Modem::power_cycle_usb_port()
{
    auto path = port_disable_path(settings_.sysfs_root, device_.usb_path);
    auto write = [&path](const char* value) {
        std::ofstream file(path);
        return static_cast<bool>(file << value << std::flush);
    };
    if (path.empty() || !write("1")) {
        auto message = fmt::format("recovery: cannot switch the USB port off: {} is not writable (the hub or kernel "
                                   "has no per-port power switching)",
            path.empty() ? device_.usb_path : path);
        log(LogLevel::Warning, "modem", "{}: {}", device_.usb_path, message);
        callbacks_.event(Event::Kind::Recovery, message);
        co_return Next::Proceed;
    }
    // Not sleep(): the modem leaves the bus at once, the rescan stops this Modem, and a stop ends
    // sleep() early, which would give the port its power back before the modem has lost it. A
    // timer of its own ends on time even then, and uplinkd's stop waits for it (main.cpp's
    // grace outlasts it), so the port is never left off.
    asio::steady_timer power_off(executor_, usb_power_off_time);
    co_await power_off.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!write("0"))
        log(LogLevel::Error, "modem", "{}: cannot switch the USB port on again through {}", device_.usb_path, path);
    co_return Next::Closed; // the device goes and comes back: the rescan finds it
}

} // namespace uplink::modem
