// The Asio owner of one AT port: one reader coroutine feeding the Framer, and commands that
// run one at a time in call order, each with its own timeout.
//
// Everything lives in a shared Impl: the reader and every transact() coroutine hold a
// shared_ptr to it, so the Channel may be destroyed while they are suspended.
#include "at/at.hpp"

#include <array>
#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <deque>
#include <exception>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace uplink::at {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace channel_detail {

enum class PortState { Open, Failed, Closed };

// One command's place in the queue. `signal` is a level-triggered event: it expires (and
// later waits complete at once) when it is the command's turn or when its result is set.
struct Pending {
    Pending(const asio::any_io_executor& executor, std::string command_line, Duration limit)
        : command(std::move(command_line))
        , timeout(limit)
        , signal(executor, asio::steady_timer::time_point::max())
    {
    }
    void wake() { signal.expires_at(asio::steady_timer::time_point {}); }
    void rearm() { signal.expires_at(asio::steady_timer::time_point::max()); }

    std::string command;
    Duration timeout;
    Reply reply;
    // A reply that came while a timed-out command's final was still owed, taken as that late
    // final. If no other final comes before this command's own timeout, the old command's
    // final was never coming (a modem booting ignores commands) and this reply is ours.
    std::optional<Reply> provisional;
    std::optional<Result<Reply>> result;
    std::size_t dropped_lines = 0; // past Channel::max_reply_lines
    bool turn = false;
    bool written = false; // begun in the Framer
    asio::steady_timer signal;
};

struct ChannelState {
    ChannelState(asio::any_io_executor io_executor, std::string port_name)
        : executor(std::move(io_executor))
        , name(std::move(port_name))
        , port(executor)
    {
    }

    asio::any_io_executor executor;
    std::string name;
    asio::posix::stream_descriptor port;
    Framer framer;
    std::deque<std::shared_ptr<Pending>> queue;
    std::shared_ptr<Pending> current;
    ChannelStats stats;
    int stale_finals = 0; // finals still owed to commands that timed out
    Reply late_reply;     // the lines received while a final is owed, and that final
    bool hung = false;
    bool closed_notified = false;
    PortState state = PortState::Open;
    std::uint64_t generation = 0; // bumped by reopen()/close(): an older reader stops
    std::function<void(const std::string&)> urc_handler;
    std::function<void(std::string_view, std::string_view)> trace_handler;
    std::function<void(Error)> closed_handler;
};

} // namespace channel_detail

// The private Impl of the header is the state above; the free functions below work on it.
struct Channel::Impl : channel_detail::ChannelState {
    using ChannelState::ChannelState;
};

