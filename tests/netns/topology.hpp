// The netns tier's topology (DESIGN.md "Test tiers"), shared by its tests: a LAN host, the
// router (where uplinkd runs), the carrier (where uplink-sim's data path ends) and an
// "internet" host with a TCP and a UDP echo port. Addresses from 198.18.0.0/15; everything
// stays inside the test's own namespaces, which are removed when the fixture ends.
//
//   [lan 198.18.1.2] --veth-- [router 198.18.1.1] ~~modems~~ [carrier 198.18.2.1] --veth--
//   [internet 198.18.2.2]
#pragma once

#include "harness.hpp"
#include "support/eventually.hpp"

#include "sim/tests/namespaces.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <tuple>

namespace uplink::testing {

inline constexpr std::uint16_t echo_port = 7007;

inline void must(const std::string& command)
{
    auto result = sim::testing::run_command(command);
    ASSERT_EQ(result.status, 0) << command << ": " << result.output;
}

// A veth pair from namespace `a` to namespace `b`, each end with its address, both up.
inline void veth(const std::string& a, const std::string& a_end, const std::string& a_address,
                 const std::string& b, const std::string& b_end, const std::string& b_address)
{
    must("ip -n " + a + " link add " + a_end + " type veth peer name " + b_end + " netns " + b);
    for (const auto& [name, end, address] : {std::tuple {a, a_end, a_address}, std::tuple {b, b_end, b_address}}) {
        must("ip -n " + name + " address add " + address + " dev " + end);
        must("ip -n " + name + " link set " + end + " up");
    }
}

inline sockaddr_in address_of(const char* text, std::uint16_t port)
{
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, text, &address.sin_addr);
    return address;
}

enum class Answer { Connected, Refused, Silence };

inline std::string_view to_string(Answer answer)
{
    switch (answer) {
    case Answer::Connected: return "connected";
    case Answer::Refused: return "refused";
    case Answer::Silence: return "silence";
    }
    return "?";
}

