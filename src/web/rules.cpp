#include "web/rules.hpp"
#include "web/web.hpp"

#include <algorithm>
#include <cctype>

namespace uplink::web {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alphanumeric(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 3986 §3.2.2: a reg-name or IPv4 address (letters, digits, '-', '.', '_', '~'; no
// percent-encoding, which no router name needs), or an IPv6 literal in brackets.
bool valid_host_name(std::string_view host)
{
    if (host.empty() || host.size() > 253)
        return false;
    if (host.front() == '[')
        return host.size() > 2 && host.back() == ']'
            && std::all_of(host.begin() + 1, host.end() - 1, [](char c) { return is_hex_digit(c) || c == ':' || c == '.'; });
    return std::all_of(host.begin(), host.end(),
                       [](char c) { return is_alphanumeric(c) || c == '-' || c == '.' || c == '_' || c == '~'; });
}

// RFC 9112 §3.2: an origin-form target; the parser has already refused spaces and control bytes,
// this refuses them again so that the Location header cannot be split whatever reads it.
bool valid_target(std::string_view target)
{
    return !target.empty() && target.front() == '/'
        && std::none_of(target.begin(), target.end(), [](char c) {
               auto byte = static_cast<unsigned char>(c);
               return byte <= 0x20 || byte == 0x7f;
           });
}

} // namespace

std::optional<std::string> redirect_location(std::string_view host_header, std::string_view local_host,
                                             std::uint16_t https_port, std::string_view target)
{
    std::string_view host = host_header.empty() ? local_host : host_header;
    // Drop the port: "[::1]:8080" -> "[::1]", "router.lan:80" -> "router.lan".
    std::string_view port;
    auto colon = host.rfind(':');
    bool bracketed = !host.empty() && host.front() == '[';
    if (colon != std::string_view::npos && (!bracketed || colon > host.rfind(']'))) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    if (!std::all_of(port.begin(), port.end(), is_digit) || port.size() > 5)
        return std::nullopt;
    if (!valid_host_name(host) || !valid_target(target))
        return std::nullopt;
    std::string location = "https://";
    location += host;
    if (https_port != 443)
        location += ":" + std::to_string(https_port);
    location += target;
    return location;
}

std::optional<std::string> api_path(std::string_view path)
{
    constexpr std::string_view prefix = "/api/v1";
    if (path.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    auto rest = path.substr(prefix.size());
    if (!rest.empty() && rest.front() != '/')
        return std::nullopt;   // "/api/v10"
    return "/v1" + std::string(rest);
}

std::string_view path_of(std::string_view target)
{
    return target.substr(0, target.find('?'));
}

bool is_json_media_type(std::string_view content_type)
{
    auto type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
        type.remove_suffix(1);
    constexpr std::string_view json = "application/json";
    return type.size() == json.size()
        && std::equal(type.begin(), type.end(), json.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

namespace {

bool equal_ignoring_case(std::string_view left, std::string_view right)
{
    return left.size() == right.size() && std::equal(left.begin(), left.end(), right.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
}

} // namespace

std::string_view Request::header(std::string_view name) const
{
    for (const auto& header : headers)
        if (equal_ignoring_case(header.name, name))
            return header.value;
    return {};
}

Response json_error(int status, std::string_view message)
{
    Response response;
    response.status = status;
    response.body = api::TextApi::error_body(status, message);
    return response;
}

} // namespace uplink::web
