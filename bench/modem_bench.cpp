// Figures for the modem core (printed, not asserted):
//  - time from the modem's ports appearing to "registered", with a scenario whose own latencies
//    are zero, so what is measured is uplinkd's overhead (discovery, probing, init, unlock);
//  - uplinkd's resident memory and CPU while idle with one registered modem;
//  - time from a new APN posted to the API to the network's answer to a call with it, applied
//    live while the modem waits to retry after a refusal, same scenario;
//  - as root: time from the modem's ports appearing to the first packet answered through its
//    data connection (router namespace -> emulated LTE -> carrier namespace), same scenario.
// Run: build/release/bin/modem_bench [rounds] [idle-seconds]
#include "harness.hpp"

#include "sim/tests/namespaces.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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

// "<what>, N rounds: median, p90, max" of durations in milliseconds.
void print_durations(const char* what, const std::vector<double>& milliseconds)
{
    std::printf("%s, %zu rounds: median %.1f ms, p90 %.1f ms, max %.1f ms\n", what,
                milliseconds.size(), percentile(milliseconds, 0.5), percentile(milliseconds, 0.9),
                percentile(milliseconds, 1.0));
}

double milliseconds_since(std::chrono::steady_clock::time_point start)
{
    auto elapsed = std::chrono::steady_clock::now() - start;
    return std::chrono::duration<double, std::milli>(elapsed).count();
}

// A profile edit applied live, in the case that has a wait to cut short: the network refused the
// APN and the modem waits to retry. Without a wwan0 (none outside the netns bench), a call the
// network accepted ends with "cannot configure wwan0", one it refused with its 3GPP cause.
void measure_apn_change(int rounds)
{
    TemporaryDirectory directory;
    Emulator emulator(directory.path() / "sim", scenario_path("ec25-bench.json"));
    Daemon daemon(directory.path() / "daemon", emulator,
                  Daemon::Settings {.pin = "1234", .poll_interval_s = 10, .at_timeout_s = 5,
                                    .connection = "\toption apn 'no.such.apn'\n"});
    auto call_ended_with = [](std::string what) {
        return [what](const json::value& modem) {
            return text(modem.at("connection"), "last_error").find(what) != std::string::npos;
        };
    };
    auto set_apn = [&daemon](const char* apn) {
        daemon.request("POST", "/v1/profiles/default",
                       json::object {{"options", json::object {{"apn", apn}}}, {"preview", false}});
    };
    std::vector<double> milliseconds;
    for (int round = 0; round < rounds; ++round) {
        daemon.wait_for_modem("1-1", "the unknown APN refused", call_ended_with("cause 27"));
        auto posted = std::chrono::steady_clock::now();
        set_apn("internet");
        daemon.wait_for_modem("1-1", "a call with the new APN",
                              call_ended_with("cannot configure wwan0"));
        milliseconds.push_back(milliseconds_since(posted));
        set_apn("no.such.apn");
    }
    print_durations("APN changed while waiting to retry -> the network's answer to a call with it",
                    milliseconds);
}

namespace netns = uplink::sim::testing;

// One UDP datagram from the router's namespace to the carrier's echo, answered within 50 ms
// (the link's own delay is set to 0; the wait only bounds a lost try).
bool echo_answers(int client, const sockaddr_in& carrier, int server)
{
    const char datagram[] = "first packet";
    if (::sendto(client, datagram, sizeof datagram, 0, reinterpret_cast<const sockaddr*>(&carrier), sizeof carrier) < 0)
        return false;
    if (!netns::wait_readable(server, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)))
        return false;
    char buffer[64];
    sockaddr_in peer {};
    socklen_t size = sizeof peer;
    auto got = ::recvfrom(server, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &size);
    if (got <= 0)
        return false;
    ::sendto(server, buffer, static_cast<std::size_t>(got), 0, reinterpret_cast<sockaddr*>(&peer), size);
    if (!netns::wait_readable(client, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)))
        return false;
    return ::recv(client, buffer, sizeof buffer, 0) == got;
}

