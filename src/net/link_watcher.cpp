// LinkWatcher (net.hpp): rtnetlink multicast over Asio, kept in a LinkTable.
//
// One NETLINK_ROUTE socket, subscribed before anything is dumped, carries the dumps and the
// events alike, and the kernel queues both in the order they happen: each datagram of a dump is
// filled from the tables as they are at that moment, when the request is sent or the datagram
// before it read (netlink_dump() from netlink_dump_start() and netlink_recvmsg()), and queued
// behind the events already there; each later change queues its event behind it. Applying every
// message in the order it is read leaves the table as the kernel is, with no event applied over
// a newer dump.
//
// When the socket's queue is full the kernel drops events and says so once, as ENOBUFS from
// recvmsg() (netlink_overrun()): the table is then dumped again from empty. A dump that is running
// is read to its end first, as the kernel refuses a second one on the socket while one runs
// (netlink_dump_start(): EBUSY).
#include "net/link_table.hpp"
#include "net/message.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

namespace uplink::net {

namespace {

namespace asio = boost::asio;
using rtnetlink::Bytes;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The groups whose messages make a LinkView (rtnetlink.h enum rtnetlink_groups).
constexpr unsigned groups[] = {
    RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE};

// What the table is filled from, one dump at a time (links ignore the family).
struct Dump {
    std::uint16_t type;
    Family family;
};
constexpr Dump dumps[] = {{RTM_GETLINK, Family::Ipv4}, {RTM_GETADDR, Family::Ipv4},
    {RTM_GETADDR, Family::Ipv6}, {RTM_GETROUTE, Family::Ipv4}, {RTM_GETROUTE, Family::Ipv6}};

// Datagrams read in one wake-up before the views are compared: a burst of events comes as one
// call, and a stream of them that never pauses is still reported.
constexpr int datagrams_per_batch = 64;

// After a failure of the socket itself (not lost events): a pause, so that one that persists
// cannot spin the loop.
constexpr Duration retry_delay = 1s;

struct OpenSocket {
    int descriptor = -1;
    std::uint32_t port = 0;
};

Result<OpenSocket> open_socket()
{
    int descriptor = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (descriptor < 0)
        return kernel_error(errno);
    auto fail = [descriptor] {
        auto error = kernel_error(errno);
        ::close(descriptor);
        return error;
    };
    sockaddr_nl address {};
    address.nl_family = AF_NETLINK; // nl_pid 0: the kernel picks our port
    socklen_t length = sizeof address;
    if (::bind(descriptor, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0
        || ::getsockname(descriptor, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        return fail();
    for (unsigned group : groups)
        if (::setsockopt(descriptor, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group)
            != 0)
            return fail();
    return OpenSocket {descriptor, address.nl_pid};
}

// One datagram from the kernel if one is queued: its size, or 0 when none is. ENOBUFS when the
// kernel dropped messages for a full queue; Errc::Truncated for a datagram past the buffer.
Result<std::size_t> receive(int socket, Bytes& buffer)
{
    for (;;) {
        sockaddr_nl sender {};
        iovec vector {buffer.data(), buffer.size()};
        msghdr header {};
        header.msg_name = &sender;
        header.msg_namelen = sizeof sender;
        header.msg_iov = &vector;
        header.msg_iovlen = 1;
        ssize_t received = ::recvmsg(socket, &header, MSG_DONTWAIT);
        if (received < 0 && errno == EINTR)
            continue;
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (received < 0)
            return kernel_error(errno);
        if (header.msg_flags & MSG_TRUNC)
            return Errc::Truncated;
        // Another process may send to our port; only the kernel (port 0) speaks for the tables,
        // and never with an empty datagram.
        if (sender.nl_pid != 0 || received == 0)
            continue;
        return static_cast<std::size_t>(received);
    }
}

Result<void> send(int socket, const Bytes& request)
{
    ssize_t sent = -1;
    do
        sent = ::send(socket, request.data(), request.size(), 0);
    while (sent < 0 && errno == EINTR);
    if (sent < 0)
        return kernel_error(errno);
    if (static_cast<std::size_t>(sent) != request.size())
        return Errc::Truncated;
    return {};
}

bool events_lost(const Error& error)
{
    return error == boost::system::errc::no_buffer_space;
}

} // namespace

struct LinkWatcher::State {
    State(asio::any_io_executor executor, std::uint32_t port, std::vector<std::string> names,
        Changed changed)
        : socket(executor)
        , retry(executor)
        , port(port)
        , names(std::move(names))
        , changed(std::move(changed))
    {
    }

    static asio::awaitable<void> run(std::shared_ptr<State> state);
    asio::awaitable<Result<void>> synchronize();
    asio::awaitable<Result<void>> follow();
    asio::awaitable<Result<RouteKnowledge>> read_batch(rtnetlink::Exchange* dump);
    RouteKnowledge apply(std::span<const std::uint8_t> datagram);
    void report();
    void stop();

    asio::posix::stream_descriptor socket;
    asio::steady_timer retry;
    std::uint32_t port;
    std::uint32_t sequence = 0;
    std::vector<std::string> names;
    Changed changed;
    LinkTable table;
    std::map<std::string, LinkView, std::less<>> reported;
    Bytes buffer = Bytes(rtnetlink::receive_capacity);
    bool stopped = false;
};

asio::awaitable<void> LinkWatcher::State::run(std::shared_ptr<State> state)
{
    while (!state->stopped) {
        // follow() returns once the table must be dumped again: routes were deleted silently
        // (a value), or events were lost or the socket failed (an error).
        auto outcome = co_await state->synchronize();
        if (outcome)
            outcome = co_await state->follow();
        if (state->stopped)
            co_return;
        if (outcome) {
            log(LogLevel::Debug, "net", "link watcher: dumping again (routes deleted silently)");
            continue;
        }
        auto error = outcome.error();
        log(LogLevel::Debug, "net", "link watcher: dumping again ({})", error.message());
        if (events_lost(error) || error == Errc::DumpInterrupted)
            continue;
        state->retry.expires_after(retry_delay);
        co_await state->retry.async_wait(use_tuple);
    }
}

// Empties the table and fills it from the dumps, with the events that arrive in between applied
// in their place. DumpInterrupted when the kernel flagged a dump (NLM_F_DUMP_INTR: an address dump
// may then have skipped one that did not change), or when routes were deleted silently during it.
asio::awaitable<Result<void>> LinkWatcher::State::synchronize()
{
    table.clear();
    Error lost;
    auto knowledge = RouteKnowledge::Current;
    for (auto [type, family] : dumps) {
        // 0 is what the kernel's own notifications carry: never a request's.
        if (++sequence == 0)
            sequence = 1;
        if (auto sent
            = send(socket.native_handle(), rtnetlink::dump_request(sequence, type, family));
            !sent)
            co_return sent.error();
        rtnetlink::Exchange dump(sequence, port, rtnetlink::Exchange::Keep::Nothing);
        while (!dump.finished()) {
            auto batch = co_await read_batch(&dump);
            if (!batch && events_lost(batch.error()))
                lost = batch.error(); // this dump still runs: read it to its end
            else if (!batch)
                co_return batch.error();
            else if (*batch == RouteKnowledge::Stale)
                knowledge = RouteKnowledge::Stale;
        }
        if (dump.error())
            co_return dump.error();
        if (lost)
            co_return lost;
    }
    if (knowledge == RouteKnowledge::Stale)
        co_return Errc::DumpInterrupted;
    co_return Result<void> {};
}

// Applies events and reports the views they change, until the table must be dumped again.
asio::awaitable<Result<void>> LinkWatcher::State::follow()
{
    report();
    for (;;) {
        auto batch = co_await read_batch(nullptr);
        if (!batch)
            co_return batch.error();
        if (*batch == RouteKnowledge::Stale)
            co_return Result<void> {};
        report();
    }
}

// Waits until the socket is readable, then applies what is queued, up to datagrams_per_batch
// datagrams, and hands each to the running dump, if any, to follow it to its end.
asio::awaitable<Result<RouteKnowledge>> LinkWatcher::State::read_batch(rtnetlink::Exchange* dump)
{
    auto [error] = co_await socket.async_wait(asio::posix::descriptor_base::wait_read, use_tuple);
    if (error)
        co_return error;
    auto knowledge = RouteKnowledge::Current;
    for (int count = 0; count < datagrams_per_batch; ++count) {
        auto received = receive(socket.native_handle(), buffer);
        if (!received)
            co_return received.error();
        if (*received == 0)
            break;
        std::span<const std::uint8_t> datagram(buffer.data(), *received);
        if (dump)
            dump->feed(datagram);
        if (apply(datagram) == RouteKnowledge::Stale)
            knowledge = RouteKnowledge::Stale;
    }
    co_return knowledge;
}

RouteKnowledge LinkWatcher::State::apply(std::span<const std::uint8_t> datagram)
{
    auto knowledge = RouteKnowledge::Current;
    for (rtnetlink::MessageReader reader(datagram); !reader.at_end();) {
        auto message = reader.next();
        auto applied = message ? table.apply(*message) : message.error();
        if (!applied)
            log(LogLevel::Debug, "net", "link watcher: message skipped: {}",
                applied.error().message());
        else if (*applied == RouteKnowledge::Stale)
            knowledge = RouteKnowledge::Stale;
    }
    return knowledge;
}

// Calls back with each watched view that differs from the one last reported.
void LinkWatcher::State::report()
{
    for (const auto& name : names) {
        auto view = table.view(name);
        auto last = reported.find(name);
        if (last != reported.end() && last->second == view)
            continue;
        reported.insert_or_assign(name, view);
        changed(view);
        if (stopped)
            return;
    }
}

void LinkWatcher::State::stop()
{
    stopped = true;
    Error ignored;
    socket.close(ignored);
    retry.cancel();
}

Result<LinkWatcher> LinkWatcher::start(
    asio::any_io_executor executor, std::vector<std::string> names, Changed changed)
{
    auto open = open_socket();
    if (!open)
        return open.error();
    auto state
        = std::make_shared<State>(executor, open->port, std::move(names), std::move(changed));
    Error error;
    state->socket.assign(open->descriptor, error);
    if (error) {
        ::close(open->descriptor);
        return error;
    }
    asio::co_spawn(executor, State::run(state), LogFailure {"net", "link watcher stopped"});
    return LinkWatcher(std::move(state));
}

LinkWatcher::LinkWatcher(std::shared_ptr<State> state)
    : state_(std::move(state))
{
}

LinkWatcher::LinkWatcher(LinkWatcher&&) noexcept = default;

LinkWatcher& LinkWatcher::operator=(LinkWatcher&& other) noexcept
{
    if (this != &other) {
        stop();
        state_ = std::move(other.state_);
    }
    return *this;
}

LinkWatcher::~LinkWatcher()
{
    stop();
}

void LinkWatcher::stop()
{
    if (state_)
        state_->stop();
}

} // namespace uplink::net
