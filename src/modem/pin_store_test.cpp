#include "modem/pin_store.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/stat.h>

namespace uplink::modem {
namespace {

constexpr std::string_view iccid = "89440000000000001234";

class ModemPinStore : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern
            = (std::filesystem::temp_directory_path() / "uplink-pins-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        directory_ = pattern;
        path_
            = (directory_ / "state" / "pin-failures").string(); // the state dir does not exist yet
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    std::string contents() const
    {
        std::ifstream file(path_);
        std::stringstream text;
        text << file.rdbuf();
        return text.str();
    }

    std::filesystem::path directory_;
    std::string path_;
};

TEST_F(ModemPinStore, NoFileMeansNoRecord)
{
    PinFailureStore store(path_);
    auto record = store.lookup(iccid, "1234");
    ASSERT_TRUE(record);
    EXPECT_EQ(*record, PinRecord::None);
}

TEST_F(ModemPinStore, ARefusedPinIsRememberedAcrossInstancesAndNotStoredInClear)
{
    ASSERT_TRUE(PinFailureStore(path_).record_refused(iccid, "0000"));
    PinFailureStore reloaded(path_); // a daemon restart
    EXPECT_EQ(*reloaded.lookup(iccid, "0000"), PinRecord::Refused);
    EXPECT_EQ(*reloaded.lookup(iccid, "1234"), PinRecord::None); // another PIN may be tried
    EXPECT_EQ(
        *reloaded.lookup("89440000000000009999", "0000"), PinRecord::None); // on another SIM too
    auto text = contents();
    EXPECT_NE(text.find(std::string(iccid)), std::string::npos);
    EXPECT_EQ(text.find(" 0000"), std::string::npos) << text;
    struct stat status { };
    ASSERT_EQ(::stat(path_.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600);
    EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(ModemPinStore, AnAttemptWithoutAnAnswerStaysUntilTheOutcomeIsKnown)
{
    PinFailureStore store(path_);
    ASSERT_TRUE(store.record_attempt(iccid, "1234"));
    EXPECT_EQ(*PinFailureStore(path_).lookup(iccid, "1234"), PinRecord::Interrupted);
    ASSERT_TRUE(store.record_accepted(iccid, "1234"));
    EXPECT_EQ(*store.lookup(iccid, "1234"), PinRecord::None);
    ASSERT_TRUE(store.record_attempt(iccid, "0000"));
    ASSERT_TRUE(store.record_refused(iccid, "0000"));
    EXPECT_EQ(*store.lookup(iccid, "0000"), PinRecord::Refused);
}

TEST_F(ModemPinStore, RecordsOfSeveralSimsAreKeptApart)
{
    PinFailureStore store(path_);
    ASSERT_TRUE(store.record_refused(iccid, "0000"));
    ASSERT_TRUE(store.record_refused("imei:867698040000001", "1111"));
    ASSERT_TRUE(store.record_accepted("89440000000000009999", "0000")); // no record to drop
    EXPECT_EQ(*store.lookup(iccid, "0000"), PinRecord::Refused);
    EXPECT_EQ(*store.lookup("imei:867698040000001", "1111"), PinRecord::Refused);
    EXPECT_EQ(*store.lookup("imei:867698040000001", "0000"), PinRecord::None);
}

// Safety first: an unreadable record is never "no record" (which would allow a retry).
TEST_F(ModemPinStore, ACorruptFileIsAnErrorThatNamesTheLine)
{
    ASSERT_TRUE(PinFailureStore(path_).record_refused(iccid, "0000"));
    std::ofstream(path_, std::ios::app) << "89440000000000001234 refused nothex\n";
    PinFailureStore store(path_);
    std::string problem;
    auto record = store.lookup(iccid, "0000", &problem);
    ASSERT_FALSE(record);
    EXPECT_EQ(record.error(), Errc::PinStoreUnreadable);
    EXPECT_NE(problem.find(path_ + ":6:"), std::string::npos) << problem;
    // And nothing is written over it: the administrator's evidence stays.
    EXPECT_FALSE(store.record_refused(iccid, "1111"));
    EXPECT_NE(contents().find("nothex"), std::string::npos);
}

TEST_F(ModemPinStore, AFileWithoutTheHeaderIsCorrupt)
{
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    std::ofstream(path_) << "1234\n";
    std::string problem;
    auto record = PinFailureStore(path_).lookup(iccid, "1234", &problem);
    ASSERT_FALSE(record);
    EXPECT_NE(problem.find("expected 'uplink-pin-failures 1'"), std::string::npos) << problem;
}

TEST_F(ModemPinStore, AnUnknownStateIsCorrupt)
{
    ASSERT_TRUE(PinFailureStore(path_).record_refused(iccid, "0000"));
    auto text = contents();
    text.replace(text.find(" refused "), 9, " maybe ");
    std::ofstream(path_) << text;
    std::string problem;
    EXPECT_FALSE(PinFailureStore(path_).lookup(iccid, "0000", &problem));
    EXPECT_NE(problem.find("unknown state 'maybe'"), std::string::npos) << problem;
}

TEST_F(ModemPinStore, AnUnwritableStateDirIsAnError)
{
    std::filesystem::create_directories(directory_ / "state");
    std::ofstream(directory_ / "file") << "x";
    PinFailureStore store(
        (directory_ / "file" / "pin-failures").string()); // a file where a directory should be
    EXPECT_FALSE(store.record_attempt(iccid, "1234"));
}

TEST(ModemPinFailuresFile, ParsesWhatItWrites)
{
    const std::vector<PinFailureLine> lines {
        {std::string(iccid), PinRecord::Refused, std::string(32, 'a'), std::string(64, 'b')},
        {"imei:861234567890123", PinRecord::Interrupted, std::string(32, 'c'),
            std::string(64, 'd')},
    };
    std::string problem;
    auto text = pin_failures_text(lines);
    EXPECT_EQ(parse_pin_failures(text, "pins", &problem).value(), lines) << problem;
    EXPECT_FALSE(parse_pin_failures(text + "x refused 00 11\n", "pins", &problem));
    EXPECT_NE(problem.find("pins:7: salt or hash"), std::string::npos) << problem;
}

TEST(ModemPinFailuresFile, ASimThatWouldBeWrittenAsACommentIsCorrupt)
{
    // modem_state_files_fuzz's rewrite check failed on this: an indented line's SIM "#x" was read,
    // then written back as "#x refused ...", a comment, so the next read forgot the refusal.
    auto text = "uplink-pin-failures 1\n #x refused " + std::string(32, 'a') + " "
        + std::string(64, 'b') + "\n";
    std::string problem;
    EXPECT_FALSE(parse_pin_failures(text, "pins", &problem));
    EXPECT_NE(problem.find("pins:2: a SIM that starts with '#'"), std::string::npos) << problem;
}

} // namespace
} // namespace uplink::modem
