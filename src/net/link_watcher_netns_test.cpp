// LinkWatcher against the kernel, each test in a network namespace of its own (netns tier: root;
// support/private_namespace.hpp). A veth pair stands in for a wired WAN, wan0, and its ISP's end, isp0.
// The test changes them over Netlink (and with `ip` for a rename, which Netlink does not offer)
// and runs the watcher's loop on the namespace's thread until the view it reports is the one the
// change should give. The deadline is a bound against a hang, not a timing: the figures are
// bench/link_watch_bench.cpp's.
#include "net/net.hpp"
#include "support/private_namespace.hpp"
#include "sim/tests/namespaces.hpp"

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
#include <sstream>

namespace uplink::net {
namespace {

namespace asio = boost::asio;
using test_support::in_private_namespace;
using sim::testing::run_command;

constexpr auto hang_bound = std::chrono::seconds(10);

Prefix prefix(const char* text)
{
    auto parsed = parse_prefix(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Prefix {});
}

Address address(const char* text)
{
    auto parsed = parse_address(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Address {});
}

Route default_route(int link, const char* gateway)
{
    Route route;
    route.gateway = address(gateway);
    route.destination = Prefix::any(route.gateway->family);
    route.output_link = link;
    return route;
}

std::vector<std::string> prefixes(const LinkView& view)
{
    std::vector<std::string> texts;
    for (const auto& each : view.addresses)
        texts.push_back(to_string(each.prefix));
    return texts;
}

std::vector<std::string> gateways(const LinkView& view)
{
    std::vector<std::string> texts;
    for (const auto& each : view.default_routes)
        texts.push_back(each.gateway ? to_string(*each.gateway) : "on-link");
    return texts;
}

// A watcher on the calling thread's namespace, and every view it reports, in order.
class Watch {
public:
    explicit Watch(std::vector<std::string> names)
    {
        auto started = LinkWatcher::start(io_.get_executor(), std::move(names),
            [this](const LinkView& view) { views_.push_back(view); });
        EXPECT_TRUE(started) << started.error().message();
        if (started)
            watcher_.emplace(std::move(*started));
    }

    // Runs the loop until the last view reported for `name` is what `wanted` wants.
    ::testing::AssertionResult until(
        const std::string& name, const std::function<bool(const LinkView&)>& wanted)
    {
        auto deadline = std::chrono::steady_clock::now() + hang_bound;
        for (;;) {
            auto view = last(name);
            if (view && wanted(*view))
                return ::testing::AssertionSuccess();
            if (!watcher_ || std::chrono::steady_clock::now() >= deadline)
                break;
            io_.run_one_for(std::chrono::milliseconds(100));
        }
        auto view = last(name);
        return ::testing::AssertionFailure()
            << "no wanted view of " << name
            << " within the hang bound; last: " << (view ? describe(*view) : "none");
    }

    std::optional<LinkView> last(const std::string& name) const
    {
        for (auto view = views_.rbegin(); view != views_.rend(); ++view)
            if (view->name == name)
                return *view;
        return std::nullopt;
    }
    std::size_t reports() const { return views_.size(); }

