// wan: policy routing over several WANs (issue 13; docs/failover.md "Configuration", "Routing").
//  - WanSettings: `config wan`, `config policy`, `config traffic` and `config uplink`'s
//    `option policy`, read and checked from the UCI file (wan_schema(), wan_settings_from()).
//  - WanIds: a small number per WAN name, stable while uplinkd runs, from which its firewall
//    mark, routing table and rule priorities follow (mark_of(), table_of()).
//  - routing_plan(): the routes and rules the WANs need (pure); policy_script(): the nftables
//    script that marks new connections by policy (pure).
//  - Router: installs both, changing only what differs from what it installed before, and never
//    anything it did not create.
// The health engine (health/health.hpp) decides each WAN's state; this module only routes by it.
#pragma once

#include <chrono>
#include <core/core.hpp>
#include <cstdint>
#include <health/health.hpp>
#include <map>
#include <net/net.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace uplink::wan {

// ---------------------------------------------------------------- configuration
// A WAN as `config wan` describes it: exactly one of `interface` (a wired WAN that another
// program configures) and `modem` (`wan1`, `wan2`... or a USB path).
// How a WAN's probes ask (`option track_method`): ICMP echo, a TCP connection attempt, a DNS
// query (net.hpp: probe(), tcp_probe(), dns_probe()).
enum class TrackMethod { Ping, Tcp, Dns };
std::string_view to_string(TrackMethod method); // "ping", "tcp", "dns"

struct WanConfig {
    std::string name; // [a-z0-9_]{1,15}: it names nftables chains
    std::string interface;
    std::string modem;
    std::vector<std::string> track_ips; // probe targets, parsed as addresses
    TrackMethod track_method = TrackMethod::Ping;
    std::uint16_t track_port = 443; // a TCP probe's
    std::vector<std::string> dns; // its DNS servers (`list dns`); none: a modem's from its connection
    bool metered = false; // default: false wired, true cellular
    int probe_budget_mb = 50; // standby_probe_budget_mb in standby, unless given
    bool standby = false; // carries nothing while another WAN of its policy is alive
    bool nat66 = false; // IPv6 leaving by it is masqueraded to its address (not a shared prefix's)
    std::string share_prefix; // a modem's: the LAN interface its /64 is shared on (RFC 7278); "": none
    bool enabled = true;
    friend bool operator==(const WanConfig&, const WanConfig&) = default;
};

constexpr int standby_probe_budget_mb = 5;

struct TierMember {
    std::string wan;
    unsigned weight = 1; // 1 to 1000
    friend bool operator==(const TierMember&, const TierMember&) = default;
};
using Tier = std::vector<TierMember>;

// What a policy does when every WAN of every tier is dead.
enum class LastResort { Unreachable, Main };
std::string_view to_string(LastResort last_resort); // "unreachable", "main"

// On fail-back: move new connections only, or also end the backup's (conntrack delete).
enum class Failback { New, All };
std::string_view to_string(Failback failback); // "new", "all"

struct PolicyConfig {
    std::string name;
    std::vector<Tier> tiers; // in order of preference
    LastResort last_resort = LastResort::Unreachable;
    std::chrono::seconds sticky {0};
    Failback failback = Failback::New;
    bool implicit = false; // the "failover" policy the file does not have (wan_settings_from())
    friend bool operator==(const PolicyConfig&, const PolicyConfig&) = default;
};

enum class Protocol { All, Tcp, Udp, Icmp };
std::string_view to_string(Protocol protocol); // "all", "tcp", "udp", "icmp"

enum class FamilyFilter { Any, Ipv4, Ipv6 };
std::string_view to_string(FamilyFilter family); // "any", "ipv4", "ipv6"

struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    friend bool operator==(const PortRange&, const PortRange&) = default;
};