// A TCP connection from a socket of `namespace_name` to address:port, given `wait` to complete.
// A dropped SYN is silence; a port nobody listens on, a refusal (RST).
inline Answer connect_from(const std::string& namespace_name, const std::string& address, std::uint16_t port,
                           std::chrono::milliseconds wait)
{
    sockaddr_storage server {};
    socklen_t size = 0;
    int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
    if (family == AF_INET) {
        auto* ipv4 = reinterpret_cast<sockaddr_in*>(&server);
        ipv4->sin_family = AF_INET;
        ipv4->sin_port = htons(port);
        EXPECT_EQ(::inet_pton(AF_INET, address.c_str(), &ipv4->sin_addr), 1) << address;
        size = sizeof *ipv4;
    } else {
        auto* ipv6 = reinterpret_cast<sockaddr_in6*>(&server);
        ipv6->sin6_family = AF_INET6;
        ipv6->sin6_port = htons(port);
        EXPECT_EQ(::inet_pton(AF_INET6, address.c_str(), &ipv6->sin6_addr), 1) << address;
        size = sizeof *ipv6;
    }
    auto client = sim::testing::socket_in(namespace_name, SOCK_STREAM | SOCK_NONBLOCK, family);
    int error = ::connect(client.get(), reinterpret_cast<sockaddr*>(&server), size) == 0 ? 0 : errno;
    if (error == EINPROGRESS) {
        pollfd writable {client.get(), POLLOUT, 0};
        if (::poll(&writable, 1, static_cast<int>(wait.count())) != 1)
            return Answer::Silence;
        socklen_t length = sizeof error;
        ::getsockopt(client.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    }
    return error == 0 ? Answer::Connected : Answer::Refused;
}

class NetnsTopologyTest : public ::testing::Test {
protected:
    // Skips without the rights; else the namespaces ("uplink-<role><tag>-<pid>"), wired, with
    // the internet's servers listening. Call inside ASSERT_NO_FATAL_FAILURE.
    void create_topology(const std::string& tag)
    {
        if (auto missing = sim::testing::namespaces_unavailable(); !missing.empty())
            GTEST_SKIP() << "netns test skipped: " << missing;
        auto suffix = tag + "-" + std::to_string(::getpid());
        lan_.emplace("uplink-lan" + suffix);
        router_.emplace("uplink-router" + suffix);
        carrier_.emplace("uplink-carrier" + suffix);
        internet_.emplace("uplink-net" + suffix);
        ASSERT_NO_FATAL_FAILURE(wire());
        ASSERT_NO_FATAL_FAILURE(start_servers());
    }

    // IPv6 between the carrier and the internet host (2001:db8:ff::1 and ::2), as a carrier that
    // routes its subscribers' global addresses has it. Call inside ASSERT_NO_FATAL_FAILURE.
    void wire_carrier_ipv6()
    {
        const auto& carrier = carrier_->name();
        const auto& internet = internet_->name();
        must("ip -n " + carrier + " address add 2001:db8:ff::1/64 dev net0 nodad");
        must("ip netns exec " + carrier + " sysctl -qw net.ipv6.conf.all.forwarding=1");
        must("ip -n " + internet + " address add 2001:db8:ff::2/64 dev net1 nodad");
        must("ip -n " + internet + " -6 route add default via 2001:db8:ff::1");
    }

    // One TCP exchange from the LAN host: what the server saw as the client's address, or "".
    std::string tcp_from_lan(const std::string& payload)
    {
        auto client = sim::testing::socket_in(lan_->name(), SOCK_STREAM);
        timeval limit {5, 0};
        ::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        auto server = address_of("198.18.2.2", echo_port);
        if (::connect(client.get(), reinterpret_cast<sockaddr*>(&server), sizeof server) != 0)
            return "";
        auto deadline = deadline_in(5s);
        if (!sim::testing::wait_readable(tcp_server_.get(), deadline))
            return "";
        sockaddr_in peer {};
        socklen_t size = sizeof peer;
        sim::testing::Socket accepted(::accept(tcp_server_.get(), reinterpret_cast<sockaddr*>(&peer), &size));
        if (::send(client.get(), payload.data(), payload.size(), 0) != static_cast<ssize_t>(payload.size()))
            return "";
        std::string received;
        while (received.size() < payload.size() && sim::testing::wait_readable(accepted.get(), deadline)) {
            char chunk[4096];
            auto got = ::recv(accepted.get(), chunk, sizeof chunk, 0);
            if (got <= 0)
                break;
            received.append(chunk, static_cast<std::size_t>(got));
        }
        if (received != payload)
            return "";
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
        return text;
    }

    // Retried: a route or NAT state may take a moment after "connected" is reported. A failed
    // try can be immediate (no route yet), so eventually() paces them.
    std::string tcp_from_lan_soon(const std::string& payload)
    {
        std::string peer;
        eventually([&] { return !(peer = tcp_from_lan(payload)).empty(); }, deadline_in(10s));
        return peer;
    }

    // scenarios/ec25-test.json with its data path between the router's and the carrier's
    // namespaces, and a second APN the network accepts ("internet2", for a change of APN while
    // connected), written to `file` for uplink-sim.
    void write_scenario(const std::filesystem::path& file) const
    {
        namespace json = boost::json;
        auto scenario = read_json_file(scenario_path("ec25-test.json"));
        scenario.at("operators").as_array().at(0).as_object()["apns"].as_array().push_back(
            json::object {{"name", "internet2"}, {"type", "IPV4V6"}});
        scenario.at("modems").as_array().at(0).as_object()["data_path"]
            = json::object {{"namespace", router_->name()}, {"carrier_namespace", carrier_->name()}};
        std::ofstream(file) << json::serialize(scenario);
    }

    std::optional<sim::testing::NetworkNamespace> lan_, router_, carrier_, internet_;
    sim::testing::Socket tcp_server_, udp_server_;

private:
    void wire()
    {
        const auto& lan = lan_->name();
        const auto& router = router_->name();
        const auto& carrier = carrier_->name();
        const auto& internet = internet_->name();
        veth(lan, "lan0", "198.18.1.2/24", router, "lan1", "198.18.1.1/24");
        must("ip -n " + lan + " route add default via 198.18.1.1");
        veth(carrier, "net0", "198.18.2.1/24", internet, "net1", "198.18.2.2/24");
        // The carrier routes between its radio side and the internet; the router's forwarding
        // is uplinkd's to turn on.
        must("ip netns exec " + carrier + " sysctl -qw net.ipv4.ip_forward=1");
        must("ip -n " + internet + " route add default via 198.18.2.1");
    }

    void start_servers()
    {
        tcp_server_ = sim::testing::socket_in(internet_->name(), SOCK_STREAM);
        udp_server_ = sim::testing::socket_in(internet_->name(), SOCK_DGRAM);
        int yes = 1;
        ::setsockopt(tcp_server_.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        auto any = address_of("0.0.0.0", echo_port);
        ASSERT_EQ(::bind(tcp_server_.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
        ASSERT_EQ(::listen(tcp_server_.get(), 4), 0);
        ASSERT_EQ(::bind(udp_server_.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    }
};

} // namespace uplink::testing
