// Figures for the modem core (printed, not asserted):
//  - time from the modem's ports appearing to "registered", with a scenario whose own latencies
//    are zero, so what is measured is uplinkd's overhead (discovery, probing, init, unlock);
//  - uplinkd's resident memory and CPU while idle with one registered modem.
// Run: build/release/bin/modem_bench [rounds] [idle-seconds]
#include "harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <poll.h>
#include <unistd.h>

namespace {

using namespace uplink::testing;
namespace json = boost::json;

struct ProcessUsage {
    long rss_kib = 0, peak_rss_kib = 0;
    double cpu_seconds = 0;
};

ProcessUsage usage_of(pid_t pid)
{
    ProcessUsage usage;
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmRSS:"))
            usage.rss_kib = std::stol(line.substr(6));
        if (line.starts_with("VmHWM:"))
            usage.peak_rss_kib = std::stol(line.substr(6));
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may contain spaces) start after the last ')'.
    std::istringstream fields(content.substr(content.rfind(')') + 2));
    std::string field;
    long user = 0, system = 0;
    for (int index = 3; fields >> field; ++index) {
        if (index == 14)
            user = std::stol(field);
        if (index == 15) {
            system = std::stol(field);
            break;
        }
    }
    usage.cpu_seconds = static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
    return usage;
}

double percentile(std::vector<double> values, double fraction)
{
    std::sort(values.begin(), values.end());
    auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
    return values[index];
}

} // namespace

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
    int idle_seconds = argc > 2 ? std::atoi(argv[2]) : 30;

    TemporaryDirectory directory;
    Emulator emulator(directory.path() / "sim", scenario_path("ec25-bench.json"));
    Daemon daemon(directory.path() / "daemon", emulator, Daemon::Settings{"1234", 10, 5});
    auto registered = [](const json::value& modem) { return modem.at("state").as_string() == "registered"; };
    daemon.wait_for_modem("1-1", "registered", registered);

    std::vector<double> milliseconds;
    for (int round = 0; round < rounds; ++round) {
        emulator.control({{"cmd", "unplug"}});
        daemon.wait_for_absence("1-1");
        auto plugged = std::chrono::steady_clock::now();
        emulator.control({{"cmd", "replug"}});
        daemon.wait_for_modem("1-1", "registered", registered);
        milliseconds.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - plugged).count());
    }
    std::printf("ports appear -> registered (scenario latencies 0), %d rounds: median %.1f ms, p90 %.1f ms, max %.1f ms\n",
                rounds, percentile(milliseconds, 0.5), percentile(milliseconds, 0.9), percentile(milliseconds, 1.0));

    auto pid = daemon.process().pid();
    auto before = usage_of(pid);
    // Idle: nothing happens but uplinkd's own polling (every 10 s, the default).
    ::poll(nullptr, 0, idle_seconds * 1000);
    auto after = usage_of(pid);
    std::printf("uplinkd idle with one registered modem, %d s: RSS %ld KiB (peak %ld KiB), CPU %.3f s = %.3f %%\n",
                idle_seconds, after.rss_kib, after.peak_rss_kib, after.cpu_seconds - before.cpu_seconds,
                100.0 * (after.cpu_seconds - before.cpu_seconds) / idle_seconds);
    return ::testing::Test::HasFailure() ? 1 : 0;
}
