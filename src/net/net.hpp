// net: the daemon's kernel boundary for network configuration, over rtnetlink (libmnl) and
// nftables (libnftables).
//  - Address / Prefix: IPv4 and IPv6 values, parsed from and printed as text.
//  - Link, InterfaceAddress, Route, Rule: what the kernel holds, as values read back from dumps.
//  - Netlink: one NETLINK_ROUTE socket; every change is a request answered by an ack.
//  - LinkWatcher: a LinkView of named interfaces, followed over rtnetlink multicast.
//  - Firewall: the router's NAT in nftables (`table inet uplink`), over libnftables.
//  - Conntrack: the connection tracking table over ctnetlink: list and delete entries by mark.
// The kernel's own reference is include/uapi/linux/rtnetlink.h, if_link.h, if_addr.h and
// fib_rules.h; RFC 3549 describes the protocol. The request bytes are built and the replies
// parsed by pure functions (message.hpp, private to this module) that are tested without sockets.
#pragma once

#include <core/core.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <span>
#include <vector>

struct mnl_socket;
struct nft_ctx;

namespace uplink::net {

// ---------------------------------------------------------------- errors
// Failures of the codec and the exchange. An error the kernel reports in its ack
// (NLMSG_ERROR) is the kernel's errno in boost::system::system_category() instead, so a caller
// tests `error == boost::system::errc::file_exists` for an address that is already there.
enum class Errc {
    Truncated = 1,     // a message or attribute shorter than its headers, or a datagram cut short
    Malformed,         // an attribute of the wrong size, a family or length out of range
    MissingAttribute,  // a reply lacks an attribute the caller needs (IFLA_IFNAME, IFLA_STATS64)
    DumpInterrupted,   // NLM_F_DUMP_INTR: the table changed while it was dumped; dump again
    Timeout,           // the kernel did not answer within the timeout
    InvalidArgument,   // a request the kernel would refuse: name too long, families that disagree
};
const boost::system::error_category& net_category();
Error make_error_code(Errc code);
// An errno, from an NLMSG_ERROR ack or a failed socket call, as an Error (system category).
Error kernel_error(int error_number);

// ---------------------------------------------------------------- addresses
enum class Family : std::uint8_t { Ipv4, Ipv6 };
std::string_view to_string(Family family);

struct Address {
    Family family = Family::Ipv4;
    std::array<std::uint8_t, 16> bytes {}; // network byte order; IPv4 uses the first 4, rest 0

    std::size_t size() const { return family == Family::Ipv4 ? 4 : 16; }
    static Address any(Family family) { return Address {family, {}}; }
    friend bool operator==(const Address&, const Address&) = default;
};
// "100.64.0.2", "2001:db8::2" (inet_pton forms); nullopt for anything else.
std::optional<Address> parse_address(std::string_view text);
std::string to_string(const Address& address);

struct Prefix {
    Address address;
    std::uint8_t length = 0; // at most 32 (IPv4) or 128 (IPv6)

