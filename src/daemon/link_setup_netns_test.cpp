// LinkSetup against the kernel (netns tier: root), each test on a thread in a network namespace
// of its own, which the kernel destroys with everything in it when the thread ends. A veth pair
// stands in for the modem's wwan0 (this kernel may lack the dummy driver).
#include "daemon/link_setup.hpp"
#include "support/private_namespace.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <string>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace uplink::daemon {
namespace {

// Capabilities are per thread: this drops CAP_NET_ADMIN from the calling thread's effective set
// only, so the kernel refuses its next changes (EPERM) while the sockets stay open.
bool drop_net_admin_on_this_thread()
{
    __user_cap_header_struct header {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] {};
    if (::syscall(SYS_capget, &header, data) != 0)
        return false;
    data[0].effective &= ~(1u << test_support::cap_net_admin);
    return ::syscall(SYS_capset, &header, data) == 0;
}

using test_support::in_private_namespace;

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

class LinkSetupNamespace : public test_support::PrivateNamespaceTest {
protected:
    // wwan0 (its peer up, for a carrier) in the thread's namespace: its index.
    static int make_wwan0(net::Netlink& netlink)
    {
        EXPECT_TRUE(netlink.add_veth("wwan0", "wwan0-peer"));
        auto peer = netlink.link_index("wwan0-peer");
        EXPECT_TRUE(peer);
        if (peer) {
            EXPECT_TRUE(netlink.set_link_state(*peer, net::AdminState::Up));
        }
        auto index = netlink.link_index("wwan0");
        EXPECT_TRUE(index);
        return index ? *index : 0;
    }

    static modem::LinkConfiguration wwan0_link()
    {
        modem::LinkConfiguration link;
        link.interface = "wwan0";
        link.ipv4 = modem::IpSettings {.address = "100.64.0.2", .prefix_length = 30, .gateway = {}, .dns = {}};
        link.route_metric = 200;
        return link;
    }

    static std::size_t default_routes_through(net::Netlink& netlink, int index)
    {
        std::size_t count = 0;
        auto routes = netlink.routes(net::Family::Ipv4, net::main_table);
        EXPECT_TRUE(routes);
        for (const auto& route : routes ? *routes : std::vector<net::Route> {})
            if (route.output_link == index && route.destination.length == 0)
                ++count;
        return count;
    }
};

TEST_F(LinkSetupNamespace, ARemovalThatWorkedIsLoggedAsDone)
{
    in_private_namespace([] {
        auto netlink = net::Netlink::open();
        ASSERT_TRUE(netlink);
        auto index = make_wwan0(*netlink);
        LinkSetup setup;
        ASSERT_TRUE(setup.configure(wwan0_link()));
        ASSERT_EQ(default_routes_through(*netlink, index), 1u);
        ::testing::internal::CaptureStderr();
        setup.deconfigure("wwan0");
        auto log = ::testing::internal::GetCapturedStderr();
        EXPECT_TRUE(contains(log, "info uplinkd: wwan0: addresses and routes removed")) << log;
        EXPECT_EQ(default_routes_through(*netlink, index), 0u);
    });
}

// Unplugged: the kernel took the routes and addresses with the interface.
TEST_F(LinkSetupNamespace, AnInterfaceGoneWithItsRoutesIsNoFailure)
{
    in_private_namespace([] {
        auto netlink = net::Netlink::open();
        ASSERT_TRUE(netlink);
        auto index = make_wwan0(*netlink);
        LinkSetup setup;
        ASSERT_TRUE(setup.configure(wwan0_link()));
        ASSERT_TRUE(netlink->delete_link(index));
        ::testing::internal::CaptureStderr();
        setup.deconfigure("wwan0");
        auto log = ::testing::internal::GetCapturedStderr();
        EXPECT_TRUE(contains(log, "info uplinkd: wwan0: addresses and routes removed")) << log;
        EXPECT_FALSE(contains(log, "warning")) << log;
    });
}

// The kernel refuses the removals: the route stays, and the log says which and why.
TEST_F(LinkSetupNamespace, ARefusedRemovalIsAWarningThatNamesWhatStayed)
{
    in_private_namespace([] {
        auto netlink = net::Netlink::open();
        ASSERT_TRUE(netlink);
        auto index = make_wwan0(*netlink);
        LinkSetup setup;
        ASSERT_TRUE(setup.configure(wwan0_link()));
        ASSERT_TRUE(drop_net_admin_on_this_thread()) << std::strerror(errno);
        ::testing::internal::CaptureStderr();
        setup.deconfigure("wwan0");
        auto log = ::testing::internal::GetCapturedStderr();
        EXPECT_FALSE(contains(log, "removed")) << log;
        EXPECT_TRUE(contains(log, "warning uplinkd: wwan0: cannot remove all it had")) << log;
        EXPECT_TRUE(contains(log, "route 0.0.0.0/0 metric 200: Operation not permitted")) << log;
        EXPECT_TRUE(contains(log, "address 100.64.0.2/32: Operation not permitted")) << log;
        EXPECT_EQ(default_routes_through(*netlink, index), 1u) << "the route stayed";
    });
}

} // namespace
} // namespace uplink::daemon
