// WAN failover end to end, as root, in network namespaces (docs/failover.md): a wired WAN that
// another program configures (here the test, with `ip route`) and the emulated EC25 as its LTE
// backup, in one policy; uplinkd's health probes and link signals decide which one carries the
// LAN's new connections, and a dead WAN's connections are ended rather than left hanging.
// The topology: tests/netns/failover_topology.hpp.
#include "failover_topology.hpp"
#include "support/eventually.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <sys/socket.h>

namespace uplink::testing {
namespace {

using sim::testing::wait_readable;
using std::chrono::steady_clock;

std::chrono::milliseconds since(steady_clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start);
}

// How a connection ended, as recv() on `socket` reports it: the error (ECONNRESET for a reset),
// 0 for an orderly end, nothing if it was still open at the deadline.
std::optional<int> wait_for_end(int socket, Deadline deadline)
{
    while (wait_readable(socket, deadline)) {
        char buffer[64];
        auto got = ::recv(socket, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got == 0)
            return 0;
        if (got < 0 && errno != EAGAIN && errno != EINTR)
            return errno;
    }
    return std::nullopt;
}

using FailoverTest = FailoverTopology;

TEST_F(FailoverTest, NewConnectionsLeaveByTheWiredWanWhileItIsUp)
{
    wait_lte_ready();
    ASSERT_TRUE(new_connections_leave_by(fibre_address, 10s));
    // And they keep to it while both WANs are up: the modem is only the backup.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(new_connection_peer(), fibre_address) << "connection " << i;
}

TEST_F(FailoverTest, ACarrierLossMovesNewConnectionsToLteAtOnce)
{
    auto modem_address = wait_lte_ready();
    ASSERT_TRUE(new_connections_leave_by(fibre_address, 10s));

    must("ip -n " + isp_->name() + " link set isp0 down");
    auto cut = steady_clock::now();
    ASSERT_TRUE(new_connections_leave_by(modem_address, 30s));
    auto failover = since(cut);
    std::cout << "failover after carrier loss: " << failover.count() << " ms\n";
    // A generous bound: the link-down signal is immediate; the figure is for the note, the
    // benchmarks are elsewhere.
    EXPECT_LT(failover, 5s);
    // The API says why, as `uplink wan status` shows it.
    auto fibre = wan("fibre");
    EXPECT_EQ(text(fibre, "state"), "dead");
    EXPECT_EQ(text(fibre, "reason"), "link down (netlink)");
    ASSERT_FALSE(fibre.at("transitions").as_array().empty());
    EXPECT_EQ(text(fibre.at("transitions").as_array().back(), "to"), "dead");
    // And the event stream carried it (GET /v1/events/recent keeps what it sent).
    auto events = daemon_->get("/v1/events/recent").as_array();
    EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const boost::json::value& event) {
        return text(event, "kind") == "wan-changed" && text(event, "wan") == "fibre"
            && text(event, "message") == "up -> dead: link down (netlink)";
    })) << boost::json::serialize(events);

    // A connection made meanwhile, by LTE.
    std::optional<LanConnection> by_lte;
    ASSERT_TRUE(eventually([&] { return (by_lte = connect_from_lan("during the outage", 2s)).has_value(); },
        deadline_in(10s)));
    ASSERT_EQ(by_lte->peer, modem_address);

    // Fail-back needs 30 s of answered probes (docs/failover.md "Health").
    must("ip -n " + isp_->name() + " link set isp0 up");
    auto restored = steady_clock::now();
    ASSERT_TRUE(new_connections_leave_by(fibre_address, 60s));
    auto failback = since(restored);
    std::cout << "failback after carrier return: " << failback.count() << " ms\n";
    EXPECT_GE(failback, 29s) << "back before the stable period";

    // failback 'all': the connection on LTE is ended too (reset on its next segment), so that it
    // is made again by fibre rather than kept on the backup.
    const std::string more = "after the fail-back";
    ASSERT_EQ(::send(by_lte->client.get(), more.data(), more.size(), MSG_NOSIGNAL),
        static_cast<ssize_t>(more.size()))
        << std::strerror(errno);
    auto end = wait_for_end(by_lte->client.get(), deadline_in(10s));
    ASSERT_TRUE(end.has_value()) << "the LTE connection outlived the fail-back\n" << log_tail();
    EXPECT_TRUE(*end == ECONNRESET || *end == EPIPE) << (*end == 0 ? "an orderly end" : std::strerror(*end));
}

TEST_F(FailoverTest, ABlackoutWithCarrierUpIsFoundByProbes)
{
    auto modem_address = wait_lte_ready();
    ASSERT_NO_FATAL_FAILURE(fail_over_on_blackout(modem_address, "ICMP"));
}

