#include "daemon/settings.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <sstream>

namespace uplink::daemon {

using group_entry = struct ::group;

namespace {

bool all_digits(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

OptionSchema text_option(std::string name, std::string default_value, std::string description)
{
    OptionSchema option;
    option.name = std::move(name);
    option.default_value = std::move(default_value);
    option.description = std::move(description);
    return option;
}

OptionSchema integer_option(std::string name, std::int64_t default_value, std::int64_t minimum,
                            std::int64_t maximum, std::string description)
{
    OptionSchema option;
    option.name = std::move(name);
    option.type = OptionType::Integer;
    option.default_value = std::to_string(default_value);
    option.minimum = minimum;
    option.maximum = maximum;
    option.description = std::move(description);
    return option;
}

Schema make_schema()
{
    OptionSchema log_level;
    log_level.name = "log_level";
    log_level.type = OptionType::Enum;
    log_level.default_value = "info";
    log_level.choices = {"debug", "info", "warning", "error"};
    log_level.description = "the least important log lines still written";

    SectionSchema main_section;
    main_section.type = "uplink";
    main_section.single = true;
    main_section.options = {
        log_level,
        text_option("sysfs_root", "/sys", "where sysfs is mounted (the emulator gives its own tree)"),
        text_option("dev_root", "/dev", "where device nodes are"),
        text_option("state_dir", "/var/lib/uplink", "uplinkd's own state, such as PINs a SIM refused"),
        text_option("history_dir", "", "where the history written every few minutes (data usage, signal) "
                                       "lives, such as RAM when state_dir is on flash; empty: state_dir"),
        text_option("socket", "/run/uplink/uplink.sock", "the API's unix socket, for the uplink CLI"),
        text_option("socket_group", "", "a group whose members may read through the socket (status, "
                                        "signal, events) but change nothing; empty: root alone"),
        integer_option("poll_interval", 10, 1, 3600, "seconds between signal and registration polls"),
        integer_option("at_timeout", 5, 1, 120, "seconds an AT command may take before it counts as failed"),
        text_option("default_profile", "default", "the profile used when no rule matches"),
        integer_option("usage_reset_day", 1, 1, 28, "the day of the month a data usage period starts"),
        wan::default_policy_option(),
        wan::resolv_file_option(),
        text_option("netifd_network", "/etc/config/network", "OpenWrt's network file: the modems its "
                                                             "`proto uplink` interfaces name are netifd's; empty: none"),
    };

    auto choice_option = [](std::string name, std::string default_value, std::vector<std::string> choices,
                             std::string description) {
        OptionSchema option = text_option(std::move(name), std::move(default_value), std::move(description));
        option.type = OptionType::Enum;
        option.choices = std::move(choices);
        return option;
    };
    auto secret_option = [](std::string name, std::string description) {
        OptionSchema option = text_option(std::move(name), "", std::move(description));
        option.secret = true;
        return option;
    };
    OptionSchema autoconnect = text_option("autoconnect", "1", "connect whenever the modem is registered");
    autoconnect.type = OptionType::Boolean;
    OptionSchema usb_power_cycle = text_option("usb_power_cycle", "0", "let recovery switch the USB port's power");
    usb_power_cycle.type = OptionType::Boolean;
    auto list_option = [](std::string name, std::string description) {
        OptionSchema option = text_option(std::move(name), "", std::move(description));
        option.type = OptionType::List;
        return option;
    };
    SectionSchema profile_section;
    profile_section.type = "profile";
    profile_section.options = {
        autoconnect,
        text_option("apn", "", "the operator's access point name; empty: from the operator table, else the network's"),
        choice_option("auth", "none", {"none", "pap", "chap", "pap-chap"}, "how the APN checks username and password"),
        text_option("username", "", "the APN's username, if the operator gives one"),
        secret_option("password", "the APN's password, if the operator gives one"),
        choice_option("ip_family", "ipv4", {"ipv4", "ipv6", "ipv4v6"}, "which IP versions to ask the network for"),
        secret_option("pin", "the SIM's PIN, 4 to 8 digits"),
        integer_option("mtu", 0, 0, 9000, "the link's MTU instead of the network's; 0: the network's"),
        integer_option("metric", 0, 0, 65535, "the default routes' metric; 0: 200 for WAN1, 210 for WAN2..."),
        integer_option("ttl", 0, 0, 255, "the TTL and IPv6 hop limit of packets leaving through the modem; 0: as routed"),
        list_option("probe_host", "IPv4 hosts pinged through the modem's interface to check its data path"),
        integer_option("probe_interval", 60, 10, 3600, "seconds between data-path probes"),
        integer_option("recovery_backoff", 15, 1, 3600, "seconds the first recovery step waits, doubling to 30 min"),
        usb_power_cycle,
        choice_option("rat", "auto", {"auto", "5g", "lte", "3g", "2g"}, "which radio access technologies the modem may use: all it has, or one alone"),
        text_option("lte_bands", "", "LTE bands to lock the modem to, e.g. '3 7 20'; empty: no lock"),
        text_option("nr_bands", "", "5G NR bands to lock the modem to, e.g. '78 28', standalone and with LTE; empty: no lock"),
        text_option("operator", "", "the network to register on, by MCC and MNC (23415); empty: automatic"),
    };

    OptionSchema rule_profile = text_option("profile", "", "the profile SIMs matching this rule use");
    rule_profile.required = true;
    SectionSchema rule_section;
    rule_section.type = "rule";
    rule_section.options = {
        rule_profile,
        text_option("iccid", "", "the start of the SIM's ICCID"),
        text_option("imsi", "", "the start of the SIM's IMSI"),
        text_option("mcc_mnc", "", "the SIM's home network, MCC and MNC (23415)"),
        text_option("imei", "", "the modem's IMEI"),
        text_option("model", "", "the modem's model, as it reports it (EC25)"),
    };

    OptionSchema web_enabled = text_option("enabled", "1", "serve the web UI and the API over HTTPS, behind the admin login");
    web_enabled.type = OptionType::Boolean;
    SectionSchema web_section;
    web_section.type = "web";
    web_section.single = true;
    web_section.options = {
        web_enabled,
        list_option("listen", "IP addresses to listen on (0.0.0.0 and :: for every one, the WANs' too); none: "
                              "every address, for connections through the LAN interfaces only"),
        list_option("interface", "the LAN interfaces whose connections the web UI takes when no listen address "
                                 "is given; none: br-lan and lo"),
        integer_option("https_port", 443, 1, 65535, "the HTTPS port"),
        integer_option("http_port", 80, 0, 65535, "the plain HTTP port, which only redirects to HTTPS; 0: none"),
        integer_option("max_connections", 32, 1, 1024, "HTTPS and HTTP connections open at once; more are closed"),
        integer_option("max_connections_per_client", 10, 1, 1024,
                       "of those, from one client (an IPv4 address, an IPv6 /64); more are closed"),
        integer_option("idle_timeout", 30, 1, 3600, "seconds a kept-alive connection may wait for its next request"),
        integer_option("request_timeout", 10, 1, 300, "seconds for a whole request, or a reply"),
    };

    Schema schema {main_section, profile_section, rule_section, web_section};
    for (auto& section : wan::wan_schema())
        schema.push_back(std::move(section));
    return schema;
}

template <typename Enum>
Enum enum_of(std::string_view text, std::initializer_list<Enum> values)
{
    for (auto value : values)
        if (modem::to_string(value) == text)
            return value;
    return *values.begin(); // the schema allows only the names above
}

// Paths are used as given by a daemon started from anywhere; relative ones would depend on its cwd.
void check_absolute(const Config& config, const ConfigSection& section, std::string_view option,
                    std::vector<ConfigDiagnostic>& diagnostics)
{
    auto value = config.get(section, option);
    if (value.empty() || value.front() != '/')
        diagnostics.push_back({section.line, fmt::format("option '{}': '{}' is not an absolute path (one that "
                                                         "starts with /)",
                                                         option, value)});
}

// Digits only, of a length in [minimum, maximum]; otherwise a diagnostic naming the option.
void check_digits(const ConfigSection& section, std::string_view option, std::string_view value,
    std::size_t minimum, std::size_t maximum, std::string_view what, std::vector<ConfigDiagnostic>& diagnostics)
{
    if (value.empty() || (all_digits(value) && value.size() >= minimum && value.size() <= maximum))
        return;
    diagnostics.push_back({section.line, fmt::format("option '{}': '{}' is not {}", option, value, what)});
}

// 3GPP TS 36.101 numbers E-UTRA bands from 1, and Quectel's masks reach band 128; TS 38.101-1
// and -2 number NR bands n1 to n263 so far.
constexpr int highest_lte_band = 128;
constexpr int highest_nr_band = 512;

// "3 7,20" → {3, 7, 20}: ascending, once each; a word that is no band is a diagnostic.
std::vector<int> bands_from(const Config& config, const ConfigSection& section, std::string_view option,
    std::string_view kind, int highest, std::vector<ConfigDiagnostic>& diagnostics)
{
    auto text = config.get(section, option);
    std::replace(text.begin(), text.end(), ',', ' ');
    std::istringstream words(text);
    std::vector<int> bands;
    for (std::string word; words >> word;) {
        auto band = all_digits(word) && word.size() <= 3 ? std::stoi(word) : 0;
        if (band < 1 || band > highest) {
            diagnostics.push_back({section.line, fmt::format("option '{}': '{}' is not {} band (1 to {})", option, word, kind, highest)});
            continue;
        }
        bands.push_back(band);
    }
    std::sort(bands.begin(), bands.end());
    bands.erase(std::unique(bands.begin(), bands.end()), bands.end());
    return bands;
}

modem::RadioSettings radio_from(const Config& config, const ConfigSection& section, std::vector<ConfigDiagnostic>& diagnostics)
{
    using modem::RatPreference;
    modem::RadioSettings radio;
    radio.rat = enum_of(config.get(section, "rat"),
        {RatPreference::Auto, RatPreference::Nr, RatPreference::Lte, RatPreference::Umts, RatPreference::Gsm});
    radio.lte_bands = bands_from(config, section, "lte_bands", "an LTE", highest_lte_band, diagnostics);
    radio.nr_bands = bands_from(config, section, "nr_bands", "a 5G NR", highest_nr_band, diagnostics);
    radio.network = config.get(section, "operator");
    if (radio.network == "auto")
        radio.network.clear();
    // 3GPP TS 23.003 §2.2: a 3-digit MCC and a 2- or 3-digit MNC.
    check_digits(section, "operator", radio.network, 5, 6, "an MCC and MNC (5 or 6 digits) or 'auto'", diagnostics);
    return radio;
}

modem::Profile profile_from(const Config& config, const ConfigSection& section, std::vector<ConfigDiagnostic>& diagnostics)
{
    using modem::Authentication;
    using modem::IpFamilies;
    modem::Profile profile;
    profile.name = section.name;
    auto& connection = profile.connection;
    connection.autoconnect = config.get_boolean(section, "autoconnect");
    connection.apn = config.get(section, "apn");
    connection.authentication = enum_of(config.get(section, "auth"),
        {Authentication::None, Authentication::Pap, Authentication::Chap, Authentication::PapOrChap});
    connection.username = config.get(section, "username");
    connection.password = config.get(section, "password");
    connection.families = enum_of(config.get(section, "ip_family"), {IpFamilies::Ipv4, IpFamilies::Ipv6, IpFamilies::Both});
    if (auto mtu = config.get_integer(section, "mtu"); mtu != 0)
        connection.mtu = static_cast<std::uint32_t>(mtu);
    connection.route_metric = static_cast<std::uint32_t>(config.get_integer(section, "metric"));
    if (auto ttl = config.get_integer(section, "ttl"); ttl != 0)
        connection.ttl = static_cast<std::uint8_t>(ttl);
    profile.pin = config.get(section, "pin");
    auto& watchdog = profile.watchdog;
    if (auto found = section.lists.find("probe_host"); found != section.lists.end())
        watchdog.probe_hosts = found->second;
    watchdog.probe_interval = std::chrono::seconds(config.get_integer(section, "probe_interval"));
    watchdog.first_backoff = std::chrono::seconds(config.get_integer(section, "recovery_backoff"));
    watchdog.usb_power_cycle = config.get_boolean(section, "usb_power_cycle");
    profile.radio = radio_from(config, section, diagnostics);
    for (const auto& host : watchdog.probe_hosts) {
        in_addr address {};
        if (::inet_pton(AF_INET, host.c_str(), &address) != 1)
            diagnostics.push_back({section.line, fmt::format("list 'probe_host': '{}' is not an IPv4 address", host)});
    }

    if (section.name.empty())
        diagnostics.push_back({section.line, "a profile needs a name, as rules refer to it: config profile 'home'"});
    // 3GPP TS 23.003 §9.1: an APN is at most 100 octets.
    if (connection.apn.size() > 100)
        diagnostics.push_back({section.line, "option 'apn': an APN is at most 100 characters"});
    // Quectel's AT+QICSGP takes at most 127 bytes of each, the tightest of the modems' limits
    // (QMI's are 16-bit lengths); a longer one would be cut by some modem, not refused by it.
    constexpr std::size_t longest_credential = 127;
    if (connection.username.size() > longest_credential)
        diagnostics.push_back({section.line, fmt::format("option 'username': at most {} characters", longest_credential)});
    if (connection.password.size() > longest_credential)
        diagnostics.push_back({section.line, fmt::format("option 'password': at most {} characters (the value is "
                                                         "never shown)", longest_credential)});
    // 3GPP TS 31.101 §9.3: a PIN is 4 to 8 decimal digits. The value is never shown.
    if (!profile.pin.empty() && (!all_digits(profile.pin) || profile.pin.size() < 4 || profile.pin.size() > 8))
        diagnostics.push_back({section.line, "option 'pin': a PIN is 4 to 8 digits"});
    // RFC 791: every IPv4 host takes 576-octet datagrams; below that a link is of no use.
    if (connection.mtu && *connection.mtu < 576)
        diagnostics.push_back({section.line, fmt::format("option 'mtu': {} is below 576 (0 keeps the network's)", *connection.mtu)});
    return profile;
}

modem::SimRule rule_from(const Config& config, const ConfigSection& section, std::size_t number,
    std::vector<ConfigDiagnostic>& diagnostics)
{
    modem::SimRule rule;
    rule.name = section.name.empty() ? fmt::format("rule {}", number) : section.name;
    rule.profile = config.get(section, "profile");
    rule.iccid_prefix = config.get(section, "iccid");
    rule.imsi_prefix = config.get(section, "imsi");
    rule.mcc_mnc = config.get(section, "mcc_mnc");
    rule.imei = config.get(section, "imei");
    rule.model = config.get(section, "model");
    // ICCIDs are 19 or 20 digits (ITU-T E.118), IMSIs up to 15 (3GPP TS 23.003 §2.2), an MCC
    // 3 digits and an MNC 2 or 3, an IMEI 15 (§6.2.1); a prefix is any start of one.
    check_digits(section, "iccid", rule.iccid_prefix, 1, 20, "the start of an ICCID (up to 20 digits)", diagnostics);
    check_digits(section, "imsi", rule.imsi_prefix, 1, 15, "the start of an IMSI (up to 15 digits)", diagnostics);
    check_digits(section, "mcc_mnc", rule.mcc_mnc, 5, 6, "an MCC and MNC (5 or 6 digits, as 23415)", diagnostics);
    check_digits(section, "imei", rule.imei, 15, 15, "an IMEI (15 digits)", diagnostics);
    return rule;
}

// Profiles, then rules in file order; every rule must name a profile, and so must
// default_profile unless it is "default" (built in: the network's defaults).
modem::ProfilePolicy policy_from(const Config& config, const ConfigSection& main_section,
    std::vector<ConfigDiagnostic>& diagnostics)
{
    modem::ProfilePolicy policy;
    std::set<std::string> names;
    for (const auto* section : config.sections_of("profile")) {
        policy.profiles.push_back(profile_from(config, *section, diagnostics));
        names.insert(section->name);
    }
    policy.default_profile = config.get(main_section, "default_profile");
    if (policy.default_profile != "default" && !names.contains(policy.default_profile))
        diagnostics.push_back({main_section.line,
            fmt::format("option 'default_profile': there is no profile '{}'", policy.default_profile)});
    std::size_t number = 0;
    for (const auto* section : config.sections_of("rule")) {
        auto rule = rule_from(config, *section, ++number, diagnostics);
        if (rule.profile != "default" && !names.contains(rule.profile))
            diagnostics.push_back({section->line, fmt::format("option 'profile': there is no profile '{}'", rule.profile)});
        policy.rules.push_back(std::move(rule));
    }
    return policy;
}

WebSettings web_from(const Config& config, std::vector<ConfigDiagnostic>& diagnostics)
{
    WebSettings web;
    const ConfigSection* section = config.section("web", "");
    if (!section)
        return web;
    web.enabled = config.get_boolean(*section, "enabled");
    web.https_port = static_cast<int>(config.get_integer(*section, "https_port"));
    web.http_port = static_cast<int>(config.get_integer(*section, "http_port"));
    web.max_connections = static_cast<int>(config.get_integer(*section, "max_connections"));
    web.max_connections_per_client = static_cast<int>(config.get_integer(*section, "max_connections_per_client"));
    web.idle_timeout = std::chrono::seconds(config.get_integer(*section, "idle_timeout"));
    web.request_timeout = std::chrono::seconds(config.get_integer(*section, "request_timeout"));
    if (auto found = section->lists.find("listen"); found != section->lists.end())
        web.listen = found->second;
    if (auto found = section->lists.find("interface"); found != section->lists.end())
        web.interfaces = found->second;
    for (const auto& interface : web.interfaces)
        if (!is_interface_name(interface))
            diagnostics.push_back({section->line, fmt::format("list 'interface': '{}' is not an interface name "
                                                              "(1 to 15 characters, no '/', ':' or space)", interface)});
    std::set<std::string> seen;
    for (const auto& address : web.listen) {
        in6_addr scratch {};
        if (::inet_pton(AF_INET, address.c_str(), &scratch) != 1 && ::inet_pton(AF_INET6, address.c_str(), &scratch) != 1)
            diagnostics.push_back({section->line, fmt::format("list 'listen': '{}' is not an IPv4 or IPv6 address "
                                                              "(such as 192.168.1.1, 0.0.0.0 or ::)", address)});
        else if (!seen.insert(address).second)
            diagnostics.push_back({section->line, fmt::format("list 'listen': '{}' is given twice", address)});
    }
    if (web.http_port == web.https_port)
        diagnostics.push_back({section->line, fmt::format("option 'http_port': {} is the HTTPS port too; give "
                                                          "another, or 0 for no HTTP", web.http_port)});
    return web;
}

} // namespace

std::string web_exposure_on_wan(const WebSettings& web, std::string_view interface,
                                const std::vector<std::string>& addresses)
{
    if (!web.enabled)
        return "";
    if (web.listen.empty()) {
        if (std::ranges::find(web.interfaces, interface) != web.interfaces.end())
            return fmt::format("config web lists the WAN '{}' as a LAN interface", interface);
        return "";
    }
    for (const auto& listen : web.listen) {
        if (listen == "0.0.0.0" || listen == "::")
            return fmt::format("config web listens on {}, which takes in {}'s addresses", listen, interface);
        if (std::ranges::find(addresses, listen) != addresses.end())
            return fmt::format("config web listens on {}, an address of the WAN '{}'", listen, interface);
    }
    return "";
}

const Schema& settings_schema()
{
    static const Schema schema = make_schema();
    return schema;
}

Result<Settings> settings_from(const Config& config, std::vector<ConfigDiagnostic>& diagnostics)
{
    diagnostics.clear();
    // Without a `config uplink` section every option has its default; Config::get gives the
    // schema's default for any section of the right type.
    ConfigSection defaults;
    defaults.type = "uplink";
    const ConfigSection* main_section = config.section("uplink", "");
    const ConfigSection& section = main_section ? *main_section : defaults;

    Settings settings;
    settings.log_level = log_level_from_string(config.get(section, "log_level")).value_or(LogLevel::Info);
    settings.socket_path = config.get(section, "socket");
    settings.modem.sysfs_root = config.get(section, "sysfs_root");
    settings.modem.dev_root = config.get(section, "dev_root");
    settings.modem.state_dir = config.get(section, "state_dir");
    settings.history_dir = config.get(section, "history_dir");
    if (!settings.history_dir.empty())
        check_absolute(config, section, "history_dir", diagnostics);
    settings.modem.poll_interval = std::chrono::seconds(config.get_integer(section, "poll_interval"));
    settings.modem.command_timeout = std::chrono::seconds(config.get_integer(section, "at_timeout"));
    settings.usage_reset_day = static_cast<int>(config.get_integer(section, "usage_reset_day"));
    settings.netifd_network = config.get(section, "netifd_network");
    if (!settings.netifd_network.empty())
        check_absolute(config, section, "netifd_network", diagnostics);
    for (auto option : {"sysfs_root", "dev_root", "state_dir", "socket"})
        check_absolute(config, section, option, diagnostics);
    if (auto group = config.get(section, "socket_group"); !group.empty()) {
        // getgrnam_r(3): the buffer's size is the system's suggestion, or a page.
        long suggested = ::sysconf(_SC_GETGR_R_SIZE_MAX);
        std::vector<char> buffer(suggested > 0 ? static_cast<std::size_t>(suggested) : 4096);
        group_entry entry {};
        group_entry* found = nullptr;
        if (::getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found) == 0 && found)
            settings.socket_group = static_cast<unsigned>(found->gr_gid);
        else
            diagnostics.push_back({section.line, fmt::format("option 'socket_group': there is no group '{}' "
                                                             "(groupadd it, or leave the option out)", group)});
    }
    if (settings.socket_path.size() >= sizeof(sockaddr_un::sun_path))
        diagnostics.push_back({section.line, fmt::format("option 'socket': the path is {} characters long; a unix "
                                                         "socket's path must be shorter than {}",
                                                         settings.socket_path.size(), sizeof(sockaddr_un::sun_path))});

