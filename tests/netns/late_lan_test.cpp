// The LAN interface that appears after uplinkd has started (docs/config.md, `config web`): on
// OpenWrt netifd brings br-lan up after procd has started uplinkd. The web UI answers through it
// once it is there, and never through another interface meanwhile (a wired WAN here).
//
//   [lan 198.18.1.2] --veth-- [router lan1, later in br-lan 198.18.1.1: uplinkd; wan0 198.18.3.1]
//   --veth-- [internet 198.18.3.2]
#include "topology.hpp"

#include <gtest/gtest.h>

namespace uplink::testing {
namespace {

class LateLanTest : public NetnsTopologyTest {
protected:
    void SetUp() override { create_topology("l"); }

    // Until `text` is in uplinkd's log, or the deadline.
    static bool wait_for_log(Daemon& daemon, const std::string& text, std::chrono::milliseconds timeout)
    {
        auto deadline = deadline_in(timeout);
        while (daemon.process().errors().find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() > deadline)
                return false;
            ::poll(nullptr, 0, 50);
        }
        return true;
    }

    // The web UI's answer to the LAN host: the HTTP status, or curl's 000 when nothing answered.
    std::string session_status_from_lan()
    {
        return sim::testing::run_command("ip netns exec " + lan_->name()
                                         + " curl -sk -o /dev/null -w %{http_code} --max-time 5 "
                                           "https://198.18.1.1/api/v1/session")
            .output;
    }
};

TEST_F(LateLanTest, TheWebUiAnswersThroughTheLanBridgeOnceItAppears)
{
    // A wired WAN the router has from the start, not in the interface list.
    const auto& router = router_->name();
    const auto& internet = internet_->name();
    must("ip -n " + router + " link add wan0 type veth peer name wan1 netns " + internet);
    must("ip -n " + router + " address add 198.18.3.1/24 dev wan0");
    must("ip -n " + router + " link set wan0 up");
    must("ip -n " + internet + " address add 198.18.3.2/24 dev wan1");
    must("ip -n " + internet + " link set wan1 up");

    TemporaryDirectory directory;
    Emulator emulator(directory.path() / "sim", scenario_path("ec25-test.json"));
    Daemon::Settings settings;
    settings.launcher = {"ip", "netns", "exec", router};
    settings.extra_config = "config web\n\tlist interface 'br-lan'\n";
    Daemon daemon(directory.path() / "daemon", emulator, settings);
    ASSERT_TRUE(wait_for_log(daemon, "there is no interface br-lan to listen on", 10s))
        << daemon.process().errors();

    // No br-lan yet: nothing answers on either side (an RST: no listener matches lan1 or wan0).
    EXPECT_EQ(connect_from(lan_->name(), "198.18.1.1", 443, 2s), Answer::Refused);
    EXPECT_EQ(connect_from(internet, "198.18.3.1", 443, 2s), Answer::Refused);

    // netifd's part: the bridge, with the LAN port in it and the LAN address on it.
    must("ip -n " + router + " link add br-lan type bridge");
    must("ip -n " + router + " address del 198.18.1.1/24 dev lan1");
    must("ip -n " + router + " link set lan1 master br-lan");
    must("ip -n " + router + " address add 198.18.1.1/24 dev br-lan");
    must("ip -n " + router + " link set br-lan up");

    EXPECT_TRUE(wait_for_log(daemon, "br-lan appeared: listening through it now on port 443", 15s))
        << daemon.process().errors();
    auto deadline = deadline_in(10s);
    auto status = session_status_from_lan();
    while (status != "200" && std::chrono::steady_clock::now() < deadline)
        status = session_status_from_lan();   // the bridge's port may take a moment to forward
    EXPECT_EQ(status, "200");
    for (std::uint16_t port : {443, 80})
        EXPECT_EQ(connect_from(internet, "198.18.3.1", port, 2s), Answer::Refused) << "port " << port;
}

} // namespace
} // namespace uplink::testing
