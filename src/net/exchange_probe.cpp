// The TCP and DNS probes (net.hpp), over Asio: one socket bound to the WAN's interface
// (SO_BINDTODEVICE) before it connects, so that, as with the ICMP probe, what leaves and what
// counts as an answer go through that interface alone (a bound socket is matched only with
// packets that came in through its device).
#include "net/net.hpp"

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <random>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace uplink::net {

namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint16_t dns_port = 53;

Error errno_error(int number)
{
    return Error(number, boost::system::system_category());
}

struct Endpoint {
    sockaddr_storage address {};
    socklen_t size = 0;
};

Endpoint endpoint_of(const Address& target, std::uint16_t port)
{
    Endpoint endpoint;
    if (target.family == Family::Ipv4) {
        auto* ipv4 = reinterpret_cast<sockaddr_in*>(&endpoint.address);
        ipv4->sin_family = AF_INET;
        ipv4->sin_port = htons(port);
        std::memcpy(&ipv4->sin_addr, target.bytes.data(), 4);
        endpoint.size = sizeof *ipv4;
    } else {
        auto* ipv6 = reinterpret_cast<sockaddr_in6*>(&endpoint.address);
        ipv6->sin6_family = AF_INET6;
        ipv6->sin6_port = htons(port);
        std::memcpy(&ipv6->sin6_addr, target.bytes.data(), 16);
        endpoint.size = sizeof *ipv6;
    }
    return endpoint;
}

// A non-blocking socket bound to `interface`, its connect() begun; the descriptor is the
// stream_descriptor's, closed with it.
Result<asio::posix::stream_descriptor> connecting_socket(
    const asio::any_io_executor& executor, const std::string& interface, const Address& target, int type, std::uint16_t port)
{
    // SO_BINDTODEVICE cuts a longer name, which could name another interface; an empty one unbinds.
    if (interface.empty() || interface.size() >= IFNAMSIZ)
        return errno_error(ENODEV);
    int descriptor = ::socket(target.family == Family::Ipv4 ? AF_INET : AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (descriptor < 0)
        return errno_error(errno);
    asio::posix::stream_descriptor socket(executor, descriptor);
    if (::setsockopt(descriptor, SOL_SOCKET, SO_BINDTODEVICE, interface.data(), static_cast<socklen_t>(interface.size())) != 0)
        return errno_error(errno);
    auto endpoint = endpoint_of(target, port);
    if (::connect(descriptor, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.size) != 0
        && errno != EINPROGRESS)
        return errno_error(errno);
    return socket;
}

int socket_error(int descriptor)
{
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size);
    return error;
}

// Waits for the connection's outcome: accepted or refused is an answer; anything else, why not.
asio::awaitable<Result<void>> connected(asio::posix::stream_descriptor& socket)
{
    auto [error] = co_await socket.async_wait(asio::posix::descriptor_base::wait_write, use_tuple);
    if (error)
        co_return error;
    auto outcome = socket_error(socket.native_handle());
    if (outcome == 0 || outcome == ECONNREFUSED)
        co_return Result<void> {};
    co_return errno_error(outcome);
}

// Sends the query and reads until its response comes; a stray datagram is skipped.
asio::awaitable<Result<void>> dns_exchange(asio::posix::stream_descriptor& socket, std::uint16_t id)
{
    auto query = dns_probe_query(id);
    if (::send(socket.native_handle(), query.data(), query.size(), 0) < 0 && errno != ENOBUFS)
        co_return errno_error(errno);
    std::array<std::uint8_t, 512> response; // RFC 1035 §4.2.1: UDP messages of 512 bytes at most
    for (;;) {
        auto [error] = co_await socket.async_wait(asio::posix::descriptor_base::wait_read, use_tuple);
        if (error)
            co_return error;
        auto size = ::recv(socket.native_handle(), response.data(), response.size(), 0);
        if (size < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (size < 0)
            co_return errno_error(errno); // ECONNREFUSED: an ICMP port unreachable came back
        if (answers_dns_probe(std::span(response.data(), static_cast<std::size_t>(size)), id))
            co_return Result<void> {};
    }
}

template <typename Exchange>
asio::awaitable<Result<Duration>> timed(asio::any_io_executor executor, Duration timeout, Exchange exchange)
{
    auto started = Clock::now();
    asio::steady_timer deadline(executor, timeout);
    auto outcome = co_await (std::move(exchange) || deadline.async_wait(use_tuple));
    if (outcome.index() == 1)
        co_return errno_error(ETIMEDOUT);
    if (auto result = std::get<0>(std::move(outcome)); !result)
        co_return result.error();
    co_return std::chrono::duration_cast<Duration>(Clock::now() - started);
}

} // namespace

std::vector<std::uint8_t> dns_probe_query(std::uint16_t id)
{
    // Header: id, flags 0 (a standard query, recursion not desired), one question; then the
    // root's name (a zero byte), QTYPE SOA (6), QCLASS IN (1).
    return {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
        0, 0, 6, 0, 1};
}

bool answers_dns_probe(std::span<const std::uint8_t> response, std::uint16_t id)
{
    // RFC 1035 §4.1.1: a 12-byte header, its id ours and its QR bit (a response) set.
    return response.size() >= 12 && (response[0] << 8 | response[1]) == id && (response[2] & 0x80) != 0;
}

asio::awaitable<Result<Duration>> tcp_probe(
    asio::any_io_executor executor, std::string interface, Address target, std::uint16_t port, Duration timeout)
{
    auto socket = connecting_socket(executor, interface, target, SOCK_STREAM, port);
    if (!socket)
        co_return socket.error();
    auto outcome = co_await timed(executor, timeout, connected(*socket));
    // Abort rather than close: a RST, no FIN exchange and no TIME_WAIT left on the router.
    linger abort {1, 0};
    ::setsockopt(socket->native_handle(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    co_return outcome;
}

asio::awaitable<Result<Duration>> dns_probe(
    asio::any_io_executor executor, std::string interface, Address target, Duration timeout)
{
    auto socket = connecting_socket(executor, interface, target, SOCK_DGRAM, dns_port);
    if (!socket)
        co_return socket.error();
    // Not guessable from outside: a forged response would make a dead WAN look alive.
    static std::atomic<std::uint16_t> next_id {static_cast<std::uint16_t>(std::random_device {}())};
    co_return co_await timed(executor, timeout, dns_exchange(*socket, next_id.fetch_add(1)));
}

} // namespace uplink::net
