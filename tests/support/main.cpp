// The main() of every GoogleTest binary (uplink_test in cmake/uplink.cmake).
//
// With UPLINK_REQUIRE_EVERY_TEST=1 in the environment (scripts/test sets it: it runs as root with
// every peer installed), a skipped test fails, quoting why it skipped. A skip there means a broken
// environment, and ctest would count it as neither a pass nor a failure. ctest's own
// SKIP_REGULAR_EXPRESSION, which gtest_discover_tests() sets, wins over a FAIL_REGULAR_EXPRESSION,
// so the failure has to come from the test binary. Without the variable a skip stays a skip: a
// developer without root runs the tiers that need none.
#include <cstdlib>
#include <gtest/gtest.h>
#include <string>
#include <string_view>

namespace {

class SkipIsAFailure : public ::testing::EmptyTestEventListener {
    // Runs before the default printer's OnTestEnd (gtest calls OnTestEnd in reverse order of
    // the listeners), so the test's line reads FAILED, not SKIPPED.
    void OnTestEnd(const ::testing::TestInfo& test) override
    {
        const auto* result = test.result();
        if (!result->Skipped())
            return;
        std::string reasons;
        for (int i = 0; i < result->total_part_count(); ++i) {
            const auto& part = result->GetTestPartResult(i);
            if (part.skipped())
                reasons += std::string(reasons.empty() ? "" : "; ") + part.message();
        }
        ADD_FAILURE() << "skipped, but UPLINK_REQUIRE_EVERY_TEST is set (every test must run "
                         "here): "
                      << (reasons.empty() ? "no reason given" : reasons);
    }
};

bool every_test_required()
{
    const char* value = std::getenv("UPLINK_REQUIRE_EVERY_TEST");
    return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

} // namespace

int main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    if (every_test_required())
        ::testing::UnitTest::GetInstance()->listeners().Append(new SkipIsAFailure);
    return RUN_ALL_TESTS();
}
