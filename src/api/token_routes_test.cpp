// /v1/tokens (token_routes.cpp): the one implementation that the unix socket (`uplink token`,
// root) and HTTPS (the admin's login) share, over a real token store in a temporary directory.
#include "api/router_test_fixture.hpp"

#include <auth/auth.hpp>

#include <filesystem>
#include <stdlib.h>

namespace uplink::api {
namespace {

namespace json = boost::json;

class TokenRoutes : public RouterTest {
protected:
    void SetUp() override
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "uplink-tokens-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        directory_ = pattern;
        source.tokens = auth::TokenStore((directory_ / "api-tokens").string());
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    Response make(std::string_view body, Caller caller = Caller::Root)
    {
        return request(Method::Post, "/v1/tokens", json::parse(body), caller);
    }
    std::size_t stored() { return source.tokens.list().value().size(); }

    std::filesystem::path directory_;
};

TEST_F(TokenRoutes, RootMakesListsAndRevokesATokenWithoutAPassword)
{
    auto made = make(R"({"name":"backup","scopes":["console"]})");
    ASSERT_EQ(made.status, 200) << made.error;
    auto token = std::string(made.body.at("token").as_string());
    EXPECT_EQ(token.rfind("upl_", 0), 0u) << token;
    EXPECT_EQ(json::serialize(made.body.at("scopes")), R"(["console"])");
    auto known = source.tokens.verify(token);
    ASSERT_TRUE(known);
    EXPECT_TRUE(known->has(auth::TokenScope::Console));

    auto listed = get("/v1/tokens");
    ASSERT_EQ(listed.status, 200) << listed.error;
    const auto& entry = listed.body.at("tokens").at(0);
    EXPECT_EQ(entry.at("name"), "backup");
    EXPECT_EQ(json::serialize(entry.at("scopes")), R"(["console"])");
    EXPECT_TRUE(entry.at("created").is_string());
    EXPECT_TRUE(entry.at("last_used").is_string()) << "verified once above";
    EXPECT_EQ(json::serialize(listed.body).find(token), std::string::npos) << "a token is shown once only";

    auto revoked = request(Method::Post, "/v1/tokens/backup/delete");
    ASSERT_EQ(revoked.status, 200) << revoked.error;
    EXPECT_EQ(source.tokens.verify(token).error(), auth::Errc::UnknownToken);
    EXPECT_EQ(request(Method::Post, "/v1/tokens/backup/delete").status, 404);
    EXPECT_EQ(get("/v1/tokens").body.at("tokens").as_array().size(), 0u);
}

// Over HTTPS a token never gets here (the gate refuses it); a local user who may only read the
// socket is a Caller::ApiToken too, and neither lists, makes nor revokes.
TEST_F(TokenRoutes, TheAdminMayAndATokenOrAReadOnlyPeerMayNot)
{
    ASSERT_EQ(make(R"({"name":"kept"})").status, 200);
    auto listed = request(Method::Get, "/v1/tokens", nullptr, Caller::ApiToken);
    EXPECT_EQ(listed.status, 403);
    EXPECT_NE(listed.error.find("uplink token"), std::string::npos) << listed.error;
    EXPECT_EQ(make(R"({"name":"sibling"})", Caller::ApiToken).status, 403);
    EXPECT_EQ(request(Method::Post, "/v1/tokens/kept/delete", nullptr, Caller::ApiToken).status, 403);
    EXPECT_EQ(stored(), 1u);

    EXPECT_EQ(make(R"({"name":"admins"})", Caller::Admin).status, 200);
    EXPECT_EQ(request(Method::Get, "/v1/tokens", nullptr, Caller::Admin).status, 200);
    EXPECT_EQ(request(Method::Post, "/v1/tokens/admins/delete", nullptr, Caller::Admin).status, 200);
    EXPECT_EQ(stored(), 1u);
}

TEST_F(TokenRoutes, ABadRequestSaysWhatIsWrongAndMakesNothing)
{
    ASSERT_EQ(make(R"({"name":"taken"})").status, 200);
    struct Case {
        std::string_view body;
        int status;
        std::string_view says;
    };
    const Case cases[] = {
        {R"({})", 400, "name"},
        {R"({"name":7})", 400, "name"},
        {R"({"name":"has space"})", 400, "A-Z a-z 0-9"},
        {R"({"name":"root","scopes":["root"]})", 400, "console"},
        {R"({"name":"root","scopes":"console"})", 400, "list"},
        {R"({"name":"taken"})", 409, "revoke"},
    };
    for (const auto& bad : cases) {
        auto refused = make(bad.body);
        EXPECT_EQ(refused.status, bad.status) << bad.body << ": " << refused.error;
        EXPECT_NE(refused.error.find(bad.says), std::string::npos) << bad.body << ": " << refused.error;
    }
    EXPECT_EQ(stored(), 1u);
    EXPECT_EQ(request(Method::Other, "/v1/tokens").status, 405);
    EXPECT_EQ(get("/v1/tokens/taken").status, 405);
}

} // namespace
} // namespace uplink::api
