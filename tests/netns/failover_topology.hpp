// The failover topology, shared by tests/netns/failover_test.cpp and bench/failover_bench.cpp:
// the netns topology with a wired WAN that another program configures (here the test, with
// `ip route`) beside the emulated EC25, both WANs of one failover policy in uplinkd.
//
//   [lan 198.18.1.2] --veth-- [router 198.18.1.1: uplinkd, wan0 198.18.3.2, wwan0]
//        wan0 --veth-- [isp 198.18.3.1 / 198.18.4.1] --veth-- [internet 198.18.4.2]
//        wwan0 ~~TUN~~ [carrier 198.18.2.1] --veth-- [internet 198.18.2.2]
//
// The internet host also answers on 198.18.5.1 (its lo), so that the three probe targets,
// 198.18.2.2, 198.18.4.2 and 198.18.5.1, answer through either WAN: the health engine wants
// three targets for a blackout verdict.
#pragma once

#include "support/eventually.hpp"
#include "topology.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/socket.h>

namespace uplink::testing {

// The router's address on the wired line: what the internet sees of a connection that left by
// fibre (masqueraded).
inline constexpr const char* fibre_address = "198.18.3.2";

// A TCP connection from the LAN host to the internet's echo port that carried one payload.
struct LanConnection {
    sim::testing::Socket client; // in the LAN host's namespace
    sim::testing::Socket accepted; // the internet host's end
    std::string peer; // the client's address as the internet host saw it
};

class FailoverTopology : public NetnsTopologyTest {
protected:
    // Which WAN the policy prefers: the wired one (the usual case), or LTE, to watch the modem
    // fail over to the wire.
    enum class Preferred { Fibre, Lte };

    explicit FailoverTopology(Preferred preferred = Preferred::Fibre)
        : preferred_(preferred)
    {
    }

    void SetUp() override
    {
        ASSERT_NO_FATAL_FAILURE(create_topology("f"));
        if (IsSkipped())
            return;
        isp_.emplace("uplink-ispf-" + std::to_string(::getpid()));
        ASSERT_NO_FATAL_FAILURE(wire_wired_wan());
        ASSERT_NO_FATAL_FAILURE(start_peers());
        ASSERT_NO_FATAL_FAILURE(start_programs());
    }

    // The isp goes silent: nothing it is sent is forwarded or answered, and wan0 keeps its
    // carrier, so only unanswered probes (`probes`: how they ask) can tell. One nft transaction:
    // all at once. New connections must then leave by LTE (`modem_address`) within 10 s. Call
    // inside ASSERT_NO_FATAL_FAILURE.
    void fail_over_on_blackout(const std::string& modem_address, const std::string& probes)
    {
        ASSERT_TRUE(new_connections_leave_by(fibre_address, std::chrono::seconds(10)));
        silence_isp();
        auto blackout = std::chrono::steady_clock::now();
        auto carrier = sim::testing::run_command("ip -n " + router_->name() + " link show wan0");
        EXPECT_EQ(carrier.output.find("NO-CARRIER"), std::string::npos) << carrier.output;
        ASSERT_TRUE(new_connections_leave_by(modem_address, std::chrono::seconds(30)));
        auto failover = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - blackout);
        std::cout << "failover after a blackout with carrier up, " << probes << " probes: " << failover.count() << " ms\n";
        EXPECT_LT(failover, std::chrono::seconds(10));
    }

    // The isp drops everything it is sent, in one nft transaction; wan0 keeps its carrier.
    void silence_isp()
    {
        auto rules = directory_.path() / "blackout.nft";
        std::ofstream(rules) << "table inet blackout {\n"
                                "\tchain input { type filter hook input priority 0; policy drop; }\n"
                                "\tchain forward { type filter hook forward priority 0; policy drop; }\n"
                                "}\n";
        must("ip netns exec " + isp_->name() + " nft -f " + rules.string());
    }

    // What a test runs in the namespaces before uplinkd starts (a resolver, a bus).
    virtual void start_peers() {}

