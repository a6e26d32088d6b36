// uplinkd's HTTPS server (`config web`) against real clients: curl verifies the generated
// certificate and keeps the login's cookie, openssl reads the certificate's fingerprint, raw TCP
// sockets send what no client library would, and `uplink passwd` sets the admin password.
// Everything listens on 127.0.0.1 only, on ports the kernel hands out.
#include "web_fixture.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace uplink::testing {
namespace {

// A raw TCP connection to 127.0.0.1, from `source` (another loopback address is another client).
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port, const char* source = "127.0.0.1")
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, source, &local.sin_addr);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    }
    ~RawConnection() { ::close(fd_); }

    bool connected() const { return connected_; }
    void send(std::string_view bytes)
    {
        while (!bytes.empty()) {
            auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent <= 0)
                return;
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
    }
    // Everything received until the server closes, or the deadline; `closed` says which.
    std::string receive_until_closed(Deadline deadline)
    {
        std::string received;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd descriptor{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&descriptor, 1, static_cast<int>(left.count())) <= 0)
                return received;
            char chunk[4096];
            auto size = ::recv(fd_, chunk, sizeof(chunk), 0);
            if (size <= 0) {
                closed = true;
                return received;
            }
            received.append(chunk, static_cast<std::size_t>(size));
        }
    }
    bool closed = false;

private:
    int fd_ = -1;
    bool connected_ = false;
};

TEST_F(WebTest, ServesTheSocketsResourcesOverVerifiedHttps)
{
    start();
    // Waiting for its PIN (none is configured): the identity is read whole, so both transports
    // see the same one.
    daemon_->wait_for_modem("1-1", "locked", [](const json::value& modem) { return text(modem, "state") == "locked"; });
    auto [status, body] = fetch({url("/api/v1/modems/1-1")});
    ASSERT_EQ(status, 200) << body;
    auto over_https = json::parse(body);
    auto over_socket = daemon_->get("/v1/modems/1-1");
    EXPECT_EQ(text(over_https, "id"), "1-1");
    EXPECT_EQ(over_https.at("identity"), over_socket.at("identity"));
    EXPECT_EQ(over_https.at("device"), over_socket.at("device"));

    // POST reaches the modem: the emulator answers the AT command.
    auto [at_status, at_body] = fetch({"-H", "Content-Type: application/json", "--data", R"({"command":"AT+CGMM"})",
                                       url("/api/v1/modems/1-1/at")});
    EXPECT_EQ(at_status, 200) << at_body;
    EXPECT_EQ(text(json::parse(at_body), "final"), "OK") << at_body;

    // The certificate names localhost too; a name it does not hold fails verification (curl: 60).
    auto by_name = curl({"--resolve", fmt::format("localhost:{}:127.0.0.1", https_port_),
                         fmt::format("https://localhost:{}/api/v1/status", https_port_)});
    EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
    auto wrong_name = curl({"--resolve", fmt::format("wrong.example:{}:127.0.0.1", https_port_),
                            fmt::format("https://wrong.example:{}/api/v1/status", https_port_)});
    EXPECT_EQ(wrong_name.exit_code, 60) << wrong_name.err;
    auto untrusted = run_command({"curl", "-sS", "--max-time", "20", url("/api/v1/status")});
    EXPECT_EQ(untrusted.exit_code, 60) << "a self-signed certificate is not trusted without --cacert";
}

TEST_F(WebTest, RepliesCarryJsonTypeAndSecurityHeaders)
{
    start();
    for (auto path : {"/api/v1/status", "/nothing"}) {
        auto result = curl({"-D", "-", "-o", "/dev/null", url(path)});
        ASSERT_EQ(result.exit_code, 0) << result.err;
        for (auto header : {"Content-Type: application/json", "Strict-Transport-Security: max-age=",
                            "X-Content-Type-Options: nosniff", "Content-Security-Policy: default-src 'self'",
                            "Referrer-Policy: no-referrer", "X-Frame-Options: DENY"})
            EXPECT_NE(result.out.find(header), std::string::npos) << path << ": no " << header << " in\n" << result.out;
    }
}

TEST_F(WebTest, ErrorsAreJsonWithTheirStatus)
{
    start();
    struct Case {
        std::vector<std::string> arguments;
        int status;
    };
    const Case cases[] = {
        {{url("/nothing")}, 404},
        {{url("/v1/status")}, 404},                     // the API is under /api/v1 only
        {{url("/api/v1/modems/9-9")}, 404},
        {{"-X", "POST", url("/api/v1/status")}, 405},
        {{"-X", "DELETE", url("/api/v1/modems")}, 405},
        {{"--data", "apn=x", url("/api/v1/profiles/home")}, 415},   // a form, as another site could post
        {{"-H", "Content-Type: application/json", "--data", "{\"command\":", url("/api/v1/modems/1-1/at")}, 400},
    };
    for (const auto& test : cases) {
        auto [status, body] = fetch(test.arguments);
        EXPECT_EQ(status, test.status) << test.arguments.back() << ": " << body;
        boost::system::error_code error;
        auto reply = json::parse(body, error);
        ASSERT_FALSE(error) << body;
        EXPECT_EQ(reply.at("status"), test.status);
        EXPECT_FALSE(text(reply, "error").empty()) << body;
    }
    expect_still_serving();
}

