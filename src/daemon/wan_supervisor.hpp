// The WANs of `config wan` kept routed by their health (issue 13, docs/failover.md): each WAN's
// interface followed over rtnetlink (net::LinkWatcher), a health engine per WAN fed with its
// probes and link signals (health::WanHealth), the policy installed by wan::Router on every
// change of state, link or settings, and the connections of a WAN that died deleted from conntrack
// so that their flows start again on a live one. The composition root tells it the settings and
// which interface each modem's connection has.
#pragma once

#include "daemon/directory_watcher.hpp"

#include <core/core.hpp>
#include <health/health.hpp>
#include <net/net.hpp>
#include <ra/ra.hpp>
#include <resolved/resolved.hpp>
#include <wan/wan.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace uplink::daemon {

// A modem as the WANs see it: named by its WAN number ("wan1") and its USB path ("1-1.2"), and
// the interface of its data connection, "" while it has none.
struct ModemLink {
    std::string wan;
    std::string usb_path;
    std::string interface;
    std::vector<std::string> dns; // its connection's DNS servers, both families
    std::optional<net::Prefix> ipv6_prefix {}; // the network its connection's IPv6 address is in
    bool operator==(const ModemLink&) const = default;
};

class WanSupervisor {
public:
    static constexpr std::size_t transitions_kept = 20; // per WAN, for the API
    // dhclient's lease file when it is run without ifupdown's -lf, for every interface.
    static constexpr const char* dhclient_shared_leases = "/var/lib/dhcp/dhclient.leases";
    static constexpr std::size_t max_lease_file_bytes = 1 << 20;

    // Told each transition as it happens, after it is logged and kept.
    using TransitionListener = std::function<void(const std::string& wan, const health::Transition&)>;

    WanSupervisor(boost::asio::any_io_executor executor, TransitionListener listener);
    ~WanSupervisor();
    WanSupervisor(const WanSupervisor&) = delete;
    WanSupervisor& operator=(const WanSupervisor&) = delete;

    // Starts, reloads or, with no WAN configured, ends the policy routing (removing what it had
    // installed). A WAN that keeps its name keeps its id, its health and its connections.
    void apply(const wan::WanSettings& settings);
    // The modems' connections changed: a modem WAN follows its modem's interface.
    void modems_changed(const std::vector<ModemLink>& modems);
    // Removes every route, rule and route_* chain; nothing runs after it.
    void stop();

    std::vector<wan::WanStatus> status() const;

private:
    struct Wan;
    void watch_links();
    void link_changed(const net::LinkView& view);
    void handle(const std::shared_ptr<Wan>& wan, health::HealthOutput output);
    // Logs a transition, keeps it for the API and tells the listener.
    void record(Wan& wan, const health::Transition& transition);
    void send_probe(const std::shared_ptr<Wan>& wan, const health::ProbeOrder& order);
    std::vector<wan::WanLink> route(); // the links it applied

    void end_connections(const Wan& wan, std::optional<net::Family> family = std::nullopt);
    const ModemLink* modem_of(const wan::WanConfig& config) const; // none for a wired WAN
    std::string interface_of(const wan::WanConfig& config) const;
    std::vector<net::Address> dns_of(const wan::WanConfig& config) const;
    void watch_leases();
    // Writes the DNS servers in use to the resolv file when they changed (docs/failover.md "DNS").
    void publish_dns(const std::vector<wan::WanLink>& links);
    // Each WAN link's servers and default route to systemd-resolved, when it runs.
    void hand_to_resolved(const std::vector<wan::WanLink>& links);
    // A modem's /64 in `link`, and its LAN when the WAN shares it.
    void share(const Wan& wan, const net::Prefix& prefix, wan::WanLink& link);
    // Announces the shared /64s on their LANs (docs/failover.md "IPv6 for the LAN").
    void advertise(const std::vector<wan::WanLink>& links);
    void remove_all();

    boost::asio::any_io_executor executor_;
    TransitionListener listener_;
    wan::WanSettings settings_;
    wan::WanIds ids_;
    std::map<std::string, std::shared_ptr<Wan>> wans_; // by name
    std::vector<ModemLink> modems_;
    std::vector<std::string> watched_;                 // the interface names the watcher follows
    std::optional<net::LinkWatcher> watcher_;
    std::optional<DirectoryWatcher> lease_watcher_;   // dhclient's leases, for wired WANs' DNS
    std::optional<wan::Router> router_;
    std::optional<net::Conntrack> conntrack_;
    std::string routing_problem_;                      // the last failure logged, so it is once
    std::string resolv_text_, resolv_path_;            // what publish_dns() last wrote, where
    std::map<std::string, ra::Advertiser> advertisers_; // by LAN interface
    std::optional<resolved::Resolved> resolved_;
    std::map<int, resolved::LinkDns> resolved_links_;  // what resolved was told, by ifindex
    std::map<int, resolved::LinkDns> resolved_wanted_; // what it was last to be told, told or not
    std::set<std::string> problems_;                   // logged once until they clear: "advertise br-lan"
    bool stopped_ = false;
};

} // namespace uplink::daemon
