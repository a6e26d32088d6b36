// One WAN's health engine fed probe outcomes, link signals and clock ticks, rule by rule. The
// rules that need many probes (blackouts, loss, flapping) run on the simulated link in
// simulation_test.cpp.
#include "health/health.hpp"

#include <gtest/gtest.h>

namespace uplink::health {
namespace {

const Clock::time_point origin = Clock::time_point {} + std::chrono::hours(1000);

std::vector<Target> targets(std::size_t count)
{
    std::vector<Target> list;
    for (std::size_t index = 0; index < count; ++index)
        list.push_back(Target {fmt::format("192.0.2.{}", index + 1)});
    return list;
}

// Feeds one engine and keeps what it answered. Every wake is checked: one in the past or present
// would make the caller spin.
class Driver {
public:
    explicit Driver(
        HealthSettings settings = defaults_for(Metering::Unmetered), std::size_t count = 3)
        : health(targets(count), settings, origin)
    {
        take(health.tick(now));
    }

    void take(const HealthOutput& output)
    {
        if (output.wake) {
            EXPECT_GT(*output.wake, now) << "a wake that is not in the future";
        }
        last = output;
        if (output.transition)
            transitions.push_back(*output.transition);
    }
    void tick_at_wake()
    {
        ASSERT_TRUE(last.wake);
        now = *last.wake;
        take(health.tick(now));
    }
    ProbeOrder only_probe() const
    {
        EXPECT_EQ(last.probes.size(), 1u);
        return last.probes.empty() ? ProbeOrder {} : last.probes.front();
    }
    void answer(const ProbeOrder& probe, Duration rtt)
    {
        now += rtt;
        take(health.probe_answered(now, probe.id, rtt));
    }
    void lose(const ProbeOrder& probe)
    {
        now += probe.timeout;
        take(health.probe_lost(now, probe.id));
    }
    void signal(LinkSignal signal) { take(health.signal(now, signal)); }

