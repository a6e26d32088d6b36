// The test main's UPLINK_REQUIRE_EVERY_TEST (main.cpp): a skip fails, quoting its reason, only
// when the variable is set.
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <sys/wait.h>

namespace {

struct Run {
    int status = -1;
    std::string output;
};

// uplink_skipping_test, built beside this binary, with `environment` prepended by the shell.
Run run_skipping_test(const std::string& environment)
{
    auto program = std::filesystem::read_symlink("/proc/self/exe").parent_path()
        / "uplink_skipping_test";
    auto command = environment + " '" + program.string() + "' 2>&1";
    Run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr)
        return run;
    char chunk[512];
    for (std::size_t size; (size = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;)
        run.output.append(chunk, size);
    int status = ::pclose(pipe);
    if (WIFEXITED(status))
        run.status = WEXITSTATUS(status);
    return run;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

TEST(TestMain, ASkipStaysASkipByDefault)
{
    auto run = run_skipping_test("env -u UPLINK_REQUIRE_EVERY_TEST");
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_TRUE(contains(run.output, "[  SKIPPED ] Environment.LacksAPeer")) << run.output;
    EXPECT_FALSE(contains(run.output, "[  FAILED  ]")) << run.output;
}

TEST(TestMain, ASkipFailsWithItsReasonWhenEveryTestIsRequired)
{
    auto run = run_skipping_test("UPLINK_REQUIRE_EVERY_TEST=1");
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_TRUE(contains(run.output, "[  FAILED  ] Environment.LacksAPeer")) << run.output;
    EXPECT_TRUE(contains(run.output, "UPLINK_REQUIRE_EVERY_TEST is set")) << run.output;
    EXPECT_TRUE(contains(run.output, "needs a peer this machine lacks")) << run.output;
    // ctest's SKIP_REGULAR_EXPRESSION (from gtest_discover_tests) would win over the failure.
    EXPECT_FALSE(contains(run.output, "[  SKIPPED ]")) << run.output;
}

TEST(TestMain, ZeroMeansNotRequired)
{
    auto run = run_skipping_test("UPLINK_REQUIRE_EVERY_TEST=0");
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_TRUE(contains(run.output, "[  SKIPPED ] Environment.LacksAPeer")) << run.output;
}

} // namespace
