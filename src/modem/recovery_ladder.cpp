// The recovery ladder engine (recovery_ladder.hpp). No I/O, no clock of its own: the time comes
// with every call, so tests drive days of it in microseconds.
//
// Why the defaults (RecoverySettings) are what they are:
//  - 5 probes unanswered in a row: DESIGN.md asks for no false failover on a 20 %-loss link. At
//    20 % loss a streak of 5 losses starts at a given probe with probability 0.2^5 = 0.03 %, about
//    once in 2 days at one probe a minute (3 in a row would be 1 in 125 probes: many a day), and a
//    needless reconnect costs the user a few seconds of outage.
//  - 3 failed attempts or drops in 10 min: one drop is ordinary (a handover, network maintenance)
//    and the data connection redials by itself; a third within 10 minutes says redialling alone
//    is not enough.
//  - 5 min unregistered: cell reselection and short outages take seconds to a minute or two; a
//    modem still searching after 5 minutes is often stuck, and radio off/on is the usual cure.
//  - 2 attempts per step: each remedy gets one retry before a heavier one is tried.
//  - 15 s first backoff, doubling to 30 min: a redial takes a few seconds, radio off/on and
//    re-registration up to a minute, a modem reset (boot, SIM, registration) one or two. With 2
//    attempts per step the waits are 15 and 30 s after the reconnects, 1 and 2 min after the
//    radio cycles, 4 min after the first reset: each remedy gets more time than it needs, the
//    first radio cycle comes 45 s after the first redial and the first reset 3 min 45 s after
//    it, and an exhausted ladder acts at most every 30 min (48 times a day).
//  - 10 min stable: longer than any gap between drops that still counts as a pattern, so a
//    bearer that drops every few minutes keeps climbing; a connection that held 10 minutes after
//    a remedy is cured, and its next trouble starts again from the cheapest remedy.
//  - USB power cycling forbidden: it needs a hub with per-port power switching, and on some boards
//    the port also feeds other devices; the administrator opts in.
#include "modem/recovery_ladder.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

