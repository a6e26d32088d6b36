// uplinkd's config file and OpenWrt's own `uci` (built from third_party/openwrt by
// scripts/openwrt-userspace) on the same file: uci reads what uplinkd saves, and uplinkd reads
// what `uci set` + `uci commit` wrote, as on a router where LuCI, scripts and uplinkd share it.
#include "harness.hpp"
#include "support/eventually.hpp"

#include <gtest/gtest.h>

#include "sim/tests/namespaces.hpp"

#include <fstream>
#include <iterator>
#include <signal.h>

namespace uplink::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

fs::path uci_binary()
{
    return openwrt_prefix() / "bin/uci";
}

// A section with a person's notes, which an edit through the API keeps (docs/config-syntax.md).
constexpr const char* wired_wan = "# The fibre line: the ISP's router in bridge mode.\n"
                                  "config wan 'fibre'\n\toption interface 'eth1'  # the port by the door\n";

std::string file_text(const fs::path& path)
{
    std::ifstream file(path);
    return {std::istreambuf_iterator<char>(file), {}};
}

class UciTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(fs::exists(uci_binary())) << "no " << uci_binary().string()
            << ": run scripts/openwrt-userspace (scripts/deps does); this test must run, so this is a failure";
        emulator_ = std::make_unique<Emulator>(directory_.path() / "sim", scenario_path("ec25-test.json"));
        daemon_ = std::make_unique<Daemon>(directory_.path() / "daemon", *emulator_,
            Daemon::Settings {.pin = "1234", .extra_config = wired_wan});
        fs::create_directories(directory_.path() / "uci-save");
    }

    // `uci ARGUMENTS` on uplinkd's file, with its pending changes kept apart from /tmp/.uci.
    std::string uci(const std::string& arguments, int expected_status = 0)
    {
        auto result = sim::testing::run_command(uci_binary().string() + " -c " + daemon_->config().parent_path().string()
            + " -t " + (directory_.path() / "uci-save").string() + " " + arguments);
        EXPECT_EQ(result.status, expected_status) << "uci " << arguments << ": " << result.output;
        auto output = result.output;
        if (!output.empty() && output.back() == '\n')
            output.pop_back();
        return output;
    }

    void save(const std::string& path, std::string_view body)
    {
        auto reply = daemon_->request("POST", path, json::parse(body));
        ASSERT_EQ(reply.at("status").as_int64(), 200) << json::serialize(reply);
    }

    json::object profile(const std::string& name)
    {
        auto profiles = daemon_->get("/v1/profiles");
        for (const auto& profile : profiles.at("profiles").as_array())
            if (profile.at("name").as_string() == name)
                return profile.as_object();
        return {};
    }

    TemporaryDirectory directory_;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(UciTest, UciReadsWhatUplinkdSaves)
{
    save("/v1/profiles/work", R"({"options":{"apn":"it's.example","mtu":1400,"lte_bands":"3 7 20"},"preview":false})");
    save("/v1/wans/fibre", R"({"options":{"track_ip":["192.0.2.1","198.51.100.1"]},"preview":false})");
    EXPECT_EQ(uci("get uplink.work"), "profile");
    EXPECT_EQ(uci("get uplink.work.apn"), "it's.example");
    EXPECT_EQ(uci("get uplink.work.mtu"), "1400");
    EXPECT_EQ(uci("get uplink.work.lte_bands"), "3 7 20");
    EXPECT_EQ(uci("get uplink.fibre.interface"), "eth1");
    EXPECT_EQ(uci("get uplink.fibre.track_ip"), "192.0.2.1 198.51.100.1");
    EXPECT_EQ(uci("get uplink.main.poll_interval"), "1");
    // The PIN is in the file, for root alone, and uci reads it as any option.
    EXPECT_EQ(uci("get uplink.@profile[0].pin"), "1234");
    // The person's notes are still there, where they were.
    EXPECT_NE(file_text(daemon_->config()).find("# The fibre line: the ISP's router in bridge mode.\n"
                                                "config wan 'fibre'\n\toption interface 'eth1'  # the port by the door\n"),
        std::string::npos) << file_text(daemon_->config());
}

TEST_F(UciTest, UplinkdReadsWhatUciCommits)
{
    uci("set uplink.work=profile");
    uci("set uplink.work.apn=from.uci");
    uci("set uplink.work.ip_family=ipv4v6");
    uci("add_list uplink.fibre.track_ip=203.0.113.1");
    uci("add_list uplink.fibre.track_ip=192.0.2.1");
    uci("commit uplink");
    ASSERT_EQ(::kill(daemon_->process().pid(), SIGHUP), 0);
    json::object work;
    EXPECT_TRUE(eventually([&] { return !(work = profile("work")).empty(); }, deadline_in(10s)))
        << "uplinkd did not reload: " << daemon_->process().errors();
    EXPECT_EQ(text(work, "apn"), "from.uci");
    EXPECT_EQ(text(work, "ip_family"), "ipv4v6");
    json::value fibre;
    auto wans = daemon_->get("/v1/wans");
    for (const auto& wan : wans.as_array())
        if (text(wan, "name") == "fibre")
            fibre = wan;
    ASSERT_TRUE(fibre.is_object());
    EXPECT_EQ(json::serialize(fibre.at("config").at("track_ip")), R"(["203.0.113.1","192.0.2.1"])");
}

} // namespace
} // namespace uplink::testing
