// The HTTPS and HTTP listeners: one coroutine per connection, reading each request within the
// limits and deadlines, passing it through the gate to the API, and answering. The only file of
// uplink that includes Beast (about 35 s to compile: keep it that way).
#include "web/assets.hpp"
#include "web/metrics.hpp"
#include "web/rules.hpp"
#include "web/tls_stream.hpp"
#include "web/web.hpp"

#include <auth/auth.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/ssl.h>

#include <net/if.h>
#include <sys/socket.h>

#include <deque>
#include <list>
#include <map>

namespace uplink::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::as_tuple;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

namespace {

enum class Listener { Https, Http };
// How a connection ends: with TLS's close_notify after a reply that said `Connection: close`, by
// discarding what the client still sends (a refused request: closing with unread bytes would
// reset the connection and could destroy the reply in flight), or at once (the client left or
// timed out).
enum class Ending { Graceful, Linger, Abrupt };

using PlainStream = beast::tcp_stream;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// TLS 1.2's forward-secret AEAD suites, for an EC (ours) or RSA (a user's) key; TLS 1.3's
// suites are all of that kind, and OpenSSL's defaults for them stay.
constexpr const char* tls12_ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";
// Bytes a refused request may still send, and for how long, before the connection is closed anyway.
constexpr std::size_t linger_bytes = 1024 * 1024;
constexpr auto linger_time = 2s;
constexpr auto tls_shutdown_time = 1s;
constexpr std::size_t shown_path_length = 200;

template <typename Stream>
struct Connection {
    Connection(Stream stream_, std::string peer_, std::string local_host_)
        : stream(std::move(stream_)), peer(std::move(peer_)), local_host(std::move(local_host_))
    {
    }
    Stream stream;
    std::string peer;          // "192.168.1.20", for the gate and the log
    std::string local_host;    // the address the client reached, for a redirect without Host
};

struct Acceptor {
    Acceptor(asio::any_io_executor executor, Listener kind_) : acceptor(std::move(executor)), kind(kind_) {}
    tcp::acceptor acceptor;
    Listener kind;
    std::string name;          // "127.0.0.1:443"
};

std::string endpoint_name(const asio::ip::address& address, std::uint16_t port)
{
    return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), port)
                           : fmt::format("{}:{}", address.to_string(), port);
}

HttpResponse to_http(Response response, unsigned version, bool keep_alive, Listener kind)
{
    HttpResponse reply{static_cast<http::status>(response.status), version};
    reply.set(http::field::server, "uplink");
    if (!response.body.empty())
        reply.set(http::field::content_type, response.content_type);
    // RFC 6797 §7.2: HSTS only over a secure transport; the rest is harmless on a redirect too.
    if (kind == Listener::Https)
        for (const auto& [name, value] : security_headers)
            reply.set(name, value);
    for (auto& header : response.headers)
        reply.insert(header.name, header.value);
    reply.body() = std::move(response.body);
    reply.keep_alive(keep_alive);
    reply.prepare_payload();
    return reply;
}

// The status for a request that could not be read, or none when there is no one to answer:
// the client left, or was too slow (the stream closed its socket at the deadline).
std::optional<Response> refusal_for(const boost::system::error_code& error, const Limits& limits)
{
    if (error == http::error::header_limit)
        return json_error(431, fmt::format("the request line and headers are over {} bytes", limits.header_bytes));
    if (error == http::error::body_limit)
        return json_error(413, fmt::format("the body is over {} bytes", limits.body_bytes));
    if (error == http::error::end_of_stream || error == http::error::partial_message)
        return std::nullopt;
    if (error.category() == http::make_error_code(http::error::bad_method).category())
        return json_error(400, fmt::format("the request is not valid HTTP/1.1: {}", error.message()));
    return std::nullopt;
}

bool expects_continue(const HttpRequest& request)
{
    return beast::iequals(request[http::field::expect], "100-continue");
}

