#include "auth/encoding.hpp"
#include "auth/test_support.hpp"

#include <cstdio>
#include <fstream>
#include <regex>

namespace uplink::auth {
namespace {

using namespace std::chrono_literals;

class AuthTokens : public testing::StateDirectory {
protected:
    std::string path() const { return path_of(token_file_name); }
    testing::ManualWallClock clock_;
};

TEST_F(AuthTokens, ATokenIsShownOnceAndOnlyItsHashIsStored)
{
    TokenStore store(path(), clock_.source());
    auto token = store.create("backup-script");
    ASSERT_TRUE(token);
    EXPECT_TRUE(std::regex_match(*token, std::regex("upl_[A-Za-z0-9_-]{43}"))) << *token;
    EXPECT_NE(*store.create("monitor"), *token);

    auto text = contents(path());
    EXPECT_EQ(text.find(token->substr(4)), std::string::npos) << text;
    EXPECT_NE(text.find("backup-script 1700000000 - - " + to_hex(sha256(*token))), std::string::npos)
        << text;
    EXPECT_EQ(mode_of(path()), 0600u);

    auto verified = store.verify(*token);
    ASSERT_TRUE(verified);
    EXPECT_EQ(verified->name, "backup-script");
    // And after a restart.
    TokenStore reloaded(path(), clock_.source());
    EXPECT_EQ(reloaded.verify(*token)->name, "backup-script");
}

TEST_F(AuthTokens, ListShowsNamesAndTimesButNeverTheToken)
{
    TokenStore store(path(), clock_.source());
    auto backup = *store.create("backup");
    clock_.advance(10s);
    ASSERT_TRUE(store.create("monitor"));
    clock_.advance(5min);
    ASSERT_TRUE(store.verify(backup));

    auto tokens = store.list();
    ASSERT_TRUE(tokens);
    ASSERT_EQ(tokens->size(), 2u);
    EXPECT_EQ((*tokens)[0].name, "backup");
    EXPECT_EQ((*tokens)[0].created, WallClock::time_point(1'700'000'000s));
    EXPECT_EQ((*tokens)[0].last_used, WallClock::time_point(1'700'000'310s));
    EXPECT_EQ((*tokens)[1].name, "monitor");
    EXPECT_EQ((*tokens)[1].created, WallClock::time_point(1'700'000'010s));
    EXPECT_FALSE((*tokens)[1].last_used);
}

TEST_F(AuthTokens, ARevokedTokenStopsWorkingForGood)
{
    TokenStore store(path(), clock_.source());
    auto backup = *store.create("backup");
    auto monitor = *store.create("monitor");
    ASSERT_TRUE(store.revoke("backup"));
    EXPECT_EQ(store.verify(backup).error(), Errc::UnknownToken);
    EXPECT_TRUE(store.verify(monitor));
    EXPECT_EQ(store.revoke("backup").error(), Errc::UnknownToken);
    EXPECT_EQ(store.revoke("nothing").error(), Errc::UnknownToken);
    TokenStore reloaded(path(), clock_.source());
    EXPECT_EQ(reloaded.verify(backup).error(), Errc::UnknownToken);
    EXPECT_TRUE(reloaded.verify(monitor));
    EXPECT_EQ(reloaded.list()->size(), 1u);
    ASSERT_TRUE(reloaded.create("backup")); // the name is free again, with a new token
    EXPECT_EQ(reloaded.verify(backup).error(), Errc::UnknownToken);
}

// The admin deletes a token's line from the file by hand: it stops working at once, with no
// restart, and the daemon's next write (a "last used" update) does not bring it back.
TEST_F(AuthTokens, ATokenDeletedFromTheFileIsRevoked)
{
    TokenStore store(path(), clock_.source());
    auto backup = *store.create("backup");
    auto monitor = *store.create("monitor");
    ASSERT_TRUE(store.verify(backup));
    auto text = contents(path());
    auto line = text.find("backup ");
    ASSERT_NE(line, std::string::npos) << text;
    text.erase(line, text.find('\n', line) + 1 - line);
    {
        std::ofstream edited(path() + ".edit");
        edited << text;
    }
    ASSERT_EQ(::rename((path() + ".edit").c_str(), path().c_str()), 0);   // as an editor saves
    EXPECT_EQ(store.verify(backup).error(), Errc::UnknownToken);
    clock_.advance(2h);   // a "last used" write is due
    EXPECT_TRUE(store.verify(monitor));
    EXPECT_EQ(contents(path()).find("backup "), std::string::npos) << contents(path());
    EXPECT_EQ(store.list()->size(), 1u);
    // The whole file deleted: no token is left.
    ASSERT_EQ(::unlink(path().c_str()), 0);
    EXPECT_EQ(store.verify(monitor).error(), Errc::UnknownToken);
}

TEST_F(AuthTokens, NamesAreCheckedAndUnique)
{
    TokenStore store(path(), clock_.source());
    for (std::string_view name : {"", "has space", "semi;colon", "new\nline", "ümlaut"})
        EXPECT_EQ(store.create(name).error(), Errc::BadTokenName) << name;
    EXPECT_EQ(store.create(std::string(65, 'a')).error(), Errc::BadTokenName);
    ASSERT_TRUE(store.create(std::string(64, 'a')));
    ASSERT_TRUE(store.create("A.b_c-9"));
    EXPECT_EQ(store.create("A.b_c-9").error(), Errc::TokenNameTaken);
}

TEST_F(AuthTokens, AtMostSixtyFourTokens)
{
    TokenStore store(path(), clock_.source());
    for (std::size_t i = 0; i < TokenStore::maximum_tokens; ++i)
        ASSERT_TRUE(store.create(fmt::format("script-{}", i)));
    EXPECT_EQ(store.create("one-more").error(), Errc::TooManyTokens);
    EXPECT_TRUE(TokenStore(path(), clock_.source()).list()); // the full file reads back
}

TEST_F(AuthTokens, MalformedAndUnknownTokensAreRefused)
{
    TokenStore store(path(), clock_.source());
    auto token = *store.create("backup");
    const std::string malformed[] = {
        "", "upl_",
        token.substr(4), // no prefix
        "UPL_" + token.substr(4), token.substr(0, 46), token + "A", token.substr(0, 46) + "=",
        token.substr(0, 46) + "+", // standard base64, not url
        token.substr(0, 46) + "B", // stray bits in the last character
    };
    for (const auto& text : malformed)
        EXPECT_EQ(store.verify(text).error(), Errc::MalformedToken) << text;
    auto other = "upl_" + encode_base64(std::string(32, 'x'), Base64Alphabet::Url);
    EXPECT_EQ(store.verify(other).error(), Errc::UnknownToken);
}

// "Last used" reaches the file at most once an hour, so polling scripts do not wear out flash.
TEST_F(AuthTokens, LastUsedIsSavedAtMostHourly)
{
    TokenStore store(path(), clock_.source());
    auto token = *store.create("monitor");
    ASSERT_TRUE(store.verify(token)); // first use: saved
    EXPECT_NE(contents(path()).find("monitor 1700000000 1700000000 "), std::string::npos);
    clock_.advance(59min);
    ASSERT_TRUE(store.verify(token));
    EXPECT_NE(contents(path()).find("monitor 1700000000 1700000000 "), std::string::npos);
    EXPECT_EQ((*store.list())[0].last_used, WallClock::time_point(1'700'003'540s));
    clock_.advance(1min);
    ASSERT_TRUE(store.verify(token));
    EXPECT_NE(contents(path()).find("monitor 1700000000 1700003600 "), std::string::npos)
        << contents(path());
}

TEST_F(AuthTokens, ACorruptFileAcceptsNoTokenAndIsNotOverwritten)
{
    TokenStore writer(path(), clock_.source());
    auto token = *writer.create("backup");
    auto good = contents(path());
    auto hash = to_hex(sha256(token));
    const std::pair<std::string, std::string_view> cases[] = {
        {"", "no 'uplink-api-tokens 2' line"},
        {"backup 1 - - " + hash + "\n", ":1: expected 'uplink-api-tokens 2'"},
        {good + "broken line\n", ":6: expected '<name>"},
        {good + "other 1 - - " + hash + "\n", ":6: token 'other' is listed twice"},
        {good + "backup 1 - - " + std::string(64, 'e') + "\n", ":6: token 'backup' is listed twice"},
        {good + "other x - - " + std::string(64, 'e') + "\n", ":6: 'x' is not a time"},
        {good + "other 1 -5 - " + std::string(64, 'e') + "\n", ":6: '-5' is not a time"},
        {good + "other 1 - - " + std::string(63, 'e') + "\n", ":6: the hash is not 64 hex digits"},
        {good + "other 1 - - " + std::string(64, 'E') + "\n", ":6: the hash is not 64 hex digits"},
        {good + "bad;name 1 - - " + std::string(64, 'e') + "\n",
            ":6: 'bad;name' is not a token name"},
        {good + "other 1 - - " + std::string(64, 'e') + " extra\n", ":6: expected '<name>"},
        {good + "other 1 - " + std::string(64, 'e') + "\n", ":6: expected '<name>"},   // version 1's line
        {good + "other 1 - root " + std::string(64, 'e') + "\n", ":6: 'root' is not a list of scopes"},
        {good + "other 1 - console,console " + std::string(64, 'e') + "\n", ":6: 'console,console' is not"},
        {good + "other 1 - console, " + std::string(64, 'e') + "\n", ":6: 'console,' is not"},
    };
    for (const auto& [text, why] : cases) {
        write(path(), text);
        TokenStore store(path(), clock_.source());
        std::string problem;
        auto listed = store.list(&problem);
        ASSERT_FALSE(listed) << text;
        EXPECT_EQ(listed.error(), Errc::TokenFileCorrupt);
        EXPECT_NE(problem.find(path()), std::string::npos) << problem;
        EXPECT_NE(problem.find(why), std::string::npos) << problem;
        EXPECT_EQ(store.verify(token).error(), Errc::TokenFileCorrupt) << text;
        EXPECT_EQ(store.create("new").error(), Errc::TokenFileCorrupt);
        EXPECT_EQ(store.revoke("backup").error(), Errc::TokenFileCorrupt);
        EXPECT_EQ(contents(path()), text); // the evidence stays
    }
    // Mended, the same store reads it again.
    TokenStore store(path(), clock_.source());
    EXPECT_FALSE(store.list());
    write(path(), good);
    EXPECT_TRUE(store.verify(token));
}

// The AT console is a right the admin gives a token when making it: kept in the file, listed,
// and given back by verify(); a token made without it has none.
TEST_F(AuthTokens, ScopesAreKeptWithTheToken)
{
    TokenStore store(path(), clock_.source());
    auto console = *store.create("console-script", {TokenScope::Console, TokenScope::Console});
    auto plain = *store.create("monitor");
    EXPECT_NE(contents(path()).find("console-script 1700000000 - console "), std::string::npos) << contents(path());
    TokenStore reloaded(path(), clock_.source());
    EXPECT_EQ(reloaded.verify(console)->scopes, std::vector<TokenScope> {TokenScope::Console});
    EXPECT_TRUE(reloaded.verify(console)->has(TokenScope::Console));
    EXPECT_FALSE(reloaded.verify(plain)->has(TokenScope::Console));
    EXPECT_EQ((*reloaded.list())[0].scopes, std::vector<TokenScope> {TokenScope::Console});
    EXPECT_EQ(to_string(TokenScope::Console), "console");
    EXPECT_EQ(token_scope_from_string("console"), TokenScope::Console);
    EXPECT_FALSE(token_scope_from_string("Console"));
}

// A file of version 1 (before scopes) is read as tokens without scopes, and written as version 2.
TEST_F(AuthTokens, AVersionOneFileIsReadWithoutScopes)
{
    std::string token = "upl_" + encode_base64(std::string(32, 'v'), Base64Alphabet::Url);
    write(path(), "uplink-api-tokens 1\nold 1600000000 - " + to_hex(sha256(token)) + "\n");
    TokenStore store(path(), clock_.source());
    auto verified = store.verify(token);
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->scopes.empty());
    ASSERT_TRUE(store.create("new"));
    EXPECT_NE(contents(path()).find("uplink-api-tokens 2\nold 1600000000 1700000000 - "), std::string::npos)
        << contents(path());
}

TEST_F(AuthTokens, NoFileMeansNoTokens)
{
    TokenStore store(path(), clock_.source());
    EXPECT_TRUE(store.list()->empty());
    EXPECT_EQ(
        store.verify("upl_" + encode_base64(std::string(32, 'x'), Base64Alphabet::Url)).error(),
        Errc::UnknownToken);
    EXPECT_FALSE(std::filesystem::exists(path()));
}

TEST(AuthBearer, TheTokenComesOutOfTheAuthorizationHeader)
{
    std::string token = "upl_" + encode_base64(std::string(32, 'x'), Base64Alphabet::Url);
    for (const auto& header :
        {"Bearer " + token, "bearer " + token, "BEARER\t" + token, "  Bearer   " + token + "  "})
        EXPECT_EQ(bearer_token_from_authorization_header(header).value(), token) << header;
    const std::pair<std::string, Errc> cases[] = {
        {"", Errc::NoSession},
        {"   ", Errc::NoSession},
        {"Basic YWRtaW46eA==", Errc::NoSession},
        {"Bearer", Errc::NoSession},
        {"Bearer ", Errc::MalformedToken},
        {"Bearertoken", Errc::NoSession},
        {"Bearer " + token + " x", Errc::MalformedToken},
        {"Bearer " + token.substr(1), Errc::MalformedToken},
    };
    for (const auto& [header, expected] : cases) {
        auto found = bearer_token_from_authorization_header(header);
        ASSERT_FALSE(found) << header;
        EXPECT_EQ(found.error(), expected) << header;
    }
}

TEST(AuthTokenFile, ParsesWhatItWrites)
{
    auto text = "uplink-api-tokens 2\nmonitor 1700000000 1700003600 - " + std::string(64, 'e')
        + "\nbackup 1600000000 - console " + std::string(64, 'f') + "\n";
    std::string problem;
    auto entries = parse_token_file(text, "tokens", &problem);
    ASSERT_TRUE(entries) << problem;
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[1].info.scopes, std::vector<TokenScope> {TokenScope::Console});
    auto again = parse_token_file(token_file_text(*entries), "tokens", &problem);
    ASSERT_TRUE(again) << problem;
    EXPECT_EQ(token_file_text(*again), token_file_text(*entries));
    EXPECT_FALSE(parse_token_file("", "tokens", &problem));
    EXPECT_EQ(problem, "tokens: no 'uplink-api-tokens 2' line");
}

TEST(AuthTokenFile, ATimePastTheClocksRangeIsCorrupt)
{
    // Found by auth_token_file_fuzz: 710000000000 s in the clock's nanoseconds overflowed, so the
    // token was read with another creation time than the file's.
    std::string problem;
    auto text = "uplink-api-tokens 2\nold 710000000000 - - " + std::string(64, 'e') + "\n";
    EXPECT_FALSE(parse_token_file(text, "tokens", &problem));
    EXPECT_EQ(problem, "tokens:2: '710000000000' is not a time in Unix seconds");
    text = "uplink-api-tokens 2\nold 9000000000 - - " + std::string(64, 'e') + "\n";
    EXPECT_TRUE(parse_token_file(text, "tokens", &problem)) << problem;
}

} // namespace
} // namespace uplink::auth
