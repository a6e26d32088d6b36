// `uplink netifd-session INTERFACE MODEM`: the task that OpenWrt's netifd runs for an interface
// of `proto uplink` (packaging/openwrt/files/lib/netifd/proto/uplink.sh) while it is up. Private
// to the CLI; docs/openwrt.md says how the pieces fit.
#pragma once

#include "cli/cli.hpp"

#include <boost/json/value.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace uplink::cli {

// Where netifd's scripts are on OpenWrt; the report script is packaging/openwrt/files/lib/netifd/uplink-update.
inline constexpr const char* netifd_report_script = "/lib/netifd/uplink-update";

// What the report script hands to netifd (proto_add_ipv4_address and the rest), as its
// environment: INTERFACE, IFNAME, IPV4_ADDRESS, IPV4_PREFIX, IPV4_GATEWAY, the same for IPV6, DNS
// (the servers, space-separated) and MTU; a family not granted is left out.
struct NetifdReport {
    std::vector<std::string> environment;   // "NAME=value"
    bool operator==(const NetifdReport&) const = default;
};

// The report for a connected modem, from the `connection` object of GET /v1/modems/<id>; nullopt,
// with the reason in `why`, when it is not connected or says something netifd must not be given
// (an address that is not one, an interface name that is not one: a misbehaving modem's words).
std::optional<NetifdReport> netifd_report(
    const std::string& interface, const boost::json::value& connection, std::string& why);

// Connects the modem (waiting for uplinkd and for the modem to appear), reports its connection to
// netifd through the report script each time it comes up or changes, and exits 1 when it drops
// (netifd then takes the interface down and sets it up again) or 0 after disconnecting it on
// SIGTERM (netifd's ifdown).
int run_netifd_session(const Invocation& invocation, std::ostream& errors);

} // namespace uplink::cli
