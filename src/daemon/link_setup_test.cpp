// What LinkSetup logs when it takes a modem's link down, and its IPv4 forwarding switch.
#include "daemon/link_setup.hpp"
#include "support/private_mounts.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace uplink::daemon {
namespace {

namespace fs = std::filesystem;

Error system_error(int number)
{
    return Error(number, boost::system::system_category());
}

Removal wwan0_removal(Result<void> route, Result<void> address, Result<void> down)
{
    return {"wwan0",
        {{"NAT", Result<void>()}, {"route 0.0.0.0/0 metric 200", route},
            {"address 100.64.0.2/30", address}, {"link down", down}}};
}

TEST(LinkSetupRemoval, EveryRemovalDoneIsInfo)
{
    auto entry = describe(wwan0_removal({}, {}, {}));
    EXPECT_EQ(entry.level, LogLevel::Info);
    EXPECT_EQ(entry.message, "wwan0: addresses and routes removed");
}

// The modem was unplugged: the kernel took the routes and addresses with the interface.
TEST(LinkSetupRemoval, WhatWentWithTheInterfaceIsNotAFailure)
{
    auto entry = describe(wwan0_removal(
        system_error(ESRCH), system_error(EADDRNOTAVAIL), system_error(ENODEV)));
    EXPECT_EQ(entry.level, LogLevel::Info) << entry.message;
}

// The link went down, but a route stayed: the old code logged "removed" here.
TEST(LinkSetupRemoval, ARouteThatStaysIsAWarningThatNamesIt)
{
    auto entry = describe(wwan0_removal(system_error(EPERM), {}, {}));
    EXPECT_EQ(entry.level, LogLevel::Warning);
    EXPECT_EQ(entry.message.find("removed"), std::string::npos) << entry.message;
    EXPECT_NE(entry.message.find("route 0.0.0.0/0 metric 200: Operation not permitted"),
        std::string::npos)
        << entry.message;
}

TEST(LinkSetupRemoval, EveryFailureIsNamed)
{
    Removal removal {"wwan1",
        {{"NAT", system_error(ENOENT)}, {"address 2001:db8::2/128", system_error(ENOBUFS)},
            {"link down", system_error(EPERM)}}};
    auto entry = describe(removal);
    EXPECT_EQ(entry.level, LogLevel::Warning);
    for (auto part : {"wwan1: ", "NAT: No such file or directory", "address 2001:db8::2/128: No buffer",
             "link down: Operation not permitted"})
        EXPECT_NE(entry.message.find(part), std::string::npos) << part << " in " << entry.message;
}

class Forwarding : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern = (fs::temp_directory_path() / "uplink-forwarding-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        directory_ = pattern;
    }
    void TearDown() override { fs::remove_all(directory_); }
    static std::string contents(const fs::path& path)
    {
        std::ifstream file(path);
        std::stringstream text;
        text << file.rdbuf();
        return text.str();
    }
    fs::path directory_;
};

TEST_F(Forwarding, WritesOne)
{
    auto path = directory_ / "ip_forward";
    std::ofstream(path) << "0\n";
    ASSERT_TRUE(enable_forwarding(path.string()));
    EXPECT_EQ(contents(path), "1\n");
}

TEST_F(Forwarding, AMissingFileIsAnErrorWithItsErrno)
{
    auto enabled = enable_forwarding((directory_ / "no-such-sysctl").string());
    ASSERT_FALSE(enabled);
    EXPECT_EQ(enabled.error(), boost::system::errc::no_such_file_or_directory);
}

// /proc/sys mounted read-only (a container): the error says so, for the warning to quote it.
TEST_F(Forwarding, AReadOnlyFileSystemIsAnError)
{
    auto path = directory_ / "ip_forward";
    std::ofstream(path) << "0\n";
    if (::geteuid() != 0) {
        ::chmod(path.c_str(), 0444);
        auto enabled = enable_forwarding(path.string());
        ASSERT_FALSE(enabled);
        EXPECT_EQ(enabled.error(), boost::system::errc::permission_denied);
        return;
    }
    auto child = uplink::testing::in_private_mounts(
        {{directory_.string(), uplink::testing::Access::ReadOnly}}, [&path] {
            auto enabled = enable_forwarding(path.string());
            return enabled ? 0 : enabled.error().value();
        });
    ASSERT_EQ(child.failure, "");
    EXPECT_EQ(child.status, EROFS);
    EXPECT_EQ(contents(path), "0\n");
}

} // namespace
} // namespace uplink::daemon
