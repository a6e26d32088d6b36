// The TLS stream's operations, compiled once each (tls_stream.hpp says why).
#include "web/tls_stream.hpp"

#include <boost/asio/bind_executor.hpp>

#include <utility>

namespace uplink::web {

namespace {

// The handler with the stream's executor as its own: an erased handler's executor cannot be
// asked for a never-blocking post in Boost 1.81 (Asio 1.26), as the TLS operations do. Both are
// the daemon's one io_context; the cancellation slot (which `||` uses) passes through unchanged.
template <typename Handler>
auto on_stream(TlsStream& stream, Handler handler)
{
    return boost::asio::bind_executor(stream.get_executor(), std::move(handler));
}

} // namespace

TlsStream::TlsStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context)
    : stream_(boost::beast::tcp_stream(std::move(socket)), context)
{
}

void TlsStream::read_some(boost::asio::mutable_buffer buffer, IoHandler handler)
{
    stream_.async_read_some(buffer, on_stream(*this, std::move(handler)));
}

void TlsStream::write_some(boost::asio::const_buffer buffer, IoHandler handler)
{
    stream_.async_write_some(buffer, on_stream(*this, std::move(handler)));
}

void TlsStream::handshake(Handler handler)
{
    stream_.async_handshake(boost::asio::ssl::stream_base::server, on_stream(*this, std::move(handler)));
}

void TlsStream::shutdown(Handler handler)
{
    stream_.async_shutdown(on_stream(*this, std::move(handler)));
}

} // namespace uplink::web
