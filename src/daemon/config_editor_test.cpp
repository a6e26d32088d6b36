#include "daemon/config_editor.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace uplink::daemon {
namespace {

class ConfigEditorTest : public ::testing::Test {
protected:
    ConfigEditorTest()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "uplink-editor-XXXXXX").string();
        directory_ = ::mkdtemp(pattern.data());
        path_ = directory_ + "/uplink";
        options_.state_dir = directory_ + "/state";
    }
    ~ConfigEditorTest() override { std::filesystem::remove_all(directory_); }

    std::string text() const
    {
        std::ifstream file(path_);
        std::stringstream content;
        content << file.rdbuf();
        return content.str();
    }

    Result<api::ConfigEditOutcome> edit(api::ConfigEdit change)
    {
        return editor().edit(change, Settings {});
    }

    // Against the defaults running, as an uplinkd started without a file runs.
    Result<api::ConfigEditOutcome> restore(std::string text, api::ConfigEdit::Mode mode)
    {
        std::vector<ConfigDiagnostic> diagnostics;
        auto running = parse_settings("", diagnostics);
        EXPECT_TRUE(running);
        return editor().restore({std::move(text), mode}, *running);
    }

    ConfigEditor editor()
    {
        return ConfigEditor(path_, manager_, [this](Settings settings, std::vector<std::string> changed) {
            applied_.push_back(std::move(settings));
            changes_.push_back(std::move(changed));
        });
    }

    static api::ConfigEdit set(std::string type, std::string name, std::map<std::string, std::string> options,
        api::ConfigEdit::Mode mode = api::ConfigEdit::Mode::Apply, api::SecretAccess secrets = api::SecretAccess::Full)
    {
        return {std::move(type), std::move(name), api::ConfigEdit::Kind::Set, mode, std::move(options), secrets};
    }

    std::string directory_, path_;
    boost::asio::io_context context_;
    modem::Options options_;
    modem::Manager manager_ {context_.get_executor(), options_};   // no modems: empty previews
    std::vector<Settings> applied_;
    std::vector<std::vector<std::string>> changes_;
};

// The network file is read at load and reload: an edit of uplink's own file keeps the modems
// netifd has as they run, unless it points uplinkd at another network file.
TEST_F(ConfigEditorTest, AnEditKeepsTheNetifdModemsUnlessItNamesAnotherNetworkFile)
{
    std::ofstream(path_) << "config profile 'home'\n\toption apn 'old'\n";
    std::ofstream(directory_ + "/network") << "config interface 'wwan'\n\toption proto 'uplink'\n\toption modem 'wan2'\n";
    std::vector<ConfigDiagnostic> diagnostics;
    auto running = parse_settings("", diagnostics);
    ASSERT_TRUE(running);
    running->modem.netifd_modems = {"wan1"};
    ASSERT_TRUE(editor().edit(set("profile", "home", {{"apn", "new"}}), *running));
    ASSERT_EQ(applied_.size(), 1u);
    EXPECT_EQ(applied_.back().modem.netifd_modems, (std::vector<std::string> {"wan1"}));

    auto pointed = "config uplink\n\toption netifd_network '" + directory_ + "/network'\n";
    ASSERT_TRUE(editor().restore({pointed, api::ConfigEdit::Mode::Apply}, *running));
    ASSERT_EQ(applied_.size(), 2u);
    EXPECT_EQ(applied_.back().modem.netifd_modems, (std::vector<std::string> {"wan2"}));
}

TEST_F(ConfigEditorTest, APreviewChangesNothing)
{
    std::ofstream(path_) << "config profile 'home'\n\toption apn 'old'\n";
    auto outcome = edit(set("profile", "home", {{"apn", "new"}}, api::ConfigEdit::Mode::Preview));
    ASSERT_TRUE(outcome);
    EXPECT_TRUE(outcome->problems.empty());
    EXPECT_FALSE(outcome->applied);
    EXPECT_EQ(text(), "config profile 'home'\n\toption apn 'old'\n");
    EXPECT_TRUE(applied_.empty());
}