Request request_view(HttpRequest& request, const std::string& peer)
{
    Request view;
    view.method = std::string(request.method_string());
    view.target = std::string(request.target());
    view.path = std::string(path_of(view.target));
    for (const auto& field : request)
        view.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    view.body = std::move(request.body());
    view.peer = peer;
    return view;
}


} // namespace

struct Server::Impl {
    Impl(asio::any_io_executor executor_, Options options_, api::ModemSource& source, Gate gate_)
        : executor(std::move(executor_)), options(std::move(options_)), gate(std::move(gate_)),
          source(source), api(source, options.info), tls(ssl::context::tls_server), interface_timer(executor)
    {
    }

    asio::any_io_executor executor;
    Options options;
    Gate gate;
    api::ModemSource& source;     // for /metrics; the API's resources go through `api`
    api::TextApi api;
    ssl::context tls;
    Certificate certificate;
    std::list<Acceptor> acceptors;
    std::list<std::function<void()>> connections;   // each closes one live connection
    std::map<std::string, std::size_t, std::less<>> connections_by_client;   // by auth::client_key
    std::size_t handshakes = 0;                       // TLS handshakes under way
    std::string failed_step;
    bool running = false;

    Result<void> set_up_tls();
    std::vector<std::string> missing_interfaces;
    asio::steady_timer interface_timer;              // paces the look for missing_interfaces
    Result<void> listen(const asio::ip::address& address, std::uint16_t port, Listener kind,
                        const std::string& interface);
    Result<void> listen_on_both_ports(const asio::ip::address& address, const std::string& interface);
    Result<void> listen_on_interface(const std::string& interface);
    Result<void> listen_everywhere_asked(const std::vector<asio::ip::address>& addresses);
    static void spawn_accepting(std::shared_ptr<Impl> impl, Acceptor& acceptor);
    static asio::awaitable<void> listen_when_interfaces_appear(std::shared_ptr<Impl> impl);
    static void listen_on_late_interface(std::shared_ptr<Impl> impl, const std::string& interface);
    static void spawn_connection(std::shared_ptr<Impl> impl, tcp::socket socket, Listener kind, std::string client);
    // Why a client that just connected is turned away, or "" when it is let in.
    std::string refusal(const std::string& client) const;

    static asio::awaitable<void> accept_connections(std::shared_ptr<Impl> impl, Acceptor* acceptor);
    static asio::awaitable<void> serve_tls(std::shared_ptr<Impl> impl, std::shared_ptr<Connection<TlsStream>> connection);
    static asio::awaitable<void> serve_plain(std::shared_ptr<Impl> impl, std::shared_ptr<Connection<PlainStream>> connection);
    static asio::awaitable<Ending> serve_requests(std::shared_ptr<Impl> impl, Connection<TlsStream>& connection);
    static asio::awaitable<Response> answer(std::shared_ptr<Impl> impl, Request request);
    static asio::awaitable<void> stream_events(std::shared_ptr<Impl> impl, TlsStream& stream, unsigned version,
                                               std::function<bool()> still_valid);
    static asio::awaitable<Response> route(
        std::shared_ptr<Impl> impl, const Request& request, const GateDecision& decision);
    static Response page(const Request& request);
    Response redirect(std::string_view host, std::string_view target, const std::string& local_host) const;
};

namespace {

// Reads and drops what a refused client still sends, with a bound on bytes and time, after
// telling it (FIN) that nothing more comes.
asio::awaitable<void> linger(beast::tcp_stream& stream)
{
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(linger_time);
    std::array<char, 4096> scratch{};
    std::size_t discarded = 0;
    while (discarded < linger_bytes) {
        auto [error, size] = co_await stream.async_read_some(asio::buffer(scratch), as_tuple(use_awaitable));
        if (error)
            break;
        discarded += size;
    }
    stream.close();
}

} // namespace

