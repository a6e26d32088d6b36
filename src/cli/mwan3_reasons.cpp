// Why each mwan3 option that has no uplink equivalent is left out: one table, so the same option
// gets the same words wherever it appears. Facts about mwan3 from reference/multiwan.md §1; about
// uplink from docs/failover.md ("Health").
#include "cli/mwan3_reasons.hpp"

#include <array>

namespace uplink::cli {

namespace {

constexpr std::string_view detection
    = "uplink's detection is event-driven and statistical, not a count of rounds: a link, address "
      "or modem event makes a WAN dead at once, and a blackout (12 probes in a row lost, to 3 "
      "targets) in under a second on a wire, 1.5 s or more on LTE";
constexpr std::string_view pacing
    = "uplink paces its own probes (every 0.25 s on a wire, 6 s on a metered WAN, backing off "
      "while a WAN is dead)";
constexpr std::string_view quality
    = "uplink's health engine decides quality itself: degraded above 20 % loss or 1000 ms, up "
      "again at 10 % and 500 ms, averaged over about a minute (5 min metered)";
constexpr std::string_view probes_are_icmp
    = "uplink probes with ICMP echo (72 bytes), a TCP connection attempt or a DNS query (its own "
      "track_method, not mapped), bound to the WAN's interface";
constexpr std::string_view no_rule_logging
    = "uplink logs each WAN's state changes with their reason, not the packets a rule matches";

constexpr std::array reasons {
    OptionReason {"interface", "track_method", "ping", probes_are_icmp},
    OptionReason {"interface", "httping_ssl", "", probes_are_icmp},
    OptionReason {"interface", "size", "", probes_are_icmp},
    OptionReason {"interface", "max_ttl", "", probes_are_icmp},
    OptionReason {"interface", "reliability", "",
        "uplink rotates its probes over every target and needs every probe since the last reply "
        "lost, to at least 3 targets, before a WAN is dead"},
    OptionReason {"interface", "count", "", "uplink sends one probe at a time, rotating targets"},
    OptionReason {"interface", "timeout", "",
        "uplink's probe timeout follows the measured round trip (RFC 6298, 0.2 to 2 s)"},
    OptionReason {"interface", "interval", "", pacing},
    OptionReason {"interface", "failure_interval", "", pacing},
    OptionReason {"interface", "recovery_interval", "", pacing},
    OptionReason {"interface", "keep_failure_interval", "", pacing},
    OptionReason {"interface", "down", "", detection},
    OptionReason {"interface", "up", "",
        "uplink brings a dead WAN back after 30 s of replies, with flap damping after 3 falls, "
        "not after a count of rounds"},
    OptionReason {"interface", "check_quality", "0", quality},
    OptionReason {"interface", "failure_latency", "", quality},
    OptionReason {"interface", "failure_loss", "", quality},
    OptionReason {"interface", "recovery_latency", "", quality},
    OptionReason {"interface", "recovery_loss", "", quality},
    OptionReason {"interface", "initial_state", "online",
        "uplink starts every WAN up, as 'online' does, and finds a dead one by its first "
        "blackout or link event"},
    OptionReason {"interface", "flush_conntrack", "",
        "uplink never flushes the whole conntrack table; a policy's `option failback 'all'` "
        "ends the backup's flows when the preferred WAN comes back"},
    OptionReason {"globals", "mmx_mask", "",
        "uplink allocates its own firewall marks (nftables): there is no mask to set"},
    OptionReason {"globals", "rt_table_lookup", "",
        "uplink keeps one routing table per WAN and copies the routes it needs itself"},
    OptionReason {"globals", "local_source", "",
        "uplink routes the router's own traffic by the same policies"},
    OptionReason {"globals", "logging", "0", no_rule_logging},
    OptionReason {"globals", "loglevel", "", no_rule_logging},
    OptionReason {"rule", "logging", "0", no_rule_logging},
};

} // namespace

const OptionReason* find_option_reason(std::string_view section_type, std::string_view option)
{
    for (const auto& reason : reasons)
        if (reason.section_type == section_type && reason.option == option)
            return &reason;
    return nullptr;
}

} // namespace uplink::cli
