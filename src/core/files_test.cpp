// The state directory's files: read without following links, and the directory's trust checked.
#include "core/core.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace uplink {
namespace {

namespace fs = std::filesystem;

class StateFiles : public ::testing::Test {
protected:
    void SetUp() override
    {
        char pattern[] = "/tmp/uplink-files-test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        directory_ = pattern;
    }
    void TearDown() override { fs::remove_all(directory_); }

    std::string file(const std::string& name, const std::string& text, mode_t mode = 0600) const
    {
        auto path = (directory_ / name).string();
        std::ofstream(path) << text;
        ::chmod(path.c_str(), mode);
        return path;
    }

    fs::path directory_;
};

TEST_F(StateFiles, ASmallFileIsReadWhole)
{
    auto read = read_small_file(file("tokens", "one\ntwo\n"), 64);
    ASSERT_TRUE(read) << read.error().message();
    ASSERT_TRUE(*read);
    EXPECT_EQ(**read, "one\ntwo\n");
    auto missing = read_small_file((directory_ / "missing").string(), 64);
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
    auto longer = read_small_file(file("long", std::string(65, 'x')), 64);
    ASSERT_FALSE(longer);
    EXPECT_EQ(longer.error(), boost::system::errc::file_too_large);
}

// A link where a state file belongs is not followed, whatever it points at.
TEST_F(StateFiles, ALinkIsNotFollowed)
{
    auto target = file("elsewhere", "planted");
    auto link = (directory_ / "admin-password").string();
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
    auto read = read_small_file(link, 64);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error(), boost::system::errc::too_many_symbolic_link_levels);
}

// A FIFO would block a plain open() until a writer came: it is refused, at once.
TEST_F(StateFiles, AFifoIsRefusedWithoutWaiting)
{
    auto fifo = (directory_ / "api-tokens").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto read = read_small_file(fifo, 64);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error(), boost::system::errc::invalid_argument);
}

TEST_F(StateFiles, APrivateDirectoryIsTrusted)
{
    file("admin-password", "hash");
    fs::create_directory(directory_ / "web");
    ::chmod((directory_ / "web").c_str(), 0700);
    file("web/key.pem", "key");
    file("usage.db", "", 0644);   // readable by others is no danger to trust
    EXPECT_EQ(untrusted_state_directory(directory_.string(), ::geteuid()), "");
}

TEST_F(StateFiles, WhatOthersCouldWriteIsNotTrusted)
{
    auto directory = directory_.string();
    ::chmod(directory.c_str(), 0777);
    EXPECT_NE(untrusted_state_directory(directory, ::geteuid()).find("is writable by every user (mode 0777)"),
              std::string::npos);
    ::chmod(directory.c_str(), 0700);
    auto tokens = file("api-tokens", "", 0620);
    EXPECT_EQ(untrusted_state_directory(directory, ::geteuid()),
              tokens + " is writable by its group (mode 0620)");
    ::chmod(tokens.c_str(), 0600);
    fs::create_directory(directory_ / "web");
    ::chmod((directory_ / "web").c_str(), 0703);
    EXPECT_NE(untrusted_state_directory(directory, ::geteuid()).find("/web is writable by every user"),
              std::string::npos);
}

TEST_F(StateFiles, AnotherUsersFileIsNotTrusted)
{
    file("admin-password", "hash");
    // The directory and its file are this user's: for any other owner, the directory is named.
    auto other = ::geteuid() + 1;
    EXPECT_NE(untrusted_state_directory(directory_.string(), other).find("belongs to user"), std::string::npos);
}

TEST_F(StateFiles, LinksAndSpecialFilesAreNotTrusted)
{
    auto link = (directory_ / "cert.pem").string();
    ASSERT_EQ(::symlink("/etc/hostname", link.c_str()), 0);
    EXPECT_EQ(untrusted_state_directory(directory_.string(), ::geteuid()), link + " is a symbolic link");
    ::unlink(link.c_str());
    auto fifo = (directory_ / "pins").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(untrusted_state_directory(directory_.string(), ::geteuid()), fifo + " is neither a file nor a directory");
}

TEST_F(StateFiles, AMissingDirectoryIsNamed)
{
    EXPECT_NE(untrusted_state_directory((directory_ / "none").string(), ::geteuid()).find("cannot read"),
              std::string::npos);
}

} // namespace
} // namespace uplink