// track_method 'tcp': the targets' kernels refuse the probes' connections (nobody listens on
// port 9), which proves each path as an echo does; the silent isp is found the same way.
class FailoverTcpProbeTest : public FailoverTopology {
protected:
    FailoverTcpProbeTest() { wan_options_ = "\toption track_method 'tcp'\n\toption track_port '9'\n"; }
};

TEST_F(FailoverTcpProbeTest, ABlackoutWithCarrierUpIsFoundByTcpProbes)
{
    auto modem_address = wait_lte_ready();
    ASSERT_NO_FATAL_FAILURE(fail_over_on_blackout(modem_address, "TCP"));
}

// The answer to a lookup of probe.test from the LAN host, through the router's dnsmasq; "" for
// none within a second.
std::string lookup_from(const std::string& lan)
{
    auto result = sim::testing::run_command("ip netns exec " + lan + " dig +short +time=1 +tries=1 @198.18.1.1 probe.test");
    return result.status == 0 ? result.output.substr(0, result.output.find('\n')) : "";
}

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// docs/failover.md "DNS", with a real dnsmasq as the LAN's resolver, reading uplinkd's resolv
// file: each WAN's server answers probe.test differently, so the answer says which one was asked.
TEST_F(FailoverTest, DnsLookupsFromTheLanKeepAnsweringAcrossAFailover)
{
    wait_lte_ready();
    auto dnsmasq = [&](const std::string& where, const std::string& name, const std::string& options) {
        return std::make_unique<Process>(
            std::vector<std::string> {"sh", "-c",
                "exec ip netns exec " + where + " dnsmasq --keep-in-foreground --conf-file=/dev/null "
                    "--no-hosts --pid-file= --bind-interfaces --log-facility=- " + options},
            directory_.path() / (name + ".out"), directory_.path() / (name + ".err"));
    };
    // The wired WAN's server at the isp; the modem's two at the carrier, where only LTE reaches.
    must("ip -n " + carrier_->name() + " address add 100.64.0.53/32 dev lo");
    must("ip -n " + carrier_->name() + " address add 100.64.0.54/32 dev lo");
    auto isp_dns = dnsmasq(isp_->name(), "isp-dns", "--no-resolv --listen-address=198.18.3.1 --address=/probe.test/198.51.100.1");
    auto carrier_dns = dnsmasq(carrier_->name(), "carrier-dns",
        "--no-resolv --listen-address=100.64.0.53 --listen-address=100.64.0.54 --address=/probe.test/198.51.100.2");

    // fibre carries the traffic: its server alone is in use.
    auto resolv = daemon_->resolv_file();
    EXPECT_TRUE(eventually([&] { return read_file(resolv).ends_with("\nnameserver 198.18.3.1\n"); }, deadline_in(5s)))
        << read_file(resolv);
    // The router's own queries to the modem's servers leave by the modem, whatever the policy says.
    auto route = sim::testing::run_command("ip -n " + router_->name() + " route get 100.64.0.53");
    EXPECT_NE(route.output.find("dev wwan0"), std::string::npos) << route.output;

    // Readable by the resolver's own user (dnsmasq drops root for nobody).
    auto mode = std::filesystem::status(resolv).permissions();
    EXPECT_EQ(mode, std::filesystem::perms(0644)) << std::oct << static_cast<unsigned>(mode);

    // Caching off: every lookup asks upstream. As root: the test's directory is private to it.
    auto resolver = dnsmasq(router_->name(), "lan-dns",
        "--user=root --listen-address=198.18.1.1 --cache-size=0 --resolv-file=" + resolv.string());
    std::string answer;
    EXPECT_TRUE(eventually([&] { return (answer = lookup_from(lan_->name())) == "198.51.100.1"; }, deadline_in(10s)))
        << "the LAN's lookup got '" << answer << "'\n" << resolver->errors();

    must("ip -n " + isp_->name() + " link set isp0 down");
    auto cut = steady_clock::now();
    EXPECT_TRUE(eventually([&] { return (answer = lookup_from(lan_->name())) == "198.51.100.2"; }, deadline_in(10s)))
        << "the LAN's lookup got '" << answer << "'\n" << resolver->errors() << log_tail();
    std::cout << "lookups answered by the modem's DNS server " << since(cut).count() << " ms after the carrier loss\n";
    EXPECT_TRUE(read_file(resolv).ends_with("\nnameserver 100.64.0.53\nnameserver 100.64.0.54\n")) << read_file(resolv);
}

