#include "cli/cli.hpp"

#include <gtest/gtest.h>

namespace uplink::cli {
namespace {

std::variant<Invocation, UsageError> parse(std::vector<std::string> arguments, const char* environment = nullptr)
{
    return parse_arguments(arguments, environment);
}

TEST(Arguments, CommandWithDefaults)
{
    auto parsed = parse({"status"});
    ASSERT_TRUE(std::holds_alternative<Invocation>(parsed));
    const auto& invocation = std::get<Invocation>(parsed);
    EXPECT_EQ(invocation.command, "status");
    EXPECT_EQ(invocation.socket_path, "/run/uplink/uplink.sock");
    EXPECT_EQ(invocation.output, Output::Human);
}

TEST(Arguments, SocketFromEnvironmentThenOption)
{
    EXPECT_EQ(std::get<Invocation>(parse({"modems"}, "/tmp/u.sock")).socket_path, "/tmp/u.sock");
    EXPECT_EQ(std::get<Invocation>(parse({"--socket", "/a.sock", "modems"}, "/tmp/u.sock")).socket_path, "/a.sock");
    EXPECT_EQ(std::get<Invocation>(parse({"modems", "--socket=/b.sock"})).socket_path, "/b.sock");
    EXPECT_EQ(std::get<Invocation>(parse({"modems"}, "")).socket_path, "/run/uplink/uplink.sock");
}

TEST(Arguments, JsonAnywhere)
{
    EXPECT_EQ(std::get<Invocation>(parse({"--json", "status"})).output, Output::Json);
    EXPECT_EQ(std::get<Invocation>(parse({"signal", "1-1", "--json"})).output, Output::Json);
}

TEST(Arguments, AtTakesIdAndCommand)
{
    auto invocation = std::get<Invocation>(parse({"at", "1-1.2", "AT+QENG=\"servingcell\""}));
    EXPECT_EQ(invocation.command, "at");
    EXPECT_EQ(invocation.operands, (std::vector<std::string>{"1-1.2", "AT+QENG=\"servingcell\""}));
}

TEST(Arguments, UsageErrorsSayWhatIsWrong)
{
    struct Case {
        std::vector<std::string> arguments;
        const char* words;
    };
    for (const auto& [arguments, words] : {
             Case{{}, "no command"},
             Case{{"frobnicate"}, "unknown command 'frobnicate'"},
             Case{{"modem"}, "'modem' takes 1 argument: uplink modem <id>"},
             Case{{"at", "1-1"}, "'at' takes 2 arguments"},
             Case{{"status", "extra"}, "'status' takes 0 arguments"},
             Case{{"--socket"}, "--socket needs a path"},
             Case{{"--sokcet", "x", "status"}, "unknown option '--sokcet'"},
             Case{{"wan", "export", "x"}, "'wan' takes status, set, delete or import-mwan3"},
             Case{{"wan", "set"}, "'wan set' needs a WAN's name"},
             Case{{"wan", "set", "fibre", "interface"}, "'interface' is not option=value"},
             Case{{"wan", "delete", "fibre", "x=y"}, "'wan delete' takes only a name"},
             Case{{"policy", "set"}, "'policy' takes 2 arguments"},
             Case{{"policy", "move", "failover"}, "'policy' takes set or delete"},
             Case{{"traffic", "set", "voip", "proto"}, "'proto' is not option=value"},
             Case{{"wan"}, "'wan' takes 1 argument: uplink wan status"},
             Case{{"wan", "status", "x"}, "'wan status' takes no more arguments"},
             Case{{"wan", "import-mwan3"}, "'wan import-mwan3' takes one file"},
             Case{{"wan", "import-mwan3", "a", "b"}, "'wan import-mwan3' takes one file"},
             Case{{"status", "--network", "x"}, "--network goes with wan import-mwan3"},
             Case{{"wan", "import-mwan3", "x", "--network"}, "--network needs a file name"},
         }) {
        auto parsed = parse(arguments);
        ASSERT_TRUE(std::holds_alternative<UsageError>(parsed)) << words;
        EXPECT_NE(std::get<UsageError>(parsed).message.find(words), std::string::npos)
            << std::get<UsageError>(parsed).message;
    }
}

TEST(Arguments, ImportMwan3TakesAFileAndTheNetworkFile)
{
    auto invocation = std::get<Invocation>(parse({"wan", "import-mwan3", "/etc/config/mwan3", "--network=/n"}));
    EXPECT_EQ(invocation.command, "wan");
    EXPECT_EQ(invocation.operands, (std::vector<std::string>{"import-mwan3", "/etc/config/mwan3"}));
    EXPECT_EQ(invocation.network_path, "/n");
    EXPECT_EQ(std::get<Invocation>(parse({"--network", "/m", "wan", "import-mwan3", "f"})).network_path, "/m");
}

TEST(Arguments, HelpAndVersionNeedNoCommand)
{
    EXPECT_EQ(std::get<Invocation>(parse({"--help"})).command, "help");
    EXPECT_EQ(std::get<Invocation>(parse({"status", "-h"})).command, "help");
    EXPECT_EQ(std::get<Invocation>(parse({"--version"})).command, "version");
}

TEST(Arguments, DoubleDashEndsOptions)
{
    auto invocation = std::get<Invocation>(parse({"at", "1", "--", "--json"}));
    EXPECT_EQ(invocation.operands, (std::vector<std::string>{"1", "--json"}));
    EXPECT_EQ(invocation.output, Output::Human);
}

TEST(Usage, ListsEveryCommand)
{
    auto text = usage();
    for (auto command : {"status", "modems", "modem <id>", "signal <id>", "at <id> <command>", "events"})
        EXPECT_NE(text.find(command), std::string::npos) << command;
    // A long synopsis does not run into its summary: the summary goes under it, in its column.
    EXPECT_NE(text.find("  debug <id> [--bundle FILE]\n" + std::string(22, ' ') + "the modem's"), std::string::npos)
        << text;
}

TEST(Arguments, BundleGoesWithDebugOnly)
{
    auto invocation = std::get<Invocation>(parse({"debug", "1-1", "--bundle", "/tmp/b.tar.gz"}));
    EXPECT_EQ(invocation.command, "debug");
    EXPECT_EQ(invocation.operands, std::vector<std::string>{"1-1"});
    EXPECT_EQ(invocation.bundle_path, "/tmp/b.tar.gz");
    EXPECT_EQ(std::get<Invocation>(parse({"debug", "--bundle=b.tar.gz", "2"})).bundle_path, "b.tar.gz");
    EXPECT_EQ(std::get<Invocation>(parse({"debug", "1-1"})).bundle_path, "");
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse({"debug", "1-1", "--bundle"})));
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse({"modem", "1-1", "--bundle", "b.tar.gz"})));
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse({"debug", "--bundle", "b.tar.gz"})));
}

