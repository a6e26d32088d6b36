// Loss and latency averages for the brownout rule (health.hpp). Weighting each sample by the time
// it stands for, not by count, keeps a confirming burst (12 probes in 1.5 s, all lost in a
// handover gap) from weighing as much as 9 minutes of regular probes on a metered WAN.
#include "health/health.hpp"

#include <algorithm>
#include <cmath>

namespace uplink::health {

DecayingAverage::DecayingAverage(Duration time_constant)
    : time_constant_(std::max(time_constant, Duration(1)))
{
}

void DecayingAverage::add(Clock::time_point now, double sample)
{
    if (!value_) {
        value_ = sample;
        first_ = last_ = now;
        return;
    }
    auto elapsed = std::chrono::duration<double>(std::max(now - last_, Clock::duration::zero()));
    auto decay = std::exp(-elapsed / time_constant_);
    // Samples at the same instant still count, equally.
    auto weight = std::max(1 - decay, 1e-9);
    // The first sample stands for as long as the second: taking it for the whole past would drag
    // the average towards it for several time constants.
    if (weight_ == 0) {
        sum_ = *value_ * weight;
        weight_ = weight;
    }
    sum_ = sum_ * decay + sample * weight;
    weight_ = weight_ * decay + weight;
    value_ = sum_ / weight_;
    last_ = now;
}

Duration DecayingAverage::covered(Clock::time_point now) const
{
    if (!value_)
        return Duration::zero();
    return std::chrono::duration_cast<Duration>(now - first_);
}

} // namespace uplink::health
