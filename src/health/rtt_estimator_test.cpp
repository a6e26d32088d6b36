// RFC 6298's estimator as a probe timeout: each case computed by hand from §2 and §5.5.
#include "health/health.hpp"

#include <gtest/gtest.h>

namespace uplink::health {
namespace {

RttEstimator estimator()
{
    return RttEstimator(1s, 200ms, 2s);
}

TEST(RttEstimator, BeforeAnySampleTheInitialTimeout)
{
    auto rtt = estimator();
    EXPECT_EQ(rtt.timeout(), 1s);
    EXPECT_FALSE(rtt.smoothed());
    EXPECT_FALSE(rtt.variation());
}

TEST(RttEstimator, FirstSampleSetsSrttAndHalfOfItAsRttvar)
{
    // §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR = 100 + 200.
    auto rtt = estimator();
    rtt.sample(100ms);
    EXPECT_EQ(rtt.smoothed(), 100ms);
    EXPECT_EQ(rtt.variation(), 50ms);
    EXPECT_EQ(rtt.timeout(), 300ms);
}

TEST(RttEstimator, LaterSamplesUpdateRttvarWithTheOldSrtt)
{
    // §2.3: RTTVAR = 3/4 * 50 + 1/4 * |100 - 300| = 87.5; SRTT = 7/8 * 100 + 1/8 * 300 = 125.
    auto rtt = estimator();
    rtt.sample(100ms);
    rtt.sample(300ms);
    EXPECT_EQ(rtt.smoothed(), 125ms);
    EXPECT_EQ(rtt.variation(), 88ms); // 87.5, rounded
    EXPECT_EQ(rtt.timeout(), 475ms); // 125 + 350
}

TEST(RttEstimator, AFastSteadyLineGetsTheFloor)
{
    // A 20 ms fibre line converges to SRTT 20, RTTVAR about 0: 200 ms, not 20 ms of jitter.
    auto rtt = estimator();
    for (int sample = 0; sample < 100; ++sample)
        rtt.sample(20ms);
    EXPECT_EQ(rtt.smoothed(), 20ms);
    EXPECT_EQ(rtt.timeout(), 200ms);
}

TEST(RttEstimator, ASlowLineIsCappedAtTheCeiling)
{
    auto rtt = estimator();
    rtt.sample(3s);
    EXPECT_EQ(rtt.timeout(), 2s);
}

TEST(RttEstimator, AnLteLineUnderLoadKeepsItsRepliesInside)
{
    // Round trips climbing from 50 to 600 ms as a queue fills, by up to half again from one
    // probe to the next: each stays under the timeout the samples before it gave, so none of
    // them is taken for a loss. (A faster climb costs losses, and the back-off below catches up.)
    auto rtt = estimator();
    for (auto sample : {50, 55, 60, 100, 150, 200, 280, 380, 500, 600}) {
        EXPECT_LT(Duration(sample), rtt.timeout()) << sample << " ms";
        rtt.sample(Duration(sample));
    }
}

TEST(RttEstimator, EachLossDoublesTheTimeoutUntilTheNextReply)
{
    // §5.5: back off the timer; the floor applies before the doubling.
    auto rtt = estimator();
    for (int sample = 0; sample < 100; ++sample)
        rtt.sample(20ms);
    rtt.lost();
    EXPECT_EQ(rtt.timeout(), 400ms);
    rtt.lost();
    EXPECT_EQ(rtt.timeout(), 800ms);
    rtt.lost();
    rtt.lost();
    EXPECT_EQ(rtt.timeout(), 2s); // 3.2 s, capped
    for (int loss = 0; loss < 100; ++loss)
        rtt.lost();
    EXPECT_EQ(rtt.timeout(), 2s);
    rtt.sample(20ms);
    EXPECT_EQ(rtt.timeout(), 200ms);
}

} // namespace
} // namespace uplink::health
