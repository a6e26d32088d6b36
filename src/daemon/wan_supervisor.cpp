#include "daemon/wan_supervisor.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <net/if.h>
#include <set>

namespace uplink::daemon {

namespace asio = boost::asio;

struct WanSupervisor::Wan {
    Wan(asio::any_io_executor executor, wan::WanConfig wan_config, std::uint8_t wan_id)
        : config(std::move(wan_config)), id(wan_id), wake(std::move(executor))
    {
        for (const auto& text : config.track_ips)
            if (auto address = net::parse_address(text)) { // checked with the settings
                targets.push_back({text, bytes_per_probe(config.track_method)});
                addresses.push_back(*address);
            }
    }

    // A new engine: it starts up, as mwan3's `initial_state online` does, and is found dead by
    // its first blackout or fast signal. Outcomes of the previous engine's probes are dropped;
    // its flapping is not: a modem whose connection keeps dropping is damped as a link would be.
    void start_health()
    {
        health.emplace(targets, settings_for(config), Clock::now(), flaps);
        ++generation;
    }

    void end_health()
    {
        if (health)
            flaps = health->flaps();
        health.reset();
        ++generation;
        wake.cancel();
    }

    health::WanState state() const
    {
        return health && config.enabled ? health->state() : health::WanState::Dead;
    }

    static std::uint32_t bytes_per_probe(wan::TrackMethod method)
    {
        switch (method) {
        case wan::TrackMethod::Tcp: return net::tcp_probe_bytes;
        case wan::TrackMethod::Dns: return net::dns_probe_bytes;
        case wan::TrackMethod::Ping: break;
        }
        return health::default_probe_bytes;
    }

    static health::HealthSettings settings_for(const wan::WanConfig& config)
    {
        auto settings = health::defaults_for(config.metered ? health::Metering::Metered
                                                            : health::Metering::Unmetered);
        if (config.metered)
            settings.monthly_byte_budget = static_cast<std::uint64_t>(config.probe_budget_mb) * 1000 * 1000;
        return settings;
    }

