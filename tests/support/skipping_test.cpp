// Run by test_support_test only (not registered with ctest): a test that skips, with its reason.
#include <gtest/gtest.h>

TEST(Environment, LacksAPeer)
{
    GTEST_SKIP() << "needs a peer this machine lacks";
}
