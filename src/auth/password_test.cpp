#include "auth/encoding.hpp"
#include "auth/test_support.hpp"

#include <regex>
#include <set>

namespace uplink::auth {
namespace {

using testing::cheap_kdf;

class AuthPasswordStore : public testing::StateDirectory { };

TEST(AuthPasswordRules, LengthLimits)
{
    EXPECT_EQ(check_password_input("").error(), Errc::EmptyPassword);
    EXPECT_EQ(check_password_input(std::string(1025, 'x')).error(), Errc::PasswordTooLong);
    EXPECT_TRUE(check_password_input(std::string(1024, 'x')));
    EXPECT_TRUE(check_password_input("x")); // an old, short password may still be checked
    EXPECT_EQ(check_new_password("").error(), Errc::EmptyPassword);
    EXPECT_EQ(check_new_password("seven77").error(), Errc::PasswordTooShort);
    EXPECT_TRUE(check_new_password("eight888"));
    EXPECT_EQ(check_new_password(std::string(1025, 'x')).error(), Errc::PasswordTooLong);
    // Characters, not bytes: seven two-byte letters are 14 bytes but still too short.
    EXPECT_EQ(
        check_new_password("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4").error(),
        Errc::PasswordTooShort);
    EXPECT_TRUE(
        check_new_password("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"));
}

TEST(AuthPasswordHash, IsOneSelfDescribingLineWithAFreshSalt)
{
    auto first = hash_password("correct horse", cheap_kdf);
    auto second = hash_password("correct horse", cheap_kdf);
    ASSERT_TRUE(first && second);
    std::regex form(R"(\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})");
    EXPECT_TRUE(std::regex_match(*first, form)) << *first;
    EXPECT_NE(*first, *second);
    EXPECT_EQ(first->find("correct"), std::string::npos);
    EXPECT_EQ(kdf_parameters_of(*first), cheap_kdf);
    EXPECT_EQ(
        kdf_parameters_of(*hash_password("correct horse", {11, 4, 2})), (KdfParameters {11, 4, 2}));
}

TEST(AuthPasswordHash, VerifiesTheRightPasswordOnly)
{
    auto line = hash_password("correct horse", cheap_kdf);
    ASSERT_TRUE(line);
    EXPECT_TRUE(verify_password(*line, "correct horse"));
    EXPECT_EQ(verify_password(*line, "correct horsE").error(), Errc::WrongPassword);
    EXPECT_EQ(verify_password(*line, "correct horse ").error(), Errc::WrongPassword);
    EXPECT_EQ(verify_password(*line, "").error(), Errc::EmptyPassword);
    EXPECT_EQ(verify_password(*line, std::string(2000, 'x')).error(), Errc::PasswordTooLong);
    EXPECT_EQ(hash_password("", cheap_kdf).error(), Errc::EmptyPassword);
    // Parameters no stored line may have are refused rather than written.
    EXPECT_EQ(hash_password("correct horse", {9, 8, 1}).error(), Errc::KdfFailure);
    EXPECT_EQ(hash_password("correct horse", {14, 0, 1}).error(), Errc::KdfFailure);
    EXPECT_EQ(hash_password("correct horse", {20, 32, 1}).error(), Errc::KdfFailure);
}

// RFC 7914 §12, the third vector: our line format feeds OpenSSL's scrypt the right N, r, p.
TEST(AuthPasswordHash, MatchesTheRfc7914Vector)
{
    const unsigned char expected[] = {0x70, 0x23, 0xbd, 0xcb, 0x3a, 0xfd, 0x73, 0x48, 0x46, 0x1c,
        0x06, 0xcd, 0x81, 0xfd, 0x38, 0xeb, 0xfd, 0xa8, 0xfb, 0xba, 0x90, 0x4f, 0x8e, 0x3e, 0xa9,
        0xb5, 0x43, 0xf6, 0x54, 0x5d, 0xa1, 0xf2, 0xd5, 0x43, 0x29, 0x55, 0x61, 0x3f, 0x0f, 0xcf,
        0x62, 0xd4, 0x97, 0x05, 0x24, 0x2a, 0x9a, 0xf9, 0xe6, 0x1e, 0x85, 0xdc, 0x0d, 0x65, 0x1e,
        0x40, 0xdf, 0xcf, 0x01, 0x7b, 0x45, 0x57, 0x58, 0x87};
    std::string hash(reinterpret_cast<const char*>(expected), sizeof expected);
    auto line = "$scrypt$ln=14,r=8,p=1$" + encode_base64("SodiumChloride", Base64Alphabet::Standard)
        + "$" + encode_base64(hash, Base64Alphabet::Standard);
    EXPECT_TRUE(verify_password(line, "pleaseletmein"));
    EXPECT_EQ(verify_password(line, "pleaseletmeim").error(), Errc::WrongPassword);
}

TEST(AuthPasswordHash, MalformedLinesAreCorruptNeverAMatch)
{
    auto good = *hash_password("correct horse", cheap_kdf);
    auto salt_and_hash = good.substr(good.find("$", 9)); // "$<salt>$<hash>"
    const std::string lines[] = {
        "",
        "$scrypt$",
        "correct horse",
        "$bcrypt$ln=10,r=8,p=1" + salt_and_hash,
        "$scrypt$ln=9,r=8,p=1" + salt_and_hash, // cost below the bound
        "$scrypt$ln=21,r=8,p=1" + salt_and_hash, // above
        "$scrypt$ln=20,r=32,p=1" + salt_and_hash, // 4 GiB
        "$scrypt$ln=10,r=0,p=1" + salt_and_hash,
        "$scrypt$ln=10,r=8,p=0" + salt_and_hash,
        "$scrypt$ln=10,r=8,p=17" + salt_and_hash,
        "$scrypt$ln=10,r=8" + salt_and_hash,
        "$scrypt$ln=10,p=1,r=8" + salt_and_hash,
        "$scrypt$ln=+10,r=8,p=1" + salt_and_hash,
        "$scrypt$ln=10,r=8,p=1,x=1" + salt_and_hash,
        "$scrypt$ln=1000000000000,r=8,p=1" + salt_and_hash,
        "$scrypt$ln=10,r=8,p=1$AAAA$" + good.substr(good.rfind('$') + 1), // 3-byte salt
        "$scrypt$ln=10,r=8,p=1" + salt_and_hash + "$extra",
        "$scrypt$ln=10,r=8,p=1" + salt_and_hash + "=",
        "$scrypt$ln=10,r=8,p=1" + salt_and_hash.substr(0, salt_and_hash.size() - 30),
        good + " ",
        good.substr(0, good.size() - 1) + "!",
    };
    for (const auto& line : lines) {
        auto verified = verify_password(line, "correct horse");
        ASSERT_FALSE(verified) << line;
        EXPECT_EQ(verified.error(), Errc::PasswordFileCorrupt) << line;
        EXPECT_FALSE(kdf_parameters_of(line)) << line;
    }
}

TEST_F(AuthPasswordStore, FirstRunHasNoPasswordAndStoreWritesOnePrivateLine)
{
    PasswordStore store(path_of(password_file_name), cheap_kdf);
    EXPECT_EQ(*store.state(), PasswordState::NotSet);
    EXPECT_EQ(store.line().value(), std::nullopt);

    ASSERT_TRUE(store.store(*hash_password("correct horse", store.parameters())));
    EXPECT_EQ(*store.state(), PasswordState::Set);
    auto text = contents(store.path());
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
    EXPECT_EQ(text.rfind("$scrypt$ln=10,r=8,p=1$", 0), 0u) << text;
    EXPECT_EQ(text.find("correct"), std::string::npos);
    EXPECT_EQ(mode_of(store.path()), 0600u);
    EXPECT_EQ(mode_of(state_dir_) & 0077, 0u); // the state directory it made is private too

    PasswordStore reloaded(store.path()); // a restart (other parameters: the line names its own)
    auto line = reloaded.line().value();
    ASSERT_TRUE(line);
    EXPECT_TRUE(verify_password(*line, "correct horse"));
    EXPECT_EQ(verify_password(*line, "wrong horse").error(), Errc::WrongPassword);
}

TEST_F(AuthPasswordStore, ANewLineReplacesTheOld)
{
    PasswordStore store(path_of(password_file_name), cheap_kdf);
    ASSERT_TRUE(store.store(*hash_password("correct horse", cheap_kdf)));
    auto replacement = *hash_password("battery staple", cheap_kdf);
    ASSERT_TRUE(store.store(replacement));
    EXPECT_EQ(store.line().value(), replacement);
    EXPECT_EQ(contents(store.path()), replacement + "\n");
}

// The KDF part of an operation: the check first, and a new line only when it passed.
TEST(AuthKdfWork, ChecksThenHashesOnlyWhatItIsGiven)
{
    auto stored = *hash_password("correct horse", cheap_kdf);
    auto checked = run_kdf({.stored_line = stored, .presented = "correct horse"});
    EXPECT_TRUE(checked.check);
    EXPECT_EQ(checked.line.value(), "");

    auto changed = run_kdf({.stored_line = stored,
        .presented = "correct horse",
        .replacement = "battery staple",
        .parameters = cheap_kdf});
    ASSERT_TRUE(changed.check);
    EXPECT_TRUE(verify_password(changed.line.value(), "battery staple"));

    auto refused = run_kdf({.stored_line = stored,
        .presented = "wrong horse",
        .replacement = "battery staple",
        .parameters = cheap_kdf});
    EXPECT_EQ(refused.check.error(), Errc::WrongPassword);
    EXPECT_EQ(refused.line.value(), "") << "no new line without the current password";

    auto reset = run_kdf({.replacement = "battery staple", .parameters = cheap_kdf});
    EXPECT_TRUE(reset.check);
    EXPECT_TRUE(verify_password(reset.line.value(), "battery staple"));
    EXPECT_EQ(run_kdf({.stored_line = "garbage", .presented = "x"}).check.error(),
        Errc::PasswordFileCorrupt);
}

TEST_F(AuthPasswordStore, AFileWithLooserModeIsMadePrivateOnWrite)
{
    PasswordStore store(path_of(password_file_name), cheap_kdf);
    write(store.path(), *hash_password("correct horse", cheap_kdf));
    ASSERT_EQ(::chmod(store.path().c_str(), 0644), 0);
    ASSERT_TRUE(store.store(*hash_password("battery staple", cheap_kdf)));
    EXPECT_EQ(mode_of(store.path()), 0600u);
}

// A damaged file must never read as "no password": that would reopen the first-run setup.
TEST_F(AuthPasswordStore, ACorruptFileIsAnErrorThatSaysWhy)
{
    PasswordStore store(path_of(password_file_name), cheap_kdf);
    auto line = *hash_password("correct horse", cheap_kdf);
    const std::pair<std::string, std::string_view> cases[] = {
        {"", "is empty"},
        {"\n", "is empty"},
        {"garbage\n", "expected one line"},
        {line + "\n" + line + "\n", "more than one line"},
        {line + "\r\n", "more than one line"},
        {line.substr(0, line.size() / 2) + "\n", "expected one line"},
        {std::string(5000, 'x'), "cannot be read"},
    };
    for (const auto& [text, why] : cases) {
        write(store.path(), text);
        std::string problem;
        auto state = store.state(&problem);
        ASSERT_FALSE(state) << text;
        EXPECT_EQ(state.error(), Errc::PasswordFileCorrupt);
        EXPECT_NE(problem.find(store.path() + ": "), std::string::npos) << problem;
        EXPECT_NE(problem.find(why), std::string::npos) << problem;
        EXPECT_EQ(store.line().error(), Errc::PasswordFileCorrupt) << text;
    }
    // Without the trailing newline, the one line is still good.
    write(store.path(), line);
    EXPECT_EQ(store.line().value(), line);
}

TEST_F(AuthPasswordStore, AnUnreadablePathIsCorruptAndAnUnwritableOneFailsToStore)
{
    std::filesystem::create_directories(path_of(password_file_name)); // a directory in its place
    PasswordStore store(path_of(password_file_name), cheap_kdf);
    std::string problem;
    EXPECT_EQ(store.state(&problem).error(), Errc::PasswordFileCorrupt);
    EXPECT_NE(problem.find("cannot be read"), std::string::npos) << problem;
    EXPECT_FALSE(store.store(*hash_password("correct horse", cheap_kdf)));
}

TEST(AuthSetupCode, IsTenUnambiguousCharactersShownInTwoGroups)
{
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        auto code = SetupCode::generate();
        ASSERT_TRUE(code);
        EXPECT_TRUE(
            std::regex_match(code->text(), std::regex("[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}")))
            << code->text();
        seen.insert(code->text());
    }
    EXPECT_EQ(seen.size(), 50u);
}

TEST(AuthSetupCode, IsSingleUseAndForgivesCaseSpacesAndDashes)
{
    auto code = SetupCode::from_text("ABCDE-FGHJK");
    EXPECT_TRUE(code.matches("abcde fghjk"));
    EXPECT_TRUE(code.matches("ABCDEFGHJK"));
    EXPECT_FALSE(code.matches("ABCDE-FGHJ"));
    EXPECT_FALSE(code.matches("ABCDE-FGHJKL"));
    EXPECT_FALSE(code.matches("ABCDE-FGHJX"));
    EXPECT_FALSE(code.matches(""));

    EXPECT_EQ(code.redeem("ABCDE-FGHJX").error(), Errc::WrongSetupCode);
    EXPECT_FALSE(code.spent()); // a wrong guess does not burn it (nobody can lock the owner out)
    EXPECT_TRUE(code.redeem("abcde-fghjk"));
    EXPECT_TRUE(code.spent());
    EXPECT_EQ(code.redeem("ABCDE-FGHJK").error(), Errc::WrongSetupCode);
}

TEST(AuthNames, PasswordStatesHaveNamesAndErrorsHaveDistinctMessages)
{
    EXPECT_EQ(to_string(PasswordState::NotSet), "not-set");
    EXPECT_EQ(to_string(PasswordState::Set), "set");
    std::set<std::string> messages;
    for (int value = static_cast<int>(Errc::EmptyPassword);
         value <= static_cast<int>(Errc::KdfFailure); ++value) {
        auto message = make_error_code(static_cast<Errc>(value)).message();
        EXPECT_NE(message, "unknown auth error") << value;
        EXPECT_TRUE(messages.insert(message).second) << message;
    }
    EXPECT_STREQ(auth_category().name(), "auth");
}

} // namespace
} // namespace uplink::auth
