// The probe byte budget of a metered WAN (health.hpp).
#include "health/health.hpp"

#include <algorithm>
#include <cmath>

namespace uplink::health {

namespace {

constexpr auto month = std::chrono::duration<double>(std::chrono::days(30));
// The bucket holds a day of the budget, and at least this much, so that even a tiny budget lets
// a confirming burst through.
constexpr double minimum_capacity = 4096;
// Regular probing may use this share of the budget; the rest is for bursts and recovery.
constexpr double regular_share = 0.8;

} // namespace

ProbeBudget::ProbeBudget(std::uint64_t bytes_per_month, Clock::time_point now)
    : bytes_per_month_(bytes_per_month)
    , capacity_(std::max(static_cast<double>(bytes_per_month) / 30, minimum_capacity))
    , level_(capacity_)
    , updated_(now)
{
}

double ProbeBudget::level(Clock::time_point now) const
{
    auto elapsed = std::chrono::duration<double>(std::max(now - updated_, Clock::duration::zero()));
    return std::min(capacity_, level_ + static_cast<double>(bytes_per_month_) * (elapsed / month));
}

Clock::time_point ProbeBudget::affordable_at(Clock::time_point now, std::uint32_t bytes) const
{
    auto available = level(now);
    if (bytes_per_month_ == 0 || available >= bytes)
        return now;
    auto wait = month * ((bytes - available) / static_cast<double>(bytes_per_month_));
    return now + std::chrono::ceil<Duration>(wait);
}

void ProbeBudget::spend(Clock::time_point now, std::uint32_t bytes)
{
    if (bytes_per_month_ == 0)
        return;
    level_ = level(now) - bytes;
    updated_ = now;
}

Duration ProbeBudget::pace(Duration interval, std::uint32_t bytes) const
{
    if (bytes_per_month_ == 0)
        return interval;
    auto paced = month * (bytes / (regular_share * static_cast<double>(bytes_per_month_)));
    return std::max(interval, std::chrono::ceil<Duration>(paced));
}

} // namespace uplink::health
