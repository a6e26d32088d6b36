// The harness's Process: a test fails when a program of ours does not exit 0 on SIGTERM, or
// leaves a sanitizer's report in its stderr, however it ended. Shell scripts stand in for them.
#include "harness.hpp"
#include "support/eventually.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

namespace uplink::testing {
namespace {

// A shell that runs `script`, ready once it has written "ready" to its stdout.
std::unique_ptr<Process> start_script(const TemporaryDirectory& directory, const std::string& script)
{
    auto process = std::make_unique<Process>(
        std::vector<std::string> {"sh", "-c", script}, directory.path() / "out", directory.path() / "err");
    auto ready = [&] { return process->output().find("ready") != std::string::npos; };
    EXPECT_TRUE(eventually(ready, deadline_in(10s))) << process->errors();
    return process;
}

TEST(HarnessProcess, ACleanExitOnSigtermPasses)
{
    TemporaryDirectory directory;
    auto process = start_script(directory, "trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done");
    EXPECT_EQ(process->stop(), 0);
}

TEST(HarnessProcess, ANonZeroExitOnSigtermFails)
{
    TemporaryDirectory directory;
    auto process = start_script(directory, "trap 'exit 3' TERM; echo ready; while :; do sleep 0.05; done");
    EXPECT_NONFATAL_FAILURE(process->stop(), "did not exit cleanly on SIGTERM: exit status 3");
}

TEST(HarnessProcess, DeathBySignalFails)
{
    TemporaryDirectory directory;
    auto process = start_script(directory, "echo ready; exec sleep 100");
    EXPECT_NONFATAL_FAILURE(process->stop(), "did not exit cleanly on SIGTERM: signal 15");
}

TEST(HarnessProcess, ASanitizerReportFailsEvenAfterAnExitOfItsOwn)
{
    TemporaryDirectory directory;
    EXPECT_NONFATAL_FAILURE(
        {
            auto process = start_script(directory,
                "echo '==42==ERROR: LeakSanitizer: detected memory leaks' >&2; echo ready");
            EXPECT_TRUE(process->wait(deadline_in(10s)));
            process.reset();
        },
        "ERROR: LeakSanitizer: detected memory leaks");
}

} // namespace
} // namespace uplink::testing
