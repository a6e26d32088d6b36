// resolved: each WAN's DNS servers handed to systemd-resolved per link, where it runs (Debian),
// over D-Bus (org.freedesktop.resolve1(5): SetLinkDNS, SetLinkDefaultRoute, RevertLink). Its
// own answer to "which servers": it asks every link whose default route is on, in parallel, and
// each link's queries leave by that link (docs/failover.md "DNS").
#pragma once

#include <core/core.hpp>
#include <net/net.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace uplink::resolved {

struct LinkDns {
    int index = 0;                      // the link's ifindex
    std::vector<net::Address> servers;
    bool default_route = false;         // asked for names no link's search domain claims
    friend bool operator==(const LinkDns&, const LinkDns&) = default;
};

// One connection to the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else the usual socket). Each call
// waits for resolved's answer, at most call_timeout. Not thread-safe.
class Resolved {
public:
    static constexpr auto call_timeout = std::chrono::seconds(1);

    // An error when there is no system bus, or systemd-resolved is not on it
    // (errc::no_such_process).
    static Result<Resolved> connect();
    Resolved(Resolved&&) noexcept;
    Resolved& operator=(Resolved&&) noexcept;
    ~Resolved();

    // The link's servers and default route. errc::device_or_resource_busy when another manager
    // owns the link's DNS (networkd: it tells resolved a link's DHCP servers itself).
    Result<void> configure(const LinkDns& link);
    // Back to what the link had before (RevertLink); a link gone is no error.
    Result<void> revert(int index);

private:
    struct Bus;
    explicit Resolved(std::unique_ptr<Bus> bus);
    std::unique_ptr<Bus> bus_;
};

} // namespace uplink::resolved
