// health: whether each WAN passes traffic, decided from probe results and fast link signals.
//
// A sans-I/O engine (DESIGN.md "Inside uplinkd"): no sockets and no clock of its own. The caller
// sends the probes it is told to (net::probe() bound to the WAN's interface, ICMP echo; DNS or
// TCP connect as options), reports each one's reply or loss and the kernel's and the modem's
// link signals, with the time, and calls tick() by the wake time each call returns. Tests and
// bench/health_bench drive months of simulated time in seconds.
//
// The rules (docs/failover.md "Health" gives the reasoning and the sources; the reference is
// reference/multiwan.md §4):
//  - Dead at once on a fast signal: link down or address lost (netlink), modem detached or bearer
//    lost. No probe is waited for.
//  - Dead on a blackout: every one of at least 12 probes since the last reply lost, spread over at
//    least 3 targets and over at least the blackout span (so that a handover gap does not count).
//    A loss while up starts a confirming burst at the span's pace, which a single reply ends.
//  - Degraded, not dead, when a slow average of loss or latency crosses its threshold; back up
//    when both are under the (lower) recovery thresholds for the stable period.
//  - Back up from dead only after replies for the stable period (30 s), and later still when the
//    WAN has flapped (RFC 2439 penalty with a half-life).
//  - Probe timeouts from the measured RTT (RFC 6298); probing backs off while dead, and a byte
//    budget caps what probes may cost a metered WAN.
#pragma once

#include "core/core.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::health {

enum class WanState { Up, Degraded, Dead };
std::string_view to_string(WanState state); // "up", "degraded", "dead"
std::optional<WanState> wan_state_from_string(std::string_view text);

// Link signals from the kernel (rtnetlink) and the modem (QMI/MBIM indications, AT URCs). The
// first four mean the WAN cannot carry traffic; the last four only that it may again, so they
// make it probe at once, never make it up (a modem that says "connected" can still be a zombie
// session: reference/multiwan.md §4.1).
enum class LinkSignal {
    LinkDown, // RTM_NEWLINK without IFF_LOWER_UP, or RTM_DELLINK
    AddressLost, // RTM_DELADDR of the WAN's last address
    ModemDetached, // packet service detached / registration lost
    BearerLost, // the data call (bearer, PDP context) ended
    LinkUp,
    AddressAdded,
    ModemRegistered,
    BearerConnected,
};
std::string_view to_string(LinkSignal signal); // "link-down", ...
std::optional<LinkSignal> link_signal_from_string(std::string_view text);

// Whether the WAN's traffic is paid by the byte (a SIM with a data allowance): it sets the
// defaults' probe rate and budget.
enum class Metering { Unmetered, Metered };
std::string_view to_string(Metering metering); // "unmetered", "metered"
std::optional<Metering> metering_from_string(std::string_view text);

// One ICMP echo and its reply, IPv4 without options: 2 x (20 IP + 8 ICMP + payload).
constexpr std::uint32_t icmp_echo_exchange_bytes(std::uint32_t payload_bytes)
{
    return 2 * (20 + 8 + payload_bytes);
}
// net::probe() sends 8 bytes of payload: 72 bytes of IP traffic per probe.
constexpr std::uint32_t default_probe_bytes = icmp_echo_exchange_bytes(8);

// What probing costs over a 30-day month: `bytes_per_probe` every `interval` (positive).
std::uint64_t probe_bytes_per_month(Duration interval, std::uint64_t bytes_per_probe);

// A probe target: an address (or "1.1.1.1:53" for DNS) as the caller names it, for the reasons
// the engine writes, and the bytes one probe of it costs (request and reply, IP headers
// included).
struct Target {
    std::string name;
    std::uint32_t bytes_per_probe = default_probe_bytes;
};

// Everything tunable; defaults_for() gives the defaults, health.cpp says why each is what it is.
struct HealthSettings {
    // Probing while up or degraded, and while dead: a backoff from the first to the last interval.
    Duration up_interval = 250ms;
    Duration dead_first_interval = 1s;
    Duration dead_last_interval = 2s;
    // Probe timeouts: RFC 6298's RTO, before any sample and within these limits.
    Duration initial_timeout = 1s;
    Duration minimum_timeout = 200ms;
    Duration maximum_timeout = 2s;
    // Blackout: at least this many probes lost in a row, to at least this many targets (or all of
    // them, when there are fewer), sent over at least this span. A loss starts a burst of probes
    // paced to fill the span.
    int blackout_probes = 12;
    int blackout_targets = 3;
    Duration blackout_span = 100ms;
    // Brownout: averages over about `quality_time_constant`; fail above, recover at or below.
    double degraded_loss = 0.20;
    Duration degraded_latency = 1000ms;
    double recovered_loss = 0.10;
    Duration recovered_latency = 500ms;
    Duration quality_time_constant = 60s;
    // Failback: replies (or, from degraded, good quality) for this long before up.
    Duration stable_period = 30s;
    // Flap damping (RFC 2439 §4.2): each fall to dead adds a penalty that halves every half-life;
    // above `suppress_penalty` the WAN is held dead, however good, until it decays to
    // `reuse_penalty`, and never held longer than `maximum_hold` at a time.
    double flap_penalty = 1000;
    double suppress_penalty = 2500;
    double reuse_penalty = 750;
    Duration penalty_half_life = 5min;
    Duration maximum_hold = 30min;
    // Probe bytes a month may cost this WAN; 0: no limit.
    std::uint64_t monthly_byte_budget = 0;
    bool operator==(const HealthSettings&) const = default;
};
HealthSettings defaults_for(Metering metering);