// The HTTPS connection's requests, one after another while the client keeps it alive.
asio::awaitable<Ending> Server::Impl::serve_requests(std::shared_ptr<Impl> impl, Connection<TlsStream>& connection)
{
    const auto& limits = impl->options.limits;
    auto& stream = connection.stream;
    auto& lowest = stream.lowest();
    beast::flat_buffer buffer(limits.header_bytes + limits.body_bytes);
    for (;;) {
        // Idle until the next request starts; from its first byte, one deadline for all of it, so
        // that a client sending a byte at a time (slowloris) is cut off all the same.
        if (buffer.size() == 0) {
            lowest.expires_after(limits.idle_timeout);
            auto [error, size] = co_await stream.async_read_some(buffer.prepare(4096), as_tuple(use_awaitable));
            if (error)
                co_return Ending::Abrupt;
            buffer.commit(size);
        }
        lowest.expires_after(limits.request_timeout);
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
        parser.body_limit(limits.body_bytes);
        auto [error, size] = co_await http::async_read_header(stream, buffer, parser, as_tuple(use_awaitable));
        if (!error && !parser.is_done()) {
            // RFC 9110 §10.1.1: a client that waits for 100 before it sends the body.
            if (expects_continue(parser.get())) {
                http::response<http::empty_body> proceed{http::status::continue_, parser.get().version()};
                co_await http::async_write(stream, proceed, as_tuple(use_awaitable));
            }
            std::tie(error, size) = co_await http::async_read(stream, buffer, parser, as_tuple(use_awaitable));
        }
        if (error) {
            auto refusal = refusal_for(error, limits);
            if (!refusal)
                co_return Ending::Abrupt;
            log(LogLevel::Debug, "web", "refusing a request from {}: {}", connection.peer, error.message());
            auto reply = to_http(std::move(*refusal), 11, false, Listener::Https);
            lowest.expires_after(limits.request_timeout);
            co_await http::async_write(stream, reply, as_tuple(use_awaitable));
            co_return Ending::Linger;
        }

        auto request = parser.release();
        bool keep_alive = request.keep_alive();
        auto version = request.version();
        auto response = co_await answer(impl, request_view(request, connection.peer));
        if (response.event_stream) {
            co_await stream_events(impl, stream, version, std::move(response.still_valid));
            co_return Ending::Abrupt;
        }
        auto reply = to_http(std::move(response), version, keep_alive, Listener::Https);
        lowest.expires_after(limits.request_timeout);
        auto [write_error, written] = co_await http::async_write(stream, reply, as_tuple(use_awaitable));
        if (write_error)
            co_return Ending::Abrupt;
        if (!keep_alive)
            co_return Ending::Graceful;
    }
}

namespace {

// The events a slow client may fall behind by before its stream is closed.
constexpr std::size_t max_pending_events = 256;
// A comment line this often: it keeps the stream alive through proxies, and a client that has
// gone is noticed when the write fails.
constexpr auto heartbeat_interval = 15s;

struct EventQueue {
    explicit EventQueue(asio::any_io_executor executor) : wake(std::move(executor)) {}
    std::deque<std::string> frames;
    bool overflowed = false;
    asio::steady_timer wake;   // cancelled when a frame is queued
};

// The stream is one-way; whatever the client sends is read and dropped, until it closes.
asio::awaitable<void> read_until_closed(TlsStream& stream)
{
    std::array<char, 512> scratch{};
    for (;;) {
        auto [error, size] = co_await stream.async_read_some(asio::buffer(scratch), as_tuple(use_awaitable));
        if (error)
            co_return;
    }
}

asio::awaitable<void> pump_events(TlsStream& stream, std::shared_ptr<EventQueue> queue, Duration write_timeout,
                                  std::function<bool()> still_valid)
{
    auto& lowest = stream.lowest();
    for (;;) {
        if (queue->frames.empty() && !queue->overflowed) {
            queue->wake.expires_after(heartbeat_interval);
            auto [cancelled] = co_await queue->wake.async_wait(as_tuple(use_awaitable));
            if (!cancelled)
                queue->frames.push_back(": keep-alive\n\n");
        }
        if (queue->overflowed) {
            log(LogLevel::Debug, "web", "closing an event stream {} events behind", max_pending_events);
            co_return;
        }
        // A logout, a password change, a revoked token or an expired session ends the stream too.
        if (still_valid && !still_valid()) {
            log(LogLevel::Debug, "web", "closing an event stream: its session or token has ended");
            co_return;
        }
        while (!queue->frames.empty()) {
            auto frame = std::move(queue->frames.front());
            queue->frames.pop_front();
            // Each write has its own deadline; the read that waits for the client's close has none.
            lowest.expires_after(write_timeout);
            auto [error, size] = co_await asio::async_write(stream, asio::buffer(frame), as_tuple(use_awaitable));
            if (error)
                co_return;
        }
    }
}

} // namespace

