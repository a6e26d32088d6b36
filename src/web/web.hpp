// web: the API over HTTPS, for the web UI and scripts (docs/api.md, "HTTPS"). TLS 1.2+ with a
// certificate made on first start and kept; plain HTTP only redirects to HTTPS. Requests under
// /api/v1/ go to the same Router as the unix socket's. Every request passes a Gate first, where
// authentication plugs in. Beast and OpenSSL stay inside this module's .cpp files.
#pragma once

#include <api/api.hpp>
#include <core/core.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::auth {
class Authenticator;
class TokenStore;
} // namespace uplink::auth

namespace uplink::web {

enum class Errc {
    BadAddress = 1,         // a listen address that is not an IPv4 or IPv6 address
    BadInterface,           // an interface name the kernel cannot take (empty, 16 bytes or more)
    CertificateUnreadable,  // cert.pem holds no PEM certificate
    KeyUnreadable,          // key.pem holds no PEM private key
    KeyMismatch,            // key.pem is not the private key of cert.pem
    KeyMissing,             // cert.pem without key.pem: not ours to replace
    Generation,             // OpenSSL could not make the key or the certificate
    TlsSetup,               // OpenSSL refused the certificate or the key for TLS
};
const boost::system::error_category& web_category();
Error make_error_code(Errc code);

// ---------------------------------------------------------------- certificate
struct CertificateNames {
    std::string host_name;                   // DNS name in the certificate; empty: none
    std::vector<std::string> addresses;      // IP addresses in it ("127.0.0.1", "::1")
};

// Who made the certificate: uplinkd on a first start (self-signed, organization "uplink"), or the
// user, who put their own in its place.
enum class CertificateOrigin { Uplink, User };
std::string_view to_string(CertificateOrigin origin);

struct Certificate {
    std::string certificate_pem;             // the certificate (a user's may be a chain)
    std::string key_pem;
    bool created = false;                    // made now rather than read
    // Of the certificate served (a chain's first), for the log and GET /api/v1/certificate:
    std::string fingerprint;                 // SHA-256, "AB:CD:...", as `openssl x509 -fingerprint -sha256`
    std::string subject;                     // RFC 2253: "CN=router7,O=uplink"
    std::string issuer;
    std::vector<std::string> subject_alt_names;   // "DNS:localhost", "IP:192.168.1.1"
    std::string not_before;                  // ISO 8601 UTC: "2026-12-04T05:10:00Z"
    std::string not_after;
    CertificateOrigin origin = CertificateOrigin::User;
};

// <directory>/cert.pem and key.pem: read and checked (a key that does not match is an error), or,
// when neither exists, an EC P-256 key and a self-signed certificate for `names` (valid 10 years,
// random serial) written atomically with mode 0600. When only key.pem exists (a start stopped
// between the two writes) a certificate is made for that key. A cert.pem without key.pem is an
// error: it is never replaced. The directory is created (0700); its parent must exist.
Result<Certificate> load_or_create_certificate(const std::string& directory, const CertificateNames& names);

// The host's name, "localhost", 127.0.0.1 and ::1; the listen addresses that are not wildcards;
// and the addresses `lan_interfaces` have now, which a wildcard listen address (0.0.0.0, ::)
// stands for too. Never another interface's: a WAN's address changes with every connection and
// is not where the router's owner reaches it.
CertificateNames certificate_names(const std::vector<std::string>& listen_addresses,
                                   const std::vector<std::string>& lan_interfaces);

// ---------------------------------------------------------------- requests and the gate
struct Header {
    std::string name;
    std::string value;
};

// An HTTPS request as the gate sees it, read whole and within the limits.
struct Request {
    std::string method;                      // "GET"
    std::string target;                      // as sent: "/api/v1/status?verbose=1"
    std::string path;                        // the target without its query: "/api/v1/status"
    std::vector<Header> headers;             // in the order sent, names as sent
    std::string body;
    std::string peer;                        // the client's address: "192.168.1.20"

