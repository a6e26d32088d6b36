// Figures for the LinkWatcher (printed, not asserted): how long from a change of a wired WAN to
// the watcher's call that shows it, in a network namespace of the bench's own holding a veth pair
// wan0 / isp0. The clock starts before the Netlink request that makes the change (the one
// `ip link set isp0 down` sends) and stops in the call:
//   carrier lost, back  isp0 set down, up: one RTM_NEWLINK for wan0 (IFF_LOWER_UP)
//   address deleted     wan0's only IPv4 address: an RTM_DELADDR, then the dump again that the
//                       kernel's silent route flush calls for (link_table.hpp)
//   address added       the same address back: one RTM_NEWADDR
// Needs root (CAP_SYS_ADMIN for unshare, CAP_NET_ADMIN); without it, it says so and exits 0.
// Run: ninja -C build/release link_watch_bench && build/release/bin/link_watch_bench [rounds]
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <net/net.hpp>
#include <optional>
#include <sched.h>
#include <vector>

namespace {

using namespace uplink::net;
using uplink::Result;
namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

// The last view reported, and when.
struct Observed {
    std::optional<LinkView> view;
    Steady::time_point at;
};

// Runs the loop until the last view is what `wanted` wants: the time of that call, or none
// after 5 s.
std::optional<Steady::time_point> wait_for(asio::io_context& io, const Observed& observed,
    const std::function<bool(const LinkView&)>& wanted)
{
    auto deadline = Steady::now() + std::chrono::seconds(5);
    while (!(observed.view && wanted(*observed.view))) {
        if (Steady::now() >= deadline)
            return std::nullopt;
        io.run_one_for(std::chrono::milliseconds(100));
    }
    return observed.at;
}

struct Series {
    const char* name;
    std::vector<double> microseconds;
};

void print(Series& series)
{
    auto& values = series.microseconds;
    if (values.empty()) {
        std::printf("%-16s no figures\n", series.name);
        return;
    }
    std::ranges::sort(values);
    auto at = [&](double fraction) {
        return values[static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1))];
    };
    std::printf("%-16s n=%zu  min %.0f  median %.0f  p90 %.0f  p99 %.0f  max %.0f us\n",
        series.name, values.size(), values.front(), at(0.5), at(0.9), at(0.99), values.back());
}

// Makes the change and adds the time until the call that shows it; false when none came.
bool measure(Series& series, asio::io_context& io, const Observed& observed,
    const std::function<Result<void>()>& change, const std::function<bool(const LinkView&)>& wanted)
{
    auto start = Steady::now();
    if (auto changed = change(); !changed) {
        std::fprintf(stderr, "%s: %s\n", series.name, changed.error().message().c_str());
        return false;
    }
    auto reported = wait_for(io, observed, wanted);
    if (!reported) {
        std::fprintf(stderr, "%s: no call within 5 s\n", series.name);
        return false;
    }
    series.microseconds.push_back(
        std::chrono::duration<double, std::micro>(*reported - start).count());
    return true;
}

bool has_carrier(const LinkView& view)
{
    return view.link && view.link->carrier() == Carrier::Up;
}

int run(int rounds)
{
    auto netlink = Netlink::open();
    if (!netlink || !netlink->add_veth("wan0", "isp0")) {
        std::fprintf(stderr, "cannot make the veth pair\n");
        return 1;
    }
    auto wan = netlink->link_index("wan0").value();
    auto isp = netlink->link_index("isp0").value();
    InterfaceAddress address {wan, parse_prefix("198.18.0.2/24").value()};
    Route route;
    route.destination = Prefix::any(Family::Ipv4);
    route.gateway = parse_address("198.18.0.1");
    route.output_link = wan;
    if (!netlink->set_link_state(isp, AdminState::Up)
        || !netlink->set_link_state(wan, AdminState::Up) || !netlink->add_address(address)
        || !netlink->add_route(route)) {
        std::fprintf(stderr, "cannot configure wan0\n");
        return 1;
    }

    asio::io_context io;
    Observed observed;
    auto watcher = LinkWatcher::start(io.get_executor(), {"wan0"}, [&](const LinkView& view) {
        observed.at = Steady::now();
        observed.view = view;
    });
    if (!watcher || !wait_for(io, observed, has_carrier)) {
        std::fprintf(stderr, "the watcher did not report wan0 up\n");
        return 1;
    }

    Series carrier_lost {"carrier lost", {}};
    Series carrier_back {"carrier back", {}};
    Series address_deleted {"address deleted", {}};
    Series address_added {"address added", {}};
    for (int round = 0; round < rounds; ++round) {
        bool measured = measure(
                            carrier_lost, io, observed,
                            [&] { return netlink->set_link_state(isp, AdminState::Down); },
                            [](const LinkView& view) { return !has_carrier(view); })
            && measure(
                carrier_back, io, observed,
                [&] { return netlink->set_link_state(isp, AdminState::Up); }, has_carrier)
            && measure(
                address_deleted, io, observed, [&] { return netlink->delete_address(address); },
                [](const LinkView& view) { return view.addresses.empty(); })
            && measure(
                address_added, io, observed, [&] { return netlink->add_address(address); },
                [](const LinkView& view) { return !view.addresses.empty(); });
        if (!measured)
            return 1;
    }
    std::printf("link watcher: from the Netlink request that makes the change to the call that "
                "shows it (veth pair in a private namespace)\n");
    for (auto* series : {&carrier_lost, &carrier_back, &address_deleted, &address_added})
        print(*series);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
    // This thread is the process's only one: its namespace is the process's, and the kernel
    // deletes it, with the veth pair, when the process exits.
    if (::unshare(CLONE_NEWNET) != 0) {
        std::printf("link watcher: skipped, unshare(CLONE_NEWNET) fails (%s): run as root\n",
            std::strerror(errno));
        return 0;
    }
    return run(std::max(rounds, 1));
}
