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

TEST_F(RouterTest, WansWithoutConfigIsAnEmptyArrayAndOnlyRead)
{
    auto response = get("/v1/wans");
    ASSERT_EQ(response.status, 200);
    EXPECT_TRUE(response.body.as_array().empty());
    EXPECT_EQ(request(Method::Post, "/v1/wans").status, 405);
}

} // namespace
} // namespace uplink::api
