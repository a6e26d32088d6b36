// OpenWrt's network file, read for the interfaces of uplink's netifd protocol handler
// (packaging/openwrt/files/uplink.sh): the modems whose link netifd owns.
#include "daemon/settings.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace uplink::daemon {

namespace {

std::string option_of(const ConfigSection& section, const std::string& name)
{
    auto found = section.options.find(name);
    return found == section.options.end() ? std::string() : found->second;
}

std::string lower_case(std::string text)
{
    std::ranges::transform(text, text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

} // namespace

NetifdModems netifd_modems(std::string_view network_text)
{
    NetifdModems found;
    std::vector<ConfigDiagnostic> diagnostics;
    auto sections = parse_uci_sections(network_text, diagnostics);
    if (!sections) {
        for (const auto& diagnostic : diagnostics)
            found.warnings.push_back(fmt::format("not read: {}", to_string(diagnostic)));
        return found;
    }
    for (const auto& section : *sections) {
        if (section.type != "interface" || option_of(section, "proto") != "uplink")
            continue;
        auto name = section.name.empty() ? fmt::format("the interface at line {}", section.line)
                                         : fmt::format("interface '{}'", section.name);
        // The README writes `option modem 'WAN1'`, as the web UI names it; uplink's own files say wan1.
        auto modem = lower_case(option_of(section, "modem"));
        if (modem.empty()) {
            found.warnings.push_back(fmt::format("{} (proto uplink) names no modem: add option modem 'wan1' "
                                                 "(or the modem's USB path, as `uplink modems` shows it)", name));
            continue;
        }
        if (!wan::is_modem_reference(modem)) {
            found.warnings.push_back(fmt::format("{} (proto uplink): option modem '{}' is neither a modem's "
                                                 "number (wan1, wan2...) nor a USB path (1-1.2)", name, modem));
            continue;
        }
        if (std::ranges::find(found.modems, modem) != found.modems.end()) {
            found.warnings.push_back(fmt::format("{} (proto uplink) names modem {} as another interface does: "
                                                 "netifd would bring it up and down twice over", name, modem));
            continue;
        }
        found.modems.push_back(std::move(modem));
    }
    return found;
}

std::vector<std::string> read_netifd_network(Settings& settings)
{
    constexpr std::size_t largest = 1 << 20; // a router's is a few kilobytes
    settings.modem.netifd_modems.clear();
    const auto& path = settings.netifd_network;
    if (path.empty())
        return {};
    auto text = read_small_file(path, largest);
    if (!text)
        return {fmt::format("{}: not read: {}", path, text.error().message())};
    if (!*text)
        return {}; // Debian: no interface is netifd's
    auto found = netifd_modems(**text);
    for (const auto& wan : settings.wan.wans)
        if (std::ranges::find(found.modems, wan.modem) != found.modems.end())
            found.warnings.push_back(fmt::format("modem {} is netifd's, and config wan '{}' of uplink's own file names "
                "it too: netifd sets up its link, so uplink's policies have no routes through it; remove one of them",
                wan.modem, wan.name));
    settings.modem.netifd_modems = std::move(found.modems);
    for (auto& warning : found.warnings)
        warning = fmt::format("{}: {}", path, warning);
    return found.warnings;
}

} // namespace uplink::daemon
