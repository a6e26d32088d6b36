// The Router against the kernel (netns tier: root), with real traffic, in namespaces of the test's
// own made with `ip` (sim/tests/namespaces.hpp) and deleted however the test ends. The Router,
// the Firewall and Conntrack are opened on a thread inside `router` and used from the test's
// thread: their sockets stay in the namespace they were made in. Addresses are from
// 198.18.0.0/15 (DESIGN.md "Test tiers"); nothing leaves the namespaces.
//
//   [lan] l0 198.18.1.2 -- rl 198.18.1.1 [router] wa 198.18.10.2 -- ra 198.18.10.1 [ispa] ai -- ia
//   [net]
//                                                 wb 198.18.20.2 -- rb 198.18.20.1 [ispb] bi -- ib
//                                                 [net]
//   [net] 198.18.99.1 on lo: the server, reached through either ISP
//
// The router masquerades behind each WAN, so the server sees a connection come from 198.18.10.2
// when it left by WAN a and from 198.18.20.2 by WAN b. The router's main table has a default
// route via a, as netifd would leave it; the Router never touches it.
#include "sim/tests/namespaces.hpp"
#include "wan/wan.hpp"

#include <arpa/inet.h>
#include <cmath>
#include <fcntl.h>
#include <functional>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace uplink::wan {
namespace {

using sim::testing::in_namespace;
using sim::testing::NetworkNamespace;
using sim::testing::run_command;
using sim::testing::Socket;
using sim::testing::socket_in;
using Clock = std::chrono::steady_clock;

constexpr const char* server = "198.18.99.1";
constexpr std::uint16_t udp_port = 9000;
constexpr std::uint16_t other_udp_port = 9001;
constexpr std::uint16_t tcp_port = 9100;
constexpr const char* address_a = "198.18.10.2";
constexpr const char* address_b = "198.18.20.2";

sockaddr_in endpoint(const char* address, std::uint16_t port)
{
    sockaddr_in socket_address {};
    socket_address.sin_family = AF_INET;
    socket_address.sin_port = htons(port);
    ::inet_pton(AF_INET, address, &socket_address.sin_addr);
    return socket_address;
}

std::string text_of(const sockaddr_in& address)
{
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address.sin_addr, text, sizeof text);
    return text;
}

bool readable(int descriptor)
{
    return sim::testing::wait_readable(descriptor, Clock::now() + std::chrono::seconds(5));
}

struct Datagram {
    std::string payload;
    std::string source; // the address the server saw: which WAN it came by
};

class RouterTest : public testing::Test {
protected:
    void SetUp() override
    {
        if (auto why = sim::testing::namespaces_unavailable(); !why.empty())
            GTEST_SKIP() << why;
        auto suffix = std::to_string(::getpid());
        for (auto role : {"lan", "router", "ispa", "ispb", "net"})
            namespaces_.emplace(role, std::make_unique<NetworkNamespace>("wr" + suffix + role));
        build_topology();
        if (HasFatalFailure())
            return;
        in_namespace(name("router"), [this] {
            auto firewall = net::Firewall::open();
            ASSERT_TRUE(firewall) << firewall.error().message();
            // As uplinkd's LinkSetup does before its first WAN: the table with its NAT set.
            ASSERT_TRUE(firewall->ensure());
            firewall_.emplace(std::move(*firewall));
            auto router = Router::open();
            ASSERT_TRUE(router) << router.error().message();
            router_.emplace(std::move(*router));
            auto conntrack = net::Conntrack::open();
            ASSERT_TRUE(conntrack) << conntrack.error().message();
            conntrack_.emplace(std::move(*conntrack));
            auto netlink = net::Netlink::open();
            ASSERT_TRUE(netlink);
            for (auto [wan, interface, address, address6, gateway, gateway6, id] :
                {std::tuple {
                     "a", "wa", "198.18.10.2/30", "fd00:10::2/64", "198.18.10.1", "fd00:10::1", 1},
                    std::tuple {"b", "wb", "198.18.20.2/30", "fd00:20::2/64", "198.18.20.1",
                        "fd00:20::1", 2}}) {
                WanLink link;
                link.name = wan;
                link.id = static_cast<std::uint8_t>(id);
                link.interface = interface;
                link.index = netlink->link_index(interface).value();
                link.addresses = {{link.index, *net::parse_prefix(address)},
                    {link.index, *net::parse_prefix(address6)}};
                link.gateways = {*net::parse_address(gateway), *net::parse_address(gateway6)};
                link.state = health::WanState::Up;
                wans_.push_back(link);
            }
        });
        for (auto port : {udp_port, other_udp_port}) {
            udp_servers_.push_back(socket_in(name("net"), SOCK_DGRAM));
            auto bound = endpoint(server, port);
            ASSERT_EQ(::bind(udp_servers_.back().get(), reinterpret_cast<sockaddr*>(&bound),
                          sizeof bound),
                0);
        }
        tcp_server_ = socket_in(name("net"), SOCK_STREAM);
        auto bound = endpoint(server, tcp_port);
        ASSERT_EQ(::bind(tcp_server_.get(), reinterpret_cast<sockaddr*>(&bound), sizeof bound), 0);
        ASSERT_EQ(::listen(tcp_server_.get(), 8), 0);
    }

