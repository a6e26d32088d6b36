// Address and Prefix as text, through inet_pton()/inet_ntop() (POSIX): full dotted decimal for
// IPv4 (no "010.1.1.1" read as octal or "10.1" as 10.0.0.1, as inet_aton() would) and the
// RFC 4291 §2.2 forms for IPv6; printed as RFC 5952 recommends (glibc's inet_ntop()).
#include "net/net.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <string>

namespace uplink::net {

namespace {

constexpr std::uint8_t max_length(Family family)
{
    return family == Family::Ipv4 ? 32 : 128;
}

} // namespace

std::optional<Address> parse_address(std::string_view text)
{
    // inet_pton() needs a NUL-terminated string; the longest IPv6 text form is 45 characters.
    if (text.empty() || text.size() > INET6_ADDRSTRLEN)
        return std::nullopt;
    std::string terminated(text);
    Address address;
    if (inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) {
        address.family = Family::Ipv4;
        return address;
    }
    if (inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) == 1) {
        address.family = Family::Ipv6;
        return address;
    }
    return std::nullopt;
}

std::string to_string(const Address& address)
{
    char text[INET6_ADDRSTRLEN] = {};
    int family = address.family == Family::Ipv4 ? AF_INET : AF_INET6;
    if (inet_ntop(family, address.bytes.data(), text, sizeof text) == nullptr)
        return "?";
    return text;
}

std::optional<Prefix> parse_prefix(std::string_view text)
{
    auto slash = text.find('/');
    auto address = parse_address(text.substr(0, slash));
    if (!address)
        return std::nullopt;
    Prefix prefix {*address, max_length(address->family)};
    if (slash == std::string_view::npos)
        return prefix;
    auto digits = text.substr(slash + 1);
    unsigned length = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || error != std::errc {} || end != digits.data() + digits.size()
        || length > max_length(address->family))
        return std::nullopt;
    prefix.length = static_cast<std::uint8_t>(length);
    return prefix;
}

std::string to_string(const Prefix& prefix)
{
    return to_string(prefix.address) + "/" + std::to_string(prefix.length);
}

Prefix network_of(const Prefix& prefix)
{
    Prefix network = prefix;
    for (std::size_t bit = prefix.length; bit < prefix.address.size() * 8; ++bit)
        network.address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    return network;
}

} // namespace uplink::net