    settings.modem.policy = policy_from(config, section, diagnostics);
    settings.web = web_from(config, diagnostics);
    settings.wan = wan::wan_settings_from(config, diagnostics);
    if (!diagnostics.empty())
        return make_error_code(ConfigErrc::BadValue);
    return settings;
}

Result<Settings> parse_settings(std::string_view text, std::vector<ConfigDiagnostic>& diagnostics)
{
    auto config = Config::parse(text, settings_schema(), diagnostics);
    if (!config)
        return config.error();
    return settings_from(*config, diagnostics);
}

Result<LoadedSettings> load_settings(const std::string& path, std::vector<ConfigDiagnostic>& diagnostics)
{
    diagnostics.clear();
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0 && errno == ENOENT) {
        auto defaults = parse_settings("", diagnostics);
        if (!defaults)
            return defaults.error();
        LoadedSettings loaded {*defaults, SettingsSource::Defaults, {}};
        loaded.warnings = read_netifd_network(loaded.settings);
        return loaded;
    }
    auto config = Config::load(path, settings_schema(), diagnostics);
    if (!config)
        return config.error();
    auto settings = settings_from(*config, diagnostics);
    if (!settings)
        return settings.error();
    LoadedSettings loaded {*settings, SettingsSource::File, {}};
    loaded.warnings = read_netifd_network(loaded.settings);
    return loaded;
}

