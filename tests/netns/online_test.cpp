// End to end, as root, in network namespaces (DESIGN.md "Test tiers"): a LAN host reaches a
// server on the "internet" through uplinkd, the emulated EC25's QMI data connection and the
// emulator's data path; NAT is uplinkd's. Addresses: 198.18.0.0/15 and the carrier's
// 100.64.0.0/10, all inside the test's own namespaces.
//
//   [lan 198.18.1.2] --veth-- [router 198.18.1.1: uplinkd, wwan0] ~~TUN~~ [carrier: carrier0
//   100.64.0.1/10, 198.18.2.1] --veth-- [internet 198.18.2.2: TCP and UDP echo]
#include "topology.hpp"
#include "support/eventually.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <algorithm>
#include <netinet/in.h>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sys/socket.h>
#include <sys/uio.h>

namespace uplink::testing {
namespace {

namespace json = boost::json;
using sim::testing::Socket;
using sim::testing::socket_in;
using sim::testing::wait_readable;

std::int64_t usage_sent_today(const json::value& modem)
{
    const auto& usage = modem.at("usage");
    return usage.is_null() ? -1 : usage.at("today").at("sent_bytes").as_int64();
}

class OnlineTest : public NetnsTopologyTest {
protected:
    void SetUp() override { create_topology(""); }

    // uplink-sim with the router's and carrier's namespaces, uplinkd in the router's.
    // `edit` changes the scenario first (the network's grant, say).
    void start_programs(std::string connection = "\toption apn 'internet'\n",
        const std::function<void(json::value&)>& edit = {})
    {
        auto scenario_file = directory_.path() / "scenario.json";
        write_scenario(scenario_file);
        if (edit) {
            auto scenario = read_json_file(scenario_file);
            edit(scenario);
            std::ofstream(scenario_file, std::ios::trunc) << json::serialize(scenario);
        }
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_file);
        Daemon::Settings settings;
        settings.pin = "1234";
        settings.connection = std::move(connection);
        settings.launcher = {"ip", "netns", "exec", router_->name()};
        settings.main_options = main_options_;
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, settings);
    }

    json::value wait_connected(std::chrono::milliseconds timeout = 20s)
    {
        return daemon_->wait_for_modem("1-1", "connected", [](const json::value& modem) {
            return text(modem.at("connection"), "state") == "connected";
        }, timeout);
    }