// `config traffic`: the first rule whose every given field matches picks the policy.
struct TrafficRule {
    std::string name;
    std::optional<net::Prefix> source;
    std::optional<net::Prefix> destination;
    Protocol protocol = Protocol::All;
    std::optional<PortRange> source_port; // only with Tcp or Udp
    std::optional<PortRange> destination_port; // only with Tcp or Udp
    FamilyFilter family = FamilyFilter::Any;
    std::string policy;
    friend bool operator==(const TrafficRule&, const TrafficRule&) = default;
};

struct WanSettings {
    std::vector<WanConfig> wans;
    std::vector<PolicyConfig> policies; // never empty after wan_settings_from()
    std::vector<TrafficRule> rules; // in file order
    std::string default_policy; // the name of one of `policies`
    std::string resolv_file; // where the DNS servers in use go (`config uplink`); "": nowhere
    friend bool operator==(const WanSettings&, const WanSettings&) = default;
};

// The schema of `config wan`, `config policy` and `config traffic`, for the daemon's schema, and
// `config uplink`'s `policy` option.
std::vector<SectionSchema> wan_schema();
OptionSchema default_policy_option();
OptionSchema resolv_file_option();
// A modem as `config wan` (and OpenWrt's `proto uplink`) names it: `wan1`, or a USB path `1-1.2`.
bool is_modem_reference(std::string_view modem);

// Reads and checks the sections: each problem is a diagnostic naming the section's line and the
// option. With no `config policy 'failover'`, a policy "failover" with one WAN per tier, in the
// order: wired WANs first, then modems, each in file order (docs/failover.md).
WanSettings wan_settings_from(const Config& config, std::vector<ConfigDiagnostic>& diagnostics);

// "fibre:3 lte" → {{fibre, 3}, {lte, 1}}; a message for anything else.
struct TierError {
    std::string message;
};
std::variant<Tier, TierError> parse_tier(std::string_view text);

// Whether `name` may name a WAN or a policy: [a-z0-9_]{1,15}.
bool is_valid_name(std::string_view name);

// ---------------------------------------------------------------- marks, tables, rules
// Each WAN owns an id 1..62 while uplinkd runs; its firewall mark is id << 24 within
// `mark_mask` (bits 24-29). Why these bits: mwan3 uses 0x3F00 (reference/multiwan.md §1.4),
// OpenWrt's pbr package 0x00ff0000, Tailscale 0x40000 and 0x80000 within 0xff0000,
// WireGuard's wg-quick 0xca6c, kube-proxy 0x4000 and 0x8000; fw4 sets marks only where a user's
// rule says so. Bits 24-29 are none of these, and every mark uplink sets is masked: other bits of
// a packet's mark are left as they were.
constexpr std::uint32_t mark_mask = 0x3f000000;
constexpr unsigned mark_shift = 24;
constexpr std::uint8_t highest_id = 62;
// The mark of "no WAN alive" (all ones in the mask): its rule answers unreachable.
constexpr std::uint8_t unreachable_id = 63;
constexpr std::uint32_t mark_of(std::uint8_t id)
{
    return std::uint32_t {id} << mark_shift;
}

// Where the tables and rules go; the defaults keep clear of mwan3's (tables 1-60, rules
// 1001-3063) and of the kernel's 0, 32766 and 32767.
struct RoutingLayout {
    std::uint32_t table_base = 1000; // a WAN's table: table_base + id
    std::uint32_t priority_base = 10000; // its `fwmark lookup` rule: priority_base + id, its
                                         // unreachable fallback priority_base + 100 + id, and
                                         // `oif <its interface> lookup`: priority_base - 100 + id
    friend bool operator==(const RoutingLayout&, const RoutingLayout&) = default;
};

// Ids by WAN name, kept while the object lives (uplinkd's run), so a reload that keeps a WAN keeps
// its id, its mark, and the connections marked with it. A new name takes the lowest free id; when
// all are taken, an id of a name no longer configured is reused.
class WanIds {
public:
    // Ids for `names`; a name that finds no id (more than 62 WANs) is left out.
    std::map<std::string, std::uint8_t> assign(const std::vector<std::string>& names);

private:
    std::map<std::string, std::uint8_t> ids_;
};

