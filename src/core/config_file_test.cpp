#include "core/config_test_schema.hpp"
#include "core/core.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace uplink {
namespace {

namespace fs = std::filesystem;
using config_testing::test_schema;

constexpr const char* sample = "config globals\n"
                               "\toption poll_interval '30'\n"
                               "\n"
                               "config modem 'wan1'\n"
                               "\toption device '/dev/cdc-wdm0'\n"
                               "\toption pin '1234'\n";

// Each test works in its own fresh directory, removed afterwards.
class ConfigFile : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto base = fs::temp_directory_path() / "uplink-config-test-XXXXXX";
        std::string pattern = base.string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        directory_ = pattern;
        path_ = (directory_ / "uplink").string();
    }

    void TearDown() override
    {
        std::error_code ignored;
        fs::permissions(directory_, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(directory_, ignored);
    }

    static void write(const std::string& path, const std::string& text, mode_t mode)
    {
        std::ofstream(path, std::ios::binary) << text;
        ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    }

    static std::string read(const std::string& path)
    {
        std::ifstream file(path, std::ios::binary);
        std::stringstream text;
        text << file.rdbuf();
        return text.str();
    }

    static mode_t mode_of(const std::string& path)
    {
        struct stat status { };
        EXPECT_EQ(::stat(path.c_str(), &status), 0);
        return status.st_mode & 07777;
    }

    std::vector<std::string> entries() const
    {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(directory_))
            names.push_back(entry.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

    Config sample_config()
    {
        std::vector<ConfigDiagnostic> diagnostics;
        auto config = Config::parse(sample, test_schema(), diagnostics);
        EXPECT_TRUE(config);
        return config ? *config : Config();
    }

    fs::path directory_;
    std::string path_;
};

TEST_F(ConfigFile, LoadsAFile)
{
    write(path_, sample, 0600);
    std::vector<ConfigDiagnostic> diagnostics;
    auto config = Config::load(path_, test_schema(), diagnostics);
    ASSERT_TRUE(config);
    EXPECT_EQ(config->serialize(), sample);
}

TEST_F(ConfigFile, LoadGivesTheLineOfAProblem)
{
    write(path_, "config globals\n\toption poll_interval 0\n", 0600);
    std::vector<ConfigDiagnostic> diagnostics;
    auto config = Config::load(path_, test_schema(), diagnostics);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error(), make_error_code(ConfigErrc::BadValue));
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_EQ(
        to_string(diagnostics[0]), "line 2: option 'poll_interval': 0 is below the minimum 1");
}

TEST_F(ConfigFile, LoadOfAMissingFileIsAnIoErrorNamingThePath)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto config = Config::load(path_, test_schema(), diagnostics);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error(), make_error_code(ConfigErrc::Io));
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_EQ(diagnostics[0].line, 0);
    EXPECT_EQ(diagnostics[0].message, "cannot read " + path_ + ": No such file or directory");
}

TEST_F(ConfigFile, LoadOfADirectoryIsAnIoError)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto config = Config::load(directory_.string(), test_schema(), diagnostics);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error(), make_error_code(ConfigErrc::Io));
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_EQ(
        diagnostics[0].message, "cannot read " + directory_.string() + ": not a regular file");
}

TEST_F(ConfigFile, LoadRefusesAHugeFile)
{
    write(path_, std::string(std::size_t {2} * 1024 * 1024, '#'), 0600);
    std::vector<ConfigDiagnostic> diagnostics;
    auto config = Config::load(path_, test_schema(), diagnostics);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error(), make_error_code(ConfigErrc::Io));
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_EQ(diagnostics[0].message.rfind("cannot read " + path_ + ": larger than", 0), 0u)
        << diagnostics[0].message;
}

TEST_F(ConfigFile, SaveCreatesAPrivateFile)
{
    auto config = sample_config();
    ASSERT_TRUE(config.save(path_));
    EXPECT_EQ(read(path_), sample);
    EXPECT_EQ(mode_of(path_), 0600u); // it holds PINs
    EXPECT_EQ(entries(), std::vector<std::string> {"uplink"});
}

