// The data plane against the kernel (netns tier: root). Each test makes a router and a carrier
// namespace of its own, creates the DataPlane between them, and configures wwan0 with `ip` the
// way uplinkd does over rtnetlink; then real sockets in each namespace talk through it. Traffic
// goes only to the two namespaces' own addresses; every wait has a deadline.
#include "sim/data_plane.hpp"
#include "sim/tests/namespaces.hpp"

#include <arpa/inet.h>
#include <functional>
#include <gtest/gtest.h>
#include <iostream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <set>
#include <sys/stat.h>
#include <vector>

namespace uplink::sim {
namespace {

using namespace std::chrono_literals;
using namespace testing;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* carrier_address = "100.64.0.1"; // carrier0, the bearer's gateway
constexpr const char* router_address = "100.64.0.2"; // wwan0, as the bearer hands it out

sockaddr_in endpoint(const char* address, std::uint16_t port)
{
    sockaddr_in result {};
    result.sin_family = AF_INET;
    result.sin_port = htons(port);
    ::inet_pton(AF_INET, address, &result.sin_addr);
    return result;
}

const sockaddr* as_sockaddr(const sockaddr_in& address)
{
    return reinterpret_cast<const sockaddr*>(&address);
}

// A socket in `namespace_name` bound to address:port, its blocking calls bounded by 5 s.
Socket bound_socket(
    const std::string& namespace_name, int type, const char* address, std::uint16_t port)
{
    auto socket = socket_in(namespace_name, type);
    int yes = 1;
    ::setsockopt(socket.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    timeval timeout {5, 0};
    ::setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(socket.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    auto local = endpoint(address, port);
    if (::bind(socket.get(), as_sockaddr(local), sizeof local) != 0)
        throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
    return socket;
}

void send_datagram(
    const Socket& socket, const std::string& payload, const char* address, std::uint16_t port)
{
    auto target = endpoint(address, port);
    ASSERT_EQ(::sendto(socket.get(), payload.data(), payload.size(), 0, as_sockaddr(target),
                  sizeof target),
        static_cast<ssize_t>(payload.size()))
        << std::strerror(errno);
}

// The next datagram within `wait`, or none.
std::optional<std::string> receive_datagram(
    const Socket& socket, SteadyClock::duration wait, sockaddr_in* source = nullptr)
{
    if (!wait_readable(socket.get(), SteadyClock::now() + wait))
        return std::nullopt;
    char buffer[2048];
    sockaddr_in from {};
    socklen_t length = sizeof from;
    auto size = ::recvfrom(socket.get(), buffer, sizeof buffer, MSG_DONTWAIT,
        reinterpret_cast<sockaddr*>(&from), &length);
    if (size < 0)
        return std::nullopt;
    if (source)
        *source = from;
    return std::string(buffer, static_cast<std::size_t>(size));
}

std::string format_address(const sockaddr_in& address)
{
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address.sin_addr, text, sizeof text);
    return text;
}

ino_t namespace_inode()
{
    struct stat status { };
    ::stat("/proc/thread-self/ns/net", &status);
    return status.st_ino;
}

// Accepts one connection within 5 s and echoes it until it ends (its reads bounded by 5 s).
std::jthread echo_server(const Socket& listener)
{
    return std::jthread([&listener] {
        if (!wait_readable(listener.get(), SteadyClock::now() + 5s))
            return;
        Socket connection(::accept(listener.get(), nullptr, nullptr));
        timeval timeout {5, 0};
        ::setsockopt(connection.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        char buffer[16384];
        for (;;) {
            auto size = ::recv(connection.get(), buffer, sizeof buffer, 0);
            if (size <= 0
                || ::send(connection.get(), buffer, static_cast<std::size_t>(size), MSG_NOSIGNAL)
                    != size)
                return;
        }
    });
}

// Accepts one connection within 5 s and sends to it until asked to stop (at most 15 s).
std::jthread bulk_sender(const Socket& listener)
{
    return std::jthread([&listener](std::stop_token stop) {
        if (!wait_readable(listener.get(), SteadyClock::now() + 5s))
            return;
        Socket connection(::accept(listener.get(), nullptr, nullptr));
        timeval timeout {1, 0};
        ::setsockopt(connection.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        std::vector<char> chunk(65536, 'x');
        auto deadline = SteadyClock::now() + 15s;
        while (!stop.stop_requested() && SteadyClock::now() < deadline)
            if (::send(connection.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0
                && errno != EAGAIN)
                return;
    });
}

struct Download {
    double payload_bytes = 0, ip_bytes = 0, seconds = 0;
    double segment = 0; // TCP_MAXSEG
};

// Reads a TCP download; slow start and the first queue overflow are over after a second, so it
// measures the five seconds after that: the payload read, and the IP bytes `ip_bytes()` counted.
Download measure_download(const Socket& client, const std::function<std::uint64_t()>& ip_bytes)
{
    std::uint64_t total = 0, window_start_bytes = 0, window_start_ip_bytes = 0;
    std::optional<SteadyClock::time_point> first, window_start;
    auto give_up = SteadyClock::now() + 12s;
    while (wait_readable(client.get(), give_up)) {
        char buffer[65536];
        auto size = ::recv(client.get(), buffer, sizeof buffer, 0);
        if (size <= 0)
            break;
        auto now = SteadyClock::now();
        first = first.value_or(now);
        total += static_cast<std::uint64_t>(size);
        if (!window_start && now - *first >= 1s) {
            window_start = now;
            window_start_bytes = total;
            window_start_ip_bytes = ip_bytes();
        }
        if (window_start && now - *window_start >= 5s)
            break;
    }
    Download download;
    if (!window_start)
        return download;
    download.seconds = std::chrono::duration<double>(SteadyClock::now() - *window_start).count();
    download.payload_bytes = static_cast<double>(total - window_start_bytes);
    download.ip_bytes = static_cast<double>(ip_bytes() - window_start_ip_bytes);
    int segment = 0;
    socklen_t length = sizeof segment;
    ::getsockopt(client.get(), IPPROTO_TCP, TCP_MAXSEG, &segment, &length);
    download.segment = segment;
    return download;
}

// ---------------------------------------------------------------- without root

TEST(DataPlaneSetup, PrefixesAndNames)
{
    auto prefix = parse_ipv4_prefix("100.64.0.1/30");
    ASSERT_TRUE(prefix);
    EXPECT_EQ(prefix->address, 0x64400001u);
    EXPECT_EQ(prefix->length, 30);
    EXPECT_EQ(to_string(*prefix), "100.64.0.1/30");
    EXPECT_EQ(parse_ipv4_prefix("198.18.0.1"), (Ipv4Prefix {0xC6120001, 32}));
    for (auto bad : {"100.64.0.1/33", "100.64.0.1/", "100.64.0/30", "100.64.0.1/3x", "", "::1/64"})
        EXPECT_FALSE(parse_ipv4_prefix(bad)) << bad;
    for (auto state : {BearerState::Down, BearerState::Up})
        EXPECT_EQ(bearer_state_from_string(to_string(state)), state);
    EXPECT_FALSE(bearer_state_from_string("sideways"));
}

TEST(DataPlaneSetup, ErrorsSayWhatIsWrong)
{
    boost::asio::io_context context;
    DataPlaneSetup setup;
    setup.router_namespace = "uplink-no-such-namespace-" + std::to_string(::getpid());
    setup.carrier_namespace = setup.router_namespace;
    std::string message;
    auto missing = DataPlane::create(context, setup, message);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), boost::system::errc::no_such_file_or_directory);
    EXPECT_EQ(message,
        "network namespace '" + setup.router_namespace + "' does not exist (/run/netns/"
            + setup.router_namespace + ")");

    setup.router_interface = "a-name-too-long-for-linux";
    EXPECT_FALSE(DataPlane::create(context, setup, message));
    EXPECT_EQ(message,
        "'a-name-too-long-for-linux' is not an interface name (1 to 15 characters, no '/')");

    setup.router_interface = "wwan0";
    setup.router_namespace = "../etc";
    EXPECT_FALSE(DataPlane::create(context, setup, message));
    EXPECT_EQ(message, "'../etc' is not a network namespace name");
}

// ---------------------------------------------------------------- in namespaces

class DataPlaneNamespaces : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto reason = namespaces_unavailable();
        if (!reason.empty())
            GTEST_SKIP() << "netns test skipped: " << reason;
        auto suffix = std::to_string(::getpid());
        router_.emplace("uplink-router-" + suffix);
        carrier_.emplace("uplink-carrier-" + suffix);

        DataPlaneSetup setup;
        setup.router_namespace = router_->name();
        setup.carrier_namespace = carrier_->name();
        setup.seed = 20;
        std::string message;
        auto created
            = loop_.call([&] { return DataPlane::create(loop_.context(), setup, message); });
        ASSERT_TRUE(created) << message;
        plane_.emplace(std::move(*created));

        // What uplinkd does with a connected bearer's settings (over rtnetlink, not `ip`).
        for (auto command : {"address add 100.64.0.2/30 dev wwan0", "link set wwan0 up",
                 "route add default dev wwan0"}) {
            auto result = run_command("ip -n " + router_->name() + " " + command);
            ASSERT_EQ(result.status, 0) << command << ": " << result.output;
        }
    }

    void TearDown() override
    {
        if (plane_)
            loop_.call([this] { plane_.reset(); });
    }

    void set_bearer(BearerState state)
    {
        loop_.call([this, state] { plane_->set_bearer(state); });
    }
    void set_link(LinkOverrides overrides)
    {
        loop_.call([this, overrides] { plane_->set_link(overrides); });
    }
    DataPlaneCounters counters()
    {
        return loop_.call([this] { return plane_->counters(); });
    }

    // Declared first, destroyed last: the namespaces outlive the loop and the data plane.
    std::optional<NetworkNamespace> router_, carrier_;
    LoopThread loop_;
    std::optional<DataPlane> plane_;
};

TEST_F(DataPlaneNamespaces, InterfacesAreMadeInTheirNamespaces)
{
    auto wwan = run_command("ip -n " + router_->name() + " -o link show wwan0");
    ASSERT_EQ(wwan.status, 0) << wwan.output;
    // Raw IP, as qmi_wwan's raw-ip mode: point-to-point, no ARP, no link-layer address.
    for (auto word : {"POINTOPOINT", "NOARP", "link/none"})
        EXPECT_NE(wwan.output.find(word), std::string::npos) << word << " in " << wwan.output;
    auto address = run_command("ip -n " + carrier_->name() + " -o -4 address show dev carrier0");
    EXPECT_NE(address.output.find("inet 100.64.0.1/30"), std::string::npos) << address.output;
    auto routes = run_command("ip -n " + carrier_->name() + " route show");
    EXPECT_NE(routes.output.find("100.64.0.0/30 dev carrier0"), std::string::npos) << routes.output;
    // The thread that created them is back in its own namespace.
    EXPECT_EQ(loop_.call([] { return namespace_inode(); }), namespace_inode());

    std::string message;
    ASSERT_TRUE(loop_.call([&] {
        return plane_->set_carrier_address({0x64400005, 30}, message);
    })) << message;
    address = run_command("ip -n " + carrier_->name() + " -o -4 address show dev carrier0");
    EXPECT_NE(address.output.find("inet 100.64.0.5/30"), std::string::npos) << address.output;

    // A second data plane cannot take the same interface names.
    DataPlaneSetup setup;
    setup.router_namespace = router_->name();
    setup.carrier_namespace = carrier_->name();
    auto second = loop_.call([&] { return DataPlane::create(loop_.context(), setup, message); });
    EXPECT_FALSE(second);
    EXPECT_EQ(message.rfind(
                  "cannot create TUN 'wwan0' in network namespace '" + router_->name() + "': ", 0),
        0u)
        << message;

    loop_.call([this] { plane_.reset(); });
    EXPECT_NE(run_command("ip -n " + router_->name() + " link show wwan0").status, 0)
        << "wwan0 outlived stop()";
    EXPECT_NE(run_command("ip -n " + carrier_->name() + " link show carrier0").status, 0);
}

TEST_F(DataPlaneNamespaces, BearerDownCarriesNothing)
{
    auto server = bound_socket(carrier_->name(), SOCK_DGRAM, carrier_address, 40001);
    auto client = bound_socket(router_->name(), SOCK_DGRAM, router_address, 40002);

    send_datagram(client, "uplink while down", carrier_address, 40001);
    send_datagram(server, "downlink while down", router_address, 40002);
    EXPECT_FALSE(receive_datagram(server, 500ms));
    EXPECT_FALSE(receive_datagram(client, 100ms));
    auto down = counters();
    EXPECT_GE(down.uplink.dropped_bearer_down, 1u);
    EXPECT_GE(down.downlink.dropped_bearer_down, 1u);
    EXPECT_EQ(down.uplink.packets, 0u);
    EXPECT_EQ(down.downlink.packets, 0u);

    // The same datagrams pass once the bearer is up: the silence above was the bearer's doing.
    set_bearer(BearerState::Up);
    send_datagram(client, "uplink while up", carrier_address, 40001);
    EXPECT_EQ(receive_datagram(server, 2s), "uplink while up");
    send_datagram(server, "downlink while up", router_address, 40002);
    EXPECT_EQ(receive_datagram(client, 2s), "downlink while up");

    set_bearer(BearerState::Down);
    send_datagram(client, "uplink down again", carrier_address, 40001);
    EXPECT_FALSE(receive_datagram(server, 500ms));
}

TEST_F(DataPlaneNamespaces, UdpAndTcpGoThereAndBack)
{
    set_bearer(BearerState::Up);

    auto udp_server = bound_socket(carrier_->name(), SOCK_DGRAM, carrier_address, 40011);
    auto udp_client = bound_socket(router_->name(), SOCK_DGRAM, router_address, 0);
    send_datagram(udp_client, "ping", carrier_address, 40011);
    sockaddr_in source {};
    ASSERT_EQ(receive_datagram(udp_server, 2s, &source), "ping");
    EXPECT_EQ(format_address(source), router_address);
    ASSERT_EQ(::sendto(udp_server.get(), "pong", 4, 0, as_sockaddr(source), sizeof source), 4);
    ASSERT_EQ(receive_datagram(udp_client, 2s, &source), "pong");
    EXPECT_EQ(format_address(source), carrier_address);

    // TCP: 200 kB up, echoed back down.
    auto listener = bound_socket(carrier_->name(), SOCK_STREAM, carrier_address, 40012);
    ASSERT_EQ(::listen(listener.get(), 1), 0);
    auto echo = echo_server(listener);
    auto client = bound_socket(router_->name(), SOCK_STREAM, router_address, 0);
    auto server = endpoint(carrier_address, 40012);
    ASSERT_EQ(::connect(client.get(), as_sockaddr(server), sizeof server), 0)
        << std::strerror(errno);
    std::string sent(200'000, '\0');
    for (std::size_t index = 0; index < sent.size(); ++index)
        sent[index] = static_cast<char>('a' + index % 26);
    ASSERT_EQ(::send(client.get(), sent.data(), sent.size(), MSG_NOSIGNAL),
        static_cast<ssize_t>(sent.size()));
    ::shutdown(client.get(), SHUT_WR);
    std::string received;
    auto deadline = SteadyClock::now() + 10s;
    while (received.size() < sent.size() && wait_readable(client.get(), deadline)) {
        char buffer[16384];
        auto size = ::recv(client.get(), buffer, sizeof buffer, 0);
        if (size <= 0)
            break;
        received.append(buffer, static_cast<std::size_t>(size));
    }
    client = Socket();
    echo.join();
    EXPECT_EQ(received.size(), sent.size());
    EXPECT_TRUE(received == sent);

    auto carried = counters();
    EXPECT_GT(carried.uplink.bytes, sent.size());
    EXPECT_GT(carried.downlink.bytes, sent.size());
    // (Drops for a bearer down are possible: the kernel's own IPv6 packets when wwan0 went up.)
    for (const auto* direction : {&carried.uplink, &carried.downlink})
        EXPECT_EQ(
            direction->dropped_loss + direction->dropped_queue + direction->dropped_write, 0u);
}

TEST_F(DataPlaneNamespaces, TwentyPercentLossLosesAboutAFifth)
{
    set_bearer(BearerState::Up);
    LinkOverrides overrides;
    overrides.loss_percent = 20.0;
    set_link(overrides);

    auto server = bound_socket(carrier_->name(), SOCK_DGRAM, carrier_address, 40021);
    int buffer_bytes = 4 << 20; // holds all 1000 datagrams: the kernel must not drop any itself
    ::setsockopt(server.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof buffer_bytes);
    auto client = bound_socket(router_->name(), SOCK_DGRAM, router_address, 0);
    constexpr int count = 1000;
    for (int index = 0; index < count; ++index) {
        send_datagram(client, std::to_string(index) + std::string(90, '.'), carrier_address, 40021);
        std::this_thread::sleep_for(200us); // 4 Mbit/s: no queue builds in the link or the TUN
    }
    std::set<int> received;
    auto deadline = SteadyClock::now() + 5s;
    while (SteadyClock::now() < deadline) {
        auto datagram = receive_datagram(server, 500ms);
        if (!datagram)
            break;
        received.insert(std::stoi(*datagram));
    }
    auto lost = count - static_cast<int>(received.size());
    std::cout << "20 % loss setting: " << lost << " of " << count << " datagrams lost\n";
    // Binomial(1000, 0.2): 200 +- 12.6; 150..250 is four standard deviations.
    EXPECT_GE(lost, 150);
    EXPECT_LE(lost, 250);
    EXPECT_GE(counters().uplink.dropped_loss, static_cast<std::uint64_t>(lost));
}

TEST_F(DataPlaneNamespaces, TwoMegabitsLimitATcpDownload)
{
    set_bearer(BearerState::Up);
    LinkOverrides overrides;
    overrides.downlink_kbit = 2000;
    set_link(overrides);
    constexpr double rate = 2e6;

    auto listener = bound_socket(carrier_->name(), SOCK_STREAM, carrier_address, 40031);
    ASSERT_EQ(::listen(listener.get(), 1), 0);
    auto sender = bulk_sender(listener);

    auto client = bound_socket(router_->name(), SOCK_STREAM, router_address, 0);
    auto server = endpoint(carrier_address, 40031);
    ASSERT_EQ(::connect(client.get(), as_sockaddr(server), sizeof server), 0)
        << std::strerror(errno);
    auto download = measure_download(client, [this] { return counters().downlink.bytes; });
    client = Socket();
    sender.request_stop();

    ASSERT_GE(download.seconds, 4.9) << "the transfer did not last six seconds";
    double goodput = download.payload_bytes * 8 / download.seconds;
    double ip_rate = download.ip_bytes * 8 / download.seconds;
    // The link counts whole IP packets; TCP's payload is the segment without 52 bytes of IPv4,
    // TCP and timestamp-option headers.
    double payload_share = download.segment / (download.segment + 52);
    std::cout << "2 Mbit/s downlink: IP " << ip_rate / 1e6 << " Mbit/s, TCP payload "
              << goodput / 1e6 << " Mbit/s (segment " << download.segment << " bytes, expected "
              << rate * payload_share / 1e6 << ")\n";
    EXPECT_NEAR(ip_rate, rate, rate * 0.05);
    EXPECT_NEAR(goodput, rate * payload_share, rate * payload_share * 0.05);
}

} // namespace
} // namespace uplink::sim
