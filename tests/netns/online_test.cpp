// End to end, as root, in network namespaces (DESIGN.md "Test tiers"): a LAN host reaches a
// server on the "internet" through uplinkd, the emulated EC25's QMI data connection and the
// emulator's data path; NAT is uplinkd's. Addresses: 198.18.0.0/15 and the carrier's
// 100.64.0.0/10, all inside the test's own namespaces.
//
//   [lan 198.18.1.2] --veth-- [router 198.18.1.1: uplinkd, wwan0] ~~TUN~~ [carrier: carrier0
//   100.64.0.1/10, 198.18.2.1] --veth-- [internet 198.18.2.2: TCP and UDP echo]
#include "harness.hpp"

#include "sim/tests/namespaces.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>

namespace uplink::testing {
namespace {

namespace json = boost::json;
using sim::testing::NetworkNamespace;
using sim::testing::Socket;
using sim::testing::socket_in;
using sim::testing::wait_readable;

constexpr std::uint16_t echo_port = 7007;

std::string text(const json::value& value, std::string_view key)
{
    const auto* field = value.is_object() ? value.as_object().if_contains(key) : nullptr;
    return field && field->is_string() ? std::string(field->as_string()) : std::string();
}

void must(const std::string& command)
{
    auto result = sim::testing::run_command(command);
    ASSERT_EQ(result.status, 0) << command << ": " << result.output;
}

sockaddr_in address_of(const char* text, std::uint16_t port)
{
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, text, &address.sin_addr);
    return address;
}

// The internet's servers: a TCP listener and a UDP socket, answered from the test's thread.
struct Servers {
    Socket tcp, udp;
};

class OnlineTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (auto missing = sim::testing::namespaces_unavailable(); !missing.empty())
            GTEST_SKIP() << "netns test skipped: " << missing;
        auto suffix = std::to_string(::getpid());
        lan_.emplace("uplink-lan-" + suffix);
        router_.emplace("uplink-router-" + suffix);
        carrier_.emplace("uplink-carrier-" + suffix);
        internet_.emplace("uplink-net-" + suffix);
        ASSERT_NO_FATAL_FAILURE(wire());
        ASSERT_NO_FATAL_FAILURE(start_servers());
    }

    void wire()
    {
        const auto& lan = lan_->name();
        const auto& router = router_->name();
        const auto& carrier = carrier_->name();
        const auto& internet = internet_->name();
        must("ip -n " + lan + " link add lan0 type veth peer name lan1 netns " + router);
        must("ip -n " + lan + " address add 198.18.1.2/24 dev lan0");
        must("ip -n " + lan + " link set lan0 up");
        must("ip -n " + lan + " route add default via 198.18.1.1");
        must("ip -n " + router + " address add 198.18.1.1/24 dev lan1");
        must("ip -n " + router + " link set lan1 up");
        must("ip -n " + carrier + " link add net0 type veth peer name net1 netns " + internet);
        must("ip -n " + carrier + " address add 198.18.2.1/24 dev net0");
        must("ip -n " + carrier + " link set net0 up");
        // The carrier routes between its radio side and the internet; the router's forwarding
        // is uplinkd's to turn on.
        must("ip netns exec " + carrier + " sysctl -qw net.ipv4.ip_forward=1");
        must("ip -n " + internet + " address add 198.18.2.2/24 dev net1");
        must("ip -n " + internet + " link set net1 up");
        must("ip -n " + internet + " route add default via 198.18.2.1");
    }

    void start_servers()
    {
        servers_.tcp = socket_in(internet_->name(), SOCK_STREAM);
        servers_.udp = socket_in(internet_->name(), SOCK_DGRAM);
        int yes = 1;
        ::setsockopt(servers_.tcp.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        auto any = address_of("0.0.0.0", echo_port);
        ASSERT_EQ(::bind(servers_.tcp.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
        ASSERT_EQ(::listen(servers_.tcp.get(), 4), 0);
        ASSERT_EQ(::bind(servers_.udp.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    }

    // uplink-sim with the router's and carrier's namespaces, uplinkd in the router's.
    void start_programs(std::string connection = "\toption apn 'internet'\n")
    {
        auto scenario = read_json_file(scenario_path("ec25-test.json"));
        scenario.at("modems").as_array().at(0).as_object()["data_path"]
            = json::object {{"namespace", router_->name()}, {"carrier_namespace", carrier_->name()}};
        auto scenario_file = directory_.path() / "scenario.json";
        std::ofstream(scenario_file) << json::serialize(scenario);
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_file);
        Daemon::Settings settings;
        settings.pin = "1234";
        settings.connection = std::move(connection);
        settings.launcher = {"ip", "netns", "exec", router_->name()};
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, settings);
    }

    json::value wait_connected(std::chrono::milliseconds timeout = 20s)
    {
        return daemon_->wait_for_modem("1-1", "connected", [](const json::value& modem) {
            return text(modem.at("connection"), "state") == "connected";
        }, timeout);
    }

    // One TCP exchange from the LAN host: what the server saw as the client's address, or "".
    std::string tcp_round_trip(const std::string& payload)
    {
        auto client = socket_in(lan_->name(), SOCK_STREAM);
        timeval limit {5, 0};
        ::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        auto server = address_of("198.18.2.2", echo_port);
        if (::connect(client.get(), reinterpret_cast<sockaddr*>(&server), sizeof server) != 0)
            return "";
        auto deadline = deadline_in(5s);
        if (!wait_readable(servers_.tcp.get(), deadline))
            return "";
        sockaddr_in peer {};
        socklen_t size = sizeof peer;
        Socket accepted(::accept(servers_.tcp.get(), reinterpret_cast<sockaddr*>(&peer), &size));
        if (::send(client.get(), payload.data(), payload.size(), 0) != static_cast<ssize_t>(payload.size()))
            return "";
        std::string received;
        while (received.size() < payload.size() && wait_readable(accepted.get(), deadline)) {
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

    bool udp_round_trip()
    {
        auto client = socket_in(lan_->name(), SOCK_DGRAM);
        auto server = address_of("198.18.2.2", echo_port);
        const char datagram[] = "uplink udp";
        if (::sendto(client.get(), datagram, sizeof datagram, 0, reinterpret_cast<sockaddr*>(&server), sizeof server) < 0)
            return false;
        if (!wait_readable(servers_.udp.get(), deadline_in(5s)))
            return false;
        char buffer[64];
        sockaddr_in peer {};
        socklen_t size = sizeof peer;
        auto got = ::recvfrom(servers_.udp.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &size);
        if (got != sizeof datagram)
            return false;
        ::sendto(servers_.udp.get(), buffer, static_cast<std::size_t>(got), 0, reinterpret_cast<sockaddr*>(&peer), size);
        if (!wait_readable(client.get(), deadline_in(5s)))
            return false;
        return ::recv(client.get(), buffer, sizeof buffer, 0) == got;
    }

    // Bounded retries: a route or NAT state may take a moment after "connected" is reported.
    std::string tcp_round_trip_soon(const std::string& payload)
    {
        auto deadline = deadline_in(10s);
        for (;;) {
            auto peer = tcp_round_trip(payload);
            if (!peer.empty() || std::chrono::steady_clock::now() > deadline)
                return peer;
        }
    }

    std::optional<NetworkNamespace> lan_, router_, carrier_, internet_;
    TemporaryDirectory directory_;
    Servers servers_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(OnlineTest, TheLanHostReachesTheInternetThroughTheModem)
{
    ASSERT_NO_FATAL_FAILURE(start_programs());
    auto modem = wait_connected();
    auto address = text(modem.at("connection").at("ipv4"), "address");
    ASSERT_FALSE(address.empty());
    EXPECT_EQ(address.rfind("100.", 0), 0u) << address;
    // The server sees the modem's address: uplinkd masquerades the LAN behind wwan0.
    EXPECT_EQ(tcp_round_trip_soon(std::string(100'000, 'u')), address);
    EXPECT_TRUE(udp_round_trip());
    auto counters = emulator_->control({{"cmd", "counters"}});
    EXPECT_GT(counters.at("data_path").at("uplink").at("bytes").as_int64(), 100'000);
    // uplinkd counts the same traffic on wwan0.
    auto after = daemon_->get("/v1/modems/1-1");
    EXPECT_GT(after.at("connection").at("sent_bytes").as_int64(), 100'000);
}

TEST_F(OnlineTest, ADroppedBearerIsReconnectedAndTrafficResumes)
{
    ASSERT_NO_FATAL_FAILURE(start_programs());
    auto before = wait_connected();
    ASSERT_FALSE(tcp_round_trip_soon("before").empty());
    emulator_->control({{"cmd", "bearer-drop"}, {"cause", 38}});
    daemon_->wait_for_modem("1-1", "the drop noticed", [](const json::value& modem) {
        return text(modem.at("connection"), "last_error").find("cause 38") != std::string::npos;
    });
    auto after = wait_connected();
    EXPECT_NE(text(after.at("connection"), "connected_since"), text(before.at("connection"), "connected_since"));
    EXPECT_FALSE(tcp_round_trip_soon("after").empty());
}

TEST_F(OnlineTest, UnplugRemovesTheModemAndReplugBringsTrafficBack)
{
    ASSERT_NO_FATAL_FAILURE(start_programs());
    wait_connected();
    emulator_->control({{"cmd", "unplug"}});
    daemon_->wait_for_absence("1-1");
    EXPECT_NE(sim::testing::run_command("ip -n " + router_->name() + " link show wwan0").status, 0)
        << "wwan0 should go with the modem";
    emulator_->control({{"cmd", "replug"}});
    wait_connected(30s);
    EXPECT_FALSE(tcp_round_trip_soon("again").empty());
}

TEST_F(OnlineTest, BothIpFamiliesAreGrantedAndConfigured)
{
    start_programs("\toption apn 'internet'\n\toption ip_family 'ipv4v6'\n");
    auto modem = daemon_->wait_for_modem("1-1", "both families", [](const json::value& modem) {
        const auto& connection = modem.at("connection");
        return text(connection, "state") == "connected" && connection.at("ipv6").is_object();
    });
    const auto& connection = modem.at("connection");
    auto ipv6 = text(connection.at("ipv6"), "address");
    EXPECT_EQ(ipv6.rfind("2001:db8:", 0), 0u) << ipv6;
    EXPECT_EQ(connection.at("ipv6").at("prefix_length").as_int64(), 64);
    EXPECT_EQ(text(connection.at("ipv4"), "address").rfind("100.", 0), 0u);
    auto shown = sim::testing::run_command("ip -n " + router_->name() + " -6 address show dev wwan0");
    EXPECT_NE(shown.output.find(ipv6 + "/64"), std::string::npos) << shown.output;
    auto routes = sim::testing::run_command("ip -n " + router_->name() + " -6 route show default");
    EXPECT_NE(routes.output.find("dev wwan0"), std::string::npos) << routes.output;
    // IPv4 still carries the LAN (the carrier routes no IPv6 to the internet host).
    EXPECT_FALSE(tcp_round_trip_soon("dual").empty());
}

} // namespace
} // namespace uplink::testing
