// The router advertisement message (ra.hpp), sans I/O.
#include "ra/ra.hpp"

#include <algorithm>

namespace uplink::ra {

namespace {

// RFC 4861 §4.2 and §4.6: message type 134; option types 1 (source link-layer address) and 3
// (prefix information), their lengths in units of 8 bytes.
constexpr std::uint8_t router_advertisement_type = 134;
constexpr std::uint8_t source_link_address_option = 1;
constexpr std::uint8_t prefix_information_option = 3;
constexpr std::uint8_t on_link_flag = 0x80;    // L
constexpr std::uint8_t autonomous_flag = 0x40; // A: hosts form addresses in it

void put16(std::vector<std::uint8_t>& out, std::uint32_t value)
{
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t value)
{
    put16(out, value >> 16);
    put16(out, value & 0xffff);
}

std::uint32_t seconds32(std::chrono::seconds seconds)
{
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(seconds.count(), 0, 0xffffffff));
}

} // namespace

std::vector<std::uint8_t> encode_advertisement(const Advertisement& advertisement)
{
    std::vector<std::uint8_t> out {router_advertisement_type, 0, 0, 0, advertisement.hop_limit, 0};
    // The router lifetime is 16 bits; §6.2.1 caps it at 9000 s.
    put16(out, static_cast<std::uint16_t>(std::min<std::uint32_t>(seconds32(advertisement.router_lifetime), 9000)));
    put32(out, 0); // Reachable Time: unspecified
    put32(out, 0); // Retrans Timer: unspecified
    if (const auto& mac = advertisement.source_link_address) {
        out.push_back(source_link_address_option);
        out.push_back(1);
        out.insert(out.end(), mac->begin(), mac->end());
    }
    for (const auto& information : advertisement.prefixes) {
        out.push_back(prefix_information_option);
        out.push_back(4);
        out.push_back(information.prefix.length);
        out.push_back(on_link_flag | autonomous_flag);
        put32(out, seconds32(information.valid));
        put32(out, seconds32(std::min(information.preferred, information.valid)));
        put32(out, 0); // Reserved2
        const auto& bytes = information.prefix.address.bytes;
        out.insert(out.end(), bytes.begin(), bytes.begin() + 16);
    }
    return out;
}

Advertisement advertisement_for(const std::vector<AnnouncedPrefix>& prefixes,
    const std::vector<net::Prefix>& withdrawn, std::optional<std::array<std::uint8_t, 6>> source_link_address)
{
    Advertisement advertisement;
    advertisement.source_link_address = source_link_address;
    advertisement.router_lifetime = prefixes.empty() ? std::chrono::seconds {0} : router_lifetime;
    for (const auto& announced : prefixes)
        advertisement.prefixes.push_back(
            {announced.prefix, valid_lifetime, announced.preferred ? preferred_lifetime : std::chrono::seconds {0}});
    for (const auto& prefix : withdrawn)
        advertisement.prefixes.push_back({prefix, std::chrono::seconds {0}, std::chrono::seconds {0}});
    return advertisement;
}

} // namespace uplink::ra