// GET /api/v1/events: server-sent events (HTML's text/event-stream), one "data: <event JSON>"
// frame per event, until the client goes. The reply has no length: it ends when the connection does.
asio::awaitable<void> Server::Impl::stream_events(std::shared_ptr<Impl> impl, TlsStream& stream, unsigned version,
                                                  std::function<bool()> still_valid)
{
    auto queue = std::make_shared<EventQueue>(impl->executor);
    // Subscribed before the header goes out, so a client that has the header has missed nothing.
    auto subscription = impl->source.subscribe([queue, impl](const modem::Event& event) {
        if (queue->frames.size() >= max_pending_events)
            queue->overflowed = true;
        else
            queue->frames.push_back("data: " + impl->api.event_text(event) + "\n\n");
        queue->wake.cancel();
    });
    http::response<http::empty_body> header{http::status::ok, version};
    header.set(http::field::server, "uplink");
    header.set(http::field::content_type, "text/event-stream");
    header.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : security_headers)
        header.set(name, value);
    header.keep_alive(false);
    http::response_serializer<http::empty_body> serializer{header};
    auto& lowest = stream.lowest();
    lowest.expires_after(impl->options.limits.request_timeout);
    auto [error, size] = co_await http::async_write_header(stream, serializer, as_tuple(use_awaitable));
    if (error)
        co_return;
    lowest.expires_never();
    co_await (read_until_closed(stream)
              || pump_events(stream, queue, impl->options.limits.request_timeout, std::move(still_valid)));
}

asio::awaitable<Response> Server::Impl::answer(std::shared_ptr<Impl> impl, Request request)
{
    try {
        auto decision = co_await impl->gate(request);
        if (decision.answer)
            co_return std::move(*decision.answer);
        auto response = co_await route(impl, request, decision);
        for (auto& header : decision.headers)
            response.headers.push_back(std::move(header));
        if (response.event_stream)
            response.still_valid = std::move(decision.still_valid);
        co_return response;
    } catch (const std::exception& exception) {
        log(LogLevel::Error, "web", "{} {} from {} failed: {}", request.method, request.path, request.peer,
            exception.what());
    }
    co_return json_error(500, "internal error in uplinkd (a bug: please report it with the log)");
}

asio::awaitable<Response> Server::Impl::route(std::shared_ptr<Impl> impl, const Request& request,
                                              const GateDecision& decision)
{
    if (request.path == "/metrics") {
        if (request.method != "GET")
            co_return json_error(405, "GET /metrics");
        Response metrics;
        metrics.content_type = metrics_content_type;
        metrics.body = prometheus_metrics(impl->source, impl->options.info, Clock::now());
        co_return metrics;
    }
    // The certificate is the HTTPS server's own, so it is answered here rather than by the API,
    // which the unix socket shares.
    if (request.path == "/api/v1/certificate") {
        if (request.method != "GET")
            co_return json_error(405, "GET /api/v1/certificate");
        co_return certificate_response(impl->certificate);
    }
    auto path = api_path(request.path);
    if (!path)
        co_return page(request);
    // A body must say it is JSON: a form that another site makes a browser post cannot.
    if (!request.body.empty() && !is_json_media_type(request.header("Content-Type")))
        co_return json_error(415, "send the body as JSON, with Content-Type: application/json");
    auto question = request.target.find('?');
    auto query = question == std::string::npos ? std::string() : request.target.substr(question + 1);
    api::TextRequest api_request{request.method, std::move(*path), request.body, decision.credential,
        std::move(query), decision.console,
        decision.client.empty() ? fmt::format("a client at {}", request.peer) : decision.client};
    auto reply = co_await impl->api.answer(std::move(api_request));
    Response response;
    response.status = reply.status;
    response.body = std::move(reply.body);
    response.event_stream = reply.events_follow;
    co_return response;
}