// docs/failover.md "DNS", with systemd-resolved: uplinkd hands each WAN link's servers to a real
// resolved (Debian's, unpacked by scripts/deps), on a D-Bus of the test's own, and turns the
// default route on for the links the policy uses. The router's own lookups through resolved's
// stub then follow the failover. The router's namespace has an empty resolv.conf of its own
// (ip netns exec binds /etc/netns/<name>/resolv.conf over /etc/resolv.conf), so that resolved
// has no global servers: only the links' servers answer.
class FailoverResolvedTest : public FailoverTopology {
protected:
    static constexpr const char* resolved_binary = "/usr/local/lib/uplink-test/systemd-resolved/lib/systemd/systemd-resolved";

    // The bus's socket is where resolved reaches it once it has dropped root for its own user:
    // not in the test's private directory.
    FailoverResolvedTest()
        : bus_directory_(std::filesystem::temp_directory_path() / ("uplink-bus-" + std::to_string(::getpid())))
    {
        std::filesystem::create_directories(bus_directory_);
        std::filesystem::permissions(bus_directory_, std::filesystem::perms(0755));
        bus_ = "unix:path=" + (bus_directory_ / "system_bus").string();
        launcher_environment_ = {"env", "DBUS_SYSTEM_BUS_ADDRESS=" + bus_};
    }

    ~FailoverResolvedTest() override
    {
        std::error_code ignored;
        if (!etc_netns_.empty())
            std::filesystem::remove_all(etc_netns_, ignored);
        std::filesystem::remove_all(bus_directory_, ignored);
    }

    void start_peers() override
    {
        ASSERT_TRUE(std::filesystem::exists(resolved_binary)) << resolved_binary << " is missing: run scripts/deps";
        auto config = directory_.path() / "bus.conf";
        std::ofstream(config) << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
                                 "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                                 "<busconfig><type>system</type><listen>" + bus_ + "</listen><auth>EXTERNAL</auth>"
                                 "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
                                 "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy></busconfig>\n";
        bus_daemon_ = std::make_unique<Process>(
            std::vector<std::string> {"dbus-daemon", "--config-file=" + config.string(), "--nofork", "--nopidfile"},
            directory_.path() / "dbus.out", directory_.path() / "dbus.err");
        etc_netns_ = std::filesystem::path("/etc/netns") / router_->name();
        std::filesystem::create_directories(etc_netns_);
        std::ofstream(etc_netns_ / "resolv.conf") << "# no global DNS servers: only the WAN links'\n";
        resolved_ = std::make_unique<Process>(
            std::vector<std::string> {"ip", "netns", "exec", router_->name(), "env", "DBUS_SYSTEM_BUS_ADDRESS=" + bus_,
                "SYSTEMD_LOG_LEVEL=debug", resolved_binary},
            directory_.path() / "resolved.out", directory_.path() / "resolved.err");
        ASSERT_TRUE(eventually([&] { return resolvectl("status").status == 0; }, deadline_in(10s)))
            << resolvectl("status").output << bus_daemon_->errors() << resolved_->errors();
    }

    sim::testing::CommandOutput resolvectl(const std::string& arguments)
    {
        return sim::testing::run_command("ip netns exec " + router_->name() + " env DBUS_SYSTEM_BUS_ADDRESS=" + bus_ + " "
            + std::filesystem::path(resolved_binary).parent_path().parent_path().parent_path().string()
            + "/usr/bin/resolvectl " + arguments);
    }

    // The router's own lookup of a new name under probe.test (resolved caches), through
    // resolved's stub listener: the address, or "" for none within two seconds.
    std::string lookup_through_resolved()
    {
        auto name = "n" + std::to_string(++lookups_) + ".probe.test";
        auto result = sim::testing::run_command(
            "ip netns exec " + router_->name() + " dig +short +time=2 +tries=1 @127.0.0.53 " + name);
        return result.status == 0 ? result.output.substr(0, result.output.find('\n')) : "";
    }

    std::filesystem::path bus_directory_;
    std::string bus_;
    std::filesystem::path etc_netns_;
    std::unique_ptr<Process> bus_daemon_, resolved_;
    unsigned lookups_ = 0;
};

