#include "auth/test_support.hpp"

namespace uplink::auth {
namespace {

using namespace std::chrono_literals;

void fail(LoginLimiter& limiter, std::string_view address, int times)
{
    for (int i = 0; i < times; ++i) {
        ASSERT_EQ(limiter.check(address).admission, Admission::Allowed) << address << " " << i;
        limiter.record_failure(address);
    }
}

TEST(AuthRateLimit, TheEleventhFailureInAMinuteIsThrottledUntilTheWindowPasses)
{
    testing::ManualClock clock;
    LoginLimiter limiter(clock.source());
    fail(limiter, "192.0.2.7", 10);
    auto verdict = limiter.check("192.0.2.7");
    EXPECT_EQ(verdict.admission, Admission::Throttled);
    EXPECT_EQ(verdict.retry_after, 60s);
    clock.advance(59s);
    verdict = limiter.check("192.0.2.7");
    EXPECT_EQ(verdict.admission, Admission::Throttled);
    EXPECT_EQ(verdict.retry_after, 1s);
    clock.advance(500ms);
    EXPECT_EQ(limiter.check("192.0.2.7").retry_after, 1s); // rounded up, never 0
    clock.advance(500ms);
    EXPECT_EQ(limiter.check("192.0.2.7").admission, Admission::Allowed);
    EXPECT_EQ(limiter.check("192.0.2.8").admission, Admission::Allowed);
    EXPECT_EQ(to_string(Admission::Allowed), "allowed");
    EXPECT_EQ(to_string(Admission::Throttled), "throttled");
}

TEST(AuthRateLimit, TheWindowSlides)
{
    testing::ManualClock clock;
    LoginLimiter limiter(clock.source());
    for (int i = 0; i < 10; ++i) { // t = 0, 5, ..., 45 s
        ASSERT_EQ(limiter.check("192.0.2.7").admission, Admission::Allowed);
        limiter.record_failure("192.0.2.7");
        if (i < 9)
            clock.advance(5s);
    }
    auto verdict = limiter.check("192.0.2.7");
    EXPECT_EQ(verdict.admission, Admission::Throttled);
    EXPECT_EQ(verdict.retry_after, 15s); // the failure at 0 s leaves the window at 60 s
    clock.advance(15s);
    ASSERT_EQ(limiter.check("192.0.2.7").admission, Admission::Allowed);
    limiter.record_failure("192.0.2.7"); // ten again in the last minute (5 s .. 60 s)
    EXPECT_EQ(limiter.check("192.0.2.7").retry_after, 5s);
}

TEST(AuthRateLimit, ThrottledAttemptsDoNotExtendTheWait)
{
    testing::ManualClock clock;
    LoginLimiter limiter(clock.source());
    fail(limiter, "192.0.2.7", 10);
    for (int i = 0; i < 59; ++i) {
        clock.advance(1s);
        EXPECT_EQ(limiter.check("192.0.2.7").admission, Admission::Throttled);
    }
    clock.advance(1s);
    EXPECT_EQ(limiter.check("192.0.2.7").admission, Admission::Allowed);
}

TEST(AuthRateLimit, ASuccessForgetsTheClientsFailures)
{
    testing::ManualClock clock;
    LoginLimiter limiter(clock.source());
    fail(limiter, "192.0.2.7", 9);
    limiter.record_success("192.0.2.7");
    fail(limiter, "192.0.2.7", 10);
    EXPECT_EQ(limiter.check("192.0.2.7").admission, Admission::Throttled);
}

// A stranger's guesses, from however many addresses, never throttle the owner's own.
TEST(AuthRateLimit, OthersFailuresDoNotLockTheOwnerOut)
{
    testing::ManualClock clock;
    LoginLimiter limiter(clock.source());
    for (int host = 1; host <= 200; ++host) // nine guesses from each of 200 addresses
        fail(limiter, fmt::format("198.51.100.{}", host), 9);
    EXPECT_EQ(limiter.check("192.0.2.7").admission, Admission::Allowed);
    EXPECT_EQ(limiter.check("198.51.100.1").admission, Admission::Allowed);
    fail(limiter, "198.51.100.1", 1);
    EXPECT_EQ(limiter.check("198.51.100.1").admission, Admission::Throttled);
    EXPECT_EQ(limiter.check("192.0.2.7").admission, Admission::Allowed);
}

TEST(AuthRateLimit, AnIpv6ClientIsCountedByItsSlash64)
{
    testing::ManualClock clock;
    LoginLimiter limiter(clock.source());
    for (int host = 1; host <= 10; ++host)
        fail(limiter, fmt::format("2001:db8:1:2::{:x}", host), 1);
    EXPECT_EQ(limiter.check("2001:db8:1:2:ffff:ffff:ffff:ffff").admission, Admission::Throttled);
    EXPECT_EQ(limiter.check("2001:db8:1:3::1").admission, Admission::Allowed);
}

TEST(AuthRateLimit, ClientKeys)
{
    EXPECT_EQ(client_key("192.0.2.7"), "192.0.2.7");
    EXPECT_EQ(client_key("::ffff:192.0.2.7"), "192.0.2.7");
    EXPECT_EQ(client_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
    EXPECT_EQ(client_key("[2001:db8:1:2::9]"), "2001:db8:1:2::/64");
    EXPECT_EQ(client_key("fe80::1%br-lan"), "fe80::/64");
    EXPECT_EQ(client_key("not an address"), "not an address");
    EXPECT_EQ(client_key(std::string(500, 'x')).size(), 64u);
    EXPECT_EQ(client_key(""), "");
}

TEST(AuthRateLimit, MemoryIsBounded)
{
    testing::ManualClock clock;
    LoginLimiter limiter(clock.source(), {.tracked_addresses = 4});
    for (int host = 1; host <= 10; ++host) {
        fail(limiter, fmt::format("198.51.100.{}", host), 1);
        clock.advance(1s);
    }
    EXPECT_EQ(limiter.tracked_addresses(), 4u);
    // The most recent ones are kept.
    fail(limiter, "198.51.100.10", 9);
    EXPECT_EQ(limiter.check("198.51.100.10").admission, Admission::Throttled);
    clock.advance(61s);
    limiter.check("198.51.100.1");
    EXPECT_EQ(limiter.tracked_addresses(), 0u); // nothing outlives the window
}

TEST(AuthRateLimit, LimitsAreConfigurable)
{
    testing::ManualClock clock;
    LoginLimiter limiter(clock.source(), {.failures_per_address = 3, .window = 10s});
    fail(limiter, "192.0.2.7", 3);
    EXPECT_EQ(limiter.check("192.0.2.7").retry_after, 10s);
    clock.advance(10s);
    EXPECT_EQ(limiter.check("192.0.2.7").admission, Admission::Allowed);
}

} // namespace
} // namespace uplink::auth
