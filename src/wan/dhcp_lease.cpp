// A wired WAN's DNS servers from the lease file of ISC dhclient, the DHCP client of Debian's
// ifupdown (docs/failover.md "DNS"): the last lease of the interface that has not expired.
//
// dhclient appends each lease it binds, as dhclient.leases(5) describes:
//   lease {
//     interface "eth1";
//     option domain-name-servers 192.0.2.53,192.0.2.54;
//     expire 1 2026/12/07 19:35:12;      (UTC: "day-of-week year/month/day hour:minute:second")
//   }
// `expire never;` is an infinite lease. Anything else in the file is skipped.
#include "wan/wan.hpp"

#include <cstdio>
#include <ctime>

namespace uplink::wan {

namespace {

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

// "1 2026/12/07 19:35:12" as seconds since the epoch (UTC); none when it is not that shape.
std::optional<std::int64_t> expiry(std::string_view text)
{
    int weekday = 0, year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    std::string copy(text);
    char tail = 0;
    if (std::sscanf(copy.c_str(), "%d %d/%d/%d %d:%d:%d%c", &weekday, &year, &month, &day, &hour, &minute, &second,
            &tail)
            != 7
        || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || year < 1970
        || year > 9999)
        return std::nullopt;
    std::tm time {};
    time.tm_year = year - 1900;
    time.tm_mon = month - 1;
    time.tm_mday = day;
    time.tm_hour = hour;
    time.tm_min = minute;
    time.tm_sec = second;
    return static_cast<std::int64_t>(::timegm(&time));
}

struct Lease {
    std::string interface;
    std::vector<net::Address> servers;
    bool expired = false;
};

} // namespace

std::vector<net::Address> dhclient_dns(std::string_view leases, std::string_view interface, std::int64_t now)
{
    std::optional<Lease> current, chosen;
    std::size_t at = 0;
    while (at < leases.size()) {
        auto end = leases.find('\n', at);
        auto line = trimmed(leases.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
        at = end == std::string_view::npos ? leases.size() : end + 1;
        if (line == "lease {") {
            current.emplace();
            continue;
        }
        if (!current)
            continue;
        if (line == "}") {
            if (current->interface == interface && !current->expired)
                chosen = std::move(current);
            current.reset();
            continue;
        }
        if (!line.ends_with(';'))
            continue;
        line.remove_suffix(1);
        if (line.starts_with("interface \"") && line.ends_with('"') && line.size() >= 12) {
            current->interface = line.substr(11, line.size() - 12);
        } else if (line.starts_with("option domain-name-servers ")) {
            current->servers.clear();
            auto list = line.substr(27);
            while (!list.empty()) {
                auto comma = list.find(',');
                if (auto address = net::parse_address(trimmed(list.substr(0, comma))))
                    current->servers.push_back(*address);
                list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            }
        } else if (line.starts_with("expire ")) {
            auto when = trimmed(line.substr(7));
            auto seconds = expiry(when);
            current->expired = when != "never" && (!seconds || *seconds <= now);
        }
    }
    return chosen ? chosen->servers : std::vector<net::Address> {};
}

std::string dhclient_lease_path(std::string_view interface)
{
    return fmt::format("/var/lib/dhcp/dhclient.{}.leases", interface);
}

} // namespace uplink::wan
