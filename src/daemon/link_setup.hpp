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

class LinkSetup {
public:
    // Metric of the default routes through a modem: above a typical wired WAN's (0, or DHCP's
    // 0-100 on OpenWrt), so the modem is the fallback until failover policy takes over.
    static constexpr std::uint32_t route_metric = 200;

    Result<void> configure(const modem::LinkConfiguration& link);
    void deconfigure(const std::string& interface);
    std::optional<modem::TrafficCounters> traffic(const std::string& interface);
    modem::LinkHooks hooks();

private:
    struct Applied {
        int index = 0;
        std::vector<net::InterfaceAddress> addresses;
        std::vector<net::Route> routes;
    };
    Result<net::Netlink*> netlink();
    Result<void> masquerade_behind(const std::string& interface);
    Result<void> apply(int index, const modem::LinkConfiguration& link, Applied& applied);
    void remove_stale_addresses(int index);

    std::optional<net::Netlink> netlink_;
    std::optional<net::Firewall> firewall_;
    std::map<std::string, Applied> applied_;
};

} // namespace uplink::daemon