TEST_F(FailoverResolvedTest, ResolvedAsksTheWansThePolicyUses)
{
    wait_lte_ready();
    must("ip -n " + carrier_->name() + " address add 100.64.0.53/32 dev lo");
    must("ip -n " + carrier_->name() + " address add 100.64.0.54/32 dev lo");
    auto dnsmasq = [&](const std::string& where, const std::string& name, const std::string& listen, const std::string& answer) {
        return std::make_unique<Process>(
            std::vector<std::string> {"ip", "netns", "exec", where, "dnsmasq", "--keep-in-foreground",
                "--conf-file=/dev/null", "--no-hosts", "--pid-file=", "--bind-interfaces", "--log-facility=-",
                "--no-resolv", listen, "--address=/probe.test/" + answer},
            directory_.path() / (name + ".out"), directory_.path() / (name + ".err"));
    };
    auto isp_dns = dnsmasq(isp_->name(), "isp-dns", "--listen-address=198.18.3.1", "198.51.100.1");
    auto carrier_dns = dnsmasq(carrier_->name(), "carrier-dns", "--listen-address=100.64.0.53", "198.51.100.2");

    // fibre carries: resolved asks its server for every name; the modem's servers are known, for
    // no name.
    EXPECT_TRUE(eventually([&] {
        return resolvectl("dns wwan0").output.find("100.64.0.53") != std::string::npos
            && resolvectl("default-route wwan0").output.find("no") != std::string::npos
            && resolvectl("dns wan0").output.find("198.18.3.1") != std::string::npos
            && resolvectl("default-route wan0").output.find("yes") != std::string::npos;
    }, deadline_in(10s))) << resolvectl("status").output << log_tail();
    std::string answer;
    EXPECT_TRUE(eventually([&] { return (answer = lookup_through_resolved()) == "198.51.100.1"; }, deadline_in(10s)))
        << "the router's lookup got '" << answer << "'\n" << resolvectl("status").output;

    must("ip -n " + isp_->name() + " link set isp0 down");
    auto cut = steady_clock::now();
    EXPECT_TRUE(eventually([&] { return (answer = lookup_through_resolved()) == "198.51.100.2"; }, deadline_in(10s)))
        << "the router's lookup got '" << answer << "'\n" << resolvectl("status").output << log_tail();
    std::cout << "lookups through systemd-resolved answered by the modem's server " << since(cut).count()
              << " ms after the carrier loss\n";
    EXPECT_NE(resolvectl("default-route wan0").output.find("no"), std::string::npos) << resolvectl("status").output;
}

// docs/failover.md "DNS": a wired WAN without `list dns` takes its servers from the lease of
// ISC dhclient (Debian's ifupdown), as it writes it in /var/lib/dhcp/dhclient.<interface>.leases,
// here from dnsmasq's DHCP server at the isp. The script does nothing (/bin/true): wan0 keeps the
// address the test gave it, the one the server hands out (--no-ping: though it is in use).
// uplinkd hears the lease written.
class FailoverDhcpDnsTest : public FailoverTopology {
protected:
    FailoverDhcpDnsTest() { fibre_dns_.clear(); }

    ~FailoverDhcpDnsTest() override
    {
        // dhclient dies of SIGTERM; asked with -x it exits.
        if (client_) {
            sim::testing::run_command("ip netns exec " + router_->name() + " dhclient -x -pf " + pid_file().string()
                + " -lf " + lease_file_.string());
            client_->wait(deadline_in(5s));
        }
        client_.reset();
        std::error_code ignored;
        std::filesystem::remove(lease_file_, ignored);
    }

    std::filesystem::path pid_file() const { return directory_.path() / "dhclient.pid"; }

    std::filesystem::path lease_file_ = "/var/lib/dhcp/dhclient.wan0.leases";
    std::unique_ptr<Process> client_;
};

TEST_F(FailoverDhcpDnsTest, AWiredWansServersComeFromItsDhcpLease)
{
    wait_lte_ready();
    auto resolv = daemon_->resolv_file();
    // fibre carries but has no servers yet: every live WAN's are in use, the modem's.
    EXPECT_TRUE(eventually([&] { return read_file(resolv).ends_with("\nnameserver 100.64.0.53\nnameserver 100.64.0.54\n"); },
        deadline_in(5s))) << read_file(resolv);

    auto server = std::make_unique<Process>(
        std::vector<std::string> {"ip", "netns", "exec", isp_->name(), "dnsmasq", "--keep-in-foreground",
            "--conf-file=/dev/null", "--no-hosts", "--pid-file=", "--port=0", "--bind-interfaces", "--interface=isp0",
            "--log-facility=-", "--no-ping", "--dhcp-range=198.18.3.2,198.18.3.2,255.255.255.0,1h",
            "--dhcp-option=6,198.18.3.53,198.18.3.54", "--dhcp-leasefile=" + (directory_.path() / "isp.leases").string()},
        directory_.path() / "dhcp-server.out", directory_.path() / "dhcp-server.err");
    ASSERT_TRUE(std::filesystem::is_directory(lease_file_.parent_path())) << "isc-dhcp-client (scripts/deps) makes it";
    client_ = std::make_unique<Process>(
        std::vector<std::string> {"ip", "netns", "exec", router_->name(), "dhclient", "-d", "-1", "-sf", "/bin/true",
            "-lf", lease_file_.string(), "-pf", pid_file().string(), "wan0"},
        directory_.path() / "dhclient.out", directory_.path() / "dhclient.err");
    EXPECT_TRUE(eventually([&] { return read_file(resolv).ends_with("\nnameserver 198.18.3.53\nnameserver 198.18.3.54\n"); },
        deadline_in(15s))) << read_file(resolv) << "\n--- lease ---\n" << read_file(lease_file_) << "\n--- dhclient ---\n"
                           << client_->errors() << log_tail();
}

