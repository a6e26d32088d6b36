// The fixture of the tests of uplinkd's HTTPS server (`config web`, web_*_test.cpp): uplinkd and
// uplink-sim with the web server on ports the kernel hands out, on 127.0.0.1 only; curl that
// trusts the generated certificate alone and keeps the login's cookie; raw TCP connections that
// send what no client library would.
#pragma once

#include "harness.hpp"
#include "support/eventually.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace uplink::testing {

namespace fs = std::filesystem;
namespace json = boost::json;

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

struct WebOptions {
    std::string extra = "";           // more options of `config web`
    bool enabled = true;
    bool log_in = true;               // set the admin password (`uplink passwd`) and log in
};

inline constexpr std::string_view admin_password = "correct horse battery";

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
        if (options.enabled && options.log_in) {
            set_password_with_cli(admin_password);
            auto [status, body] = log_in(admin_password);
            ASSERT_EQ(status, 200) << body;
        }
    }

    // `uplink passwd`, the password on its stdin.
    CommandResult set_password_with_cli(std::string_view password)
    {
        auto result = run_command({"sh", "-c", fmt::format("printf '%s\\n' '{}' | {} --socket {} passwd", password,
                                                           binary_path("uplink").string(), daemon_->socket().string())});
        EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
        return result;
    }

    // POST /api/v1/login; on success the cookie is in the jar and the CSRF token kept for curl().
    std::pair<int, std::string> log_in(std::string_view password)
    {
        // -b as well as -c: a refused login leaves the jar as it was.
        auto reply = fetch({"-b", jar().string(), "-c", jar().string(), "-H", "Content-Type: application/json",
                            "--data", fmt::format(R"({{"password":"{}"}})", password), url("/api/v1/login")},
                           Credentials::None);
        if (reply.first == 200)
            csrf_token_ = text(json::parse(reply.second), "csrf_token");
        return reply;
    }
    fs::path certificate() const { return directory_.path() / "daemon" / "state" / "web" / "cert.pem"; }
    std::string url(std::string_view path) const { return fmt::format("https://127.0.0.1:{}{}", https_port_, path); }

    fs::path jar() const { return directory_.path() / "cookies.txt"; }

    // What curl sends besides the request: the session cookie and this session's CSRF token (a
    // browser's page would send it), or nothing.
    enum class Credentials { Session, None };

    // curl with the generated certificate as the only trusted one: a 0 exit means it verified.
    std::vector<std::string> curl_command(std::vector<std::string> arguments,
                                          Credentials credentials = Credentials::Session)
    {
        std::vector<std::string> command{"curl", "-sS", "--max-time", "20", "--cacert", certificate().string()};
        if (credentials == Credentials::Session && fs::exists(jar()))
            command.insert(command.end(), {"-b", jar().string(), "-H", "X-CSRF-Token: " + csrf_token_});
        command.insert(command.end(), arguments.begin(), arguments.end());
        return command;
    }
    CommandResult curl(std::vector<std::string> arguments, Credentials credentials = Credentials::Session)
    {
        return run_command(curl_command(std::move(arguments), credentials));
    }

    // The status line's code and the body, with -w.
    std::pair<int, std::string> fetch(std::vector<std::string> arguments, Credentials credentials = Credentials::Session)
    {
        arguments.insert(arguments.begin(), {"-w", "\n%{http_code}"});
        auto result = curl(arguments, credentials);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        auto newline = result.out.rfind('\n');
        if (newline == std::string::npos)
            return {0, result.out};
        return {std::atoi(result.out.c_str() + newline + 1), result.out.substr(0, newline)};
    }

    void expect_still_serving()
    {
        auto [status, body] = fetch({url("/api/v1/session")});
        EXPECT_EQ(status, 200) << body;
        EXPECT_TRUE(daemon_->process().running());
    }

    // Once the slots other clients held are freed (as the server sees them close), served again.
    void expect_served_again()
    {
        CommandResult result;
        EXPECT_TRUE(eventually([&] {
            result = curl({"-o", "/dev/null", url("/api/v1/status")});
            return result.exit_code == 0;
        }, deadline_in(15s))) << result.err;
    }

    // What a file holds so far ("" before it exists): curl's output as it writes it.
    static std::string file_text(const fs::path& path)
    {
        std::ifstream file(path);
        return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    }

    // Whether the reply header curl writes with -D is in: it writes it whole, blank line last. An
    // event stream is open from then on, so an event after it is not missed.
    static bool header_is_in(const fs::path& headers)
    {
        return file_text(headers).find("\r\n\r\n") != std::string::npos;
    }

    TemporaryDirectory directory_;
    std::string csrf_token_;
    std::uint16_t https_port_ = free_port();
    std::uint16_t http_port_ = free_port();
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

} // namespace uplink::testing
