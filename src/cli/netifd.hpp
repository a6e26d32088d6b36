// OpenWrt's /etc/config/network, read for what the mwan3 importer needs: the device behind a
// netifd interface name (mwan3 names interfaces, uplink names devices), and whether it is a
// modem. Private to the importer.
#pragma once

#include "core/core.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace uplink::cli {

enum class LinkKind { Unknown, Device, Modem };

struct NetifdLink {
    LinkKind kind = LinkKind::Unknown;
    std::string device; // Device: the one traffic leaves by (eth1, pppoe-wan); Modem: its control
                        // device, if given
    std::string proto; // netifd's protocol handler (dhcp, pppoe, qmi...)
    std::string why; // Unknown: why not
};

class NetifdInterfaces {
public:
    // No sections: no network file was given, and every link is Unknown.
    explicit NetifdInterfaces(std::vector<ConfigSection> sections = {});

    bool given() const { return given_; }
    NetifdLink resolve(std::string_view interface) const;

private:
    NetifdLink resolve(std::string_view interface, int depth) const;
    const ConfigSection* find(std::string_view interface) const;

    std::vector<ConfigSection> sections_;
    bool given_ = false;
};

} // namespace uplink::cli