    std::string name(const std::string& role) { return namespaces_.at(role)->name(); }

    void must(const std::string& command)
    {
        auto result = run_command(command);
        ASSERT_EQ(result.status, 0) << command << ": " << result.output;
    }

    void in(const std::string& role, const std::string& command)
    {
        must("ip -n " + name(role) + " " + command);
    }

    void forward(const std::string& role)
    {
        in_namespace(name(role), [] {
            for (auto path :
                {"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"}) {
                std::ofstream file(path);
                file << "1\n";
                file.close();
                EXPECT_TRUE(file) << "cannot write 1 to " << path;
            }
        });
    }

    // A veth pair between two namespaces, with an IPv4 and an IPv6 address at each end (nodad:
    // usable at once, without duplicate address detection's wait).
    void link(const std::string& left_role, const std::string& left,
        const std::string& left_address, const std::string& right_role, const std::string& right,
        const std::string& right_address, const std::string& network6)
    {
        in(left_role,
            "link add " + left + " type veth peer name " + right + " netns " + name(right_role));
        in(left_role, "address add " + left_address + " dev " + left);
        in(right_role, "address add " + right_address + " dev " + right);
        in(left_role, "-6 address add " + network6 + "2/64 dev " + left + " nodad");
        in(right_role, "-6 address add " + network6 + "1/64 dev " + right + " nodad");
        in(left_role, "link set " + left + " up");
        in(right_role, "link set " + right + " up");
    }

    void build_topology()
    {
        link("lan", "l0", "198.18.1.2/24", "router", "rl", "198.18.1.1/24", "fd00:1::");
        link("router", "wa", "198.18.10.2/30", "ispa", "ra", "198.18.10.1/30", "fd00:10::");
        link("router", "wb", "198.18.20.2/30", "ispb", "rb", "198.18.20.1/30", "fd00:20::");
        link("net", "ia", "198.18.30.2/30", "ispa", "ai", "198.18.30.1/30", "fd00:30::");
        link("net", "ib", "198.18.40.2/30", "ispb", "bi", "198.18.40.1/30", "fd00:40::");
        in("net", "address add 198.18.99.1/32 dev lo");
        in("net", "-6 address add fd00:99::1/128 dev lo");
        in("ispa", "-6 route add fd00:99::1/128 via fd00:30::2");
        in("ispb", "-6 route add fd00:99::1/128 via fd00:40::2");
        in("lan", "-6 route add default via fd00:1::1");
        in("router", "-6 route add default via fd00:10::1 dev wa");
        in("net", "route add 198.18.10.0/30 via 198.18.30.1");
        in("net", "route add 198.18.20.0/30 via 198.18.40.1");
        in("ispa", "route add 198.18.99.1/32 via 198.18.30.2");
        in("ispb", "route add 198.18.99.1/32 via 198.18.40.2");
        in("lan", "route add default via 198.18.1.1");
        in("router", "route add default via 198.18.10.1 dev wa");
        for (auto role : {"router", "ispa", "ispb"})
            forward(role);
    }

