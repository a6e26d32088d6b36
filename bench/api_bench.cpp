// Figures for the HTTPS API (printed, not asserted): uplinkd with the emulated EC25 registered,
// its web server on a loopback port, and wrk sending GET requests with an API token over
// keep-alive TLS connections, as a script or a dashboard would. Per route: the median and 99th
// percentile latency and the requests per second, with the errors, if any.
// The web server is allowed 128 connections, so that none of wrk's is refused (the default is 32).
// Run: build/release/bin/api_bench [seconds] [connections]   (needs wrk: scripts/deps)
#include "harness.hpp"

#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <optional>
#include <sstream>

namespace {

using namespace uplink::testing;
namespace json = boost::json;

constexpr std::string_view password = "api bench password";

struct WrkFigures {
    double p50_ms = 0, p99_ms = 0, requests_per_second = 0;
    long requests = 0;
    std::string errors; // wrk's lines on socket errors and non-2xx replies
};

// "812.00us", "1.23ms", "2.01s" -> milliseconds.
double milliseconds_of(const std::string& value)
{
    std::size_t unit = 0;
    double number = std::stod(value, &unit);
    auto suffix = value.substr(unit);
    if (suffix == "us")
        return number / 1000;
    if (suffix == "s")
        return number * 1000;
    if (suffix == "m")
        return number * 60'000;
    return number;
}

// The text of `wrk --latency`.
std::optional<WrkFigures> parse_wrk(const std::string& output)
{
    WrkFigures figures;
    int found = 0;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string first, second;
        words >> first >> second;
        if (first == "50%") {
            figures.p50_ms = milliseconds_of(second);
            ++found;
        } else if (first == "99%") {
            figures.p99_ms = milliseconds_of(second);
            ++found;
        } else if (first == "Requests/sec:") {
            figures.requests_per_second = std::stod(second);
            ++found;
        } else if (second == "requests")
            figures.requests = std::stol(first);
        else if (first == "Socket" || first == "Non-2xx")
            figures.errors
                += (figures.errors.empty() ? "" : "; ") + line.substr(line.find_first_not_of(' '));
    }
    return found == 3 ? std::optional(figures) : std::nullopt;
}

class Bench {
public:
    explicit Bench(std::uint16_t port)
        : port_(port)
    {
    }

    // The admin password through the unix socket, a login and an API token through HTTPS.
    std::optional<std::string> api_token(Daemon& daemon, const std::filesystem::path& directory)
    {
        auto reset
            = daemon.request("POST", "/v1/admin-password", json::object {{"password", password}});
        if (reset.at("status") != 200) {
            std::printf(
                "api bench: cannot set the admin password: %s\n", json::serialize(reset).c_str());
            return std::nullopt;
        }
        auto jar = (directory / "cookies.txt").string();
        auto certificate = (directory / "daemon" / "state" / "web" / "cert.pem").string();
        auto login = run_command({"curl", "-sS", "--cacert", certificate, "-c", jar, "-H",
            "Content-Type: application/json", "--data",
            fmt::format(R"({{"password":"{}"}})", password), url("/api/v1/login")});
        auto csrf = login.exit_code == 0 ? text(json::parse(login.out), "csrf_token") : "";
        auto made = run_command({"curl", "-sS", "--cacert", certificate, "-b", jar, "-H",
            "X-CSRF-Token: " + csrf, "-H", "Content-Type: application/json", "--data",
            fmt::format(R"({{"name":"bench","password":"{}"}})", password), url("/api/v1/tokens")});
        auto token = made.exit_code == 0 ? text(json::parse(made.out), "token") : "";
        if (token.empty()) {
            std::printf("api bench: no API token: %s%s%s\n", login.err.c_str(), made.out.c_str(),
                made.err.c_str());
            return std::nullopt;
        }
        return token;
    }

    void measure(const std::string& path, const std::string& token, int seconds, int connections)
    {
        auto run = run_command(
            {"wrk", "-t2", fmt::format("-c{}", connections), fmt::format("-d{}s", seconds),
                "--latency", "-H", "Authorization: Bearer " + token, url(path)},
            std::chrono::seconds(seconds + 30));
        auto figures = parse_wrk(run.out);
        if (run.exit_code != 0 || !figures) {
            std::printf("GET %s: wrk failed (%d): %s%s\n", path.c_str(), run.exit_code,
                run.out.c_str(), run.err.c_str());
            return;
        }
        std::printf(
            "GET %s, wrk -t2 -c%d -d%ds, keep-alive TLS: p50 %.2f ms, p99 %.2f ms, %.0f requests/s "
            "(%ld requests%s%s)\n",
            path.c_str(), connections, seconds, figures->p50_ms, figures->p99_ms,
            figures->requests_per_second, figures->requests,
            figures->errors.empty() ? ", no errors" : "; ", figures->errors.c_str());
    }

private:
    std::string url(std::string_view path) const
    {
        return fmt::format("https://127.0.0.1:{}{}", port_, path);
    }

    std::uint16_t port_;
};

} // namespace

int main(int argc, char** argv)
{
    int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
    int connections = argc > 2 ? std::atoi(argv[2]) : 100;
    if (run_command({"sh", "-c", "command -v wrk"}).exit_code != 0) {
        std::printf("api latency: skipped (wrk is not installed: scripts/deps installs it)\n");
        return 0;
    }
    TemporaryDirectory directory;
    auto port = free_port();
    Emulator emulator(directory.path() / "sim", scenario_path("ec25-bench.json"));
    auto web = fmt::format(
        "config web\n\tlist listen '127.0.0.1'\n\toption https_port '{}'\n\toption http_port '0'\n"
        "\toption max_connections '128'\n",
        port);
    Daemon daemon(directory.path() / "daemon", emulator,
        Daemon::Settings {
            .pin = "1234", .poll_interval_s = 10, .at_timeout_s = 5, .extra_config = web});
    daemon.wait_for_modem("1-1", "registered",
        [](const json::value& modem) { return text(modem, "state") == "registered"; });

    Bench bench(port);
    auto token = bench.api_token(daemon, directory.path());
    if (!token)
        return 1;
    for (const auto* path : {"/api/v1/status", "/api/v1/modems/1-1"})
        bench.measure(path, *token, seconds, connections);
    return ::testing::Test::HasFailure() ? 1 : 0;
}