    // 0.0.0.0/0 or ::/0: the destination of a default route.
    static Prefix any(Family family) { return Prefix {Address::any(family), 0}; }
    friend bool operator==(const Prefix&, const Prefix&) = default;
};
// "100.64.0.2/30", "::/0"; an address without "/" is a host prefix (/32, /128).
std::optional<Prefix> parse_prefix(std::string_view text);
std::string to_string(const Prefix& prefix);
// The network an address is in: 198.18.1.2/30 → 198.18.1.0/30.
Prefix network_of(const Prefix& prefix);

// ---------------------------------------------------------------- links
// RFC 2863 ifOperStatus as the kernel reports it (IFLA_OPERSTATE, IF_OPER_* in if.h).
// A raw-IP wwan0 typically stays Unknown: its driver never reports a carrier.
enum class OperState : std::uint8_t {
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
};
std::string_view to_string(OperState state);

// The administrative state a link is set to (IFF_UP), as opposed to what it achieves (OperState).
enum class AdminState { Down, Up };
std::string_view to_string(AdminState state);

// Virtual links the daemon creates (IFLA_INFO_KIND): a dummy for tests, a bridge for br-lan.
enum class LinkKind { Dummy, Bridge };
std::string_view to_string(LinkKind kind); // the kernel's kind name: "dummy", "bridge"

// IFF_* bits of Link::flags (<net/if.h>; linux/if.h has IFF_LOWER_UP).
constexpr std::uint32_t link_flag_up = 0x1;            // IFF_UP: set administratively up
constexpr std::uint32_t link_flag_running = 0x40;      // IFF_RUNNING: operationally up (RFC 2863)
constexpr std::uint32_t link_flag_lower_up = 0x10000;  // IFF_LOWER_UP: carrier

// Whether the link's driver reports a carrier (IFF_LOWER_UP, "driver signals L1 up" in
// linux/if.h): a cable plugged into a live port, a veth pair with both ends up.
enum class Carrier { Down, Up };
std::string_view to_string(Carrier carrier);

// The first counters of struct rtnl_link_stats64 (IFLA_STATS64, if_link.h): 64-bit, so they do
// not wrap the way IFLA_STATS's 32-bit ones do after 4 GiB of LTE traffic.
struct LinkStatistics {
    std::uint64_t rx_packets = 0;
    std::uint64_t tx_packets = 0;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t rx_errors = 0;
    std::uint64_t tx_errors = 0;
    std::uint64_t rx_dropped = 0;
    std::uint64_t tx_dropped = 0;
    friend bool operator==(const LinkStatistics&, const LinkStatistics&) = default;
};

struct Link {
    int index = 0;                             // ifindex
    std::string name;                          // IFLA_IFNAME
    std::string kind;                          // IFLA_INFO_KIND: "veth"; "" for hardware
    std::uint32_t flags = 0;                   // IFF_* (link_flag_*)
    std::uint32_t mtu = 0;                     // IFLA_MTU
    OperState operstate = OperState::Unknown;  // IFLA_OPERSTATE
    std::optional<LinkStatistics> statistics;  // IFLA_STATS64