// An API token's edit: a secret option (the schema's `secret`) is refused by name, whether it
// sets a value or clears one, in a preview as in an apply, and nothing is written.
TEST_F(ConfigEditorTest, ATokenSetsNoSecretOption)
{
    std::string original = "config profile 'home'\n\toption pin '1234'\n";
    std::ofstream(path_) << original;
    using Mode = api::ConfigEdit::Mode;
    for (auto mode : {Mode::Preview, Mode::Apply})
        for (auto [options, forbidden] : std::initializer_list<std::pair<std::map<std::string, std::string>,
                 std::vector<std::string>>> {
                 {{{"pin", "1234"}}, {"pin"}},
                 {{{"pin", ""}}, {"pin"}},
                 {{{"apn", "x"}, {"password", "guess"}, {"pin", "0000"}}, {"password", "pin"}},
             }) {
            auto outcome = edit(set("profile", "home", options, mode, api::SecretAccess::None));
            ASSERT_TRUE(outcome);
            EXPECT_EQ(outcome->forbidden, forbidden);
            EXPECT_FALSE(outcome->applied);
        }
    EXPECT_EQ(text(), original);
    EXPECT_TRUE(applied_.empty());
    // Other options it may set; the admin may set the secret ones.
    auto apn = edit(set("profile", "home", {{"apn", "x"}}, Mode::Apply, api::SecretAccess::None));
    ASSERT_TRUE(apn);
    EXPECT_TRUE(apn->forbidden.empty());
    EXPECT_TRUE(apn->applied);
    auto pin = edit(set("profile", "home", {{"pin", "4321"}}));
    ASSERT_TRUE(pin);
    EXPECT_TRUE(pin->forbidden.empty());
    EXPECT_TRUE(pin->applied);
}

TEST_F(ConfigEditorTest, AnAppliedEditIsSavedAndTakenLive)
{
    std::ofstream(path_) << "config uplink 'main'\n\toption poll_interval '5'\n";
    auto outcome = edit(set("profile", "home", {{"apn", "internet.example"}, {"pin", "1234"}}));
    ASSERT_TRUE(outcome);
    EXPECT_TRUE(outcome->problems.empty());
    EXPECT_TRUE(outcome->applied);
    ASSERT_EQ(applied_.size(), 1u);
    ASSERT_EQ(applied_[0].modem.policy.profiles.size(), 1u);
    EXPECT_EQ(applied_[0].modem.policy.profiles[0].connection.apn, "internet.example");
    EXPECT_EQ(applied_[0].modem.poll_interval, std::chrono::seconds(5)); // the rest of the file stays
    std::vector<ConfigDiagnostic> diagnostics;
    auto reloaded = load_settings(path_, diagnostics);
    ASSERT_TRUE(reloaded);
    EXPECT_EQ(reloaded->settings.modem.policy.profiles[0].pin, "1234");

    // An empty value returns an option to its default; a new rule gets its profile in the same edit.
    outcome = edit(set("profile", "home", {{"apn", ""}}));
    ASSERT_TRUE(outcome && outcome->applied);
    EXPECT_EQ(applied_.back().modem.policy.profiles[0].connection.apn, "");
    outcome = edit(set("rule", "vodafone", {{"mcc_mnc", "23415"}, {"profile", "home"}}));
    ASSERT_TRUE(outcome && outcome->applied) << (outcome ? fmt::format("{}", fmt::join(outcome->problems, "; ")) : "");
    EXPECT_EQ(applied_.back().modem.policy.rules[0].mcc_mnc, "23415");
}

