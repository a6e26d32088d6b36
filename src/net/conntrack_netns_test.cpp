// Conntrack against the kernel, each test in a network namespace of its own (netns tier: root),
// made by unshare(CLONE_NEWNET) on a thread of the test's own; the kernel destroys it with its
// conntrack table when the thread ends and its sockets close, however the test ended.
// An nftables table of the test's own marks the conntrack entries of TCP connections over the
// namespace's loopback by their server port, as a router marks each flow with its WAN's bits:
//   port 5100: ct mark 0x100 (the WAN that dies)     port 5200: ct mark 0x200 (a healthy WAN)
// The connections stay open across the delete; every wait has a deadline.
#include "net/net.hpp"
#include "sim/tests/namespaces.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <thread>

namespace uplink::net {
namespace {

using sim::testing::Socket;

constexpr std::uint16_t dying_wan_port = 5100;
constexpr std::uint16_t healthy_wan_port = 5200;
constexpr MarkFilter wan_mask_bits {0, 0xff00};
constexpr MarkFilter dying_wan {0x100, 0xff00};
constexpr MarkFilter healthy_wan {0x200, 0xff00};
constexpr int wait_milliseconds = 5000; // generous: two shared cores under a parallel test run

// The table: `ct mark set` in the output hook, after conntrack (priority -200) has made the
// entry for the connection's first packet. nft_ct's init turns conntrack on in this namespace.
// The last rule drops a segment that is not a SYN yet finds no entry (conntrack picks it up as
// new, nf_conntrack_tcp_loose), as a router's NAT loses a flow whose entry is gone: so a
// connection whose entry was deleted by mistake stops carrying data, and the test sees it.
constexpr const char* marking_table = R"(
table inet uplink_conntrack_test {
    chain output {
        type filter hook output priority mangle; policy accept;
        tcp dport 5100 ct mark set 0x100
        tcp dport 5200 ct mark set 0x200
        ct state new tcp flags & (syn | ack) != syn drop
    }
}
)";

// Empty on success, else nft's own error text.
std::string run_nft(const char* commands)
{
    nft_ctx* context = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!context)
        return "nft_ctx_new failed";
    nft_ctx_buffer_error(context);
    std::string errors;
    if (nft_run_cmd_from_buffer(context, commands) != 0)
        errors = nft_ctx_get_error_buffer(context);
    nft_ctx_free(context);
    return errors;
}

// Runs `body` on a thread in a new network namespace, its loopback up and marking_table loaded.
void in_marking_namespace(const std::function<void()>& body)
{
    std::thread thread([&body] {
        if (::unshare(CLONE_NEWNET) != 0) {
            ADD_FAILURE() << "unshare(CLONE_NEWNET): " << std::strerror(errno);
            return;
        }
        auto netlink = Netlink::open();
        ASSERT_TRUE(netlink) << netlink.error().message();
        ASSERT_TRUE(netlink->set_link_state(1, AdminState::Up)); // lo: ifindex 1 everywhere
        auto errors = run_nft(marking_table);
        ASSERT_EQ(errors, "") << errors;
        body();
    });
    thread.join();
}

bool wait_readable(int descriptor)
{
    pollfd readable {descriptor, POLLIN, 0};
    return ::poll(&readable, 1, wait_milliseconds) == 1;
}

// A TCP connection over loopback: both ends open until the object goes.
struct Connection {
    Socket listener;
    Socket client;
    Socket server;
    std::uint16_t client_port = 0;
};