    WanSettings settings(std::string default_policy)
    {
        WanSettings settings;
        for (auto [wan, interface] : {std::pair {"a", "wa"}, std::pair {"b", "wb"}}) {
            WanConfig config;
            config.name = wan;
            config.interface = interface;
            settings.wans.push_back(config);
        }
        PolicyConfig failover;
        failover.name = "failover";
        failover.tiers = {{{"a", 1}}, {{"b", 1}}};
        PolicyConfig balanced;
        balanced.name = "balanced";
        balanced.tiers = {{{"a", 3}, {"b", 1}}};
        PolicyConfig only_b;
        only_b.name = "only_b";
        only_b.tiers = {{{"b", 1}}};
        PolicyConfig sticky = balanced;
        sticky.name = "sticky";
        sticky.sticky = std::chrono::seconds(600);
        settings.policies = {failover, balanced, only_b, sticky};
        TrafficRule rule;
        rule.name = "other_port";
        rule.protocol = Protocol::Udp;
        rule.destination_port = PortRange {other_udp_port, other_udp_port};
        rule.policy = "only_b";
        settings.rules = {rule};
        settings.default_policy = std::move(default_policy);
        return settings;
    }

    void apply(const std::string& default_policy, health::WanState a, health::WanState b)
    {
        wans_[0].state = a;
        wans_[1].state = b;
        auto applied = router_->apply(settings(default_policy), wans_);
        ASSERT_TRUE(applied) << applied.error().message();
    }

    Socket udp_client(const std::string& role) { return socket_in(name(role), SOCK_DGRAM); }

    void send(const Socket& client, const std::string& payload, std::uint16_t port = udp_port)
    {
        auto to = endpoint(server, port);
        ASSERT_EQ(::sendto(client.get(), payload.data(), payload.size(), 0,
                      reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(payload.size()))
            << std::strerror(errno);
    }

    Datagram receive(std::uint16_t port = udp_port)
    {
        const auto& socket = udp_servers_.at(port == udp_port ? 0 : 1);
        if (!readable(socket.get()))
            return {"(nothing within 5 s)", ""};
        char buffer[256];
        sockaddr_in from {};
        socklen_t size = sizeof from;
        auto length = ::recvfrom(
            socket.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &size);
        if (length < 0)
            return {std::strerror(errno), ""};
        return {std::string(buffer, static_cast<std::size_t>(length)), text_of(from)};
    }

    // A datagram's way: what the server saw as its source.
    std::string way_of(
        const Socket& client, const std::string& payload, std::uint16_t port = udp_port)
    {
        send(client, payload, port);
        auto datagram = receive(port);
        EXPECT_EQ(datagram.payload, payload);
        return datagram.source;
    }

    // Connects from the LAN; the server's side of the connection, and the address it saw.
    std::pair<Socket, Socket> tcp_connection(std::string& source)
    {
        auto client = socket_in(name("lan"), SOCK_STREAM);
        timeval timeout {5, 0};
        ::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        ::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        auto to = endpoint(server, tcp_port);
        EXPECT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0)
            << std::strerror(errno);
        if (!readable(tcp_server_.get()))
            return {};
        sockaddr_in from {};
        socklen_t size = sizeof from;
        Socket accepted(
            ::accept4(tcp_server_.get(), reinterpret_cast<sockaddr*>(&from), &size, SOCK_CLOEXEC));
        source = text_of(from);
        return {std::move(client), std::move(accepted)};
    }

    std::map<std::string, std::unique_ptr<NetworkNamespace>> namespaces_;
    std::optional<net::Firewall> firewall_; // the NAT's, as LinkSetup holds it
    std::optional<Router> router_;
    std::optional<net::Conntrack> conntrack_;
    std::vector<WanLink> wans_;
    std::vector<Socket> udp_servers_;
    Socket tcp_server_;
};