// docs/failover.md: WANs and policies through the same editor; a list option is set whole, from a
// list or from one value.
TEST_F(ConfigEditorTest, WansAndPoliciesAreEditedWithTheirLists)
{
    auto with_lists = [](api::ConfigEdit change, std::map<std::string, std::vector<std::string>> lists) {
        change.lists = std::move(lists);
        return change;
    };
    auto problems = [](const Result<api::ConfigEditOutcome>& outcome) {
        return outcome ? fmt::format("{}", fmt::join(outcome->problems, "; ")) : outcome.error().message();
    };
    auto outcome = edit(set("wan", "fibre", {{"interface", "eth1"}, {"track_ip", "192.0.2.1"}}));
    ASSERT_TRUE(outcome && outcome->applied) << problems(outcome);
    outcome = edit(set("wan", "lte", {{"modem", "wan1"}}));
    ASSERT_TRUE(outcome && outcome->applied) << problems(outcome);
    outcome = edit(with_lists(set("policy", "failover", {{"failback", "all"}}), {{"tier", {"lte", "fibre"}}}));
    ASSERT_TRUE(outcome && outcome->applied) << problems(outcome);
    const auto& wan = applied_.back().wan;
    ASSERT_EQ(wan.wans.size(), 2u);
    EXPECT_EQ(wan.wans[0].track_ips, std::vector<std::string> {"192.0.2.1"});
    ASSERT_EQ(wan.policies.size(), 1u);
    EXPECT_EQ(wan.policies[0].tiers, (std::vector<wan::Tier> {{{"lte", 1}}, {{"fibre", 1}}}));
    EXPECT_EQ(wan.policies[0].failback, wan::Failback::All);
    EXPECT_NE(text().find("\tlist tier 'lte'\n\tlist tier 'fibre'\n"), std::string::npos) << text();

    // A WAN a policy names is not removed from under it; a list that a section cannot have is
    // refused; neither changes the file.
    auto before = text();
    outcome = edit({"wan", "fibre", api::ConfigEdit::Kind::Remove, api::ConfigEdit::Mode::Apply, {}});
    ASSERT_TRUE(outcome);
    EXPECT_NE(problems(outcome).find("fibre"), std::string::npos) << problems(outcome);
    outcome = edit(with_lists(set("wan", "fibre", {}), {{"interface", {"eth1", "eth2"}}}));
    ASSERT_TRUE(outcome);
    EXPECT_NE(problems(outcome).find("is not a list"), std::string::npos) << problems(outcome);
    EXPECT_EQ(text(), before);
}

TEST_F(ConfigEditorTest, ABadEditIsRefusedAndTheFileStays)
{
    std::string original = "config profile 'home'\n\toption apn 'old'\n\nconfig rule\n\toption profile 'home'\n";
    std::ofstream(path_) << original;
    struct Case {
        api::ConfigEdit change;
        std::string expected;
    };
    for (const auto& [change, expected] : std::vector<Case> {
             {set("profile", "home", {{"auth", "kerberos"}}), "auth"},
             {set("profile", "home", {{"pin", "12"}}), "4 to 8 digits"},
             {set("profile", "home", {{"colour", "blue"}}), "unknown option"},
             {set("profile", "bad-name", {{"apn", "x"}}), "not a valid name"},
             {set("rule", "new", {{"iccid", "8944"}}), "required"},
             {set("rule", "new", {{"profile", "nowhere"}}), "no profile 'nowhere'"},
             {{"profile", "home", api::ConfigEdit::Kind::Remove, api::ConfigEdit::Mode::Apply, {}}, "the rule on line 4 uses profile 'home'"},
             {{"profile", "ghost", api::ConfigEdit::Kind::Remove, api::ConfigEdit::Mode::Apply, {}}, "there is no profile 'ghost'"},
         }) {
        auto outcome = edit(change);
        ASSERT_TRUE(outcome);
        ASSERT_FALSE(outcome->problems.empty()) << expected;
        EXPECT_NE(fmt::format("{}", fmt::join(outcome->problems, "; ")).find(expected), std::string::npos)
            << fmt::format("{}", fmt::join(outcome->problems, "; "));
        EXPECT_FALSE(outcome->applied);
    }
    EXPECT_EQ(text(), original);
    EXPECT_TRUE(applied_.empty());
}

