// RFC 2439 §4.2 damping with the health defaults: 1000 a flap, suppress at 2500, reuse at 750,
// half-life 5 min, maximum hold 30 min.
#include "health/health.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace uplink::health {
namespace {

const Clock::time_point origin = Clock::time_point {} + std::chrono::hours(1000);

FlapDamper damper()
{
    return FlapDamper(1000, 2500, 750, 5min, 30min);
}

TEST(FlapDamper, OneFlapIsNotHeld)
{
    auto damping = damper();
    damping.flap(origin);
    EXPECT_DOUBLE_EQ(damping.penalty(origin), 1000);
    EXPECT_FALSE(damping.held_until(origin));
}

TEST(FlapDamper, ThePenaltyHalvesEveryHalfLife)
{
    auto damping = damper();
    damping.flap(origin);
    EXPECT_NEAR(damping.penalty(origin + 5min), 500, 1e-9);
    EXPECT_NEAR(damping.penalty(origin + 10min), 250, 1e-9);
}

TEST(FlapDamper, TheThirdFlapInAMinuteHoldsUntilThePenaltyDecaysToReuse)
{
    auto damping = damper();
    damping.flap(origin);
    damping.flap(origin + 30s);
    EXPECT_FALSE(damping.held_until(origin + 30s));
    damping.flap(origin + 60s);
    auto penalty = damping.penalty(origin + 60s);
    ASSERT_GT(penalty, 2500);
    auto held = damping.held_until(origin + 60s);
    ASSERT_TRUE(held);
    // penalty * 2^(-t / 5 min) = 750
    auto expected = origin + 60s
        + std::chrono::ceil<Duration>(
            std::chrono::duration<double>(5min) * std::log2(penalty / 750));
    EXPECT_EQ(*held, expected);
    EXPECT_EQ(damping.held_until(*held - 1ms), held);
    EXPECT_FALSE(damping.held_until(*held));
}

TEST(FlapDamper, ThreeFlapsSpreadOverHalfAnHourAreNotHeld)
{
    auto damping = damper();
    damping.flap(origin);
    damping.flap(origin + 15min);
    damping.flap(origin + 30min);
    EXPECT_FALSE(damping.held_until(origin + 30min));
}

TEST(FlapDamper, NoHoldLastsLongerThanTheMaximum)
{
    auto damping = damper();
    for (int flap = 0; flap < 100; ++flap)
        damping.flap(origin + flap * 1s);
    auto last = origin + 99s;
    auto held = damping.held_until(last);
    ASSERT_TRUE(held);
    EXPECT_LE(*held - last, 30min + 1ms);
    EXPECT_GE(*held - last, 29min);
}

TEST(FlapDamper, AfterTheHoldAFlapCountsFromTheDecayedPenalty)
{
    auto damping = damper();
    for (int flap = 0; flap < 3; ++flap)
        damping.flap(origin + flap * 10s);
    auto held = *damping.held_until(origin + 20s);
    damping.flap(held + 1s); // about 750 + 1000: below 2500, so free again
    EXPECT_FALSE(damping.held_until(held + 1s));
}

} // namespace
} // namespace uplink::health
