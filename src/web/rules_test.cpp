#include "web/rules.hpp"

#include <gtest/gtest.h>

namespace uplink::web {
namespace {

struct RedirectCase {
    const char* note;
    const char* host;
    const char* local_host;
    std::uint16_t https_port;
    const char* target;
    std::optional<std::string> location;
};

TEST(RedirectLocation, KeepsHostAndTargetAndDropsThePort)
{
    const RedirectCase cases[] = {
        {"router's address, default port", "192.168.1.1", "192.168.1.1", 443, "/", "https://192.168.1.1/"},
        {"Host with the HTTP port", "192.168.1.1:80", "", 443, "/api/v1/status?x=1", "https://192.168.1.1/api/v1/status?x=1"},
        {"HTTPS on another port", "router.lan:8080", "", 8443, "/a/b", "https://router.lan:8443/a/b"},
        {"IPv6 literal with a port", "[fd00::1]:80", "", 443, "/", "https://[fd00::1]/"},
        {"IPv6 literal without a port", "[::1]", "", 4443, "/x", "https://[::1]:4443/x"},
        {"HTTP/1.0 without Host: the address reached", "", "[fd00::1]", 443, "/", "https://[fd00::1]/"},
        {"a path that looks like a host stays a path", "router.lan", "", 443, "//evil.example/", "https://router.lan//evil.example/"},
        {"CRLF in Host: header splitting", "a\r\nSet-Cookie: x", "", 443, "/", std::nullopt},
        {"userinfo in Host", "evil@router.lan", "", 443, "/", std::nullopt},
        {"a slash in Host", "evil.example/x", "", 443, "/", std::nullopt},
        {"IPv6 without brackets", "fd00::1", "", 443, "/", std::nullopt},
        {"port not digits", "router.lan:8o", "", 443, "/", std::nullopt},
        {"empty Host and no address", "", "", 443, "/", std::nullopt},
        {"absolute-form target", "router.lan", "", 443, "http://x/", std::nullopt},
        {"asterisk-form target", "router.lan", "", 443, "*", std::nullopt},
        {"space in target", "router.lan", "", 443, "/a b", std::nullopt},
    };
    for (const auto& test : cases)
        EXPECT_EQ(redirect_location(test.host, test.local_host, test.https_port, test.target), test.location)
            << test.note;
}

TEST(ApiPath, OnlyUnderApiV1)
{
    EXPECT_EQ(api_path("/api/v1/status"), "/v1/status");
    EXPECT_EQ(api_path("/api/v1/modems/1-1/signal"), "/v1/modems/1-1/signal");
    EXPECT_EQ(api_path("/api/v1"), "/v1");
    EXPECT_EQ(api_path("/api/v10/status"), std::nullopt);
    EXPECT_EQ(api_path("/v1/status"), std::nullopt);
    EXPECT_EQ(api_path("/"), std::nullopt);
    EXPECT_EQ(api_path(""), std::nullopt);
}

TEST(PathOf, DropsTheQuery)
{
    EXPECT_EQ(path_of("/api/v1/status?verbose=1"), "/api/v1/status");
    EXPECT_EQ(path_of("/api/v1/status"), "/api/v1/status");
    EXPECT_EQ(path_of("/?"), "/");
}

TEST(JsonMediaType, WithParametersAndInAnyCase)
{
    EXPECT_TRUE(is_json_media_type("application/json"));
    EXPECT_TRUE(is_json_media_type("Application/JSON; charset=utf-8"));
    EXPECT_TRUE(is_json_media_type("application/json ;charset=utf-8"));
    EXPECT_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
    EXPECT_FALSE(is_json_media_type("text/plain"));
    EXPECT_FALSE(is_json_media_type("application/jsonp"));
    EXPECT_FALSE(is_json_media_type(""));
}

} // namespace
} // namespace uplink::web