    // The wired line, beside the topology's cellular one: the router's wan0 to the isp, the isp
    // to the internet host, and routes so that every probe target answers through both.
    void wire_wired_wan()
    {
        const auto& router = router_->name();
        const auto& isp = isp_->name();
        const auto& carrier = carrier_->name();
        const auto& internet = internet_->name();
        veth(router, "wan0", "198.18.3.2/24", isp, "isp0", "198.18.3.1/24");
        veth(isp, "isp1", "198.18.4.1/24", internet, "net2", "198.18.4.2/24");
        must("ip netns exec " + isp + " sysctl -qw net.ipv4.ip_forward=1");
        must("ip -n " + isp + " route add 198.18.2.0/24 via 198.18.4.2");
        must("ip -n " + isp + " route add 198.18.5.0/24 via 198.18.4.2");
        must("ip -n " + internet + " address add 198.18.5.1/32 dev lo");
        must("ip -n " + internet + " route add 198.18.3.0/24 via 198.18.4.1");
        must("ip -n " + carrier + " route add 198.18.4.0/24 via 198.18.2.2");
        must("ip -n " + carrier + " route add 198.18.5.0/24 via 198.18.2.2");
        // Strict reverse-path filtering, as some distributions set it: uplinkd loosens it on the
        // WANs, or LTE's replies would be dropped while the main table's default route is wan0's.
        must("ip netns exec " + router + " sysctl -qw net.ipv4.conf.all.rp_filter=1");
        // The wired WAN's owner (netifd, networkd, a DHCP client) is another program: here, the
        // test. Its default route is preferred to the modem's in the main table.
        must("ip -n " + router + " route add default via 198.18.3.1 dev wan0 metric 10");
        // The wiring itself, before uplinkd: every target answers the router through wan0 and
        // the carrier (the far end of wwan0) directly.
        for (const auto* target : {"198.18.2.2", "198.18.4.2", "198.18.5.1"}) {
            must("ip netns exec " + router + " ping -q -c 1 -W 2 -I wan0 " + target);
            must("ip netns exec " + carrier + " ping -q -c 1 -W 2 " + target);
        }
    }

