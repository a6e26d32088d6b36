// The unix-socket transport: accepts connections, reads request lines, writes reply lines,
// and streams events. All JSON work is in LineProtocol.
#include "api/api.hpp"
#include "api/protocol.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <deque>
#include <list>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace uplink::api {

namespace asio = boost::asio;
using asio::as_tuple;
using asio::use_awaitable;
using asio::local::stream_protocol;
using namespace asio::experimental::awaitable_operators;

namespace {

// A client that reads events slower than they come is dropped rather than buffered without bound.
constexpr std::size_t max_pending_events = 512;
constexpr std::size_t max_connections = 32;

Error system_error(int number)
{
    return Error(number, boost::system::system_category());
}

// Who is on the other end: the kernel's credentials of the peer process (SO_PEERCRED, unix(7)),
// which it cannot forge. They decide its rights, and name it in the audit log.
struct Peer {
    std::string description;   // "the unix socket (uid 0, pid 812)"
    PeerRights rights = PeerRights::ReadOnly;
};

Peer peer_of(stream_protocol::socket& socket)
{
    ucred credentials {};
    socklen_t length = sizeof(credentials);
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0)
        return {"the unix socket (peer unknown)", PeerRights::ReadOnly};
    bool trusted = credentials.uid == 0 || credentials.uid == ::geteuid();
    return {fmt::format("the unix socket (uid {}, pid {})", credentials.uid, credentials.pid),
            trusted ? PeerRights::Everything : PeerRights::ReadOnly};
}

// `mkdir -p` with mode 0755 for every directory it creates.
Result<void> create_parent_directories(const std::string& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0)
        return {};
    std::string parent = path.substr(0, slash);
    for (std::size_t position = 1; position <= parent.size(); ++position) {
        if (position != parent.size() && parent[position] != '/')
            continue;
        std::string prefix = parent.substr(0, position);
        if (::mkdir(prefix.c_str(), 0755) == 0) {
            ::chmod(prefix.c_str(), 0755);   // the umask may have taken bits away
            continue;
        }
        if (errno != EEXIST)
            return system_error(errno);
    }
    struct stat status {};
    if (::stat(parent.c_str(), &status) != 0)
        return system_error(errno);
    if (!S_ISDIR(status.st_mode))
        return system_error(ENOTDIR);
    return {};
}

// A socket file left by a daemon that died is removed; one that still answers is not ours.
Result<void> remove_stale_socket(const std::string& path)
{
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0)
        return errno == ENOENT ? Result<void>{} : Result<void>{system_error(errno)};
    if (!S_ISSOCK(status.st_mode))
        return system_error(EEXIST);
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0)
        return system_error(errno);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof(address.sun_path) - 1);
    int connected = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    ::close(probe);
    if (connected == 0)
        return system_error(EADDRINUSE);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return system_error(errno);
    return {};
}

} // namespace

struct Connection {
    explicit Connection(stream_protocol::socket accepted)
        : socket(std::move(accepted)), wake(socket.get_executor()), peer(peer_of(socket))
    {
    }

    void close()
    {
        closing = true;
        subscription.reset();
        boost::system::error_code ignored;
        socket.close(ignored);
        wake.cancel();
    }

    stream_protocol::socket socket;
    asio::steady_timer wake;              // cancelled when an event is queued
    Peer peer;
    std::deque<std::string> pending_events;
    bool overflowed = false;
    bool closing = false;
    // optional: reset() runs the Subscription's destructor, which is what unsubscribes.
    std::optional<modem::Manager::Subscription> subscription;
};

struct Server::Impl {
    Impl(asio::any_io_executor executor_, ServerOptions options_, ModemSource& source_)
        : executor(std::move(executor_)), options(std::move(options_)), source(source_),
          protocol(source_, options.info), acceptor(executor)
    {
    }

    asio::any_io_executor executor;
    ServerOptions options;
    ModemSource& source;
    LineProtocol protocol;
    stream_protocol::acceptor acceptor;
    std::list<std::shared_ptr<Connection>> connections;
    bool running = false;

    static asio::awaitable<void> accept_connections(std::shared_ptr<Impl> impl);
    static asio::awaitable<void> serve(std::shared_ptr<Impl> impl, std::shared_ptr<Connection> connection);
    static asio::awaitable<void> follow_events(std::shared_ptr<Impl> impl, std::shared_ptr<Connection> connection);
};

namespace {

asio::awaitable<void> wait_until_closed(std::shared_ptr<Connection> connection)
{
    // The stream is one-way; whatever the client still sends is read and dropped.
    std::array<char, 512> scratch{};
    for (;;) {
        auto [error, size] = co_await connection->socket.async_read_some(asio::buffer(scratch), as_tuple(use_awaitable));
        if (error)
            co_return;
    }
}

asio::awaitable<void> pump_events(std::shared_ptr<Connection> connection)
{
    for (;;) {
        while (!connection->pending_events.empty()) {
            auto line = std::move(connection->pending_events.front());
            connection->pending_events.pop_front();
            auto [error, size] = co_await asio::async_write(connection->socket, asio::buffer(line),
                                                            as_tuple(use_awaitable));
            if (error)
                co_return;
        }
        if (connection->overflowed) {
            log(LogLevel::Debug, "api", "dropping an event client that fell {} events behind", max_pending_events);
            co_return;
        }
        if (connection->closing)
            co_return;
        connection->wake.expires_at(asio::steady_timer::time_point::max());
        co_await connection->wake.async_wait(as_tuple(use_awaitable));
    }
}

} // namespace