// A WAN as the routing needs it now.
enum class Attachment {
    Gateway, // Ethernet-like: the default route goes via the gateway the link's owner set
    OnLink, // raw IP (a wwan): the default route is the interface itself
};
std::string_view to_string(Attachment attachment); // "gateway", "on-link"

struct WanLink {
    std::string name;
    std::uint8_t id = 0;
    std::string interface;
    int index = 0; // 0: no such link (yet)
    Attachment attachment = Attachment::Gateway;
    std::vector<net::InterfaceAddress> addresses; // its global addresses, both families
    std::vector<net::Address> gateways; // at most one a family is used
    health::WanState state = health::WanState::Dead;
    std::vector<net::Address> dns; // its DNS servers now (from the config, or the modem's bearer)
    // A modem's IPv6 /64, which its network routes to it whole (RFC 7278), and, when `config wan`
    // shares it, the ifindex of that LAN interface (0: not shared, or no such interface now).
    std::optional<net::Prefix> routed_prefix {};
    int share_link = 0;

    bool carries(net::Family family) const; // has an address of that family
    friend bool operator==(const WanLink&, const WanLink&) = default;
};

// The link view a LinkWatcher reports, as a WanLink: gateways from its default routes outside
// the WAN tables.
WanLink link_from(const net::LinkView& view, Attachment attachment, const RoutingLayout& layout);

struct RoutingPlan {
    std::vector<net::Route> routes;
    std::vector<net::Rule> rules;
    friend bool operator==(const RoutingPlan&, const RoutingPlan&) = default;
};

// Per WAN and family it carries: its table with the default route and the connected routes of
// its addresses; a shared /64 routed to its LAN interface in the main table; rules `iif lo to <each DNS server> lookup <table>`, `oif <interface> lookup
// <table>`, `fwmark <mark>/<mask> lookup <table>` and, after them,
// `fwmark <mark>/<mask> unreachable` (a WAN whose routes are gone fails fast instead of leaking
// into the main table); and for both families `fwmark <all ones>/<mask> unreachable`.
RoutingPlan routing_plan(const std::vector<WanLink>& wans, const RoutingLayout& layout);

// A modem's /64 shared on a LAN (RFC 7278, docs/failover.md "IPv6 for the LAN"): LAN hosts form
// their addresses in it from router advertisements. Preferred while the default policy picks the
// WAN for new IPv6 connections; else announced deprecated (preferred lifetime 0), so that hosts
// take another source address for new connections while theirs keep working.
struct SharedPrefix {
    std::string wan;
    std::string lan; // the interface it is announced on
    net::Prefix prefix;
    bool preferred = false;
    friend bool operator==(const SharedPrefix&, const SharedPrefix&) = default;
};
// Those of the WANs whose config shares a /64 and that have one now.
std::vector<SharedPrefix> shared_prefixes(const WanSettings& settings, const std::vector<WanLink>& wans);

// ---------------------------------------------------------------- nftables
// The nftables objects of the routing policy in `table inet uplink` (beside net::Firewall's),
// all named route_*; see docs/failover.md "Routing".
struct PolicyObjects {
    std::set<std::string> chains;
    std::map<std::string, net::Family> sets; // a sticky policy's hosts, by WAN and family
    friend bool operator==(const PolicyObjects&, const PolicyObjects&) = default;
};

struct PolicyScript {
    std::string text; // one nft transaction
    PolicyObjects objects; // what exists after it ran
};

