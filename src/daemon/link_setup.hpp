// The link hooks of the modem module, over rtnetlink and nftables: a connected modem's
// interface gets the granted addresses, its MTU, link up and default routes, and the LAN is
// masqueraded behind it (table inet uplink); a disconnect takes all of it away.
#pragma once

#include <modem/modem.hpp>
#include <net/net.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace uplink::daemon {

// What one deconfigure() did: each removal and its result, in order.
struct Removal {
    std::string interface;
    std::vector<std::pair<std::string, Result<void>>> steps; // {"route ::/0 metric 200", result}
};

struct LogEntry {
    LogLevel level;
    std::string message;
};

// The line deconfigure() logs. Info only when every removal worked or found its object gone with
// the interface (an unplugged modem: ENODEV, ESRCH, EADDRNOTAVAIL); else a warning naming each
// removal that failed, and why, for what was left behind is still routed.
LogEntry describe(const Removal& removal);

// IPv4 forwarding on (Debian ships it off), through the sysctl file at `path`.
Result<void> enable_forwarding(const std::string& path = "/proc/sys/net/ipv4/ip_forward");

class LinkSetup {
public:
    // The default routes take the link's metric (200 for WAN1, 210 for WAN2 unless a profile says
    // otherwise): above a typical wired WAN's (0, or DHCP's 0-100 on OpenWrt), so the modems are
    // the fallback until failover policy takes over. A link configured again with the same
    // addresses changes only its MTU and routes, so its connections survive.
    Result<void> configure(const modem::LinkConfiguration& link);
    void deconfigure(const std::string& interface);
    std::optional<modem::TrafficCounters> traffic(const std::string& interface);
    struct InterfaceCounters {
        int index = 0;
        std::uint64_t received_bytes = 0, sent_bytes = 0;
    };
    std::optional<InterfaceCounters> interface_counters(const std::string& interface);
    modem::LinkHooks hooks();

private:
    struct Applied {
        modem::LinkConfiguration link;
        int index = 0;
        std::vector<net::InterfaceAddress> addresses;
        std::vector<net::Route> routes;
    };
    Result<net::Netlink*> netlink();
    Result<void> masquerade_behind(const std::string& interface, std::optional<std::uint8_t> ttl);
    Result<void> apply(int index, const modem::LinkConfiguration& link, Applied& applied);
    Result<void> add_routes(const modem::LinkConfiguration& link, Applied& applied);
    Result<void> change_in_place(const modem::LinkConfiguration& link, Applied& applied);
    void remove_stale_addresses(int index);

    std::optional<net::Netlink> netlink_;
    std::optional<net::Firewall> firewall_;
    std::map<std::string, Applied> applied_;
};

} // namespace uplink::daemon
