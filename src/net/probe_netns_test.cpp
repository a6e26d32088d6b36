// The data-path probe against the kernel (netns tier: root), in namespaces of the test's own made
// with sim/tests/namespaces.hpp and deleted however the test ends. Addresses are from
// 198.18.0.0/15 and traffic stays between the namespaces (DESIGN.md "Test tiers"):
//
//   [router] pa0 198.18.1.1 --veth-- pa1 198.18.1.2 [a] ab0 198.18.4.1 --veth--+
//            pb0 198.18.2.1 --veth-- pb1 198.18.2.2 [b] ab1 198.18.4.2 -------+
//                                                    lo 198.18.3.3 (the far target)
//
// The router reaches 198.18.3.3 through a, which forwards to b; b answers back through a, or,
// once its return route is switched, straight to the router's pb0.
#include "net/net.hpp"
#include "sim/tests/namespaces.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <arpa/inet.h>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sstream>
#include <sys/syscall.h>

namespace uplink::net {
namespace {

using sim::testing::NetworkNamespace;
using sim::testing::in_namespace;
using sim::testing::run_command;

void write_sysctl(const std::string& name, const std::string& path, const std::string& value)
{
    in_namespace(name, [&] {
        std::ofstream file("/proc/sys/" + path);
        file << value;
        file.close();
        EXPECT_TRUE(file) << "cannot write " << value << " to " << path;
    });
}

// An ICMP counter of the namespace (/proc/net/snmp: an "Icmp:" line of names, then one of values).
std::uint64_t icmp_counter(const std::string& name, const std::string& counter)
{
    std::uint64_t value = 0;
    in_namespace(name, [&] {
        std::ifstream snmp("/proc/thread-self/net/snmp");
        std::string names, values;
        while (std::getline(snmp, names) && std::getline(snmp, values)) {
            if (names.rfind("Icmp:", 0) != 0)
                continue;
            std::istringstream name_words(names), value_words(values);
            for (std::string word, number; name_words >> word && value_words >> number;)
                if (word == counter)
                    value = std::stoull(number);
        }
    });
    return value;
}

// Takes CAP_NET_RAW from the calling thread's effective set (capset(2) acts on one thread): as a
// daemon without it, it may open a ping socket at most.
bool drop_cap_net_raw()
{
    __user_cap_header_struct header {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] {};
    if (::syscall(SYS_capget, &header, data) != 0)
        return false;
    data[CAP_NET_RAW / 32].effective &= ~(1u << (CAP_NET_RAW % 32));
    return ::syscall(SYS_capset, &header, data) == 0;
}

struct Outcome {
    std::optional<Result<Duration>> result;
    Duration elapsed {};
};

// How a test probes: ICMP echo (probe()), tcp_probe() to a port, or dns_probe().
struct Method {
    enum { Ping, Tcp, Dns } kind = Ping;
    std::uint16_t port = 0;
};

boost::asio::awaitable<Result<Duration>> probe_by(
    Method method, boost::asio::any_io_executor executor, std::string interface, Address target, Duration timeout)
{
    switch (method.kind) {
    case Method::Tcp: return tcp_probe(executor, interface, target, method.port, timeout);
    case Method::Dns: return dns_probe(executor, interface, target, timeout);
    case Method::Ping: break;
    }
    return probe(executor, interface, target, timeout);
}

// One probe from inside `name`, on an io_context of its own, bounded at `timeout` + 5 s.
Outcome probe_from(const std::string& name, std::string interface, const char* target,
    Duration timeout, const std::function<void()>& prepare = {}, Method method = {})
{
    Outcome outcome;
    auto address = parse_address(target);
    EXPECT_TRUE(address) << target;
    in_namespace(name, [&] {
        if (prepare)
            prepare();
        boost::asio::io_context context;
        auto started = Clock::now();
        boost::asio::co_spawn(context,
            probe_by(method, context.get_executor(), interface, address.value_or(Address {}), timeout),
            [&](std::exception_ptr error, Result<Duration> result) {
                if (error)
                    ADD_FAILURE() << "the probe threw";
                outcome.result = result;
                outcome.elapsed = std::chrono::duration_cast<Duration>(Clock::now() - started);
            });
        context.run_for(timeout + 5s);
    });
    EXPECT_TRUE(outcome.result) << "the probe did not finish within its timeout + 5 s";
    return outcome;
}

std::string describe(const Outcome& outcome)
{
    if (!outcome.result)
        return "unfinished";
    if (*outcome.result)
        return "answered in " + std::to_string(outcome.result->value().count()) + " ms";
    return outcome.result->error().message() + " after " + std::to_string(outcome.elapsed.count())
        + " ms";
}

bool answered(const Outcome& outcome)
{
    return outcome.result && *outcome.result;
}

bool failed_with(const Outcome& outcome, boost::system::errc::errc_t expected)
{
    return outcome.result && !*outcome.result && outcome.result->error() == expected;
}

constexpr Duration answer_timeout = 3s; // generous: two shared cores under a parallel test run
constexpr Duration short_timeout = 400ms;

class ProbeNamespace : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto reason = sim::testing::namespaces_unavailable();
        if (!reason.empty())
            GTEST_SKIP() << "netns test skipped: " << reason;
        auto prefix = "uplink-probe-" + std::to_string(::getpid());
        router_.emplace(prefix + "-router");
        a_.emplace(prefix + "-a");
        b_.emplace(prefix + "-b");
        auto& router = router_->name();
        auto& a = a_->name();
        auto& b = b_->name();
        for (const auto& command : {
                 "ip -n " + router + " link add pa0 type veth peer name pa1 netns " + a,
                 "ip -n " + router + " link add pb0 type veth peer name pb1 netns " + b,
                 "ip -n " + a + " link add ab0 type veth peer name ab1 netns " + b,
                 "ip -n " + router + " address add 198.18.1.1/24 dev pa0",
                 "ip -n " + router + " address add 198.18.2.1/24 dev pb0",
                 "ip -n " + a + " address add 198.18.1.2/24 dev pa1",
                 "ip -n " + a + " address add 198.18.4.1/30 dev ab0",
                 "ip -n " + b + " address add 198.18.2.2/24 dev pb1",
                 "ip -n " + b + " address add 198.18.4.2/30 dev ab1",
                 "ip -n " + b + " address add 198.18.3.3/32 dev lo",
                 "ip -n " + router + " link set pa0 up",
                 "ip -n " + router + " link set pb0 up",
                 "ip -n " + a + " link set pa1 up",
                 "ip -n " + a + " link set ab0 up",
                 "ip -n " + b + " link set pb1 up",
                 "ip -n " + b + " link set ab1 up",
                 "ip -n " + router + " route add 198.18.3.3/32 via 198.18.1.2 dev pa0",
                 "ip -n " + a + " route add 198.18.3.3/32 via 198.18.4.2 dev ab0",
                 "ip -n " + b + " route add 198.18.1.0/24 via 198.18.4.1 dev ab1",
             }) {
            auto result = run_command(command);
            ASSERT_EQ(result.status, 0) << command << ": " << result.output;
        }
        write_sysctl(a, "net/ipv4/ip_forward", "1");
    }

