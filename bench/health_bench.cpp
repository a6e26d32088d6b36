// Figures for WAN health (src/health), printed, not asserted, beside mwan3's defaults on the same
// simulated link: how long a blackout takes to find, how often random loss is taken for one, how
// long failback takes, and what the probes cost a month. Simulated time on a seeded link
// (src/health/simulation.hpp): the figures are the engines' decisions, not socket timings.
// mwan3 is modelled from mwan3track's loop with its shipped settings (reference/multiwan.md §1).
// Run: cmake --build build/release --target health_bench && build/release/bin/health_bench
#include "health/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using namespace uplink;
using namespace uplink::health;
using namespace uplink::health::simulation;

constexpr std::uint64_t seed = 13;
constexpr auto month = std::chrono::duration_cast<Duration>(std::chrono::days(30));
constexpr int phases = 200;

double seconds_of(Duration duration)
{
    return std::chrono::duration<double>(duration).count();
}

LinkModel losing(double loss)
{
    LinkModel link;
    link.loss = loss;
    return link;
}

std::optional<Clock::time_point> first_to(
    const Simulation& simulation, WanState state, Clock::time_point after)
{
    for (const auto& transition : simulation.transitions())
        if (transition.to == state && transition.time >= after)
            return transition.time;
    return std::nullopt;
}

// A blackout starting at `phases` points spread over one probe interval (ours) or one round
// (mwan3's: the interval plus its two pings), from a steady state.
Spread our_detection(HealthSettings settings)
{
    std::vector<double> times;
    for (int phase = 0; phase < phases; ++phase) {
        auto start = 10min + settings.up_interval * phase / phases;
        Simulation simulation(3, settings, silent_from(start), seed + phase);
        simulation.run_until(start + 2min);
        if (auto dead = first_to(simulation, WanState::Dead, simulation.start()))
            times.push_back(seconds_of(
                std::chrono::duration_cast<Duration>(*dead - simulation.start()) - start));
    }
    return spread(times);
}

// From the end of a 2 min blackout to up again (ours) or online (mwan3); ours with or without a
// modem "registered" signal as the link returns.
enum class ModemEvent { None, Registered };

Spread our_failback(HealthSettings settings, ModemEvent event)
{
    std::vector<double> times;
    for (int phase = 0; phase < phases / 10; ++phase) {
        auto end = 12min + settings.dead_last_interval * phase * 10 / phases;
        Simulation simulation(3, settings, silent_from(10min, end), seed + phase);
        simulation.run_until(end);
        if (event == ModemEvent::Registered)
            simulation.signal(LinkSignal::ModemRegistered);
        simulation.run_until(end + 5min);
        if (auto up = first_to(simulation, WanState::Up, simulation.start() + end))
            times.push_back(
                seconds_of(std::chrono::duration_cast<Duration>(*up - simulation.start()) - end));
    }
    return spread(times);
}

Spread mwan3_failback(const Mwan3Settings& settings)
{
    std::vector<double> times;
    for (int phase = 0; phase < phases; ++phase) {
        auto end = 12min + settings.interval * phase / phases;
        auto result
            = simulate_mwan3(settings, silent_from(10min, end), UINT64_MAX, end + 10min, seed);
        if (result.first_online)
            times.push_back(seconds_of(*result.first_online - end));
    }
    return spread(times);
}

double binomial(int n, int k)
{
    double result = 1;
    for (int i = 1; i <= k; ++i)
        result = result * (n - k + i) / i;
    return result;
}

struct Run {
    int dead = 0; // false failovers
    double per_month = 0; // at the simulated probe rate
    double expected_per_month = 0;
    double bytes_per_month = 0;
};

Run our_run(HealthSettings settings, double loss, std::uint64_t probes)
{
    Simulation simulation(3, settings, losing(loss), seed);
    simulation.run_probes(probes);
    auto elapsed = simulation.elapsed();
    auto status = simulation.health().status(simulation.start() + elapsed);
    auto months = seconds_of(elapsed) / seconds_of(month);
    Run run;
    run.dead = simulation.transitions_to(WanState::Dead);
    run.per_month = run.dead / months;
    // A run of m losses starts at a given probe with probability (1 - p) p^m (reference §4.3).
    auto probes_per_month = static_cast<double>(status.probes_sent) / months;
    run.expected_per_month
        = probes_per_month * (1 - loss) * std::pow(loss, settings.blackout_probes);
    run.bytes_per_month = static_cast<double>(status.bytes_sent) / months;
    return run;
}

Run mwan3_run(const Mwan3Settings& settings, double loss, std::uint64_t pings)
{
    auto result = simulate_mwan3(settings, losing(loss), pings, Duration::max(), seed);
    auto months = seconds_of(result.elapsed) / seconds_of(month);
    Run run;
    run.dead = result.offline_events;
    run.per_month = run.dead / months;
    // A round fails when fewer than `reliability` targets answer (it tries them all then); `down`
    // failed rounds in a row start at a given round with probability (1 - q) q^down.
    double failed_round = 0;
    for (int answered = 0; answered < settings.reliability; ++answered)
        failed_round += binomial(settings.targets, answered) * std::pow(1 - loss, answered)
            * std::pow(loss, settings.targets - answered);
    auto rounds_per_month = static_cast<double>(result.rounds) / months;
    run.expected_per_month
        = rounds_per_month * (1 - failed_round) * std::pow(failed_round, settings.down);
    run.bytes_per_month = static_cast<double>(result.bytes) / months;
    return run;
}

