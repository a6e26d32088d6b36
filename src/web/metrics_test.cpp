#include "web/metrics.hpp"

#include <api/fake_source.hpp>

#include <gtest/gtest.h>

namespace uplink::web {
namespace {

using api::testing::FakeModemSource;

bool has_line(const std::string& text, std::string_view line)
{
    return text.find(std::string("\n") + std::string(line) + "\n") != std::string::npos
        || text.starts_with(std::string(line) + "\n");
}

TEST(Metrics, ModemsSignalAndUsageInBaseUnits)
{
    FakeModemSource source;
    source.snapshots = {api::testing::registered_ec25("1-1"), api::testing::locked_ec25("1-2")};
    source.snapshots[0].connection.state = modem::ConnectionState::Connected;
    source.usages["wan1"] = api::WanUsage {1000, 200, 5'000'000'000, 300'000'000, {}};
    auto started = Clock::now();
    auto text = prometheus_metrics(source, {"0.1.0", started}, started + std::chrono::seconds(90));

    for (auto line : {
             "# TYPE uplink_build_info gauge",
             "uplink_build_info{version=\"0.1.0\"} 1",
             "uplink_uptime_seconds 90",
             "uplink_modems 2",
             "# HELP uplink_signal_rsrp_dbm LTE reference signal received power, dBm",
             "uplink_signal_rsrp_dbm{modem=\"1-1\",wan=\"wan1\"} -95",
             "uplink_signal_sinr_db{modem=\"1-1\",wan=\"wan1\"} 12",
             "uplink_modem_state{modem=\"1-1\",state=\"registered\",wan=\"wan1\"} 1",
             "uplink_modem_state{modem=\"1-1\",state=\"searching\",wan=\"wan1\"} 0",
             "uplink_modem_state{modem=\"1-2\",state=\"failed\",wan=\"\"} 1",
             "uplink_modem_registered{modem=\"1-1\",wan=\"wan1\"} 1",
             "uplink_modem_registered{modem=\"1-2\",wan=\"\"} 0",
             "uplink_modem_connected{modem=\"1-1\",wan=\"wan1\"} 1",
             "uplink_wan_usage_bytes{direction=\"received\",period=\"billing_period\",wan=\"wan1\"} 5000000000",
             "uplink_wan_usage_bytes{direction=\"sent\",period=\"today\",wan=\"wan1\"} 200",
         })
        EXPECT_TRUE(has_line(text, line)) << "no line " << line << " in\n" << text;
    // The locked modem has no signal to show, and no sample is made up for it.
    EXPECT_EQ(text.find("uplink_signal_rsrp_dbm{modem=\"1-2\""), std::string::npos) << text;
    // Nothing that names the SIM.
    for (const auto& secret : {source.snapshots[0].sim.iccid, source.snapshots[0].sim.imsi}) {
        ASSERT_FALSE(secret.empty());
        EXPECT_EQ(text.find(secret), std::string::npos) << secret;
    }
    EXPECT_TRUE(text.ends_with("\n"));
}

TEST(Metrics, NoModemsNoModemFamilies)
{
    FakeModemSource source;
    auto started = Clock::now();
    auto text = prometheus_metrics(source, {"0.1.0", started}, started);
    EXPECT_TRUE(has_line(text, "uplink_modems 0")) << text;
    EXPECT_EQ(text.find("uplink_modem_state"), std::string::npos) << text;
    EXPECT_EQ(text.find("uplink_signal"), std::string::npos) << text;
    EXPECT_EQ(text.find("uplink_wan_state"), std::string::npos) << text;
}

TEST(Metrics, WansStateRoundTripLossAndProbes)
{
    FakeModemSource source;
    wan::WanStatus fibre;
    fibre.name = "fibre";
    fibre.link = true;
    fibre.health.state = health::WanState::Degraded;
    fibre.health.smoothed_rtt = std::chrono::milliseconds(25);
    fibre.health.loss = 0.25;
    fibre.health.probes_sent = 400;
    fibre.health.probes_answered = 300;
    fibre.health.probes_lost = 100;
    fibre.health.bytes_sent = 28800;
    wan::WanStatus lte; // a modem WAN without a connection: dead, no figures yet
    lte.name = "lte";
    lte.health.state = health::WanState::Dead;
    source.wan_statuses = {fibre, lte};
    auto started = Clock::now();
    auto text = prometheus_metrics(source, {"0.1.0", started}, started);

    for (auto line : {
             "# TYPE uplink_wan_probes_total counter",
             "uplink_wan_state{state=\"degraded\",wan=\"fibre\"} 1",
             "uplink_wan_state{state=\"up\",wan=\"fibre\"} 0",
             "uplink_wan_state{state=\"dead\",wan=\"lte\"} 1",
             "uplink_wan_link{wan=\"fibre\"} 1",
             "uplink_wan_link{wan=\"lte\"} 0",
             "uplink_wan_rtt_seconds{wan=\"fibre\"} 0.025",
             "uplink_wan_loss_ratio{wan=\"fibre\"} 0.25",
             "uplink_wan_probes_total{outcome=\"lost\",wan=\"fibre\"} 100",
             "uplink_wan_probe_bytes_total{wan=\"fibre\"} 28800",
         })
        EXPECT_TRUE(has_line(text, line)) << "no line " << line << " in\n" << text;
    // No round trip or loss is made up for a WAN that has not measured one.
    EXPECT_EQ(text.find("uplink_wan_rtt_seconds{wan=\"lte\"}"), std::string::npos) << text;
    EXPECT_EQ(text.find("uplink_wan_loss_ratio{wan=\"lte\"}"), std::string::npos) << text;
}

TEST(Metrics, LabelValuesAreEscaped)
{
    FakeModemSource source;
    auto started = Clock::now();
    auto text = prometheus_metrics(source, {"0.1 \"beta\"\\x\nnext", started}, started);
    EXPECT_TRUE(has_line(text, "uplink_build_info{version=\"0.1 \\\"beta\\\"\\\\x\\nnext\"} 1")) << text;
}

} // namespace
} // namespace uplink::web
