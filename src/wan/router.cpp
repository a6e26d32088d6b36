// Router: routing_plan() and policy_script() made real, changing only what differs from what it
// installed before.
#include "wan/wan.hpp"

#include <algorithm>

namespace uplink::wan {

namespace {

template <typename Item>
std::vector<Item> missing_from(const std::vector<Item>& items, const std::vector<Item>& from)
{
    std::vector<Item> missing;
    for (const auto& item : items)
        if (std::ranges::find(from, item) == from.end())
            missing.push_back(item);
    return missing;
}

bool already_gone(const Error& error)
{
    namespace errc = boost::system::errc;
    // ESRCH: no such route; ENOENT: no such rule; ENODEV: its link was deleted, and its routes with
    // it.
    return error == errc::no_such_process || error == errc::no_such_file_or_directory
        || error == errc::no_such_device;
}

} // namespace

Result<Router> Router::open(RoutingLayout layout)
{
    auto netlink = net::Netlink::open();
    if (!netlink)
        return netlink.error();
    auto firewall = net::Firewall::open();
    if (!firewall)
        return firewall.error();
    return Router(std::move(*netlink), std::move(*firewall), layout);
}

Router::Router(net::Netlink netlink, net::Firewall firewall, RoutingLayout layout)
    : netlink_(std::move(netlink))
    , firewall_(std::move(firewall))
    , layout_(layout)
{
}

Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;
Router::~Router() = default;

// New routes and rules go in before the old ones leave, so a changed default route (a new
// gateway) never leaves its table empty: replace_route() swaps one with the same destination in
// place. A rule equal to one uplink makes (an earlier uplinkd's, killed) is taken over as it is.
// What was installed is recorded step by step, so a failure half-way leaves nothing unrecorded.
Result<void> Router::apply(const WanSettings& settings, const std::vector<WanLink>& wans)
{
    auto plan = routing_plan(wans, layout_);
    for (const auto& route : missing_from(plan.routes, installed_.routes)) {
        if (auto replaced = netlink_.replace_route(route); !replaced)
            return replaced.error();
        std::erase_if(installed_.routes, [&](const net::Route& old) {
            return old.table == route.table && old.destination == route.destination;
        });
        installed_.routes.push_back(route);
    }
    for (const auto& rule : missing_from(plan.rules, installed_.rules)) {
        if (auto added = netlink_.add_rule(rule);
            !added && added.error() != boost::system::errc::file_exists)
            return added.error();
        installed_.rules.push_back(rule);
    }

    auto script = policy_script(settings, wans, objects_);
    if (script.text != script_) {
        if (auto ran = firewall_.run_routing(script.text); !ran)
            return ran;
        objects_ = std::move(script.objects);
        script_ = std::move(script.text);
    }

    for (const auto& route : missing_from(installed_.routes, plan.routes)) {
        if (auto deleted = netlink_.delete_route(route); !deleted && !already_gone(deleted.error()))
            return deleted.error();
        std::erase(installed_.routes, route);
    }
    for (const auto& rule : missing_from(installed_.rules, plan.rules)) {
        if (auto deleted = netlink_.delete_rule(rule); !deleted && !already_gone(deleted.error()))
            return deleted.error();
        std::erase(installed_.rules, rule);
    }
    return {};
}

Result<void> Router::remove()
{
    Result<void> result;
    if (!objects_.chains.empty() || !objects_.sets.empty()) {
        result = firewall_.run_routing(removal_script(objects_));
        if (result) {
            objects_ = {};
            script_.clear();
        }
    }
    auto forget = [&result](auto& installed, auto& item, const Result<void>& deleted) {
        if (deleted || already_gone(deleted.error()))
            std::erase(installed, item);
        else if (result)
            result = deleted;
    };
    for (auto rule : std::vector(installed_.rules))
        forget(installed_.rules, rule, netlink_.delete_rule(rule));
    for (auto route : std::vector(installed_.routes))
        forget(installed_.routes, route, netlink_.delete_route(route));
    return result;
}

} // namespace uplink::wan
