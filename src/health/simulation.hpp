// A simulated link for WanHealth, and mwan3track's scoring on the same link, for the simulation
// test and bench/health_bench. Deterministic: a seeded generator of our own (the standard
// distributions may differ between library versions) and simulated time only.
#pragma once

#include "health/health.hpp"

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace uplink::health::simulation {

// What the link does to a probe sent at a given time: lost with independent probability `loss`,
// lost always within a blackout, else answered after rtt + a uniform 0..jitter.
struct LinkModel {
    double loss = 0;
    Duration rtt = 20ms;
    Duration jitter = 10ms;
    // [from, to) offsets from the start of the simulation during which nothing is answered.
    std::vector<std::pair<Duration, Duration>> blackouts;
    // Targets that never answer (ICMP filtered or rate-limited there).
    std::set<std::size_t> silent_targets;
};

// A link silent over [start, end) from the start of the simulation, answering otherwise.
LinkModel silent_from(Duration start, Duration end = 24h * 365);

// Uniform doubles in [0, 1) from a 64-bit Mersenne twister, the same on every platform.
class Random {
public:
    explicit Random(std::uint64_t seed)
        : engine_(seed)
    {
    }
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

private:
    std::mt19937_64 engine_;
};

// One WanHealth driven by a LinkModel: probes sent when it says, each answered or lost as the
// link decides, every wake honoured.
class Simulation {
public:
    Simulation(
        std::size_t target_count, HealthSettings settings, LinkModel link, std::uint64_t seed);

    // Runs until the engine has sent `probes` probes in all, or until `offset` from the start.
    void run_probes(std::uint64_t probes);
    void run_until(Duration offset);
    // A link signal now (at the simulation's current time).
    void signal(LinkSignal signal);

    const std::vector<Transition>& transitions() const { return transitions_; }
    int transitions_to(WanState state) const;
    Duration elapsed() const;
    Clock::time_point start() const { return start_; }
    const WanHealth& health() const { return health_; }
    LinkModel& link() { return link_; }

private:
    struct Outcome {
        std::uint64_t id = 0;
        std::optional<Duration> rtt; // none: lost
    };
    template <typename Stop> void run(Stop stop);
    void take(const HealthOutput& output);
    bool in_blackout(Clock::time_point time) const;

    Clock::time_point start_, now_;
    LinkModel link_;
    Random random_;
    WanHealth health_;
    std::optional<Clock::time_point> wake_;
    std::multimap<Clock::time_point, Outcome> pending_;
    std::vector<Transition> transitions_;
};

// mwan3track's settings (openwrt/packages net/mwan3, reference/multiwan.md §1.2): sequential
// pings of `size` bytes, one per target until `reliability` have answered, a `timeout` each; a
// round every `interval`; offline after `down` failed rounds in a row, online after `up` good.
struct Mwan3Settings {
    int targets = 4;
    int reliability = 2;
    Duration timeout = 4s;
    Duration interval = 10s;
    int down = 5;
    int up = 5;
    std::uint32_t bytes_per_ping = icmp_echo_exchange_bytes(56);
};
// The shipped `wan` section (4 targets, reliability 2) and a one-target section (reliability 1).
Mwan3Settings mwan3_shipped();
Mwan3Settings mwan3_one_target();

struct Mwan3Result {
    std::uint64_t pings = 0;
    std::uint64_t rounds = 0;
    std::uint64_t bytes = 0;
    int offline_events = 0; // "disconnected": the failovers
    Duration elapsed {};
    std::optional<Duration> first_offline; // from the start
    std::optional<Duration> first_online; // "connected" after first_offline
};
// Runs mwan3track's loop on `link` until `pings` pings have been sent or `until` has passed.
Mwan3Result simulate_mwan3(const Mwan3Settings& settings, const LinkModel& link,
    std::uint64_t pings, Duration until, std::uint64_t seed);

// The mean and the worst of a set of durations, in seconds.
struct Spread {
    double mean = 0, worst = 0;
};
Spread spread(const std::vector<double>& seconds);

// How long mwan3track takes to go offline in a blackout that starts at `phases` points spread
// over one round, from a steady state: its detection time at `settings`.
Spread mwan3_blackout_detection(const Mwan3Settings& settings, int phases, std::uint64_t seed);

} // namespace uplink::health::simulation
