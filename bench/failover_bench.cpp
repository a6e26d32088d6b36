// Figures for WAN failover end to end (issue 13, docs/failover.md), printed, not asserted: a UDP
// stream of 100 datagrams a second from the LAN host to the internet host, through uplinkd in
// network namespaces (tests/netns/failover_topology.hpp: a wired WAN and the emulated EC25 in one
// failover policy), and the longest gap in what arrives when the WAN carrying it
//  - loses its carrier (the isp's end of the wire goes down),
//  - goes silent with its carrier up (the isp drops everything: a blackhole),
//  - is the modem, and the network detaches it;
// then the false failovers over N probes of the LTE WAN on a lossy link. Beside each, what
// mwan3's defaults give for the same case, computed from its settings (reference/multiwan.md
// §1.3, §1.5; src/health/simulation.hpp models mwan3track's loop).
// Run as root, after `cmake --build --preset release`: bench/failover [probes], default 10000
// (about 40 minutes: the probes go at 4 a second).
#include "failover_topology.hpp"
#include "health/simulation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

namespace uplink::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::uint64_t probe_count = 10'000;

// Per direction on the emulated radio link: 1 - 0.89² = 20.8 % of the probes' round trips.
constexpr int loss_each_way_percent = 11;

milliseconds between(steady_clock::time_point from, steady_clock::time_point to)
{
    return std::chrono::duration_cast<milliseconds>(to - from);
}

// The stream: a thread sends a numbered datagram from the LAN host every 10 ms and records what
// the internet host's UDP socket receives, with the address it came from (the masqueraded
// address of the WAN that carried it).
class UdpStream {
public:
    struct Arrival {
        steady_clock::time_point time;
        std::string from;
    };

    UdpStream(const std::string& lan_namespace, int receiver)
        : sender_(sim::testing::socket_in(lan_namespace, SOCK_DGRAM | SOCK_NONBLOCK))
        , receiver_(receiver)
    {
        auto server = address_of("198.18.2.2", echo_port);
        if (::connect(sender_.get(), reinterpret_cast<sockaddr*>(&server), sizeof server) != 0)
            throw std::runtime_error(std::string("udp connect: ") + std::strerror(errno));
        char drain[64];
        while (::recv(receiver_, drain, sizeof drain, MSG_DONTWAIT) >= 0) {
        }
        thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
    }

    std::optional<Arrival> last() const
    {
        std::lock_guard lock(mutex_);
        return arrivals_.empty() ? std::nullopt : std::optional(arrivals_.back());
    }

    // Stops the stream; everything that arrived, and how many were sent.
    std::pair<std::vector<Arrival>, std::uint64_t> stop()
    {
        thread_.request_stop();
        thread_.join();
        return {arrivals_, sent_};
    }

private:
    void run(const std::stop_token& stop)
    {
        constexpr auto period = 10ms;
        auto next = steady_clock::now();
        while (!stop.stop_requested()) {
            if (steady_clock::now() >= next) {
                // A send refused (an ICMP error from the router while no WAN routes it) is a
                // datagram lost like any other.
                auto number = sent_++;
                ::send(sender_.get(), &number, sizeof number, 0);
                next += period;
            }
            auto wait = std::max(milliseconds(0), between(steady_clock::now(), next));
            pollfd readable {receiver_, POLLIN, 0};
            if (::poll(&readable, 1, static_cast<int>(wait.count())) != 1)
                continue;
            sockaddr_in peer {};
            socklen_t size = sizeof peer;
            std::uint64_t number = 0;
            while (::recvfrom(receiver_, &number, sizeof number, MSG_DONTWAIT,
                       reinterpret_cast<sockaddr*>(&peer), &size)
                > 0) {
                char text[INET_ADDRSTRLEN] = {};
                ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
                std::lock_guard lock(mutex_);
                arrivals_.push_back({steady_clock::now(), text});
            }
        }
    }

    sim::testing::Socket sender_;
    int receiver_;
    mutable std::mutex mutex_;
    std::vector<Arrival> arrivals_;
    std::uint64_t sent_ = 0;
    std::jthread thread_;
};

class FailoverBench : public FailoverTopology {
protected:
    using FailoverTopology::FailoverTopology;

    // Streams by `from`, runs `fail`, streams until the datagrams have come by `to` for a second,
    // and prints the gap beside `mwan3`.
    void measure(const char* what, const std::string& from, const std::string& to,
        const std::function<void()>& fail, const std::string& mwan3)
    {
        UdpStream stream(lan_->name(), udp_server_.get());
        auto by = [&](const std::string& address) {
            auto last = stream.last();
            return last && last->from == address;
        };
        ASSERT_TRUE(eventually([&] { return by(from); }, deadline_in(10s)))
            << "the stream did not leave by " << from << "\n" << log_tail();
        std::this_thread::sleep_for(1s);
        fail();
        auto event = steady_clock::now();
        bool moved = eventually([&] { return by(to); }, deadline_in(60s));
        std::this_thread::sleep_for(1s);
        auto [arrivals, sent] = stream.stop();
        ASSERT_TRUE(moved) << what << ": the stream never came by " << to << "\n" << log_tail();

        milliseconds gap {};
        for (std::size_t i = 1; i < arrivals.size(); ++i)
            gap = std::max(gap, between(arrivals[i - 1].time, arrivals[i].time));
        auto first_by_new = std::find_if(arrivals.begin(), arrivals.end(),
            [&](const UdpStream::Arrival& arrival) { return arrival.time >= event && arrival.from == to; });
        std::printf("%-34s gap %5lld ms, %3llu of %llu datagrams lost, by the new WAN %5lld ms "
                    "after the event | mwan3: %s\n",
            what, static_cast<long long>(gap.count()),
            static_cast<unsigned long long>(sent - arrivals.size()),
            static_cast<unsigned long long>(sent),
            static_cast<long long>(between(event, first_by_new->time).count()), mwan3.c_str());
        std::fflush(stdout);
    }
};

