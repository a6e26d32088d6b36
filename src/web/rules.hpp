// The HTTP decisions that need no socket: redirects, the API's paths, the headers every reply
// carries. Private to the web module; Beast-free, so they are tested without a server.
#pragma once

#include "web/web.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace uplink::web {

// Where a plain-HTTP request is sent: https://<host>[:port]<target>, the host from the request's
// Host header (its port dropped), or `local_host` (the address the client reached) when there is
// none. Nothing when the host or the target is not one a URL may hold, so that nothing a client
// sends can reach the Location header unchecked.
std::optional<std::string> redirect_location(std::string_view host_header, std::string_view local_host,
                                             std::uint16_t https_port, std::string_view target);

// "/api/v1/modems" -> "/v1/modems", the Router's path; nothing for a path outside /api/v1.
std::optional<std::string> api_path(std::string_view path);

std::string_view path_of(std::string_view target);   // the target without "?query"

// "application/json", any case, with or without parameters (charset=utf-8).
bool is_json_media_type(std::string_view content_type);

// {"status":<status>,"error":"<message>"}, the API's form of every error.
Response json_error(int status, std::string_view message);

// GET /api/v1/certificate: what the Settings page shows of the certificate served (certificate.cpp).
Response certificate_response(const Certificate& certificate);

// RFC 6797 (HSTS), and what browsers obey against content sniffing, framing and leaks of the
// URL to other sites. The CSP fits the web UI, served from this origin alone.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 5> security_headers{{
    {"Strict-Transport-Security", "max-age=31536000"},
    {"X-Content-Type-Options", "nosniff"},
    {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
}};

} // namespace uplink::web