// A restore is only shown unless --apply says otherwise: it replaces every setting at once.
TEST(Arguments, ConfigBacksUpOrRestoresAFile)
{
    auto backup = std::get<Invocation>(parse({"config", "backup", "uplink.conf"}));
    EXPECT_EQ(backup.operands, (std::vector<std::string> {"backup", "uplink.conf"}));
    EXPECT_FALSE(std::get<Invocation>(parse({"config", "restore", "uplink.conf"})).apply);
    EXPECT_TRUE(std::get<Invocation>(parse({"config", "restore", "uplink.conf", "--apply"})).apply);
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse({"config", "backup", "uplink.conf", "--apply"})));
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse({"status", "--apply"})));
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse({"config", "copy", "uplink.conf"})));
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse({"config", "backup"})));
}

// token list | create NAME [--scope S]... | revoke NAME; --scope goes with create alone.
TEST(Arguments, TokenListsCreatesWithScopesOrRevokes)
{
    EXPECT_EQ(std::get<Invocation>(parse({"token", "list"})).operands, std::vector<std::string> {"list"});
    auto created = std::get<Invocation>(parse({"token", "create", "script", "--scope", "console"}));
    EXPECT_EQ(created.operands, (std::vector<std::string> {"create", "script"}));
    EXPECT_EQ(created.scopes, std::vector<std::string> {"console"});
    EXPECT_EQ(std::get<Invocation>(parse({"--scope=console", "token", "create", "x"})).scopes,
        std::vector<std::string> {"console"});
    EXPECT_EQ(std::get<Invocation>(parse({"token", "revoke", "script"})).operands,
        (std::vector<std::string> {"revoke", "script"}));
    struct Case {
        std::vector<std::string> arguments;
        const char* words;
    };
    for (const auto& [arguments, words] : {
             Case {{"token"}, "list, create or revoke"},
             Case {{"token", "delete", "x"}, "list, create or revoke"},
             Case {{"token", "create"}, "'token create' takes one name"},
             Case {{"token", "revoke", "a", "b"}, "'token revoke' takes one name"},
             Case {{"token", "list", "x"}, "'token list' takes no more"},
             Case {{"token", "revoke", "x", "--scope", "console"}, "--scope goes with token create"},
             Case {{"status", "--scope", "console"}, "--scope goes with token create"},
             Case {{"token", "create", "x", "--scope"}, "--scope needs a name"},
         }) {
        auto parsed = parse(arguments);
        ASSERT_TRUE(std::holds_alternative<UsageError>(parsed)) << words;
        EXPECT_NE(std::get<UsageError>(parsed).message.find(words), std::string::npos)
            << std::get<UsageError>(parsed).message;
    }
    EXPECT_NE(usage().find("token list|create|revoke"), std::string::npos) << usage();
}

} // namespace
} // namespace uplink::cli
