#include "daemon/settings.hpp"

#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>

namespace uplink::daemon {

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
        text_option("socket", "/run/uplink/uplink.sock", "the API's unix socket, for the uplink CLI"),
        integer_option("poll_interval", 10, 1, 3600, "seconds between signal and registration polls"),
        integer_option("at_timeout", 5, 1, 120, "seconds an AT command may take before it counts as failed"),
    };

    OptionSchema iccid = text_option("iccid", "", "ICCID prefix of the SIMs this PIN is for; empty: any SIM");
    OptionSchema pin = text_option("pin", "", "the SIM's PIN, 4 to 8 digits");
    pin.required = true;
    pin.secret = true;
    SectionSchema sim_section;
    sim_section.type = "sim";
    sim_section.options = {iccid, pin};

    auto choice_option = [](std::string name, std::string default_value, std::vector<std::string> choices,
                             std::string description) {
        OptionSchema option = text_option(std::move(name), std::move(default_value), std::move(description));
        option.type = OptionType::Enum;
        option.choices = std::move(choices);
        return option;
    };
    OptionSchema autoconnect = text_option("autoconnect", "1", "connect whenever the modem is registered");
    autoconnect.type = OptionType::Boolean;
    OptionSchema password = text_option("password", "", "the APN's password, if the operator gives one");
    password.secret = true;
    SectionSchema connection_section;
    connection_section.type = "connection";
    connection_section.single = true;
    connection_section.options = {
        autoconnect,
        text_option("apn", "", "the operator's access point name; empty: the network's default"),
        choice_option("auth", "none", {"none", "pap", "chap", "pap-chap"}, "how the APN checks username and password"),
        text_option("username", "", "the APN's username, if the operator gives one"),
        password,
        choice_option("ip_family", "ipv4", {"ipv4", "ipv6", "ipv4v6"}, "which IP versions to ask the network for"),
    };

    return {main_section, sim_section, connection_section};
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

} // namespace

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
    settings.modem.poll_interval = std::chrono::seconds(config.get_integer(section, "poll_interval"));
    settings.modem.command_timeout = std::chrono::seconds(config.get_integer(section, "at_timeout"));
    for (auto option : {"sysfs_root", "dev_root", "state_dir", "socket"})
        check_absolute(config, section, option, diagnostics);
    if (settings.socket_path.size() >= sizeof(sockaddr_un::sun_path))
        diagnostics.push_back({section.line, fmt::format("option 'socket': the path is {} characters long; a unix "
                                                         "socket's path must be shorter than {}",
                                                         settings.socket_path.size(), sizeof(sockaddr_un::sun_path))});

    for (const auto* sim : config.sections_of("sim")) {
        auto iccid = config.get(*sim, "iccid");
        auto pin = config.get(*sim, "pin");
        // ICCIDs are 19 or 20 digits (ITU-T E.118); a prefix is any start of one.
        if (!all_digits(iccid) || iccid.size() > 20)
            diagnostics.push_back({sim->line, fmt::format("option 'iccid': '{}' is not the start of an ICCID (up "
                                                          "to 20 digits, as `uplink modem` shows it)",
                                                          iccid)});
        // 3GPP TS 31.101 §9.3: a PIN is 4 to 8 decimal digits. The value is never shown.
        if (!all_digits(pin) || pin.size() < 4 || pin.size() > 8)
            diagnostics.push_back({sim->line, "option 'pin': a PIN is 4 to 8 digits"});
        settings.modem.pins.push_back({iccid, pin});
    }
    if (const auto* connection = config.section("connection", "")) {
        using modem::Authentication;
        using modem::IpFamilies;
        auto& wanted = settings.modem.connection;
        wanted.autoconnect = config.get_boolean(*connection, "autoconnect");
        wanted.apn = config.get(*connection, "apn");
        wanted.authentication = enum_of(config.get(*connection, "auth"),
            {Authentication::None, Authentication::Pap, Authentication::Chap, Authentication::PapOrChap});
        wanted.username = config.get(*connection, "username");
        wanted.password = config.get(*connection, "password");
        wanted.families = enum_of(config.get(*connection, "ip_family"),
            {IpFamilies::Ipv4, IpFamilies::Ipv6, IpFamilies::Both});
        // 3GPP TS 23.003 §9.1: an APN is at most 100 octets.
        if (wanted.apn.size() > 100)
            diagnostics.push_back({connection->line, "option 'apn': an APN is at most 100 characters"});
    }
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
        return LoadedSettings{*defaults, SettingsSource::Defaults};
    }
    auto config = Config::load(path, settings_schema(), diagnostics);
    if (!config)
        return config.error();
    auto settings = settings_from(*config, diagnostics);
    if (!settings)
        return settings.error();
    return LoadedSettings{*settings, SettingsSource::File};
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
    compare("socket", before.socket_path, after.socket_path);
    compare("poll_interval", before.modem.poll_interval, after.modem.poll_interval);
    compare("at_timeout", before.modem.command_timeout, after.modem.command_timeout);
    bool pins_differ = before.modem.pins.size() != after.modem.pins.size();
    for (std::size_t i = 0; !pins_differ && i < before.modem.pins.size(); ++i)
        pins_differ = before.modem.pins[i].iccid_prefix != after.modem.pins[i].iccid_prefix ||
                      before.modem.pins[i].pin != after.modem.pins[i].pin;
    if (pins_differ)
        changed.push_back("sim");
    compare("connection", before.modem.connection, after.modem.connection);
    return changed;
}

} // namespace uplink::daemon
