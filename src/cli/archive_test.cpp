// The debug archive against the real `tar` (GNU tar, or any POSIX one): what it extracts is what
// was put in, and the ustar header has the fields POSIX defines.
#include "cli/archive.hpp"
#include "cli/bundle.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sstream>
#include <sys/stat.h>

namespace uplink::cli {
namespace {

namespace fs = std::filesystem;

const auto example_time = std::chrono::system_clock::time_point(std::chrono::seconds(1764547200));

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

class Directory {
public:
    Directory()
    {
        std::string pattern = (fs::temp_directory_path() / "uplink-archive-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~Directory() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

TEST(TarArchive, TheHeaderHasTheUstarFields)
{
    auto archive = tar_archive({{"bundle/a.txt", "hello"}}, example_time);
    ASSERT_EQ(archive.size(), 10240u); // one record: header, a data block, two zero blocks, padding
    auto header = archive.substr(0, 512);
    EXPECT_EQ(header.substr(0, 13), std::string("bundle/a.txt\0", 13));
    EXPECT_EQ(header.substr(100, 8), std::string("0000644\0", 8));
    EXPECT_EQ(header.substr(124, 12), std::string("00000000005\0", 12));
    EXPECT_EQ(header.substr(136, 12), std::string("15113155200\0", 12)); // 1764547200 in octal
    EXPECT_EQ(header[156], '0');
    EXPECT_EQ(header.substr(257, 8),
        std::string("ustar\0"
                    "00",
            8));
    unsigned sum = 0;
    for (std::size_t index = 0; index < header.size(); ++index)
        sum += index >= 148 && index < 156 ? ' ' : static_cast<unsigned char>(header[index]);
    EXPECT_EQ(std::strtoul(header.substr(148, 7).c_str(), nullptr, 8), sum);
    EXPECT_EQ(archive.substr(512, 6), std::string("hello\0", 6));
    EXPECT_EQ(archive.find_first_not_of('\0', 517), std::string::npos);
}

TEST(TarArchive, TheRealTarExtractsWhatWasPutIn)
{
    Directory directory;
    std::string large(70000, 'x'); // several blocks, not a whole number of them
    large += "end";
    auto path = (directory.path() / "b.tar.gz").string();
    auto archive = gzip(tar_archive(
        {{"d/empty.txt", ""}, {"d/large.txt", large}, {"d/one.txt", "1\n"}}, example_time));
    ASSERT_TRUE(archive);
    ASSERT_TRUE(write_file_replacing(path, *archive));
    // GNU tar itself, run without a shell.
    auto target = directory.path().string();
    const char* argv[] = {"tar", "-xzf", path.c_str(), "-C", target.c_str(), nullptr};
    pid_t pid = -1;
    ASSERT_EQ(::posix_spawnp(&pid, "tar", nullptr, nullptr, const_cast<char* const*>(argv), environ), 0);
    int status = -1;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "tar -xzf " << path << ": status " << status;
    EXPECT_EQ(read_file(directory.path() / "d/empty.txt"), "");
    EXPECT_EQ(read_file(directory.path() / "d/large.txt"), large);
    EXPECT_EQ(read_file(directory.path() / "d/one.txt"), "1\n");
}

TEST(TarArchive, AWrittenFileReplacesTheOldOneAndIsPrivate)
{
    Directory directory;
    auto path = (directory.path() / "b.tar.gz").string();
    ASSERT_TRUE(write_file_replacing(path, "old"));
    ASSERT_TRUE(write_file_replacing(path, "new"));
    EXPECT_EQ(read_file(path), "new");
    struct stat status { };
    ASSERT_EQ(::stat(path.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u); // it holds the IMEI, ICCID and IMSI
    EXPECT_EQ(std::distance(fs::directory_iterator(directory.path()), fs::directory_iterator()), 1);
    auto failed = write_file_replacing((directory.path() / "no/such/dir/b.tar.gz").string(), "x");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error(), boost::system::errc::no_such_file_or_directory);
}

TEST(DebugBundle, OneDirectoryOfReadableFiles)
{
    auto debug = boost::json::parse(
        R"json({"uplink_version":"0.1.0","generated":"2025-12-01T00:00:00.000Z",
        "modem":{"id":"1-1.2","wan":"wan1","state":"registered","identity":{"model":"EC25"},
            "device":{"usb_path":"1-1.2","ports":[{"name":"ttyUSB2","device_path":"/dev/ttyUSB2","role":"at",
            "interface":2,"driver":"option"}]}},
        "profile":{"name":"home","password_set":true,"pin_set":true},"rule":null,
        "events":[{"kind":"added","modem_id":"1-1.2","message":"Quectel EC25","time":"2025-12-01T00:00:00.000Z"}],
        "dialogue":[{"time":"2025-12-01T00:00:00.000Z","port":"ttyUSB2","direction":">","text":"AT+CPIN=***"}]})json");
    auto files = bundle_files(debug);
    std::map<std::string, std::string> by_name;
    for (auto& file : files)
        by_name[file.name] = file.content;
    for (const auto* name : {"README.txt", "modem.txt", "modem.json", "profile.json", "usb.txt",
             "events.txt", "dialogue.txt"})
        EXPECT_TRUE(by_name.contains(std::string("uplink-debug-1-1.2/") + name)) << name;
    EXPECT_EQ(by_name.size(), 7u);
    const auto& prefix = "uplink-debug-1-1.2/";
    EXPECT_EQ(by_name[prefix + std::string("dialogue.txt")],
        "2025-12-01T00:00:00.000Z  ttyUSB2  >  AT+CPIN=***\n");
    EXPECT_NE(by_name[prefix + std::string("usb.txt")].find(
                  "ttyUSB2  at  /dev/ttyUSB2  interface 2  option"),
        std::string::npos)
        << by_name[prefix + std::string("usb.txt")];
    EXPECT_EQ(boost::json::parse(by_name[prefix + std::string("profile.json")]),
        boost::json::parse(
            R"({"profile":{"name":"home","password_set":true,"pin_set":true},"rule":null})"));
    EXPECT_EQ(boost::json::parse(by_name[prefix + std::string("modem.json")]), debug.at("modem"));
    EXPECT_NE(by_name[prefix + std::string("README.txt")].find(
                  "modem 1-1.2 (wan1), made by uplinkd 0.1.0"),
        std::string::npos);
    // An id the daemon should never send still makes one safe directory name.
    debug.at("modem").as_object()["id"] = "../x y";
    EXPECT_EQ(bundle_files(debug).front().name, "uplink-debug-.._x_y/README.txt");
}

} // namespace
} // namespace uplink::cli
