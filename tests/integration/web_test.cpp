// uplinkd's HTTPS server (`config web`) against real clients: curl verifies the generated
// certificate, openssl reads the certificate's fingerprint, raw TCP sockets send what no client
// library would; and the limits on slow, idle and too many clients. Logging in is in
// web_login_test.cpp, what other programs follow (metrics, events) in web_events_test.cpp.
#include "web_fixture.hpp"

#include <sys/stat.h>

#include <algorithm>

namespace uplink::testing {
namespace {

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
    // A POST's body is not waited for: the 308 comes as soon as the header is in (the client
    // sends the body again, to the https:// URL), and the connection closes.
    RawConnection raw(http_port_);
    ASSERT_TRUE(raw.connected());
    raw.send("POST /api/v1/modems/1-1/at HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 10485760\r\n\r\n");
    auto reply = raw.receive_until_closed(deadline_in(5s));
    EXPECT_EQ(reply.rfind("HTTP/1.1 308", 0), 0u) << reply;
    EXPECT_NE(reply.find(fmt::format("Location: https://127.0.0.1:{}/api/v1/modems/1-1/at\r\n", https_port_)),
              std::string::npos) << reply;
    EXPECT_TRUE(raw.closed);
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
    // Slowloris: a request that never ends is closed at the request deadline, and not before it:
    // the server's timers start after `started` and never fire early, so the lower bound holds
    // however loaded the machine. The watchdog is generous for a 2 s deadline yet shorter than
    // the default one (10 s), so a setting left unapplied fails here.
    auto started = std::chrono::steady_clock::now();
    RawConnection slow(http_port_);
    ASSERT_TRUE(slow.connected());
    slow.send("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ");
    auto reply = slow.receive_until_closed(started + 8s);
    EXPECT_TRUE(slow.closed) << "not closed by the 2 s request deadline";
    EXPECT_TRUE(reply.empty()) << reply;
    EXPECT_GE(std::chrono::steady_clock::now() - started, 2s) << "closed before its deadline";
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
    expect_served_again();
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
    expect_served_again();
}

} // namespace
} // namespace uplink::testing