    AdminState admin_state() const
    {
        return flags & link_flag_up ? AdminState::Up : AdminState::Down;
    }
    Carrier carrier() const { return flags & link_flag_lower_up ? Carrier::Up : Carrier::Down; }
    friend bool operator==(const Link&, const Link&) = default;
};

// ---------------------------------------------------------------- interface addresses
// rtnetlink scopes (RT_SCOPE_* in rtnetlink.h); the values are the kernel's.
enum class AddressScope : std::uint8_t {
    Global = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255
};
std::string_view to_string(AddressScope scope);

struct InterfaceAddress {
    int link = 0;                               // ifindex
    Prefix prefix;                              // the local address and its prefix: 100.64.0.2/30
    AddressScope scope = AddressScope::Global;  // IPv6 ignores it on add: the kernel derives it
    friend bool operator==(const InterfaceAddress&, const InterfaceAddress&) = default;
};

// ---------------------------------------------------------------- routes and rules
// Routing tables (RT_TABLE_* in rtnetlink.h); a WAN's own table is any other number below 2^32.
constexpr std::uint32_t main_table = 254;
constexpr std::uint32_t local_table = 255;
// rtm_protocol of routes uplink adds: RTPROT_STATIC ("installed by an administrator", as
// systemd-networkd and netifd mark theirs), so `ip route` shows "proto static".
constexpr std::uint8_t static_protocol = 4;

// rtm_type (RTN_* in rtnetlink.h); the values are the kernel's.
enum class RouteType : std::uint8_t {
    Unicast = 1,
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
    Throw = 9,
};
std::string_view to_string(RouteType type);

struct Route {
    Prefix destination;                       // 0.0.0.0/0 or ::/0 for a default route
    std::optional<Address> gateway;           // RTA_GATEWAY; none: on-link (a raw-IP wwan0)
    int output_link = 0;                      // RTA_OIF ifindex; 0: none given
    std::uint32_t table = main_table;         // RTA_TABLE
    std::uint32_t metric = 0;                 // RTA_PRIORITY; the kernel stores IPv6's 0 as 1024
    std::optional<Address> preferred_source;  // RTA_PREFSRC
    RouteType type = RouteType::Unicast;      // rtm_type
    std::uint8_t protocol = static_protocol;  // rtm_protocol; a delete matches any
    friend bool operator==(const Route&, const Route&) = default;
};

// fib_rules.h FR_ACT_*; the values are the kernel's.
enum class RuleAction : std::uint8_t { Lookup = 1, Blackhole = 6, Unreachable = 7, Prohibit = 8 };
std::string_view to_string(RuleAction action);

// A policy routing rule: packets that match (fwmark and/or source) look up `table`. mwan3 uses
// one `fwmark <mark>/<mask> lookup <table>` rule per WAN (reference/multiwan.md §1.4).
struct Rule {
    Family family = Family::Ipv4;
    std::uint32_t priority = 0;              // FRA_PRIORITY: rules are tried lowest first
    std::optional<std::uint32_t> fwmark;     // FRA_FWMARK
    std::optional<std::uint32_t> fwmask;     // FRA_FWMASK; none: all bits (the kernel's default)
    std::optional<Prefix> source;            // FRA_SRC
    std::uint32_t table = main_table;        // FRA_TABLE, for RuleAction::Lookup
    RuleAction action = RuleAction::Lookup;  // fib_rule_hdr.action
    std::string output_interface;            // FRA_OIFNAME: what a socket bound to it sends; "" any
    std::optional<Prefix> destination;       // FRA_DST
    std::string input_interface;             // FRA_IIFNAME: "lo" for what the router itself sends
    friend bool operator==(const Rule&, const Rule&) = default;
};

// ---------------------------------------------------------------- a watched link
// One interface, named, as a LinkWatcher sees it: typically a wired WAN that another program
// (netifd, systemd-networkd, a DHCP client) configures. Addresses and routes are in a fixed
// order, so that two views of the same state compare equal.
struct LinkView {
    std::string name;                         // the watched name
    std::optional<Link> link;                 // none: no link has the name (yet, or any more);
                                              // statistics left out: they change all the time
    std::vector<InterfaceAddress> addresses;  // its global-scope addresses, both families
    std::vector<Route> default_routes;        // 0.0.0.0/0 and ::/0 out of it, in every table
    friend bool operator==(const LinkView&, const LinkView&) = default;
};

// ---------------------------------------------------------------- the socket
// A libmnl socket, closed with the object that owns it (Netlink, Conntrack).
struct MnlSocketCloser {
    void operator()(mnl_socket* socket) const;
};
using MnlSocket = std::unique_ptr<mnl_socket, MnlSocketCloser>;

// One NETLINK_ROUTE socket that sends a request and waits for its ack, synchronously.
//
// Blocking on the daemon's loop is acceptable here: rtnetlink handles a request inside the
// sendmsg() call (rtnetlink_rcv() under RTNL) and queues the reply and ack before it returns,
// and a dump is filled inside recvmsg(); nothing waits on a device or the network. The receive is
// still bounded by `timeout` so a kernel that never answers cannot hang the loop.
//
// Every request carries NLM_F_ACK and its own sequence number; replies with another sequence
// (a late answer to a request that timed out) or from another sender than the kernel are
// skipped. Not thread-safe: one owner.
class Netlink {
public:
    static constexpr Duration default_timeout = 1000ms;

    static Result<Netlink> open(Duration timeout = default_timeout);
    Netlink(Netlink&&) noexcept;
    Netlink& operator=(Netlink&&) noexcept;
    ~Netlink();

    // Links. A missing link is the kernel's ENODEV (errc::no_such_device).
    Result<int> link_index(std::string_view name);
    Result<Link> link(std::string_view name);
    Result<Link> link(int index);
    Result<std::vector<Link>> links();
    Result<LinkStatistics> link_statistics(int index);
    Result<void> set_link_state(int index, AdminState state);
    Result<void> set_link_mtu(int index, std::uint32_t mtu);
    Result<void> add_link(std::string_view name, LinkKind kind);
    // A veth pair, both ends here (a test's stand-in for a wired WAN, or one end then moved).
    Result<void> add_veth(std::string_view name, std::string_view peer_name);
    Result<void> delete_link(int index);