void print_defaults()
{
    auto wired = defaults_for(Metering::Unmetered);
    auto metered = defaults_for(Metering::Metered);
    std::printf("defaults\n");
    for (auto [name, settings] :
        {std::pair {"uplink unmetered", wired}, std::pair {"uplink metered", metered}}) {
        std::printf("  %-22s probe every %.2f s to 3 targets (%u bytes), timeout RFC 6298 in "
                    "[%.1f, %.1f] s;"
                    " dead: %d lost over %d targets and %.1f s; up after %.0f s\n",
            name, seconds_of(settings.up_interval), default_probe_bytes,
            seconds_of(settings.minimum_timeout), seconds_of(settings.maximum_timeout),
            settings.blackout_probes, settings.blackout_targets, seconds_of(settings.blackout_span),
            seconds_of(settings.stable_period));
    }
    for (auto [name, settings] : {std::pair {"mwan3 shipped wan", mwan3_shipped()},
             std::pair {"mwan3 one target", mwan3_one_target()}}) {
        std::printf(
            "  %-22s ping %d target(s) in turn, reliability %d, timeout %.0f s, interval %.0f s,"
            " down %d, up %d (%u bytes a ping)\n",
            name, settings.targets, settings.reliability, seconds_of(settings.timeout),
            seconds_of(settings.interval), settings.down, settings.up, settings.bytes_per_ping);
    }
}

void print_detection()
{
    std::printf(
        "\nblackout (link up, nothing answers) -> dead/offline, %d start phases, mean / worst\n",
        phases);
    auto ours = [](const char* name, Spread detection) {
        std::printf("  %-22s %7.2f s / %7.2f s\n", name, detection.mean, detection.worst);
    };
    ours("uplink unmetered", our_detection(defaults_for(Metering::Unmetered)));
    ours("uplink metered", our_detection(defaults_for(Metering::Metered)));
    ours("mwan3 shipped wan", mwan3_blackout_detection(mwan3_shipped(), phases, seed));
    ours("mwan3 one target", mwan3_blackout_detection(mwan3_one_target(), phases, seed));
    std::printf("  fast signal (link down, bearer lost): uplink 0 s after the event; mwan3 only on "
                "netifd's ifdown\n");

    std::printf("\nfailback after a 2 min blackout: from the first moment it answers to up/online, "
                "mean / worst\n");
    ours("uplink unmetered", our_failback(defaults_for(Metering::Unmetered), ModemEvent::None));
    ours("uplink metered", our_failback(defaults_for(Metering::Metered), ModemEvent::None));
    ours("  + modem registers",
        our_failback(defaults_for(Metering::Metered), ModemEvent::Registered));
    ours("mwan3 shipped wan", mwan3_failback(mwan3_shipped()));
    ours("mwan3 one target", mwan3_failback(mwan3_one_target()));
}

void print_false_failovers()
{
    std::printf("\nfalse failovers (dead/offline on independent random loss, never a real outage), "
                "seed %llu\n",
        static_cast<unsigned long long>(seed));
    std::printf("  %-22s %5s %10s %10s %11s %14s %15s\n", "", "loss", "in 10,000", "in 10^6",
        "per month", "expected/month", "probe MB/month");
    for (auto loss : {0.05, 0.20, 0.30}) {
        auto row = [&](const char* name, Run small, Run large) {
            std::printf("  %-22s %4.0f%% %10d %10d %11.3g %14.2g %15.1f\n", name, loss * 100,
                small.dead, large.dead, large.per_month, large.expected_per_month,
                large.bytes_per_month / 1e6);
        };
        for (auto metering : {Metering::Unmetered, Metering::Metered}) {
            auto settings = defaults_for(metering);
            row(metering == Metering::Unmetered ? "uplink unmetered" : "uplink metered",
                our_run(settings, loss, 10'000), our_run(settings, loss, 1'000'000));
        }
        row("mwan3 shipped wan", mwan3_run(mwan3_shipped(), loss, 10'000),
            mwan3_run(mwan3_shipped(), loss, 1'000'000));
        row("mwan3 one target", mwan3_run(mwan3_one_target(), loss, 10'000),
            mwan3_run(mwan3_one_target(), loss, 1'000'000));
    }
    std::printf(
        "  (per month: at each one's own probe rate, from the 10^6 run; expected/month: the\n"
        "   same rate from the loss probability, where a count of 0 says little; probe MB/month:\n"
        "   measured in that run, bursts included)\n");
}

void print_costs()
{
    std::printf("\nprobe bytes per month at the defaults, steady (no loss), 30-day month\n");
    for (auto metering : {Metering::Unmetered, Metering::Metered}) {
        auto settings = defaults_for(metering);
        std::printf("  %-22s %6.1f MB (%u bytes every %.2f s), budget %s\n",
            metering == Metering::Unmetered ? "uplink unmetered" : "uplink metered",
            static_cast<double>(probe_bytes_per_month(settings.up_interval, default_probe_bytes))
                / 1e6,
            default_probe_bytes, seconds_of(settings.up_interval),
            settings.monthly_byte_budget
                ? fmt::format("{:.0f} MB", static_cast<double>(settings.monthly_byte_budget) / 1e6)
                      .c_str()
                : "none");
    }
    auto shipped = mwan3_shipped();
    std::printf("  %-22s %6.1f MB (2 pings of %u bytes every %.0f s)\n", "mwan3 shipped wan",
        static_cast<double>(2 * probe_bytes_per_month(shipped.interval, shipped.bytes_per_ping))
            / 1e6,
        shipped.bytes_per_ping, seconds_of(shipped.interval));
}

} // namespace

int main()
{
    print_defaults();
    print_detection();
    print_costs();
    print_false_failovers();
}