// A lossy radio link is not a dead one: 11 % lost each way in the emulator's link model is a fifth
// of the probes' round trips, and a blackout needs 12 probes lost in a row over 3 targets
// (docs/failover.md "Health"). bench/failover counts false failovers over 10,000 probes; this
// watches 80 of them.
TEST_F(FailoverTest, ALossyLteLinkIsNotDeclaredDead)
{
    wait_lte_ready();
    auto log_start = daemon_->process().errors().size();
    auto probes = [&](const char* outcome) { return wan("lte").at("probes").at(outcome).to_number<std::uint64_t>(); };
    auto sent_before = probes("sent");
    auto lost_before = probes("lost");
    emulator_->control({{"cmd", "link"}, {"loss_percent", 11}});
    // The engine's own probes are the events: the deadline only stops a test whose WAN stopped
    // probing (about 20 s at 4 a second, bursts included).
    ASSERT_TRUE(eventually([&] { return probes("sent") - sent_before >= 80; }, deadline_in(60s))) << log_tail();
    EXPECT_GT(probes("lost") - lost_before, 5u) << "the link lost too little for the test to mean anything";
    EXPECT_NE(wan_state("lte"), "dead") << log_tail();
    std::istringstream log(daemon_->process().errors().substr(log_start));
    for (std::string line; std::getline(log, line);)
        EXPECT_FALSE(line.find("wan lte: ") != std::string::npos && line.find("-> dead") != std::string::npos) << line;
}

// A modem whose connection keeps dropping is damped as a link would be: after the third drop
// within minutes its WAN stays dead when the modem connects again (docs/failover.md "Health").
TEST_F(FailoverTest, AModemWhoseConnectionKeepsDroppingIsHeldDead)
{
    wait_lte_ready();
    auto bearer_losses = [&] {
        int count = 0;
        auto lte = wan("lte"); // kept: a range-for over a temporary's member would outlive it
        for (const auto& transition : lte.at("transitions").as_array())
            count += text(transition, "reason") == "bearer lost (modem)";
        return count;
    };
    for (int drop = 1; drop <= 3; ++drop) {
        emulator_->control({{"cmd", "bearer-drop"}});
        ASSERT_TRUE(eventually([&] { return bearer_losses() == drop; }, deadline_in(10s)))
            << "drop " << drop << "\n" << log_tail();
        ASSERT_TRUE(eventually([&] { return !wan("lte").at("interface").is_null(); }, deadline_in(30s)))
            << "the modem did not connect again after drop " << drop << "\n" << log_tail();
    }
    auto lte = wan("lte");
    EXPECT_EQ(text(lte, "state"), "dead") << boost::json::serialize(lte);
    EXPECT_EQ(text(lte, "reason").rfind("held dead for flapping", 0), 0u) << text(lte, "reason");
    EXPECT_FALSE(lte.at("held_until").is_null());
    // The wired WAN carries on meanwhile.
    EXPECT_EQ(new_connection_peer(), fibre_address);
}

// docs/cli.md: a policy changed with `uplink policy set` takes effect live, as a reload would: with
// the LTE tier first, new connections leave by LTE while the wired WAN stays up.
TEST_F(FailoverTest, APolicyChangedThroughTheCliTakesEffectLive)
{
    auto modem_address = wait_lte_ready();
    ASSERT_TRUE(new_connections_leave_by(fibre_address, 10s));
    auto changed = run_command({binary_path("uplink").string(), "--socket", daemon_->socket().string(), "policy",
        "set", "failover", "tier=lte", "tier=fibre"});
    ASSERT_EQ(changed.exit_code, 0) << changed.err;
    EXPECT_NE(changed.out.find("Saved and applied."), std::string::npos) << changed.out;
    EXPECT_TRUE(new_connections_leave_by(modem_address, 10s));
    EXPECT_EQ(wan_state("fibre"), "up");
    EXPECT_NE(read_file(daemon_->config()).find("\tlist tier 'lte'\n\tlist tier 'fibre'\n"), std::string::npos)
        << read_file(daemon_->config());
}