// docs/api.md: a profile that `default_profile` or a rule names is not removed (a 409 in the
// API). The settings check alone takes a missing 'default' for the built-in one, so without this
// `uplink profile delete default` dropped the profile, its PIN with it, and answered success.
TEST_F(ConfigEditorTest, AProfileInUseIsNotRemoved)
{
    using Mode = api::ConfigEdit::Mode;
    struct Case {
        std::string file, profile, expected;
    };
    for (const auto& [file, profile, expected] : std::vector<Case> {
             {"config profile 'default'\n\toption pin '1234'\n", "default",
                 "profile 'default' is the default profile"},
             {"config uplink 'main'\n\toption default_profile 'home'\n\nconfig profile 'home'\n\toption pin '1234'\n",
                 "home", "profile 'home' is the default profile"},
             {"config uplink 'main'\n\toption default_profile 'home'\n\nconfig profile 'home'\n\n"
              "config profile 'default'\n\toption pin '1234'\n\nconfig rule 'spare'\n\toption iccid '8944'\n"
              "\toption profile 'default'\n",
                 "default", "rule 'spare' uses profile 'default'"},
             {"config profile 'work'\n\nconfig rule\n\toption iccid '8944'\n\toption profile 'work'\n", "work",
                 "the rule on line 3 uses profile 'work'"},
         }) {
        std::ofstream(path_) << file;
        for (auto mode : {Mode::Preview, Mode::Apply}) {
            auto outcome = edit({"profile", profile, api::ConfigEdit::Kind::Remove, mode, {}});
            ASSERT_TRUE(outcome);
            auto problems = fmt::format("{}", fmt::join(outcome->problems, "; "));
            EXPECT_NE(problems.find(expected), std::string::npos) << problems;
            EXPECT_FALSE(outcome->applied);
        }
        EXPECT_EQ(text(), file);
    }
    EXPECT_TRUE(applied_.empty());

    // Once no longer the default, it goes.
    std::ofstream(path_) << "config uplink 'main'\n\toption default_profile 'home'\n\nconfig profile 'home'\n\n"
                            "config profile 'default'\n\toption pin '1234'\n";
    auto outcome = edit({"profile", "default", api::ConfigEdit::Kind::Remove, Mode::Apply, {}});
    ASSERT_TRUE(outcome && outcome->applied) << (outcome ? fmt::format("{}", fmt::join(outcome->problems, "; ")) : "");
    EXPECT_EQ(text().find("'default'"), std::string::npos) << text();
}

TEST_F(ConfigEditorTest, AFileWithProblemsIsNotEditedOver)
{
    std::ofstream(path_) << "config uplink\n\toption poll_interval 0\n";
    auto outcome = edit(set("profile", "home", {{"apn", "x"}}));
    ASSERT_TRUE(outcome);
    ASSERT_EQ(outcome->problems.size(), 1u);
    EXPECT_NE(outcome->problems[0].find("fix it first"), std::string::npos) << outcome->problems[0];
    EXPECT_EQ(text(), "config uplink\n\toption poll_interval 0\n");
}

TEST_F(ConfigEditorTest, NoFileYetIsCreated)
{
    auto outcome = edit(set("profile", "default", {{"apn", "internet"}}));
    ASSERT_TRUE(outcome && outcome->applied);
    EXPECT_NE(text().find("option apn 'internet'"), std::string::npos) << text();
}

TEST_F(ConfigEditorTest, ABackupIsTheFileAsItIs)
{
    auto missing = editor().read();
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->path, path_);
    EXPECT_EQ(missing->text, "");   // no file: every default, as an empty one
    std::string original = "# the work SIM\nconfig profile 'work'\n\toption pin '4321'\n";
    std::ofstream(path_) << original;
    auto backup = editor().read();
    ASSERT_TRUE(backup);
    EXPECT_EQ(backup->text, original);
}