    static std::string describe(const LinkView& view)
    {
        std::ostringstream text;
        text << view.name << ": ";
        if (!view.link)
            return text.str() + "absent";
        text << "index " << view.link->index << " " << to_string(view.link->admin_state()) << " "
             << to_string(view.link->carrier()) << " " << to_string(view.link->operstate);
        for (const auto& each : prefixes(view))
            text << " " << each;
        for (const auto& each : gateways(view))
            text << " via " << each;
        return text.str();
    }

private:
    asio::io_context io_;
    std::optional<LinkWatcher> watcher_;
    std::vector<LinkView> views_;
};

bool present(const LinkView& view)
{
    return view.link.has_value();
}

bool has_carrier(const LinkView& view)
{
    return view.link && view.link->carrier() == Carrier::Up;
}

// The veth pair wan0 / isp0, isp0 up, so wan0 has a carrier once it is set up itself.
struct Wan {
    int wan = 0;
    int isp = 0;
};

Result<Wan> add_wan(Netlink& netlink, const char* name = "wan0", const char* peer = "isp0")
{
    if (auto added = netlink.add_veth(name, peer); !added)
        return added.error();
    auto wan = netlink.link_index(name);
    auto isp = netlink.link_index(peer);
    if (!wan || !isp)
        return wan ? isp.error() : wan.error();
    if (auto up = netlink.set_link_state(*isp, AdminState::Up); !up)
        return up.error();
    return Wan {*wan, *isp};
}

// Messages dropped by this namespace's NETLINK_ROUTE sockets for a full queue: the Drops column
// of /proc/net/netlink (sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode).
std::uint64_t route_socket_drops()
{
    std::ifstream table("/proc/thread-self/net/netlink");
    std::string line;
    std::getline(table, line);
    std::uint64_t drops = 0;
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string socket, pid, groups, receive, send, dump, locks;
        int protocol = -1;
        std::uint64_t dropped = 0;
        fields >> socket >> protocol >> pid >> groups >> receive >> send >> dump >> locks
            >> dropped;
        if (protocol == 0)
            drops += dropped;
    }
    return drops;
}

class LinkWatcherNamespace : public test_support::PrivateNamespaceTest {};

TEST_F(LinkWatcherNamespace, FollowsAWanFromBeforeItExistsToItsReturn)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink) << netlink.error().message();
        Watch watch({"wan0"});
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) { return !present(view); }));

        auto pair = add_wan(*netlink);
        ASSERT_TRUE(pair) << pair.error().message();
        ASSERT_TRUE(watch.until("wan0", present));
        EXPECT_EQ(watch.last("wan0")->link->index, pair->wan);
        EXPECT_EQ(watch.last("wan0")->link->admin_state(), AdminState::Down);

        ASSERT_TRUE(netlink->set_link_state(pair->wan, AdminState::Up));
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) {
            return has_carrier(view) && view.link->operstate == OperState::Up;
        }));
        EXPECT_TRUE(watch.last("wan0")->link->flags & link_flag_running);

        InterfaceAddress wan_address {pair->wan, prefix("198.18.0.2/24")};
        ASSERT_TRUE(netlink->add_address(wan_address));
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) {
            return prefixes(view) == std::vector<std::string> {"198.18.0.2/24"};
        }));

        ASSERT_TRUE(netlink->add_route(default_route(pair->wan, "198.18.0.1")));
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) {
            return gateways(view) == std::vector<std::string> {"198.18.0.1"};
        }));
        EXPECT_EQ(watch.last("wan0")->default_routes.front().table, main_table);

        // The ISP's end goes down: wan0 stays up but loses its carrier. Its operstate follows
        // from the kernel's link watch (rfc2863_policy()), in the same event or the next. The
        // kernel keeps the route (marked RTNH_F_LINKDOWN), so the view does too.
        ASSERT_TRUE(netlink->set_link_state(pair->isp, AdminState::Down));
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) {
            return present(view) && !has_carrier(view)
                && view.link->operstate == OperState::LowerLayerDown;
        }));
        EXPECT_EQ(watch.last("wan0")->link->admin_state(), AdminState::Up);
        EXPECT_EQ(gateways(*watch.last("wan0")), std::vector<std::string> {"198.18.0.1"});

        // Its only address deleted: gone, and the default route with it, which the kernel
        // flushes without an RTM_DELROUTE (fib_del_ifaddr()).
        ASSERT_TRUE(netlink->delete_address(wan_address));
        ASSERT_TRUE(
            watch.until("wan0", [](const LinkView& view) { return view.addresses.empty(); }));
        EXPECT_TRUE(watch.last("wan0")->default_routes.empty());

        ASSERT_TRUE(netlink->delete_link(pair->wan)); // and its peer with it
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) { return !present(view); }));

        auto again = add_wan(*netlink);
        ASSERT_TRUE(again) << again.error().message();
        ASSERT_TRUE(watch.until("wan0", present));
        EXPECT_NE(watch.last("wan0")->link->index, pair->wan);
        EXPECT_EQ(watch.last("wan0")->link->index, again->wan);
    });
}