// The web UI's files; anything else outside /api/v1/ is not ours.
Response Server::Impl::page(const Request& request)
{
    const auto* asset = find_asset(request.path);
    if (!asset) {
        auto shown = request.path.substr(0, shown_path_length);
        return json_error(404, fmt::format("no page at '{}'; the API is under /api/v1/ (docs/api.md)", shown));
    }
    if (request.method != "GET") {
        auto refusal = json_error(405, fmt::format("{} is a page: GET it", asset->path));
        refusal.headers.push_back({"Allow", "GET"});
        return refusal;
    }
    return asset_response(*asset, request);
}

Response Server::Impl::redirect(std::string_view host, std::string_view target, const std::string& local_host) const
{
    auto location = redirect_location(host, local_host, options.https_port, target);
    if (!location)
        return json_error(400, "the Host header or the target cannot make an https:// URL");
    // RFC 9110 §15.4.9: 308 keeps the method and the body, so a POST is not turned into a GET.
    Response response;
    response.status = 308;
    response.headers.push_back({"Location", std::move(*location)});
    return response;
}

asio::awaitable<void> Server::Impl::serve_tls(std::shared_ptr<Impl> impl, std::shared_ptr<Connection<TlsStream>> connection)
{
    auto& stream = connection->stream;
    auto& lowest = stream.lowest();
    if (impl->handshakes >= std::max<std::size_t>(1, impl->options.limits.connections / 2)) {
        log(LogLevel::Debug, "web", "closing {}: already {} TLS handshakes under way", connection->peer,
            impl->handshakes);
        co_return;
    }
    lowest.expires_after(impl->options.limits.handshake_timeout);
    ++impl->handshakes;
    auto [error] = co_await stream.async_handshake(as_tuple(use_awaitable));
    --impl->handshakes;
    if (error) {
        log(LogLevel::Debug, "web", "TLS handshake with {} failed: {}", connection->peer, error.message());
        co_return;
    }
    auto ending = co_await serve_requests(impl, *connection);
    if (ending == Ending::Graceful) {
        lowest.expires_after(tls_shutdown_time);
        co_await stream.async_shutdown(as_tuple(use_awaitable));
    } else if (ending == Ending::Linger) {
        co_await linger(lowest);
    }
    lowest.close();
}

// The plain HTTP port only sends browsers to HTTPS: a request's header is read, answered with a
// redirect (or a 400 or 431), and the connection closed. A body is not waited for: the 308 asks
// the client to send it again, to the https:// URL. Apart from serve_requests, so that the API,
// the pages and the event streams are compiled for one stream type, TLS's.
asio::awaitable<void> Server::Impl::serve_plain(std::shared_ptr<Impl> impl,
                                                std::shared_ptr<Connection<PlainStream>> connection)
{
    const auto& limits = impl->options.limits;
    auto& stream = connection->stream;
    beast::flat_buffer buffer(limits.header_bytes);
    // Idle until the request starts; from its first byte, one deadline for the whole header.
    stream.expires_after(limits.idle_timeout);
    auto [idle_error, first] = co_await stream.async_read_some(buffer.prepare(4096), as_tuple(use_awaitable));
    if (idle_error) {
        stream.close();
        co_return;
    }
    buffer.commit(first);
    stream.expires_after(limits.request_timeout);
    http::request_parser<http::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
    parser.body_limit(boost::none);   // the body is never read: no size makes it a 413 here
    auto [error, size] = co_await http::async_read_header(stream, buffer, parser, as_tuple(use_awaitable));
    std::optional<Response> response;
    if (!error) {
        const auto& request = parser.get();
        response = impl->redirect(request[http::field::host], request.target(), connection->local_host);
    } else if ((response = refusal_for(error, limits))) {
        log(LogLevel::Debug, "web", "refusing a request from {}: {}", connection->peer, error.message());
    }
    if (response) {
        auto reply = to_http(std::move(*response), error ? 11 : parser.get().version(), false, Listener::Http);
        stream.expires_after(limits.request_timeout);
        auto [write_error, written] = co_await http::async_write(stream, reply, as_tuple(use_awaitable));
        if (!write_error)
            co_await linger(stream);
    }
    stream.close();
}