// docs/failover.md: a metered WAN in standby carries nothing while the wired WAN is alive, though
// its policy lists it first, is probed within a small budget, and takes over when it must.
TEST_F(FailoverTest, AWanInStandbyCarriesNothingUntilItIsNeeded)
{
    auto modem_address = wait_lte_ready();
    auto uplink = [&](std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), {binary_path("uplink").string(), "--socket", daemon_->socket().string()});
        auto result = run_command(arguments);
        EXPECT_EQ(result.exit_code, 0) << result.err;
    };
    uplink({"wan", "set", "lte", "standby=1", "metered=1"});
    uplink({"policy", "set", "failover", "tier=lte", "tier=fibre"});
    EXPECT_TRUE(eventually([&] { return wan_state("lte") == "up"; }, deadline_in(10s)));
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(new_connection_peer(), fibre_address) << "connection " << i;
    auto probes = wan("lte").at("probes");
    EXPECT_EQ(probes.at("monthly_budget_bytes").to_number<std::uint64_t>(), 5'000'000u);
    EXPECT_LT(probes.at("bytes_per_month").to_number<std::uint64_t>(), 5'000'000u);

    must("ip -n " + isp_->name() + " link set isp0 down");
    EXPECT_TRUE(new_connections_leave_by(modem_address, 10s));
}