TEST_F(WebTest, Tls11IsRefusedAndTls12Accepted)
{
    start();
    // SECLEVEL=0 lets this client offer TLS 1.1 at all (OpenSSL 3 forbids it at level 1 and up),
    // so that a refusal is the server's.
    auto old = curl({"--tlsv1.1", "--tls-max", "1.1", "--ciphers", "DEFAULT:@SECLEVEL=0", url("/api/v1/status")});
    EXPECT_EQ(old.exit_code, 35) << old.out << old.err;
    EXPECT_NE(old.err.find("protocol version"), std::string::npos) << old.err;
    auto tls12 = curl({"--tlsv1.2", "--tls-max", "1.2", "--ciphers", "DEFAULT:@SECLEVEL=0", "-o", "/dev/null",
                       url("/api/v1/status")});
    EXPECT_EQ(tls12.exit_code, 0) << tls12.err;
    auto tls13 = curl({"--tlsv1.3", "-o", "/dev/null", url("/api/v1/status")});
    EXPECT_EQ(tls13.exit_code, 0) << tls13.err;
}

TEST_F(WebTest, HttpRedirectsToTheSameTargetOverHttps)
{
    start();
    auto head = run_command({"curl", "-sS", "-I", fmt::format("http://127.0.0.1:{}/api/v1/status?x=1", http_port_)});
    ASSERT_EQ(head.exit_code, 0) << head.err;
    EXPECT_EQ(head.out.rfind("HTTP/1.1 308", 0), 0u) << head.out;
    EXPECT_NE(head.out.find(fmt::format("Location: https://127.0.0.1:{}/api/v1/status?x=1\r\n", https_port_)),
              std::string::npos)
        << head.out;
    // Followed by a client that trusts the certificate, it ends at the resource.
    auto [status, body] = fetch({"-L", fmt::format("http://127.0.0.1:{}/api/v1/status", http_port_)});
    EXPECT_EQ(status, 200) << body;
}

TEST_F(WebTest, OversizedRequestsAreRefusedBeforeTheyAreRead)
{
    start();
    auto big = directory_.path() / "big.json";
    {
        std::ofstream file(big, std::ios::binary);
        std::string megabyte(1024 * 1024, ' ');
        for (int i = 0; i < 10; ++i)
            file << megabyte;
    }
    // A client that waits for 100 Continue never sends the 10 MB.
    auto [status, body] = fetch({"-H", "Content-Type: application/json", "-H", "Expect: 100-continue",
                                 "--data-binary", "@" + big.string(), url("/api/v1/modems/1-1/at")});
    EXPECT_EQ(status, 413) << body;
    // One that sends it anyway: the 413 goes out, what follows is read and dropped up to 1 MiB,
    // then the connection closes. Whether curl reads the 413 before its send fails (exit 55) is
    // a race of the two sockets; either way nothing is stored and the server goes on.
    auto pushed = curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json", "-H",
                        "Expect:", "--data-binary", "@" + big.string(), url("/api/v1/modems/1-1/at")});
    EXPECT_TRUE((pushed.exit_code == 0 && pushed.out == "413") || pushed.exit_code == 55)
        << pushed.exit_code << " " << pushed.out << pushed.err;
    // A body over the limit but under what the server drops after its answer: always a clean 413.
    auto over = directory_.path() / "over.json";
    std::ofstream(over, std::ios::binary) << std::string(200 * 1024, ' ');
    auto [over_status, over_body] = fetch({"-H", "Content-Type: application/json", "-H", "Expect:",
                                           "--data-binary", "@" + over.string(), url("/api/v1/modems/1-1/at")});
    EXPECT_EQ(over_status, 413) << over_body;
    // The refusal comes as soon as the headers are in: no body is sent at all here.
    RawConnection raw(http_port_);
    ASSERT_TRUE(raw.connected());
    raw.send("POST /api/v1/modems/1-1/at HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 10485760\r\n\r\n");
    auto reply = raw.receive_until_closed(deadline_in(5s));
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
    EXPECT_TRUE(raw.closed);

    auto [filled, filled_body] = fetch({"-H", "X-Filler: " + std::string(9000, 'x'), url("/api/v1/status")});
    EXPECT_EQ(filled, 431) << filled_body;
    expect_still_serving();
}