namespace {

using channel_detail::Pending;
using channel_detail::PortState;
using Impl = channel_detail::ChannelState;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

void complete(Pending& pending, Result<Reply> result)
{
    if (pending.result)
        return;
    pending.result = std::move(result);
    pending.wake();
}

void fail_all(Impl& impl, Error error)
{
    if (impl.current)
        complete(*impl.current, error);
    for (auto& pending : impl.queue)
        complete(*pending, error);
    impl.queue.clear();
}

// Gives the turn to the next queued command when the port is free.
void advance(Impl& impl)
{
    if (impl.current || impl.queue.empty() || impl.hung || impl.state != PortState::Open)
        return;
    impl.current = impl.queue.front();
    impl.queue.pop_front();
    impl.current->turn = true;
    impl.current->wake();
}

Error refusal(const Impl& impl)
{
    if (impl.state != PortState::Open)
        return make_error_code(Errc::PortClosed);
    if (impl.hung)
        return make_error_code(Errc::PortHung);
    return {};
}

void port_failed(Impl& impl, Error reason)
{
    log(LogLevel::Debug, "at", "{}: port failed: {}", impl.name, reason.message());
    impl.state = PortState::Failed;
    ++impl.generation;
    Error ignored;
    impl.port.close(ignored);
    fail_all(impl, make_error_code(Errc::PortClosed));
    if (impl.closed_notified)
        return;
    impl.closed_notified = true;
    if (auto handler = impl.closed_handler)
        handler(reason);
}

void close_port(Impl& impl)
{
    impl.state = PortState::Closed;
    ++impl.generation;
    impl.stale_finals = 0;
    impl.late_reply = {};
    Error ignored;
    impl.port.close(ignored);
    fail_all(impl, make_error_code(Errc::Cancelled));
}

// Secrets are redacted in every line, not only in the command sent: a modem with echo on sends
// the command line back, and an echo that comes after the command's timeout is a late line or
// a URC, not an echo.
void trace(Impl& impl, std::string_view direction, std::string_view text)
{
    auto shown = redact_secrets(text);
    log(LogLevel::Debug, "at", "{}: {} {}", impl.name, direction, shown);
    if (impl.trace_handler)
        impl.trace_handler(direction, shown);
}

void dispatch(Impl& impl, FrameEvent event)
{
    switch (event.kind) {
    case FrameEvent::Kind::Urc:
        ++impl.stats.urcs;
        trace(impl, "urc", event.text);
        if (auto handler = impl.urc_handler)
            handler(event.text);
        return;
    case FrameEvent::Kind::Garbage:
        ++impl.stats.garbage;
        trace(impl, "garbage", event.text);
        return;
    case FrameEvent::Kind::Line:
        if (impl.stale_finals > 0) {
            trace(impl, "late line:", event.text);
            if (impl.late_reply.lines.size() < Channel::max_reply_lines)
                impl.late_reply.lines.push_back(std::move(event.text));
            return;
        }
        if (!impl.current || impl.current->result) {
            trace(impl, "late line dropped:", event.text);
            return;
        }
        if (impl.current->reply.lines.size() >= Channel::max_reply_lines) {
            if (impl.current->dropped_lines++ == 0)
                trace(impl, "dropped:", fmt::format("the reply's lines past {}", Channel::max_reply_lines));
            return;
        }
        trace(impl, "<", event.text);
        impl.current->reply.lines.push_back(std::move(event.text));
        return;
    case FrameEvent::Kind::Final:
        // The port answered: whatever came before, it is not hung.
        impl.stats.consecutive_timeouts = 0;
        if (impl.stale_finals > 0) {
            --impl.stale_finals;
            trace(impl, "late final:", event.text);
            impl.late_reply.final = std::move(*event.final);
            auto late = std::exchange(impl.late_reply, Reply {});
            // That final ended the Framer's command; the one written since is still in flight.
            if (impl.current && impl.current->written && !impl.current->result) {
                impl.current->provisional = std::move(late);
                impl.framer.begin_command(impl.current->command);
            }
            return;
        }
        if (!impl.current || impl.current->result)
            return;
        trace(impl, "<", event.text);
        impl.current->reply.final = std::move(*event.final);
        // A reply cut short is not handed to a parser as if it were whole.
        if (impl.current->dropped_lines > 0)
            complete(*impl.current, make_error_code(Errc::ReplyTooLong));
        else
            complete(*impl.current, std::move(impl.current->reply));
        return;
    }
}

bool reader_current(const Impl& impl, std::uint64_t generation)
{
    return impl.generation == generation && impl.state == PortState::Open;
}

asio::awaitable<void> read_loop(std::shared_ptr<Impl> self, std::uint64_t generation)
{
    std::array<char, 1024> buffer {};
    for (;;) {
        auto [error, size] = co_await self->port.async_read_some(asio::buffer(buffer), use_tuple);
        if (!reader_current(*self, generation))
            co_return;
        if (error) {
            // EOF, EIO and HUP: the device went away (a pty master closing gives EIO).
            port_failed(*self, error);
            co_return;
        }
        // Fed one line at a time, so what a line's events change (a command begun again
        // after a late final) applies to the next line.
        std::string_view bytes(buffer.data(), size);
        while (!bytes.empty()) {
            auto end = bytes.find_first_of("\r\n");
            auto piece = bytes.substr(0, end == std::string_view::npos ? bytes.size() : end + 1);
            bytes.remove_prefix(piece.size());
            for (auto& event : self->framer.feed(piece)) {
                dispatch(*self, std::move(event));
                if (!reader_current(*self, generation))
                    co_return; // a handler closed or reopened the channel
            }
        }
    }
}

void start_reader(const std::shared_ptr<Impl>& self)
{
    asio::co_spawn(self->executor, read_loop(self, self->generation),
        LogFailure {"at", self->name + ": reader stopped"});
}

// Writes the command and waits for its result (set by dispatch() or by a failure).
asio::awaitable<Result<void>> exchange(std::shared_ptr<Impl> self, std::shared_ptr<Pending> pending)
{
    std::string line = pending->command + "\r";
    trace(*self, ">", pending->command);
    auto [error, written] = co_await asio::async_write(self->port, asio::buffer(line), use_tuple);
    if (error && !pending->result)
        co_return error;
    while (!pending->result)
        co_await pending->signal.async_wait(use_tuple);
    co_return Result<void> {};
}

asio::awaitable<void> expire(asio::steady_timer& deadline)
{
    co_await deadline.async_wait(use_tuple);
}

Result<Reply> take_result(Pending& pending)
{
    auto result = std::move(*pending.result);
    return result;
}

void release(Impl& impl, const std::shared_ptr<Pending>& pending)
{
    if (impl.current == pending) {
        impl.current.reset();
        advance(impl);
    }
}

// A command that ends without its final: whatever final comes next belongs to it.
void abandon(Impl& impl, const std::shared_ptr<Pending>& pending)
{
    if (impl.current == pending && impl.framer.command_in_flight())
        ++impl.stale_finals;
}

void count_timeout(Impl& impl)
{
    ++impl.stats.timeouts;
    ++impl.stats.consecutive_timeouts;
    if (impl.stats.consecutive_timeouts >= Channel::hung_after && !impl.hung) {
        log(LogLevel::Debug, "at", "{}: {} timeouts in a row: hung", impl.name,
            impl.stats.consecutive_timeouts);
        impl.hung = true;
        for (auto& queued : impl.queue)
            complete(*queued, make_error_code(Errc::PortHung));
        impl.queue.clear();
    }
}

bool cancellation_requested(asio::cancellation_state state)
{
    return state.cancelled() != asio::cancellation_type::none;
}

asio::awaitable<Result<Reply>> run_transact(
    std::shared_ptr<Impl> self, std::string command, Duration timeout)
{
    // Cancellation by the caller is checked by hand so the queue is always left consistent.
    co_await asio::this_coro::throw_if_cancelled(false);
    if (auto refused = refusal(*self))
        co_return refused;
    auto pending = std::make_shared<Pending>(self->executor, std::move(command), timeout);
    self->queue.push_back(pending);
    advance(*self);
    while (!pending->turn && !pending->result) {
        co_await pending->signal.async_wait(use_tuple);
        if (!pending->turn && !pending->result
            && cancellation_requested(co_await asio::this_coro::cancellation_state)) {
            std::erase(self->queue, pending);
            co_return make_error_code(Errc::Cancelled);
        }
    }
    if (pending->result) {
        release(*self, pending);
        co_return take_result(*pending);
    }
    pending->rearm();
    ++self->stats.commands;
    self->framer.begin_command(pending->command);
    pending->written = true;
    asio::steady_timer deadline(self->executor, timeout);
    auto outcome = co_await (exchange(self, pending) || expire(deadline));
    if (pending->result) {
        release(*self, pending);
        co_return take_result(*pending);
    }
    if (outcome.index() == 1 && pending->provisional) {
        log(LogLevel::Debug, "at", "{}: no other final came: the late reply was to {}", self->name,
            redact_secrets(pending->command));
        auto reply = std::move(*pending->provisional);
        release(*self, pending);
        co_return reply;
    }
    abandon(*self, pending);
    if (outcome.index() == 0) {
        // The write failed: the reader will see the port go; this command is over.
        release(*self, pending);
        co_return make_error_code(Errc::PortClosed);
    }
    if (cancellation_requested(co_await asio::this_coro::cancellation_state)) {
        release(*self, pending);
        co_return make_error_code(Errc::Cancelled);
    }
    log(LogLevel::Debug, "at", "{}: timeout: {}", self->name, redact_secrets(pending->command));
    count_timeout(*self);
    release(*self, pending);
    co_return make_error_code(Errc::Timeout);
}

asio::awaitable<Result<Reply>> run_command(
    std::shared_ptr<Impl> self, std::string command, Duration timeout)
{
    auto reply = co_await run_transact(std::move(self), std::move(command), timeout);
    if (!reply)
        co_return reply;
    if (auto error = error_of(reply->final))
        co_return error;
    co_return reply;
}

} // namespace