    // Addresses. Adding one that exists is EEXIST; deleting a missing one EADDRNOTAVAIL.
    Result<void> add_address(const InterfaceAddress& address);
    Result<void> delete_address(const InterfaceAddress& address);
    Result<std::vector<InterfaceAddress>> addresses(Family family);
    // Deletes every address this object added and has not deleted since; one already gone
    // (its link removed, say) counts as deleted. The first other failure is returned after
    // trying them all, and the addresses that failed stay listed for the next flush.
    Result<void> flush_added_addresses();
    const std::vector<InterfaceAddress>& added_addresses() const { return added_addresses_; }

    // Routes. Adding one that exists is EEXIST; replace_route() adds or replaces (failover
    // moves a default route without a moment where there is none); deleting a missing one ESRCH.
    Result<void> add_route(const Route& route);
    Result<void> replace_route(const Route& route);
    Result<void> delete_route(const Route& route);
    // The routes of one table (RTM_F_CLONED cache entries left out).
    Result<std::vector<Route>> routes(Family family, std::uint32_t table);

    // Rules. Adding one that exists is EEXIST; deleting a missing one ENOENT.
    Result<void> add_rule(const Rule& rule);
    Result<void> delete_rule(const Rule& rule);
    Result<std::vector<Rule>> rules(Family family);

private:
    Netlink(MnlSocket socket, Duration timeout);
    Result<std::vector<std::vector<std::uint8_t>>> transact(
        std::uint32_t sequence, const std::vector<std::uint8_t>& request);
    Result<void> execute(std::uint32_t sequence, const Result<std::vector<std::uint8_t>>& request);
    Result<std::vector<std::vector<std::uint8_t>>> dump(std::uint16_t message_type, Family family);
    Result<Link> single_link(
        std::uint32_t sequence, const Result<std::vector<std::uint8_t>>& request);

    MnlSocket socket_;
    std::uint32_t sequence_ = 0;
    Duration timeout_;
    std::vector<InterfaceAddress> added_addresses_;
};

// ---------------------------------------------------------------- nftables: NAT
// A failure nftables reports (a rule the kernel refuses, a table that is not there, a missing
// permission) is an Error in this category, and its message() is nft's own text, the command it
// points at included:
//   Error: Could not process rule: No such file or directory
//   add element inet uplink wan_interfaces { "wwan0" }
//                    ^^^^^^
// An error code carries only a number, so the category keeps the text of the last 64 distinct
// failures; the message of an older one says that it was dropped.
const boost::system::error_category& nftables_category();

// The router's NAT and its guard against the WANs, in the one nftables table uplink owns,
// `table inet uplink`, over libnftables:
//   set wan_interfaces  (type ifname) the WAN devices: wwan0, eth1...
//   chain postrouting   (nat, hook postrouting, priority srcnat) masquerades IPv4 leaving
//                       through a WAN: the LAN's private addresses become the WAN's own
//   chain input         (filter, hook input, priority filter, policy accept) sends what arrives
//                       through a WAN to from_wan, DHCP replies to the router aside
//   chain forward       (filter, hook forward, priority filter, policy accept) clamps the TCP MSS
//                       of SYNs leaving through a WAN to the route's MTU (`rt mtu`): a modem's MTU
//                       is often below 1500, and PMTU discovery fails where ICMP is filtered; and
//                       sends what arrives through a WAN to from_wan
//   chain from_wan      lets replies (conntrack's established and related), port forwards that
//                       another firewall made (DNAT), neighbour discovery and ICMPv6 errors pass,
//                       and drops every new connection from the WAN, counting the drops: neither
//                       the router's own services (the web UI) nor the LAN hosts can be reached
//                       from the internet, whatever they listen on
// IPv6 is forwarded as it is, without NAT66 (as OpenWrt's fw4 does unless `masq6` is set).
// Other tables (OpenWrt's `inet fw4`, a user's own) are never named in a command, so never touched.
//
// Every change is one nftables transaction: it applies whole or not at all. The object keeps the
// WAN names it has added, so ensure() can rebuild the table with them. The Firewall acts on the
// network namespace it was opened in (libnftables opens its netlink socket in nft_ctx_new()).
// Calls block while libnftables reads what it needs of the ruleset and sends the transaction;
// nf_tables handles the batch inside sendmsg(), so nothing waits on a device or the network.
// The destructor leaves the table in place (NAT survives a daemon restart); remove() deletes it.
// Not thread-safe: one owner.
class Firewall {
public:
    // Fails with socket()'s errno (system category) when no NETLINK_NETFILTER socket can be
    // opened: a kernel without nfnetlink. Needs no privilege; the first change does.
    static Result<Firewall> open();
    Firewall(Firewall&&) noexcept;
    Firewall& operator=(Firewall&&) noexcept;
    ~Firewall();

