// The health of one WAN (health.hpp): probe scheduling, the blackout and brownout rules, failback
// and flap damping. No I/O and no clock of its own; every call gets the time.
//
// How probing goes, by what is known:
//  - up or degraded: one probe every up interval (slower when the byte budget says so), rotating
//    over the targets;
//  - a probe lost: a confirming burst, one probe every span / (blackout probes - 1), until a reply
//    ends it or enough probes are out to decide a blackout;
//  - dead: a backoff from the first dead interval, doubling to the last; at once on a link "up"
//    signal;
//  - dead but answering: the up pace again, so that the stable period is seen probe by probe.
#include "health/health.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace uplink::health {

namespace {

// A burst sends no faster than this: 100 probes a second.
constexpr Duration minimum_burst_spacing = 10ms;

HealthSettings fitted(HealthSettings settings)
{
    settings.up_interval = std::max(settings.up_interval, minimum_burst_spacing);
    settings.dead_first_interval = std::max(settings.dead_first_interval, minimum_burst_spacing);
    settings.dead_last_interval
        = std::max(settings.dead_last_interval, settings.dead_first_interval);
    settings.minimum_timeout = std::max(settings.minimum_timeout, Duration(1));
    settings.maximum_timeout = std::max(settings.maximum_timeout, settings.minimum_timeout);
    settings.initial_timeout
        = std::clamp(settings.initial_timeout, settings.minimum_timeout, settings.maximum_timeout);
    // One loss alone must never make a WAN dead.
    settings.blackout_probes = std::max(settings.blackout_probes, 2);
    settings.blackout_targets = std::max(settings.blackout_targets, 1);
    settings.blackout_span = std::max(settings.blackout_span, Duration::zero());
    settings.degraded_loss = std::clamp(settings.degraded_loss, 0.0, 1.0);
    settings.recovered_loss = std::clamp(settings.recovered_loss, 0.0, settings.degraded_loss);
    settings.recovered_latency = std::min(settings.recovered_latency, settings.degraded_latency);
    settings.quality_time_constant = std::max(settings.quality_time_constant, Duration(1s));
    settings.stable_period = std::max(settings.stable_period, Duration::zero());
    settings.penalty_half_life = std::max(settings.penalty_half_life, Duration(1s));
    settings.reuse_penalty = std::max(settings.reuse_penalty, 1.0);
    settings.suppress_penalty = std::max(settings.suppress_penalty, settings.reuse_penalty);
    return settings;
}

// "250 ms", "1.2 s", "30 s", "5 min": as a person reads a reason.
std::string describe(Clock::duration duration)
{
    auto milliseconds = std::chrono::duration_cast<Duration>(duration).count();
    if (milliseconds < 1000)
        return fmt::format("{} ms", milliseconds);
    if (milliseconds < 10'000)
        return fmt::format("{:.1f} s", static_cast<double>(milliseconds) / 1000);
    auto seconds = milliseconds / 1000;
    if (seconds < 120 || seconds % 60 != 0)
        return fmt::format("{} s", seconds);
    return fmt::format("{} min", seconds / 60);
}

std::string percent(double fraction)
{
    return fmt::format("{:.0f} %", fraction * 100);
}

// A measured fraction beside its threshold: "23 %", but "20.4 %" rather than "20 % > 20 %".
std::string percent(double fraction, double threshold)
{
    if (std::lround(fraction * 100) == std::lround(threshold * 100))
        return fmt::format("{:.1f} %", fraction * 100);
    return percent(fraction);
}

std::string_view down_reason(LinkSignal signal)
{
    switch (signal) {
    case LinkSignal::LinkDown:
        return "link down (netlink)";
    case LinkSignal::AddressLost:
        return "address lost (netlink)";
    case LinkSignal::ModemDetached:
        return "modem detached from the network";
    case LinkSignal::BearerLost:
        return "bearer lost (modem)";
    default:
        return {};
    }
}

} // namespace

WanHealth::WanHealth(std::vector<Target> targets, HealthSettings settings, Clock::time_point now,
    std::optional<FlapDamper> flaps)
    : targets_(std::move(targets))
    , settings_(fitted(settings))
    , rtt_(settings_.initial_timeout, settings_.minimum_timeout, settings_.maximum_timeout)
    , loss_(settings_.quality_time_constant)
    , latency_(settings_.quality_time_constant)
    , damper_(settings_.flap_penalty, settings_.suppress_penalty, settings_.reuse_penalty,
          settings_.penalty_half_life, settings_.maximum_hold)
    , budget_(settings_.monthly_byte_budget, now)
    , reason_("assumed up at start, until the probes say otherwise")
    , since_(now)
    , next_regular_(now)
    , dead_interval_(settings_.dead_first_interval)
{
    assert(!targets_.empty());
    if (!flaps)
        return;
    damper_ = *flaps;
    if (auto held = damper_.held_until(now)) {
        state_ = WanState::Dead;
        reason_ = fmt::format("held dead for flapping, {} more", describe(*held - now));
        start_dead_probing(now);
    }
}

HealthOutput WanHealth::tick(Clock::time_point now)
{
    return finish(now, std::nullopt);
}

HealthOutput WanHealth::probe_answered(Clock::time_point now, std::uint64_t id, Duration rtt)
{
    auto found = outstanding_.find(id);
    if (found == outstanding_.end())
        return finish(now, std::nullopt);
    auto sent = found->second;
    outstanding_.erase(found);
    ++probes_answered_;
    rtt_.sample(rtt);
    run_.reset();
    last_answered_sent_ = std::max(last_answered_sent_.value_or(sent.time), sent.time);
    if (state_ == WanState::Dead) {
        // A reply to a probe sent before the WAN fell dead says nothing about it now.
        if (sent.time < dead_from_)
            return finish(now, std::nullopt);
        if (!answering()) {
            answering_since_ = now;
            answered_while_dead_ = lost_while_dead_ = 0;
            next_regular_ = std::min(next_regular_, now + regular_interval());
        }
        ++answered_while_dead_;
    }
    loss_.add(now, 0);
    latency_.add(now, static_cast<double>(rtt.count()));
    return finish(now, judge_quality(now));
}

HealthOutput WanHealth::probe_lost(Clock::time_point now, std::uint64_t id)
{
    auto found = outstanding_.find(id);
    if (found == outstanding_.end())
        return finish(now, std::nullopt);
    auto sent = found->second;
    outstanding_.erase(found);
    ++probes_lost_;
    rtt_.lost();
    // Dead and not answering: one more loss says nothing new.
    if (state_ == WanState::Dead && !answering())
        return finish(now, std::nullopt);
    if (state_ == WanState::Dead)
        ++lost_while_dead_;
    return finish(now, record_loss(now, sent));
}

HealthOutput WanHealth::signal(Clock::time_point now, LinkSignal signal)
{
    auto reason = down_reason(signal);
    if (reason.empty()) {
        // The link may carry traffic again: probe now instead of at the end of a long backoff.
        if (state_ == WanState::Dead && !answering()) {
            next_regular_ = now;
            dead_interval_ = settings_.dead_first_interval;
        }
        return finish(now, std::nullopt);
    }
    if (state_ != WanState::Dead)
        return finish(now, set_state(now, WanState::Dead, std::string(reason)));
    reason_ = reason;
    start_dead_probing(now);
    return finish(now, std::nullopt);
}

HealthStatus WanHealth::status(Clock::time_point now) const
{
    HealthStatus status;
    status.state = state_;
    status.reason = reason_;
    status.since = since_;
    status.answering_since = answering_since_;
    if (state_ == WanState::Dead)
        status.held_until = damper_.held_until(now);
    status.flap_penalty = damper_.penalty(now);
    status.smoothed_rtt = rtt_.smoothed();
    status.rtt_variation = rtt_.variation();
    status.timeout = rtt_.timeout();
    status.loss = loss_.value();
    if (auto latency = latency_.value())
        status.latency = Duration(static_cast<Duration::rep>(std::lround(*latency)));
    status.probes_sent = probes_sent_;
    status.probes_answered = probes_answered_;
    status.probes_lost = probes_lost_;
    status.bytes_sent = bytes_sent_;
    status.next_probe = next_probe_due(now);
    std::uint32_t bytes = 0;
    for (const auto& target : targets_)
        bytes = std::max(bytes, target.bytes_per_probe);
    status.bytes_per_month = probe_bytes_per_month(regular_interval(), bytes);
    status.monthly_byte_budget = budget_.bytes_per_month();
    return status;
}

HealthOutput WanHealth::finish(Clock::time_point now, std::optional<Transition> transition)
{
    if (!transition)
        transition = judge_recovery(now);
    HealthOutput output;
    output.transition = std::move(transition);
    send_due_probes(now, output.probes);
    output.wake = next_probe_due(now);
    if (auto recovery = recovery_due(now); recovery && (!output.wake || *recovery < *output.wake))
        output.wake = recovery;
    return output;
}

void WanHealth::send_due_probes(Clock::time_point now, std::vector<ProbeOrder>& probes)
{
    for (auto due = next_probe_due(now); due && *due <= now; due = next_probe_due(now)) {
        auto target = next_target_;
        next_target_ = (next_target_ + 1) % targets_.size();
        auto bytes = targets_[target].bytes_per_probe;
        budget_.spend(now, bytes);
        auto id = next_id_++;
        outstanding_[id] = Sent {target, now};
        probes.push_back(ProbeOrder {id, target, rtt_.timeout()});
        ++probes_sent_;
        bytes_sent_ += bytes;
        last_sent_ = now;
        if (state_ == WanState::Dead && !answering()) {
            next_regular_ = now + dead_interval_;
            dead_interval_ = std::min(dead_interval_ * 2, settings_.dead_last_interval);
        } else {
            next_regular_ = now + regular_interval();
        }
    }
}

std::optional<Clock::time_point> WanHealth::next_probe_due(Clock::time_point now) const
{
    auto due = next_regular_;
    if (run_) {
        if (burst_complete())
            return std::nullopt;
        due = last_sent_ ? *last_sent_ + burst_spacing() : now;
    }
    return std::max(due, budget_.affordable_at(now, targets_[next_target_].bytes_per_probe));
}

// Whether the probes lost and those still out would, if all of those are lost too, make a
// blackout: then the burst waits for them instead of sending more.
bool WanHealth::burst_complete() const
{
    const auto& run = *run_;
    if (!last_sent_ || *last_sent_ - run.first_sent < settings_.blackout_span)
        return false;
    auto lost = run.lost;
    auto targets = run.targets;
    for (const auto& [id, sent] : outstanding_) {
        if (after_last_answer(sent)) {
            ++lost;
            targets.insert(sent.target);
        }
    }
    return lost >= settings_.blackout_probes && targets.size() >= blackout_targets();
}

// Whether a probe left after the latest answered one: only those can be evidence of silence. The
// loss of one sent before it is loss, not silence: the link answered a probe sent later.
bool WanHealth::after_last_answer(const Sent& sent) const
{
    return !last_answered_sent_ || sent.time > *last_answered_sent_;
}

Duration WanHealth::burst_spacing() const
{
    return std::max(
        settings_.blackout_span / (settings_.blackout_probes - 1), minimum_burst_spacing);
}

Duration WanHealth::regular_interval() const
{
    std::uint32_t bytes = 0;
    for (const auto& target : targets_)
        bytes = std::max(bytes, target.bytes_per_probe);
    return budget_.pace(settings_.up_interval, bytes);
}

std::size_t WanHealth::blackout_targets() const
{
    return std::min(static_cast<std::size_t>(settings_.blackout_targets), targets_.size());
}

std::optional<Transition> WanHealth::record_loss(Clock::time_point now, const Sent& sent)
{
    loss_.add(now, 1);
    if (!after_last_answer(sent))
        return judge_quality(now);
    if (!run_)
        run_ = LossRun {0, {}, sent.time, sent.time};
    auto& run = *run_;
    ++run.lost;
    run.targets.insert(sent.target);
    run.first_sent = std::min(run.first_sent, sent.time);
    run.last_sent = std::max(run.last_sent, sent.time);
    if (run.lost < settings_.blackout_probes || run.targets.size() < blackout_targets()
        || run.last_sent - run.first_sent < settings_.blackout_span)
        return judge_quality(now);

    auto reason = fmt::format("{} target{} silent for {}: {} of {} probes lost", run.targets.size(),
        run.targets.size() == 1 ? "" : "s", describe(now - run.first_sent), run.lost, run.lost);
    if (state_ != WanState::Dead)
        return set_state(now, WanState::Dead, std::move(reason));
    // Dead and answering for a while, and now silent again: the stable period starts over.
    reason_ = std::move(reason);
    start_dead_probing(now);
    return std::nullopt;
}

std::optional<Transition> WanHealth::judge_quality(Clock::time_point now)
{
    // Averages over a fraction of their time constant say little: no verdict before half of it.
    if (state_ == WanState::Dead || loss_.covered(now) < settings_.quality_time_constant / 2)
        return std::nullopt;
    auto loss = loss_.value().value_or(0);
    auto latency = latency_.value();
    auto over = describe(settings_.quality_time_constant);
    if (state_ == WanState::Up) {
        if (loss > settings_.degraded_loss)
            return set_state(now, WanState::Degraded,
                fmt::format("loss {} over about {} > {}", percent(loss, settings_.degraded_loss),
                    over, percent(settings_.degraded_loss)));
        if (latency && *latency > static_cast<double>(settings_.degraded_latency.count()))
            return set_state(now, WanState::Degraded,
                fmt::format("latency {:.0f} ms over about {} > {} ms", *latency, over,
                    settings_.degraded_latency.count()));
        return std::nullopt;
    }
    auto good = loss <= settings_.recovered_loss
        && (!latency || *latency <= static_cast<double>(settings_.recovered_latency.count()));
    if (!good)
        good_since_.reset();
    else if (!good_since_)
        good_since_ = now;
    return std::nullopt;
}

std::optional<Clock::time_point> WanHealth::recovery_due(Clock::time_point now) const
{
    if (state_ == WanState::Degraded && good_since_)
        return *good_since_ + settings_.stable_period;
    if (state_ == WanState::Dead && answering_since_) {
        auto due = *answering_since_ + settings_.stable_period;
        if (auto held = damper_.held_until(now))
            due = std::max(due, *held);
        return due;
    }
    return std::nullopt;
}

std::optional<Transition> WanHealth::judge_recovery(Clock::time_point now)
{
    auto due = recovery_due(now);
    if (!due || now < *due)
        return std::nullopt;
    auto loss = loss_.value().value_or(0);
    auto latency = latency_.value().value_or(0);
    if (state_ == WanState::Degraded)
        return set_state(now, WanState::Up,
            fmt::format("loss {} <= {} and latency {:.0f} ms <= {} ms for {}",
                percent(loss, settings_.recovered_loss), percent(settings_.recovered_loss), latency,
                settings_.recovered_latency.count(), describe(settings_.stable_period)));

    auto reason = fmt::format("answering again for {}: {} of {} probes answered",
        describe(now - *answering_since_), answered_while_dead_,
        answered_while_dead_ + lost_while_dead_);
    auto held = now - (*answering_since_ + settings_.stable_period);
    if (held >= 1s)
        reason += fmt::format(" (held {} longer for flapping)", describe(held));
    if (loss > settings_.degraded_loss)
        return set_state(now, WanState::Degraded,
            fmt::format("{}, but loss {} > {}", reason, percent(loss, settings_.degraded_loss),
                percent(settings_.degraded_loss)));
    if (latency > static_cast<double>(settings_.degraded_latency.count()))
        return set_state(now, WanState::Degraded,
            fmt::format("{}, but latency {:.0f} ms > {} ms", reason, latency,
                settings_.degraded_latency.count()));
    return set_state(now, WanState::Up, std::move(reason));
}

Transition WanHealth::set_state(Clock::time_point now, WanState state, std::string reason)
{
    Transition transition {state_, state, reason, now};
    good_since_.reset();
    answering_since_.reset();
    if (state == WanState::Dead) {
        damper_.flap(now);
        start_dead_probing(now);
    }
    state_ = state;
    reason_ = std::move(reason);
    since_ = now;
    return transition;
}

void WanHealth::start_dead_probing(Clock::time_point now)
{
    run_.reset();
    answering_since_.reset();
    dead_from_ = now;
    next_regular_ = now + settings_.dead_first_interval;
    dead_interval_ = std::min(settings_.dead_first_interval * 2, settings_.dead_last_interval);
}

} // namespace uplink::health
