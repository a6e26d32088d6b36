// Netlink: the one place the net module touches a socket. It builds a request with the codec
// (request.cpp), sends it, and hands what comes back to an Exchange (reply.cpp).
#include "net/message.hpp"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>

namespace uplink::net {

namespace rtnetlink {

namespace {

Error errno_error()
{
    return kernel_error(errno);
}

} // namespace

Result<std::vector<Bytes>> transact(
    int socket, std::span<const std::uint8_t> request, Exchange& exchange, Duration timeout)
{
    // An unconnected netlink socket sends to port 0, the kernel (netlink_sendmsg()).
    ssize_t sent = -1;
    do
        sent = ::send(socket, request.data(), request.size(), 0);
    while (sent < 0 && errno == EINTR);
    if (sent < 0)
        return errno_error();
    if (static_cast<std::size_t>(sent) != request.size())
        return Errc::Truncated;

    auto deadline = Clock::now() + timeout;
    Bytes buffer(receive_capacity);
    while (!exchange.finished()) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return Errc::Timeout;
        pollfd descriptor {socket, POLLIN, 0};
        int ready = ::poll(&descriptor, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return errno_error();
        if (ready == 0)
            return Errc::Timeout;

        sockaddr_nl sender {};
        iovec vector {buffer.data(), buffer.size()};
        msghdr header {};
        header.msg_name = &sender;
        header.msg_namelen = sizeof sender;
        header.msg_iov = &vector;
        header.msg_iovlen = 1;
        ssize_t received = ::recvmsg(socket, &header, MSG_DONTWAIT);
        if (received < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (received < 0)
            return errno_error(); // ENOBUFS: the socket's queue overflowed and replies were lost
        if (header.msg_flags & MSG_TRUNC)
            return Errc::Truncated;
        // Only the kernel (port 0) answers a request; another process may send to our port.
        if (header.msg_namelen >= sizeof sender && sender.nl_family == AF_NETLINK
            && sender.nl_pid != 0)
            continue;
        exchange.feed(
            std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(received)));
    }
    if (exchange.error())
        return exchange.error();
    return exchange.take_messages();
}

Result<MnlSocket> open_socket(int protocol)
{
    MnlSocket socket(mnl_socket_open2(protocol, SOCK_CLOEXEC));
    if (!socket)
        return errno_error();
    if (mnl_socket_bind(socket.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return errno_error();
    // Both optional: NETLINK_EXT_ACK (4.12) adds the kernel's reason to a failure, NETLINK_CAP_ACK
    // (4.3) keeps a failure's ack to the request's header. An older kernel refuses them and the
    // exchange works the same without.
    int on = 1;
    (void)mnl_socket_setsockopt(socket.get(), NETLINK_EXT_ACK, &on, sizeof on);
    (void)mnl_socket_setsockopt(socket.get(), NETLINK_CAP_ACK, &on, sizeof on);
    return socket;
}

std::uint32_t next_sequence(std::uint32_t& last)
{
    if (++last == 0)
        last = 1;
    return last;
}

Result<std::vector<Bytes>> request_reply(mnl_socket* socket, std::uint32_t sequence,
    std::span<const std::uint8_t> request, Duration timeout)
{
    assert(socket && "a netlink socket used after a move");
    Exchange exchange(sequence, mnl_socket_get_portid(socket));
    auto reply = transact(mnl_socket_get_fd(socket), request, exchange, timeout);
    if (!reply && !exchange.kernel_message().empty())
        log(LogLevel::Debug, "net", "request {}: {} ({})", sequence, reply.error().message(),
            exchange.kernel_message());
    return reply;
}

} // namespace rtnetlink

void MnlSocketCloser::operator()(mnl_socket* socket) const
{
    mnl_socket_close(socket);
}

namespace {

using rtnetlink::Bytes;
using rtnetlink::Operation;

// A delete that finds nothing because the object or its link is already gone.
bool already_gone(const Error& error)
{
    return error == boost::system::errc::address_not_available
        || error == boost::system::errc::no_such_device;
}

template <typename Value>
Result<std::vector<Value>> parse_all(
    const std::vector<Bytes>& messages, Result<Value> (*parse)(std::span<const std::uint8_t>))
{
    std::vector<Value> values;
    values.reserve(messages.size());
    for (const auto& message : messages) {
        auto value = parse(message);
        if (!value)
            return value.error();
        values.push_back(std::move(*value));
    }
    return values;
}

} // namespace

Netlink::Netlink(MnlSocket socket, Duration timeout)
    : socket_(std::move(socket))
    , timeout_(timeout)
{
}

Netlink::Netlink(Netlink&&) noexcept = default;
Netlink& Netlink::operator=(Netlink&&) noexcept = default;
Netlink::~Netlink() = default;

Result<Netlink> Netlink::open(Duration timeout)
{
    auto socket = rtnetlink::open_socket(NETLINK_ROUTE);
    if (!socket)
        return socket.error();
    return Netlink(std::move(*socket), timeout);
}

Result<std::vector<Bytes>> Netlink::transact(std::uint32_t sequence, const Bytes& request)
{
    return rtnetlink::request_reply(socket_.get(), sequence, request, timeout_);
}

Result<void> Netlink::execute(std::uint32_t sequence, const Result<Bytes>& request)
{
    if (!request)
        return request.error();
    auto reply = transact(sequence, *request);
    if (!reply)
        return reply.error();
    return {};
}

Result<std::vector<Bytes>> Netlink::dump(std::uint16_t message_type, Family family)
{
    // A table that changes during the dump is flagged NLM_F_DUMP_INTR; a few more tries see a
    // quiet moment unless something is rewriting it in a loop.
    constexpr int attempts = 3;
    Result<std::vector<Bytes>> reply = Errc::DumpInterrupted;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        auto sequence = rtnetlink::next_sequence(sequence_);
        reply = transact(sequence, rtnetlink::dump_request(sequence, message_type, family));
        if (reply || reply.error() != Errc::DumpInterrupted)
            break;
    }
    return reply;
}

Result<Link> Netlink::single_link(std::uint32_t sequence, const Result<Bytes>& request)
{
    if (!request)
        return request.error();
    auto reply = transact(sequence, *request);
    if (!reply)
        return reply.error();
    if (reply->size() != 1)
        return Errc::Malformed;
    return rtnetlink::parse_newlink(reply->front());
}

Result<Link> Netlink::link(std::string_view name)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return single_link(sequence, rtnetlink::get_link_request(sequence, name));
}

Result<Link> Netlink::link(int index)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return single_link(sequence, rtnetlink::get_link_request(sequence, index));
}