// A reload that changes a WAN's settings gives it a new health engine, on the link as it is: the
// WAN keeps carrying the traffic, its id and its mark, and still fails over.
TEST_F(FailoverTest, AReloadThatChangesAWanKeepsItRouted)
{
    auto modem_address = wait_lte_ready();
    ASSERT_TRUE(new_connections_leave_by(fibre_address, 10s));
    auto mark = text(wan("fibre"), "mark");
    std::string config;
    {
        std::ifstream in(daemon_->config());
        config.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string target = "\tlist track_ip '198.18.5.1'\n\n";
    auto at = config.find(target);
    ASSERT_NE(at, std::string::npos) << config;
    config.replace(at, target.size(), "\tlist track_ip '198.18.5.1'\n\toption probe_budget_mb '60'\n\n");
    std::ofstream(daemon_->config(), std::ios::trunc) << config;
    ASSERT_EQ(::kill(daemon_->process().pid(), SIGHUP), 0);
    ASSERT_TRUE(eventually([&] { return daemon_->process().errors().find(": changed wan") != std::string::npos; },
        deadline_in(10s)))
        << log_tail();

    EXPECT_EQ(wan_state("fibre"), "up");
    EXPECT_EQ(text(wan("fibre"), "mark"), mark);
    EXPECT_TRUE(wan("fibre").at("link").as_bool());
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(new_connection_peer(), fibre_address) << "connection " << i;
    must("ip -n " + isp_->name() + " link set isp0 down");
    EXPECT_TRUE(new_connections_leave_by(modem_address, 10s));
}

// docs/failover.md "Existing connections": a dead WAN's conntrack entries are deleted, so the
// next segment of an old connection is a new flow that leaves by LTE, and the server, which
// never saw it, resets it: the LAN host learns at once that its connection is gone, instead of
// retransmitting into a dead line for minutes.
TEST_F(FailoverTest, AnEstablishedConnectionOnTheDeadWanIsReset)
{
    auto modem_address = wait_lte_ready();
    ASSERT_TRUE(new_connections_leave_by(fibre_address, 10s));
    std::optional<LanConnection> old;
    ASSERT_TRUE(
        eventually([&] { return (old = connect_from_lan("before the cut", 2s)).has_value(); },
            deadline_in(10s)));
    ASSERT_EQ(old->peer, fibre_address);

    must("ip -n " + isp_->name() + " link set isp0 down");
    auto cut = steady_clock::now();
    const std::string more = "after the cut";
    ASSERT_EQ(::send(old->client.get(), more.data(), more.size(), MSG_NOSIGNAL),
        static_cast<ssize_t>(more.size()))
        << std::strerror(errno);

    auto end = wait_for_end(old->client.get(), deadline_in(15s));
    auto ended = since(cut);
    ASSERT_TRUE(end.has_value()) << "the old connection still hangs 15 s after the carrier loss"
                                 << "\n--- uplinkd log (tail) ---\n"
                                 << log_tail();
    std::cout << "old connection ended after carrier loss: " << ended.count() << " ms ("
              << (*end == 0 ? "an orderly end" : std::strerror(*end)) << ")\n";
    EXPECT_TRUE(*end == ECONNRESET || *end == EPIPE)
        << "expected a reset, got " << (*end == 0 ? "an orderly end" : std::strerror(*end));
    EXPECT_LT(ended, 10s);
    // A further send fails too: the socket is closed for good.
    EXPECT_LT(::send(old->client.get(), more.data(), more.size(), MSG_NOSIGNAL), 0);

    // And a new connection works, by LTE.
    EXPECT_TRUE(new_connections_leave_by(modem_address, 10s));
}

// docs/failover.md "IPv6 for the LAN": the LAN's own IPv6 (here a ULA, fd00:1::/64) reaches the
// internet by whichever WAN the policy picks, masqueraded there (`option nat66`), and fails over
// with IPv4. The wired WAN has its ISP's IPv6 (2001:db8:3::/64); the carrier routes the modem's.
class FailoverIpv6Test : public FailoverTopology {
protected:
    FailoverIpv6Test()
    {
        connection_ = "\toption apn 'internet'\n\toption ip_family 'ipv4v6'\n";
        wan_options_ = "\toption nat66 '1'\n";
    }

    void SetUp() override
    {
        ASSERT_NO_FATAL_FAILURE(FailoverTopology::SetUp());
        if (IsSkipped())
            return;
        const auto& lan = lan_->name();
        const auto& router = router_->name();
        const auto& isp = isp_->name();
        const auto& internet = internet_->name();
        // The LAN's IPv6, as its owner (OpenWrt's ULA prefix, radvd or dnsmasq's RA) sets it up.
        must("ip -n " + lan + " address add fd00:1::2/64 dev lan0 nodad");
        must("ip -n " + lan + " -6 route add default via fd00:1::1");
        must("ip -n " + router + " address add fd00:1::1/64 dev lan1 nodad");
        must("ip netns exec " + router + " sysctl -qw net.ipv6.conf.all.forwarding=1");
        // The wired WAN's, as its ISP gives it.
        must("ip -n " + router + " address add 2001:db8:3::2/64 dev wan0 nodad");
        must("ip -n " + router + " -6 route add default via 2001:db8:3::1 dev wan0 metric 10");
        must("ip -n " + isp + " address add 2001:db8:3::1/64 dev isp0 nodad");
        must("ip -n " + isp + " address add 2001:db8:4::1/64 dev isp1 nodad");
        must("ip netns exec " + isp + " sysctl -qw net.ipv6.conf.all.forwarding=1");
        must("ip -n " + isp + " -6 route add 2001:db8:ff::/64 via 2001:db8:4::2");
        must("ip -n " + internet + " address add 2001:db8:4::2/64 dev net2 nodad");
        must("ip -n " + internet + " -6 route add 2001:db8:3::/64 via 2001:db8:4::1");
        ASSERT_NO_FATAL_FAILURE(wire_carrier_ipv6());
        server_ = sim::testing::socket_in(internet, SOCK_STREAM, AF_INET6);
        int only = 1; // beside the IPv4 echo server on the same port
        ::setsockopt(server_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
        sockaddr_in6 any {};
        any.sin6_family = AF_INET6;
        any.sin6_port = htons(echo_port);
        ASSERT_EQ(::bind(server_.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0) << std::strerror(errno);
        ASSERT_EQ(::listen(server_.get(), 8), 0);
    }

    // The address the internet host saw of a new IPv6 connection from the LAN host, or "".
    std::string new_ipv6_peer()
    {
        if (connect_from(lan_->name(), "2001:db8:ff::2", echo_port, 300ms) != Answer::Connected)
            return "";
        if (!sim::testing::wait_readable(server_.get(), deadline_in(1s)))
            return "";
        sockaddr_in6 peer {};
        socklen_t size = sizeof peer;
        sim::testing::Socket accepted(::accept(server_.get(), reinterpret_cast<sockaddr*>(&peer), &size));
        char text[INET6_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof text);
        return text;
    }

    // Waits for the modem's IPv6 and its WAN up; the carrier routes `prefix_length` bits of the
    // modem's address to it (its /128, or the whole /64 as a 3GPP network does). Call inside
    // ASSERT_NO_FATAL_FAILURE.
    void wait_lte_with_ipv6(int prefix_length, std::string& modem_ipv6)
    {
        auto modem = daemon_->wait_for_modem("1-1", "connected with both families", [](const boost::json::value& modem) {
            const auto& connection = modem.at("connection");
            return text(connection, "state") == "connected" && connection.at("ipv6").is_object();
        }, 30s);
        modem_ipv6 = text(modem.at("connection").at("ipv6"), "address");
        ASSERT_FALSE(modem_ipv6.empty());
        must("ip -n " + carrier_->name() + " -6 route add " + modem_ipv6 + "/" + std::to_string(prefix_length)
            + " dev carrier0");
        ASSERT_TRUE(eventually([&] { return wan_state("lte") == "up"; }, deadline_in(10s)));
    }

    sim::testing::Socket server_;
};

TEST_F(FailoverIpv6Test, TheLansIpv6FailsOverWithNat66)
{
    std::string modem_ipv6;
    ASSERT_NO_FATAL_FAILURE(wait_lte_with_ipv6(128, modem_ipv6));

    std::string peer;
    EXPECT_TRUE(eventually([&] { return (peer = new_ipv6_peer()) == "2001:db8:3::2"; }, deadline_in(10s)))
        << "the last IPv6 connection " << (peer.empty() ? "did not cross" : "left as " + peer) << "\n" << log_tail();
    must("ip -n " + isp_->name() + " link set isp0 down");
    auto cut = steady_clock::now();
    EXPECT_TRUE(eventually([&] { return (peer = new_ipv6_peer()) == modem_ipv6; }, deadline_in(10s)))
        << "the last IPv6 connection " << (peer.empty() ? "did not cross" : "left as " + peer) << "\n" << log_tail();
    std::cout << "the LAN's IPv6 by LTE " << since(cut).count() << " ms after the carrier loss\n";
}

// docs/failover.md "IPv6 for the LAN", RFC 7278: the modem's /64 shared on the LAN. The carrier
// routes the whole /64 to the modem, as a 3GPP network does; uplinkd routes it to the LAN and
// announces it there, deprecated while the wired WAN carries the traffic (the LAN host's ULA
// source leaves by fibre, masqueraded) and preferred once LTE does: the host's own address in
// the modem's prefix then reaches the internet host, not masqueraded.
class FailoverSharedPrefixTest : public FailoverIpv6Test {
protected:
    FailoverSharedPrefixTest() { lte_options_ = "\toption share_prefix 'lan1'\n"; }

    // The LAN host's addresses in the /64 of `modem_address`, as `ip` shows them, one a line.
    std::string lan_addresses_in_prefix_of(const std::string& modem_address)
    {
        std::string found;
        auto shown = sim::testing::run_command("ip -n " + lan_->name() + " -o -6 address show dev lan0 scope global");
        std::istringstream lines(shown.output);
        for (std::string line; std::getline(lines, line);) {
            auto at = line.find("inet6 ");
            if (at != std::string::npos && same_64(line.substr(at + 6, line.find('/', at) - at - 6), modem_address))
                found += line + "\n";
        }
        return found;
    }

    static bool same_64(const std::string& one, const std::string& other)
    {
        in6_addr a {}, b {};
        return ::inet_pton(AF_INET6, one.c_str(), &a) == 1 && ::inet_pton(AF_INET6, other.c_str(), &b) == 1
            && std::memcmp(&a, &b, 8) == 0;
    }
};

TEST_F(FailoverSharedPrefixTest, TheLanUsesTheModemsPrefixWhileLteCarries)
{
    std::string modem_ipv6;
    ASSERT_NO_FATAL_FAILURE(wait_lte_with_ipv6(64, modem_ipv6));

    // Announced deprecated while fibre carries: the host forms its address (after DAD) and keeps
    // its ULA for new connections.
    std::string shared;
    ASSERT_TRUE(eventually([&] { return !(shared = lan_addresses_in_prefix_of(modem_ipv6)).empty(); }, deadline_in(15s)))
        << sim::testing::run_command("ip -n " + lan_->name() + " -6 address show").output << log_tail();
    EXPECT_NE(shared.find("deprecated"), std::string::npos) << shared;
    std::string peer;
    EXPECT_TRUE(eventually([&] { return (peer = new_ipv6_peer()) == "2001:db8:3::2"; }, deadline_in(10s)))
        << "the last IPv6 connection " << (peer.empty() ? "did not cross" : "left as " + peer) << "\n" << log_tail();

    must("ip -n " + isp_->name() + " link set isp0 down");
    auto cut = steady_clock::now();
    EXPECT_TRUE(eventually([&] { return same_64(peer = new_ipv6_peer(), modem_ipv6) && peer != modem_ipv6; },
        deadline_in(10s)))
        << "the last IPv6 connection " << (peer.empty() ? "did not cross" : "left as " + peer) << "\n"
        << lan_addresses_in_prefix_of(modem_ipv6) << log_tail();
    std::cout << "the LAN host's own address in the modem's /64 reached the internet " << since(cut).count()
              << " ms after the carrier loss\n";
    EXPECT_EQ(lan_addresses_in_prefix_of(modem_ipv6).find("deprecated"), std::string::npos);

    // A global address on the LAN host is no opening from the WAN: a new connection from the
    // internet to it is dropped at the router (issue 12's from_wan), not answered by the host's
    // reset for a port nobody listens on.
    EXPECT_EQ(connect_from(internet_->name(), peer, echo_port + 1, 1s), Answer::Silence);
}

} // namespace
} // namespace uplink::testing