    // Creates or re-creates the table: the set (holding wan_interfaces()), both chains and their
    // rules, replacing whatever they held; other objects in the table (the wan module's route_*
    // chains) stay. Idempotent; one transaction.
    Result<void> ensure();
    // Adds or removes one name in the set; adding one that is there, or removing one that is not,
    // is no error. A name that is not a plain interface name (1 to 15 letters, digits, '.', '_'
    // or '-') is Errc::InvalidArgument. The table must exist (ensure()): else an nftables error.
    Result<void> add_wan(std::string_view interface);
    Result<void> remove_wan(std::string_view interface);   // and its TTL rules
    // The TTL (IPv4) and hop limit (IPv6) of every packet leaving through `interface`, set after
    // routing (priority mangle); none: left as routed. Replaces that interface's earlier value.
    Result<void> set_ttl(std::string_view interface, std::optional<std::uint8_t> ttl);
    // Deletes the table, and forgets the WANs; no error when there is no table.
    Result<void> remove();
    // Runs one transaction the wan module built for its own objects in this table, the policy
    // routing's route_* chains (wan/wan.hpp): they are named there, and only run here.
    // ensure() leaves them; remove() deletes them with the table.
    Result<void> run_routing(const std::string& script);

    // The names in the set, as far as this object knows: sorted, each once.
    const std::vector<std::string>& wan_interfaces() const { return wan_interfaces_; }

private:
    struct ContextFreer {
        void operator()(nft_ctx* context) const;
    };
    explicit Firewall(std::unique_ptr<nft_ctx, ContextFreer> context);
    Result<void> run(const std::string& script);

