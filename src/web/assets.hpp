// The web UI's files, built from web/ by web/build.mjs at build time and compiled in gzipped
// (the generated web_assets.cpp). Private to the web module; Beast-free.
#pragma once

#include "web/web.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace uplink::web {

struct Asset {
    std::string_view path;           // "/index.html", "/assets/main-3FQ2K7.js"
    std::string_view content_type;   // "text/javascript; charset=utf-8"
    std::string_view etag;           // "\"<hash of the content>\"", quoted as RFC 9110 §8.8.3 has it
    std::string_view gzip;           // the file, gzipped
    bool immutable;                  // the name holds the content's hash: cached for good
};

// Every embedded file (generated).
std::span<const Asset> embedded_assets();

// The file for a page path: "/" is "/index.html"; nothing when there is none.
const Asset* find_asset(std::string_view path);

// Whether an Accept-Encoding header admits gzip (RFC 9110 §12.5.3: "gzip" or "*", not with q=0).
bool accepts_gzip(std::string_view accept_encoding);

// The file as the client may take it: gzipped with the headers that say so, or inflated for a
// client that does not accept gzip; a 304 when If-None-Match already names this version.
Response asset_response(const Asset& asset, const Request& request);

} // namespace uplink::web
