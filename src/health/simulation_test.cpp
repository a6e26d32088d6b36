// WanHealth on a simulated link with a fixed seed: the statistical rules (no false failover on a
// 20 %-loss link, a blackout found within the bound, brownout, failback, damping), and the mwan3
// model bench/health_bench compares against.
#include "health/simulation.hpp"

#include <gtest/gtest.h>

namespace uplink::health::simulation {
namespace {

constexpr std::uint64_t seed = 20261207;

HealthSettings unmetered()
{
    return defaults_for(Metering::Unmetered);
}

HealthSettings metered()
{
    return defaults_for(Metering::Metered);
}

LinkModel losing(double loss)
{
    LinkModel link;
    link.loss = loss;
    return link;
}

LinkModel silent(std::vector<std::pair<Duration, Duration>> blackouts)
{
    LinkModel link;
    link.blackouts = std::move(blackouts);
    return link;
}

std::optional<Transition> first_to(const Simulation& simulation, WanState state)
{
    for (const auto& transition : simulation.transitions())
        if (transition.to == state)
            return transition;
    return std::nullopt;
}

TEST(HealthSimulation, TenThousandProbesAtTwentyPercentLossAreNoFalseFailover)
{
    for (auto settings : {unmetered(), metered()}) {
        Simulation simulation(3, settings, losing(0.2), seed);
        simulation.run_probes(10'000);
        EXPECT_EQ(simulation.transitions_to(WanState::Dead), 0)
            << "up interval " << settings.up_interval.count() << " ms";
        // ...but the link is degraded: its loss average is above 20 % about half of the time.
        EXPECT_GE(simulation.transitions_to(WanState::Degraded), 1);
        auto status = simulation.health().status(simulation.start() + simulation.elapsed());
        EXPECT_GE(status.probes_lost, 1'900u);
    }
}

TEST(HealthSimulation, ThirtyPercentLossForAnHourIsDegradedNotDead)
{
    // About 21,000 probes, bursts included: a lossy link loses preference, and 12 losses in a row
    // (about once in 5 days at this rate: 0.7 x 0.3^12 a probe) do not happen in this hour.
    Simulation simulation(3, unmetered(), losing(0.3), seed);
    simulation.run_until(1h);
    EXPECT_EQ(simulation.transitions_to(WanState::Dead), 0);
    EXPECT_EQ(simulation.health().state(), WanState::Degraded);
}

TEST(HealthSimulation, FivePercentLossIsNeitherDeadNorDegraded)
{
    Simulation simulation(3, unmetered(), losing(0.05), seed);
    simulation.run_probes(10'000);
    EXPECT_TRUE(simulation.transitions().empty());
}

// The time from the start of a blackout to the Dead transition, the blackout starting at `phases`
// points spread over one up interval (a blackout comes at no particular moment).
std::vector<Duration> detection_times(HealthSettings settings, int phases)
{
    std::vector<Duration> times;
    for (int phase = 0; phase < phases; ++phase) {
        auto start = 60s + settings.up_interval * phase / phases;
        Simulation simulation(3, settings, silent({{start, 24h}}), seed + phase);
        simulation.run_until(start + 60s);
        auto dead = first_to(simulation, WanState::Dead);
        EXPECT_TRUE(dead);
        if (dead)
            times.push_back(
                std::chrono::duration_cast<Duration>(dead->time - simulation.start()) - start);
    }
    return times;
}

TEST(HealthSimulation, AnUnmeteredBlackoutIsDeadWithinOneSecond)
{
    for (auto time : detection_times(unmetered(), 50)) {
        EXPECT_LE(time, 1s);
        EXPECT_GE(time, 600ms); // a timeout, the burst, its doubled timeouts: never a guess
    }
}

TEST(HealthSimulation, AMeteredBlackoutIsDeadWithinTenSeconds)
{
    for (auto time : detection_times(metered(), 50))
        EXPECT_LE(time, 10s);
}

TEST(HealthSimulation, TheBlackoutReasonSaysWhatWasSilent)
{
    Simulation simulation(3, unmetered(), silent({{10s, 24h}}), seed);
    simulation.run_until(20s);
    auto dead = first_to(simulation, WanState::Dead);
    ASSERT_TRUE(dead);
    EXPECT_TRUE(dead->reason.starts_with("3 targets silent for ")) << dead->reason;
    EXPECT_TRUE(dead->reason.ends_with(": 12 of 12 probes lost")) << dead->reason;
}

TEST(HealthSimulation, AHandoverGapShorterThanTheSpanIsNotABlackout)
{
    // Metered: 1.2 s of silence, in which a regular probe and the burst after it are lost, is a
    // handover (reference/multiwan.md §4.1, mode 5); 4 s is not.
    for (int gap = 0; gap < 20; ++gap) {
        auto start = 60s + 6s * gap / 20;
        Simulation simulation(3, metered(), silent({{start, start + 1200ms}}), seed);
        simulation.run_until(start + 60s);
        EXPECT_EQ(simulation.transitions_to(WanState::Dead), 0)
            << "gap at " << start.count() << " ms";
    }
    Simulation longer(3, metered(), silent({{60s, 64s}}), seed);
    longer.run_until(120s);
    EXPECT_EQ(longer.transitions_to(WanState::Dead), 1);
}

TEST(HealthSimulation, OneSilentTargetIsNotABlackout)
{
    // A target that filters ICMP (or rate-limits it) loses every probe sent to it.
    LinkModel link;
    link.silent_targets = {1};
    Simulation simulation(3, unmetered(), link, seed);
    simulation.run_probes(10'000);
    EXPECT_EQ(simulation.transitions_to(WanState::Dead), 0);
}

TEST(HealthSimulation, WithOneTargetItsSilenceIsEnough)
{
    Simulation simulation(1, unmetered(), silent({{10s, 24h}}), seed);
    simulation.run_until(20s);
    ASSERT_TRUE(first_to(simulation, WanState::Dead));
    EXPECT_TRUE(first_to(simulation, WanState::Dead)->reason.starts_with("1 target silent"));
}

TEST(HealthSimulation, ASlowLinkIsDegradedNotDead)
{
    // An LTE link whose round trip jumps from 60 ms to 1.2 s at once (a full uplink queue): the
    // burst's timeouts double with each loss until replies come in again.
    LinkModel link;
    link.rtt = 60ms;
    link.jitter = 20ms;
    Simulation simulation(3, metered(), link, seed);
    simulation.run_until(10min);
    simulation.link().rtt = 1200ms;
    simulation.run_until(30min);
    EXPECT_EQ(simulation.transitions_to(WanState::Dead), 0);
    auto degraded = first_to(simulation, WanState::Degraded);
    ASSERT_TRUE(degraded);
    EXPECT_TRUE(degraded->reason.starts_with("latency ")) << degraded->reason;
    EXPECT_TRUE(degraded->reason.ends_with(" ms over about 5 min > 1000 ms")) << degraded->reason;
}

TEST(HealthSimulation, ALossyLinkIsDegradedWithTheLossInTheReasonThenRecovers)
{
    Simulation simulation(3, unmetered(), losing(0.3), seed);
    simulation.run_until(5min);
    auto degraded = first_to(simulation, WanState::Degraded);
    ASSERT_TRUE(degraded);
    EXPECT_TRUE(degraded->reason.starts_with("loss ")) << degraded->reason;
    EXPECT_TRUE(degraded->reason.ends_with(" over about 60 s > 20 %")) << degraded->reason;
    EXPECT_EQ(simulation.transitions_to(WanState::Dead), 0);

    simulation.link().loss = 0;
    auto clean_from = simulation.elapsed();
    simulation.run_until(clean_from + 10min);
    auto up = first_to(simulation, WanState::Up);
    ASSERT_TRUE(up);
    // The average must fall from about 30 % to 10 % (about 66 s at 60 s), then stay for 30 s.
    EXPECT_GE(up->time - simulation.start(), clean_from + 90s);
    EXPECT_EQ(simulation.health().state(), WanState::Up);
}

TEST(HealthSimulation, DegradedHoldsItsRecoveryForTheStablePeriod)
{
    // The same lossy then clean link, with and without the 30 s hold: up 30 s later with it.
    auto up_after = [](HealthSettings settings) {
        Simulation simulation(3, settings, losing(0.3), seed);
        simulation.run_until(5min);
        simulation.link().loss = 0;
        simulation.run_until(15min);
        auto up = first_to(simulation, WanState::Up);
        return up ? up->time - simulation.start() : Clock::duration::max();
    };
    auto held = unmetered();
    auto unheld = unmetered();
    unheld.stable_period = Duration::zero();
    EXPECT_EQ(std::chrono::round<std::chrono::seconds>(up_after(held) - up_after(unheld)), 30s);
}

TEST(HealthSimulation, FailbackWaitsForTheStablePeriodAndStartsOverOnSilence)
{
    // Dead at 10 s; answering again from 20 s, silent again 35-40 s, answering from 40 s: up 30 s
    // after the replies resumed the second time, not the first. (The first reply after 40 s
    // comes with the dead backoff's third probe: 1, 2 then 4 s after the second blackout.)
    Simulation simulation(3, unmetered(), silent({{10s, 20s}, {35s, 40s}}), seed);
    simulation.run_until(2min);
    ASSERT_EQ(simulation.transitions().size(), 2u);
    EXPECT_EQ(simulation.transitions()[0].to, WanState::Dead);
    EXPECT_EQ(simulation.transitions()[1].to, WanState::Up);
    auto up_after = simulation.transitions()[1].time - simulation.start();
    EXPECT_GE(up_after, 70s);
    EXPECT_LE(up_after, 75s);
    EXPECT_TRUE(simulation.transitions()[1].reason.starts_with("answering again for 30 s: "))
        << simulation.transitions()[1].reason;
}

TEST(HealthSimulation, AFlappingLinkIsDamped)
{
    // Silent for 5 s every 45 s: it would be dead, up 30 s later, dead again 10 s after that. The
    // third fall within a few minutes holds it dead until the penalty decays to the reuse level.
    LinkModel flapping;
    for (auto start = 10s; start < 1h; start += 45s)
        flapping.blackouts.push_back({start, start + 5s});
    Simulation simulation(3, unmetered(), flapping, seed);
    simulation.run_until(5min);
    EXPECT_EQ(simulation.transitions_to(WanState::Dead), 3);
    EXPECT_EQ(simulation.transitions_to(WanState::Up), 2);
    auto status = simulation.health().status(simulation.start() + simulation.elapsed());
    EXPECT_EQ(status.state, WanState::Dead);
    ASSERT_TRUE(status.held_until);
    EXPECT_GT(status.flap_penalty, 750);

    // The link heals: up once the penalty has decayed, and the reason says it was held.
    simulation.link().blackouts.clear();
    simulation.run_until(1h);
    auto last = simulation.transitions().back();
    EXPECT_EQ(last.to, WanState::Up);
    EXPECT_NE(last.reason.find("longer for flapping"), std::string::npos) << last.reason;
}

TEST(HealthSimulation, AFastSignalFailsOverWithoutWaitingForProbes)
{
    Simulation simulation(3, metered(), LinkModel {}, seed);
    simulation.run_until(1min);
    simulation.signal(LinkSignal::ModemDetached);
    ASSERT_EQ(simulation.transitions().size(), 1u);
    EXPECT_EQ(simulation.transitions()[0].time - simulation.start(), 1min);
}

TEST(HealthSimulation, MeteredProbingStaysWithinItsBudget)
{
    // A tight 5 MB budget on a link that loses 30 %: bursts and all, a month stays under it, give
    // or take the day's allowance the bucket starts with.
    auto settings = metered();
    settings.monthly_byte_budget = 5'000'000;
    Simulation simulation(3, settings, losing(0.3), seed);
    simulation.run_until(std::chrono::duration_cast<Duration>(std::chrono::days(30)));
    auto status = simulation.health().status(simulation.start() + simulation.elapsed());
    EXPECT_LE(status.bytes_sent, 5'000'000u * 31 / 30);
    EXPECT_GE(status.bytes_sent, 3'000'000u);
}

TEST(Mwan3Model, DetectionAsTheReferenceDerivesIt)
{
    // reference/multiwan.md §1.3: 120-130 s with the shipped 4 targets, 60-70 s with one.
    for (int phase = 0; phase < 10; ++phase) {
        auto start = 300s + 1s * phase;
        auto link = silent({{start, 24h}});
        auto shipped = simulate_mwan3(mwan3_shipped(), link, UINT64_MAX, start + 10min, seed);
        ASSERT_TRUE(shipped.first_offline);
        EXPECT_GE(*shipped.first_offline - start, 120s);
        EXPECT_LE(*shipped.first_offline - start, 131s);
        auto single = simulate_mwan3(mwan3_one_target(), link, UINT64_MAX, start + 10min, seed);
        ASSERT_TRUE(single.first_offline);
        EXPECT_GE(*single.first_offline - start, 60s);
        EXPECT_LE(*single.first_offline - start, 71s);
    }
}

TEST(Mwan3Model, ShippedTargetsCostTwoPingsARound)
{
    auto result = simulate_mwan3(mwan3_shipped(), LinkModel {}, 1000, 24h, seed);
    EXPECT_EQ(result.pings, 1000u);
    EXPECT_EQ(result.offline_events, 0);
    // 2 pings of 168 bytes every 10 s (and their round trips): about 87 MB a month.
    EXPECT_NEAR(static_cast<double>(result.elapsed.count()), 500 * 10'040.0, 500 * 20.0);
}

} // namespace
} // namespace uplink::health::simulation
