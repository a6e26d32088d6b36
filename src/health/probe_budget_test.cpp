// The probe byte budget: a day's worth in the bucket, refilled at the month's pace.
#include "health/health.hpp"

#include <gtest/gtest.h>

namespace uplink::health {
namespace {

const Clock::time_point origin = Clock::time_point {} + std::chrono::hours(1000);

TEST(ProbeBytesPerMonth, AsTheReferenceDerivesThem)
{
    // reference/multiwan.md §4.3: a 56-byte exchange at 1 Hz is about 145 MB a month, and mwan3's
    // two 168-byte exchanges every 10 s about 87 MB.
    EXPECT_EQ(icmp_echo_exchange_bytes(0), 56u);
    EXPECT_EQ(icmp_echo_exchange_bytes(56), 168u);
    EXPECT_EQ(probe_bytes_per_month(1s, 56), 145'152'000u);
    EXPECT_EQ(probe_bytes_per_month(5s, 168), 87'091'200u);
    EXPECT_EQ(probe_bytes_per_month(6s, default_probe_bytes), 31'104'000u);
}

TEST(ProbeBudget, NoBudgetNoLimit)
{
    ProbeBudget budget(0, origin);
    for (int probe = 0; probe < 100'000; ++probe)
        budget.spend(origin, 72);
    EXPECT_EQ(budget.affordable_at(origin, 72), origin);
    EXPECT_EQ(budget.pace(250ms, 72), 250ms);
}

TEST(ProbeBudget, ABurstBorrowsFromTheDayThenWaitsForTheRefill)
{
    // 30 MB a month: the bucket holds 1 MB; it refills at 1 MB a day, 72 bytes every 6.2 s.
    ProbeBudget budget(30'000'000, origin);
    int sent = 0;
    while (budget.affordable_at(origin, 72) == origin) {
        budget.spend(origin, 72);
        ++sent;
    }
    EXPECT_EQ(sent, 1'000'000 / 72);
    auto next = budget.affordable_at(origin, 72);
    EXPECT_GT(next, origin);
    EXPECT_LE(next, origin + 6221ms);
    EXPECT_EQ(budget.affordable_at(origin + 1h, 72), origin + 1h);
}

TEST(ProbeBudget, RegularProbingIsPacedToEightyPercentOfTheBudget)
{
    // 10 MB a month for 72-byte probes: 8 MB / 72 bytes = 111,111 probes in 30 days, one every
    // 23.3 s; the 6 s default interval is stretched to it. 50 MB leaves 6 s as it is.
    EXPECT_EQ(ProbeBudget(10'000'000, origin).pace(6s, 72), 23328ms);
    EXPECT_EQ(ProbeBudget(50'000'000, origin).pace(6s, 72), 6s);
}

} // namespace
} // namespace uplink::health
