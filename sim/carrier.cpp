// The carrier's address pools (sim/qmi_state.hpp) and address formatting.
#include "sim/qmi_state.hpp"

#include <fmt/format.h>

namespace uplink::sim {

namespace {

// FNV-1a: a stable spread of (PLMN, IMSI, APN) over the pool; not a secret.
std::uint32_t fnv1a(std::string_view text, std::uint32_t hash = 2166136261u)
{
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 16777619u;
    }
    return hash;
}

constexpr std::uint32_t ipv4_pool = 0x64400000; // 100.64.0.0/10 (RFC 6598)
constexpr std::uint32_t ipv4_blocks = 1u << 20; // /30 blocks in a /10
constexpr std::uint32_t ipv4_reserved_blocks = 64; // 100.64.0.0/24: the carrier's own
constexpr std::uint32_t ipv4_dns = 0x64400035; // 100.64.0.53

Ipv6Address documentation_prefix(std::uint16_t third, std::uint16_t fourth)
{
    return {0x2001, 0x0db8, third, fourth, 0, 0, 0, 0}; // 2001:db8::/32 (RFC 3849)
}

} // namespace

std::string_view to_string(IpFamily family)
{
    return family == IpFamily::V6 ? "ipv6" : "ipv4";
}

BearerAddresses carrier_addresses(
    std::string_view plmn, std::string_view imsi, std::string_view apn, unsigned attempt)
{
    auto hash = fnv1a(apn, fnv1a(imsi, fnv1a(plmn)));
    BearerAddresses addresses;
    auto block = ipv4_reserved_blocks + (hash + attempt) % (ipv4_blocks - ipv4_reserved_blocks);
    auto base = ipv4_pool + block * 4;
    addresses.ipv4_gateway = base + 1;
    addresses.ipv4 = base + 2;
    addresses.ipv4_netmask = 0xfffffffc;
    addresses.ipv4_dns = {ipv4_dns, ipv4_dns + 1};

    // The third group is never 0, which 2001:db8::/48 (the carrier's DNS) would need.
    auto third = static_cast<std::uint16_t>(1 + ((hash >> 16) + attempt) % 0xffff);
    auto fourth = static_cast<std::uint16_t>(hash & 0xffff);
    addresses.ipv6_gateway = documentation_prefix(third, fourth);
    addresses.ipv6_gateway[7] = 1;
    addresses.ipv6 = documentation_prefix(third, fourth);
    addresses.ipv6[7] = 2;
    addresses.ipv6_dns = {documentation_prefix(0, 0), documentation_prefix(0, 0)};
    addresses.ipv6_dns[0][7] = 0x53;
    addresses.ipv6_dns[1][7] = 0x54;
    return addresses;
}

std::string format_ipv4(std::uint32_t address)
{
    return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 0xff, (address >> 8) & 0xff,
        address & 0xff);
}

// RFC 5952 §4: lower case, leading zeros dropped, the longest run of zero groups (the first
// of equal runs, at least two) written "::".
std::string format_ipv6(const Ipv6Address& address)
{
    int best_start = -1, best_length = 0;
    for (int start = 0; start < 8;) {
        int length = 0;
        while (start + length < 8 && address[static_cast<std::size_t>(start + length)] == 0)
            ++length;
        if (length > best_length && length >= 2) {
            best_start = start;
            best_length = length;
        }
        start += length > 0 ? length : 1;
    }
    std::string text;
    for (int group = 0; group < 8; ++group) {
        if (group == best_start) {
            text += "::";
            group += best_length - 1;
            continue;
        }
        if (!text.empty() && !text.ends_with(':'))
            text += ':';
        text += fmt::format("{:x}", address[static_cast<std::size_t>(group)]);
    }
    return text;
}

std::string format_ipv6_octets(const Ipv6Address& address)
{
    std::string text;
    for (auto group : address)
        text += fmt::format("{}{}.{}", text.empty() ? "" : ".", group >> 8, group & 0xff);
    return text;
}

} // namespace uplink::sim