Channel::Channel(boost::asio::any_io_executor executor, std::string name, int fd)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(name)))
{
    Error error;
    impl_->port.assign(fd, error);
    if (error) {
        log(LogLevel::Debug, "at", "{}: cannot use fd {}: {}", impl_->name, fd, error.message());
        ::close(fd);
        impl_->state = PortState::Failed;
        return;
    }
    start_reader(impl_);
}

Channel::~Channel()
{
    impl_->urc_handler = nullptr;
    impl_->trace_handler = nullptr;
    impl_->closed_handler = nullptr;
    close_port(*impl_);
}

boost::asio::awaitable<Result<Reply>> Channel::transact(std::string command, Duration timeout)
{
    return run_transact(impl_, std::move(command), timeout);
}

boost::asio::awaitable<Result<Reply>> Channel::command(std::string command, Duration timeout)
{
    return run_command(impl_, std::move(command), timeout);
}

void Channel::set_trace_handler(std::function<void(std::string_view, std::string_view)> handler)
{
    impl_->trace_handler = std::move(handler);
}

void Channel::set_urc_handler(std::function<void(const std::string&)> handler)
{
    impl_->urc_handler = std::move(handler);
}

void Channel::set_closed_handler(std::function<void(Error)> handler)
{
    impl_->closed_handler = std::move(handler);
}