    const std::string& router() const { return router_->name(); }
    const std::string& a() const { return a_->name(); }
    const std::string& b() const { return b_->name(); }

private:
    std::optional<NetworkNamespace> router_, a_, b_;
};

TEST_F(ProbeNamespace, AnsweredThroughItsInterface)
{
    // A new namespace's ping_group_range is "1 0", which admits no group, root's neither:
    // this is the raw socket.
    auto near_a = probe_from(router(), "pa0", "198.18.1.2", answer_timeout);
    ASSERT_TRUE(answered(near_a)) << describe(near_a);
    EXPECT_LT(near_a.result->value(), answer_timeout);
    auto near_b = probe_from(router(), "pb0", "198.18.2.2", answer_timeout);
    EXPECT_TRUE(answered(near_b)) << describe(near_b);
    auto far = probe_from(router(), "pa0", "198.18.3.3", answer_timeout);
    EXPECT_TRUE(answered(far)) << "forwarded by a to b and back: " << describe(far);
}

TEST_F(ProbeNamespace, PingSocketWhereTheGroupRangeAdmitsUs)
{
    // Without CAP_NET_RAW a raw socket is refused, so an answer proves the ping socket works.
    auto refused = probe_from(
        router(), "pa0", "198.18.1.2", answer_timeout, [] { ASSERT_TRUE(drop_cap_net_raw()); });
    EXPECT_TRUE(failed_with(refused, boost::system::errc::operation_not_permitted))
        << describe(refused);

    write_sysctl(router(), "net/ipv4/ping_group_range", "0 2147483647");
    auto answered_by_ping_socket = probe_from(
        router(), "pa0", "198.18.1.2", answer_timeout, [] { ASSERT_TRUE(drop_cap_net_raw()); });
    EXPECT_TRUE(answered(answered_by_ping_socket)) << describe(answered_by_ping_socket);
    auto far = probe_from(
        router(), "pa0", "198.18.3.3", answer_timeout, [] { ASSERT_TRUE(drop_cap_net_raw()); });
    EXPECT_TRUE(answered(far)) << describe(far);
    // With both allowed, the ping socket is tried first.
    auto both = probe_from(router(), "pb0", "198.18.2.2", answer_timeout);
    EXPECT_TRUE(answered(both)) << describe(both);
}

