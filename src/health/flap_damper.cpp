// Flap damping after RFC 2439 §4.2 (health.hpp), for a WAN instead of a BGP route: a WAN that
// keeps falling dead and coming back would drag new flows from one WAN to the other each time.
#include "health/health.hpp"

#include <algorithm>
#include <cmath>

namespace uplink::health {

FlapDamper::FlapDamper(
    double penalty, double suppress, double reuse, Duration half_life, Duration maximum_hold)
    : per_flap_(penalty)
    , suppress_(suppress)
    , reuse_(reuse)
    // §4.2: the ceiling is the penalty that decays to the reuse level in the maximum hold time.
    , ceiling_(reuse
          * std::exp2(std::chrono::duration<double>(maximum_hold)
              / std::chrono::duration<double>(half_life)))
    , half_life_(half_life)
{
}

double FlapDamper::penalty(Clock::time_point now) const
{
    auto elapsed = std::chrono::duration<double>(std::max(now - updated_, Clock::duration::zero()));
    return penalty_ * std::exp2(-elapsed / std::chrono::duration<double>(half_life_));
}

void FlapDamper::flap(Clock::time_point now)
{
    if (!held_until(now))
        damping_ = Damping::Free;
    penalty_ = std::min(penalty(now) + per_flap_, ceiling_);
    updated_ = now;
    if (penalty_ >= suppress_)
        damping_ = Damping::Suppressed;
}

std::optional<Clock::time_point> FlapDamper::held_until(Clock::time_point now) const
{
    if (damping_ == Damping::Free || penalty_ <= reuse_)
        return std::nullopt;
    auto hold = std::chrono::duration<double>(half_life_) * std::log2(penalty_ / reuse_);
    auto until = updated_ + std::chrono::ceil<Duration>(hold);
    if (now >= until)
        return std::nullopt;
    return until;
}

} // namespace uplink::health
