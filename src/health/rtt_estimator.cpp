// RFC 6298's retransmission timer, used for probe timeouts (health.hpp). A probe whose reply comes
// later than srtt + 4 * rttvar is as good as lost for a WAN's health: a 600 ms LTE round trip
// under load keeps its replies inside the timeout because rttvar grows with it, and a 20 ms fibre
// line is not made to wait mwan3's fixed 4 s (reference/multiwan.md §4.2).
#include "health/health.hpp"

#include <algorithm>
#include <cmath>

namespace uplink::health {

namespace {

// RFC 6298 §2: K = 4, alpha = 1/8, beta = 1/4. G, the clock granularity, is a millisecond here.
constexpr double k = 4;
constexpr double alpha = 1.0 / 8;
constexpr double beta = 1.0 / 4;
constexpr double granularity_ms = 1;
// Doublings are counted up to here: 2^16 x 200 ms is far past any maximum.
constexpr int backoff_limit = 16;

} // namespace

RttEstimator::RttEstimator(Duration initial, Duration minimum, Duration maximum)
    : initial_(initial)
    , minimum_(minimum)
    , maximum_(std::max(maximum, minimum))
{
}

void RttEstimator::sample(Duration rtt)
{
    auto measured = static_cast<double>(std::max(rtt, Duration::zero()).count());
    if (!smoothed_ms_) {
        // §2.2: the first measurement.
        smoothed_ms_ = measured;
        variation_ms_ = measured / 2;
    } else {
        // §2.3: RTTVAR first, with the SRTT from before this sample.
        variation_ms_ = (1 - beta) * variation_ms_ + beta * std::abs(*smoothed_ms_ - measured);
        smoothed_ms_ = (1 - alpha) * *smoothed_ms_ + alpha * measured;
    }
    backoffs_ = 0;
}

void RttEstimator::lost()
{
    backoffs_ = std::min(backoffs_ + 1, backoff_limit);
}

Duration RttEstimator::timeout() const
{
    double base_ms = smoothed_ms_ ? *smoothed_ms_ + std::max(granularity_ms, k * variation_ms_)
                                  : static_cast<double>(initial_.count());
    // §2.4: the minimum applies before the back-off doubles it (§5.5); the maximum (§2.5) to all.
    base_ms = std::max(base_ms, static_cast<double>(minimum_.count()));
    auto backed_off_ms = std::ldexp(base_ms, backoffs_);
    return std::min(Duration(static_cast<Duration::rep>(std::ceil(backed_off_ms))), maximum_);
}

std::optional<Duration> RttEstimator::smoothed() const
{
    if (!smoothed_ms_)
        return std::nullopt;
    return Duration(static_cast<Duration::rep>(std::lround(*smoothed_ms_)));
}

std::optional<Duration> RttEstimator::variation() const
{
    if (!smoothed_ms_)
        return std::nullopt;
    return Duration(static_cast<Duration::rep>(std::lround(variation_ms_)));
}

} // namespace uplink::health