Result<void> Channel::reopen(int fd)
{
    auto& impl = *impl_;
    ++impl.generation;
    Error ignored;
    impl.port.close(ignored);
    // The command in flight was written to the old descriptor; its reply is lost with it.
    if (impl.current)
        complete(*impl.current, make_error_code(Errc::PortClosed));
    impl.framer.reset();
    impl.stale_finals = 0;
    impl.late_reply = {};
    impl.stats.consecutive_timeouts = 0;
    impl.hung = false;
    impl.closed_notified = false;
    Error error;
    impl.port.assign(fd, error);
    if (error) {
        ::close(fd);
        impl.state = PortState::Failed;
        fail_all(impl, make_error_code(Errc::PortClosed));
        return error;
    }
    impl.state = PortState::Open;
    start_reader(impl_);
    advance(impl);
    return {};
}

void Channel::close()
{
    close_port(*impl_);
}

bool Channel::hung() const
{
    return impl_->hung;
}

const std::string& Channel::name() const
{
    return impl_->name;
}

ChannelStats Channel::stats() const
{
    return impl_->stats;
}

Result<int> open_serial_port(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return Error(errno, boost::system::system_category());
    termios settings {};
    if (::tcgetattr(fd, &settings) != 0) {
        Error error(errno, boost::system::system_category());
        ::close(fd);
        return error;
    }
    ::cfmakeraw(&settings);
    settings.c_cflag |= CLOCAL | CREAD;
    settings.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS);
    settings.c_cc[VMIN] = 1;
    settings.c_cc[VTIME] = 0;
    ::cfsetispeed(&settings, B115200);
    ::cfsetospeed(&settings, B115200);
    if (::tcsetattr(fd, TCSANOW, &settings) != 0) {
        Error error(errno, boost::system::system_category());
        ::close(fd);
        return error;
    }
    // A reply meant for the port's previous owner (a daemon stopped mid-command) may wait in
    // the input queue; taken for ours, it would shift every reply by one.
    ::tcflush(fd, TCIFLUSH);
    return fd;
}

} // namespace uplink::at