TEST_F(ConfigFile, ANewFileMayBeMadeReadableByAll)
{
    ASSERT_TRUE(write_file_atomically(path_, "nameserver 192.0.2.53\n", 0644));
    EXPECT_EQ(mode_of(path_), 0644u);
    // A file that is there keeps its mode, whatever a new one would get.
    ASSERT_TRUE(fs::remove(path_));
    ASSERT_TRUE(write_file_atomically(path_, "one\n"));
    ASSERT_TRUE(write_file_atomically(path_, "two\n", 0644));
    EXPECT_EQ(mode_of(path_), 0600u);
    EXPECT_EQ(read(path_), "two\n");
}

TEST_F(ConfigFile, SaveReplacesTheFileAndKeepsItsMode)
{
    for (mode_t mode : {0644u, 0640u, 0600u, 0400u}) {
        SCOPED_TRACE(mode);
        write(path_, "# the old file\n", mode);
        auto config = sample_config();
        ASSERT_TRUE(config.save(path_));
        EXPECT_EQ(read(path_), sample);
        EXPECT_EQ(mode_of(path_), mode);
        EXPECT_EQ(entries(), std::vector<std::string> {"uplink"}); // no temp file left
    }
}

TEST_F(ConfigFile, SaveWithARelativePath)
{
    auto previous = fs::current_path();
    fs::current_path(directory_);
    auto saved = sample_config().save("uplink");
    fs::current_path(previous);
    ASSERT_TRUE(saved) << saved.error().message();
    EXPECT_EQ(read(path_), sample);
}

TEST_F(ConfigFile, SaveThenLoadGivesTheSameConfig)
{
    auto config = sample_config();
    std::vector<ConfigDiagnostic> diagnostics;
    ASSERT_TRUE(config.set("modem", "wan1", "apn", "it's \"quoted\" \\ here", diagnostics));
    ASSERT_TRUE(config.save(path_));
    auto loaded = Config::load(path_, test_schema(), diagnostics);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->serialize(), config.serialize());
    EXPECT_EQ(loaded->get(*loaded->section("modem", "wan1"), "apn"), "it's \"quoted\" \\ here");
}

TEST_F(ConfigFile, SaveIntoAMissingDirectoryFails)
{
    auto path = (directory_ / "missing" / "uplink").string();
    auto saved = sample_config().save(path);
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error(), Error(ENOENT, boost::system::system_category()));
    EXPECT_TRUE(entries().empty());
}

// rename(2) cannot put a file over a directory: the failure comes after the temp file is
// written, so this checks that it is removed and the target left alone.
TEST_F(ConfigFile, FailedRenameRemovesTheTempFile)
{
    fs::create_directory(path_);
    auto saved = sample_config().save(path_);
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error(), Error(EISDIR, boost::system::system_category()));
    EXPECT_TRUE(fs::is_directory(path_));
    EXPECT_EQ(entries(), std::vector<std::string> {"uplink"});
}

// Root writes into any directory, so as root the save runs in a child that has become nobody.
// Nothing when the child cannot become nobody.
std::optional<Error> save_as_unprivileged_user(const Config& config, const std::string& path)
{
    if (::geteuid() != 0) {
        auto saved = config.save(path);
        return saved ? Error() : saved.error();
    }
    constexpr uid_t nobody = 65534;
    auto child = ::fork();
    if (child == 0) {
        if (::setgid(nobody) != 0 || ::setuid(nobody) != 0)
            ::_exit(255);
        auto saved = config.save(path);
        ::_exit(saved ? 0 : saved.error().value());
    }
    int status = 0;
    EXPECT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 255)
        return std::nullopt;
    return Error(WEXITSTATUS(status), boost::system::system_category());
}

TEST_F(ConfigFile, SaveIntoAReadOnlyDirectoryFailsAndKeepsTheOriginal)
{
    write(path_, "# the old file\n", 0644);
    fs::permissions(directory_,
        fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read
            | fs::perms::others_exec);
    auto error = save_as_unprivileged_user(sample_config(), path_);
    fs::permissions(directory_, fs::perms::owner_all);
    // Root without CAP_SETUID (a restricted container) is a broken test environment, not a pass.
    ASSERT_TRUE(error) << "running as root without the right to become nobody (setuid)";
    EXPECT_EQ(*error, Error(EACCES, boost::system::system_category()));
    EXPECT_EQ(read(path_), "# the old file\n");
    EXPECT_EQ(entries(), std::vector<std::string> {"uplink"});
}

} // namespace
} // namespace uplink
