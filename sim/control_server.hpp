// The control socket: a unix stream socket speaking JSON lines, one request line answered by
// one reply line (docs/sim-control.md). Private to sim/.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <core/core.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace uplink::sim {

class ControlServer {
public:
    using Handler = std::function<std::string(std::string_view line)>;

    ControlServer(boost::asio::io_context& context, std::filesystem::path path, Handler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    Result<void> start();
    void stop(); // closes the listener and every connection, removes the socket file

    static constexpr std::size_t max_line = 65536;

private:
    using Socket = boost::asio::local::stream_protocol::socket;
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(std::shared_ptr<Socket> socket);

    boost::asio::io_context& context_;
    std::filesystem::path path_;
    Handler handler_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::set<std::shared_ptr<Socket>> connections_;
    bool listening_ = false;
};

} // namespace uplink::sim