// ---------------------------------------------------------------- the parts
// Each is a small engine of its own, tested alone (its _test.cpp beside it).

// RFC 6298 §2's estimator, for probe timeouts instead of TCP retransmissions: K = 4, alpha = 1/8,
// beta = 1/4; the timeout is srtt + max(G, K * rttvar) within [minimum, maximum], and doubles on
// each loss until the next reply (§5.5, Karn's back-off).
class RttEstimator {
public:
    RttEstimator(Duration initial, Duration minimum, Duration maximum);
    void sample(Duration rtt);
    void lost();
    Duration timeout() const;
    std::optional<Duration> smoothed() const;
    std::optional<Duration> variation() const;

private:
    Duration initial_, minimum_, maximum_;
    std::optional<double> smoothed_ms_; // SRTT
    double variation_ms_ = 0; // RTTVAR
    int backoffs_ = 0; // losses since the last reply
};

// The average of a signal sampled at irregular times, each sample standing for the time since the
// one before: weight 1 - d, d = exp(-dt / time constant), the older weights decaying by d, the
// sum of weights normalised to 1. A burst of samples a few milliseconds apart weighs little.
class DecayingAverage {
public:
    explicit DecayingAverage(Duration time_constant);
    void add(Clock::time_point now, double sample);
    std::optional<double> value() const { return value_; }
    // How long the samples have been coming: an average of a few seconds says little.
    Duration covered(Clock::time_point now) const;

private:
    Duration time_constant_;
    std::optional<double> value_;
    double sum_ = 0, weight_ = 0;
    Clock::time_point first_ {}, last_ {};
};

// RFC 2439 §4.2 flap damping: a penalty per flap, decaying exponentially with a half-life;
// suppressed from when it reaches the suppress level until it decays to the reuse level. The
// penalty is capped so that no hold lasts longer than the maximum (§4.2, "maximum hold down").
class FlapDamper {
public:
    FlapDamper(
        double penalty, double suppress, double reuse, Duration half_life, Duration maximum_hold);
    void flap(Clock::time_point now);
    double penalty(Clock::time_point now) const;
    // While suppressed: when the hold ends. None: not suppressed.
    std::optional<Clock::time_point> held_until(Clock::time_point now) const;

private:
    enum class Damping { Free, Suppressed };
    double per_flap_, suppress_, reuse_, ceiling_;
    Duration half_life_;
    double penalty_ = 0;
    Clock::time_point updated_ {};
    Damping damping_ = Damping::Free;
};

// A token bucket of probe bytes for a metered WAN: it holds a day of the monthly budget and
// refills at the budget's pace, so bursts (confirming a loss, recovering) can borrow from the day
// and probing as a whole stays within the month. A budget of 0 is no limit.
class ProbeBudget {
public:
    ProbeBudget(std::uint64_t bytes_per_month, Clock::time_point now);
    // The earliest time `bytes` can be spent (now or earlier when it can be now).
    Clock::time_point affordable_at(Clock::time_point now, std::uint32_t bytes) const;
    void spend(Clock::time_point now, std::uint32_t bytes);
    // The interval between regular probes of `bytes` that keeps them within 80 % of the budget,
    // leaving the rest for bursts: `interval` itself when that is slower already.
    Duration pace(Duration interval, std::uint32_t bytes) const;
    std::uint64_t bytes_per_month() const { return bytes_per_month_; }

private:
    double level(Clock::time_point now) const;
    std::uint64_t bytes_per_month_;
    double capacity_;
    double level_;
    Clock::time_point updated_;
};

// ---------------------------------------------------------------- one WAN

// A probe to send now: to targets[target], given up as lost after `timeout`. Its outcome is
// reported once, with the same id, to probe_answered() or probe_lost().
struct ProbeOrder {
    std::uint64_t id = 0;
    std::size_t target = 0;
    Duration timeout {};
    bool operator==(const ProbeOrder&) const = default;
};

// A change of state, with a reason a person can read: "3 targets silent for 1.2 s: 12 of 12
// probes lost", "link down (netlink)", "loss 23 % over about 60 s > 20 %".
struct Transition {
    WanState from = WanState::Up;
    WanState to = WanState::Up;
    std::string reason;
    Clock::time_point time {};
};
std::string to_string(const Transition& transition); // "up -> dead: link down (netlink)"

