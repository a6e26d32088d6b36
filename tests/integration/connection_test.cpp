// uplinkd's QMI data connection against uplink-sim, without root: the calls it makes and the
// errors it reports. (With root, tests/netns carries real packets through the connection.)
#include "harness.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace uplink::testing {
namespace {

namespace json = boost::json;

class ConnectionTest : public ::testing::Test {
protected:
    void start(std::string connection)
    {
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_path("ec25-test.json"));
        Daemon::Settings settings;
        settings.pin = "1234";
        settings.connection = std::move(connection);
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_, settings);
    }

    json::array bearers()
    {
        auto status = emulator_->control({{"cmd", "status"}});
        const auto& modem = status.at("modems").as_array().at(0).as_object();
        const auto* list = modem.if_contains("bearers");
        return list && list->is_array() ? list->as_array() : json::array {};
    }

    std::int64_t qmi_requests(std::string_view name)
    {
        auto counters = emulator_->control({{"cmd", "counters"}});
        const auto* by_name = counters.if_contains("qmi_requests_by_name");
        const auto* count = by_name && by_name->is_object() ? by_name->as_object().if_contains(name) : nullptr;
        return count && count->is_int64() ? count->as_int64() : 0;
    }

    json::value wait_for_connection(const std::string& what, const std::function<bool(const json::value&)>& predicate)
    {
        return daemon_->wait_for_modem("1-1", what,
            [&predicate](const json::value& modem) { return predicate(modem.at("connection")); });
    }

    TemporaryDirectory directory_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(ConnectionTest, AnUnknownApnGivesTheNetworksCauseAndNoBearer)
{
    start("\toption apn 'no.such.apn'\n");
    auto modem = wait_for_connection("the refusal", [](const json::value& connection) {
        return text(connection, "last_error").find("cause 27") != std::string::npos;
    });
    const auto& connection = modem.at("connection");
    EXPECT_EQ(text(connection, "last_error"), "ipv4: the network refused the call: 3GPP cause 27 (unknown APN)");
    EXPECT_EQ(text(connection, "state"), "disconnected");
    EXPECT_TRUE(bearers().empty());
}

// The test's own network namespace has no wwan0: the call is made, then ended again, and the
// connection says why. The bearer must not be left up in the modem.
TEST_F(ConnectionTest, ACallWhoseInterfaceIsMissingIsEndedAndExplained)
{
    start("\toption apn 'internet'\n");
    wait_for_connection("the missing interface reported", [](const json::value& connection) {
        return text(connection, "last_error").find("cannot configure wwan0") != std::string::npos;
    });
    EXPECT_GE(qmi_requests("WDS Start Network"), 1);
    EXPECT_GE(qmi_requests("WDS Stop Network"), 1);
    EXPECT_TRUE(bearers().empty());
    // The modem was asked for raw IP, and qmi_wwan switched to match, as a kernel needs.
    std::string raw_ip;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(emulator_->root() / "sys/bus/usb/devices/1-1"))
        if (entry.path().filename() == "raw_ip")
            std::ifstream(entry.path()) >> raw_ip;
    EXPECT_EQ(raw_ip, "Y");
}

TEST_F(ConnectionTest, WithoutAutoconnectNoCallIsMadeUntilConnectIsAsked)
{
    start("\toption apn 'internet'\n\toption autoconnect '0'\n");
    daemon_->wait_for_modem("1-1", "registered", [](const json::value& modem) {
        return text(modem, "state") == "registered";
    });
    EXPECT_EQ(qmi_requests("WDS Start Network"), 0);
    auto reply = daemon_->request("POST", "/v1/modems/1-1/connect");
    ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    wait_for_connection("a call attempt", [](const json::value& connection) {
        return !text(connection, "last_error").empty();
    });
    EXPECT_GE(qmi_requests("WDS Start Network"), 1);
}

} // namespace
} // namespace uplink::testing