    // 300 kB from the LAN counted, then `interruption` (a restart, a reboot), then the count as
    // it was, not counted again: the store kept it. The modem as it is then.
    json::value expect_usage_kept_across(const std::function<void()>& interruption)
    {
        wait_connected();
        EXPECT_FALSE(tcp_from_lan_soon(std::string(300'000, 'd')).empty());
        auto counted = daemon_->wait_for_modem("1-1", "the traffic counted", [](const json::value& modem) {
            return usage_sent_today(modem) >= 300'000;
        }, 30s);
        auto before = usage_sent_today(counted);
        interruption();
        auto after = daemon_->wait_for_modem("1-1", "the usage back", [](const json::value& modem) {
            return usage_sent_today(modem) >= 0;
        });
        EXPECT_GE(usage_sent_today(after), before);
        EXPECT_LT(usage_sent_today(after), before + 100'000); // not counted again
        return after;
    }

    bool udp_round_trip()
    {
        auto client = socket_in(lan_->name(), SOCK_DGRAM);
        auto server = address_of("198.18.2.2", echo_port);
        const char datagram[] = "uplink udp";
        if (::sendto(client.get(), datagram, sizeof datagram, 0, reinterpret_cast<sockaddr*>(&server), sizeof server) < 0)
            return false;
        if (!wait_readable(udp_server_.get(), deadline_in(5s)))
            return false;
        char buffer[64];
        sockaddr_in peer {};
        socklen_t size = sizeof peer;
        auto got = ::recvfrom(udp_server_.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &size);
        if (got != sizeof datagram)
            return false;
        ::sendto(udp_server_.get(), buffer, static_cast<std::size_t>(got), 0, reinterpret_cast<sockaddr*>(&peer), size);
        if (!wait_readable(client.get(), deadline_in(5s)))
            return false;
        return ::recv(client.get(), buffer, sizeof buffer, 0) == got;
    }


    // The recovery ladder's remedies so far, as their events say them ("step 2/3 radio-off-on,
    // attempt 1 of 2: ...").
    std::vector<std::string> recovery_steps()
    {
        std::vector<std::string> taken;
        auto recent = daemon_->get("/v1/events/recent");
        for (const auto& event : recent.as_array())
            if (text(event, "kind") == "recovery" && text(event, "message").starts_with("step "))
                taken.push_back(text(event, "message"));
        return taken;
    }

    bool recovery_step_taken(std::string_view step)
    {
        return std::ranges::any_of(recovery_steps(), [step](const std::string& taken) {
            return taken.find(step) != std::string::npos;
        });
    }

    // The ladder up to its top step fast: three drops of the bearer make its first remedy, then
    // the network detaches the modem, so that no remedy brings the connection back and each one
    // follows the last after the backoff alone (1, 2, 4, 8, 16 s with recovery_backoff 1).
    void climb_the_ladder()
    {
        auto since = text(wait_connected().at("connection"), "connected_since");
        for (int drops = 0; drops < 10 && recovery_steps().empty(); ++drops) {
            emulator_->control({{"cmd", "bearer-drop"}, {"cause", 38}});
            auto modem = daemon_->wait_for_modem("1-1", "connected again after the drop", [&since](const json::value& modem) {
                return text(modem.at("connection"), "state") == "connected"
                    && text(modem.at("connection"), "connected_since") != since;
            }, 30s);
            since = text(modem.at("connection"), "connected_since");
        }
        ASSERT_FALSE(recovery_steps().empty()) << "no remedy after the drops";
        emulator_->control({{"cmd", "detach"}});
    }

    boost::json::object emulated_modem()
    {
        return emulator_->control({{"cmd", "status"}}).at("modems").as_array().at(0).as_object();
    }

    TemporaryDirectory directory_;
    std::string main_options_;   // more options of uplinkd's `config uplink 'main'`
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(OnlineTest, TheLanHostReachesTheInternetThroughTheModem)
{
    ASSERT_NO_FATAL_FAILURE(start_programs());
    auto modem = wait_connected();
    auto address = text(modem.at("connection").at("ipv4"), "address");
    ASSERT_FALSE(address.empty());
    EXPECT_EQ(address.rfind("100.", 0), 0u) << address;
    // The server sees the modem's address: uplinkd masquerades the LAN behind wwan0.
    EXPECT_EQ(tcp_from_lan_soon(std::string(100'000, 'u')), address);
    EXPECT_TRUE(udp_round_trip());
    auto counters = emulator_->control({{"cmd", "counters"}});
    EXPECT_GT(counters.at("data_path").at("uplink").at("bytes").as_int64(), 100'000);
    // uplinkd counts the same traffic on wwan0.
    auto after = daemon_->get("/v1/modems/1-1");
    EXPECT_GT(after.at("connection").at("sent_bytes").as_int64(), 100'000);
}

TEST_F(OnlineTest, ADroppedBearerIsReconnectedAndTrafficResumes)
{
    ASSERT_NO_FATAL_FAILURE(start_programs());
    auto before = wait_connected();
    ASSERT_FALSE(tcp_from_lan_soon("before").empty());
    emulator_->control({{"cmd", "bearer-drop"}, {"cause", 38}});
    daemon_->wait_for_modem("1-1", "the drop noticed", [](const json::value& modem) {
        return text(modem.at("connection"), "last_error").find("cause 38") != std::string::npos;
    });
    auto after = wait_connected();
    EXPECT_NE(text(after.at("connection"), "connected_since"), text(before.at("connection"), "connected_since"));
    EXPECT_FALSE(tcp_from_lan_soon("after").empty());
}

// Live apply while connected: a new APN is a new call at once, a new metric only new routes.
TEST_F(OnlineTest, AnApnChangedWhileConnectedIsInEffectWithinSeconds)
{
    ASSERT_NO_FATAL_FAILURE(start_programs());
    auto before = wait_connected();
    auto bearer_apn = [this] {
        auto status = emulator_->control({{"cmd", "status"}});
        const auto& bearers = status.at("modems").as_array().at(0).at("bearers").as_array();
        return bearers.empty() ? std::string() : text(bearers.at(0), "apn");
    };
    EXPECT_EQ(bearer_apn(), "internet");
    auto pid = daemon_->process().pid();
    auto reply = daemon_->request("POST", "/v1/profiles/default", json::parse(R"({"options":{"apn":"internet2"},"preview":false})"));
    ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    EXPECT_EQ(text(reply.at("body").at("changes").at(0), "action"), "reconnect");
    auto after = daemon_->wait_for_modem("1-1", "connected with the new APN", [](const json::value& modem) {
        return text(modem.at("connection"), "state") == "connected"
            && text(modem.at("settings").at("connection"), "apn") == "internet2";
    });
    EXPECT_EQ(bearer_apn(), "internet2");
    EXPECT_NE(text(after.at("connection"), "connected_since"), text(before.at("connection"), "connected_since"));
    EXPECT_FALSE(tcp_from_lan_soon("after").empty());

    // The metric: routes change in place, and the call stays.
    reply = daemon_->request("POST", "/v1/profiles/default", json::parse(R"({"options":{"metric":300},"preview":false})"));
    ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    EXPECT_EQ(text(reply.at("body").at("changes").at(0), "action"), "reconfigure");
    // The link is changed just after the reply, and its change is an event: re-read on each.
    auto default_routes = [this] { return run_command({"ip", "-n", router_->name(), "route", "show", "default"}).out; };
    daemon_->wait_for_modem("1-1", "the routes at metric 300", [&default_routes](const json::value&) {
        return default_routes().find("metric 300") != std::string::npos;
    });
    auto routes = run_command({"ip", "-n", router_->name(), "route", "show", "default"});
    EXPECT_NE(routes.out.find("default dev wwan0"), std::string::npos) << routes.out;
    EXPECT_NE(routes.out.find("metric 300"), std::string::npos) << routes.out;
    EXPECT_EQ(routes.out.find("metric 200"), std::string::npos) << routes.out;
    auto same = daemon_->get("/v1/modems/1-1");
    EXPECT_EQ(text(same.at("connection"), "connected_since"), text(after.at("connection"), "connected_since"));
    EXPECT_EQ(daemon_->process().pid(), pid);
}

// The TTL of a datagram from the LAN host when the internet host receives it (IP_RECVTTL).
std::optional<int> ttl_at_internet_host(const std::string& lan, const std::string& internet)
{
    constexpr std::uint16_t port = echo_port + 1;
    auto receiver = socket_in(internet, SOCK_DGRAM);
    int on = 1;
    ::setsockopt(receiver.get(), IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
    auto any = address_of("0.0.0.0", port);
    if (::bind(receiver.get(), reinterpret_cast<sockaddr*>(&any), sizeof any) != 0)
        return std::nullopt;
    auto sender = socket_in(lan, SOCK_DGRAM);
    auto server = address_of("198.18.2.2", port);
    if (::sendto(sender.get(), "ttl?", 4, 0, reinterpret_cast<sockaddr*>(&server), sizeof server) != 4
        || !wait_readable(receiver.get(), deadline_in(5s)))
        return std::nullopt;
    char data[16];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    iovec vector {data, sizeof data};
    msghdr message {};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    if (::recvmsg(receiver.get(), &message, 0) < 0)
        return std::nullopt;
    for (auto* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header))
        if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_TTL) {
            int ttl = 0;
            std::memcpy(&ttl, CMSG_DATA(header), sizeof ttl);
            return ttl;
        }
    return std::nullopt;
}

// The profile's TTL on what the LAN sends through the modem, changed and removed live: the hops
// after the router (the carrier's) take the same off every time, so the differences tell.
TEST_F(OnlineTest, TheTtlFixAppliesLive)
{
    ASSERT_NO_FATAL_FAILURE(start_programs("\toption apn 'internet'\n\toption ttl '65'\n"));
    auto before = wait_connected();
    auto measure = [this] { return ttl_at_internet_host(lan_->name(), internet_->name()); };
    auto with_65 = measure();
    ASSERT_TRUE(with_65);
    auto set_ttl = [this](int ttl) {
        auto reply = daemon_->request("POST", "/v1/profiles/default",
            json::object {{"options", json::object {{"ttl", ttl}}}, {"preview", false}});
        ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
        EXPECT_EQ(text(reply.at("body").at("changes").at(0), "action"), "reconfigure");
    };
    // Without the fix the router's own hop shows: 64 sent, 63 leave it instead of 65.
    set_ttl(0);
    // The rules change just after the reply: measured again until the hop count moves.
    std::optional<int> routed;
    eventually([&] { return (routed = measure()) && *routed != *with_65; }, deadline_in(15s));
    ASSERT_TRUE(routed);
    EXPECT_EQ(*with_65 - *routed, 65 - 63);
    set_ttl(70);
    std::optional<int> with_70;
    eventually([&] { return (with_70 = measure()) && *with_70 != *routed; }, deadline_in(15s));
    ASSERT_TRUE(with_70);
    EXPECT_EQ(*with_70 - *with_65, 70 - 65);
    auto after = daemon_->get("/v1/modems/1-1");
    EXPECT_EQ(text(after.at("connection"), "connected_since"), text(before.at("connection"), "connected_since"));
}

// The usage store: bytes counted from the interface's counters, kept across a daemon restart
// and not counted twice after it.
TEST_F(OnlineTest, DataCountersSurviveADaemonRestart)
{
    ASSERT_NO_FATAL_FAILURE(start_programs());
    auto after = expect_usage_kept_across([this] { daemon_->restart(); });
    EXPECT_EQ(after.at("wan"), "wan1");
}

// A router's state on flash and its history in RAM (`history_dir`): the usage store is copied to
// the state directory as uplinkd stops, and taken back from there after a reboot has emptied RAM.
TEST_F(OnlineTest, DataUsageInRamComesBackFromItsCopyAfterAReboot)
{
    auto ram = directory_.path() / "ram";
    auto flash = directory_.path() / "daemon" / "state";
    main_options_ = "\toption history_dir '" + ram.string() + "'\n";
    ASSERT_NO_FATAL_FAILURE(start_programs());
    expect_usage_kept_across([&] {
        daemon_->stop();
        EXPECT_TRUE(std::filesystem::exists(ram / "usage.db"));
        EXPECT_TRUE(std::filesystem::exists(ram / "signal.db"));
        EXPECT_TRUE(std::filesystem::exists(flash / "usage.db")); // the copy
        EXPECT_FALSE(std::filesystem::exists(flash / "signal.db"));
        std::filesystem::remove_all(ram); // the reboot
        daemon_->start();
    });
    EXPECT_TRUE(std::filesystem::exists(ram / "usage.db"));
}

// Seconds since midnight of an API time ("2026-11-29T17:33:01.123Z").
double seconds_of_day(const std::string& time)
{
    return std::stoi(time.substr(11, 2)) * 3600.0 + std::stoi(time.substr(14, 2)) * 60.0 + std::stod(time.substr(17, 6));
}

// A bearer that drops as soon as it is up: the ladder climbs (reconnect, then radio off and on)
// and every remedy waits at least twice as long as the one before: never a fast loop.
TEST_F(OnlineTest, ABearerThatKeepsDroppingClimbsTheLadderWithItsBackoff)
{
    ASSERT_NO_FATAL_FAILURE(start_programs("\toption apn 'internet'\n\toption recovery_backoff '1'\n"));
    wait_connected();
    // The ladder acts on 3 failures after each remedy, and the modem's own redial backs off too
    // (1 s, 2 s, 4 s): reaching the radio step takes about 20 s. Each connection is dropped as
    // soon as it is up, until the ladder has reached the radio.
    auto radio_step_taken = [this] {
        auto recent = daemon_->get("/v1/events/recent");
        return std::ranges::any_of(recent.as_array(), [](const json::value& event) {
            return text(event, "kind") == "recovery" && text(event, "message").find("radio-off-on") != std::string::npos;
        });
    };
    auto since = text(wait_connected().at("connection"), "connected_since");
    for (int drops = 0; drops < 30 && !radio_step_taken(); ++drops) {
        emulator_->control({{"cmd", "bearer-drop"}, {"cause", 38}});
        auto modem = daemon_->wait_for_modem("1-1", "connected again after the drop", [&since](const json::value& modem) {
            return text(modem.at("connection"), "state") == "connected"
                && text(modem.at("connection"), "connected_since") != since;
        }, 60s);
        since = text(modem.at("connection"), "connected_since");
    }
    std::vector<std::pair<double, std::string>> actions;
    auto recent = daemon_->get("/v1/events/recent");
    for (const auto& event : recent.as_array())
        if (text(event, "kind") == "recovery" && text(event, "message").starts_with("step "))
            actions.emplace_back(seconds_of_day(text(event, "time")), text(event, "message"));
    ASSERT_GE(actions.size(), 3u);
    EXPECT_NE(actions[0].second.find("step 1/3 reconnect"), std::string::npos) << actions[0].second;
    EXPECT_TRUE(std::ranges::any_of(actions, [](const auto& action) {
        return action.second.find("radio-off-on") != std::string::npos;
    }));
    // 1 s, 2 s, 4 s, 8 s...: each remedy at least twice as long after the one before. These are
    // lower bounds (a timer never fires early), so a loaded machine cannot break them.
    for (std::size_t i = 1; i < actions.size(); ++i) {
        auto gap = actions[i].first - actions[i - 1].first;
        if (gap < 0)
            gap += 86400; // past midnight
        EXPECT_GE(gap, 0.95 * static_cast<double>(1u << (i - 1))) << actions[i - 1].second << "\n" << actions[i].second;
    }
    // The modem comes back once the drops stop.
    wait_connected(60s);
}

TEST_F(OnlineTest, UnplugRemovesTheModemAndReplugBringsTrafficBack)
{
    ASSERT_NO_FATAL_FAILURE(start_programs());
    wait_connected();
    emulator_->control({{"cmd", "unplug"}});
    daemon_->wait_for_absence("1-1");
    EXPECT_NE(sim::testing::run_command("ip -n " + router_->name() + " link show wwan0").status, 0)
        << "wwan0 should go with the modem";
    emulator_->control({{"cmd", "replug"}});
    wait_connected(30s);
    EXPECT_FALSE(tcp_from_lan_soon("again").empty());
}

TEST_F(OnlineTest, BothIpFamiliesAreGrantedAndConfigured)
{
    start_programs("\toption apn 'internet'\n\toption ip_family 'ipv4v6'\n");
    auto modem = daemon_->wait_for_modem("1-1", "both families", [](const json::value& modem) {
        const auto& connection = modem.at("connection");
        return text(connection, "state") == "connected" && connection.at("ipv6").is_object();
    });
    const auto& connection = modem.at("connection");
    auto ipv6 = text(connection.at("ipv6"), "address");
    EXPECT_EQ(ipv6.rfind("2001:db8:", 0), 0u) << ipv6;
    EXPECT_EQ(connection.at("ipv6").at("prefix_length").as_int64(), 64);
    EXPECT_EQ(text(connection.at("ipv4"), "address").rfind("100.", 0), 0u);
    auto shown = sim::testing::run_command("ip -n " + router_->name() + " -6 address show dev wwan0");
    EXPECT_NE(shown.output.find(ipv6 + "/128"), std::string::npos) << shown.output;
    auto routes = sim::testing::run_command("ip -n " + router_->name() + " -6 route show default");
    EXPECT_NE(routes.output.find("dev wwan0"), std::string::npos) << routes.output;
    // IPv4 still carries the LAN (the carrier routes no IPv6 to the internet host).
    EXPECT_FALSE(tcp_from_lan_soon("dual").empty());
}

std::string shown(const std::string& namespace_name, const std::string& command)
{
    return run_command({"sh", "-c", "ip -n " + namespace_name + " " + command}).out;
}

// A disconnect takes back what the connect configured, and only that: qmi_wwan keeps wwan0 while
// the modem is plugged, so addresses and routes left on it would outlive the call (a default
// route into a link with no bearer, an address the carrier has given someone else).
TEST_F(OnlineTest, ADisconnectRemovesTheAddressesAndRoutesAndKeepsWwan0)
{
    ASSERT_NO_FATAL_FAILURE(start_programs("\toption apn 'internet'\n\toption ip_family 'ipv4v6'\n"));
    auto modem = daemon_->wait_for_modem("1-1", "connected with both families", [](const json::value& modem) {
        const auto& connection = modem.at("connection");
        return text(connection, "state") == "connected" && connection.at("ipv6").is_object();
    });
    auto ipv4 = text(modem.at("connection").at("ipv4"), "address");
    auto ipv6 = text(modem.at("connection").at("ipv6"), "address");
    const auto& router = router_->name();
    ASSERT_NE(shown(router, "address show dev wwan0").find(ipv4 + "/32"), std::string::npos);
    ASSERT_NE(shown(router, "-6 address show dev wwan0").find(ipv6 + "/128"), std::string::npos);
    ASSERT_NE(shown(router, "route show default").find("dev wwan0"), std::string::npos);
    ASSERT_NE(shown(router, "-6 route show default").find("dev wwan0"), std::string::npos);

    auto reply = daemon_->request("POST", "/v1/modems/1-1/disconnect");
    ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    daemon_->wait_for_modem("1-1", "disconnected", [](const json::value& modem) {
        return text(modem.at("connection"), "state") == "disconnected";
    });
    auto status = emulator_->control({{"cmd", "status"}});
    EXPECT_TRUE(status.at("modems").as_array().at(0).at("bearers").as_array().empty());
    // The interface stays, as the driver's does; what uplinkd put on it goes.
    auto link = run_command({"ip", "-n", router, "link", "show", "wwan0"});
    ASSERT_EQ(link.exit_code, 0) << "the emulator must keep wwan0 while the modem is plugged: " << link.err;
    // (`ip` shows the link itself when it has no address at all.)
    auto addresses = shown(router, "address show dev wwan0 scope global");
    EXPECT_EQ(addresses.find("inet"), std::string::npos) << addresses;
    EXPECT_EQ(shown(router, "route show dev wwan0"), "");
    EXPECT_EQ(shown(router, "-6 route show default"), "");
    EXPECT_EQ(shown(router, "route show default"), "");

    // And a connect puts it all back.
    reply = daemon_->request("POST", "/v1/modems/1-1/connect");
    ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    wait_connected();
    EXPECT_NE(shown(router, "route show default").find("dev wwan0"), std::string::npos);
    EXPECT_FALSE(tcp_from_lan_soon("again").empty());
}

// The MTU is the network's (3GPP TS 24.301 §9.9.4.26 IPv4 link MTU, which the modem passes on as
// WDS Get Current Settings TLV 0x29), not the TUN's 1500: a larger one would have packets
// dropped in the carrier's tunnel.
TEST_F(OnlineTest, TheMtuTheNetworkGrantsIsSetOnWwan0)
{
    ASSERT_NO_FATAL_FAILURE(start_programs("\toption apn 'internet'\n", [](json::value& scenario) {
        for (auto& apn : scenario.at("operators").as_array().at(0).at("apns").as_array())
            apn.as_object()["mtu"] = 1430;
    }));
    auto modem = wait_connected();
    EXPECT_EQ(modem.at("connection").at("mtu").as_int64(), 1430);
    auto link = shown(router_->name(), "link show wwan0");
    EXPECT_NE(link.find(" mtu 1430 "), std::string::npos) << link;
    // Traffic still crosses: the LAN's TCP segments are clamped or fragmented to fit.
    EXPECT_FALSE(tcp_from_lan_soon(std::string(20'000, 'm')).empty());
}

// ip_family 'ipv6': a call for IPv6 alone, and nothing of IPv4 on wwan0.
TEST_F(OnlineTest, AnIpv6OnlyProfileConnectsWithIpv6Alone)
{
    ASSERT_NO_FATAL_FAILURE(start_programs("\toption apn 'internet'\n\toption ip_family 'ipv6'\n"));
    auto modem = daemon_->wait_for_modem("1-1", "connected with IPv6", [](const json::value& modem) {
        const auto& connection = modem.at("connection");
        return text(connection, "state") == "connected" && connection.at("ipv6").is_object();
    });
    const auto& connection = modem.at("connection");
    EXPECT_TRUE(connection.at("ipv4").is_null()) << json::serialize(connection);
    auto ipv6 = text(connection.at("ipv6"), "address");
    EXPECT_EQ(ipv6.rfind("2001:db8:", 0), 0u) << ipv6;
    auto status = emulator_->control({{"cmd", "status"}});
    const auto& bearers = status.at("modems").as_array().at(0).at("bearers").as_array();
    ASSERT_EQ(bearers.size(), 1u) << json::serialize(bearers);
    EXPECT_EQ(text(bearers.at(0), "family"), "ipv6");
    const auto& router = router_->name();
    EXPECT_NE(shown(router, "-6 address show dev wwan0").find(ipv6 + "/128"), std::string::npos);
    EXPECT_NE(shown(router, "-6 route show default").find("dev wwan0"), std::string::npos);
    auto ipv4 = shown(router, "-4 address show dev wwan0");
    EXPECT_EQ(ipv4.find("inet "), std::string::npos) << ipv4;
    EXPECT_EQ(shown(router, "-4 route show default"), "");
}

// The watchdog's ICMP probe (`list probe_host`): echoes through wwan0 while the path works, and
// when the path beyond the carrier dies with the bearer still up (no modem report, nothing for
// the call to notice), the unanswered probes alone start the recovery ladder.
TEST_F(OnlineTest, UnansweredProbesStartTheRecoveryLadder)
{
    ASSERT_NO_FATAL_FAILURE(start_programs(
        "\toption apn 'internet'\n\tlist probe_host '198.18.2.2'\n\toption probe_interval '10'\n"
        "\toption recovery_backoff '1'\n"));
    wait_connected();
    auto uplink_packets = [this] {
        return emulator_->control({{"cmd", "counters"}}).at("data_path").at("uplink").at("packets").as_int64();
    };
    // The first probe is due 10 s after the call: an echo crosses with no traffic from the LAN.
    auto before = uplink_packets();
    ASSERT_TRUE(eventually([&] { return uplink_packets() > before; }, deadline_in(30s))) << "no probe crossed wwan0";
    auto recovery_taken = [this] {
        auto recent = daemon_->get("/v1/events/recent");
        return std::ranges::any_of(recent.as_array(), [](const json::value& event) {
            return text(event, "kind") == "recovery" && text(event, "message").starts_with("step 1/");
        });
    };
    EXPECT_FALSE(recovery_taken());

    // The internet host gone: the carrier still carries the probes, nothing answers them. Five
    // unanswered in a row (10 s apart, 3 s each) before the ladder acts: not before 40 s, a lower
    // bound that a loaded machine cannot break (the probe timers never fire early).
    must("ip -n " + internet_->name() + " link set net1 down");
    auto started = std::chrono::steady_clock::now();
    daemon_->wait_for_modem("1-1", "a recovery step for the unanswered probes", [&recovery_taken](const json::value&) {
        return recovery_taken();
    }, 100s);
    EXPECT_GT(std::chrono::steady_clock::now() - started, 40s);
    EXPECT_NE(daemon_->process().errors().find("no answer through wwan0"), std::string::npos);
}

// Past reconnect and radio off/on, the ladder's third step: a modem reset (AT+CFUN=1,1), which
// the emulated module answers by rebooting; uplinkd reads it afresh and connects again.
TEST_F(OnlineTest, ABearerThatKeepsDroppingReachesTheModemReset)
{
    ASSERT_NO_FATAL_FAILURE(start_programs("\toption apn 'internet'\n\toption recovery_backoff '1'\n"));
    auto reset_taken = [this] { return recovery_step_taken("modem-reset"); };
    // A reset reboots the module, whose SIM then asks for its PIN again: one more PIN entry.
    // (Radio off and on leaves the SIM open.)
    auto pin_attempts = [this] { return emulator_->control({{"cmd", "counters"}}).at("pin_attempts").as_int64(); };
    auto since = text(wait_connected().at("connection"), "connected_since");
    auto pin_attempts_before = pin_attempts();
    for (int drops = 0; drops < 40 && !reset_taken(); ++drops) {
        emulator_->control({{"cmd", "bearer-drop"}, {"cause", 38}});
        auto modem = daemon_->wait_for_modem("1-1", "connected again after the drop", [&since](const json::value& modem) {
            return text(modem.at("connection"), "state") == "connected"
                && text(modem.at("connection"), "connected_since") != since;
        }, 90s);
        since = text(modem.at("connection"), "connected_since");
    }
    auto taken = recovery_steps();
    ASSERT_TRUE(reset_taken()) << ::testing::PrintToString(taken);
    EXPECT_NE(taken.front().find("reconnect"), std::string::npos) << taken.front();
    EXPECT_TRUE(std::ranges::any_of(taken, [](const std::string& step) { return step.find("radio-off-on") != std::string::npos; }));
    EXPECT_NE(daemon_->process().errors().find("recovery: modem reset"), std::string::npos);
    // And the module came back: connected again, traffic through it.
    wait_connected(60s);
    EXPECT_EQ(pin_attempts(), pin_attempts_before + 1);
    EXPECT_FALSE(tcp_from_lan_soon("after the reset").empty());
}

// With usb_power_cycle, the ladder's fourth step switches the modem's USB port off and on
// through the port's sysfs `disable` file; the emulated hub takes the modem off the bus and
// powers it up again, and uplinkd finds it anew and gets it online.
TEST_F(OnlineTest, WithUsbPowerCycleAllowedTheLadderSwitchesThePortOffAndOn)
{
    ASSERT_NO_FATAL_FAILURE(start_programs(
        "\toption apn 'internet'\n\toption recovery_backoff '1'\n\toption usb_power_cycle '1'\n"));
    ASSERT_NO_FATAL_FAILURE(climb_the_ladder());
    daemon_->wait_for_modem("1-1", "the usb-power-cycle step", [this](const json::value&) {
        return recovery_step_taken("usb-power-cycle");
    }, 90s);
    auto taken = recovery_steps();
    ASSERT_TRUE(recovery_step_taken("step 4/4 usb-power-cycle")) << ::testing::PrintToString(taken);
    EXPECT_TRUE(recovery_step_taken("step 3/4 modem-reset")) << ::testing::PrintToString(taken);

    // The emulator saw the port switched off and then on again, and plugged the modem back.
    daemon_->wait_for_modem("1-1", "the modem back after its port was switched off and on", [this](const json::value&) {
        auto modem = emulated_modem();
        return text(modem, "port_power") == "on" && modem.at("plugged").as_bool()
            && emulator_->control({{"cmd", "counters"}}).contains("last_port_off_ms");
    }, 30s);
    auto counters = emulator_->control({{"cmd", "counters"}});
    EXPECT_EQ(counters.at("port_switched_off").as_int64(), 1);
    // Off long enough for a modem to lose its power: uplinkd's 3 s, whatever else happens meanwhile.
    // The emulator times the two writes as inotify reports them, each a few ms late, so it may
    // see a little less than uplinkd waited (2996 ms under the sanitizers); a step that cut the
    // wait short would be seconds off.
    EXPECT_GE(counters.at("last_port_off_ms").as_int64(), 2900);

    emulator_->control({{"cmd", "attach"}});
    wait_connected(60s);
    EXPECT_FALSE(tcp_from_lan_soon("after the power cycle").empty());
}

// usb_power_cycle is off by default: the ladder has three steps, ends at the modem reset, and
// never touches the port.
TEST_F(OnlineTest, WithoutUsbPowerCycleTheLadderNeverSwitchesThePort)
{
    ASSERT_NO_FATAL_FAILURE(start_programs("\toption apn 'internet'\n\toption recovery_backoff '1'\n"));
    ASSERT_NO_FATAL_FAILURE(climb_the_ladder());
    auto modem = daemon_->wait_for_modem("1-1", "the ladder's last step used up", [](const json::value& modem) {
        return text(modem.at("recovery"), "state") == "exhausted";
    }, 90s);
    EXPECT_EQ(text(modem.at("recovery"), "next_step"), "modem-reset");
    auto taken = recovery_steps();
    EXPECT_TRUE(recovery_step_taken("step 3/3 modem-reset")) << ::testing::PrintToString(taken);
    EXPECT_FALSE(recovery_step_taken("usb-power-cycle")) << ::testing::PrintToString(taken);
    EXPECT_EQ(emulator_->control({{"cmd", "counters"}}).at("port_switched_off").as_int64(), 0);
    EXPECT_EQ(text(emulated_modem(), "port_power"), "on");
}

} // namespace
} // namespace uplink::testing