namespace uplink::modem {

namespace {

constexpr std::array step_names {
    std::pair {RecoveryStep::Reconnect, std::string_view("reconnect")},
    std::pair {RecoveryStep::RadioOffOn, std::string_view("radio-off-on")},
    std::pair {RecoveryStep::ModemReset, std::string_view("modem-reset")},
    std::pair {RecoveryStep::UsbPowerCycle, std::string_view("usb-power-cycle")},
};
constexpr std::array cycling_names {
    std::pair {UsbPowerCycling::Forbidden, std::string_view("forbidden")},
    std::pair {UsbPowerCycling::Allowed, std::string_view("allowed")},
};
constexpr std::array failure_names {
    std::pair {ConnectionFailure::AttemptFailed, std::string_view("attempt-failed")},
    std::pair {ConnectionFailure::Dropped, std::string_view("dropped")},
};
constexpr std::array state_names {
    std::pair {LadderState::Idle, std::string_view("idle")},
    std::pair {LadderState::Climbing, std::string_view("climbing")},
    std::pair {LadderState::Exhausted, std::string_view("exhausted")},
};

// "45 s", "4 min 10 s", "2 h 5 min": whole seconds, as a person reads a log.
std::string describe(Duration duration)
{
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
    if (seconds < 120)
        return fmt::format("{} s", seconds);
    if (seconds < 7200) {
        auto minutes = seconds / 60;
        auto rest = seconds % 60;
        return rest ? fmt::format("{} min {} s", minutes, rest) : fmt::format("{} min", minutes);
    }
    auto hours = seconds / 3600;
    auto minutes = seconds % 3600 / 60;
    return minutes ? fmt::format("{} h {} min", hours, minutes) : fmt::format("{} h", hours);
}

Duration elapsed(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration_cast<Duration>(to - from);
}

} // namespace

std::string_view to_string(RecoveryStep step)
{
    return name_of(step_names, step);
}

std::optional<RecoveryStep> recovery_step_from_string(std::string_view text)
{
    return value_of(step_names, text);
}

std::string_view to_string(UsbPowerCycling cycling)
{
    return name_of(cycling_names, cycling);
}

std::optional<UsbPowerCycling> usb_power_cycling_from_string(std::string_view text)
{
    return value_of(cycling_names, text);
}

std::string_view to_string(ConnectionFailure failure)
{
    return name_of(failure_names, failure);
}

std::optional<ConnectionFailure> connection_failure_from_string(std::string_view text)
{
    return value_of(failure_names, text);
}

std::string_view to_string(LadderState state)
{
    return name_of(state_names, state);
}

std::optional<LadderState> ladder_state_from_string(std::string_view text)
{
    return value_of(state_names, text);
}

std::string to_string(const RecoveryAction& action)
{
    if (action.attempt <= action.attempt_limit)
        return fmt::format("step {}/{} {}, attempt {} of {}: {}; no other remedy for {}",
            action.step_number, action.step_count, to_string(action.step), action.attempt,
            action.attempt_limit, action.reason, describe(action.wait));
    return fmt::format("step {}/{} {}, attempt {} (all {} used, so at most every {}): {}",
        action.step_number, action.step_count, to_string(action.step), action.attempt,
        action.attempt_limit, describe(action.wait), action.reason);
}

std::uint64_t probe_bytes_per_month(Duration interval, std::uint64_t bytes_per_probe)
{
    assert(interval.count() > 0);
    constexpr std::uint64_t month
        = std::chrono::duration_cast<Duration>(std::chrono::hours(24 * 30)).count();
    auto every = static_cast<std::uint64_t>(interval.count());
    // Whole probes, then the fraction of one: no overflow for any realistic probe size.
    return bytes_per_probe * (month / every) + bytes_per_probe * (month % every) / every;
}

// ---------------------------------------------------------------- the ladder

RecoveryLadder::RecoveryLadder(RecoverySettings settings)
    : settings_(std::move(settings))
    , backoff_(0)
{
    fit_to_settings();
}

void RecoveryLadder::fit_to_settings()
{
    auto& s = settings_;
    s.unanswered_probes_before_action = std::max(s.unanswered_probes_before_action, 1);
    s.connection_failures_before_action = std::max(s.connection_failures_before_action, 1);
    s.attempts_per_step = std::max(s.attempts_per_step, 1);
    s.connection_failure_window = std::max<Duration>(s.connection_failure_window, 1s);
    s.unregistered_limit = std::max<Duration>(s.unregistered_limit, 0s);
    s.first_backoff = std::max<Duration>(s.first_backoff, 1s);
    s.max_backoff = std::max(s.max_backoff, s.first_backoff);
    s.stable_after = std::max<Duration>(s.stable_after, 1s);

    steps_ = {RecoveryStep::Reconnect, RecoveryStep::RadioOffOn, RecoveryStep::ModemReset};
    if (s.usb_power_cycle == UsbPowerCycling::Allowed)
        steps_.push_back(RecoveryStep::UsbPowerCycle);
    if (rung_ > top_rung()) {
        // The step it stood on is gone: the one below it was used up to get there.
        rung_ = top_rung();
        attempts_ = s.attempts_per_step;
    }
    while (rung_ < top_rung() && attempts_ >= s.attempts_per_step) {
        ++rung_;
        attempts_ = 0;
    }
    backoff_ = std::clamp(backoff_, s.first_backoff, s.max_backoff);
    if (state_ != LadderState::Idle)
        state_ = exhausted() ? LadderState::Exhausted : LadderState::Climbing;
}

bool RecoveryLadder::exhausted() const
{
    return rung_ == top_rung() && attempts_ >= settings_.attempts_per_step;
}

void RecoveryLadder::go_to_bottom()
{
    state_ = LadderState::Idle;
    rung_ = 0;
    attempts_ = 0;
    backoff_ = settings_.first_backoff;
}

void RecoveryLadder::reset()
{
    go_to_bottom();
    not_before_.reset();
    link_ = Link::Down;
    up_since_action_ = false;
    healthy_since_.reset();
    unanswered_probes_ = 0;
    failures_.clear();
    last_failure_detail_.clear();
    if (unregistered_since_)
        unregistered_since_ = now_; // still a fact, but its time is counted afresh
}

void RecoveryLadder::apply(RecoverySettings settings)
{
    settings_ = std::move(settings);
    fit_to_settings();
    if (state_ == LadderState::Idle)
        backoff_ = settings_.first_backoff; // nothing taken yet: the new first wait applies as is
}

// ---------------------------------------------------------------- observations
// Each one notes what it says at `now` (never earlier than a time already seen), then evaluates.

RecoveryOutput RecoveryLadder::connection_up(Clock::time_point now)
{
    now_ = std::max(now_, now);
    link_ = Link::Up;
    up_since_action_ = true;
    unanswered_probes_ = 0;
    unregistered_since_.reset(); // a call needs a registration
    if (!healthy_since_)
        healthy_since_ = now_;
    return evaluate(now_);
}

RecoveryOutput RecoveryLadder::connection_failed(
    Clock::time_point now, ConnectionFailure failure, std::string detail)
{
    now_ = std::max(now_, now);
    failures_.push_back({now_, failure});
    last_failure_detail_ = std::move(detail);
    link_ = Link::Down;
    unanswered_probes_ = 0;
    healthy_since_.reset();
    return evaluate(now_);
}

RecoveryOutput RecoveryLadder::probe_answered(Clock::time_point now)
{
    now_ = std::max(now_, now);
    link_ = Link::Up;
    up_since_action_ = true;
    unanswered_probes_ = 0;
    if (!healthy_since_)
        healthy_since_ = now_;
    return evaluate(now_);
}

RecoveryOutput RecoveryLadder::probe_unanswered(Clock::time_point now)
{
    now_ = std::max(now_, now);
    if (unanswered_probes_ == 0)
        first_unanswered_ = now_;
    ++unanswered_probes_;
    last_unanswered_ = now_;
    healthy_since_.reset(); // the modem says connected: the link stays up, but is not healthy
    return evaluate(now_);
}

RecoveryOutput RecoveryLadder::registration_lost(Clock::time_point now)
{
    now_ = std::max(now_, now);
    if (!unregistered_since_)
        unregistered_since_ = now_;
    link_ = Link::Down; // no bearer outlives the loss of its registration for long
    healthy_since_.reset();
    return evaluate(now_);
}

RecoveryOutput RecoveryLadder::registration_regained(Clock::time_point now)
{
    now_ = std::max(now_, now);
    unregistered_since_.reset();
    return evaluate(now_);
}

RecoveryOutput RecoveryLadder::tick(Clock::time_point now)
{
    now_ = std::max(now_, now);
    return evaluate(now_);
}

// ---------------------------------------------------------------- decisions

RecoveryOutput RecoveryLadder::evaluate(Clock::time_point now)
{
    while (!failures_.empty() && now - failures_.front().time > settings_.connection_failure_window)
        failures_.pop_front();

    RecoveryOutput output;
    if (state_ != LadderState::Idle && healthy_since_
        && now - *healthy_since_ >= settings_.stable_after) {
        output.recovered = fmt::format("connection healthy for {} after {}: back to {}",
            describe(elapsed(*healthy_since_, now)),
            last_action_ ? to_string(last_action_->step) : "a remedy", to_string(steps_.front()));
        go_to_bottom();
    }
    if ((!not_before_ || now >= *not_before_) && has_symptom(now))
        output.action = take_action(now, symptom(now));
    output.wake = wake(now);
    return output;
}

// The four reasons to act, cheapest to check first. Reasons are only put into words when a
// remedy is taken (symptom()), not on every tick.
bool RecoveryLadder::probes_unanswered_enough() const
{
    return unanswered_probes_ >= settings_.unanswered_probes_before_action;
}

bool RecoveryLadder::connection_failures_enough() const
{
    return static_cast<int>(failures_.size()) >= settings_.connection_failures_before_action;
}

bool RecoveryLadder::unregistered_too_long(Clock::time_point now) const
{
    return unregistered_since_ && settings_.unregistered_limit > 0s
        && now - *unregistered_since_ >= settings_.unregistered_limit;
}

// After a remedy the connection has to be seen back: a ladder that has acted keeps acting, at its
// backoff, while it is not.
bool RecoveryLadder::not_back() const
{
    return state_ != LadderState::Idle && link_ == Link::Down && last_action_;
}

bool RecoveryLadder::has_symptom(Clock::time_point now) const
{
    return probes_unanswered_enough() || connection_failures_enough() || unregistered_too_long(now)
        || not_back();
}

RecoveryLadder::Symptom RecoveryLadder::symptom(Clock::time_point now) const
{
    constexpr std::size_t radio_rung = 1; // a redial cannot help a modem that is not registered
    std::size_t minimum = unregistered_since_ ? radio_rung : 0;
    if (probes_unanswered_enough())
        return Symptom {fmt::format("{} probes unanswered in a row over {}", unanswered_probes_,
                            describe(elapsed(first_unanswered_, last_unanswered_))),
            minimum};
    if (connection_failures_enough())
        return Symptom {connection_failures_reason(), minimum};
    if (unregistered_too_long(now))
        return Symptom {
            fmt::format("not registered for {}", describe(elapsed(*unregistered_since_, now))),
            radio_rung};
    assert(not_back());
    auto step = to_string(last_action_->step);
    if (!up_since_action_)
        return Symptom {fmt::format("no connection {} after {}",
                            describe(elapsed(last_action_->time, now)), step),
            minimum};
    return Symptom {last_failure_detail_.empty()
            ? fmt::format("connection lost again after {}", step)
            : fmt::format("connection lost again after {} (last: {})", step, last_failure_detail_),
        minimum};
}

std::string RecoveryLadder::connection_failures_reason() const
{
    auto drops = std::ranges::count_if(failures_,
        [](const FailureSeen& seen) { return seen.failure == ConnectionFailure::Dropped; });
    auto count = failures_.size();
    auto span = describe(elapsed(failures_.front().time, failures_.back().time));
    std::string reason;
    if (drops == static_cast<std::ptrdiff_t>(count))
        reason = fmt::format("bearer dropped {} times in {}", count, span);
    else if (drops == 0)
        reason = fmt::format("{} connection attempts failed in {}", count, span);
    else
        reason = fmt::format("connection failed or dropped {} times in {}", count, span);
    if (!last_failure_detail_.empty())
        reason += fmt::format(" (last: {})", last_failure_detail_);
    return reason;
}

RecoveryAction RecoveryLadder::take_action(Clock::time_point now, const Symptom& symptom)
{
    if (rung_ < symptom.minimum_rung) {
        rung_ = std::min(symptom.minimum_rung, top_rung());
        attempts_ = 0;
    }
    ++attempts_;
    bool now_exhausted = exhausted();
    Duration wait = now_exhausted ? settings_.max_backoff : backoff_;
    RecoveryAction action {
        .step = steps_[rung_],
        .step_number = static_cast<int>(rung_) + 1,
        .step_count = static_cast<int>(steps_.size()),
        .attempt = attempts_,
        .attempt_limit = settings_.attempts_per_step,
        .reason = symptom.reason,
        .time = now,
        .wait = wait,
    };
    not_before_ = now + wait;
    backoff_
        = now_exhausted ? settings_.max_backoff : std::min(backoff_ * 2, settings_.max_backoff);
    if (attempts_ >= settings_.attempts_per_step && rung_ < top_rung()) {
        ++rung_;
        attempts_ = 0;
    }
    state_ = now_exhausted ? LadderState::Exhausted : LadderState::Climbing;

    // The remedy restarts the connection: what was seen before it is settled, and the connection
    // has to be seen to come back.
    link_ = Link::Down;
    up_since_action_ = false;
    healthy_since_.reset();
    unanswered_probes_ = 0;
    failures_.clear();
    last_failure_detail_.clear();
    if (unregistered_since_)
        unregistered_since_ = now;
    last_action_ = action;
    return action;
}

std::optional<Clock::time_point> RecoveryLadder::wake(Clock::time_point now) const
{
    std::optional<Clock::time_point> earliest;
    auto consider = [&](Clock::time_point time) {
        if (time > now && (!earliest || time < *earliest))
            earliest = time;
    };
    if (not_before_ && has_symptom(now))
        consider(*not_before_);
    if (state_ != LadderState::Idle && healthy_since_)
        consider(*healthy_since_ + settings_.stable_after);
    if (unregistered_since_ && settings_.unregistered_limit > 0s)
        consider(*unregistered_since_ + settings_.unregistered_limit);
    return earliest;
}

RecoveryStatus RecoveryLadder::status() const
{
    bool next_exhausts = rung_ == top_rung() && attempts_ + 1 >= settings_.attempts_per_step;
    return RecoveryStatus {
        .state = state_,
        .next_step = steps_[rung_],
        .next_step_number = static_cast<int>(rung_) + 1,
        .step_count = static_cast<int>(steps_.size()),
        .attempts_at_step = attempts_,
        .next_wait = next_exhausts ? settings_.max_backoff : backoff_,
        .not_before = not_before_,
        .last_action = last_action_,
    };
}

} // namespace uplink::modem
