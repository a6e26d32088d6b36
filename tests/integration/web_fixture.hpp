// The fixture of the HTTPS server's tests (web_test.cpp, secrets_test.cpp): uplinkd with
// `config web` on 127.0.0.1 and ports the kernel hands out, the admin password set with
// `uplink passwd` and logged in, and curl that trusts the generated certificate alone.
// Outside an anonymous namespace: GoogleTest wants one fixture type for every TEST_F of a suite.
#pragma once

#include "harness.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uplink::testing {

namespace fs = std::filesystem;
namespace json = boost::json;

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
    CommandResult curl(std::vector<std::string> arguments, Credentials credentials = Credentials::Session)
    {
        std::vector<std::string> command{"curl", "-sS", "--max-time", "20", "--cacert", certificate().string()};
        if (credentials == Credentials::Session && fs::exists(jar()))
            command.insert(command.end(), {"-b", jar().string(), "-H", "X-CSRF-Token: " + csrf_token_});
        command.insert(command.end(), arguments.begin(), arguments.end());
        return run_command(command);
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

    TemporaryDirectory directory_;
    std::string csrf_token_;
    std::uint16_t https_port_ = free_port();
    std::uint16_t http_port_ = free_port();
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

} // namespace uplink::testing
