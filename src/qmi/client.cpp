// The Asio owner of one QMI port: a reader coroutine feeding the Framer, a writer that sends
// one whole frame per write (cdc-wdm takes a message per write() call), and requests in
// flight together, each matched to its response by (service, client, transaction id).
//
// Everything lives in a shared Impl: the reader, the writer and every transact() coroutine
// hold a shared_ptr to it, so the Client may be destroyed while they are suspended.
#include "qmi/qmi.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <deque>
#include <map>
#include <tuple>
#include <unistd.h>

namespace uplink::qmi {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace client_detail {

struct Pending {
    Pending(const asio::any_io_executor& executor, std::uint16_t message_id)
        : id(message_id)
        , signal(executor, asio::steady_timer::time_point::max())
    {
    }
    void complete(Result<Message> outcome)
    {
        if (result)
            return;
        result = std::move(outcome);
        signal.expires_at(asio::steady_timer::time_point {});
    }

    std::uint16_t id;
    std::optional<Result<Message>> result;
    asio::steady_timer signal; // expires when the result is set
};

using Key = std::tuple<std::uint8_t, std::uint8_t, std::uint16_t>; // service, client, tid

struct ClientState {
    ClientState(asio::any_io_executor io_executor, std::string port_name)
        : executor(std::move(io_executor))
        , name(std::move(port_name))
        , port(executor)
    {
    }

    asio::any_io_executor executor;
    std::string name;
    asio::posix::stream_descriptor port;
    Framer framer;
    std::map<Key, std::shared_ptr<Pending>> pending;
    std::map<std::pair<std::uint8_t, std::uint8_t>, std::uint16_t> last_transaction;
    std::deque<std::vector<std::uint8_t>> outgoing;
    bool writing = false;
    bool open = true;
    std::function<void(const Message&)> indication_handler;
    std::function<void(std::string_view, const Message&)> trace_handler;
    std::function<void(Error)> closed_handler;
};

} // namespace client_detail

struct Client::Impl : client_detail::ClientState {
    using ClientState::ClientState;
};

namespace {

using client_detail::Key;
using client_detail::Pending;
using Impl = client_detail::ClientState;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);


void shut(Impl& impl, Error reason, bool notify)
{
    if (!impl.open)
        return;
    impl.open = false;
    Error ignored;
    impl.port.close(ignored);
    impl.outgoing.clear();
    auto pending = std::exchange(impl.pending, {});
    for (auto& [key, waiter] : pending)
        waiter->complete(make_error_code(Errc::Closed));
    if (notify)
        if (auto handler = impl.closed_handler)
            handler(reason);
}

void trace(Impl& impl, std::string_view direction, const Message& message)
{
    if (auto handler = impl.trace_handler)
        handler(direction, message);
}

void dispatch(Impl& impl, Message message)
{
    trace(impl, "<", message);
    if (message.type == MessageType::Indication) {
        if (auto handler = impl.indication_handler)
            handler(message);
        return;
    }
    if (message.type != MessageType::Response)
        return; // a request from the modem: not part of QMUX as hosts use it
    auto found = impl.pending.find(Key {static_cast<std::uint8_t>(message.service), message.client, message.transaction});
    if (found == impl.pending.end() || found->second->id != message.id) {
        // A response to a request that timed out, or to another client after a modem reboot.
        log(LogLevel::Debug, "qmi", "{}: unmatched response dropped: {}", impl.name, describe(message));
        return;
    }
    auto waiter = found->second;
    impl.pending.erase(found);
    waiter->complete(std::move(message));
}

asio::awaitable<void> read_loop(std::shared_ptr<Impl> self)
{
    std::array<std::uint8_t, Framer::max_frame> buffer {};
    while (self->open) {
        auto [error, size] = co_await self->port.async_read_some(asio::buffer(buffer), use_tuple);
        if (!self->open)
            co_return;
        if (error) {
            // EOF, EIO and HUP: the device went away (a pty master closing gives EIO).
            log(LogLevel::Debug, "qmi", "{}: port failed: {}", self->name, error.message());
            shut(*self, error, true);
            co_return;
        }
        for (auto& event : self->framer.feed(std::span(buffer.data(), size))) {
            if (event.message)
                dispatch(*self, std::move(*event.message));
            else
                log(LogLevel::Debug, "qmi", "{}: bad bytes dropped: {}", self->name, event.error.message());
            if (!self->open)
                co_return; // a handler closed the client
        }
    }
}

asio::awaitable<void> write_loop(std::shared_ptr<Impl> self)
{
    while (self->open && !self->outgoing.empty()) {
        auto frame = std::move(self->outgoing.front());
        self->outgoing.pop_front();
        auto [error, written] = co_await asio::async_write(self->port, asio::buffer(frame), use_tuple);
        if (error && self->open) {
            log(LogLevel::Debug, "qmi", "{}: write failed: {}", self->name, error.message());
            shut(*self, error, true);
        }
    }
    self->writing = false;
}

Result<void> send(const std::shared_ptr<Impl>& self, const Message& message)
{
    auto frame = encode(message);
    if (!frame)
        return frame.error();
    trace(*self, ">", message);
    self->outgoing.push_back(std::move(*frame));
    if (self->writing)
        return {};
    self->writing = true;
    asio::co_spawn(self->executor, write_loop(self),
        LogFailure {"qmi", self->name + ": writer stopped"});
    return {};
}

// libqmi numbers each client's requests from 1 and wraps to 1 after 0xFF (CTL) or 0xFFFF,
// skipping ids still waiting for their response.
std::uint16_t next_transaction(Impl& impl, Service service, std::uint8_t client)
{
    auto limit = service == Service::Ctl ? 0xffu : 0xffffu;
    auto& last = impl.last_transaction[{static_cast<std::uint8_t>(service), client}];
    for (unsigned tries = 0; tries < limit; ++tries) {
        last = static_cast<std::uint16_t>(last >= limit ? 1 : last + 1);
        if (!impl.pending.contains(Key {static_cast<std::uint8_t>(service), client, last}))
            break;
    }
    return last;
}

asio::awaitable<void> wait_for(std::shared_ptr<Pending> pending)
{
    while (!pending->result)
        co_await pending->signal.async_wait(use_tuple);
}

asio::awaitable<void> expire(std::shared_ptr<asio::steady_timer> deadline)
{
    co_await deadline->async_wait(use_tuple);
}

asio::awaitable<Result<Message>> run_transact(std::shared_ptr<Impl> self, Message request, Duration timeout)
{
    if (!self->open)
        co_return make_error_code(Errc::Closed);
    request.type = MessageType::Request;
    request.transaction = next_transaction(*self, request.service, request.client);
    Key key {static_cast<std::uint8_t>(request.service), request.client, request.transaction};
    auto pending = std::make_shared<Pending>(self->executor, request.id);
    if (auto sent = send(self, request); !sent) {
        log(LogLevel::Debug, "qmi", "{}: not sent: {}: {}", self->name, describe(request), sent.error().message());
        co_return sent.error();
    }
    self->pending[key] = pending;
    auto deadline = std::make_shared<asio::steady_timer>(self->executor, timeout);
    co_await (wait_for(pending) || expire(deadline));
    if (pending->result)
        co_return std::move(*pending->result);
    self->pending.erase(key);
    log(LogLevel::Debug, "qmi", "{}: timeout: {}", self->name, describe(request));
    co_return make_error_code(Errc::Timeout);
}

asio::awaitable<Result<Message>> run_call(std::shared_ptr<Impl> self, Message request, Duration timeout)
{
    auto response = co_await run_transact(std::move(self), std::move(request), timeout);
    if (!response)
        co_return response;
    if (auto error = result_of(*response))
        co_return error;
    co_return response;
}

asio::awaitable<Result<std::uint8_t>> run_allocate(std::shared_ptr<Impl> self, Service service, Duration timeout)
{
    Message request {Service::Ctl, 0, MessageType::Request, 0, ctl::allocate_cid, {}};
    request.add(0x01, {static_cast<std::uint8_t>(service)});
    auto response = co_await run_call(std::move(self), std::move(request), timeout);
    if (!response)
        co_return response.error();
    // TLV 0x01 {u8 service, u8 client id}
    const auto* allocation = response->find(0x01);
    if (!allocation)
        co_return make_error_code(Errc::MissingTlv);
    TlvReader reader(allocation->value);
    auto granted_service = reader.u8();
    auto client = reader.u8();
    if (reader.failed())
        co_return make_error_code(Errc::Truncated);
    if (granted_service != static_cast<std::uint8_t>(service))
        co_return make_error_code(Errc::BadLength);
    co_return client;
}

asio::awaitable<Result<void>> run_release(
    std::shared_ptr<Impl> self, Service service, std::uint8_t client, Duration timeout)
{
    Message request {Service::Ctl, 0, MessageType::Request, 0, ctl::release_cid, {}};
    request.add(0x01, {static_cast<std::uint8_t>(service), client});
    auto response = co_await run_call(std::move(self), std::move(request), timeout);
    if (!response)
        co_return response.error();
    co_return Result<void> {};
}

} // namespace