TEST_F(RouterTest, FailsOverNewFlowsAndMovesOldOnesOnlyWhenConntrackForgetsThem)
{
    using health::WanState;
    apply("failover", WanState::Up, WanState::Up);
    auto old_udp = udp_client("lan");
    EXPECT_EQ(way_of(old_udp, "first"), address_a);
    std::string tcp_source;
    auto [tcp_client, tcp_accepted] = tcp_connection(tcp_source);
    EXPECT_EQ(tcp_source, address_a);

    apply("failover", WanState::Dead, WanState::Up);
    EXPECT_EQ(way_of(udp_client("lan"), "new flow"), address_b);
    std::string new_tcp_source;
    auto new_tcp = tcp_connection(new_tcp_source);
    EXPECT_EQ(new_tcp_source, address_b);
    // Existing connections keep their WAN: conntrack has its mark.
    EXPECT_EQ(way_of(old_udp, "old flow"), address_a);
    ASSERT_EQ(::send(tcp_client.get(), "x", 1, 0), 1);
    ASSERT_TRUE(readable(tcp_accepted.get()));
    char byte = 0;
    EXPECT_EQ(::recv(tcp_accepted.get(), &byte, 1, 0), 1);

    auto deleted = conntrack_->delete_by_mark({mark_of(1), mark_mask}, net::Family::Ipv4);
    ASSERT_TRUE(deleted) << deleted.error().message();
    EXPECT_GE(*deleted, 2u); // the old UDP flow and the old TCP connection
    EXPECT_EQ(way_of(old_udp, "old flow, forgotten"), address_b);
}

TEST_F(RouterTest, RouterOriginatedTrafficFollowsThePolicy)
{
    using health::WanState;
    apply("failover", WanState::Up, WanState::Up);
    EXPECT_EQ(way_of(udp_client("router"), "from the router"), address_a);
    apply("failover", WanState::Dead, WanState::Up);
    // The main table still says wa: the policy moves it to b, and NAT gives it b's address.
    EXPECT_EQ(way_of(udp_client("router"), "from the router, a dead"), address_b);
}

// The health probes of a WAN the policy does not pick: a socket bound to its interface leaves by
// it, though the output chain marks the new flow for the policy's WAN (the `oif` rule).
TEST_F(RouterTest, ASocketBoundToAWanLeavesByItWhateverThePolicyPicks)
{
    using health::WanState;
    apply("failover", WanState::Up, WanState::Up);
    auto bound = udp_client("router");
    ASSERT_EQ(::setsockopt(bound.get(), SOL_SOCKET, SO_BINDTODEVICE, "wb", 2), 0)
        << std::strerror(errno);
    EXPECT_EQ(way_of(bound, "bound to b, a preferred"), address_b);
    apply("failover", WanState::Up, WanState::Dead);
    auto again = udp_client("router");
    ASSERT_EQ(::setsockopt(again.get(), SOL_SOCKET, SO_BINDTODEVICE, "wb", 2), 0);
    EXPECT_EQ(way_of(again, "bound to b, b dead"), address_b);
}

TEST_F(RouterTest, ATrafficRulePicksItsPolicy)
{
    using health::WanState;
    apply("failover", WanState::Up, WanState::Up);
    auto client = udp_client("lan");
    EXPECT_EQ(way_of(client, "default policy"), address_a);
    EXPECT_EQ(way_of(client, "rule's policy", other_udp_port), address_b);
    // LinkSetup makes its table again at a modem's first connection: the policy stays.
    ASSERT_TRUE(firewall_->ensure());
    auto another = udp_client("lan");
    EXPECT_EQ(way_of(another, "rule's policy, table made again", other_udp_port), address_b);
}

