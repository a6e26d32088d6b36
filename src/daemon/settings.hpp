// uplinkd's configuration: the schema of /etc/config/uplink (docs/config.md) and the typed
// settings read from it.
#pragma once

#include <core/core.hpp>
#include <modem/modem.hpp>
#include <wan/wan.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::daemon {

const Schema& settings_schema();

// `config web`: the HTTPS server for the web UI (docs/config.md). Off unless enabled: until
// authentication exists, anyone who reaches it controls the modems.
struct WebSettings {
    bool enabled = true;
    std::vector<std::string> listen;   // IP addresses; none: the LAN side, `interfaces`
    std::vector<std::string> interfaces = {"br-lan", "lo"};   // the LAN side, when `listen` is empty
    int https_port = 443;
    int http_port = 80;                // 0: no HTTP listener
    int max_connections = 32;
    int max_connections_per_client = 10;
    std::chrono::seconds idle_timeout{30};
    std::chrono::seconds request_timeout{10};

    bool operator==(const WebSettings&) const = default;
};

struct Settings {
    LogLevel log_level = LogLevel::Info;
    std::string socket_path;
    std::optional<unsigned> socket_group;   // its gid: members may read through the socket
    modem::Options modem;        // sysfs_root, dev_root, state_dir, intervals, profiles and rules
    std::string history_dir;     // as written: "" is state_dir; history_directory() resolves it
    int usage_reset_day = 1;     // the day of the month data usage periods start
    WebSettings web;
    wan::WanSettings wan;        // config wan, policy, traffic; config uplink's option policy
    std::string netifd_network;  // OpenWrt's /etc/config/network; "": none

    // Where usage.db and signal.db are.
    const std::string& history_directory() const { return history_dir.empty() ? modem.state_dir : history_dir; }
};

// Why the web server answers on a WAN whose interface and addresses these are, or "" when it
// does not: a wildcard or one of those addresses in `listen`, or the WAN's interface among the
// LAN's. uplinkd logs it as a warning: its firewall drops new connections from the WANs it
// manages, so the listener is open to the internet only where another firewall stands in.
std::string web_exposure_on_wan(const WebSettings& web, std::string_view interface,
                                const std::vector<std::string>& addresses);

// Settings from a parsed config, with the checks the schema table cannot express (PIN and
// ICCID digits, absolute paths); those diagnostics name the line of their `config` section.
Result<Settings> settings_from(const Config& config, std::vector<ConfigDiagnostic>& diagnostics);

Result<Settings> parse_settings(std::string_view text, std::vector<ConfigDiagnostic>& diagnostics);

// The modems that the `proto uplink` interfaces of OpenWrt's network file (`config interface
// 'wwan'`, `option proto 'uplink'`, `option modem 'wan1'`) give to netifd, and what is wrong with
// any such interface, one message each. The file is netifd's: a problem in it is a warning, and
// uplinkd runs on without that interface.
struct NetifdModems {
    std::vector<std::string> modems;        // `wan1` (lower case) or a USB path, each once
    std::vector<std::string> warnings;
};
NetifdModems netifd_modems(std::string_view network_text);

// Fills settings.modem.netifd_modems from the file at settings.netifd_network (none there: none),
// and gives the warnings, each naming the file.
std::vector<std::string> read_netifd_network(Settings& settings);

enum class SettingsSource { File, Defaults };

struct LoadedSettings {
    Settings settings;
    SettingsSource source = SettingsSource::File;
    std::vector<std::string> warnings;   // from the network file: netifd_modems()
};

// A missing file gives the defaults (SettingsSource::Defaults); any other problem, every
// diagnostic found. The network file is read too (read_netifd_network).
Result<LoadedSettings> load_settings(const std::string& path, std::vector<ConfigDiagnostic>& diagnostics);

// The names of the options whose values differ, for the reload log ("poll_interval", "sim").
std::vector<std::string> changed_settings(const Settings& before, const Settings& after);

// Of those, the ones a running uplinkd keeps until it restarts ("socket", "state_dir",
// "history_dir", "web"): the API socket and the web server's listeners are opened once, and the
// web login, the API tokens, the certificate and the stores stay where they were opened.
std::vector<std::string> restart_required(const Settings& before, const Settings& after);

} // namespace uplink::daemon