asio::awaitable<void> Server::Impl::follow_events(std::shared_ptr<Impl> impl, std::shared_ptr<Connection> connection)
{
    Connection* raw = connection.get();   // the subscription is dropped before the connection goes
    connection->subscription.emplace(impl->source.subscribe([raw](const modem::Event& event) {
        if (raw->pending_events.size() >= max_pending_events)
            raw->overflowed = true;
        else
            raw->pending_events.push_back(LineProtocol::event_line(event));
        raw->wake.cancel();
    }));
    co_await (wait_until_closed(connection) || pump_events(connection));
    connection->subscription.reset();
}

asio::awaitable<void> expire_after(asio::steady_timer& timer, Duration timeout)
{
    timer.expires_after(timeout);
    co_await timer.async_wait(as_tuple(use_awaitable));
}

asio::awaitable<void> Server::Impl::serve(std::shared_ptr<Impl> impl, std::shared_ptr<Connection> connection)
{
    std::string buffer;
    asio::steady_timer idle(impl->executor);
    for (;;) {
        // One byte over the limit, so a line of exactly max_request_line bytes plus '\n' fits.
        // A client that holds a connection and sends nothing gives up its slot after idle_timeout.
        auto read = co_await (asio::async_read_until(connection->socket, asio::dynamic_buffer(buffer, max_request_line + 1),
                                                     '\n', as_tuple(use_awaitable))
                              || expire_after(idle, impl->options.idle_timeout));
        if (read.index() == 1) {
            log(LogLevel::Debug, "api", "closing {}: no request for {} s", connection->peer.description,
                std::chrono::duration_cast<std::chrono::seconds>(impl->options.idle_timeout).count());
            break;
        }
        auto [error, size] = std::get<0>(read);
        if (error == asio::error::not_found) {
            auto line = LineProtocol::too_large_line();
            co_await asio::async_write(connection->socket, asio::buffer(line), as_tuple(use_awaitable));
            break;
        }
        if (error)
            break;
        std::string line = buffer.substr(0, size - 1);
        buffer.erase(0, size);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();

        auto answer = co_await impl->protocol.answer(std::move(line), connection->peer.description,
                                                     connection->peer.rights);
        if (connection->closing)
            break;
        if (answer.then == Answer::Then::FollowEvents) {
            // Subscribed before the reply goes out, so a client that has read the reply has
            // missed no event.
            connection->pending_events.push_back(std::move(answer.line));
            co_await follow_events(impl, connection);
            break;
        }
        if (!answer.line.empty()) {
            auto [write_error, written] = co_await asio::async_write(connection->socket, asio::buffer(answer.line),
                                                                     as_tuple(use_awaitable));
            if (write_error)
                break;
        }
        if (answer.then == Answer::Then::Close)
            break;
    }
    connection->close();
}

asio::awaitable<void> Server::Impl::accept_connections(std::shared_ptr<Impl> impl)
{
    while (impl->running) {
        auto [error, socket] = co_await impl->acceptor.async_accept(as_tuple(use_awaitable));
        if (error == asio::error::operation_aborted || !impl->running)
            co_return;
        if (error) {
            log(LogLevel::Warning, "api", "accepting on {} failed: {}", impl->options.socket_path, error.message());
            continue;
        }
        if (impl->connections.size() >= max_connections) {
            log(LogLevel::Warning, "api", "refusing a client: already {} connections", max_connections);
            continue;   // the socket closes as it goes out of scope
        }
        auto connection = std::make_shared<Connection>(std::move(socket));
        impl->connections.push_back(connection);
        asio::co_spawn(impl->executor, serve(impl, connection), [impl, connection](std::exception_ptr exception) {
            LogFailure {"api", "a client connection failed"}(exception);
            connection->close();
            impl->connections.remove(connection);
        });
    }
}

Server::Server(asio::any_io_executor executor, ServerOptions options, ModemSource& source)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), source))
{
}

Server::~Server() { stop(); }

Result<void> Server::start()
{
    if (impl_->running)
        return {};
    const auto& path = impl_->options.socket_path;
    if (path.empty() || path.front() != '/')
        return system_error(EINVAL);
    if (path.size() >= sizeof(sockaddr_un::sun_path))
        return system_error(ENAMETOOLONG);
    if (auto created = create_parent_directories(path); !created)
        return created.error();
    if (auto removed = remove_stale_socket(path); !removed)
        return removed.error();

    boost::system::error_code error;
    stream_protocol::endpoint endpoint(path);
    impl_->acceptor.open(endpoint.protocol(), error);
    // The socket file is made with its mode: bind() gives it 0777 less the umask, so the umask
    // is the mode's complement while it runs, and there is no moment when the file is more open
    // than meant. Its group is set before anyone can connect (listen()).
    const auto& group = impl_->options.group;
    mode_t mode = group ? 0660 : 0600;
    if (!error) {
        auto umask = ::umask(~mode & 0777);
        impl_->acceptor.bind(endpoint, error);
        ::umask(umask);
    }
    if (!error && group && ::chown(path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(*group)) != 0)
        error = system_error(errno);
    if (!error)
        impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        boost::system::error_code ignored;
        impl_->acceptor.close(ignored);
        return error;
    }
    impl_->running = true;
    auto impl = impl_;
    asio::co_spawn(impl->executor, Impl::accept_connections(impl),
        LogFailure {"api", "the API stopped accepting connections"});
    return {};
}

void Server::stop()
{
    if (!impl_->running)
        return;
    impl_->running = false;
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto& connection : impl_->connections)
        connection->close();
    ::unlink(impl_->options.socket_path.c_str());
}

const std::string& Server::socket_path() const { return impl_->options.socket_path; }

std::size_t Server::connection_count() const { return impl_->connections.size(); }

} // namespace uplink::api
