// The web UI in a real browser: tests/e2e/ui.mjs drives Debian's Chromium with Playwright against
// uplinkd and uplink-sim's EC25, from the first visit (the setup code uplinkd logs) to logout.
// This side builds the netns topology (so that the modem's data connection really comes up),
// starts the two programs and runs ui.mjs in the router's namespace; ui.mjs says what failed.
#include "tests/netns/topology.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <iostream>

namespace uplink::testing {
namespace {

class BrowserTest : public NetnsTopologyTest {
protected:
    void SetUp() override { create_topology("-ui"); }

    TemporaryDirectory directory_;
};

TEST_F(BrowserTest, ThePagesWorkInChromiumFromFirstVisitToLogout)
{
    auto scenario_file = directory_.path() / "scenario.json";
    write_scenario(scenario_file);   // with "internet2", for the page to switch to
    Emulator emulator(directory_.path() / "sim", scenario_file);

    // The web server on the router's loopback, where the browser runs too.
    constexpr std::uint16_t port = 8443;
    Daemon daemon(directory_.path() / "daemon", emulator,
                  Daemon::Settings{.pin = "1234",
                                   .connection = "\toption apn 'internet'\n",
                                   .launcher = {"ip", "netns", "exec", router_->name()},
                                   .extra_config = fmt::format("config web\n\tlist listen '127.0.0.1'\n"
                                                               "\toption https_port '{}'\n\toption http_port '0'\n"
                                                               // The modem as a WAN, for the Failover page:
                                                               // probed every 0.25 s, at the internet host.
                                                               "config wan 'lte'\n\toption modem 'wan1'\n"
                                                               "\toption metered '0'\n\tlist track_ip '198.18.2.2'\n",
                                                               port)});
    auto log = daemon.process().errors();
    auto at = log.find("setup code ");
    ASSERT_NE(at, std::string::npos) << log;

    auto result = run_command({"ip", "netns", "exec", router_->name(), "env",
                               fmt::format("UPLINK_URL=https://127.0.0.1:{}/", port),
                               fmt::format("UPLINK_SETUP_CODE={}", log.substr(at + 11, 11)),
                               fmt::format("UPLINK_SIM_CONTROL={}", (emulator.root() / "control.sock").string()),
                               fmt::format("UPLINK_SCENARIO={}", scenario_file.string()),
                               fmt::format("UPLINK_SCREENSHOTS={}", UPLINK_SCREENSHOT_DIR),
                               UPLINK_NODE, UPLINK_E2E_DIR "/ui.mjs"},
                              240s);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err << "\nuplinkd:\n" << daemon.process().errors();
    std::cout << result.out;
}

} // namespace
} // namespace uplink::testing