// mwan3's shipped `wan` section against a silent upstream, from its settings.
std::string mwan3_blackout()
{
    auto detection = health::simulation::mwan3_blackout_detection(
        health::simulation::mwan3_shipped(), 200, 13);
    return "offline after " + std::to_string(static_cast<int>(detection.mean)) + " s (mean), "
        + std::to_string(static_cast<int>(detection.worst))
        + " s (worst); new flows move then, this stream never (its mark stays)";
}

TEST_F(FailoverBench, CarrierLoss)
{
    auto modem = wait_lte_ready();
    measure("wired WAN loses its carrier", fibre_address, modem,
        [&] { must("ip -n " + isp_->name() + " link set isp0 down"); },
        "netifd's ifdown and the hotplug script, 1-3 s of shell (not measured); new flows move "
        "then, this stream never (flush_conntrack is empty by default)");
}

TEST_F(FailoverBench, Blackhole)
{
    auto modem = wait_lte_ready();
    measure("wired WAN silent, carrier up", fibre_address, modem, [&] { silence_isp(); }, mwan3_blackout());
}

class FailoverBenchLteFirst : public FailoverBench {
protected:
    FailoverBenchLteFirst()
        : FailoverBench(Preferred::Lte)
    {
    }
};

TEST_F(FailoverBenchLteFirst, ModemDetached)
{
    auto modem = wait_lte_ready();
    measure("LTE WAN detached by the network", modem, fibre_address,
        [&] { emulator_->control({{"cmd", "detach"}}); },
        "a blackout unless the modem's proto handler takes the interface down: " + mwan3_blackout());
}

// The LTE WAN on a lossy radio link for `probe_count` of its probes: how often it is taken for
// dead (a false failover) or degraded.
TEST_F(FailoverBenchLteFirst, LossyLinkFalseFailovers)
{
    wait_lte_ready();
    emulator_->control({{"cmd", "link"}, {"loss_percent", loss_each_way_percent}});
    auto probes = [&] { return wan("lte").at("probes"); };
    auto first = probes();
    auto start_sent = first.at("sent").to_number<std::uint64_t>();
    auto start_lost = first.at("lost").to_number<std::uint64_t>();
    auto start = steady_clock::now();
    auto log_start = daemon_->process().errors().size();
    while (probes().at("sent").to_number<std::uint64_t>() - start_sent < probe_count)
        std::this_thread::sleep_for(1s);
    auto last = probes();
    auto sent = last.at("sent").to_number<std::uint64_t>() - start_sent;
    auto lost = last.at("lost").to_number<std::uint64_t>() - start_lost;
    auto log = daemon_->process().errors().substr(log_start);
    auto count = [&](const std::string& pattern) {
        std::regex expression(pattern);
        return std::distance(std::sregex_iterator(log.begin(), log.end(), expression), std::sregex_iterator());
    };
    auto dead = count("wan lte: [a-z]+ -> dead");
    auto degraded = count("wan lte: [a-z]+ -> degraded");

    health::simulation::LinkModel lossy;
    lossy.loss = static_cast<double>(lost) / static_cast<double>(sent);
    auto mwan3 = health::simulation::simulate_mwan3(
        health::simulation::mwan3_shipped(), lossy, sent, uplink::Duration::max(), 13);
    std::printf("%llu probes on LTE with %d %% loss each way (%.1f %% of probes lost), %.0f s: "
                "%ld false failovers (to dead), to degraded %ld times | mwan3 shipped wan, %llu pings at "
                "that loss: %d offline\n",
        static_cast<unsigned long long>(sent), loss_each_way_percent,
        100.0 * static_cast<double>(lost) / static_cast<double>(sent),
        std::chrono::duration<double>(steady_clock::now() - start).count(), static_cast<long>(dead),
        static_cast<long>(degraded), static_cast<unsigned long long>(sent), mwan3.offline_events);
    std::fflush(stdout);
}

} // namespace
} // namespace uplink::testing

int main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    if (argc > 1)
        uplink::testing::probe_count = std::strtoull(argv[1], nullptr, 10);
    if (auto missing = uplink::sim::testing::namespaces_unavailable(); !missing.empty()) {
        std::printf("failover bench: not run (%s)\n", missing.c_str());
        return 0;
    }
    return RUN_ALL_TESTS();
}
