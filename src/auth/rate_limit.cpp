// The login rate limiter: failed password checks per client, in a sliding window.
#include "auth/auth.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cassert>

namespace uplink::auth {

namespace {

constexpr std::size_t maximum_key_length = 64;

std::chrono::seconds seconds_until(Clock::time_point when, Clock::time_point now)
{
    auto wait = std::chrono::ceil<std::chrono::seconds>(when - now);
    return std::max(wait, std::chrono::seconds(1));
}

} // namespace

std::string_view to_string(Admission admission)
{
    switch (admission) {
    case Admission::Allowed:
        return "allowed";
    case Admission::Throttled:
        return "throttled";
    }
    return "unknown";
}

std::string client_key(std::string_view address)
{
    // "[2001:db8::1]" and a zone ("fe80::1%br-lan") are forms of the same client address.
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    address = address.substr(0, address.find('%'));
    if (address.size() > maximum_key_length)
        return std::string(address.substr(0, maximum_key_length));
    std::string text(address);

    std::array<unsigned char, 16> bytes {};
    if (::inet_pton(AF_INET, text.c_str(), bytes.data()) == 1)
        return text;
    if (::inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1)
        return text;
    std::array<char, INET6_ADDRSTRLEN> printed {};
    // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is an IPv4 client.
    constexpr std::array<unsigned char, 12> mapped_prefix {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(mapped_prefix.begin(), mapped_prefix.end(), bytes.begin())) {
        ::inet_ntop(AF_INET, bytes.data() + 12, printed.data(), printed.size());
        return printed.data();
    }
    // One host usually holds a whole /64 (RFC 4291 §2.5.4, SLAAC): count the prefix.
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    ::inet_ntop(AF_INET6, bytes.data(), printed.data(), printed.size());
    return std::string(printed.data()) + "/64";
}

LoginLimiter::LoginLimiter(TimeSource now, RateLimits limits)
    : now_(std::move(now))
    , limits_(limits)
{
    assert(limits_.failures_per_address > 0 && limits_.tracked_addresses > 0);
}

void LoginLimiter::forget_old(Clock::time_point now)
{
    auto stale = [&](Clock::time_point failure) { return now - failure >= limits_.window; };
    for (auto entry = failures_.begin(); entry != failures_.end();) {
        std::erase_if(entry->second, stale);
        entry = entry->second.empty() ? failures_.erase(entry) : std::next(entry);
    }
}

LoginVerdict LoginLimiter::check(std::string_view address)
{
    auto now = now_();
    forget_old(now);
    auto found = failures_.find(client_key(address));
    if (found == failures_.end() || found->second.size() < limits_.failures_per_address)
        return {};
    auto& times = found->second;
    auto allowed_at = times[times.size() - limits_.failures_per_address] + limits_.window;
    return {Admission::Throttled, seconds_until(allowed_at, now)};
}

void LoginLimiter::record_failure(std::string_view address)
{
    auto now = now_();
    forget_old(now);
    auto key = client_key(address);
    if (!failures_.contains(key) && failures_.size() >= limits_.tracked_addresses) {
        // The client whose last failure is oldest is the least likely to be throttled soon.
        auto stalest = std::min_element(
            failures_.begin(), failures_.end(), [](const auto& left, const auto& right) {
                return left.second.back() < right.second.back();
            });
        failures_.erase(stalest);
    }
    auto& times = failures_[key];
    times.push_back(now);
    if (times.size() > limits_.failures_per_address)
        times.erase(times.begin());
}

void LoginLimiter::record_success(std::string_view address)
{
    failures_.erase(client_key(address));
}

} // namespace uplink::auth