    wan::WanConfig config;
    std::uint8_t id;
    std::vector<health::Target> targets;
    std::vector<net::Address> addresses; // of the targets, in their order
    // A wired WAN's always; a modem's while it has a connection: a modem that connects again
    // starts afresh, as it would if it were plugged in then.
    std::optional<health::WanHealth> health;
    std::optional<health::FlapDamper> flaps; // the last engine's, for the next one
    std::uint64_t generation = 0;
    asio::steady_timer wake;
    std::string interface;               // "" for a modem without a connection
    std::optional<net::LinkView> view;   // the watcher's last word on `interface`
    std::deque<health::Transition> transitions;
};

namespace {

// Up, with carrier: what can carry packets. Routes need the link up (the kernel refuses them on
// a link set down); a link without carrier keeps its routes, marked linkdown.
bool carries(const net::LinkView& view)
{
    return view.link && view.link->admin_state() == net::AdminState::Up
        && view.link->carrier() == net::Carrier::Up;
}

// Strict reverse-path filtering (rp_filter 1: the interface's value or `all`'s, whichever is
// higher) checks a packet's source against the main table: what a backup WAN brings back while
// the main table's default route is another WAN's is dropped, replies and probes alike. Loose
// (2) still drops sources that no route leads to. The interface's own value is raised; `all` is
// left as it is.
void loosen_rp_filter(const std::string& interface)
{
    auto value = [](const std::string& path) -> std::optional<int> {
        auto text = read_small_file(path, 16);
        if (!text || !*text || (*text)->empty())
            return std::nullopt;
        return std::atoi((*text)->c_str());
    };
    auto own_path = "/proc/sys/net/ipv4/conf/" + interface + "/rp_filter";
    auto all = value("/proc/sys/net/ipv4/conf/all/rp_filter");
    auto own = value(own_path);
    if (!all || !own || std::max(*all, *own) != 1)
        return;
    std::ofstream file(own_path);
    file << "2\n";
    file.close();
    if (file)
        log(LogLevel::Info, "uplinkd", "wan: {}'s reverse-path filter was strict (rp_filter 1), which drops what a "
            "backup WAN carries back: set to loose (2)", interface);
    else
        log(LogLevel::Warning, "uplinkd", "wan: {}'s reverse-path filter is strict (rp_filter 1) and cannot be set to "
            "loose: replies by it are dropped while another WAN has the main table's default route", interface);
}

// The signals a change of view means: the engine acts on the first four at once (dead), and on
// the others by probing at once.
std::vector<health::LinkSignal> signals_between(const std::optional<net::LinkView>& before,
                                                const net::LinkView& after)
{
    using health::LinkSignal;
    std::vector<LinkSignal> signals;
    bool carried = before && carries(*before);
    if (carries(after) != carried || !before)
        signals.push_back(carries(after) ? LinkSignal::LinkUp : LinkSignal::LinkDown);
    bool had_addresses = before && !before->addresses.empty();
    if (after.addresses.empty() && (had_addresses || !before))
        signals.push_back(LinkSignal::AddressLost);
    else if (!after.addresses.empty() && !had_addresses)
        signals.push_back(LinkSignal::AddressAdded);
    return signals;
}

} // namespace

WanSupervisor::WanSupervisor(asio::any_io_executor executor, TransitionListener listener)
    : executor_(std::move(executor)), listener_(std::move(listener))
{
}

WanSupervisor::~WanSupervisor() = default;

const ModemLink* WanSupervisor::modem_of(const wan::WanConfig& config) const
{
    if (config.modem.empty())
        return nullptr;
    auto found = std::ranges::find_if(
        modems_, [&](const ModemLink& modem) { return modem.wan == config.modem || modem.usb_path == config.modem; });
    return found == modems_.end() ? nullptr : &*found;
}

std::string WanSupervisor::interface_of(const wan::WanConfig& config) const
{
    if (!config.interface.empty())
        return config.interface;
    const auto* modem = modem_of(config);
    return modem ? modem->interface : "";
}

// `list dns` when given, else a modem's from its connection, else a wired WAN's from its
// dhclient lease (ifupdown's file for the interface, or dhclient's own for all).
std::vector<net::Address> WanSupervisor::dns_of(const wan::WanConfig& config) const
{
    const auto* modem = modem_of(config);
    if (config.dns.empty() && !modem && !config.interface.empty()) {
        auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
        for (const auto& path : {wan::dhclient_lease_path(config.interface), std::string(dhclient_shared_leases)})
            if (auto text = read_small_file(path, max_lease_file_bytes); text && *text)
                if (auto servers = wan::dhclient_dns(**text, config.interface, now.count()); !servers.empty())
                    return servers;
        return {};
    }
    const auto& texts = !config.dns.empty() || !modem ? config.dns : modem->dns;
    std::vector<net::Address> servers;
    for (const auto& text : texts)
        if (auto address = net::parse_address(text))
            servers.push_back(*address);
    return servers;
}

// A wired WAN without `list dns` takes its servers from dhclient's lease, which a renewal may
// change without any change of link or address: a lease written is a change to route.
void WanSupervisor::watch_leases()
{
    bool wanted = std::ranges::any_of(settings_.wans, [](const wan::WanConfig& config) {
        return config.dns.empty() && !config.interface.empty();
    });
    if (!wanted) {
        lease_watcher_.reset();
        return;
    }
    if (lease_watcher_)
        return;
    auto directory = std::filesystem::path(dhclient_shared_leases).parent_path().string();
    auto started = DirectoryWatcher::start(executor_, directory, [this](const std::string& name) {
        if (name.starts_with("dhclient") && name.ends_with(".leases"))
            route();
    });
    if (!started) {
        // No dhclient here (no /var/lib/dhcp): its servers come from `list dns` or nowhere.
        log(LogLevel::Debug, "uplinkd", "wan: not watching {} for DHCP leases: {}", directory, started.error().message());
        return;
    }
    lease_watcher_.emplace(std::move(*started));
}

void WanSupervisor::apply(const wan::WanSettings& settings)
{
    if (stopped_)
        return;
    settings_ = settings;
    if (settings.wans.empty()) {
        if (!wans_.empty() || router_) {
            remove_all();
            log(LogLevel::Info, "uplinkd", "wan: no config wan: the policy routing is removed");
        }
        return;
    }
    std::vector<std::string> names;
    for (const auto& config : settings.wans)
        names.push_back(config.name);
    auto ids = ids_.assign(names);

    std::map<std::string, std::shared_ptr<Wan>> next;
    std::vector<std::shared_ptr<Wan>> created;
    for (const auto& config : settings.wans) {
        auto id = ids.find(config.name);
        if (id == ids.end()) {
            log(LogLevel::Warning, "uplinkd", "wan {}: left out, more than {} WANs", config.name, wan::highest_id);
            continue;
        }
        auto old = wans_.find(config.name);
        if (old != wans_.end() && old->second->config == config && old->second->id == id->second) {
            next[config.name] = old->second;
            continue;
        }
        auto wan = std::make_shared<Wan>(executor_, config, id->second);
        wan->interface = interface_of(config);
        if (old != wans_.end()) {
            wan->transitions = old->second->transitions;
            // The watcher reports changes only: the link as it is now comes from the old WAN.
            if (old->second->interface == wan->interface)
                wan->view = old->second->view;
        }
        next[config.name] = wan;
        created.push_back(wan);
    }
    wans_ = std::move(next);
    watch_links();
    watch_leases();
    for (const auto& wan : created)
        if (!wan->interface.empty() || wan->config.modem.empty()) {
            wan->start_health();
            handle(wan, wan->health->tick(Clock::now()));
            if (wan->view)
                for (auto signal : signals_between(std::nullopt, *wan->view))
                    handle(wan, wan->health->signal(Clock::now(), signal));
        }
    route();
}

void WanSupervisor::modems_changed(const std::vector<ModemLink>& modems)
{
    if (stopped_ || modems == modems_)
        return;
    modems_ = modems;
    bool changed = false;
    for (auto& [name, wan] : wans_) {
        if (wan->config.modem.empty())
            continue;
        auto interface = interface_of(wan->config);
        if (interface == wan->interface)
            continue;
        changed = true;
        bool connected = !interface.empty();
        wan->interface = interface;
        wan->view.reset();
        if (connected) {
            // A new engine starts up, unless flap damping holds it dead. The WAN was dead while
            // its modem had no connection: the transition says so, or the list would read
            // "up -> dead" twice in a row.
            wan->start_health();
            auto connection = fmt::format("the modem's connection is on {}", interface);
            if (wan->health->state() == health::WanState::Up)
                record(*wan, {health::WanState::Dead, health::WanState::Up, connection, Clock::now()});
            else
                log(LogLevel::Warning, "uplinkd", "wan {}: {}, but it stays dead: {}", name, connection,
                    wan->health->status(Clock::now()).reason);
            handle(wan, wan->health->tick(Clock::now()));
        } else if (wan->health) {
            log(LogLevel::Info, "uplinkd", "wan {}: the modem has no connection", name);
            handle(wan, wan->health->signal(Clock::now(), health::LinkSignal::BearerLost));
            wan->end_health();
        }
    }
    if (changed)
        watch_links();
    route(); // a modem's DNS servers may have changed with the rest
}

void WanSupervisor::watch_links()
{
    std::set<std::string> names;
    for (const auto& [name, wan] : wans_)
        if (!wan->interface.empty())
            names.insert(wan->interface);
    std::vector<std::string> watched(names.begin(), names.end());
    if (watched == watched_ && (watcher_ || watched.empty()))
        return;
    watcher_.reset();
    watched_ = watched;
    if (watched.empty())
        return;
    auto started = net::LinkWatcher::start(executor_, watched, [this](const net::LinkView& view) { link_changed(view); });
    if (!started) {
        // Without it no link signal comes, but the probes still find a dead WAN.
        log(LogLevel::Error, "uplinkd", "wan: cannot follow the WANs' interfaces over rtnetlink: {}",
            started.error().message());
        return;
    }
    watcher_.emplace(std::move(*started));
}

void WanSupervisor::link_changed(const net::LinkView& view)
{
    if (stopped_)
        return;
    bool changed = false;
    for (auto& [name, wan] : wans_) {
        if (wan->interface != view.name || (wan->view && *wan->view == view))
            continue;
        changed = true;
        auto signals = signals_between(wan->view, view);
        wan->view = view;
        for (auto signal : signals)
            if (wan->health)
                handle(wan, wan->health->signal(Clock::now(), signal));
    }
    if (changed)
        route(); // an address or a gateway of a WAN may have changed
}

// A WAN's callbacks hold it weakly: one replaced (its settings changed) or gone drops them.
void WanSupervisor::handle(const std::shared_ptr<Wan>& pointer, health::HealthOutput output)
{
    auto& wan = *pointer;
    for (const auto& order : output.probes)
        send_probe(pointer, order);
    if (output.wake) {
        wan.wake.expires_at(*output.wake);
        wan.wake.async_wait([this, weak = std::weak_ptr<Wan>(pointer), generation = wan.generation](
                                boost::system::error_code error) {
            auto alive = weak.lock();
            if (error || !alive || stopped_ || alive->generation != generation)
                return;
            handle(alive, alive->health->tick(Clock::now()));
        });
    } else {
        wan.wake.cancel();
    }
    if (!output.transition)
        return;
    const auto& transition = *output.transition;
    record(wan, transition);
    auto links = route();
    if (transition.to == health::WanState::Dead)
        end_connections(wan);
    if (transition.to == health::WanState::Up)
        for (const auto& end : wan::failback_ends(settings_, links, wan.config.name))
            if (auto backup = wans_.find(end.wan); backup != wans_.end())
                end_connections(*backup->second, end.family); // failback 'all'
}

void WanSupervisor::record(Wan& wan, const health::Transition& transition)
{
    log(transition.to == health::WanState::Up ? LogLevel::Info : LogLevel::Warning, "uplinkd", "wan {}: {}",
        wan.config.name, health::to_string(transition));
    wan.transitions.push_back(transition);
    if (wan.transitions.size() > transitions_kept)
        wan.transitions.pop_front();
    listener_(wan.config.name, transition);
}

void WanSupervisor::send_probe(const std::shared_ptr<Wan>& wan, const health::ProbeOrder& order)
{
    if (order.target >= wan->addresses.size())
        return;
    asio::co_spawn(
        executor_,
        [this, weak = std::weak_ptr<Wan>(wan), generation = wan->generation, order, interface = wan->interface,
         target = wan->addresses[order.target], method = wan->config.track_method,
         port = wan->config.track_port]() -> asio::awaitable<void> {
            auto outcome = method == wan::TrackMethod::Tcp ? co_await net::tcp_probe(executor_, interface, target, port, order.timeout)
                : method == wan::TrackMethod::Dns          ? co_await net::dns_probe(executor_, interface, target, order.timeout)
                                                           : co_await net::probe(executor_, interface, target, order.timeout);
            auto wan = weak.lock();
            if (!wan || stopped_ || wan->generation != generation)
                co_return;
            auto now = Clock::now();
            handle(wan, outcome ? wan->health->probe_answered(now, order.id, *outcome)
                                : wan->health->probe_lost(now, order.id));
        },
        // A probe that threw (out of memory) is never reported: its WAN would wait for it, so say so.
        LogFailure {"uplinkd", "wan " + wan->config.name + ": a probe failed"});
}

std::vector<wan::WanLink> WanSupervisor::route()
{
    if (stopped_ || wans_.empty())
        return {};
    if (!router_) {
        auto opened = wan::Router::open();
        if (!opened) {
            log(LogLevel::Error, "uplinkd", "wan: cannot open rtnetlink and nftables for the policy routing: {}",
                opened.error().message());
            return {};
        }
        router_.emplace(std::move(*opened));
    }
    std::vector<wan::WanLink> links;
    for (const auto& [name, wan] : wans_) {
        auto attachment = wan->config.modem.empty() ? wan::Attachment::Gateway : wan::Attachment::OnLink;
        auto link = wan->view ? wan::link_from(*wan->view, attachment, wan::RoutingLayout {}) : wan::WanLink {};
        link.name = name;
        link.id = wan->id;
        link.interface = wan->interface;
        link.attachment = attachment;
        if (!wan->view || !wan->view->link || wan->view->link->admin_state() != net::AdminState::Up)
            link.index = 0; // no link to route through
        link.state = wan->state();
        link.dns = dns_of(wan->config);
        if (const auto* modem = modem_of(wan->config); modem && modem->ipv6_prefix && !modem->interface.empty())
            share(*wan, *modem->ipv6_prefix, link);
        if (link.index != 0)
            loosen_rp_filter(link.interface);
        links.push_back(std::move(link));
    }
    auto applied = router_->apply(settings_, links);
    publish_dns(links);
    hand_to_resolved(links);
    advertise(links);
    std::string problem = applied ? "" : applied.error().message();
    if (problem != routing_problem_)
        log(applied ? LogLevel::Info : LogLevel::Error, "uplinkd", "wan: {}",
            applied ? std::string("the policy routing is installed again")
                    : "cannot install the policy routing: " + problem + " (tried again at the next change)");
    routing_problem_ = problem;
    return links;
}

void WanSupervisor::publish_dns(const std::vector<wan::WanLink>& links)
{
    if (settings_.resolv_file.empty())
        return;
    auto servers = wan::active_dns(settings_, links);
    auto text = wan::resolv_conf(servers);
    if (text == resolv_text_ && settings_.resolv_file == resolv_path_)
        return;
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(settings_.resolv_file).parent_path(), ignored);
    // 0644: the resolver reads it as its own user (dnsmasq's is nobody or dnsmasq).
    if (auto written = write_file_atomically(settings_.resolv_file, text, 0644); !written) {
        log(LogLevel::Error, "uplinkd", "wan: cannot write the DNS servers to {}: {} (tried again at the next change)",
            settings_.resolv_file, written.error().message());
        return;
    }
    std::string list;
    for (const auto& server : servers)
        list += (list.empty() ? "" : ", ") + net::to_string(server);
    log(LogLevel::Info, "uplinkd", "wan: DNS servers in use: {} ({})", list.empty() ? "none known" : list,
        settings_.resolv_file);
    resolv_text_ = std::move(text);
    resolv_path_ = settings_.resolv_file;
}

