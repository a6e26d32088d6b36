// The simulated link and mwan3track's loop (simulation.hpp).
#include "health/simulation.hpp"

#include <algorithm>
#include <cassert>

namespace uplink::health::simulation {

namespace {

std::vector<Target> make_targets(std::size_t count)
{
    std::vector<Target> targets;
    for (std::size_t index = 0; index < count; ++index)
        targets.push_back(Target {fmt::format("192.0.2.{}", index + 1)});
    return targets;
}

const Clock::time_point origin = Clock::time_point {} + std::chrono::hours(1000);

} // namespace

Simulation::Simulation(
    std::size_t target_count, HealthSettings settings, LinkModel link, std::uint64_t seed)
    : start_(origin)
    , now_(origin)
    , link_(std::move(link))
    , random_(seed)
    , health_(make_targets(target_count), settings, origin)
{
    take(health_.tick(now_));
}

void Simulation::run_probes(std::uint64_t probes)
{
    run([&] { return health_.status(now_).probes_sent >= probes; });
}

void Simulation::run_until(Duration offset)
{
    auto until = start_ + offset;
    run([&] {
        auto next = wake_;
        if (!pending_.empty() && (!next || pending_.begin()->first < *next))
            next = pending_.begin()->first;
        if (!next || *next > until) {
            now_ = std::max(now_, until);
            return true;
        }
        return false;
    });
}

void Simulation::signal(LinkSignal signal)
{
    take(health_.signal(now_, signal));
}

template <typename Stop> void Simulation::run(Stop stop)
{
    while (!stop()) {
        auto outcome = pending_.begin();
        if (outcome != pending_.end() && (!wake_ || outcome->first <= *wake_)) {
            now_ = outcome->first;
            auto [id, rtt] = outcome->second;
            pending_.erase(outcome);
            take(rtt ? health_.probe_answered(now_, id, *rtt) : health_.probe_lost(now_, id));
            continue;
        }
        assert(wake_); // the engine always either waits for a probe or wants a tick
        now_ = *wake_;
        take(health_.tick(now_));
    }
}

void Simulation::take(const HealthOutput& output)
{
    if (output.transition)
        transitions_.push_back(*output.transition);
    for (const auto& probe : output.probes) {
        auto rtt = link_.rtt
            + Duration(static_cast<Duration::rep>(
                random_.uniform() * static_cast<double>(link_.jitter.count())));
        auto lost = random_.uniform() < link_.loss || in_blackout(now_)
            || link_.silent_targets.contains(probe.target);
        if (lost || rtt > probe.timeout)
            pending_.emplace(now_ + probe.timeout, Outcome {probe.id, std::nullopt});
        else
            pending_.emplace(now_ + rtt, Outcome {probe.id, rtt});
    }
    wake_ = output.wake;
}

bool Simulation::in_blackout(Clock::time_point time) const
{
    return std::any_of(link_.blackouts.begin(), link_.blackouts.end(), [&](const auto& blackout) {
        return time >= start_ + blackout.first && time < start_ + blackout.second;
    });
}

int Simulation::transitions_to(WanState state) const
{
    return static_cast<int>(std::count_if(transitions_.begin(), transitions_.end(),
        [&](const Transition& transition) { return transition.to == state; }));
}

Duration Simulation::elapsed() const
{
    return std::chrono::duration_cast<Duration>(now_ - start_);
}

Mwan3Settings mwan3_shipped()
{
    return Mwan3Settings {};
}

Mwan3Settings mwan3_one_target()
{
    Mwan3Settings settings;
    settings.targets = 1;
    settings.reliability = 1;
    return settings;
}

// mwan3track's main loop (net/mwan3/files/usr/sbin/mwan3track): each round pings the targets one
// after another, `ping -c 1 -W timeout`, until `reliability` have answered; a round with fewer
// answers fails. Online, `down` failed rounds in a row (a good round resets the score) fire
// "disconnected"; offline, `up` good rounds in a row fire "connected". Then it sleeps `interval`.
Mwan3Result simulate_mwan3(const Mwan3Settings& settings, const LinkModel& link,
    std::uint64_t pings, Duration until, std::uint64_t seed)
{
    Random random(seed);
    Mwan3Result result;
    Duration now {};
    auto in_blackout = [&](Duration time) {
        return std::any_of(link.blackouts.begin(), link.blackouts.end(),
            [&](const auto& blackout) { return time >= blackout.first && time < blackout.second; });
    };
    bool online = true;
    int streak = 0; // failed rounds while online, good rounds while offline
    while (result.pings < pings && now < until) {
        ++result.rounds;
        int answered = 0;
        for (int target = 0; target < settings.targets && answered < settings.reliability;
             ++target) {
            ++result.pings;
            result.bytes += settings.bytes_per_ping;
            auto rtt = link.rtt
                + Duration(static_cast<Duration::rep>(
                    random.uniform() * static_cast<double>(link.jitter.count())));
            if (random.uniform() < link.loss || in_blackout(now) || rtt > settings.timeout) {
                now += settings.timeout;
            } else {
                now += rtt;
                ++answered;
            }
        }
        bool good = answered >= settings.reliability;
        streak = good == online ? 0 : streak + 1;
        if (online && streak >= settings.down) {
            online = false;
            streak = 0;
            ++result.offline_events;
            if (!result.first_offline)
                result.first_offline = now;
        } else if (!online && streak >= settings.up) {
            online = true;
            streak = 0;
            if (!result.first_online)
                result.first_online = now;
        }
        now += settings.interval;
    }
    result.elapsed = now;
    return result;
}

LinkModel silent_from(Duration start, Duration end)
{
    LinkModel link;
    link.blackouts = {{start, end}};
    return link;
}

Spread spread(const std::vector<double>& seconds)
{
    Spread result;
    for (auto value : seconds) {
        result.mean += value / static_cast<double>(seconds.size());
        result.worst = std::max(result.worst, value);
    }
    return result;
}

Spread mwan3_blackout_detection(const Mwan3Settings& settings, int phases, std::uint64_t seed)
{
    std::vector<double> times;
    for (int phase = 0; phase < phases; ++phase) {
        auto start = 10min + settings.interval * phase / phases;
        auto result = simulate_mwan3(settings, silent_from(start), UINT64_MAX, start + 10min, seed);
        if (result.first_offline)
            times.push_back(std::chrono::duration<double>(*result.first_offline - start).count());
    }
    return spread(times);
}

} // namespace uplink::health::simulation
