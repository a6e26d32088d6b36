// uplinkd's HTTPS server (`config web`) against real clients: curl verifies the generated
// certificate, openssl reads its fingerprint, raw TCP sockets send what no client library would.
// Everything listens on 127.0.0.1 only, on ports the kernel hands out.
#include "harness.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace uplink::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// A port free now on 127.0.0.1 (the kernel's choice), for uplinkd to bind a moment later.
std::uint16_t free_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t size = sizeof(address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
}

// A raw TCP connection to 127.0.0.1.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
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

struct WebOptions {
    std::string extra = "";           // more options of `config web`
    bool enabled = true;
};

class WebTest : public ::testing::Test {
protected:
    void start(WebOptions options = {})
    {
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_path("ec25-test.json"));
        auto web = fmt::format("config web\n\toption enabled '{}'\n\tlist listen '127.0.0.1'\n"
                               "\toption https_port '{}'\n\toption http_port '{}'\n{}",
                               options.enabled ? 1 : 0, https_port_, http_port_, options.extra);
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_,
                                           Daemon::Settings{.pin = "", .extra_config = web});
    }

    fs::path certificate() const { return directory_.path() / "daemon" / "state" / "web" / "cert.pem"; }
    std::string url(std::string_view path) const { return fmt::format("https://127.0.0.1:{}{}", https_port_, path); }

    // curl with the generated certificate as the only trusted one: a 0 exit means it verified.
    CommandResult curl(std::vector<std::string> arguments)
    {
        std::vector<std::string> command{"curl", "-sS", "--max-time", "20", "--cacert", certificate().string()};
        command.insert(command.end(), arguments.begin(), arguments.end());
        return run_command(command);
    }

    // The status line's code and the body, with -w.
    std::pair<int, std::string> fetch(std::vector<std::string> arguments)
    {
        arguments.insert(arguments.begin(), {"-w", "\n%{http_code}"});
        auto result = curl(arguments);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        auto newline = result.out.rfind('\n');
        if (newline == std::string::npos)
            return {0, result.out};
        return {std::atoi(result.out.c_str() + newline + 1), result.out.substr(0, newline)};
    }

    void expect_still_serving()
    {
        auto [status, body] = fetch({url("/api/v1/status")});
        EXPECT_EQ(status, 200) << body;
        EXPECT_TRUE(daemon_->process().running());
    }

    TemporaryDirectory directory_;
    std::uint16_t https_port_ = free_port();
    std::uint16_t http_port_ = free_port();
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
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
    for (auto expect : {"Expect: 100-continue", "Expect:"}) {   // waiting for 100, and not
        auto [status, body] = fetch({"-H", "Content-Type: application/json", "-H", expect, "--data-binary",
                                     "@" + big.string(), url("/api/v1/modems/1-1/at")});
        EXPECT_EQ(status, 413) << expect << ": " << body;
    }
    // The refusal comes as soon as the headers are in: no body is sent at all here.
    RawConnection raw(http_port_);
    ASSERT_TRUE(raw.connected());
    raw.send("POST /api/v1/modems/1-1/at HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 10485760\r\n\r\n");
    auto reply = raw.receive_until_closed(deadline_in(5s));
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
    EXPECT_TRUE(raw.closed);

    auto [status, body] = fetch({"-H", "X-Filler: " + std::string(9000, 'x'), url("/api/v1/status")});
    EXPECT_EQ(status, 431) << body;
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

} // namespace
} // namespace uplink::testing