void Server::Impl::spawn_connection(std::shared_ptr<Impl> impl, tcp::socket socket, Listener kind, std::string client)
{
    boost::system::error_code error;
    auto remote = socket.remote_endpoint(error);
    auto local = error ? tcp::endpoint() : socket.local_endpoint(error);
    if (error)
        return;   // the client has gone already
    std::string peer = remote.address().to_string();
    std::string local_host = local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string();
    auto position = impl->connections.emplace(impl->connections.end());
    ++impl->connections_by_client[client];
    auto forget = [impl, position, client](std::exception_ptr exception) {
        LogFailure {"web", "a web connection failed"}(exception);
        impl->connections.erase(position);
        if (auto found = impl->connections_by_client.find(client); found != impl->connections_by_client.end()
            && --found->second == 0)
            impl->connections_by_client.erase(found);
    };
    if (kind == Listener::Https) {
        auto connection = std::make_shared<Connection<TlsStream>>(
            TlsStream(std::move(socket), impl->tls), std::move(peer), std::move(local_host));
        *position = [connection] { connection->stream.lowest().close(); };
        asio::co_spawn(impl->executor, serve_tls(impl, connection), forget);
    } else {
        auto connection = std::make_shared<Connection<PlainStream>>(
            PlainStream(std::move(socket)), std::move(peer), std::move(local_host));
        *position = [connection] { connection->stream.close(); };
        asio::co_spawn(impl->executor, serve_plain(impl, connection), forget);
    }
}

asio::awaitable<void> Server::Impl::accept_connections(std::shared_ptr<Impl> impl, Acceptor* acceptor)
{
    asio::steady_timer pause(impl->executor);
    while (impl->running) {
        auto [error, socket] = co_await acceptor->acceptor.async_accept(as_tuple(use_awaitable));
        if (!impl->running || error == asio::error::operation_aborted)
            co_return;
        if (error) {
            // Out of file descriptors, most likely: a pause rather than a busy loop.
            log(LogLevel::Warning, "web", "accepting on {} failed: {}", acceptor->name, error.message());
            pause.expires_after(100ms);
            co_await pause.async_wait(as_tuple(use_awaitable));
            continue;
        }
        boost::system::error_code remote_error;
        auto remote = socket.remote_endpoint(remote_error);
        if (remote_error)
            continue;   // gone already
        auto client = auth::client_key(remote.address().to_string());
        if (auto refused = impl->refusal(client); !refused.empty()) {
            log(LogLevel::Debug, "web", "refusing {} on {}: {}", client, acceptor->name, refused);
            continue;   // the socket closes as it goes out of scope
        }
        spawn_connection(impl, std::move(socket), acceptor->kind, std::move(client));
    }
}

std::string Server::Impl::refusal(const std::string& client) const
{
    if (connections.size() >= options.limits.connections)
        return fmt::format("already {} connections", connections.size());
    auto found = connections_by_client.find(client);
    if (found != connections_by_client.end() && found->second >= options.limits.connections_per_client)
        return fmt::format("it has {} connections already", found->second);
    return "";
}

Result<void> Server::Impl::set_up_tls()
{
    boost::system::error_code error;
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3
                        | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                    error);
    // RFC 8996: TLS 1.0 and 1.1 are deprecated.
    if (error || SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION) != 1
        || SSL_CTX_set_cipher_list(tls.native_handle(), tls12_ciphers) != 1)
        return make_error_code(Errc::TlsSetup);
    tls.use_certificate_chain(asio::buffer(certificate.certificate_pem), error);
    if (!error)
        tls.use_private_key(asio::buffer(certificate.key_pem), ssl::context::pem, error);
    if (error)
        return make_error_code(Errc::TlsSetup);
    return {};
}