TEST_F(LinkWatcherNamespace, StartsFromWhatIsThereAlready)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        auto pair = add_wan(*netlink);
        ASSERT_TRUE(pair) << pair.error().message();
        ASSERT_TRUE(netlink->set_link_state(pair->wan, AdminState::Up));
        ASSERT_TRUE(netlink->add_address({pair->wan, prefix("198.18.0.2/24")}));
        ASSERT_TRUE(netlink->add_address({pair->wan, prefix("2001:db8::2/64")}));
        ASSERT_TRUE(netlink->add_route(default_route(pair->wan, "198.18.0.1")));
        auto ipv6_route = default_route(pair->wan, "fe80::1");
        ipv6_route.table = 100; // a WAN's own table
        ASSERT_TRUE(netlink->add_route(ipv6_route));

        Watch watch({"wan0", "wan1"});
        ASSERT_TRUE(watch.until("wan0", present));
        ASSERT_TRUE(watch.until("wan1", [](const LinkView& view) { return !present(view); }));
        auto view = *watch.last("wan0");
        // The link-local fe80:: address the kernel gave wan0 is not a WAN address.
        EXPECT_EQ(prefixes(view), (std::vector<std::string> {"198.18.0.2/24", "2001:db8::2/64"}));
        EXPECT_EQ(gateways(view), (std::vector<std::string> {"198.18.0.1", "fe80::1"}));
        ASSERT_EQ(view.default_routes.size(), 2u);
        EXPECT_EQ(view.default_routes[1].table, 100u);
        EXPECT_EQ(watch.reports(), 2u); // one per name
    });
}

TEST_F(LinkWatcherNamespace, RenamesMoveTheView)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        auto pair = add_wan(*netlink, "eth7", "isp7");
        ASSERT_TRUE(pair) << pair.error().message();
        ASSERT_TRUE(netlink->add_address({pair->wan, prefix("198.18.7.2/24")}));
        Watch watch({"wan0"});
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) { return !present(view); }));

        // A link is renamed while down (dev_change_name(): EBUSY while up).
        auto renamed = run_command("ip link set dev eth7 name wan0");
        ASSERT_EQ(renamed.status, 0) << renamed.output;
        ASSERT_TRUE(watch.until("wan0", present));
        EXPECT_EQ(watch.last("wan0")->link->index, pair->wan);
        EXPECT_EQ(prefixes(*watch.last("wan0")), std::vector<std::string> {"198.18.7.2/24"});

        renamed = run_command("ip link set dev wan0 name eth8");
        ASSERT_EQ(renamed.status, 0) << renamed.output;
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) { return !present(view); }));
    });
}

TEST_F(LinkWatcherNamespace, ReplacedDefaultRouteLeavesOneGateway)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        auto pair = add_wan(*netlink);
        ASSERT_TRUE(pair) << pair.error().message();
        ASSERT_TRUE(netlink->set_link_state(pair->wan, AdminState::Up));
        ASSERT_TRUE(netlink->add_address({pair->wan, prefix("198.18.0.2/24")}));
        ASSERT_TRUE(netlink->add_route(default_route(pair->wan, "198.18.0.1")));
        Watch watch({"wan0"});
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) {
            return gateways(view) == std::vector<std::string> {"198.18.0.1"};
        }));

        // As a DHCP client given another router: no RTM_DELROUTE for the first.
        ASSERT_TRUE(netlink->replace_route(default_route(pair->wan, "198.18.0.254")));
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) {
            return gateways(view) == std::vector<std::string> {"198.18.0.254"};
        }));
    });
}

