// The HTTPS connection's stream, private to the web module: OpenSSL over a Beast TCP stream (whose
// deadlines bound every read and write), behind completion handlers of one type-erased kind.
//
// Why erased: every composed operation Beast builds on a stream (read a header, read a body,
// write a reply, write an event) and every completion type instantiates the TLS stream's own
// read and write machinery again; written against asio::ssl::stream directly, those copies were
// a sixth of uplinkd's code. Here the TLS operations are compiled once each, in tls_stream.cpp,
// and what Beast compiles against this class is small.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstddef>
#include <vector>

namespace uplink::web {

class TlsStream {
public:
    using executor_type = boost::asio::any_io_executor;
    using ErrorCode = boost::system::error_code;
    using IoHandler = boost::asio::any_completion_handler<void(ErrorCode, std::size_t)>;
    using Handler = boost::asio::any_completion_handler<void(ErrorCode)>;

    TlsStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context);

    executor_type get_executor() { return lowest().get_executor(); }
    // The TCP stream under TLS: its deadlines (expires_after) apply to what TLS reads and writes.
    boost::beast::tcp_stream& lowest() { return stream_.next_layer(); }

    // As AsyncReadStream wants it. A read may fill the first buffer of the sequence only.
    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token)
    {
        boost::asio::mutable_buffer first = *boost::asio::buffer_sequence_begin(buffers);
        for (auto each = boost::asio::buffer_sequence_begin(buffers); each != boost::asio::buffer_sequence_end(buffers);
             ++each)
            if (boost::asio::mutable_buffer buffer = *each; buffer.size() > 0) {
                first = buffer;
                break;
            }
        return boost::asio::async_initiate<Token, void(ErrorCode, std::size_t)>(
            [this](IoHandler handler, boost::asio::mutable_buffer buffer) { read_some(buffer, std::move(handler)); },
            token, first);
    }

    // As AsyncWriteStream wants it. TLS sends one buffer per record, so a sequence of small buffers
    // (a reply's header and body) is gathered into one first, as Beast's flat_stream does.
    template <typename ConstBuffers, typename Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(ErrorCode, std::size_t)>(
            [this](IoHandler handler, boost::asio::const_buffer buffer) { write_some(buffer, std::move(handler)); },
            token, gathered(buffers));
    }

    template <typename Token>
    auto async_handshake(Token&& token)
    {
        return boost::asio::async_initiate<Token, void(ErrorCode)>(
            [this](Handler handler) { handshake(std::move(handler)); }, token);
    }

    template <typename Token>
    auto async_shutdown(Token&& token)
    {
        return boost::asio::async_initiate<Token, void(ErrorCode)>(
            [this](Handler handler) { shutdown(std::move(handler)); }, token);
    }

private:
    // The most gathered into one write; what is left goes in the next.
    static constexpr std::size_t gather_limit = 16 * 1024;

    template <typename ConstBuffers>
    boost::asio::const_buffer gathered(const ConstBuffers& buffers)
    {
        auto begin = boost::asio::buffer_sequence_begin(buffers);
        auto end = boost::asio::buffer_sequence_end(buffers);
        boost::asio::const_buffer first;
        std::size_t pieces = 0;
        for (auto each = begin; each != end; ++each)
            if (boost::asio::const_buffer buffer = *each; buffer.size() > 0 && pieces++ == 0)
                first = buffer;
        if (pieces <= 1 || first.size() >= gather_limit)
            return first;
        gather_.resize(std::min(boost::asio::buffer_size(buffers), gather_limit));
        gather_.resize(boost::asio::buffer_copy(boost::asio::buffer(gather_), buffers));
        return boost::asio::buffer(gather_);
    }

    void read_some(boost::asio::mutable_buffer buffer, IoHandler handler);
    void write_some(boost::asio::const_buffer buffer, IoHandler handler);
    void handshake(Handler handler);
    void shutdown(Handler handler);

    boost::asio::ssl::stream<boost::beast::tcp_stream> stream_;
    std::vector<char> gather_;   // the gathered bytes of the write under way
};

} // namespace uplink::web