TEST_F(ProbeNamespace, PeerDownTimesOutWithinTheBound)
{
    auto before = probe_from(router(), "pa0", "198.18.1.2", answer_timeout);
    ASSERT_TRUE(answered(before)) << describe(before);

    auto result = run_command("ip -n " + a() + " link set pa1 down");
    ASSERT_EQ(result.status, 0) << result.output;
    auto down = probe_from(router(), "pa0", "198.18.1.2", short_timeout);
    EXPECT_TRUE(failed_with(down, boost::system::errc::timed_out)) << describe(down);
    // Not before its timeout (a lower bound: timers never fire early); probe_from's watchdog
    // fails a probe that outlives it.
    EXPECT_GE(down.elapsed, short_timeout);
}

TEST_F(ProbeNamespace, NotAnsweredThroughAnotherInterface)
{
    // 198.18.2.2 answers through pb0; bound to pa0 the probe cannot reach it, though the routing
    // table knows the way (through pb0).
    auto through_b = probe_from(router(), "pb0", "198.18.2.2", answer_timeout);
    ASSERT_TRUE(answered(through_b)) << describe(through_b);
    auto through_a = probe_from(router(), "pa0", "198.18.2.2", short_timeout);
    EXPECT_TRUE(failed_with(through_a, boost::system::errc::timed_out)) << describe(through_a);

    // The far target's request leaves through pa0; b now answers straight to pb0. The reply
    // reaches the router (its echo-reply counter counts it) but not the probe bound to pa0.
    auto symmetric = probe_from(router(), "pa0", "198.18.3.3", answer_timeout);
    ASSERT_TRUE(answered(symmetric)) << describe(symmetric);
    auto result
        = run_command("ip -n " + b() + " route replace 198.18.1.0/24 via 198.18.2.1 dev pb1");
    ASSERT_EQ(result.status, 0) << result.output;
    auto replies_before = icmp_counter(router(), "InEchoReps");
    auto asymmetric = probe_from(router(), "pa0", "198.18.3.3", short_timeout);
    EXPECT_TRUE(failed_with(asymmetric, boost::system::errc::timed_out)) << describe(asymmetric);
    EXPECT_EQ(icmp_counter(router(), "InEchoReps"), replies_before + 1)
        << "the reply should have come back, through pb0";
}

TEST_F(ProbeNamespace, UnreachableWhenARouterSaysSo)
{
    // a has no route to 198.18.5.0/24: it answers the request with ICMP "net unreachable".
    auto result
        = run_command("ip -n " + router() + " route add 198.18.5.0/24 via 198.18.1.2 dev pa0");
    ASSERT_EQ(result.status, 0) << result.output;
    auto errors_before = icmp_counter(router(), "InDestUnreachs");
    auto outcome = probe_from(router(), "pa0", "198.18.5.5", answer_timeout);
    EXPECT_TRUE(failed_with(outcome, boost::system::errc::network_unreachable))
        << describe(outcome);
    EXPECT_LT(outcome.elapsed, answer_timeout) << "the error ends the probe, not the timeout";
    EXPECT_EQ(icmp_counter(router(), "InDestUnreachs"), errors_before + 1);
}