    std::string_view header(std::string_view name) const;   // any case; "" when absent
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<Header> headers;             // besides Content-Type and the security headers
    bool event_stream = false;               // GET /api/v1/events: server-sent events, not `body`
    // An event stream goes on while this holds (the session or token that opened it is still
    // good); checked before each frame and each 15 s keep-alive. Empty: always.
    std::function<bool()> still_valid {};
};

// What the gate decides about a request.
struct GateDecision {
    std::optional<Response> answer;          // set: this is the reply (401, 403, a login); not routed
    std::vector<Header> headers;             // otherwise: added to the routed reply (Set-Cookie)
    api::Credential credential = api::Credential::ApiToken;   // otherwise: how it was let in
    api::ConsoleRight console = api::ConsoleRight::Denied;     // an API token's "console" scope
    std::string client {};                   // "API token 'x' from 192.0.2.7", for the audit log
    std::function<bool()> still_valid {};    // whether the session or token is still good, for a stream
};

// Called for every HTTPS request before routing: the seam for authentication (sessions, CSRF).
// The server awaits it, so the Request outlives the call.
using Gate = std::function<boost::asio::awaitable<GateDecision>(const Request&)>;

// The gate uplinkd uses (docs/api.md, "Logging in"). It answers GET /api/v1/session, POST
// /api/v1/setup (the first password, with the setup code uplinkd prints), /login, /logout and
// /password itself, and lets any other API request through only with a live session cookie (and
// its X-CSRF-Token for a POST) or an "Authorization: Bearer" API token. A session's POST
// /api/v1/tokens (a new token) passes only with the admin password in its body, checked as a
// login; an API token reaches no /tokens resource. Pages outside /api/ pass: what they show comes from the API.
// A password's KDF (login, setup, change, a new token's confirmation) runs on `kdf_executor`, a worker thread, while the
// request waits and the loop serves the others; one at a time, and a password check that comes
// while one runs is a 503 with Retry-After (docs/auth.md). `authenticator`, `tokens` and the
// worker must outlive the loop's run: a request whose connection a stop closed may still be
// waiting for its KDF, and records the outcome when it comes back.
Gate authentication(auth::Authenticator& authenticator, auth::TokenStore& tokens,
                    boost::asio::any_io_executor kdf_executor);

// ---------------------------------------------------------------- the server
struct Limits {
    std::size_t header_bytes = 8 * 1024;     // request line and headers: more is a 431
    std::size_t body_bytes = 64 * 1024;      // more is a 413, answered before the body is read
    std::size_t connections = 32;            // HTTPS and HTTP together; more are closed at once
    // Of those, from one client (an IPv4 address, an IPv6 /64: auth::client_key), so that one
    // host cannot hold every slot; a browser opens 6 at most to a server, and keeps an event
    // stream besides.
    std::size_t connections_per_client = 10;
    // TLS handshakes under way at once, at most half the slots: a crowd of clients that connect
    // and say nothing leaves room for those that speak. Each must end within handshake_timeout.
    Duration handshake_timeout = 5s;
    Duration idle_timeout = 30s;             // between requests on a kept-alive connection
    Duration request_timeout = 10s;          // first byte to last of a request; a write
};

// Where the server answers. With `listen` addresses given, on those. Without, on the LAN side:
// any address, but only for connections that arrive through one of `interfaces`
// (SO_BINDTODEVICE), however the LAN's addresses change; a connection through a WAN finds no
// listener even where the firewall lets it in. "lo" covers the router's own clients, which reach
// every local address through it. An interface not there at start is listened on once it appears
// (looked for every `interface_retry`).
struct Options {
    std::vector<std::string> listen;
    std::vector<std::string> interfaces = {"br-lan", "lo"};
    Duration interface_retry = 5s;
    std::uint16_t https_port = 443;
    std::optional<std::uint16_t> http_port = 80;   // none: no HTTP listener
    std::string certificate_directory;       // <state_dir>/web
    Limits limits;
    api::DaemonInfo info;
};

class Server {
public:
    Server(boost::asio::any_io_executor executor, Options options, api::ModemSource& source, Gate gate);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // The certificate (load_or_create_certificate), then every listener; on an error nothing
    // listens. An interface that does not exist is no error: it is named in
    // missing_interfaces() and listened on when it appears, which the log says. stop() closes
    // the listeners and every connection.
    Result<void> start();
    void stop();

    const Certificate& certificate() const;   // after start()
    // After start(): the `interfaces` not listened on yet, as they do not exist.
    const std::vector<std::string>& missing_interfaces() const;
    // After start() failed, what it was doing: "listening on [::]:443", "the certificate in DIR".
    const std::string& failed_step() const;
    std::size_t connection_count() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace uplink::web

namespace boost::system {
template <>
struct is_error_code_enum<uplink::web::Errc> : std::true_type {};
} // namespace boost::system
