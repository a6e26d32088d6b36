// GET /v1/wans over a fake source: the fields docs/api.md gives, times as wall-clock text, and
// null for what is not known.
#include "api/fake_source.hpp"
#include "api/router_test_fixture.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace uplink::api {
namespace {

namespace json = boost::json;

wan::WanStatus fibre_died()
{
    wan::WanStatus status;
    status.name = "fibre";
    status.interface = "eth1";
    status.id = 1;
    status.health.state = health::WanState::Dead;
    status.health.reason = "link down (netlink)";
    status.health.since = Clock::now() - std::chrono::seconds(5);
    status.health.smoothed_rtt = Duration(12);
    status.health.timeout = Duration(200);
    status.health.loss = 0.25;
    status.health.probes_sent = 40;
    status.health.probes_answered = 30;
    status.health.probes_lost = 10;
    status.transitions.push_back(
        {health::WanState::Up, health::WanState::Dead, "link down (netlink)", status.health.since});
    return status;
}

TEST_F(RouterTest, WansGivesEachWansStateProbesAndTransitions)
{
    wan::WanStatus lte;
    lte.name = "lte";
    lte.id = 2;
    lte.health.state = health::WanState::Dead;
    lte.health.reason = "the modem has no connection";
    source.wan_statuses = {fibre_died(), lte};

    auto response = get("/v1/wans");
    ASSERT_EQ(response.status, 200) << response.error;
    const auto& wans = response.body.as_array();
    ASSERT_EQ(wans.size(), 2u);
    const auto& fibre = wans[0].as_object();
    EXPECT_EQ(fibre.at("name"), "fibre");
    EXPECT_EQ(fibre.at("interface"), "eth1");
    EXPECT_EQ(fibre.at("mark"), "0x01000000");
    EXPECT_EQ(fibre.at("state"), "dead");
    EXPECT_EQ(fibre.at("reason"), "link down (netlink)");
    EXPECT_TRUE(fibre.at("since").is_string());
    EXPECT_EQ(fibre.at("rtt_ms"), 12);
    EXPECT_TRUE(fibre.at("latency_ms").is_null());
    EXPECT_EQ(fibre.at("loss"), 0.25);
    EXPECT_EQ(fibre.at("probes").at("lost"), 10);
    ASSERT_EQ(fibre.at("transitions").as_array().size(), 1u);
    EXPECT_EQ(fibre.at("transitions").at(0).at("to"), "dead");
    EXPECT_EQ(fibre.at("transitions").at(0).at("time"), fibre.at("since"));

    // A modem without a connection has no interface and no health engine yet.
    EXPECT_TRUE(wans[1].at("interface").is_null());
    EXPECT_TRUE(wans[1].at("since").is_null());
    EXPECT_TRUE(wans[1].at("rtt_ms").is_null());
    EXPECT_EQ(wans[1].at("mark"), "0x02000000");
}

// As the config file has them, for the web UI to edit.
TEST_F(RouterTest, WansAndPoliciesGiveTheirOptionsAsConfigured)
{
    auto fibre = fibre_died();
    fibre.config.interface = "eth1";
    fibre.config.track_ips = {"192.0.2.1", "198.51.100.1"};
    fibre.config.nat66 = true;
    source.wan_statuses = {fibre};
    auto wans = get("/v1/wans");
    ASSERT_EQ(wans.status, 200) << wans.error;
    EXPECT_EQ(wans.body.at(0).at("config"),
        json::parse(R"({"interface":"eth1","modem":"","track_ip":["192.0.2.1","198.51.100.1"],
            "track_method":"ping","track_port":443,"dns":[],
            "metered":false,"probe_budget_mb":50,"standby":false,"nat66":true,"share_prefix":"","enabled":true})"));

    wan::PolicyConfig balanced;
    balanced.name = "balanced";
    balanced.tiers = {{{"fibre", 3}, {"lte", 1}}, {{"backup", 1}}};
    balanced.sticky = std::chrono::seconds(600);
    wan::TrafficRule voip;
    voip.name = "voip";
    voip.source = net::parse_prefix("192.168.1.50");
    voip.destination = net::parse_prefix("2001:db8::/32");
    voip.protocol = wan::Protocol::Udp;
    voip.destination_port = wan::PortRange {5060, 5061};
    voip.policy = "balanced";
    source.settings_of_wans.policies = {balanced};
    source.settings_of_wans.rules = {voip};
    source.settings_of_wans.default_policy = "balanced";
    auto policies = get("/v1/policies");
    ASSERT_EQ(policies.status, 200) << policies.error;
    EXPECT_EQ(policies.body, json::parse(R"({"default_policy":"balanced",
        "policies":[{"name":"balanced","tier":["fibre:3 lte","backup"],"last_resort":"unreachable","sticky":600,
                     "failback":"new","implicit":false}],
        "traffic":[{"name":"voip","src_ip":"192.168.1.50","dest_ip":"2001:db8::/32","proto":"udp","src_port":"",
                    "dest_port":"5060-5061","family":"any","policy":"balanced"}]})"));
    EXPECT_EQ(request(Method::Post, "/v1/policies").status, 405);
}

TEST_F(RouterTest, WansWithoutConfigIsAnEmptyArrayAndOnlyRead)
{
    auto response = get("/v1/wans");
    ASSERT_EQ(response.status, 200);
    EXPECT_TRUE(response.body.as_array().empty());
    EXPECT_EQ(request(Method::Post, "/v1/wans").status, 405);
}

} // namespace
} // namespace uplink::api