TEST_F(ProbeNamespace, ClearErrors)
{
    using boost::system::errc::errc_t;
    for (const auto& [interface, target, expected] : {
             std::tuple {"nosuch0", "198.18.1.2", errc_t::no_such_device},
             std::tuple {"", "198.18.1.2", errc_t::no_such_device},
             std::tuple {"pa0-but-too-long", "198.18.1.2", errc_t::no_such_device},
             std::tuple {"pa0", "2001:db8::2", errc_t::address_family_not_supported},
         }) {
        auto outcome = probe_from(router(), interface, target, answer_timeout);
        EXPECT_TRUE(failed_with(outcome, expected))
            << interface << " " << target << ": " << describe(outcome);
        EXPECT_LT(outcome.elapsed, answer_timeout) << "refused at once, not timed out";
    }
}

// track_method 'tcp': a connection accepted or refused is an answer, through the bound
// interface alone, as for ICMP.
TEST_F(ProbeNamespace, TcpAnsweredWhetherAcceptedOrRefused)
{
    auto listener = sim::testing::socket_in(b(), SOCK_STREAM);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(7000);
    ::inet_pton(AF_INET, "198.18.2.2", &address.sin_addr);
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << std::strerror(errno);
    ASSERT_EQ(::listen(listener.get(), 4), 0);

    auto accepted = probe_from(router(), "pb0", "198.18.2.2", answer_timeout, {}, {Method::Tcp, 7000});
    EXPECT_TRUE(answered(accepted)) << describe(accepted);
    auto refused = probe_from(router(), "pb0", "198.18.2.2", answer_timeout, {}, {Method::Tcp, 7001});
    EXPECT_TRUE(answered(refused)) << "a RST proves the path: " << describe(refused);
    auto far = probe_from(router(), "pa0", "198.18.3.3", answer_timeout, {}, {Method::Tcp, 7001});
    EXPECT_TRUE(answered(far)) << "forwarded by a to b and back: " << describe(far);
    auto elsewhere = probe_from(router(), "pa0", "198.18.2.2", short_timeout, {}, {Method::Tcp, 7000});
    EXPECT_TRUE(failed_with(elsewhere, boost::system::errc::timed_out)) << describe(elsewhere);
}

// track_method 'dns': a real DNS server's response, whatever it says, is an answer.
TEST_F(ProbeNamespace, DnsAnsweredByARealServer)
{
    auto nobody = probe_from(router(), "pb0", "198.18.2.2", answer_timeout, {}, {Method::Dns});
    EXPECT_TRUE(failed_with(nobody, boost::system::errc::connection_refused)) << describe(nobody);

    auto dnsmasq = std::to_string(::getpid()) + "-dnsmasq";
    auto server = run_command("ip netns exec " + b() + " dnsmasq --conf-file=/dev/null --no-hosts --no-resolv "
        "--bind-interfaces --listen-address=198.18.2.2 --pid-file=/tmp/uplink-probe-" + dnsmasq + ".pid");
    ASSERT_EQ(server.status, 0) << "dnsmasq (dnsmasq-base): " << server.output;
    auto answer = probe_from(router(), "pb0", "198.18.2.2", answer_timeout, {}, {Method::Dns});
    EXPECT_TRUE(answered(answer)) << describe(answer);
    auto elsewhere = probe_from(router(), "pa0", "198.18.2.2", short_timeout, {}, {Method::Dns});
    EXPECT_TRUE(failed_with(elsewhere, boost::system::errc::timed_out)) << describe(elsewhere);
    run_command("pkill -F /tmp/uplink-probe-" + dnsmasq + ".pid");
    std::filesystem::remove("/tmp/uplink-probe-" + dnsmasq + ".pid");
}

} // namespace
} // namespace uplink::net