// 400 new flows split 3:1: the count through a is binomial (n = 400, p = 0.75), mean 300 and
// standard deviation sqrt(400 * 0.75 * 0.25) = 8.66; 4 sigma (35) leaves a false failure once
// in about 16,000 runs.
TEST_F(RouterTest, ABalancedPolicySplitsNewFlowsByWeight)
{
    using health::WanState;
    apply("balanced", WanState::Up, WanState::Up);
    constexpr int flows = 400;
    std::vector<Socket> clients; // all open, so each flow has a port of its own
    std::map<std::string, int> by_source;
    for (int flow = 0; flow < flows; ++flow) {
        clients.push_back(udp_client("lan"));
        by_source[way_of(clients.back(), "flow " + std::to_string(flow))]++;
    }
    EXPECT_EQ(by_source[address_a] + by_source[address_b], flows);
    EXPECT_NEAR(by_source[address_a], 300, 35) << by_source[address_b] << " through b";
}

// Without stickiness, 50 flows split 3:1 would all take one WAN with a probability of
// 0.75^50 + 0.25^50 = 6e-7.
TEST_F(RouterTest, AStickyPolicyKeepsAHostsNewFlowsOnOneWan)
{
    using health::WanState;
    apply("sticky", WanState::Up, WanState::Up);
    std::vector<Socket> clients;
    std::set<std::string> sources;
    for (int flow = 0; flow < 50; ++flow) {
        clients.push_back(udp_client("lan"));
        sources.insert(way_of(clients.back(), "flow " + std::to_string(flow)));
    }
    EXPECT_EQ(sources.size(), 1u) << *sources.begin() << " and " << *sources.rbegin();
    // Its WAN dies: the host moves, and stays on the WAN it moved to.
    bool on_a = sources.contains(address_a);
    apply("sticky", on_a ? WanState::Dead : WanState::Up, on_a ? WanState::Up : WanState::Dead);
    clients.push_back(udp_client("lan"));
    auto moved = way_of(clients.back(), "after the failover");
    EXPECT_EQ(moved, on_a ? address_b : address_a);
    apply("sticky", WanState::Up, WanState::Up);
    for (int flow = 0; flow < 20; ++flow) {
        clients.push_back(udp_client("lan"));
        EXPECT_EQ(way_of(clients.back(), "back " + std::to_string(flow)), moved);
    }
}

// IPv6 has the same marks, rules and tables; without NAT66 the server sees the LAN host's own
// address, so it tells the WAN by the interface a datagram came in by (IPV6_PKTINFO).
TEST_F(RouterTest, Ipv6FollowsThePolicyToo)
{
    using health::WanState;
    auto server6 = socket_in(name("net"), SOCK_DGRAM, AF_INET6);
    int on = 1;
    ASSERT_EQ(::setsockopt(server6.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on), 0);
    sockaddr_in6 bound {};
    bound.sin6_family = AF_INET6;
    bound.sin6_port = htons(udp_port);
    ::inet_pton(AF_INET6, "fd00:99::1", &bound.sin6_addr);
    ASSERT_EQ(::bind(server6.get(), reinterpret_cast<sockaddr*>(&bound), sizeof bound), 0)
        << std::strerror(errno);
    std::map<unsigned, std::string> isp_by_index;
    in_namespace(name("net"), [&] {
        isp_by_index[::if_nametoindex("ia")] = "a";
        isp_by_index[::if_nametoindex("ib")] = "b";
    });
    // Which ISP the datagram came from.
    auto way_of6 = [&](const std::string& role) -> std::string {
        auto client = socket_in(name(role), SOCK_DGRAM, AF_INET6);
        if (::sendto(client.get(), "6", 1, 0, reinterpret_cast<sockaddr*>(&bound), sizeof bound)
            != 1)
            return std::string("sendto: ") + std::strerror(errno);
        if (!readable(server6.get()))
            return "nothing within 5 s";
        char byte = 0;
        iovec data {&byte, 1};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))];
        msghdr message {};
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        if (::recvmsg(server6.get(), &message, 0) != 1)
            return std::string("recvmsg: ") + std::strerror(errno);
        for (auto* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header))
            if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo information {};
                std::memcpy(&information, CMSG_DATA(header), sizeof information);
                return isp_by_index[information.ipi6_ifindex];
            }
        return "no IPV6_PKTINFO";
    };

    apply("failover", WanState::Up, WanState::Up);
    EXPECT_EQ(way_of6("lan"), "a");
    EXPECT_EQ(way_of6("router"), "a");
    apply("failover", WanState::Dead, WanState::Up);
    EXPECT_EQ(way_of6("lan"), "b");
    EXPECT_EQ(way_of6("router"), "b");
}