TEST_F(ConfigEditorTest, ARestoredFileIsSavedAsItIsAndTakenLive)
{
    std::ofstream(path_) << "config profile 'default'\n\toption apn 'old'\n";
    std::string backup = "# restored from a backup\nconfig uplink 'main'\n\toption poll_interval '5'\n\n"
                         "config profile 'default'\n\toption apn 'restored'   # the operator's\n";
    auto preview = restore(backup, api::ConfigEdit::Mode::Preview);
    ASSERT_TRUE(preview);
    EXPECT_TRUE(preview->problems.empty()) << fmt::format("{}", fmt::join(preview->problems, "; "));
    EXPECT_FALSE(preview->applied);
    EXPECT_EQ(preview->changed, (std::vector<std::string> {"poll_interval", "profiles"}));
    EXPECT_TRUE(preview->restart_required.empty());
    EXPECT_EQ(text(), "config profile 'default'\n\toption apn 'old'\n");
    EXPECT_TRUE(applied_.empty());

    auto outcome = restore(backup, api::ConfigEdit::Mode::Apply);
    ASSERT_TRUE(outcome && outcome->applied);
    EXPECT_EQ(text(), backup);   // comments and layout kept
    ASSERT_EQ(applied_.size(), 1u);
    EXPECT_EQ(applied_[0].modem.poll_interval, std::chrono::seconds(5));
    EXPECT_EQ(applied_[0].modem.policy.profiles.at(0).connection.apn, "restored");
    EXPECT_EQ(changes_[0], (std::vector<std::string> {"poll_interval", "profiles"}));
}

TEST_F(ConfigEditorTest, ABadRestoreNamesItsLinesAndChangesNothing)
{
    std::string original = "config profile 'default'\n\toption apn 'old'\n";
    std::ofstream(path_) << original;
    auto outcome = restore("config uplink\n\toption poll_interval 0\n\nconfig profile 'default'\n\toption pin '12'\n",
        api::ConfigEdit::Mode::Apply);
    ASSERT_TRUE(outcome);
    auto problems = fmt::format("{}", fmt::join(outcome->problems, "; "));
    EXPECT_NE(problems.find("line 2: option 'poll_interval'"), std::string::npos) << problems;
    EXPECT_FALSE(outcome->applied);
    EXPECT_EQ(text(), original);
    EXPECT_TRUE(applied_.empty());

    outcome = restore("config rule\n\toption profile 'nowhere'\n", api::ConfigEdit::Mode::Apply);
    ASSERT_TRUE(outcome);
    problems = fmt::format("{}", fmt::join(outcome->problems, "; "));
    EXPECT_NE(problems.find("line 1: "), std::string::npos) << problems;
    EXPECT_NE(problems.find("no profile 'nowhere'"), std::string::npos) << problems;
    EXPECT_EQ(text(), original);
}

// What a running uplinkd takes only at its next start is said, not dropped.
TEST_F(ConfigEditorTest, ARestoreSaysWhatWaitsForARestart)
{
    auto outcome = restore("config uplink 'main'\n\toption socket '/run/other.sock'\n\toption state_dir '/tmp/other'\n"
                           "\toption log_level 'debug'\n\nconfig web\n\toption https_port '8443'\n",
        api::ConfigEdit::Mode::Preview);
    ASSERT_TRUE(outcome);
    EXPECT_TRUE(outcome->problems.empty()) << fmt::format("{}", fmt::join(outcome->problems, "; "));
    EXPECT_EQ(outcome->changed, (std::vector<std::string> {"log_level", "state_dir", "socket", "web"}));
    EXPECT_EQ(outcome->restart_required, (std::vector<std::string> {"state_dir", "socket", "web"}));
}

} // namespace
} // namespace uplink::daemon
