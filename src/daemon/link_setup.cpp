#include "daemon/link_setup.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace uplink::daemon {

namespace {

// The modem's grant is untrusted, and its link is point-to-point: each address goes on alone
// (/32, /128), so no prefix route the modem chose (198.18.1.0/24, the LAN's, say) can pull
// traffic into the WAN; the default route is on-link anyway. An IPv6 bearer's /64 is routed to the
// modem whole (RFC 7278 §2), none of it on the link: it is free to be shared on the LAN
// (docs/failover.md "IPv6 for the LAN").
Result<net::Prefix> prefix_of(const modem::IpSettings& ip)
{
    auto address = net::parse_address(ip.address);
    if (!address)
        return make_error_code(net::Errc::InvalidArgument);
    return net::Prefix {*address, static_cast<std::uint8_t>(address->size() * 8)};
}

// Already gone with the interface (unplugged): the removal's end state holds.
bool gone(const Error& error)
{
    namespace errc = boost::system::errc;
    return error == errc::no_such_device || error == errc::no_such_process // ESRCH: no such route
        || error == errc::address_not_available || error == errc::no_such_device_or_address;
}

} // namespace

LogEntry describe(const Removal& removal)
{
    std::string failures;
    for (const auto& [what, result] : removal.steps)
        if (!result && !gone(result.error()))
            failures += fmt::format("{}{}: {}", failures.empty() ? "" : "; ", what, result.error().message());
    if (failures.empty())
        return {LogLevel::Info, fmt::format("{}: addresses and routes removed", removal.interface)};
    return {LogLevel::Warning, fmt::format("{}: cannot remove all it had: {}", removal.interface, failures)};
}

Result<void> enable_forwarding(const std::string& path)
{
    // A sysctl file takes the whole value in one write(): no stream, whose errors say no errno.
    int file = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (file < 0)
        return Error(errno, boost::system::system_category());
    auto written = ::write(file, "1\n", 2);
    auto error = written == 2 ? 0 : written < 0 ? errno : EIO;
    ::close(file);
    if (error != 0)
        return Error(error, boost::system::system_category());
    return {};
}

Result<net::Netlink*> LinkSetup::netlink()
{
    if (!netlink_) {
        auto opened = net::Netlink::open();
        if (!opened)
            return opened.error();
        netlink_.emplace(std::move(*opened));
    }
    return &*netlink_;
}

// The watchdog's probe: an ICMP echo bound to the modem's interface (net::probe).
boost::asio::awaitable<Result<Duration>> probe_through(std::string interface, std::string host, Duration timeout)
{
    auto address = net::parse_address(host);
    if (!address)
        co_return make_error_code(net::Errc::InvalidArgument);
    auto executor = co_await boost::asio::this_coro::executor;
    co_return co_await net::probe(executor, std::move(interface), *address, timeout);
}

modem::LinkHooks LinkSetup::hooks()
{
    return {[this](const modem::LinkConfiguration& link) { return configure(link); },
        [this](const std::string& interface) { deconfigure(interface); },
        [this](const std::string& interface) { return traffic(interface); }, probe_through};
}

std::optional<modem::TrafficCounters> LinkSetup::traffic(const std::string& interface)
{
    auto counters = interface_counters(interface);
    if (!counters)
        return std::nullopt;
    return modem::TrafficCounters {counters->received_bytes, counters->sent_bytes};
}

std::optional<LinkSetup::InterfaceCounters> LinkSetup::interface_counters(const std::string& interface)
{
    auto socket = netlink();
    if (!socket)
        return std::nullopt;
    auto index = (*socket)->link_index(interface);
    if (!index)
        return std::nullopt;
    auto statistics = (*socket)->link_statistics(*index);
    if (!statistics)
        return std::nullopt;
    return InterfaceCounters {*index, statistics->rx_bytes, statistics->tx_bytes};
}

Result<void> LinkSetup::configure(const modem::LinkConfiguration& link)
{
    if (auto found = applied_.find(link.interface);
        found != applied_.end() && found->second.link.ipv4 == link.ipv4 && found->second.link.ipv6 == link.ipv6) {
        auto changed = change_in_place(link, found->second);
        if (changed)
            return changed;
        log(LogLevel::Warning, "uplinkd", "{}: cannot change MTU or routes in place ({}); configuring it afresh",
            link.interface, changed.error().message());
    }
    deconfigure(link.interface);
    auto socket = netlink();
    if (!socket)
        return socket.error();
    auto index = (*socket)->link_index(link.interface);
    if (!index)
        return index.error();
    Applied applied;
    applied.link = link;
    applied.index = *index;
    // The firewall first: the interface is a WAN, closed to new inbound connections, before it
    // has an address anyone could connect to.
    auto result = masquerade_behind(link.interface, link.ttl);
    if (result)
        result = apply(*index, link, applied);
    applied_[link.interface] = std::move(applied);
    if (!result) {
        deconfigure(link.interface);
        return result;
    }
    log(LogLevel::Info, "uplinkd", "{}: {}{}{}, MTU {}", link.interface, link.ipv4 ? link.ipv4->address : "",
        link.ipv4 && link.ipv6 ? " " : "", link.ipv6 ? link.ipv6->address : "",
        link.mtu ? std::to_string(*link.mtu) : "unchanged");
    return {};
}

