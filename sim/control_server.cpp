#include "sim/control_server.hpp"

#include "sim/control.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <sys/stat.h>
#include <sys/un.h>

namespace uplink::sim {

namespace asio = boost::asio;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

const LogFailure log_failure {"uplink-sim", "control socket"};

} // namespace

ControlServer::ControlServer(asio::io_context& context, std::filesystem::path path, Handler handler)
    : context_(context)
    , path_(std::move(path))
    , handler_(std::move(handler))
    , acceptor_(context)
{
}

ControlServer::~ControlServer()
{
    stop();
}

Result<void> ControlServer::start()
{
    if (path_.native().size() >= sizeof(sockaddr_un::sun_path))
        return Error(ENAMETOOLONG, boost::system::system_category());
    // A socket left by an earlier run is replaced; any other file is not ours to remove.
    struct stat status { };
    if (::lstat(path_.c_str(), &status) == 0) {
        if (!S_ISSOCK(status.st_mode))
            return Error(EEXIST, boost::system::system_category());
        std::filesystem::remove(path_);
    }
    boost::system::error_code error;
    acceptor_.open(asio::local::stream_protocol(), error);
    if (!error)
        acceptor_.bind(asio::local::stream_protocol::endpoint(path_.native()), error);
    if (!error)
        acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error)
        return error;
    listening_ = true;
    asio::co_spawn(context_, accept_loop(), log_failure);
    return {};
}

void ControlServer::stop()
{
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& socket : connections_)
        socket->close(ignored);
    connections_.clear();
    if (std::exchange(listening_, false)) {
        std::error_code removed;
        std::filesystem::remove(path_, removed);
    }
}

asio::awaitable<void> ControlServer::accept_loop()
{
    for (;;) {
        auto socket = std::make_shared<Socket>(context_);
        auto [error] = co_await acceptor_.async_accept(*socket, as_tuple(use_awaitable));
        if (error == asio::error::operation_aborted || !acceptor_.is_open())
            co_return;
        if (error) {
            log(LogLevel::Warning, "uplink-sim", "control socket accept: {}", error.message());
            continue;
        }
        connections_.insert(socket);
        asio::co_spawn(context_, serve(socket), log_failure);
    }
}

asio::awaitable<void> ControlServer::serve(std::shared_ptr<Socket> socket)
{
    std::string buffer;
    for (;;) {
        auto [error, size] = co_await asio::async_read_until(
            *socket, asio::dynamic_buffer(buffer, max_line), '\n', as_tuple(use_awaitable));
        if (error == asio::error::not_found) {
            auto reply = control_error("request line too long") + "\n";
            co_await asio::async_write(*socket, asio::buffer(reply), as_tuple(use_awaitable));
            break;
        }
        if (error)
            break;
        auto line = buffer.substr(0, size - 1);
        buffer.erase(0, size);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        auto reply = handler_(line) + "\n";
        auto [written, count]
            = co_await asio::async_write(*socket, asio::buffer(reply), as_tuple(use_awaitable));
        if (written)
            break;
    }
    boost::system::error_code ignored;
    socket->close(ignored);
    connections_.erase(socket);
}

} // namespace uplink::sim