    std::unique_ptr<nft_ctx, ContextFreer> context_;
    std::vector<std::string> wan_interfaces_; // sorted, unique
    std::map<std::string, std::uint8_t, std::less<>> ttls_;
};

// ---------------------------------------------------------------- conntrack
// A ct mark and the bits of it that count: an entry matches when (ctmark & mask) == value, as
// `conntrack --mark value/mask` reads it. Each WAN owns a few bits of the mark (mwan3's MMX_MASK,
// reference/multiwan.md §1.4), so a WAN's entries are `{wan_mark, wan_mask}`.
struct MarkFilter {
    std::uint32_t value = 0;
    std::uint32_t mask = 0xffffffff;
    friend bool operator==(const MarkFilter&, const MarkFilter&) = default;
};

// One direction of a tracked connection (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY).
struct ConntrackTuple {
    Address source;
    Address destination;
    std::uint8_t protocol = 0;          // CTA_PROTO_NUM: 6 TCP, 17 UDP, 1 ICMP...
    std::uint16_t source_port = 0;      // TCP, UDP, SCTP...; 0 for a protocol without ports
    std::uint16_t destination_port = 0;
    friend bool operator==(const ConntrackTuple&, const ConntrackTuple&) = default;
};

// One entry of the kernel's connection tracking table.
struct ConntrackEntry {
    Family family = Family::Ipv4;
    ConntrackTuple original;  // as the first packet went: LAN host to server
    ConntrackTuple reply;     // as answers come back: server to the WAN's address after NAT
    std::uint32_t mark = 0;   // CTA_MARK; 0 when the kernel sends none
    std::uint32_t id = 0;     // CTA_ID: the kernel's handle of the entry
    friend bool operator==(const ConntrackEntry&, const ConntrackEntry&) = default;
};

// One NETLINK_NETFILTER socket speaking ctnetlink (include/uapi/linux/netfilter/
// nfnetlink_conntrack.h), with no libnetfilter_conntrack and no `conntrack` tool. Its use: when a
// WAN dies, delete only the entries marked for that WAN, so their flows re-establish on a live
// WAN (a TCP client gets an RST on its next segment, UDP is NATed anew) while flows on healthy
// WANs are never touched (reference/multiwan.md §1.5, §4.4).
//
// As Netlink: synchronous and bounded by `timeout`, each request with its own sequence number,
// replies of other requests or senders skipped. The kernel does a delete inside sendmsg() and
// fills a dump inside recvmsg(); nothing waits on the network. Acts on the network namespace it
// was opened in. Needs CAP_NET_ADMIN. Not thread-safe: one owner.
class Conntrack {
public:
    static constexpr Duration default_timeout = 1000ms;

    // Fails with socket()'s errno when the kernel has no nfnetlink.
    static Result<Conntrack> open(Duration timeout = default_timeout);
    Conntrack(Conntrack&&) noexcept;
    Conntrack& operator=(Conntrack&&) noexcept;
    ~Conntrack();

    // The entries whose mark matches, of one family or of both (nullopt); `{0, 0}` lists all.
    // The kernel filters (ctnetlink_dump_table() with ctnetlink_filter_match()).
    Result<std::vector<ConntrackEntry>> entries(MarkFilter mark, std::optional<Family> family);

    // Deletes every entry whose mark matches, of one family or both (nullopt), and gives how many
    // matched in a dump taken just before: an entry created or expired between the two is
    // deleted or not without being counted. The delete itself is the kernel's filtered flush
    // (IPCTNL_MSG_CT_DELETE without a tuple: ctnetlink_flush_conntrack()), one request however
    // many entries match. A filter that could match every entry (mask 0) is
    // Errc::InvalidArgument, and so is one that can match none (value outside the mask): a
    // whole-table flush is never what failover wants.
    // Older kernels: a 4.9 tree's ctnetlink_flush_conntrack() already filters by mark (only
    // with CTA_MARK_MASK, which is always sent); one whose ctnetlink_del_conntrack() does not
    // read nfgenmsg.version flushes both families whatever `family` says.
    Result<std::size_t> delete_by_mark(MarkFilter mark, std::optional<Family> family);

private:
    Conntrack(MnlSocket socket, Duration timeout);
    Result<std::vector<std::vector<std::uint8_t>>> dump(
        MarkFilter mark, std::optional<Family> family);

    MnlSocket socket_;
    std::uint32_t sequence_ = 0;
    Duration timeout_;
};

} // namespace uplink::net

// ---------------------------------------------------------------- data-path probe, link watcher
// (Their Asio includes are here, with the declarations that need them.)
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>