// What a call returns: probes to send now, a transition when the state changed, and when to call
// tick() at the latest (none: only a probe's outcome can change anything).
struct HealthOutput {
    std::vector<ProbeOrder> probes;
    std::optional<Transition> transition;
    std::optional<Clock::time_point> wake;
};

// What the API shows of one WAN.
struct HealthStatus {
    WanState state = WanState::Up;
    std::string reason; // why it is in this state
    Clock::time_point since {};
    std::optional<Clock::time_point> answering_since; // dead, but replies since then
    std::optional<Clock::time_point> held_until; // flap damping keeps it dead until then
    double flap_penalty = 0;
    std::optional<Duration> smoothed_rtt;
    std::optional<Duration> rtt_variation;
    Duration timeout {};
    std::optional<double> loss; // 0..1, averaged over the quality time constant
    std::optional<Duration> latency;
    std::uint64_t probes_sent = 0, probes_answered = 0, probes_lost = 0;
    std::uint64_t bytes_sent = 0;
    std::optional<Clock::time_point> next_probe; // none: waiting for a burst's outcome
    std::uint64_t bytes_per_month = 0; // what regular probing at the up interval costs
    std::uint64_t monthly_byte_budget = 0; // 0: none
};

class WanHealth {
public:
    // `targets` must not be empty. Settings out of range are brought into it (see health.cpp).
    // The WAN starts up, as mwan3's `initial_state online` does: a dead one is found by its first
    // blackout or fast signal, a live one carries traffic without waiting for the stable period.
    // `flaps`, an earlier engine's of the same WAN (a modem that connects again), carries its
    // flapping over: while that holds it, the WAN starts dead and comes back as a dead one does.
    WanHealth(std::vector<Target> targets, HealthSettings settings, Clock::time_point now,
        std::optional<FlapDamper> flaps = std::nullopt);

    const FlapDamper& flaps() const { return damper_; }

    HealthOutput tick(Clock::time_point now);
    HealthOutput probe_answered(Clock::time_point now, std::uint64_t id, Duration rtt);
    HealthOutput probe_lost(Clock::time_point now, std::uint64_t id);
    HealthOutput signal(Clock::time_point now, LinkSignal signal);

    WanState state() const { return state_; }
    HealthStatus status(Clock::time_point now) const;
    const HealthSettings& settings() const { return settings_; }

private:
    struct Sent {
        std::size_t target = 0;
        Clock::time_point time {};
    };
    // Probes lost since the last reply: the evidence for a blackout.
    struct LossRun {
        int lost = 0;
        std::set<std::size_t> targets;
        Clock::time_point first_sent {}, last_sent {};
    };

    HealthOutput finish(Clock::time_point now, std::optional<Transition> transition);
    void send_due_probes(Clock::time_point now, std::vector<ProbeOrder>& probes);
    std::optional<Clock::time_point> next_probe_due(Clock::time_point now) const;
    bool burst_complete() const;
    bool after_last_answer(const Sent& sent) const;
    Duration burst_spacing() const;
    Duration regular_interval() const;
    bool answering() const { return answering_since_.has_value(); }
    std::size_t blackout_targets() const;
    std::optional<Transition> record_loss(Clock::time_point now, const Sent& sent);
    std::optional<Transition> judge_quality(Clock::time_point now);
    std::optional<Transition> judge_recovery(Clock::time_point now);
    std::optional<Clock::time_point> recovery_due(Clock::time_point now) const;
    Transition set_state(Clock::time_point now, WanState state, std::string reason);
    void start_dead_probing(Clock::time_point now);

    std::vector<Target> targets_;
    HealthSettings settings_;
    RttEstimator rtt_;
    DecayingAverage loss_, latency_;
    FlapDamper damper_;
    ProbeBudget budget_;

    WanState state_ = WanState::Up;
    std::string reason_;
    Clock::time_point since_;

    std::map<std::uint64_t, Sent> outstanding_;
    std::uint64_t next_id_ = 1;
    std::size_t next_target_ = 0;
    Clock::time_point next_regular_; // the next regular (or backoff) probe
    std::optional<Clock::time_point> last_sent_;
    std::optional<Clock::time_point> last_answered_sent_; // when the latest answered probe left
    Duration dead_interval_;
    std::optional<LossRun> run_;
    Clock::time_point dead_from_ {}; // replies to older probes say nothing
    std::optional<Clock::time_point> answering_since_; // dead: the first reply since
    int answered_while_dead_ = 0, lost_while_dead_ = 0; // since answering_since_
    std::optional<Clock::time_point> good_since_; // degraded: quality good since

    std::uint64_t probes_sent_ = 0, probes_answered_ = 0, probes_lost_ = 0, bytes_sent_ = 0;
};

} // namespace uplink::health