Connection connect_over_loopback(Family family, std::uint16_t port)
{
    Connection connection;
    sockaddr_storage address {};
    socklen_t length = 0;
    if (family == Family::Ipv4) {
        auto& ipv4 = reinterpret_cast<sockaddr_in&>(address);
        ipv4.sin_family = AF_INET;
        ipv4.sin_port = htons(port);
        ipv4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        length = sizeof ipv4;
    } else {
        auto& ipv6 = reinterpret_cast<sockaddr_in6&>(address);
        ipv6.sin6_family = AF_INET6;
        ipv6.sin6_port = htons(port);
        ipv6.sin6_addr = in6addr_loopback;
        length = sizeof ipv6;
    }
    connection.listener = Socket(::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    connection.client = Socket(::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto* peer = reinterpret_cast<sockaddr*>(&address);
    EXPECT_EQ(::bind(connection.listener.get(), peer, length), 0) << std::strerror(errno);
    EXPECT_EQ(::listen(connection.listener.get(), 1), 0) << std::strerror(errno);
    // Over loopback the handshake completes within connect().
    EXPECT_EQ(::connect(connection.client.get(), peer, length), 0) << std::strerror(errno);
    if (!wait_readable(connection.listener.get())) {
        ADD_FAILURE() << "nothing to accept on port " << port;
        return connection;
    }
    connection.server
        = Socket(::accept4(connection.listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    sockaddr_storage local {};
    socklen_t local_length = sizeof local;
    ::getsockname(connection.client.get(), reinterpret_cast<sockaddr*>(&local), &local_length);
    connection.client_port
        = ntohs(family == Family::Ipv4 ? reinterpret_cast<sockaddr_in&>(local).sin_port
                                       : reinterpret_cast<sockaddr_in6&>(local).sin6_port);
    return connection;
}

// One message from `from` to `to`, read back whole within the deadline.
bool carries(const Socket& from, const Socket& to, const std::string& message)
{
    if (::send(from.get(), message.data(), message.size(), MSG_NOSIGNAL)
        != static_cast<ssize_t>(message.size()))
        return false;
    std::string received;
    while (received.size() < message.size()) {
        if (!wait_readable(to.get()))
            return false;
        char buffer[64];
        auto size = ::recv(to.get(), buffer, sizeof buffer, 0);
        if (size <= 0)
            return false;
        received.append(buffer, static_cast<std::size_t>(size));
    }
    return received == message;
}

bool carries_both_ways(const Connection& connection)
{
    return carries(connection.client, connection.server, "request")
        && carries(connection.server, connection.client, "response");
}

// The conntrack entries of `family` with `mark` whose original direction went to `port`.
std::vector<ConntrackEntry> entries_to(
    Conntrack& conntrack, MarkFilter mark, Family family, std::uint16_t port)
{
    auto entries = conntrack.entries(mark, family);
    std::vector<ConntrackEntry> found;
    if (!entries) {
        ADD_FAILURE() << entries.error().message();
        return found;
    }
    for (const auto& entry : *entries)
        if (entry.original.destination_port == port)
            found.push_back(entry);
    return found;
}

class ConntrackNamespace : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto reason = sim::testing::namespaces_unavailable();
        if (!reason.empty())
            GTEST_SKIP() << "netns test skipped: " << reason;
    }
};

// The entries are there once connect() returns: conntrack confirms an entry when its first
// packet leaves the output path (nf_conntrack_confirm()), before the listener sees the SYN.
TEST_F(ConntrackNamespace, DeletesOnlyTheDyingWansEntries)
{
    in_marking_namespace([] {
        auto conntrack = Conntrack::open();
        ASSERT_TRUE(conntrack) << conntrack.error().message();
        auto dying = connect_over_loopback(Family::Ipv4, dying_wan_port);
        auto healthy = connect_over_loopback(Family::Ipv4, healthy_wan_port);
        ASSERT_TRUE(carries_both_ways(dying));
        ASSERT_TRUE(carries_both_ways(healthy));

        auto before = entries_to(*conntrack, dying_wan, Family::Ipv4, dying_wan_port);
        ASSERT_EQ(before.size(), 1u);
        auto loopback = parse_address("127.0.0.1").value();
        EXPECT_EQ(before[0].family, Family::Ipv4);
        EXPECT_EQ(before[0].mark, 0x100u);
        EXPECT_EQ(before[0].original,
            (ConntrackTuple {loopback, loopback, IPPROTO_TCP, dying.client_port, dying_wan_port}));
        EXPECT_EQ(before[0].reply,
            (ConntrackTuple {loopback, loopback, IPPROTO_TCP, dying_wan_port, dying.client_port}));
        EXPECT_NE(before[0].id, 0u);
        ASSERT_EQ(entries_to(*conntrack, healthy_wan, Family::Ipv4, healthy_wan_port).size(), 1u);
        // The filter is the kernel's: the healthy WAN's entry is not listed as the dying one's.
        EXPECT_TRUE(entries_to(*conntrack, dying_wan, Family::Ipv4, healthy_wan_port).empty());

        auto deleted = conntrack->delete_by_mark(dying_wan, Family::Ipv4);
        ASSERT_TRUE(deleted) << deleted.error().message();
        EXPECT_EQ(*deleted, 1u);
        EXPECT_TRUE(entries_to(*conntrack, wan_mask_bits, Family::Ipv4, dying_wan_port).empty());
        EXPECT_TRUE(carries_both_ways(healthy));
        auto kept = entries_to(*conntrack, healthy_wan, Family::Ipv4, healthy_wan_port);
        ASSERT_EQ(kept.size(), 1u);
        EXPECT_EQ(kept[0].mark, 0x200u);

        auto again = conntrack->delete_by_mark(dying_wan, Family::Ipv4);
        ASSERT_TRUE(again) << again.error().message();
        EXPECT_EQ(*again, 0u);
    });
}

TEST_F(ConntrackNamespace, AFamilyLimitsTheDeleteAndNoneCoversBoth)
{
    in_marking_namespace([] {
        auto conntrack = Conntrack::open();
        ASSERT_TRUE(conntrack) << conntrack.error().message();
        auto dying_ipv4 = connect_over_loopback(Family::Ipv4, dying_wan_port);
        auto dying_ipv6 = connect_over_loopback(Family::Ipv6, dying_wan_port);
        auto healthy_ipv6 = connect_over_loopback(Family::Ipv6, healthy_wan_port);
        ASSERT_EQ(entries_to(*conntrack, dying_wan, Family::Ipv6, dying_wan_port).size(), 1u);
        auto both = conntrack->entries(dying_wan, std::nullopt);
        ASSERT_TRUE(both) << both.error().message();
        EXPECT_EQ(both->size(), 2u);

        auto ipv6_only = conntrack->delete_by_mark(dying_wan, Family::Ipv6);
        ASSERT_TRUE(ipv6_only) << ipv6_only.error().message();
        EXPECT_EQ(*ipv6_only, 1u);
        EXPECT_TRUE(entries_to(*conntrack, dying_wan, Family::Ipv6, dying_wan_port).empty());
        EXPECT_EQ(entries_to(*conntrack, dying_wan, Family::Ipv4, dying_wan_port).size(), 1u);

        auto rest = conntrack->delete_by_mark(dying_wan, std::nullopt);
        ASSERT_TRUE(rest) << rest.error().message();
        EXPECT_EQ(*rest, 1u);
        EXPECT_TRUE(entries_to(*conntrack, dying_wan, Family::Ipv4, dying_wan_port).empty());
        EXPECT_TRUE(carries_both_ways(healthy_ipv6));
        auto kept = entries_to(*conntrack, healthy_wan, Family::Ipv6, healthy_wan_port);
        ASSERT_EQ(kept.size(), 1u);
        EXPECT_EQ(kept[0].family, Family::Ipv6);
        EXPECT_EQ(kept[0].original.destination, parse_address("::1").value());
    });
}

TEST_F(ConntrackNamespace, AFilterThatCouldFlushEverythingIsRefused)
{
    in_marking_namespace([] {
        auto conntrack = Conntrack::open();
        ASSERT_TRUE(conntrack) << conntrack.error().message();
        auto healthy = connect_over_loopback(Family::Ipv4, healthy_wan_port);
        auto everything = conntrack->delete_by_mark(MarkFilter {0, 0}, std::nullopt);
        ASSERT_FALSE(everything);
        EXPECT_EQ(everything.error(), Errc::InvalidArgument);
        EXPECT_EQ(entries_to(*conntrack, healthy_wan, Family::Ipv4, healthy_wan_port).size(), 1u);
        EXPECT_TRUE(carries_both_ways(healthy));
    });
}

} // namespace
} // namespace uplink::net