// A new gateway replaces the default route in its table, in place; nothing else changes.
TEST_F(RouterTest, AChangedGatewayReplacesTheDefaultRoute)
{
    using health::WanState;
    apply("failover", WanState::Up, WanState::Up);
    auto installed = router_->installed();
    wans_[0].gateways = {*net::parse_address("198.18.10.1"), *net::parse_address("fd00:10::3")};
    apply("failover", WanState::Up, WanState::Up);
    EXPECT_EQ(router_->installed().rules, installed.rules);
    EXPECT_EQ(router_->installed().routes.size(), installed.routes.size());
    EXPECT_EQ(run_command("ip -n " + name("router") + " -6 route show table 1001 default").output,
        "default via fd00:10::3 dev wa proto static metric 1024 pref medium\n");
    EXPECT_EQ(way_of(udp_client("lan"), "still by a"), address_a);
}

TEST_F(RouterTest, AllDeadIsUnreachableAndRemoveLeavesOnlyWhatWasThere)
{
    using health::WanState;
    auto router_state = [this] {
        auto ip = "ip -n " + name("router");
        return run_command(ip + " rule show").output + run_command(ip + " -6 rule show").output
            + run_command(ip + " route show table main").output;
    };
    // Another program's rule among ours, and its route in a table of ours: never touched.
    in("router", "rule add priority 10050 fwmark 0x5 lookup 77");
    in("router", "route add 203.0.113.0/24 via 198.18.10.1 table 1001");
    auto before = router_state();
    apply("failover", WanState::Dead, WanState::Dead);
    auto client = udp_client("lan");
    // ICMP net unreachable is no hard error (icmp_err_convert[]): a UDP socket hears of it only
    // with IP_RECVERR (__udp4_lib_err()).
    int on = 1;
    ASSERT_EQ(::setsockopt(client.get(), IPPROTO_IP, IP_RECVERR, &on, sizeof on), 0);
    timeval timeout {5, 0};
    ASSERT_EQ(::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout), 0);
    auto to = endpoint(server, udp_port);
    ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    ASSERT_EQ(::send(client.get(), "nowhere", 7, 0), 7);
    // The router answers ICMP net unreachable: the server gets nothing, the sender an error.
    char buffer[16];
    EXPECT_TRUE(readable(client.get()));
    EXPECT_EQ(::recv(client.get(), buffer, sizeof buffer, 0), -1);
    EXPECT_EQ(errno, ENETUNREACH) << std::strerror(errno);
    auto installed = router_->installed();
    EXPECT_EQ(installed.rules.size(), 14u); // per WAN and family: oif, fwmark, unreachable; and all-dead
    EXPECT_EQ(installed.routes.size(), 8u); // per WAN and family: connected and default

    // Sticky sets too, for remove() to take away.
    apply("sticky", WanState::Up, WanState::Up);
    ASSERT_FALSE(router_->installed().rules.empty());
    ASSERT_TRUE(router_->remove());
    EXPECT_EQ(router_state(), before);
    EXPECT_EQ(run_command("ip -n " + name("router") + " route show table 1001").output,
        "203.0.113.0/24 via 198.18.10.1 dev wa \n");
    auto table
        = run_command("ip netns exec " + name("router") + " nft list table inet uplink").output;
    EXPECT_EQ(table.find("route_"), std::string::npos) << table;
    EXPECT_NE(table.find("masquerade"), std::string::npos) << table;
}

} // namespace
} // namespace uplink::wan
