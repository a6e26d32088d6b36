#include "cli/netifd.hpp"

#include <array>
#include <fmt/format.h>

namespace uplink::cli {

namespace {

// netifd protocol handlers that drive a cellular modem: uqmi (qmi), umbim (mbim), comgt (3g,
// ncm), ModemManager's (modemmanager), and wwan, which picks one of them by the USB id.
constexpr std::array<std::string_view, 6> modem_protocols {
    "qmi", "mbim", "ncm", "3g", "modemmanager", "wwan"};

// Tunnel and PPP handlers create their own device, named after the protocol and the interface.
constexpr std::array<std::string_view, 4> prefixed_protocols {"pppoe", "pppoa", "pptp", "l2tp"};

template <std::size_t size>
bool contains(const std::array<std::string_view, size>& words, std::string_view word)
{
    for (auto candidate : words)
        if (candidate == word)
            return true;
    return false;
}

std::string option_of(const ConfigSection& section, const std::string& name)
{
    auto found = section.options.find(name);
    return found == section.options.end() ? std::string() : found->second;
}

// `option ifname 'eth0 eth1'` (before OpenWrt 21.02) may list several devices; the first is the
// one a non-bridge interface uses.
std::string first_word(std::string_view text)
{
    auto start = text.find_first_not_of(' ');
    if (start == std::string_view::npos)
        return {};
    auto end = text.find(' ', start);
    return std::string(text.substr(start, end == std::string_view::npos ? end : end - start));
}

} // namespace

NetifdInterfaces::NetifdInterfaces(std::vector<ConfigSection> sections)
    : sections_(std::move(sections))
    , given_(!sections_.empty())
{
}

const ConfigSection* NetifdInterfaces::find(std::string_view interface) const
{
    for (const auto& section : sections_)
        if (section.type == "interface" && section.name == interface)
            return &section;
    return nullptr;
}

NetifdLink NetifdInterfaces::resolve(std::string_view interface) const
{
    return resolve(interface, 0);
}

NetifdLink NetifdInterfaces::resolve(std::string_view interface, int depth) const
{
    if (!given_)
        return {LinkKind::Unknown, {}, {}, "no network file given"};
    const auto* section = find(interface);
    if (!section)
        return {LinkKind::Unknown, {}, {}, "not an interface of the network file"};
    auto proto = option_of(*section, "proto");
    auto device = option_of(*section, "device");
    if (device.empty())
        device = first_word(option_of(*section, "ifname"));
    if (contains(modem_protocols, proto))
        return {LinkKind::Modem, device, proto, {}};
    if (contains(prefixed_protocols, proto))
        return {LinkKind::Device, fmt::format("{}-{}", proto, interface), proto, {}};
    if (proto == "wireguard")
        return {LinkKind::Device, std::string(interface), proto, {}};
    // `option device '@wan'` (an alias, as wan6 usually is) rides on another interface.
    constexpr int deepest_alias = 4;
    if (device.rfind('@', 0) == 0) {
        if (depth >= deepest_alias)
            return {LinkKind::Unknown, {}, proto, "aliases nested too deep"};
        auto link = resolve(std::string_view(device).substr(1), depth + 1);
        link.proto = proto;
        return link;
    }
    // Before OpenWrt 21.02 a bridge was `option type 'bridge'` on the interface, named br-<name>.
    if (option_of(*section, "type") == "bridge")
        return {LinkKind::Device, fmt::format("br-{}", interface), proto, {}};
    if (device.empty())
        return {LinkKind::Unknown, {}, proto, "the network file gives it no device"};
    return {LinkKind::Device, device, proto, {}};
}

} // namespace uplink::cli
