// Figures for uplink-sim's data path (printed, not asserted): what DataPlane carries between two
// namespaces with no rate limit, delay or loss, so that a speed test through the emulator
// measures the link model's rate and not the emulator. iperf3 makes the load; the figures are
// the data plane's own counters (packets and bytes written to the far TUN) and its CPU time.
// Needs root and iperf3; without them it says so and exits 0.
// Run: build/release/bin/data_plane_bench [seconds per run, default 5]
#include "sim/data_plane.hpp"
#include "sim/tests/namespaces.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <vector>

namespace {

using namespace uplink::sim;
using namespace uplink::sim::testing;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* server_address = "100.64.0.1"; // carrier0
constexpr const char* server_port = "5201";

double process_cpu_seconds()
{
    rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& value) { return value.tv_sec + value.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// `iperf3 -s` in the carrier namespace, stopped (by its pid) when this goes out of scope.
class IperfServer {
public:
    explicit IperfServer(const std::string& namespace_name)
    {
        std::vector<std::string> words {"ip", "netns", "exec", namespace_name, "iperf3", "-s", "-B",
            server_address, "-p", server_port};
        std::vector<char*> arguments;
        for (auto& word : words)
            arguments.push_back(word.data());
        arguments.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        ::posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        if (::posix_spawnp(&pid_, "ip", &actions, nullptr, arguments.data(), environ) != 0)
            pid_ = -1;
        ::posix_spawn_file_actions_destroy(&actions);
        // Ready when its socket listens; at most 5 s.
        auto deadline = SteadyClock::now() + std::chrono::seconds(5);
        while (pid_ > 0 && SteadyClock::now() < deadline) {
            auto listening = run_command(
                "ip netns exec " + namespace_name + " ss -Hltn sport = :" + server_port);
            if (!listening.output.empty())
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    IperfServer(const IperfServer&) = delete;
    IperfServer& operator=(const IperfServer&) = delete;
    ~IperfServer()
    {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }

private:
    pid_t pid_ = -1;
};

struct Run {
    const char* name;
    const char* options; // iperf3 client options beyond the server and the time
    Direction direction; // which way the payload goes through the data plane
};

void measure(LoopThread& loop, DataPlane& plane, const std::string& router_namespace,
    const Run& run, int seconds)
{
    auto before = loop.call([&] { return plane.counters(); });
    auto cpu_before = process_cpu_seconds();
    auto started = SteadyClock::now();
    auto client = run_command(fmt::format("ip netns exec {} iperf3 -c {} -p {} -t {} -J {}",
        router_namespace, server_address, server_port, seconds, run.options));
    double wall = std::chrono::duration<double>(SteadyClock::now() - started).count();
    double cpu = process_cpu_seconds() - cpu_before;
    auto after = loop.call([&] { return plane.counters(); });

    const auto& lane_before = run.direction == Direction::Uplink ? before.uplink : before.downlink;
    const auto& lane_after = run.direction == Direction::Uplink ? after.uplink : after.downlink;
    double packets = static_cast<double>(lane_after.packets - lane_before.packets);
    double bytes = static_cast<double>(lane_after.bytes - lane_before.bytes);
    auto drops = (lane_after.dropped_queue - lane_before.dropped_queue)
        + (lane_after.dropped_write - lane_before.dropped_write);

    // iperf3's own figure: the payload the receiving end got (the IP figure adds the headers).
    double reported = 0;
    boost::system::error_code error;
    auto report = boost::json::parse(client.output, error);
    if (!error && report.is_object()) {
        const auto* end = report.as_object().if_contains("end");
        if (end && end->is_object())
            if (const auto* sum = end->as_object().if_contains("sum_received");
                sum && sum->is_object())
                if (const auto* rate = sum->as_object().if_contains("bits_per_second"))
                    reported = rate->to_number<double>();
    }
    if (client.status != 0 || reported == 0) {
        std::printf("%-34s iperf3 failed (status %d): %.200s\n", run.name, client.status,
            client.output.c_str());
        return;
    }
    std::printf("%-34s %8.1f Mbit/s IP  %9.0f packets/s  iperf3 %8.1f Mbit/s  "
                "data plane CPU %3.0f %%  drops %llu\n",
        run.name, bytes * 8 / wall / 1e6, packets / wall, reported / 1e6, 100 * cpu / wall,
        static_cast<unsigned long long>(drops));
}

} // namespace

int main(int argc, char** argv)
{
    int seconds = std::clamp(argc > 1 ? std::atoi(argv[1]) : 5, 1, 15);
    auto reason = namespaces_unavailable();
    if (reason.empty() && run_command("iperf3 --version").status != 0)
        reason = "needs iperf3";
    if (!reason.empty()) {
        std::printf("data plane bench skipped: %s\n", reason.c_str());
        return 0;
    }

    auto suffix = std::to_string(::getpid());
    NetworkNamespace router("uplink-bench-router-" + suffix);
    NetworkNamespace carrier("uplink-bench-carrier-" + suffix);
    LoopThread loop;
    DataPlaneSetup setup;
    setup.router_namespace = router.name();
    setup.carrier_namespace = carrier.name();
    std::string message;
    auto created = loop.call([&] { return DataPlane::create(loop.context(), setup, message); });
    if (!created) {
        std::fprintf(stderr, "data plane bench: %s\n", message.c_str());
        return 1;
    }
    auto plane = std::move(*created);
    LinkOverrides unlimited {0, 0, std::chrono::milliseconds(0), std::chrono::milliseconds(0), 0.0};
    loop.call([&] {
        plane.set_link(unlimited);
        plane.set_bearer(BearerState::Up);
    });
    for (auto command :
        {"address add 100.64.0.2/30 dev wwan0", "link set wwan0 up", "route add default dev wwan0"})
        if (auto result = run_command("ip -n " + router.name() + " " + command);
            result.status != 0) {
            std::fprintf(stderr, "data plane bench: ip %s: %s\n", command, result.output.c_str());
            loop.call([&] { plane.stop(); });
            return 1;
        }

    std::printf(
        "data plane, no rate limit, %d s per run (2 shared cores: iperf3 competes for them)\n",
        seconds);
    {
        IperfServer server(carrier.name());
        const Run runs[] = {
            {"TCP upload (router -> carrier)", "", Direction::Uplink},
            {"TCP download (carrier -> router)", "-R", Direction::Downlink},
            {"UDP upload, 1400-byte datagrams", "-u -b 0 -l 1400", Direction::Uplink},
            {"UDP upload, 64-byte datagrams", "-u -b 0 -l 64", Direction::Uplink},
        };
        for (const auto& run : runs)
            measure(loop, plane, router.name(), run, seconds);
    }
    loop.call([&] { plane.stop(); });
    return 0;
}
