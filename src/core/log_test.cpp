#include "core/core.hpp"

#include <gtest/gtest.h>
#include <set>

namespace uplink {
namespace {

TEST(LogLevel, NamesRoundTrip)
{
    std::set<std::string_view> names;
    for (auto level : {LogLevel::Debug, LogLevel::Info, LogLevel::Warning, LogLevel::Error}) {
        auto name = to_string(level);
        EXPECT_NE(name, "unknown");
        EXPECT_TRUE(names.insert(name).second) << "two levels share the name " << name;
        EXPECT_EQ(log_level_from_string(name), level) << name;
    }
}

TEST(WhatOf, GivesTheMessageOfAnyException)
{
    EXPECT_EQ(what_of(nullptr), "");
    EXPECT_EQ(what_of(std::make_exception_ptr(std::runtime_error("out of descriptors"))), "out of descriptors");
    EXPECT_EQ(what_of(std::make_exception_ptr(42)), "an unknown exception");
}

TEST(LogLevel, RefusesUnknownNames)
{
    for (std::string_view text : {"", "unknown", "Info", "warn", "debug ", "5"})
        EXPECT_EQ(log_level_from_string(text), std::nullopt) << text;
}

TEST(LogLevel, ThresholdFiltersLowerLevels)
{
    set_log_level(LogLevel::Warning);
    EXPECT_FALSE(log_enabled(LogLevel::Debug));
    EXPECT_FALSE(log_enabled(LogLevel::Info));
    EXPECT_TRUE(log_enabled(LogLevel::Warning));
    EXPECT_TRUE(log_enabled(LogLevel::Error));
    set_log_level(LogLevel::Info);
}

} // namespace
} // namespace uplink