Result<int> Netlink::link_index(std::string_view name)
{
    auto found = link(name);
    if (!found)
        return found.error();
    return found->index;
}

Result<std::vector<Link>> Netlink::links()
{
    auto reply = dump(RTM_GETLINK, Family::Ipv4);
    if (!reply)
        return reply.error();
    return parse_all(*reply, &rtnetlink::parse_newlink);
}

Result<LinkStatistics> Netlink::link_statistics(int index)
{
    auto found = link(index);
    if (!found)
        return found.error();
    if (!found->statistics)
        return Errc::MissingAttribute;
    return *found->statistics;
}

Result<void> Netlink::set_link_state(int index, AdminState state)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::set_link_state_request(sequence, index, state));
}

Result<void> Netlink::set_link_mtu(int index, std::uint32_t mtu)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::set_link_mtu_request(sequence, index, mtu));
}

Result<void> Netlink::add_link(std::string_view name, LinkKind kind)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::add_link_request(sequence, name, kind));
}

Result<void> Netlink::add_veth(std::string_view name, std::string_view peer_name)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::add_veth_request(sequence, name, peer_name));
}

Result<void> Netlink::delete_link(int index)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::delete_link_request(sequence, index));
}

Result<void> Netlink::add_address(const InterfaceAddress& address)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    auto result = execute(sequence, rtnetlink::address_request(sequence, Operation::Add, address));
    if (result && std::ranges::find(added_addresses_, address) == added_addresses_.end())
        added_addresses_.push_back(address);
    return result;
}

Result<void> Netlink::delete_address(const InterfaceAddress& address)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    auto result
        = execute(sequence, rtnetlink::address_request(sequence, Operation::Delete, address));
    if (result || already_gone(result.error()))
        std::erase(added_addresses_, address);
    return result;
}

Result<std::vector<InterfaceAddress>> Netlink::addresses(Family family)
{
    auto reply = dump(RTM_GETADDR, family);
    if (!reply)
        return reply.error();
    return parse_all(*reply, &rtnetlink::parse_newaddr);
}

Result<void> Netlink::flush_added_addresses()
{
    Error first_failure;
    std::vector<InterfaceAddress> remaining;
    for (const auto& address : added_addresses_) {
        auto sequence = rtnetlink::next_sequence(sequence_);
        auto result
            = execute(sequence, rtnetlink::address_request(sequence, Operation::Delete, address));
        if (result || already_gone(result.error()))
            continue;
        remaining.push_back(address);
        if (!first_failure)
            first_failure = result.error();
    }
    added_addresses_ = std::move(remaining);
    if (first_failure)
        return first_failure;
    return {};
}

Result<void> Netlink::add_route(const Route& route)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::route_request(sequence, Operation::Add, route));
}

Result<void> Netlink::replace_route(const Route& route)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::route_request(sequence, Operation::Replace, route));
}

Result<void> Netlink::delete_route(const Route& route)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::route_request(sequence, Operation::Delete, route));
}

Result<std::vector<Route>> Netlink::routes(Family family, std::uint32_t table)
{
    auto reply = dump(RTM_GETROUTE, family);
    if (!reply)
        return reply.error();
    std::vector<Route> routes;
    for (const auto& message : *reply) {
        if (rtnetlink::is_cloned_route(message))
            continue;
        auto route = rtnetlink::parse_newroute(message);
        if (!route)
            return route.error();
        if (route->table == table)
            routes.push_back(*route);
    }
    return routes;
}

Result<void> Netlink::add_rule(const Rule& rule)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::rule_request(sequence, Operation::Add, rule));
}

Result<void> Netlink::delete_rule(const Rule& rule)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return execute(sequence, rtnetlink::rule_request(sequence, Operation::Delete, rule));
}

Result<std::vector<Rule>> Netlink::rules(Family family)
{
    auto reply = dump(RTM_GETRULE, family);
    if (!reply)
        return reply.error();
    return parse_all(*reply, &rtnetlink::parse_newrule);
}

} // namespace uplink::net