    // uplink-sim with the router's and carrier's namespaces, uplinkd in the router's with the
    // two WANs and their policy.
    void start_programs()
    {
        auto scenario_file = directory_.path() / "scenario.json";
        write_scenario(scenario_file);
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_file);
        Daemon::Settings settings;
        settings.pin = "1234";
        settings.connection = connection_;
        settings.extra_config = wan_config();
        settings.launcher = {"ip", "netns", "exec", router_->name()};
        settings.launcher.insert(settings.launcher.end(), launcher_environment_.begin(), launcher_environment_.end());
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, settings);
    }

    // The modem connected and its WAN probing through it (uplinkd's echoes crossing the
    // emulator's data path); the modem's address, which the internet sees of a connection that
    // left by LTE.
    // A WAN as GET /v1/wans gives it (docs/api.md), or null.
    boost::json::value wan(const std::string& name)
    {
        auto wans = daemon_->get("/v1/wans");
        for (const auto& wan : wans.as_array())
            if (text(wan, "name") == name)
                return wan;
        return nullptr;
    }

    std::string wan_state(const std::string& name) { return text(wan(name), "state"); }

    std::string wait_lte_ready()
    {
        auto modem = daemon_->wait_for_modem(
            "1-1", "connected",
            [](const boost::json::value& modem) {
                return text(modem.at("connection"), "state") == "connected";
            },
            30s);
        auto address = text(modem.at("connection").at("ipv4"), "address");
        EXPECT_EQ(address.rfind("100.", 0), 0u) << address;
        // The modem's WAN has a health engine from its connection on, and starts up.
        EXPECT_TRUE(eventually([&] { return wan_state("lte") == "up"; }, deadline_in(10s)))
            << "lte is " << wan_state("lte");
        return address;
    }

    // A new TCP connection from the LAN host, `payload` across it; nothing if it did not connect
    // within `wait` or the payload did not arrive. A connection attempt that gave up can leave
    // a late one in the server's queue: those are closed first, so the one accepted is ours.
    std::optional<LanConnection> connect_from_lan(
        const std::string& payload, std::chrono::milliseconds wait)
    {
        for (pollfd pending {tcp_server_.get(), POLLIN, 0}; ::poll(&pending, 1, 0) == 1;)
            sim::testing::Socket stale(::accept(tcp_server_.get(), nullptr, nullptr));
        LanConnection connection;
        connection.client = sim::testing::socket_in(lan_->name(), SOCK_STREAM | SOCK_NONBLOCK);
        auto server = address_of("198.18.2.2", echo_port);
        if (::connect(connection.client.get(), reinterpret_cast<sockaddr*>(&server), sizeof server)
            != 0) {
            if (errno != EINPROGRESS)
                return std::nullopt;
            pollfd writable {connection.client.get(), POLLOUT, 0};
            if (::poll(&writable, 1, static_cast<int>(wait.count())) != 1)
                return std::nullopt;
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(connection.client.get(), SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0)
                return std::nullopt;
        }
        auto deadline = deadline_in(2s);
        if (!sim::testing::wait_readable(tcp_server_.get(), deadline))
            return std::nullopt;
        sockaddr_in peer {};
        socklen_t size = sizeof peer;
        connection.accepted
            = sim::testing::Socket(::accept(tcp_server_.get(), reinterpret_cast<sockaddr*>(&peer), &size));
        if (!connection.accepted)
            return std::nullopt;
        if (::send(connection.client.get(), payload.data(), payload.size(), MSG_NOSIGNAL)
            != static_cast<ssize_t>(payload.size()))
            return std::nullopt;
        std::string received;
        while (received.size() < payload.size()
            && sim::testing::wait_readable(connection.accepted.get(), deadline)) {
            char chunk[4096];
            auto got = ::recv(connection.accepted.get(), chunk, sizeof chunk, 0);
            if (got <= 0)
                break;
            received.append(chunk, static_cast<std::size_t>(got));
        }
        if (received != payload)
            return std::nullopt;
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
        connection.peer = text;
        return connection;
    }

    // The address the internet saw of a new connection from the LAN, or "" when none crossed.
    // The short wait keeps a connection lost on a dying WAN from delaying the next try.
    std::string new_connection_peer()
    {
        auto connection = connect_from_lan("which way", 300ms);
        return connection ? connection->peer : std::string();
    }

    // New connections from the LAN, one after another, until one leaves by `address`; whether
    // one did before the deadline.
    bool new_connections_leave_by(const std::string& address, std::chrono::milliseconds timeout)
    {
        std::string last;
        bool left = eventually(
            [&] { return (last = new_connection_peer()) == address; }, deadline_in(timeout));
        EXPECT_TRUE(left) << "new connections did not leave by " << address << " within "
                          << timeout.count() << " ms; the last one "
                          << (last.empty() ? "did not cross" : "left by " + last)
                          << "\n--- uplinkd log (tail) ---\n"
                          << log_tail();
        return left;
    }

    // The end of uplinkd's log without the modem's AT and QMI dialogue, which would drown it.
    std::string log_tail()
    {
        std::istringstream log(daemon_->process().errors());
        std::string tail;
        for (std::string line; std::getline(log, line);)
            if (!line.starts_with("debug at:") && !line.starts_with("debug qmi"))
                tail += line + "\n";
        return tail.substr(tail.size() > 6000 ? tail.size() - 6000 : 0);
    }

    // The two WANs in one failover policy, both probing the same three targets; on fail-back the
    // backup's connections end too (failback 'all'). The wired WAN's DNS server is the isp's
    // 198.18.3.1; the modem's come from its connection (the emulator's 100.64.0.53 and .54).
    std::string wan_config() const
    {
        const std::string targets = "\tlist track_ip '198.18.2.2'\n"
                                    "\tlist track_ip '198.18.4.2'\n"
                                    "\tlist track_ip '198.18.5.1'\n";
        bool fibre_first = preferred_ == Preferred::Fibre;
        return "config wan 'fibre'\n\toption interface 'wan0'\n" + fibre_dns_ + targets + wan_options_
            + "\nconfig wan 'lte'\n\toption modem 'wan1'\n\toption metered '0'\n" + targets + wan_options_ + lte_options_
            + "\nconfig policy 'failover'\n\tlist tier '" + (fibre_first ? "fibre" : "lte")
            + "'\n\tlist tier '" + (fibre_first ? "lte" : "fibre")
            + "'\n\toption failback 'all'\n";
    }

    Preferred preferred_;
    std::string connection_ = "\toption apn 'internet'\n"; // the profile's, before SetUp()
    std::string wan_options_; // more options for both WANs, before SetUp()
    std::string lte_options_; // and for the LTE WAN alone
    std::string fibre_dns_ = "\tlist dns '198.18.3.1'\n"; // the wired WAN's DNS, before SetUp()
    std::vector<std::string> launcher_environment_; // {"env", "NAME=value"} for uplinkd, before SetUp()
    std::optional<sim::testing::NetworkNamespace> isp_;
    TemporaryDirectory directory_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

} // namespace uplink::testing