// The connections a fail-back to `wan` ends: of each policy that now picks `wan` for a family, its
// WANs in standby (unless `wan` is one), and with `failback 'all'` the WANs of the tiers after
// `wan`'s own, in that family. They are ended whichever policy marked them: a conntrack entry
// knows its WAN, not its policy.
struct FailbackEnd {
    std::string wan;
    net::Family family = net::Family::Ipv4;
    auto operator<=>(const FailbackEnd&) const = default;
};
std::set<FailbackEnd> failback_ends(
    const WanSettings& settings, const std::vector<WanLink>& wans, std::string_view wan);

// The WANs whose DNS servers the LAN's resolver should ask now (docs/failover.md "DNS"): those
// the default policy picks for new connections; when none of those has servers, every live WAN
// in the policy's order; when no live one has any, every WAN. A WAN's servers count only in a
// family it has an address of (`reachable_only`), but when every WAN is asked.
struct DnsWan {
    std::string name;
    bool reachable_only = true;
    friend bool operator==(const DnsWan&, const DnsWan&) = default;
};
std::vector<DnsWan> dns_wans(const WanSettings& settings, const std::vector<WanLink>& wans);
// Their servers, in that order, each once.
std::vector<net::Address> active_dns(const WanSettings& settings, const std::vector<WanLink>& wans);
// A wired WAN's DNS servers as ISC dhclient got them (Debian's ifupdown): those of the last lease
// of `interface` in the lease file's text that has not expired at `now` (seconds since the
// epoch); none without one. A line it does not know is skipped.
std::vector<net::Address> dhclient_dns(std::string_view leases, std::string_view interface, std::int64_t now);
// Where ifupdown has dhclient keep an interface's leases: /var/lib/dhcp/dhclient.<interface>.leases.
std::string dhclient_lease_path(std::string_view interface);

// resolv.conf(5) text for them, for dnsmasq's `resolv-file`.
std::string resolv_conf(const std::vector<net::Address>& servers);

// The transaction that deletes every object of `objects`, for Router::remove().
std::string removal_script(const PolicyObjects& objects);

// The transaction that leaves the route_* chains as `settings` and the WANs' states ask:
// `previous` are the objects an earlier script made, deleted when no longer needed. WANs that are
// not in `wans` (no id, or no link) are not used.
PolicyScript policy_script(
    const WanSettings& settings, const std::vector<WanLink>& wans, const PolicyObjects& previous);

// ---------------------------------------------------------------- status
// What the API shows of one WAN (uplinkd's WanSupervisor keeps it).
struct WanStatus {
    std::string name;
    WanConfig config; // as configured
    std::string interface; // "" for a modem without a connection
    std::uint8_t id = 0; // its mark is mark_of(id)
    bool link = false; // the interface is there, up, with carrier
    health::HealthStatus health;
    std::vector<health::Transition> transitions; // the last ones, oldest first
};

// ---------------------------------------------------------------- the applier
// Installs routing_plan() over rtnetlink and policy_script() through a net::Firewall, in the
// network namespace it was opened in. It records the routes and rules it created and, on each
// apply(), adds what is new (replace: a moved default route never lacks one), then deletes what
// is gone; routes, rules and tables it did not create are never named. The nft part is one
// transaction, run only when its text changed; the table must exist (net::Firewall::ensure()).
// Not thread-safe: one owner.
class Router {
public:
    static Result<Router> open(RoutingLayout layout = {});
    Router(Router&&) noexcept;
    Router& operator=(Router&&) noexcept;
    ~Router(); // leaves everything in place: remove() takes it away

    Result<void> apply(const WanSettings& settings, const std::vector<WanLink>& wans);
    // Deletes every route, rule and route_* chain it made.
    Result<void> remove();

    const RoutingPlan& installed() const { return installed_; }

private:
    Router(net::Netlink netlink, net::Firewall firewall, RoutingLayout layout);

    net::Netlink netlink_;
    net::Firewall firewall_;
    RoutingLayout layout_;
    RoutingPlan installed_;
    PolicyObjects objects_;
    std::string script_;
};

} // namespace uplink::wan
