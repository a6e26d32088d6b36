// For netns tests (root): a network namespace of a test's own, made by unshare(CLONE_NEWNET) on a
// thread, which affects that thread alone. It holds nothing but what
// the test creates (loopback and the test's links), and the kernel destroys it with everything
// in it when the thread ends and its sockets close, however the test ended.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <sched.h>
#include <string>
#include <thread>

namespace uplink::test_support {

// capability.h: CAP_NET_ADMIN for rtnetlink and nf_tables changes, CAP_SYS_ADMIN for
// unshare(CLONE_NEWNET) and setns().
constexpr int cap_net_admin = 12;
constexpr int cap_sys_admin = 21;

inline std::uint64_t effective_capabilities()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("CapEff:", 0) == 0)
            return std::stoull(line.substr(7), nullptr, 16);
    return 0;
}

// Empty when a private namespace can be made here, else why not.
inline std::string namespace_unavailable()
{
    auto capabilities = effective_capabilities();
    if (!(capabilities & (std::uint64_t {1} << cap_net_admin)))
        return "needs CAP_NET_ADMIN (run as root)";
    if (!(capabilities & (std::uint64_t {1} << cap_sys_admin)))
        return "needs CAP_SYS_ADMIN for unshare(CLONE_NEWNET)";
    int error = 0;
    std::thread probe([&error] {
        if (::unshare(CLONE_NEWNET) != 0)
            error = errno;
    });
    probe.join();
    if (error != 0)
        return std::string("unshare(CLONE_NEWNET) fails: ") + std::strerror(error);
    return {};
}

// Runs `body` on a thread that has moved into a new, empty network namespace.
inline void in_private_namespace(const std::function<void()>& body)
{
    std::thread thread([&body] {
        if (::unshare(CLONE_NEWNET) != 0) {
            ADD_FAILURE() << "unshare(CLONE_NEWNET): " << std::strerror(errno);
            return;
        }
        body();
    });
    thread.join();
}

// The fixture of a suite whose tests each run in_private_namespace(): skipped where none can be
// made (a failure in CI, where UPLINK_REQUIRE_EVERY_TEST is set).
class PrivateNamespaceTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (auto reason = namespace_unavailable(); !reason.empty())
            GTEST_SKIP() << "netns test skipped: " << reason;
    }
};

} // namespace uplink::test_support
