// For auth's tests: a clock the test moves, a temporary state directory, and cheap KDF settings.
#pragma once

#include "auth/auth.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/stat.h>

namespace uplink::auth::testing {

// Time stands still until the test moves it.
struct ManualClock {
    Clock::time_point now = Clock::time_point(std::chrono::hours(1000));
    void advance(Clock::duration by) { now += by; }
    TimeSource source()
    {
        return [this] { return now; };
    }
};

struct ManualWallClock {
    WallClock::time_point now = WallClock::time_point(std::chrono::seconds(1'700'000'000));
    void advance(WallClock::duration by) { now += by; }
    WallTimeSource source()
    {
        return [this] { return now; };
    }
};

// The lowest cost the stored-line bounds accept: the tests check rules, not the KDF's strength.
inline constexpr KdfParameters cheap_kdf {10, 8, 1};

class StateDirectory : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern
            = (std::filesystem::temp_directory_path() / "uplink-auth-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        directory_ = pattern;
        state_dir_ = (directory_ / "state").string(); // does not exist yet, as on a first start
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    std::string path_of(std::string_view name) const
    {
        return state_dir_ + "/" + std::string(name);
    }

    static std::string contents(const std::string& path)
    {
        std::ifstream file(path);
        std::stringstream text;
        text << file.rdbuf();
        return text.str();
    }

    static void write(const std::string& path, std::string_view text)
    {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    }

    static unsigned mode_of(const std::string& path)
    {
        struct stat status { };
        if (::stat(path.c_str(), &status) != 0)
            return 0;
        return status.st_mode & 07777;
    }

    std::filesystem::path directory_;
    std::string state_dir_;
};

} // namespace uplink::auth::testing
