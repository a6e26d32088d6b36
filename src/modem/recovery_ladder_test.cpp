// The recovery ladder fed observations and clock ticks: days of simulated time, no sleeps.
#include "modem/recovery_ladder.hpp"

#include <gtest/gtest.h>
#include <set>

namespace uplink::modem {
namespace {

const Clock::time_point origin = Clock::time_point {} + 1000h;

Clock::time_point at(std::chrono::seconds offset)
{
    return origin + offset;
}

std::int64_t seconds_since_origin(Clock::time_point time)
{
    return std::chrono::duration_cast<std::chrono::seconds>(time - origin).count();
}

// Feeds a ladder and keeps what it answered. Every answer is checked: a wake in the past or
// present would make the caller spin.
class Driver {
public:
    explicit Driver(RecoverySettings settings = {})
        : ladder(settings)
    {
    }

    void take(Clock::time_point now, const RecoveryOutput& output)
    {
        if (output.wake) {
            EXPECT_GT(*output.wake, now)
                << "a wake that is not in the future, at " << seconds_since_origin(now) << " s";
        }
        if (output.action)
            actions.push_back(*output.action);
        if (output.recovered)
            recoveries.push_back(*output.recovered);
        wake = output.wake;
    }

    void up(std::chrono::seconds time) { take(at(time), ladder.connection_up(at(time))); }
    void dropped(std::chrono::seconds time, std::string detail = "call ended by the network")
    {
        take(at(time), ladder.connection_failed(at(time), ConnectionFailure::Dropped, detail));
    }
    void attempt_failed(std::chrono::seconds time)
    {
        take(at(time),
            ladder.connection_failed(at(time), ConnectionFailure::AttemptFailed, "no answer"));
    }
    void answered(std::chrono::seconds time) { take(at(time), ladder.probe_answered(at(time))); }
    void unanswered(std::chrono::seconds time)
    {
        take(at(time), ladder.probe_unanswered(at(time)));
    }
    void tick(std::chrono::seconds time) { take(at(time), ladder.tick(at(time))); }

    std::vector<RecoveryStep> steps() const
    {
        std::vector<RecoveryStep> steps;
        for (const auto& action : actions)
            steps.push_back(action.step);
        return steps;
    }
    // The time between each action and the next.
    std::vector<std::int64_t> gaps() const
    {
        std::vector<std::int64_t> gaps;
        for (std::size_t index = 1; index < actions.size(); ++index)
            gaps.push_back(std::chrono::duration_cast<std::chrono::seconds>(
                actions[index].time - actions[index - 1].time)
                               .count());
        return gaps;
    }
    void expect_waits_kept() const
    {
        for (std::size_t index = 1; index < actions.size(); ++index)
            EXPECT_GE(actions[index].time - actions[index - 1].time, actions[index - 1].wait)
                << "action " << index << " came before the wait of the one before it";
    }