// Raw-IP has no link layer: the routes are on-link through the interface, with no gateway.
Result<void> LinkSetup::apply(int index, const modem::LinkConfiguration& link, Applied& applied)
{
    auto& socket = *netlink_;
    // An earlier uplinkd (killed, or a crash) may have left its addresses: the interface is ours.
    remove_stale_addresses(index);
    if (link.mtu)
        if (auto set = socket.set_link_mtu(index, *link.mtu); !set)
            return set.error();
    if (auto up = socket.set_link_state(index, net::AdminState::Up); !up)
        return up.error();
    for (const auto* ip : {link.ipv4 ? &*link.ipv4 : nullptr, link.ipv6 ? &*link.ipv6 : nullptr}) {
        if (!ip)
            continue;
        auto prefix = prefix_of(*ip);
        if (!prefix)
            return prefix.error();
        net::InterfaceAddress address {index, *prefix};
        if (auto added = socket.add_address(address); !added && added.error() != boost::system::errc::file_exists)
            return added.error();
        applied.addresses.push_back(address);
    }
    return add_routes(link, applied);
}

// One on-link default route per granted family, at the link's metric.
Result<void> LinkSetup::add_routes(const modem::LinkConfiguration& link, Applied& applied)
{
    for (const auto* ip : {link.ipv4 ? &*link.ipv4 : nullptr, link.ipv6 ? &*link.ipv6 : nullptr}) {
        if (!ip)
            continue;
        auto address = net::parse_address(ip->address);
        if (!address)
            return make_error_code(net::Errc::InvalidArgument);
        net::Route route;
        route.destination = net::Prefix::any(address->family);
        route.output_link = applied.index;
        route.metric = link.route_metric;
        if (auto added = netlink_->add_route(route); !added && added.error() != boost::system::errc::file_exists)
            return added.error();
        applied.routes.push_back(route);
    }
    return {};
}

// The new routes go in before the old ones leave, so traffic never lacks a default route.
Result<void> LinkSetup::change_in_place(const modem::LinkConfiguration& link, Applied& applied)
{
    if (link.mtu && link.mtu != applied.link.mtu)
        if (auto set = netlink_->set_link_mtu(applied.index, *link.mtu); !set)
            return set.error();
    if (link.ttl != applied.link.ttl && firewall_)
        if (auto set = firewall_->set_ttl(link.interface, link.ttl); !set)
            return set.error();
    if (link.route_metric != applied.link.route_metric) {
        auto old_routes = std::exchange(applied.routes, {});
        if (auto added = add_routes(link, applied); !added) {
            for (const auto& route : applied.routes)
                (void)netlink_->delete_route(route);
            applied.routes = std::move(old_routes);
            return added.error();
        }
        for (const auto& route : old_routes)
            (void)netlink_->delete_route(route);
    }
    applied.link = link;
    log(LogLevel::Info, "uplinkd", "{}: MTU {}, route metric {}, TTL {}", link.interface,
        link.mtu ? std::to_string(*link.mtu) : "unchanged", link.route_metric,
        link.ttl ? std::to_string(*link.ttl) : "as routed");
    return {};
}

// A router forwards: IPv4 forwarding on, the WAN in the NAT set, with the profile's TTL.
Result<void> LinkSetup::masquerade_behind(const std::string& interface, std::optional<std::uint8_t> ttl)
{
    if (auto forwarding = enable_forwarding(); !forwarding)
        log(LogLevel::Warning, "uplinkd", "cannot turn on IPv4 forwarding ({}): the LAN will not reach {}",
            forwarding.error().message(), interface);
    if (!firewall_) {
        auto opened = net::Firewall::open();
        if (!opened)
            return opened.error();
        if (auto ensured = opened->ensure(); !ensured)
            return ensured.error();
        firewall_.emplace(std::move(*opened));
    }
    if (auto added = firewall_->add_wan(interface); !added)
        return added;
    return firewall_->set_ttl(interface, ttl);
}

void LinkSetup::remove_stale_addresses(int index)
{
    for (auto family : {net::Family::Ipv4, net::Family::Ipv6}) {
        auto addresses = netlink_->addresses(family);
        if (!addresses)
            continue;
        for (const auto& address : *addresses)
            if (address.link == index && address.scope == net::AddressScope::Global)
                (void)netlink_->delete_address(address);
    }
}

void LinkSetup::deconfigure(const std::string& interface)
{
    auto found = applied_.find(interface);
    if (found == applied_.end() || !netlink_)
        return;
    auto applied = std::move(found->second);
    applied_.erase(found);
    Removal removal {interface, {}};
    for (const auto& route : applied.routes)
        removal.steps.emplace_back(fmt::format("route {} metric {}", net::to_string(route.destination), route.metric),
            netlink_->delete_route(route));
    for (const auto& address : applied.addresses)
        removal.steps.emplace_back(fmt::format("address {}", net::to_string(address.prefix)),
            netlink_->delete_address(address));
    // Out of the WAN set once it has no address left to reach: the firewall closes it till then.
    if (firewall_)
        removal.steps.emplace_back("NAT", firewall_->remove_wan(interface));
    removal.steps.emplace_back("link down", netlink_->set_link_state(applied.index, net::AdminState::Down));
    auto entry = describe(removal);
    log(entry.level, "uplinkd", "{}", entry.message);
}

} // namespace uplink::daemon