// `interface` non-empty: only for connections that arrive through it (SO_BINDTODEVICE, set
// before bind(), so that each interface has its own socket on the same port).
Result<void> Server::Impl::listen(const asio::ip::address& address, std::uint16_t port, Listener kind,
                                  const std::string& interface)
{
    auto& acceptor = acceptors.emplace_back(executor, kind);
    acceptor.name = endpoint_name(address, port) + (interface.empty() ? "" : "%" + interface);
    failed_step = fmt::format("listening on {}", acceptor.name);
    tcp::endpoint endpoint(address, port);
    boost::system::error_code error;
    acceptor.acceptor.open(endpoint.protocol(), error);
    if (!error)
        acceptor.acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    // "::" beside "0.0.0.0": each family on its own socket.
    if (!error && address.is_v6())
        acceptor.acceptor.set_option(asio::ip::v6_only(true), error);
    if (!error && !interface.empty()
        && ::setsockopt(acceptor.acceptor.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                        static_cast<socklen_t>(interface.size())) != 0)
        error.assign(errno, boost::system::system_category());
    if (!error)
        acceptor.acceptor.bind(endpoint, error);
    if (!error)
        acceptor.acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error)
        return error;
    return {};
}

Result<void> Server::Impl::listen_on_both_ports(const asio::ip::address& address, const std::string& interface)
{
    auto listening = listen(address, options.https_port, Listener::Https, interface);
    if (listening && options.http_port)
        listening = listen(address, *options.http_port, Listener::Http, interface);
    return listening;
}

// Both wildcards, for connections that arrive through `interface` alone.
Result<void> Server::Impl::listen_on_interface(const std::string& interface)
{
    for (const auto& wildcard : {asio::ip::address(asio::ip::address_v4::any()), asio::ip::address(asio::ip::address_v6::any())})
        if (auto listening = listen_on_both_ports(wildcard, interface); !listening)
            return listening;
    return {};
}

// The listen addresses given, or else each LAN interface there is; those not there yet are
// listened on when they appear (listen_when_interfaces_appear).
Result<void> Server::Impl::listen_everywhere_asked(const std::vector<asio::ip::address>& addresses)
{
    if (!addresses.empty()) {
        for (const auto& address : addresses)
            if (auto listening = listen_on_both_ports(address, ""); !listening)
                return listening;
        return {};
    }
    for (const auto& interface : options.interfaces) {
        if (interface.empty() || interface.size() >= IFNAMSIZ) {
            failed_step = fmt::format("interface '{}'", interface);
            return make_error_code(Errc::BadInterface);
        }
        if (::if_nametoindex(interface.c_str()) == 0) {
            missing_interfaces.push_back(interface);
            continue;
        }
        if (auto listening = listen_on_interface(interface); !listening)
            return listening;
    }
    return {};
}

void Server::Impl::spawn_accepting(std::shared_ptr<Impl> impl, Acceptor& acceptor)
{
    auto executor = impl->executor;
    asio::co_spawn(executor, accept_connections(std::move(impl), &acceptor),
                   LogFailure {"web", "accepting web connections failed"});
}

// An interface of `interfaces` that is not there at start, such as OpenWrt's br-lan, which
// netifd brings up after procd has started uplinkd, is looked for every interface_retry until
// it is there. A poll rather than an rtnetlink link watch, which uplinkd does not have: a few
// if_nametoindex() calls every few seconds, and only while an interface is missing.
asio::awaitable<void> Server::Impl::listen_when_interfaces_appear(std::shared_ptr<Impl> impl)
{
    while (impl->running && !impl->missing_interfaces.empty()) {
        impl->interface_timer.expires_after(impl->options.interface_retry);
        auto [error] = co_await impl->interface_timer.async_wait(as_tuple(use_awaitable));
        if (error || !impl->running)
            co_return;
        for (auto interface : std::exchange(impl->missing_interfaces, {}))
            listen_on_late_interface(impl, interface);
    }
}