void measure_first_packet(int rounds)
{
    if (auto missing = netns::namespaces_unavailable(); !missing.empty()) {
        std::printf("ports appear -> first packet through: skipped (%s)\n", missing.c_str());
        return;
    }
    auto suffix = std::to_string(::getpid());
    netns::NetworkNamespace router("uplink-bench-router-" + suffix), carrier("uplink-bench-carrier-" + suffix);
    TemporaryDirectory directory;
    auto scenario = read_json_file(scenario_path("ec25-bench.json"));
    scenario.at("modems").as_array().at(0).as_object()["data_path"]
        = json::object {{"namespace", router.name()}, {"carrier_namespace", carrier.name()}};
    std::ofstream(directory.path() / "scenario.json") << json::serialize(scenario);
    Emulator emulator(directory.path() / "sim", directory.path() / "scenario.json");
    Daemon::Settings settings {.pin = "1234", .poll_interval_s = 10, .at_timeout_s = 5};
    settings.connection = "\toption apn 'internet'\n";
    settings.launcher = {"ip", "netns", "exec", router.name()};
    Daemon daemon(directory.path() / "daemon", emulator, settings);

    // The echo server answers on an address of the carrier's own that no bearer changes (the
    // carrier's TUN moves to each new bearer's gateway); the router reaches it by its default
    // route through the modem.
    constexpr const char* echo_address = "198.18.9.1";
    if (std::system(("ip -n " + carrier.name() + " address add " + echo_address + "/32 dev lo").c_str()) != 0) {
        std::printf("ports appear -> first packet through: skipped (cannot give the carrier %s)\n", echo_address);
        return;
    }
    // Bound to that address, so that the answer comes from it: a reply from another address (the
    // carrier's own on its TUN) is no reply to conntrack, and the router's firewall drops it as a
    // new connection from the WAN.
    auto server = netns::socket_in(carrier.name(), SOCK_DGRAM);
    sockaddr_in target {};
    target.sin_family = AF_INET;
    target.sin_port = htons(7008);
    ::inet_pton(AF_INET, echo_address, &target.sin_addr);
    if (::bind(server.get(), reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
        std::printf("ports appear -> first packet through: skipped (cannot bind the echo to %s)\n", echo_address);
        return;
    }
    auto connected = [](const json::value& modem) { return modem.at("connection").at("state").as_string() == "connected"; };
    daemon.wait_for_modem("1-1", "connected", connected);
    // The scenario's radio gives the link 15 ms each way: the emulated network's latency, not ours.
    emulator.control({{"cmd", "link"}, {"delay_ms", 0}, {"jitter_ms", 0}});

    std::vector<double> milliseconds;
    for (int round = 0; round < rounds; ++round) {
        emulator.control({{"cmd", "unplug"}});
        daemon.wait_for_absence("1-1");
        auto plugged = std::chrono::steady_clock::now();
        emulator.control({{"cmd", "replug"}});
        auto deadline = plugged + std::chrono::seconds(20);
        bool through = false;
        while (!through && std::chrono::steady_clock::now() < deadline) {
            // A new socket each try: a send before wwan0 has its route fails with ENETUNREACH.
            auto client = netns::socket_in(router.name(), SOCK_DGRAM);
            through = echo_answers(client.get(), target, server.get());
        }
        if (!through) {
            std::printf("ports appear -> first packet through: no packet got through in 20 s\n");
            return;
        }
        milliseconds.push_back(milliseconds_since(plugged));
    }
    print_durations("ports appear -> first packet through the data connection "
                    "(scenario latencies 0)",
                    milliseconds);
}

} // namespace

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
    int idle_seconds = argc > 2 ? std::atoi(argv[2]) : 30;

    TemporaryDirectory directory;
    Emulator emulator(directory.path() / "sim", scenario_path("ec25-bench.json"));
    Daemon daemon(directory.path() / "daemon", emulator, Daemon::Settings{.pin = "1234", .poll_interval_s = 10, .at_timeout_s = 5});
    auto registered = [](const json::value& modem) { return modem.at("state").as_string() == "registered"; };
    daemon.wait_for_modem("1-1", "registered", registered);

    std::vector<double> milliseconds;
    for (int round = 0; round < rounds; ++round) {
        emulator.control({{"cmd", "unplug"}});
        daemon.wait_for_absence("1-1");
        auto plugged = std::chrono::steady_clock::now();
        emulator.control({{"cmd", "replug"}});
        daemon.wait_for_modem("1-1", "registered", registered);
        milliseconds.push_back(milliseconds_since(plugged));
    }
    print_durations("ports appear -> registered (scenario latencies 0)", milliseconds);

    auto pid = daemon.process().pid();
    auto before = usage_of(pid);
    // Idle: nothing happens but uplinkd's own polling (every 10 s, the default).
    ::poll(nullptr, 0, idle_seconds * 1000);
    auto after = usage_of(pid);
    std::printf("uplinkd idle with one registered modem, %d s: RSS %ld KiB (peak %ld KiB), CPU %.3f s = %.3f %%\n",
                idle_seconds, after.rss_kib, after.peak_rss_kib, after.cpu_seconds - before.cpu_seconds,
                100.0 * (after.cpu_seconds - before.cpu_seconds) / idle_seconds);
    measure_apn_change(rounds);
    measure_first_packet(rounds);
    return ::testing::Test::HasFailure() ? 1 : 0;
}