Client::Client(boost::asio::any_io_executor executor, std::string name, int fd)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(name)))
{
    Error error;
    impl_->port.assign(fd, error);
    if (error) {
        log(LogLevel::Debug, "qmi", "{}: cannot use fd {}: {}", impl_->name, fd, error.message());
        ::close(fd);
        impl_->open = false;
        return;
    }
    asio::co_spawn(impl_->executor, read_loop(impl_),
        LogFailure {"qmi", impl_->name + ": reader stopped"});
}

Client::~Client()
{
    impl_->indication_handler = nullptr;
    impl_->trace_handler = nullptr;
    impl_->closed_handler = nullptr;
    shut(*impl_, {}, false);
}

boost::asio::awaitable<Result<Message>> Client::transact(Message request, Duration timeout)
{
    return run_transact(impl_, std::move(request), timeout);
}

boost::asio::awaitable<Result<Message>> Client::call(Message request, Duration timeout)
{
    return run_call(impl_, std::move(request), timeout);
}

boost::asio::awaitable<Result<std::uint8_t>> Client::allocate_client(Service service, Duration timeout)
{
    return run_allocate(impl_, service, timeout);
}

boost::asio::awaitable<Result<void>> Client::release_client(Service service, std::uint8_t client, Duration timeout)
{
    return run_release(impl_, service, client, timeout);
}

void Client::set_indication_handler(std::function<void(const Message&)> handler)
{
    impl_->indication_handler = std::move(handler);
}

void Client::set_trace_handler(std::function<void(std::string_view, const Message&)> handler)
{
    impl_->trace_handler = std::move(handler);
}

void Client::set_closed_handler(std::function<void(Error)> handler)
{
    impl_->closed_handler = std::move(handler);
}

void Client::close()
{
    shut(*impl_, {}, false);
}

const std::string& Client::name() const
{
    return impl_->name;
}

} // namespace uplink::qmi
