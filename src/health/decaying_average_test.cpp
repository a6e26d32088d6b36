// The time-weighted average behind the brownout rule.
#include "health/health.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace uplink::health {
namespace {

const Clock::time_point origin = Clock::time_point {} + std::chrono::hours(1000);

TEST(DecayingAverage, EmptyUntilTheFirstSampleWhichIsTakenAsItIs)
{
    DecayingAverage average(60s);
    EXPECT_FALSE(average.value());
    EXPECT_EQ(average.covered(origin), Duration::zero());
    average.add(origin, 0.25);
    EXPECT_DOUBLE_EQ(*average.value(), 0.25);
}

TEST(DecayingAverage, OlderSamplesDecayByOneOverEEachTimeConstant)
{
    // The first sample stands for as long as the second, then decays by 1/e: 1 / (1 + 1/e).
    DecayingAverage average(60s);
    average.add(origin, 0);
    average.add(origin + 60s, 1);
    EXPECT_NEAR(*average.value(), 1 / (1 + std::exp(-1.0)), 1e-9);
    EXPECT_EQ(average.covered(origin + 90s), 90s);
}

TEST(DecayingAverage, ABurstWeighsByTheTimeItCoversNotByItsCount)
{
    // A metered WAN: one answered probe every 6 s for 10 min, then a handover gap in which a
    // regular probe and a confirming burst of 8 (1.5 s) are all lost. By count that would be 9
    // losses in 109 samples (8 %); by time it is the 7.5 s the losses stand for: 2.5 %.
    DecayingAverage average(5min);
    auto now = origin;
    for (int probe = 0; probe < 100; ++probe, now += 6s)
        average.add(now, 0);
    average.add(now, 1);
    for (int burst = 0; burst < 8; ++burst)
        average.add(now += 187ms, 1);
    EXPECT_LT(*average.value(), 0.03);
    EXPECT_GT(*average.value(), 0.02);
}

TEST(DecayingAverage, TheFirstSampleDoesNotDragTheAverage)
{
    // 30 % loss from the start, the first probe answered: after half a time constant the
    // average is about 30 %, not 30 % x (1 - 1/e^0.5) = 12 %.
    DecayingAverage average(60s);
    auto now = origin;
    for (int sample = 0; sample < 120; ++sample, now += 250ms)
        average.add(now, sample % 10 < 3 ? 1 : 0);
    EXPECT_NEAR(*average.value(), 0.3, 0.03);
}

TEST(DecayingAverage, SamplesAtTheSameInstantCountEqually)
{
    DecayingAverage average(60s);
    average.add(origin, 1);
    average.add(origin, 0);
    EXPECT_DOUBLE_EQ(*average.value(), 0.5);
}

TEST(DecayingAverage, SteadyInputConverges)
{
    DecayingAverage average(60s);
    auto now = origin;
    average.add(now, 0);
    for (int sample = 0; sample < 1000; ++sample)
        average.add(now += 1s, 0.2);
    EXPECT_NEAR(*average.value(), 0.2, 1e-6);
}

} // namespace
} // namespace uplink::health