    WanHealth health;
    Clock::time_point now = origin;
    HealthOutput last;
    std::vector<Transition> transitions;
};

TEST(HealthNames, RoundTrip)
{
    for (auto state : {WanState::Up, WanState::Degraded, WanState::Dead})
        EXPECT_EQ(wan_state_from_string(to_string(state)), state);
    for (auto signal : {LinkSignal::LinkDown, LinkSignal::AddressLost, LinkSignal::ModemDetached,
             LinkSignal::BearerLost, LinkSignal::LinkUp, LinkSignal::AddressAdded,
             LinkSignal::ModemRegistered, LinkSignal::BearerConnected})
        EXPECT_EQ(link_signal_from_string(to_string(signal)), signal);
    for (auto metering : {Metering::Unmetered, Metering::Metered})
        EXPECT_EQ(metering_from_string(to_string(metering)), metering);
    EXPECT_FALSE(wan_state_from_string("online"));
    EXPECT_EQ(to_string(Transition {WanState::Up, WanState::Dead, "link down (netlink)", origin}),
        "up -> dead: link down (netlink)");
}

TEST(WanHealth, StartsUpAndProbesAtOnceRotatingOverTheTargets)
{
    Driver driver;
    EXPECT_EQ(driver.health.state(), WanState::Up);
    auto first = driver.only_probe();
    EXPECT_EQ(first.target, 0u);
    EXPECT_EQ(first.timeout, 1s); // RFC 6298 §2.1, before any sample
    driver.answer(first, 20ms);
    EXPECT_EQ(driver.last.wake, origin + 250ms);
    std::vector<std::size_t> order;
    for (int probe = 0; probe < 4; ++probe) {
        driver.tick_at_wake();
        auto next = driver.only_probe();
        order.push_back(next.target);
        EXPECT_EQ(next.timeout, 200ms); // the floor: 20 ms + 4 x 10 ms is less
        driver.answer(next, 20ms);
    }
    EXPECT_EQ(order, (std::vector<std::size_t> {1, 2, 0, 1}));
    EXPECT_TRUE(driver.transitions.empty());
}

TEST(WanHealth, ALossStartsAConfirmingBurstThatOneReplyEnds)
{
    Driver driver;
    driver.answer(driver.only_probe(), 20ms);
    driver.tick_at_wake(); // +250 ms
    driver.lose(driver.only_probe()); // lost at +450 ms
    // The burst's first probe goes at once, with the timeout doubled by the loss (§5.5), and the
    // next is due one burst spacing later: 100 ms / 11, but no less than 10 ms.
    auto burst = driver.only_probe();
    EXPECT_EQ(burst.timeout, 400ms);
    EXPECT_EQ(driver.last.wake, origin + 450ms + 10ms);
    driver.answer(burst, 20ms);
    // One reply ends it: back to the regular pace from the burst's probe.
    EXPECT_EQ(driver.last.wake, origin + 450ms + 250ms);
    EXPECT_EQ(driver.health.state(), WanState::Up);
    EXPECT_TRUE(driver.transitions.empty());
}

TEST(WanHealth, TheLossOfAProbeSentBeforeAnAnsweredOneIsNotSilence)
{
    // The first probe waits 1.1 s (no RTT yet); the regular probes after it are answered. When the
    // first is given up, the link has already answered later probes: a loss, but no burst.
    auto settings = defaults_for(Metering::Unmetered);
    settings.initial_timeout = 1100ms;
    Driver driver(settings);
    auto first = driver.only_probe();
    while (*driver.last.wake <= origin + 1s) {
        driver.tick_at_wake();
        driver.take(driver.health.probe_answered(driver.now, driver.only_probe().id, 20ms));
    }
    driver.now = origin + first.timeout;
    driver.take(driver.health.probe_lost(driver.now, first.id));
    EXPECT_TRUE(driver.last.probes.empty());
    EXPECT_EQ(driver.last.wake, origin + 1250ms);
    EXPECT_EQ(driver.health.status(driver.now).probes_lost, 1u);
}

TEST(WanHealth, FastSignalsMakeItDeadAtOnceWithAReason)
{
    const std::pair<LinkSignal, std::string_view> cases[] = {
        {LinkSignal::LinkDown, "link down (netlink)"},
        {LinkSignal::AddressLost, "address lost (netlink)"},
        {LinkSignal::ModemDetached, "modem detached from the network"},
        {LinkSignal::BearerLost, "bearer lost (modem)"},
    };
    for (const auto& [signal, reason] : cases) {
        Driver driver;
        driver.answer(driver.only_probe(), 20ms);
        driver.signal(signal);
        ASSERT_EQ(driver.transitions.size(), 1u) << to_string(signal);
        EXPECT_EQ(driver.transitions[0].from, WanState::Up);
        EXPECT_EQ(driver.transitions[0].to, WanState::Dead);
        EXPECT_EQ(driver.transitions[0].reason, reason);
        EXPECT_EQ(driver.transitions[0].time, driver.now);
        EXPECT_EQ(driver.health.status(driver.now).reason, reason);
    }
}

TEST(WanHealth, UpSignalsNeverMakeItUp)
{
    Driver driver;
    driver.signal(LinkSignal::LinkDown);
    for (auto signal : {LinkSignal::LinkUp, LinkSignal::AddressAdded, LinkSignal::ModemRegistered,
             LinkSignal::BearerConnected})
        driver.signal(signal);
    EXPECT_EQ(driver.health.state(), WanState::Dead);
    EXPECT_EQ(driver.transitions.size(), 1u);
}

TEST(WanHealth, WhileDeadProbingBacksOffAndAModemEventProbesAtOnce)
{
    Driver driver(defaults_for(Metering::Metered));
    driver.answer(driver.only_probe(), 60ms);
    driver.signal(LinkSignal::BearerLost);
    auto previous = driver.now;
    std::vector<std::int64_t> intervals;
    for (int probe = 0; probe < 8; ++probe) {
        driver.tick_at_wake();
        intervals.push_back(
            std::chrono::duration_cast<std::chrono::seconds>(driver.now - previous).count());
        previous = driver.now;
        driver.take(driver.health.probe_lost(driver.now, driver.only_probe().id));
    }
    EXPECT_EQ(intervals, (std::vector<std::int64_t> {1, 2, 4, 8, 16, 30, 30, 30}));
    driver.now += 5s;
    driver.signal(LinkSignal::ModemRegistered);
    EXPECT_EQ(driver.last.probes.size(), 1u);
    EXPECT_EQ(driver.last.wake, driver.now + 1s);
}

TEST(WanHealth, AnUnmeteredWanBacksOffToTwoSecondsOnly)
{
    Driver driver;
    driver.signal(LinkSignal::LinkDown);
    auto previous = driver.now;
    std::vector<std::int64_t> intervals;
    for (int probe = 0; probe < 4; ++probe) {
        driver.tick_at_wake();
        intervals.push_back(
            std::chrono::duration_cast<std::chrono::seconds>(driver.now - previous).count());
        previous = driver.now;
        for (const auto& sent : driver.last.probes)
            driver.take(driver.health.probe_lost(driver.now, sent.id));
    }
    EXPECT_EQ(intervals, (std::vector<std::int64_t> {1, 2, 2, 2}));
}

TEST(WanHealth, AReplyToAProbeSentBeforeItFellDeadSaysNothingOfNow)
{
    Driver driver;
    auto probe = driver.only_probe();
    driver.now += 5ms;
    driver.signal(LinkSignal::LinkDown);
    driver.answer(probe, 20ms);
    EXPECT_FALSE(driver.health.status(driver.now).answering_since);
}

TEST(WanHealth, OutcomesOfUnknownProbesAreIgnored)
{
    Driver driver;
    driver.take(driver.health.probe_lost(driver.now, 999));
    driver.take(driver.health.probe_answered(driver.now, 998, 20ms));
    auto status = driver.health.status(driver.now);
    EXPECT_EQ(status.probes_lost, 0u);
    EXPECT_EQ(status.probes_answered, 0u);
}

TEST(WanHealth, ADeadWanComesBackOnlyAfterTheStablePeriod)
{
    Driver driver;
    driver.signal(LinkSignal::LinkDown);
    driver.signal(LinkSignal::LinkUp);
    auto first_reply = driver.now + 20ms;
    driver.answer(driver.only_probe(), 20ms);
    EXPECT_EQ(driver.health.status(driver.now).answering_since, first_reply);
    while (driver.transitions.size() < 2) {
        driver.tick_at_wake();
        for (const auto& probe : driver.last.probes)
            driver.take(driver.health.probe_answered(driver.now, probe.id, 20ms));
    }
    EXPECT_EQ(driver.transitions[1].to, WanState::Up);
    EXPECT_EQ(driver.transitions[1].time, first_reply + 30s);
    EXPECT_EQ(driver.transitions[1].reason, "answering again for 30 s: 120 of 120 probes answered");
}

// A modem that connects again gets a new engine; its flapping carries over, so a bearer that keeps
// dropping is damped as a link would be (docs/failover.md "Health").
TEST(WanHealth, ANewEngineKeepsTheLastOnesFlapping)
{
    auto settings = defaults_for(Metering::Unmetered);
    Driver once;
    once.signal(LinkSignal::BearerLost);
    WanHealth after_one(targets(3), settings, once.now, once.health.flaps());
    EXPECT_EQ(after_one.state(), WanState::Up); // one fall is no flapping
    EXPECT_DOUBLE_EQ(after_one.status(once.now).flap_penalty, once.health.status(once.now).flap_penalty);

    // Three falls within a minute, each on a new engine (as three dropped connections make).
    std::optional<FlapDamper> flaps;
    auto now = origin;
    for (int fall = 0; fall < 3; ++fall) {
        WanHealth engine(targets(3), settings, now, flaps);
        engine.signal(now, LinkSignal::BearerLost);
        flaps = engine.flaps();
        now += 10s;
    }
    WanHealth held(targets(3), settings, now, flaps);
    auto status = held.status(now);
    EXPECT_EQ(held.state(), WanState::Dead);
    ASSERT_TRUE(status.held_until);
    EXPECT_GT(*status.held_until, now + 5min);
    EXPECT_EQ(status.reason.rfind("held dead for flapping", 0), 0u) << status.reason;
    // It probes as a dead WAN does, and comes back once the hold is over and the link answered
    // for the stable period.
    auto output = held.tick(now);
    ASSERT_TRUE(output.wake);
    EXPECT_LE(*output.wake, now + settings.dead_last_interval);
}

TEST(WanHealth, StatusShowsWhatProbingCosts)
{
    Driver metered(defaults_for(Metering::Metered));
    auto status = metered.health.status(metered.now);
    EXPECT_EQ(status.bytes_per_month, 31'104'000u); // 72 bytes every 6 s
    EXPECT_EQ(status.monthly_byte_budget, 50'000'000u);
    EXPECT_EQ(status.bytes_sent, 72u);

    auto tight = defaults_for(Metering::Metered);
    tight.monthly_byte_budget = 10'000'000;
    Driver paced(tight);
    EXPECT_EQ(paced.health.status(paced.now).bytes_per_month, probe_bytes_per_month(23328ms, 72));
}

TEST(WanHealth, SettingsOutOfRangeAreBroughtIntoIt)
{
    HealthSettings settings;
    settings.up_interval = Duration::zero();
    settings.blackout_probes = 0;
    settings.minimum_timeout = 3s;
    settings.maximum_timeout = 1s;
    settings.recovered_loss = 0.5;
    WanHealth health(targets(1), settings, origin);
    EXPECT_EQ(health.settings().up_interval, 10ms);
    EXPECT_EQ(health.settings().blackout_probes, 2);
    EXPECT_EQ(health.settings().maximum_timeout, 3s);
    EXPECT_EQ(health.settings().initial_timeout, 3s);
    EXPECT_EQ(health.settings().recovered_loss, 0.2);
}

} // namespace
} // namespace uplink::health
