// The data-path probe (net.hpp): one ICMP echo through one interface, over Asio.
//
// The socket is bound to the interface (SO_BINDTODEVICE, socket(7)) before it is connected to the
// target, so the route is looked up for that interface alone: a route through another one is
// skipped, and with none through this one the kernel takes the target as on-link there
// (ip_route_output_key_hash_rcu()), as a raw-IP wwan0 needs. On the way in, the kernel hands a
// bound socket only what arrived through its interface (ping_lookup(), raw_v4_match()): a reply
// that took another way home does not count. An ICMP error about the target that comes in through
// the interface (a router's "net unreachable") ends the probe with that error (IP_RECVERR). The
// kernel's own "host unreachable" for a neighbour that never answers ARP comes in through lo, so
// a bound socket never sees it: that probe times out.
#include "net/icmp.hpp"
#include "net/net.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/generic/datagram_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <linux/icmp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace uplink::net {

namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Socket = asio::generic::datagram_protocol::socket;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct OpenSocket {
    Socket socket;
    int type = SOCK_DGRAM; // SOCK_DGRAM (a ping socket) or SOCK_RAW
};

// A ping socket where net.ipv4.ping_group_range admits our group (icmp(7): socket() fails with
// EACCES otherwise, for root too); else a raw one, which needs CAP_NET_RAW.
Result<OpenSocket> open_socket(
    const asio::any_io_executor& executor, const std::string& interface, const Address& target)
{
    // SO_BINDTODEVICE cuts a longer name to IFNAMSIZ - 1 characters, which could name another
    // interface; and an empty one unbinds.
    if (interface.empty() || interface.size() >= IFNAMSIZ)
        return kernel_error(ENODEV);
    if (target.family != Family::Ipv4)
        return kernel_error(EAFNOSUPPORT);

    int type = SOCK_DGRAM;
    int descriptor = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (descriptor < 0 && (errno == EACCES || errno == EPERM)) {
        type = SOCK_RAW;
        descriptor = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    }
    if (descriptor < 0)
        return kernel_error(errno);
    OpenSocket open {Socket(executor), type};
    Error error;
    open.socket.assign(asio::generic::datagram_protocol(AF_INET, IPPROTO_ICMP), descriptor, error);
    if (error) {
        ::close(descriptor);
        return error;
    }

    if (::setsockopt(descriptor, SOL_SOCKET, SO_BINDTODEVICE, interface.data(),
            static_cast<socklen_t>(interface.size()))
        != 0)
        return kernel_error(errno);
    if (type == SOCK_RAW) {
        // Only echo replies wake us (linux/icmp.h: a set bit filters its type out); errors about
        // the target still come as the socket's error.
        icmp_filter filter {~(1u << ICMP_ECHOREPLY)};
        if (::setsockopt(descriptor, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0)
            return kernel_error(errno);
    }
    // IP_RECVERR (ip(7)): an ICMP error about the target, such as a router's "net unreachable",
    // becomes the receive's error; without it only "hard" ones do (port unreachable and the like).
    int on = 1;
    if (::setsockopt(descriptor, SOL_IP, IP_RECVERR, &on, sizeof on) != 0)
        return kernel_error(errno);
    sockaddr_in destination {};
    destination.sin_family = AF_INET;
    std::memcpy(&destination.sin_addr, target.bytes.data(), 4);
    if (::connect(descriptor, reinterpret_cast<const sockaddr*>(&destination), sizeof destination)
        != 0)
        return kernel_error(errno);
    return open;
}

// What this probe's reply must carry: nothing another probe, ours or another program's, sends.
struct Expected {
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    std::array<std::uint8_t, probe_payload_size> payload {};
};

Expected next_expected()
{
    static std::atomic<std::uint32_t> probes {0};
    auto count = probes.fetch_add(1);
    Expected expected;
    expected.identifier = static_cast<std::uint16_t>(::getpid() ^ (count >> 16));
    expected.sequence = static_cast<std::uint16_t>(count);
    auto stamp = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
    for (auto& byte : expected.payload) {
        byte = static_cast<std::uint8_t>(stamp);
        stamp >>= 8;
    }
    return expected;
}

bool matches(const icmp::EchoReply& reply, const Expected& expected, int type)
{
    // A ping socket's identifier is its port, set by the kernel, which delivers it only its own
    // replies; a raw socket sees every echo reply from the target on the interface.
    if (type == SOCK_RAW && reply.identifier != expected.identifier)
        return false;
    return reply.sequence == expected.sequence
        && std::ranges::equal(reply.payload, expected.payload);
}

// Sends the request and reads until its reply comes; the caller bounds it in time.
asio::awaitable<Result<Duration>> exchange(OpenSocket& open, Expected expected)
{
    auto request = icmp::echo_request(expected.identifier, expected.sequence, expected.payload);
    auto sent = Clock::now();
    auto [send_error, size] = co_await open.socket.async_send(asio::buffer(request), use_tuple);
    // With IP_RECVERR a request the interface dropped (no carrier, a full queue) is ENOBUFS. For
    // a probe that is a lost packet like any other: it goes unanswered until the timeout.
    if (send_error && send_error != boost::system::errc::no_buffer_space)
        co_return send_error;
    std::array<std::uint8_t, 576> datagram; // RFC 791's minimum reassembly size; ours is 36
    for (;;) {
        auto [error, received]
            = co_await open.socket.async_receive(asio::buffer(datagram), use_tuple);
        if (error)
            co_return error;
        std::span<const std::uint8_t> bytes(datagram.data(), received);
        auto message = open.type == SOCK_RAW ? icmp::icmp_of_ipv4(bytes)
                                             : std::optional<std::span<const std::uint8_t>>(bytes);
        if (!message)
            continue;
        auto reply = icmp::parse_echo_reply(*message);
        if (reply && matches(*reply, expected, open.type))
            co_return std::chrono::duration_cast<Duration>(Clock::now() - sent);
    }
}

} // namespace

asio::awaitable<Result<Duration>> probe(
    asio::any_io_executor executor, std::string interface, Address target, Duration timeout)
{
    auto open = open_socket(executor, interface, target);
    if (!open)
        co_return open.error();
    asio::steady_timer deadline(executor, timeout);
    auto outcome = co_await (exchange(*open, next_expected()) || deadline.async_wait(use_tuple));
    if (outcome.index() == 1)
        co_return kernel_error(ETIMEDOUT);
    co_return std::get<0>(std::move(outcome));
}

} // namespace uplink::net