std::vector<std::string> changed_settings(const Settings& before, const Settings& after)
{
    std::vector<std::string> changed;
    auto compare = [&changed](const char* name, const auto& left, const auto& right) {
        if (left != right)
            changed.push_back(name);
    };
    compare("log_level", before.log_level, after.log_level);
    compare("sysfs_root", before.modem.sysfs_root, after.modem.sysfs_root);
    compare("dev_root", before.modem.dev_root, after.modem.dev_root);
    compare("state_dir", before.modem.state_dir, after.modem.state_dir);
    compare("history_dir", before.history_dir, after.history_dir);
    compare("socket", before.socket_path, after.socket_path);
    compare("socket_group", before.socket_group, after.socket_group);
    compare("poll_interval", before.modem.poll_interval, after.modem.poll_interval);
    compare("at_timeout", before.modem.command_timeout, after.modem.command_timeout);
    compare("usage_reset_day", before.usage_reset_day, after.usage_reset_day);
    compare("default_profile", before.modem.policy.default_profile, after.modem.policy.default_profile);
    compare("profiles", before.modem.policy.profiles, after.modem.policy.profiles);
    compare("rules", before.modem.policy.rules, after.modem.policy.rules);
    compare("web", before.web, after.web);
    compare("wan", before.wan, after.wan);
    compare("netifd_network", before.netifd_network, after.netifd_network);
    compare("netifd", before.modem.netifd_modems, after.modem.netifd_modems);
    return changed;
}

std::vector<std::string> restart_required(const Settings& before, const Settings& after)
{
    auto changed = changed_settings(before, after);
    std::erase_if(changed, [](const std::string& name) { return name != "socket" && name != "socket_group" && name != "state_dir" && name != "history_dir"
            && name != "web"; });
    return changed;
}

} // namespace uplink::daemon