// docs/failover.md "DNS": resolved asks every link whose default route is on, each through that
// link; the WANs the policy uses for DNS get it, the others keep their servers for names only.
// A wired WAN that networkd manages is networkd's to describe (resolved refuses: busy).
void WanSupervisor::hand_to_resolved(const std::vector<wan::WanLink>& links)
{
    std::map<int, resolved::LinkDns> wanted;
    auto asked = wan::dns_wans(settings_, links);
    for (const auto& link : links) {
        if (link.index == 0)
            continue;
        resolved::LinkDns dns {link.index, {}, false};
        for (const auto& server : link.dns)
            if (link.carries(server.family))
                dns.servers.push_back(server);
        dns.default_route = std::ranges::any_of(asked, [&](const wan::DnsWan& wan) { return wan.name == link.name; });
        wanted[link.index] = dns;
    }
    // Only on a change: without resolved, route() would otherwise open the system bus each time.
    if (wanted == resolved_wanted_)
        return;
    resolved_wanted_ = wanted;
    if (!resolved_) {
        auto connected = resolved::Resolved::connect();
        if (!connected) {
            if (problems_.insert("resolved").second)
                log(LogLevel::Info, "uplinkd", "wan: systemd-resolved is not running ({}): the DNS servers go to the "
                    "resolv file alone", connected.error().message());
            return;
        }
        problems_.erase("resolved");
        resolved_.emplace(std::move(*connected));
    }
    for (const auto& [index, dns] : wanted) {
        if (auto told = resolved_links_.find(index); told != resolved_links_.end() && told->second == dns)
            continue;
        auto configured = resolved_->configure(dns);
        auto name = std::ranges::find(links, index, &wan::WanLink::index)->name;
        if (!configured && configured.error() == boost::system::errc::device_or_resource_busy) {
            log(LogLevel::Info, "uplinkd", "wan {}: its DNS is another manager's in systemd-resolved (networkd)", name);
        } else if (!configured) {
            // The bus or resolved went away: all of it again at the next route(), on a new connection.
            log(LogLevel::Warning, "uplinkd", "wan {}: cannot hand its DNS servers to systemd-resolved: {}", name,
                configured.error().message());
            resolved_.reset();
            resolved_links_.clear();
            resolved_wanted_.clear();
            return;
        } else

            log(LogLevel::Info, "uplinkd", "wan {}: systemd-resolved has its {} DNS server{}{}", name,
                dns.servers.size(), dns.servers.size() == 1 ? "" : "s", dns.default_route ? ", for every name" : "");
    }
    for (const auto& [index, dns] : resolved_links_)
        if (!wanted.contains(index))
            (void)resolved_->revert(index);
    resolved_links_ = std::move(wanted);
}

