#include "web/assets.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace uplink::web {
namespace {

Request get(std::string path, std::vector<Header> headers = {})
{
    Request request;
    request.method = "GET";
    request.target = request.path = std::move(path);
    request.headers = std::move(headers);
    return request;
}

std::string header(const Response& response, std::string_view name)
{
    for (const auto& header : response.headers)
        if (header.name == name)
            return header.value;
    return {};
}

TEST(Assets, TheRootIsTheIndexPage)
{
    const auto* index = find_asset("/");
    ASSERT_NE(index, nullptr);
    EXPECT_EQ(index->path, "/index.html");
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    EXPECT_FALSE(index->immutable);
    EXPECT_EQ(find_asset("/index.html"), index);
    EXPECT_EQ(find_asset("/nothing.js"), nullptr);
    EXPECT_EQ(find_asset("/assets/"), nullptr);
}

// The page names its script and style by content hash: both must be embedded, and cached for good.
TEST(Assets, EveryFileThePageNamesIsEmbedded)
{
    auto index = asset_response(*find_asset("/"), get("/"));
    ASSERT_EQ(index.status, 200);
    std::size_t named = 0;
    for (const auto& asset : embedded_assets()) {
        if (!asset.path.starts_with("/assets/"))
            continue;
        EXPECT_NE(index.body.find(asset.path), std::string::npos) << asset.path;
        EXPECT_TRUE(asset.immutable) << asset.path;
        ++named;
    }
    EXPECT_EQ(named, 2u);   // one script, one style sheet
    EXPECT_NE(index.body.find("/icon.svg"), std::string::npos);
    EXPECT_NE(find_asset("/icon.svg"), nullptr);
}

TEST(Assets, GzipIsSentToClientsThatTakeIt)
{
    const auto& asset = *find_asset("/");
    auto gzipped = asset_response(asset, get("/", {{"Accept-Encoding", "gzip, deflate, br"}}));
    EXPECT_EQ(gzipped.status, 200);
    EXPECT_EQ(header(gzipped, "Content-Encoding"), "gzip");
    EXPECT_EQ(gzipped.body, asset.gzip);
    EXPECT_EQ(header(gzipped, "Vary"), "Accept-Encoding");
    EXPECT_EQ(header(gzipped, "Cache-Control"), "no-cache");

    auto plain = asset_response(asset, get("/"));
    EXPECT_EQ(plain.status, 200);
    EXPECT_EQ(header(plain, "Content-Encoding"), "");
    EXPECT_TRUE(plain.body.starts_with("<!doctype html>")) << plain.body.substr(0, 40);
    EXPECT_GT(plain.body.size(), asset.gzip.size() / 2);
}

TEST(Assets, AKnownVersionIsNotModified)
{
    const auto& asset = *find_asset("/");
    auto again = asset_response(asset, get("/", {{"If-None-Match", std::string(asset.etag)}}));
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(header(again, "ETag"), asset.etag);
    auto listed = asset_response(asset, get("/", {{"If-None-Match", "\"old\", " + std::string(asset.etag)}}));
    EXPECT_EQ(listed.status, 304);
    auto other = asset_response(asset, get("/", {{"If-None-Match", "\"old\""}}));
    EXPECT_EQ(other.status, 200);
}

TEST(Assets, AcceptEncodingFollowsTheWeights)
{
    EXPECT_TRUE(accepts_gzip("gzip"));
    EXPECT_TRUE(accepts_gzip("deflate, GZIP;q=0.5"));
    EXPECT_TRUE(accepts_gzip("*"));
    EXPECT_TRUE(accepts_gzip("x-gzip"));
    EXPECT_TRUE(accepts_gzip("gzip;q=0.001"));
    EXPECT_FALSE(accepts_gzip(""));
    EXPECT_FALSE(accepts_gzip("identity"));
    EXPECT_FALSE(accepts_gzip("br, deflate"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0"));
    EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
    EXPECT_FALSE(accepts_gzip("gzipped"));
}

} // namespace
} // namespace uplink::web
