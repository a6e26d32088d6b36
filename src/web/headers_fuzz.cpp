// libFuzzer target for the HTTP helpers that read what a client sends: the Host header and
// target of a redirect, the API's path, Content-Type, Accept-Encoding and If-None-Match. The
// input is lines: Host, the address reached, the target, then "Name: value" headers. A Location
// that comes out carries no byte that could split a header; a path never keeps its query.
#include "web/assets.hpp"
#include "web/rules.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace uplink::web;

[[noreturn]] void fail(const char* what, std::string_view text)
{
    (void)std::fprintf(stderr, "web headers fuzz: %s\n--- input ---\n%.*s\n---\n", what,
        static_cast<int>(text.size()), text.data());
    std::abort();
}

std::vector<std::string_view> lines_of(std::string_view text)
{
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start <= text.size();) {
        auto end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto lines = lines_of(text);
    lines.resize(std::max<std::size_t>(lines.size(), 3));
    auto host = lines[0], local_host = lines[1], target = lines[2];

    for (std::uint16_t port : {443, 8443})
        if (auto location = redirect_location(host, local_host, port, target)) {
            if (!location->starts_with("https://"))
                fail("a Location that is not https", text);
            if (std::any_of(location->begin(), location->end(), [](char c) {
                    auto byte = static_cast<unsigned char>(c);
                    return byte <= 0x20 || byte == 0x7f;
                }))
                fail("a Location with a space or a control byte", text);
        }
    auto path = path_of(target);
    if (!target.starts_with(path) || path.find('?') != std::string_view::npos)
        fail("a path that is not the target without its query", text);
    if (auto api = api_path(path); api && !api->starts_with("/v1"))
        fail("an API path outside /v1", text);

    Request request;
    request.method = "GET";
    request.target = std::string(target);
    request.path = std::string(path);
    for (std::size_t index = 3; index < lines.size(); ++index) {
        auto colon = lines[index].find(':');
        if (colon == std::string_view::npos)
            continue;
        auto value = lines[index].substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        request.headers.push_back({std::string(lines[index].substr(0, colon)), std::string(value)});
    }
    (void)is_json_media_type(request.header("content-type"));
    bool gzip = accepts_gzip(request.header("Accept-Encoding"));
    if (const auto* asset = find_asset(path)) {
        auto response = asset_response(*asset, request);
        bool sent_gzip = std::any_of(response.headers.begin(), response.headers.end(),
            [](const Header& header) { return header.name == "Content-Encoding"; });
        if (response.status == 200 && sent_gzip != gzip)
            fail("gzip sent against Accept-Encoding", text);
    }
    return 0;
}