TEST_F(WebTest, MalformedRequestsAre400AndTheServerGoesOn)
{
    start();
    const std::string garbage_requests[] = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
        std::string("\x16\x03\x01\x00\x05hello\r\n\r\n", 14),   // a TLS record on the HTTP port
    };
    for (const auto& garbage : garbage_requests) {
        RawConnection raw(http_port_);
        ASSERT_TRUE(raw.connected());
        raw.send(garbage);
        auto reply = raw.receive_until_closed(deadline_in(5s));
        EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
        EXPECT_NE(reply.find("\"status\":400"), std::string::npos) << reply;
        EXPECT_TRUE(raw.closed);
    }
    // Not TLS at all on the HTTPS port: the handshake fails and the connection is closed.
    RawConnection plain(https_port_);
    plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    plain.receive_until_closed(deadline_in(5s));
    EXPECT_TRUE(plain.closed);
    // A malformed header inside TLS.
    auto [status, body] = fetch({"-H", "Bad Header: x", url("/api/v1/status")});
    EXPECT_EQ(status, 400) << body;
    expect_still_serving();
}

TEST_F(WebTest, CertificateIsKeptAcrossRestarts)
{
    start();
    auto fingerprint = [this] {
        auto result = run_command({"openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", certificate().string()});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return result.out;
    };
    auto first = fingerprint();
    ASSERT_NE(first.find("Fingerprint="), std::string::npos) << first;
    // The log gives the same fingerprint as openssl, in the same form.
    auto shown = first.substr(first.find('=') + 1);
    shown.pop_back();
    EXPECT_NE(daemon_->process().errors().find("SHA-256 " + shown), std::string::npos);
    struct stat status {};
    ASSERT_EQ(::stat(certificate().parent_path().c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0700u);
    ASSERT_EQ(::stat((certificate().parent_path() / "key.pem").c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);

    daemon_->restart();
    EXPECT_EQ(fingerprint(), first);
    expect_still_serving();
}

// The Settings page's view of the certificate: the fingerprint is that of the certificate the
// server presents, as openssl computes it.
TEST_F(WebTest, TheCertificateIsDescribedAsServed)
{
    start();
    auto [status, body] = fetch({url("/api/v1/certificate")});
    ASSERT_EQ(status, 200) << body;
    auto described = json::parse(body);
    auto presented = run_command({"sh", "-c", fmt::format("openssl s_client -connect 127.0.0.1:{} </dev/null 2>/dev/null "
                                                          "| openssl x509 -noout -fingerprint -sha256", https_port_)});
    ASSERT_EQ(presented.exit_code, 0) << presented.err;
    auto equals = presented.out.find('=');
    ASSERT_NE(equals, std::string::npos) << presented.out;
    EXPECT_EQ(presented.out.substr(equals + 1), text(described, "sha256_fingerprint") + "\n");
    EXPECT_EQ(text(described, "origin"), "uplink");
    EXPECT_NE(text(described, "subject").find("O=uplink"), std::string::npos) << body;
    const auto& names = described.at("subject_alt_names").as_array();
    EXPECT_NE(std::find(names.begin(), names.end(), json::value("IP:127.0.0.1")), names.end()) << body;
    EXPECT_LT(text(described, "not_before"), text(described, "not_after"));
    EXPECT_EQ(fetch({"-X", "POST", url("/api/v1/certificate")}).first, 405);
    EXPECT_EQ(fetch({url("/api/v1/certificate")}, Credentials::None).first, 401);
}

TEST_F(WebTest, CorruptCertificateLeavesTheWebOffAndTheDaemonUp)
{
    start();
    daemon_->stop();
    std::ofstream(certificate(), std::ios::trunc) << "not a certificate\n";
    daemon_->start();
    auto log = daemon_->process().errors();
    EXPECT_NE(log.find("the web server is off"), std::string::npos) << log;
    EXPECT_NE(log.find("cert.pem holds no readable PEM certificate"), std::string::npos) << log;
    auto result = curl({url("/api/v1/status")});
    EXPECT_EQ(result.exit_code, 7) << "connection refused expected: " << result.err;
    std::ifstream kept(certificate());
    std::string content((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content, "not a certificate\n");
    EXPECT_FALSE(daemon_->get("/v1/status").is_null()) << "the unix socket API still answers";
}

TEST_F(WebTest, OffUnlessEnabled)
{
    start({.enabled = false});
    RawConnection https(https_port_), http(http_port_);
    EXPECT_FALSE(https.connected());
    EXPECT_FALSE(http.connected());
    EXPECT_FALSE(fs::exists(certificate()));
}

TEST_F(WebTest, KeepsTheConnectionAlive)
{
    start();
    auto result = curl({"-v", "-o", "/dev/null", "-o", "/dev/null", url("/api/v1/status"), url("/api/v1/modems")});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("Re-using existing connection"), std::string::npos) << result.err;
}

TEST_F(WebTest, SlowAndIdleClientsAreCutOff)
{
    start({.extra = "\toption request_timeout '2'\n\toption idle_timeout '2'\n"});
    // Slowloris: a request that never ends is closed at the request deadline.
    RawConnection slow(http_port_);
    ASSERT_TRUE(slow.connected());
    auto started = std::chrono::steady_clock::now();
    slow.send("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ");
    auto reply = slow.receive_until_closed(deadline_in(10s));
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(slow.closed);
    EXPECT_TRUE(reply.empty()) << reply;
    EXPECT_GE(took, 1500ms);
    EXPECT_LT(took, 6s);
    // A TLS client that connects and says nothing.
    RawConnection idle(https_port_);
    ASSERT_TRUE(idle.connected());
    idle.receive_until_closed(deadline_in(10s));
    EXPECT_TRUE(idle.closed);
    expect_still_serving();
}

TEST_F(WebTest, ConnectionsBeyondTheCapAreClosed)
{
    start({.extra = "\toption max_connections '4'\n"});
    std::vector<std::unique_ptr<RawConnection>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(std::make_unique<RawConnection>(http_port_));
        ASSERT_TRUE(held.back()->connected());
    }
    // The server takes each only once it has accepted the one before: wait for the 4 to count.
    RawConnection extra(http_port_);
    extra.receive_until_closed(deadline_in(5s));
    EXPECT_TRUE(extra.closed) << "a fifth connection was kept";
    held.clear();
    // The four are freed as the server sees them close.
    auto deadline = deadline_in(10s);
    CommandResult result;
    do
        result = curl({"-o", "/dev/null", url("/api/v1/status")});
    while (result.exit_code != 0 && std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

// One host may not hold every slot: its own are capped, and another host still gets in.
TEST_F(WebTest, OneClientCannotHoldEverySlot)
{
    start({.extra = "\toption max_connections '8'\n\toption max_connections_per_client '3'\n"});
    std::vector<std::unique_ptr<RawConnection>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<RawConnection>(http_port_, "127.0.0.2"));
        ASSERT_TRUE(held.back()->connected());
    }
    RawConnection fourth(http_port_, "127.0.0.2");
    fourth.receive_until_closed(deadline_in(5s));
    EXPECT_TRUE(fourth.closed) << "a fourth connection from one client was kept";
    // 127.0.0.1 is another client: served while 127.0.0.2 holds its three.
    auto result = curl({"-o", "/dev/null", url("/api/v1/status")});
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

// Clients in a TLS handshake may take half the slots: a further one is closed at once, though
// slots are free, until a handshake ends.
TEST_F(WebTest, TlsHandshakesMayTakeHalfTheSlots)
{
    start({.extra = "\toption max_connections '4'\n"});
    std::vector<std::unique_ptr<RawConnection>> silent;
    for (const char* source : {"127.0.0.2", "127.0.0.3"}) {
        silent.push_back(std::make_unique<RawConnection>(https_port_, source));
        ASSERT_TRUE(silent.back()->connected());
    }
    // curl connects while the two say nothing: its handshake would be the third of four slots.
    // The server takes connections in order, so the two count before curl's.
    auto refused = curl({"-o", "/dev/null", url("/api/v1/status")});
    EXPECT_NE(refused.exit_code, 0) << "a third TLS handshake was let in";
    silent.clear();
    auto deadline = deadline_in(10s);
    CommandResult result;
    do
        result = curl({"-o", "/dev/null", url("/api/v1/status")});
    while (result.exit_code != 0 && std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

// ---------------------------------------------------------------- logging in
TEST_F(WebTest, EveryApiCallButTheLoginNeedsIt)
{
    start({.log_in = false});
    auto [status, body] = fetch({url("/api/v1/session")}, Credentials::None);
    ASSERT_EQ(status, 200) << body;
    EXPECT_EQ(json::parse(body), json::parse(R"({"password_set":false,"logged_in":false,"csrf_token":null})"));
    for (auto path : {"/api/v1/status", "/api/v1/modems", "/api/v1/modems/1-1", "/api/v1/tokens", "/api/v1/nothing"}) {
        auto [refused, reason] = fetch({url(path)}, Credentials::None);
        EXPECT_EQ(refused, 401) << path << ": " << reason;
    }
    auto [at, at_body] = fetch({"-H", "Content-Type: application/json", "--data", R"({"command":"AT+CGMM"})",
                                url("/api/v1/modems/1-1/at")}, Credentials::None);
    EXPECT_EQ(at, 401) << at_body;
    // A made-up session cookie is no better.
    auto [forged, forged_body] = fetch({"-H", "Cookie: __Host-uplink-session=" + std::string(64, 'a'),
                                        url("/api/v1/status")}, Credentials::None);
    EXPECT_EQ(forged, 401) << forged_body;
}

// No default password: the first visit needs the code uplinkd printed, then it is a login.
TEST_F(WebTest, TheFirstVisitSetsThePasswordWithTheSetupCode)
{
    start({.log_in = false});
    auto log = daemon_->process().errors();
    auto at = log.find("setup code ");
    ASSERT_NE(at, std::string::npos) << log;
    auto code = log.substr(at + 11, 11);   // "ABCDE-FGHJK"
    auto setup = [&](std::string_view entered, std::string_view password) {   // the cookie into the jar
        return fetch({"-c", jar().string(), "-H", "Content-Type: application/json", "--data",
                      fmt::format(R"({{"setup_code":"{}","password":"{}"}})", entered, password), url("/api/v1/setup")},
                     Credentials::None);
    };
    EXPECT_EQ(setup("AAAAA-AAAAA", admin_password).first, 403);
    EXPECT_EQ(setup(code, "short").first, 400);
    EXPECT_EQ(fetch({"-X", "POST", url("/api/v1/login")}, Credentials::None).first, 415);   // no JSON body
    auto [status, body] = setup(code, admin_password);
    ASSERT_EQ(status, 200) << body;
    csrf_token_ = text(json::parse(body), "csrf_token");
    EXPECT_EQ(csrf_token_.size(), 64u);
    auto [done, done_body] = fetch({url("/api/v1/status")});
    EXPECT_EQ(done, 200) << done_body;
    auto session = json::parse(fetch({url("/api/v1/session")}).second);
    EXPECT_EQ(session.at("password_set"), true);
    EXPECT_EQ(session.at("logged_in"), true);
    EXPECT_EQ(text(session, "csrf_token"), csrf_token_);
    EXPECT_EQ(setup(code, "another password").first, 409);   // once only
}

TEST_F(WebTest, TheCookieIsForThisSiteOverHttpsAlone)
{
    start({.log_in = false});
    set_password_with_cli(admin_password);
    auto result = curl({"-D", "-", "-o", "/dev/null", "-H", "Content-Type: application/json", "--data",
                        fmt::format(R"({{"password":"{}"}})", admin_password), url("/api/v1/login")},
                       Credentials::None);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto at = result.out.find("Set-Cookie: __Host-uplink-session=");
    ASSERT_NE(at, std::string::npos) << result.out;
    auto cookie = result.out.substr(at, result.out.find("\r\n", at) - at);
    for (auto attribute : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict", "; Max-Age="})
        EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " missing in " << cookie;
}

TEST_F(WebTest, AChangeWithoutTheCsrfTokenIsRefused)
{
    start();
    std::vector<std::string> send_at {"-H", "Content-Type: application/json", "--data", R"({"command":"AT+CGMM"})",
                                      url("/api/v1/modems/1-1/at")};
    auto with_cookie_alone = send_at;
    with_cookie_alone.insert(with_cookie_alone.begin(), {"-b", jar().string()});
    auto [refused, reason] = fetch(with_cookie_alone, Credentials::None);
    EXPECT_EQ(refused, 403) << reason;
    auto wrong = with_cookie_alone;
    wrong.insert(wrong.begin(), {"-H", "X-CSRF-Token: " + std::string(64, '0')});
    EXPECT_EQ(fetch(wrong, Credentials::None).first, 403);
    // Reading needs no token; changing with it works.
    EXPECT_EQ(fetch({"-b", jar().string(), url("/api/v1/status")}, Credentials::None).first, 200);
    auto [status, body] = fetch(send_at);
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(text(json::parse(body), "final"), "OK") << body;
}

TEST_F(WebTest, TheEleventhBadLoginInAMinuteIsThrottled)
{
    start();
    for (int attempt = 1; attempt <= 10; ++attempt)
        EXPECT_EQ(log_in("wrong password").first, 401) << "attempt " << attempt;
    auto result = curl({"-D", "-", "-H", "Content-Type: application/json", "--data", R"({"password":"wrong password"})",
                        url("/api/v1/login")}, Credentials::None);
    EXPECT_EQ(result.out.rfind("HTTP/1.1 429", 0), 0u) << result.out;
    EXPECT_NE(result.out.find("Retry-After: "), std::string::npos) << result.out;
    // Throttled means the right password waits too, and the session from before still works.
    EXPECT_EQ(log_in(admin_password).first, 429);
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 200);
}

TEST_F(WebTest, LogoutEndsTheSession)
{
    start();
    auto saved = directory_.path() / "saved-cookies.txt";
    fs::copy_file(jar(), saved);
    auto [status, body] = fetch({"-X", "POST", "-c", jar().string(), url("/api/v1/logout")});
    ASSERT_EQ(status, 200) << body;
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 401);
    // The old cookie, kept by someone, is dead too.
    EXPECT_EQ(fetch({"-b", saved.string(), url("/api/v1/status")}, Credentials::None).first, 401);
}

TEST_F(WebTest, ApiTokensServeScriptsUntilRevoked)
{
    start();
    auto [made, made_body] = fetch({"-H", "Content-Type: application/json", "--data",
                                    fmt::format(R"({{"name":"monitoring","password":"{}"}})", admin_password),
                                    url("/api/v1/tokens")});
    ASSERT_EQ(made, 200) << made_body;
    auto token = text(json::parse(made_body), "token");
    ASSERT_EQ(token.rfind("upl_", 0), 0u) << made_body;
    auto bearer = "Authorization: Bearer " + token;
    auto [status, body] = fetch({"-H", bearer, url("/api/v1/modems/1-1")}, Credentials::None);
    EXPECT_EQ(status, 200) << body;
    // No CSRF token for a script: nothing is sent without being asked.
    auto [fast, fast_body] = fetch({"-H", bearer, "-H", "Content-Type: application/json", "--data",
                                    R"({"seconds":5})", url("/api/v1/modems/1-1/signal/fast")}, Credentials::None);
    EXPECT_EQ(fast, 200) << fast_body;
    EXPECT_EQ(fetch({"-H", bearer, url("/api/v1/tokens")}, Credentials::None).first, 403);   // not its business
    // Nor is the config file with its PINs and passwords, however the path is spelled; the admin's login reads it.
    for (auto path : {"/api/v1/config", "/api/v1/config/", "/api/v1/%63onfig"})
        EXPECT_EQ(fetch({"-H", bearer, url(path)}, Credentials::None).first, 403) << path;
    EXPECT_EQ(fetch({"-H", bearer, "-H", "Content-Type: application/json", "--data", R"({"text":""})",
                     url("/api/v1/config")}, Credentials::None).first, 403);
    auto [backup, backup_body] = fetch({url("/api/v1/config")});
    EXPECT_EQ(backup, 200) << backup_body;
    EXPECT_NE(text(json::parse(backup_body), "text").find("config web"), std::string::npos) << backup_body;
    auto listed = json::parse(fetch({url("/api/v1/tokens")}).second);
    EXPECT_EQ(text(listed.at("tokens").at(0), "name"), "monitoring");
    EXPECT_EQ(json::serialize(listed).find(token), std::string::npos) << "the token is shown once only";

    EXPECT_EQ(fetch({"-X", "POST", url("/api/v1/tokens/monitoring/delete")}).first, 200);
    EXPECT_EQ(fetch({"-H", bearer, url("/api/v1/status")}, Credentials::None).first, 401);
    EXPECT_EQ(fetch({"-H", "Authorization: Bearer upl_nonsense", url("/api/v1/status")}, Credentials::None).first, 401);
}

// A token outlives the session that made it: a browser left logged in (or a stolen cookie) does
// not make one without the password, whose check is a login's, throttled with the logins.
TEST_F(WebTest, MakingATokenNeedsThePasswordAgain)
{
    start();
    auto make = [&](std::string_view body) {
        return fetch({"-D", "-", "-H", "Content-Type: application/json", "--data", std::string(body),
                      url("/api/v1/tokens")});
    };
    auto [missing, missing_body] = make(R"({"name":"script"})");
    EXPECT_EQ(missing, 400) << missing_body;
    EXPECT_NE(missing_body.find("needs the admin password"), std::string::npos) << missing_body;
    auto [wrong, wrong_body] = make(R"({"name":"script","password":"not the password"})");
    EXPECT_EQ(wrong, 403) << wrong_body;
    EXPECT_NE(wrong_body.find("wrong password"), std::string::npos) << wrong_body;
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 200) << "a wrong password is no logout";
    EXPECT_TRUE(json::parse(fetch({url("/api/v1/tokens")}).second).at("tokens").as_array().empty());
    EXPECT_NE(daemon_->process().errors().find("a wrong password from 127.0.0.1 to make an API token"),
              std::string::npos) << daemon_->process().errors();

    auto [made, made_body] = make(fmt::format(R"({{"name":"script","password":"{}"}})", admin_password));
    ASSERT_EQ(made, 200) << made_body;
    auto token = text(json::parse(made_body.substr(made_body.find("\r\n\r\n") + 4)), "token");
    EXPECT_EQ(fetch({"-H", "Authorization: Bearer " + token, url("/api/v1/status")}, Credentials::None).first, 200);

    // The right one forgot the wrong one before, as a login does. Ten wrong ones in the minute:
    // the next check waits, even with the right password, and so does this client's login.
    for (int attempt = 1; attempt <= 10; ++attempt)
        EXPECT_EQ(make(R"({"name":"other","password":"not the password"})").first, 403) << attempt;
    auto [throttled, throttled_body] = make(fmt::format(R"({{"name":"other","password":"{}"}})", admin_password));
    EXPECT_EQ(throttled, 429) << throttled_body;
    EXPECT_NE(throttled_body.find("Retry-After: "), std::string::npos) << throttled_body;
    EXPECT_EQ(log_in(admin_password).first, 429);
    EXPECT_EQ(json::parse(fetch({url("/api/v1/tokens")}).second).at("tokens").as_array().size(), 1u);
}

// Root on the router sets the password through the unix socket: every browser session ends.
// Over HTTPS only a change with the current password is possible.
TEST_F(WebTest, UplinkPasswdEndsEverySessionAndHttpsCannotResetIt)
{
    start();
    auto [refused, reason] = fetch({"-H", "Content-Type: application/json", "--data", R"({"password":"taken over!"})",
                                    url("/api/v1/admin-password")});
    EXPECT_EQ(refused, 403) << reason;
    set_password_with_cli("a new admin password");
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 401);
    EXPECT_EQ(log_in(admin_password).first, 401);
    EXPECT_EQ(log_in("a new admin password").first, 200);

    auto [changed, changed_body] = fetch({"-c", jar().string(), "-H", "Content-Type: application/json", "--data",
                                          R"({"current":"a new admin password","new":"the third password"})",
                                          url("/api/v1/password")});
    ASSERT_EQ(changed, 200) << changed_body;
    csrf_token_ = text(json::parse(changed_body), "csrf_token");
    EXPECT_EQ(fetch({url("/api/v1/status")}).first, 200);   // the new session
    EXPECT_EQ(log_in("the third password").first, 200);
}

// scrypt runs on a worker thread: while a login's KDF runs, uplinkd's loop answers everyone else,
// and another password check is refused at once (503) rather than queued behind it.
TEST_F(WebTest, WhileALoginsKdfRunsEveryoneElseIsAnswered)
{
    start();
    // The admin password as an uplinkd with a 64-times dearer cost wrote it (p = 16 and N = 2^16:
    // 64 MiB, about 2 s here), made with hash_password("correct horse battery", {16, 8, 16}). A
    // stored line names its own cost, so this login's KDF is that slow; what follows fits in it.
    std::ofstream(directory_.path() / "daemon" / "state" / "admin-password", std::ios::trunc)
        << "$scrypt$ln=16,r=8,p=16$vxEHqoH7HHXHUltTtA19Wg$HmhJIwDl2SbkLVp7zybKAUBPTsE377SvQsGa0C2Z7H0\n";
    auto attempt = [&](std::string_view password, std::vector<std::string> more = {}) {
        more.insert(more.end(), {"-H", "Content-Type: application/json", "--data",
                                 fmt::format(R"({{"password":"{}"}})", password), url("/api/v1/login")});
        return curl(more, Credentials::None);
    };
    // The daemon logs each KDF as it starts (the login in start() was the first).
    auto kdfs_started = [&] {
        constexpr std::string_view started = "checking a password from 127.0.0.1 on the KDF worker";
        auto log = daemon_->process().errors();
        std::size_t count = 0;
        for (auto at = log.find(started); at != std::string::npos; at = log.find(started, at + 1))
            ++count;
        return count;
    };
    auto before = kdfs_started();
    CommandResult slow;
    std::thread client([&] { slow = attempt(admin_password, {"-o", "/dev/null", "-w", "%{http_code}"}); });
    auto deadline = deadline_in(20s);
    while (kdfs_started() == before && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    if (kdfs_started() == before) {
        client.join();
        FAIL() << "the login's KDF never started: " << slow.out << slow.err;
    }

    // Between these two refusals the KDF ran all along: the server answered them, and the API, meanwhile.
    auto busy = attempt("wrong password", {"-D", "-"});
    auto [status, body] = fetch({url("/api/v1/status")});
    auto still_busy = attempt("wrong password", {"-D", "-"});
    client.join();
    EXPECT_EQ(busy.out.rfind("HTTP/1.1 503", 0), 0u) << busy.out << busy.err;
    EXPECT_NE(busy.out.find("Retry-After: 1\r\n"), std::string::npos) << busy.out;
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(still_busy.out.rfind("HTTP/1.1 503", 0), 0u)
        << "the login's KDF had ended before the second refusal (a stall of seconds?): " << still_busy.out;
    EXPECT_EQ(slow.out, "200") << slow.err;
    // Once the reply is out, the next check runs.
    EXPECT_EQ(log_in("wrong password").first, 401);
}

// Prometheus scrapes /metrics with an API token; its own promtool checks the text.
TEST_F(WebTest, MetricsForPrometheus)
{
    start();
    daemon_->wait_for_modem("1-1", "locked", [](const json::value& modem) { return text(modem, "state") == "locked"; });
    EXPECT_EQ(fetch({url("/metrics")}, Credentials::None).first, 401);
    auto [made, made_body] = fetch({"-H", "Content-Type: application/json", "--data",
                                    fmt::format(R"({{"name":"prometheus","password":"{}"}})", admin_password),
                                    url("/api/v1/tokens")});
    ASSERT_EQ(made, 200) << made_body;
    auto token = text(json::parse(made_body), "token");
    auto scraped = curl({"-D", directory_.path() / "headers.txt", "-o", directory_.path() / "metrics.txt", "-H",
                         "Authorization: Bearer " + token, url("/metrics")}, Credentials::None);
    ASSERT_EQ(scraped.exit_code, 0) << scraped.err;
    std::ifstream headers_file(directory_.path() / "headers.txt"), metrics_file(directory_.path() / "metrics.txt");
    std::string headers((std::istreambuf_iterator<char>(headers_file)), std::istreambuf_iterator<char>());
    std::string metrics((std::istreambuf_iterator<char>(metrics_file)), std::istreambuf_iterator<char>());
    EXPECT_EQ(headers.rfind("HTTP/1.1 200", 0), 0u) << headers;
    EXPECT_NE(headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << headers;
    for (auto line : {"uplink_modems 1\n", "uplink_modem_state{modem=\"1-1\",state=\"locked\",wan=\"wan1\"} 1\n"})
        EXPECT_NE(metrics.find(line), std::string::npos) << line << " not in\n" << metrics;
    auto checked = run_command({"sh", "-c", "promtool check metrics < " + (directory_.path() / "metrics.txt").string()});
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err << metrics;
}

// GET /api/v1/events: server-sent events. A PIN given through the API unlocks the SIM and the
// states follow on the stream; a signal change in the emulator arrives with its levels.
TEST_F(WebTest, EventsArePushedAsServerSentEvents)
{
    start();
    daemon_->wait_for_modem("1-1", "locked", [](const json::value& modem) { return text(modem, "state") == "locked"; });
    auto received = directory_.path() / "events.txt";
    CommandResult streamed;
    std::thread client([&] {
        streamed = curl({"-N", "-D", directory_.path() / "event-headers.txt", "-o", received, "--max-time", "8",
                         url("/api/v1/events")});
    });
    auto read_received = [&] {
        std::ifstream file(received);
        return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    };
    auto wait_for = [&](std::string_view wanted) {
        auto deadline = deadline_in(10s);
        while (read_received().find(wanted) == std::string::npos && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(50ms);
        return read_received().find(wanted) != std::string::npos;
    };
    // The stream is open once its header is in (curl writes it whole, blank line last). The PIN
    // goes in only then: before, its events could pass while nobody listens.
    auto header_is_in = [&] {
        std::ifstream file(directory_.path() / "event-headers.txt");
        std::string header((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        return header.find("\r\n\r\n") != std::string::npos;
    };
    auto opened = deadline_in(10s);
    while (!header_is_in() && std::chrono::steady_clock::now() < opened)
        std::this_thread::sleep_for(20ms);
    if (!header_is_in()) {
        client.join(); // curl's --max-time ends it
        FAIL() << "the event stream's header never came: " << streamed.err;
    }
    auto [status, body] = fetch({"-H", "Content-Type: application/json", "--data",
                                 R"({"options":{"pin":"1234"},"preview":false})", url("/api/v1/profiles/default")});
    EXPECT_EQ(status, 200) << body;
    EXPECT_TRUE(wait_for("registered")) << read_received();
    emulator_->control({{"cmd", "set-signal"}, {"rsrp", -111}, {"rsrq", -15}, {"sinr", -2}});
    EXPECT_TRUE(wait_for("\"rsrp_dbm\":-111")) << read_received();
    client.join();
    EXPECT_EQ(streamed.exit_code, 28) << "ended by --max-time, not by the server: " << streamed.err;

    std::ifstream headers_file(directory_.path() / "event-headers.txt");
    std::string headers((std::istreambuf_iterator<char>(headers_file)), std::istreambuf_iterator<char>());
    EXPECT_EQ(headers.rfind("HTTP/1.1 200", 0), 0u) << headers;
    EXPECT_NE(headers.find("Content-Type: text/event-stream"), std::string::npos) << headers;
    // Every frame is one "data:" line of JSON and a blank line.
    auto events = read_received();
    std::size_t frames = 0;
    for (std::size_t at = 0; (at = events.find("data: ", at)) != std::string::npos; ++frames) {
        auto end = events.find("\n\n", at);
        ASSERT_NE(end, std::string::npos) << events;
        boost::system::error_code error;
        auto event = json::parse(events.substr(at + 6, end - at - 6), error);
        ASSERT_FALSE(error) << events.substr(at, end - at);
        EXPECT_EQ(text(event, "modem_id"), "1-1");
        at = end;
    }
    EXPECT_GE(frames, 3u) << events;
    // Without a login there is no stream.
    EXPECT_EQ(fetch({"--max-time", "5", url("/api/v1/events")}, Credentials::None).first, 401);
}

} // namespace
} // namespace uplink::testing