// RFC 7278 §2: the network routes the whole /64 to the modem; a prefix of another length (a
// misbehaving modem, a /128 alone) is not one SLAAC can share, and is not routed to the LAN.
void WanSupervisor::share(const Wan& wan, const net::Prefix& prefix, wan::WanLink& link)
{
    if (prefix.length != 64) {
        if (!wan.config.share_prefix.empty() && problems_.insert("prefix " + wan.config.name).second)
            log(LogLevel::Warning, "uplinkd", "wan {}: its IPv6 prefix {} is not a /64, which SLAAC needs: not shared "
                "on {}", wan.config.name, net::to_string(prefix), wan.config.share_prefix);
        return;
    }
    problems_.erase("prefix " + wan.config.name);
    link.routed_prefix = prefix;
    if (!wan.config.share_prefix.empty())
        link.share_link = static_cast<int>(::if_nametoindex(wan.config.share_prefix.c_str()));
}

void WanSupervisor::advertise(const std::vector<wan::WanLink>& links)
{
    std::map<std::string, std::vector<ra::AnnouncedPrefix>> by_lan;
    for (const auto& config : settings_.wans)
        if (!config.share_prefix.empty())
            by_lan[config.share_prefix];
    for (const auto& shared : wan::shared_prefixes(settings_, links))
        by_lan[shared.lan].push_back({shared.prefix, shared.preferred});
    std::erase_if(advertisers_, [&](const auto& entry) { return !by_lan.contains(entry.first); });
    for (auto& [lan, prefixes] : by_lan) {
        auto found = advertisers_.find(lan);
        if (found == advertisers_.end()) {
            auto started = ra::Advertiser::start(executor_, lan);
            if (!started) {
                if (problems_.insert("advertise " + lan).second)
                    log(LogLevel::Warning, "uplinkd", "wan: cannot send router advertisements on {}: {} (tried again at "
                        "the next change)", lan, started.error().message());
                continue;
            }
            problems_.erase("advertise " + lan);
            found = advertisers_.emplace(lan, std::move(*started)).first;
        }
        std::string list;
        for (const auto& prefix : prefixes)
            list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", net::to_string(prefix.prefix),
                prefix.preferred ? "preferred" : "deprecated");
        auto before = found->second.announced();
        if (before != prefixes)
            log(LogLevel::Info, "uplinkd", "wan: announcing on {}: {}", lan, list.empty() ? "no prefix" : list);
        found->second.announce(std::move(prefixes));
    }
}

