// Names, defaults and costs (health.hpp). Why the defaults are what they are; the numbers come
// from reference/multiwan.md (§ given), docs/failover.md "Health" sets them side by side:
//  - Up interval 250 ms unmetered: a blackhole must be found in under a second (DESIGN.md
//    "Performance budgets"). Detection takes up to one interval for the next probe, its timeout
//    (200 ms floor), the burst and the burst's own timeouts (doubled once by the loss): about
//    0.25 + 0.2 + 0.11 + 0.4 s at worst. 4 probes a second of 72 bytes is 750 MB a month on an
//    unmetered line, 2.3 kbit/s, and each of 3 targets sees 1.3 probes a second, like `ping`.
//  - Up interval 6 s metered: §5 asks for detection within 10 s on an idle metered link at about
//    30 MB a month; 72-byte probes every 6 s cost 31 MB (the 30 MB of §5 assumes 56-byte echoes
//    without payload; net::probe() carries 8 bytes), and detection is at most 6 s + the burst.
//  - Dead backoff 1 s doubling to 30 s metered, and at once on a modem or link "up" signal
//    (§4.3: it saves a metered SIM's data). Unmetered, probes cost nothing that matters and the
//    backoff stops at 2 s, so a wired WAN that answers again is seen within 2 s and back up in 32.
//  - Timeouts: RFC 6298's 1 s before the first sample (§2.1); a 200 ms floor so that a 20 ms
//    fibre line times out in 200 ms, not 40 ms of jitter (§4.2); a 2 s ceiling, the least mwan3's
//    wiki advises for busy 3G links (§1.2): slower than that is a loss.
//  - Blackout 12 probes over 3 targets: at 20 % independent loss a run of m losses starts at a
//    given probe with probability 0.8 x 0.2^m (§4.3). Unmetered probing sends 14 million probes
//    a month at 20 % loss, bursts included: m = 9 would be 6 false failovers a month, m = 12 is
//    0.05 (§5: fewer than one), and the 3 more probes of the burst cost 30 ms. 3 targets (the
//    shipped mwan3 list has 4, in 2 networks) keep one filtering or rate-limiting target from
//    deciding. The span is 100 ms unmetered (a wire has no handovers), 1.5 s metered: an LTE
//    handover or radio-link recovery leaves gaps of hundreds of ms to 1-2 s (§4.1, mode 5).
//  - Brownout: mwan3's check_quality recovers at 10 % / 500 ms and fails at 1000 ms (§1.2);
//    its 40 % failure loss is far too lossy for a link to be preferred, so loss fails at 20 %,
//    Simplifi's cellular limit (§0). Averaged over about 60 s unmetered, 5 min metered: at one
//    probe every 6 s a minute is 10 samples, too few to tell 5 % from 20 %.
//  - Stable period 30 s: §5's failback goal; mwan3 waits 40-66 s, Peplink 10-15 s.
//  - Damping: Cisco's BGP values (§4.3: 1000 a flap, reuse 750), but suppressing at 2500 so that
//    the third fall within a few minutes holds the WAN (§5: "damping after 3 flaps"), and a 5 min
//    half-life and 30 min maximum hold instead of 15 and 60 min: a WAN is not a BGP route, and
//    its user is waiting.
//  - Budget 50 MB a month metered: the 31 MB of regular probing plus room for bursts and
//    recovery; none unmetered.
#include "health/health.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace uplink::health {

namespace {

constexpr std::array state_names {
    std::pair {WanState::Up, std::string_view("up")},
    std::pair {WanState::Degraded, std::string_view("degraded")},
    std::pair {WanState::Dead, std::string_view("dead")},
};
constexpr std::array signal_names {
    std::pair {LinkSignal::LinkDown, std::string_view("link-down")},
    std::pair {LinkSignal::AddressLost, std::string_view("address-lost")},
    std::pair {LinkSignal::ModemDetached, std::string_view("modem-detached")},
    std::pair {LinkSignal::BearerLost, std::string_view("bearer-lost")},
    std::pair {LinkSignal::LinkUp, std::string_view("link-up")},
    std::pair {LinkSignal::AddressAdded, std::string_view("address-added")},
    std::pair {LinkSignal::ModemRegistered, std::string_view("modem-registered")},
    std::pair {LinkSignal::BearerConnected, std::string_view("bearer-connected")},
};
constexpr std::array metering_names {
    std::pair {Metering::Unmetered, std::string_view("unmetered")},
    std::pair {Metering::Metered, std::string_view("metered")},
};

} // namespace

std::string_view to_string(WanState state)
{
    return name_of(state_names, state);
}

std::optional<WanState> wan_state_from_string(std::string_view text)
{
    return value_of(state_names, text);
}

std::string_view to_string(LinkSignal signal)
{
    return name_of(signal_names, signal);
}

std::optional<LinkSignal> link_signal_from_string(std::string_view text)
{
    return value_of(signal_names, text);
}

std::string_view to_string(Metering metering)
{
    return name_of(metering_names, metering);
}

std::optional<Metering> metering_from_string(std::string_view text)
{
    return value_of(metering_names, text);
}

std::uint64_t probe_bytes_per_month(Duration interval, std::uint64_t bytes_per_probe)
{
    constexpr auto month = std::chrono::duration_cast<Duration>(std::chrono::days(30));
    return static_cast<std::uint64_t>(month.count() / interval.count()) * bytes_per_probe;
}

HealthSettings defaults_for(Metering metering)
{
    HealthSettings settings;
    if (metering == Metering::Metered) {
        settings.up_interval = 6s;
        settings.dead_last_interval = 30s;
        settings.blackout_span = 1500ms;
        settings.quality_time_constant = 5min;
        settings.monthly_byte_budget = 50'000'000;
    }
    return settings;
}

std::string to_string(const Transition& transition)
{
    return fmt::format(
        "{} -> {}: {}", to_string(transition.from), to_string(transition.to), transition.reason);
}

} // namespace uplink::health