TEST_F(LinkWatcherNamespace, LinkSetDownLosesTheRoutesTheKernelFlushed)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        auto pair = add_wan(*netlink);
        ASSERT_TRUE(pair) << pair.error().message();
        ASSERT_TRUE(netlink->set_link_state(pair->wan, AdminState::Up));
        ASSERT_TRUE(netlink->add_address({pair->wan, prefix("198.18.0.2/24")}));
        ASSERT_TRUE(netlink->add_route(default_route(pair->wan, "198.18.0.1")));
        Watch watch({"wan0"});
        ASSERT_TRUE(
            watch.until("wan0", [](const LinkView& view) { return !gateways(view).empty(); }));

        // fib_disable_ip() deletes IPv4 routes through it without an RTM_DELROUTE; the address
        // stays.
        ASSERT_TRUE(netlink->set_link_state(pair->wan, AdminState::Down));
        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) {
            return view.link && view.link->admin_state() == AdminState::Down;
        }));
        EXPECT_TRUE(watch.last("wan0")->default_routes.empty());
        EXPECT_EQ(prefixes(*watch.last("wan0")), std::vector<std::string> {"198.18.0.2/24"});
    });
}

TEST_F(LinkWatcherNamespace, ABurstComesAsOneReport)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        auto pair = add_wan(*netlink);
        ASSERT_TRUE(pair) << pair.error().message();
        Watch watch({"wan0"});
        ASSERT_TRUE(watch.until("wan0", present));
        auto before = watch.reports();

        // Twenty changes while the loop does not run, as a configuration tool makes them.
        constexpr std::size_t burst = 20;
        for (std::size_t host = 1; host <= burst; ++host) {
            auto text = "198.18.1." + std::to_string(host) + "/24";
            ASSERT_TRUE(netlink->add_address({pair->wan, prefix(text.c_str())}));
        }
        ASSERT_TRUE(watch.until(
            "wan0", [](const LinkView& view) { return view.addresses.size() == burst; }));
        EXPECT_EQ(watch.reports(), before + 1);
    });
}

TEST_F(LinkWatcherNamespace, LostEventsAreMadeGoodByADump)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        auto pair = add_wan(*netlink);
        ASSERT_TRUE(pair) << pair.error().message();
        auto noise = add_wan(*netlink, "lan0", "host0");
        ASSERT_TRUE(noise) << noise.error().message();
        ASSERT_TRUE(netlink->add_address({pair->wan, prefix("198.18.0.2/24")}));
        Watch watch({"wan0"});
        ASSERT_TRUE(
            watch.until("wan0", [](const LinkView& view) { return !view.addresses.empty(); }));

        // While the loop does not run, more events than the socket's queue holds (an address
        // and its local route each), then wan0's own change: the kernel drops the latest. Only
        // additions, which make no route stale: the dump again can only come from ENOBUFS.
        auto drops_before = route_socket_drops();
        for (int host = 0; host < 4000; ++host) {
            auto text
                = "10." + std::to_string(host / 250) + "." + std::to_string(host % 250) + ".1/32";
            ASSERT_TRUE(netlink->add_address({noise->wan, prefix(text.c_str())}));
        }
        ASSERT_TRUE(netlink->add_address({pair->wan, prefix("198.18.0.3/24")}));
        ASSERT_GT(route_socket_drops(), drops_before) << "the test did not overflow the queue";

        ASSERT_TRUE(watch.until("wan0", [](const LinkView& view) {
            return prefixes(view) == std::vector<std::string> {"198.18.0.2/24", "198.18.0.3/24"};
        }));
    });
}

TEST_F(LinkWatcherNamespace, StoppedWatcherCallsNoMore)
{
    in_private_namespace([] {
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink);
        asio::io_context io;
        int calls = 0;
        auto watcher
            = LinkWatcher::start(io.get_executor(), {"wan0"}, [&](const LinkView&) { ++calls; });
        ASSERT_TRUE(watcher) << watcher.error().message();
        auto deadline = std::chrono::steady_clock::now() + hang_bound;
        while (calls == 0 && std::chrono::steady_clock::now() < deadline)
            io.run_one_for(std::chrono::milliseconds(100));
        ASSERT_EQ(calls, 1);

        watcher->stop();
        ASSERT_TRUE(add_wan(*netlink));
        io.run_for(std::chrono::milliseconds(200)); // its coroutine ends: nothing left to run
        EXPECT_TRUE(io.stopped());
        EXPECT_EQ(calls, 1);
    });
}

} // namespace
} // namespace uplink::net
