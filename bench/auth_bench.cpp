// Figures for the admin password's KDF (printed, not asserted): how long one scrypt hash takes
// at each cost around the default (N = 2^14, r = 8, p = 1), and the memory it needs. A login
// runs it once; docs/auth.md quotes the default's time. Then how late a 1 ms timer on the event
// loop fires during one login: with the KDF on a worker thread, as uplinkd runs it, and on the
// loop itself for comparison.
// Run: ninja -C build/release auth_bench && build/release/bin/auth_bench [rounds]
#include <algorithm>
#include <auth/auth.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace {

using namespace uplink::auth;
namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;
constexpr std::string_view password = "correct horse battery staple";

double milliseconds_of(Steady::duration duration)
{
    return std::chrono::duration<double, std::milli>(duration).count();
}

// A 1 ms timer, re-armed until the login is done: the worst lateness is how long the loop stalled.
asio::awaitable<void> tick(const bool* done, double* worst)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!*done) {
        auto due = Steady::now() + std::chrono::milliseconds(1);
        timer.expires_at(due);
        co_await timer.async_wait(asio::use_awaitable);
        *worst = std::max(*worst, milliseconds_of(Steady::now() - due));
    }
}

asio::awaitable<void> log_in(Authenticator* authenticator, asio::any_io_executor kdf, bool* done)
{
    auto operation = authenticator->begin_login("192.0.2.1", password);
    if (operation)
        co_await complete(*authenticator, std::move(*operation), std::move(kdf));
    *done = true;
}

void stop_on_exception(std::exception_ptr exception)
{
    if (exception)
        std::rethrow_exception(exception); // out of run(): the bench stops with it
}

// The loop's worst stall during one login whose KDF runs on `kdf`.
double worst_stall(Authenticator& authenticator, asio::io_context& loop, asio::any_io_executor kdf)
{
    bool done = false;
    double worst = 0;
    asio::co_spawn(loop, tick(&done, &worst), stop_on_exception);
    asio::co_spawn(loop, log_in(&authenticator, std::move(kdf), &done), stop_on_exception);
    loop.restart();
    loop.run();
    return worst;
}

// Figures for the loop during a login, in a throw-away state directory.
void print_loop_stalls()
{
    auto state_dir = std::filesystem::temp_directory_path() / "uplink-auth-bench";
    std::filesystem::create_directories(state_dir);
    if (!PasswordStore((state_dir / password_file_name).string()).store(*hash_password(password))) {
        std::fprintf(stderr, "cannot write a password file in %s\n", state_dir.c_str());
        return;
    }
    Authenticator authenticator(state_dir.string());
    asio::io_context loop;
    asio::thread_pool worker(1);
    std::printf("event loop's worst stall during one login (a 1 ms timer's lateness): KDF on the worker "
                "%.1f ms, KDF on the loop %.1f ms\n",
        worst_stall(authenticator, loop, worker.get_executor()),
        worst_stall(authenticator, loop, loop.get_executor()));
    std::filesystem::remove_all(state_dir);
}

} // namespace

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    for (unsigned log2_cost : {12u, 13u, 14u, 15u, 16u}) {
        KdfParameters parameters {log2_cost, 8, 1};
        auto line = hash_password("correct horse battery staple", parameters);
        if (!line) {
            std::fprintf(
                stderr, "scrypt ln=%u failed: %s\n", log2_cost, line.error().message().c_str());
            return 1;
        }
        std::vector<double> milliseconds;
        for (int round = 0; round < rounds; ++round) {
            auto start = std::chrono::steady_clock::now();
            auto verified = verify_password(*line, "correct horse battery staple");
            auto elapsed = std::chrono::steady_clock::now() - start;
            if (!verified)
                return 1;
            milliseconds.push_back(std::chrono::duration<double, std::milli>(elapsed).count());
        }
        std::sort(milliseconds.begin(), milliseconds.end());
        std::printf("scrypt N=2^%u r=8 p=1 (%3u MiB): median %6.1f ms, min %6.1f ms over %d%s\n",
            log2_cost, (128u * 8u << log2_cost) >> 20, milliseconds[milliseconds.size() / 2],
            milliseconds.front(), rounds, parameters == KdfParameters {} ? "  <- default" : "");
    }
    print_loop_stalls();
    return 0;
}