namespace uplink::net {

// One ICMP echo (RFC 792) to an IPv4 `target` through `interface` alone (SO_BINDTODEVICE): the
// request leaves by that interface whatever the routing tables prefer, and only a reply that comes
// back in through it counts, so a WAN's watchdog tests that WAN's own data path. Gives the round
// trip time, or an error (system category) that says why not:
//   errc::timed_out                     no reply within `timeout`
//   errc::no_such_device                no interface of that name (an empty name included)
//   errc::network_unreachable, host_unreachable...  a router on the way said so (a neighbour
//                                       that never answers ARP is a timeout)
//   errc::address_family_not_supported  an IPv6 target
//   errc::operation_not_permitted       neither a ping socket nor a raw one may be opened here
// A ping socket (SOCK_DGRAM, IPPROTO_ICMP) is used where net.ipv4.ping_group_range admits the
// process's group, else a raw socket (CAP_NET_RAW: uplinkd runs as root). Each probe carries
// probe_payload_size bytes: 2 x (20 + 8 + 8) = 72 bytes of IP traffic, request and reply.
constexpr std::size_t probe_payload_size = 8;
boost::asio::awaitable<Result<Duration>> probe(boost::asio::any_io_executor executor,
    std::string interface, Address target, Duration timeout);

// The same, for a path where ICMP is filtered or says too little (`config wan` option
// track_method), to an IPv4 or IPv6 target, bound to `interface` alike:
//  - tcp_probe(): a TCP connection attempt to target:port. An answer either way proves the path:
//    accepted (then aborted with a RST, so nothing lingers) or refused (the target's RST).
//    IPv4 without options: SYN, SYN-ACK, ACK and RST, 60 + 60 + 52 + 40 = 212 bytes.
//  - dns_probe(): a DNS query (RFC 1035) to target:53 for the root's SOA, without recursion
//    wanted; any well-formed response with its id proves the path, whatever its rcode. About
//    45 bytes out and 150 back.
// Errors as probe()'s; a port that nobody serves is errc::connection_refused for dns_probe().
constexpr std::uint32_t tcp_probe_bytes = 212;
constexpr std::uint32_t dns_probe_bytes = 200;
boost::asio::awaitable<Result<Duration>> tcp_probe(boost::asio::any_io_executor executor,
    std::string interface, Address target, std::uint16_t port, Duration timeout);
boost::asio::awaitable<Result<Duration>> dns_probe(boost::asio::any_io_executor executor,
    std::string interface, Address target, Duration timeout);

// The DNS query dns_probe() sends, and whether `response` answers it (sans I/O: dns_probe.cpp).
std::vector<std::uint8_t> dns_probe_query(std::uint16_t id);
bool answers_dns_probe(std::span<const std::uint8_t> response, std::uint16_t id);

// Follows interfaces by name over rtnetlink multicast, the fastest word of a wired WAN's failure
// (reference/multiwan.md §4.2): a carrier lost, an address or a gateway gone. It subscribes a
// NETLINK_ROUTE socket to RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
// RTNLGRP_IPV4_ROUTE and RTNLGRP_IPV6_ROUTE, then dumps links, addresses and routes, and keeps
// each named interface's LinkView: the name may have no link yet, and a link may be renamed, or
// deleted and created again with a new ifindex.
//
// `changed` is called with a view whenever it differs from the last one reported for its name,
// and once for every name when the first dumps are done. What one wake-up reads (a burst: an
// address flush, a link deleted with its addresses) comes as at most one call per name. When the
// kernel drops events because the socket's queue is full (ENOBUFS), or deletes routes without
// saying so (a link set down, an IPv4 address deleted), everything is dumped again and the calls
// wait for it: a view is never left stale. Failures are logged at debug level and retried.
//
// The socket is opened in the calling thread's network namespace. Not thread-safe: the owner
// runs the executor's loop. The watcher may be stopped, but not destroyed, from `changed`.
class LinkWatcher {
public:
    using Changed = std::function<void(const LinkView& view)>;

    // Fails with the errno of socket(), bind() or the subscription (system category).
    static Result<LinkWatcher> start(boost::asio::any_io_executor executor,
        std::vector<std::string> names, Changed changed);
    LinkWatcher(LinkWatcher&&) noexcept;
    LinkWatcher& operator=(LinkWatcher&&) noexcept;
    ~LinkWatcher(); // stops

    // Closes the socket: `changed` is not called again.
    void stop();

private:
    struct State;
    explicit LinkWatcher(std::shared_ptr<State> state);

    std::shared_ptr<State> state_;
};

} // namespace uplink::net

namespace boost::system {
template <>
struct is_error_code_enum<uplink::net::Errc> : std::true_type {};
} // namespace boost::system