// Listens on `interface` if it is there now, else puts it back among the missing. A listener
// that fails (the port taken on it by another server) is final, as it is at start: an error in
// the log, and no more tries.
void Server::Impl::listen_on_late_interface(std::shared_ptr<Impl> impl, const std::string& interface)
{
    if (::if_nametoindex(interface.c_str()) == 0) {
        impl->missing_interfaces.push_back(interface);
        return;
    }
    auto listened_before = impl->acceptors.size();
    auto listening = impl->listen_on_interface(interface);
    auto added = std::next(impl->acceptors.begin(), static_cast<std::ptrdiff_t>(listened_before));
    if (!listening) {
        log(LogLevel::Error, "web", "{} appeared, but {} failed: {}; the web UI does not answer through it "
            "until uplinkd restarts", interface, impl->failed_step, listening.error().message());
        impl->acceptors.erase(added, impl->acceptors.end());   // closes them
    } else {
        for (auto acceptor = added; acceptor != impl->acceptors.end(); ++acceptor)
            spawn_accepting(impl, *acceptor);
        log(LogLevel::Info, "web", "{} appeared: listening through it now on port {}{}", interface,
            impl->options.https_port,
            impl->options.http_port ? fmt::format(" and, for the HTTP redirect, {}", *impl->options.http_port) : "");
    }
    impl->failed_step.clear();   // start() succeeded: this says nothing about it
}

Server::Server(asio::any_io_executor executor, Options options, api::ModemSource& source, Gate gate)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), source, std::move(gate)))
{
}

Server::~Server() { stop(); }

Result<void> Server::start()
{
    auto& impl = *impl_;
    if (impl.running)
        return {};
    impl.failed_step = "reading the listen addresses";
    std::vector<asio::ip::address> addresses;
    for (const auto& text : impl.options.listen) {
        boost::system::error_code error;
        addresses.push_back(asio::ip::make_address(text, error));
        if (error) {
            impl.failed_step = fmt::format("listen address '{}'", text);
            return make_error_code(Errc::BadAddress);
        }
    }
    impl.failed_step = fmt::format("the certificate in {}", impl.options.certificate_directory);
    auto certificate = load_or_create_certificate(impl.options.certificate_directory,
                                                  certificate_names(impl.options.listen, impl.options.interfaces));
    if (!certificate)
        return certificate.error();
    impl.certificate = std::move(*certificate);
    if (auto ready = impl.set_up_tls(); !ready)
        return ready.error();

    impl.missing_interfaces.clear();
    if (auto listening = impl.listen_everywhere_asked(addresses); !listening) {
        boost::system::error_code ignored;
        for (auto& acceptor : impl.acceptors)
            acceptor.acceptor.close(ignored);
        impl.acceptors.clear();
        return listening.error();
    }
    impl.failed_step.clear();
    impl.running = true;
    for (auto& acceptor : impl.acceptors)
        Impl::spawn_accepting(impl_, acceptor);
    if (!impl.missing_interfaces.empty())
        asio::co_spawn(impl.executor, Impl::listen_when_interfaces_appear(impl_),
            LogFailure {"web", "looking for the web UI's missing interfaces failed"});
    return {};
}

void Server::stop()
{
    if (!impl_->running)
        return;
    impl_->running = false;
    impl_->interface_timer.cancel();
    boost::system::error_code ignored;
    for (auto& acceptor : impl_->acceptors)
        acceptor.acceptor.close(ignored);
    for (auto& close : impl_->connections)
        close();
}

const Certificate& Server::certificate() const { return impl_->certificate; }

const std::vector<std::string>& Server::missing_interfaces() const { return impl_->missing_interfaces; }

std::size_t Server::connection_count() const { return impl_->connections.size(); }

const std::string& Server::failed_step() const { return impl_->failed_step; }

} // namespace uplink::web