    RecoveryLadder ladder;
    std::vector<RecoveryAction> actions;
    std::vector<std::string> recoveries;
    std::optional<Clock::time_point> wake;
};

// A bearer that comes up and drops 3 s later, redialled 1 s after each drop: from `from` to `to`,
// ticking every second as an impatient caller would.
void flap(Driver& driver, std::chrono::seconds from, std::chrono::seconds to)
{
    for (auto second = from; second < to; second += 1s) {
        auto phase = (second - from).count() % 4;
        if (phase == 0)
            driver.up(second);
        else if (phase == 3)
            driver.dropped(second);
        driver.tick(second);
    }
}

// A connection that holds, a probe answered every minute.
void hold(Driver& driver, std::chrono::seconds from, std::chrono::seconds to)
{
    driver.up(from);
    for (auto second = from; second < to; second += 1s) {
        if ((second - from).count() % 60 == 59)
            driver.answered(second);
        driver.tick(second);
    }
}

constexpr auto day = std::chrono::seconds(24h);

TEST(RecoveryLadderNames, RoundTrip)
{
    std::set<std::string_view> names;
    for (auto step : {RecoveryStep::Reconnect, RecoveryStep::RadioOffOn, RecoveryStep::ModemReset,
             RecoveryStep::UsbPowerCycle}) {
        EXPECT_TRUE(names.insert(to_string(step)).second) << to_string(step);
        EXPECT_EQ(recovery_step_from_string(to_string(step)), step);
    }
    for (auto cycling : {UsbPowerCycling::Forbidden, UsbPowerCycling::Allowed}) {
        EXPECT_TRUE(names.insert(to_string(cycling)).second) << to_string(cycling);
        EXPECT_EQ(usb_power_cycling_from_string(to_string(cycling)), cycling);
    }
    for (auto failure : {ConnectionFailure::AttemptFailed, ConnectionFailure::Dropped}) {
        EXPECT_TRUE(names.insert(to_string(failure)).second) << to_string(failure);
        EXPECT_EQ(connection_failure_from_string(to_string(failure)), failure);
    }
    for (auto state : {LadderState::Idle, LadderState::Climbing, LadderState::Exhausted}) {
        EXPECT_TRUE(names.insert(to_string(state)).second) << to_string(state);
        EXPECT_EQ(ladder_state_from_string(to_string(state)), state);
    }
    EXPECT_FALSE(names.contains("unknown"));
    EXPECT_EQ(to_string(RecoveryStep::RadioOffOn), "radio-off-on");
    EXPECT_FALSE(recovery_step_from_string("reboot"));
    EXPECT_FALSE(usb_power_cycling_from_string(""));
    EXPECT_FALSE(connection_failure_from_string("Dropped"));
    EXPECT_FALSE(ladder_state_from_string("idle "));
}

TEST(RecoveryLadder, OneDropIsLeftToTheDataConnection)
{
    Driver driver;
    driver.up(0s);
    driver.dropped(100s);
    driver.up(101s);
    driver.dropped(400s);
    driver.up(401s);
    for (auto second = 401s; second < 2000s; second += 1s)
        driver.tick(second);
    EXPECT_TRUE(driver.actions.empty()) << driver.actions.front().reason;
    EXPECT_EQ(driver.ladder.status().state, LadderState::Idle);
    EXPECT_FALSE(driver.wake) << "an idle ladder with a healthy connection has nothing to wait for";
}

TEST(RecoveryLadder, AFlappingBearerClimbsWithGrowingBackoffs)
{
    Driver driver;
    flap(driver, 0s, 2h);
    ASSERT_GE(driver.actions.size(), 8u);

    // Drops at 3, 7 and 11 s: the third in 10 minutes brings the first remedy.
    const auto& first = driver.actions.front();
    EXPECT_EQ(first.time, at(11s));
    EXPECT_EQ(first.step, RecoveryStep::Reconnect);
    EXPECT_EQ(first.step_number, 1);
    EXPECT_EQ(first.step_count, 3);
    EXPECT_EQ(first.attempt, 1);
    EXPECT_EQ(first.attempt_limit, 2);
    EXPECT_EQ(first.reason, "bearer dropped 3 times in 8 s (last: call ended by the network)");
    EXPECT_EQ(first.wait, 15s);

    using enum RecoveryStep;
    auto steps = driver.steps();
    steps.resize(8);
    EXPECT_EQ(steps,
        (std::vector {Reconnect, Reconnect, RadioOffOn, RadioOffOn, ModemReset, ModemReset,
            ModemReset, ModemReset}));
    // Each remedy waits twice as long as the one before; the exhausted top waits the maximum.
    auto gaps = driver.gaps();
    gaps.resize(7);
    EXPECT_EQ(gaps, (std::vector<std::int64_t> {15, 30, 60, 120, 240, 1800, 1800}));
    driver.expect_waits_kept();
    EXPECT_EQ(driver.actions[5].attempt, 2);
    EXPECT_EQ(driver.actions[6].attempt, 3);
    EXPECT_EQ(driver.actions[6].wait, 30min);
    EXPECT_EQ(driver.ladder.status().state, LadderState::Exhausted);
    EXPECT_TRUE(driver.recoveries.empty());
}

TEST(RecoveryLadder, ABearerDroppingEveryFewSecondsNeverLoopsFast)
{
    Driver driver;
    flap(driver, 0s, day);
    driver.expect_waits_kept();
    for (auto gap : driver.gaps())
        EXPECT_GE(gap, 15) << "two remedies closer than the first backoff";
    // 6 remedies while climbing (15 s + 30 s + ... + 4 min), then one every 30 min at most.
    EXPECT_LE(driver.actions.size(), 6u + 24u * 2u);
    EXPECT_GE(driver.actions.size(), 40u) << "an exhausted ladder still keeps trying";
    for (const auto& action : driver.actions)
        EXPECT_NE(action.step, RecoveryStep::UsbPowerCycle) << "USB power cycling was not allowed";
}

TEST(RecoveryLadder, AModemThatNeverComesBackClimbsOnSilence)
{
    Driver driver;
    driver.attempt_failed(0s);
    driver.attempt_failed(1s);
    driver.attempt_failed(3s);
    ASSERT_EQ(driver.actions.size(), 1u);
    EXPECT_EQ(driver.actions[0].reason, "3 connection attempts failed in 3 s (last: no answer)");
    // After the first remedy nothing is heard from the modem at all: the caller ticks at the
    // wakes it is given, and nothing else.
    while (driver.wake && *driver.wake < at(day))
        driver.tick(std::chrono::duration_cast<std::chrono::seconds>(*driver.wake - origin));
    ASSERT_GE(driver.actions.size(), 7u);
    EXPECT_EQ(driver.actions[1].reason, "no connection 15 s after reconnect");
    EXPECT_EQ(driver.actions[2].step, RecoveryStep::RadioOffOn);
    EXPECT_EQ(driver.actions[4].step, RecoveryStep::ModemReset);
    EXPECT_EQ(driver.actions[5].reason, "no connection 4 min after modem-reset");
    auto gaps = driver.gaps();
    EXPECT_EQ(std::vector(gaps.begin(), gaps.begin() + 6),
        (std::vector<std::int64_t> {15, 30, 60, 120, 240, 1800}));
    // Exhausted, the top step repeats at the maximum backoff for the rest of the day.
    // Actions at 3, 18, 48, 108, 228 and 468 s, then every 30 min while the day lasts.
    EXPECT_EQ(driver.actions[5].time, at(468s));
    EXPECT_EQ(driver.actions.size(), 6u + (86400u - 1u - 468u) / 1800u);
    for (std::size_t index = 6; index < driver.actions.size(); ++index) {
        EXPECT_EQ(driver.actions[index].step, RecoveryStep::ModemReset);
        EXPECT_EQ(driver.actions[index].wait, 30min);
    }
    auto status = driver.ladder.status();
    EXPECT_EQ(status.state, LadderState::Exhausted);
    EXPECT_EQ(status.next_step, RecoveryStep::ModemReset);
    EXPECT_EQ(status.next_wait, 30min);
}

TEST(RecoveryLadder, UsbPowerCycleOnlyWhenOptedIn)
{
    Driver forbidden;
    flap(forbidden, 0s, day);
    std::set<RecoveryStep> steps_taken;
    for (const auto& action : forbidden.actions)
        steps_taken.insert(action.step);
    EXPECT_EQ(steps_taken,
        (std::set {RecoveryStep::Reconnect, RecoveryStep::RadioOffOn, RecoveryStep::ModemReset}));

    Driver allowed(RecoverySettings {.usb_power_cycle = UsbPowerCycling::Allowed});
    flap(allowed, 0s, day);
    using enum RecoveryStep;
    auto steps = allowed.steps();
    ASSERT_GE(steps.size(), 9u);
    steps.resize(9);
    EXPECT_EQ(steps,
        (std::vector {Reconnect, Reconnect, RadioOffOn, RadioOffOn, ModemReset, ModemReset,
            UsbPowerCycle, UsbPowerCycle, UsbPowerCycle}));
    EXPECT_EQ(allowed.actions[6].step_number, 4);
    EXPECT_EQ(allowed.actions[6].step_count, 4);
    EXPECT_EQ(allowed.actions[5].wait, 8min) << "the second reset is no longer the top";
    EXPECT_EQ(allowed.actions[7].wait, 30min);
    allowed.expect_waits_kept();
    EXPECT_LE(allowed.actions.size(), 8u + 24u * 2u);
}

TEST(RecoveryLadder, AStableConnectionSendsItBackToTheBottom)
{
    Driver driver;
    flap(driver, 0s, 60s); // reconnect at 11 s, again at 26 s, radio off/on at 56 s
    ASSERT_EQ(driver.actions.size(), 3u);
    EXPECT_EQ(driver.ladder.status().next_step, RecoveryStep::RadioOffOn);

    hold(driver, 60s, 60s + 10min + 5s);
    ASSERT_EQ(driver.recoveries.size(), 1u);
    EXPECT_EQ(driver.recoveries[0],
        "connection healthy for 10 min after radio-off-on: back to reconnect");
    EXPECT_EQ(driver.actions.size(), 3u);
    auto status = driver.ladder.status();
    EXPECT_EQ(status.state, LadderState::Idle);
    EXPECT_EQ(status.next_step, RecoveryStep::Reconnect);
    EXPECT_EQ(status.next_wait, 15s);

    flap(driver, 60s + 11min, 60s + 11min + 30s); // drops at 723, 727, 731 s...
    ASSERT_EQ(driver.actions.size(), 5u);
    EXPECT_EQ(driver.actions[3].time, at(731s));
    EXPECT_EQ(driver.actions[3].step, RecoveryStep::Reconnect);
    EXPECT_EQ(driver.actions[3].attempt, 1);
    EXPECT_EQ(driver.actions[3].wait, 15s);
}

TEST(RecoveryLadder, AShorterHealthyStretchKeepsItsPlace)
{
    Driver driver;
    flap(driver, 0s, 60s);
    ASSERT_EQ(driver.actions.size(), 3u);
    hold(driver, 60s, 60s + 9min);
    EXPECT_TRUE(driver.recoveries.empty());
    flap(driver, 60s + 9min, 60s + 10min);
    ASSERT_EQ(driver.actions.size(), 4u);
    EXPECT_EQ(driver.actions[3].step, RecoveryStep::RadioOffOn);
    EXPECT_EQ(driver.actions[3].attempt, 2);
    EXPECT_EQ(driver.actions[3].wait, 2min);
}

TEST(RecoveryLadder, UnansweredProbesInARowBringARemedy)
{
    Driver driver;
    driver.up(0s);
    for (auto second : {60s, 120s, 180s, 240s})
        driver.unanswered(second);
    EXPECT_TRUE(driver.actions.empty());
    driver.unanswered(300s);
    ASSERT_EQ(driver.actions.size(), 1u);
    EXPECT_EQ(driver.actions[0].step, RecoveryStep::Reconnect);
    EXPECT_EQ(driver.actions[0].reason, "5 probes unanswered in a row over 4 min");
}

TEST(RecoveryLadder, OneAnsweredProbeEndsTheStreak)
{
    Driver driver;
    driver.up(0s);
    for (auto second = 60s; second <= 1h; second += 60s) {
        if (second.count() % 240 == 0)
            driver.answered(second); // 3 in 4 lost: a poor link, but a working one
        else
            driver.unanswered(second);
        driver.tick(second);
    }
    EXPECT_TRUE(driver.actions.empty()) << driver.actions.front().reason;
}

TEST(RecoveryLadder, LostRegistrationSkipsTheRedial)
{
    Driver driver;
    driver.up(0s);
    driver.take(at(10s), driver.ladder.registration_lost(at(10s)));
    driver.dropped(10s, "network detached");
    ASSERT_TRUE(driver.wake);
    EXPECT_EQ(*driver.wake, at(310s));
    for (auto second = 11s; second <= 310s; second += 1s)
        driver.tick(second);
    ASSERT_EQ(driver.actions.size(), 1u);
    EXPECT_EQ(driver.actions[0].time, at(310s));
    EXPECT_EQ(driver.actions[0].step, RecoveryStep::RadioOffOn);
    EXPECT_EQ(driver.actions[0].step_number, 2);
    EXPECT_EQ(driver.actions[0].reason, "not registered for 5 min");
}

TEST(RecoveryLadder, FailuresWhileUnregisteredStartAtTheRadio)
{
    Driver driver;
    driver.up(0s);
    driver.take(at(10s), driver.ladder.registration_lost(at(10s)));
    driver.dropped(10s, "network detached");
    driver.attempt_failed(20s);
    driver.attempt_failed(40s);
    ASSERT_EQ(driver.actions.size(), 1u);
    EXPECT_EQ(driver.actions[0].step, RecoveryStep::RadioOffOn);
    EXPECT_EQ(
        driver.actions[0].reason, "connection failed or dropped 3 times in 30 s (last: no answer)");
}

TEST(RecoveryLadder, RegistrationRegainedInTimeNeedsNothing)
{
    Driver driver;
    driver.up(0s);
    for (auto second = 1s; second <= 1h; second += 1s) {
        if (second == 10s) {
            driver.take(at(second), driver.ladder.registration_lost(at(second)));
            driver.dropped(second, "network detached");
        } else if (second == 250s) {
            driver.take(at(second), driver.ladder.registration_regained(at(second)));
        } else if (second == 252s) {
            driver.up(second);
        }
        driver.tick(second);
    }
    EXPECT_TRUE(driver.actions.empty()) << driver.actions.front().reason;
}

TEST(RecoveryLadder, ResetForgetsTheWait)
{
    Driver driver;
    flap(driver, 0s, 12s);
    ASSERT_EQ(driver.actions.size(), 1u);
    driver.ladder.reset(); // a person pressed connect
    EXPECT_FALSE(driver.ladder.status().not_before);
    driver.dropped(13s);
    driver.dropped(14s);
    driver.dropped(15s);
    ASSERT_EQ(driver.actions.size(), 2u);
    EXPECT_EQ(driver.actions[1].time, at(15s));
    EXPECT_EQ(driver.actions[1].step, RecoveryStep::Reconnect);
    EXPECT_EQ(driver.actions[1].attempt, 1);
}

// A profile's backoff arrives after the ladder was made (uplinkd makes it with the defaults).
TEST(RecoveryLadder, ANewFirstBackoffAppliesBeforeAnyRemedy)
{
    Driver driver;
    driver.ladder.apply(RecoverySettings {.first_backoff = 1s});
    EXPECT_EQ(driver.ladder.status().next_wait, 1s);
    flap(driver, 0s, 12s);
    ASSERT_FALSE(driver.actions.empty());
    EXPECT_EQ(driver.actions[0].wait, 1s);
}

TEST(RecoveryLadder, ForbiddingUsbAtTheTopFallsBackToReset)
{
    Driver driver(RecoverySettings {.usb_power_cycle = UsbPowerCycling::Allowed});
    flap(driver, 0s, 20min);
    ASSERT_EQ(driver.ladder.status().next_step, RecoveryStep::UsbPowerCycle);
    driver.ladder.apply(RecoverySettings {});
    auto status = driver.ladder.status();
    EXPECT_EQ(status.next_step, RecoveryStep::ModemReset);
    EXPECT_EQ(status.step_count, 3);
    EXPECT_EQ(status.state, LadderState::Exhausted);
    auto before = driver.actions.size();
    flap(driver, 20min, 2h);
    ASSERT_GT(driver.actions.size(), before);
    for (auto index = before; index < driver.actions.size(); ++index)
        EXPECT_EQ(driver.actions[index].step, RecoveryStep::ModemReset);
    driver.expect_waits_kept();
}

TEST(RecoveryLadder, SettingsOutOfRangeCannotMakeAFastLoop)
{
    Driver driver(RecoverySettings {.unanswered_probes_before_action = 0,
        .connection_failures_before_action = -1,
        .connection_failure_window = 0s,
        .attempts_per_step = 0,
        .first_backoff = 0s,
        .max_backoff = -5s,
        .stable_after = 0s});
    EXPECT_EQ(driver.ladder.settings().first_backoff, 1s);
    EXPECT_EQ(driver.ladder.settings().max_backoff, 1s);
    EXPECT_EQ(driver.ladder.settings().attempts_per_step, 1);
    for (auto tenth = 0; tenth < 600; ++tenth) { // failures every 100 ms for a minute
        auto now = origin + std::chrono::milliseconds(100 * tenth);
        driver.take(now, driver.ladder.connection_failed(now, ConnectionFailure::Dropped, ""));
    }
    driver.expect_waits_kept();
    EXPECT_LE(driver.actions.size(), 61u);
    EXPECT_GE(driver.actions.size(), 50u);
}

TEST(RecoveryLadder, ActionsReadAsLogLines)
{
    Driver driver;
    flap(driver, 0s, 1h);
    ASSERT_GE(driver.actions.size(), 7u);
    EXPECT_EQ(to_string(driver.actions[2]),
        "step 2/3 radio-off-on, attempt 1 of 2: bearer dropped 8 times in 28 s (last: call ended "
        "by the network); no other remedy for 60 s");
    EXPECT_EQ(to_string(driver.actions[6]),
        "step 3/3 modem-reset, attempt 3 (all 2 used, so at most every 30 min): bearer dropped "
        "150 times in 9 min 56 s (last: call ended by the network)");
}

TEST(ProbeCost, BytesPerThirtyDayMonth)
{
    EXPECT_EQ(icmp_echo_exchange_bytes(8), 72u);
    // 43 200 probes a month at one a minute.
    EXPECT_EQ(probe_bytes_per_month(60s, icmp_echo_exchange_bytes(8)), 3'110'400u);
    EXPECT_EQ(probe_bytes_per_month(10s, 72), 18'662'400u);
    EXPECT_EQ(probe_bytes_per_month(1s, 72), 186'624'000u);
    EXPECT_EQ(probe_bytes_per_month(7s, 72), 26'660'571u); // 370 285.7 probes
    EXPECT_EQ(probe_bytes_per_month(24h * 30, 72), 72u);
    EXPECT_EQ(probe_bytes_per_month(1500ms, 100), 172'800'000u);
}

} // namespace
} // namespace uplink::modem