void WanSupervisor::end_connections(const Wan& wan, std::optional<net::Family> family)
{
    if (!conntrack_) {
        auto opened = net::Conntrack::open();
        if (!opened) {
            log(LogLevel::Error, "uplinkd", "wan {}: its connections stay on it: cannot open conntrack: {}",
                wan.config.name, opened.error().message());
            return;
        }
        conntrack_.emplace(std::move(*opened));
    }
    auto deleted = conntrack_->delete_by_mark({wan::mark_of(wan.id), wan::mark_mask}, family);
    auto which = family ? fmt::format(" {}", net::to_string(*family)) : std::string();
    if (!deleted)
        log(LogLevel::Error, "uplinkd", "wan {}: its{} connections stay on it: {}", wan.config.name, which,
            deleted.error().message());
    else
        log(LogLevel::Info, "uplinkd", "wan {}: {}{} connection{} ended, to start again on {}", wan.config.name,
            *deleted, which, *deleted == 1 ? "" : "s", family ? "the WAN preferred again" : "a live WAN");
}

void WanSupervisor::stop()
{
    stopped_ = true;
    remove_all();
}

void WanSupervisor::remove_all()
{
    for (auto& [name, wan] : wans_)
        wan->wake.cancel();
    wans_.clear();
    lease_watcher_.reset();
    advertisers_.clear(); // each withdraws the router from its LAN
    if (resolved_)
        for (const auto& [index, dns] : resolved_links_)
            (void)resolved_->revert(index);
    resolved_links_.clear();
    resolved_wanted_.clear();
    watcher_.reset();
    watched_.clear();
    if (router_) {
        if (auto removed = router_->remove(); !removed)
            log(LogLevel::Error, "uplinkd", "wan: removing the policy routing failed: {}", removed.error().message());
        router_.reset();
    }
}

std::vector<wan::WanStatus> WanSupervisor::status() const
{
    std::vector<wan::WanStatus> statuses;
    for (const auto& config : settings_.wans) {
        auto found = wans_.find(config.name);
        if (found == wans_.end())
            continue;
        const auto& wan = *found->second;
        wan::WanStatus status;
        status.name = config.name;
        status.config = config;
        status.interface = wan.interface;
        status.id = wan.id;
        status.link = wan.view && carries(*wan.view);
        if (wan.health)
            status.health = wan.health->status(Clock::now());
        else {
            status.health.state = health::WanState::Dead;
            status.health.reason = "the modem has no connection";
        }
        status.transitions.assign(wan.transitions.begin(), wan.transitions.end());
        statuses.push_back(std::move(status));
    }
    return statuses;
}

} // namespace uplink::daemon
