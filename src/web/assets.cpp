#include "web/assets.hpp"
#include "web/rules.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace uplink::web {

namespace {

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool equal_ignoring_case(std::string_view left, std::string_view right)
{
    return left.size() == right.size() && std::equal(left.begin(), left.end(), right.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
}

// RFC 9110 §12.4.2: a weight of "0", "0.", "0.0"... refuses the coding.
bool weight_is_zero(std::string_view parameters)
{
    for (std::size_t start = 0; start < parameters.size();) {
        auto end = std::min(parameters.find(';', start), parameters.size());
        auto parameter = trim(parameters.substr(start, end - start));
        if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') && parameter[1] == '=') {
            auto weight = parameter.substr(2);
            return !weight.empty() && weight[0] == '0'
                && std::all_of(weight.begin() + 1, weight.end(), [](char c) { return c == '.' || c == '0'; });
        }
        start = end + 1;
    }
    return false;
}

// The embedded file as it was before gzip, for a client that does not take gzip (curl without
// --compressed): browsers all do, so this is rare and costs nothing when unused.
std::optional<std::string> inflate_gzip(std::string_view gzip)
{
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
        return std::nullopt;
    std::string plain;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
    stream.avail_in = static_cast<uInt>(gzip.size());
    int result = Z_OK;
    while (result == Z_OK) {
        auto produced = plain.size();
        plain.resize(produced + 64 * 1024);
        stream.next_out = reinterpret_cast<Bytef*>(plain.data() + produced);
        stream.avail_out = 64 * 1024;
        result = inflate(&stream, Z_NO_FLUSH);
        plain.resize(plain.size() - stream.avail_out);
    }
    inflateEnd(&stream);
    if (result != Z_STREAM_END)
        return std::nullopt;
    return plain;
}

bool names_version(std::string_view if_none_match, std::string_view etag)
{
    // RFC 9110 §13.1.2: "*" or a list of entity tags; ours are quoted hashes, never weak.
    return trim(if_none_match) == "*" || if_none_match.find(etag) != std::string_view::npos;
}

} // namespace

const Asset* find_asset(std::string_view path)
{
    if (path == "/")
        path = "/index.html";
    auto assets = embedded_assets();
    auto found = std::find_if(assets.begin(), assets.end(), [&](const Asset& asset) { return asset.path == path; });
    return found == assets.end() ? nullptr : &*found;
}

bool accepts_gzip(std::string_view accept_encoding)
{
    for (std::size_t start = 0; start < accept_encoding.size();) {
        auto end = std::min(accept_encoding.find(',', start), accept_encoding.size());
        auto item = accept_encoding.substr(start, end - start);
        auto semicolon = std::min(item.find(';'), item.size());
        auto coding = trim(item.substr(0, semicolon));
        if (equal_ignoring_case(coding, "gzip") || equal_ignoring_case(coding, "x-gzip") || coding == "*")
            return !weight_is_zero(item.substr(std::min(semicolon + 1, item.size())));
        start = end + 1;
    }
    return false;
}

Response asset_response(const Asset& asset, const Request& request)
{
    Response response;
    response.content_type = std::string(asset.content_type);
    response.headers.push_back({"ETag", std::string(asset.etag)});
    response.headers.push_back({"Cache-Control", asset.immutable ? "public, max-age=31536000, immutable" : "no-cache"});
    response.headers.push_back({"Vary", "Accept-Encoding"});
    if (names_version(request.header("If-None-Match"), asset.etag)) {
        response.status = 304;
        return response;
    }
    if (accepts_gzip(request.header("Accept-Encoding"))) {
        response.headers.push_back({"Content-Encoding", "gzip"});
        response.body = std::string(asset.gzip);
        return response;
    }
    auto plain = inflate_gzip(asset.gzip);
    if (!plain)
        return json_error(500, fmt::format("the embedded file {} is damaged (a bug in the build)", asset.path));
    response.body = std::move(*plain);
    return response;
}

} // namespace uplink::web
