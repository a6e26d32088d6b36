// `config wan`, `config policy` and `config traffic` (docs/failover.md "Configuration"): the
// schema, and the checks a schema table cannot express, each a diagnostic naming the section's
// line and the option.
#include "wan/wan.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace uplink::wan {

namespace {

OptionSchema option(
    std::string name, OptionType type, std::string default_value, std::string description)
{
    OptionSchema schema;
    schema.name = std::move(name);
    schema.type = type;
    schema.default_value = std::move(default_value);
    schema.description = std::move(description);
    return schema;
}

OptionSchema choice(std::string name, std::string default_value, std::vector<std::string> choices,
    std::string description)
{
    auto schema = option(
        std::move(name), OptionType::Enum, std::move(default_value), std::move(description));
    schema.choices = std::move(choices);
    return schema;
}

OptionSchema integer(std::string name, std::int64_t default_value, std::int64_t minimum,
    std::int64_t maximum, std::string description)
{
    auto schema = option(std::move(name), OptionType::Integer, std::to_string(default_value),
        std::move(description));
    schema.minimum = minimum;
    schema.maximum = maximum;
    return schema;
}

std::optional<unsigned> parse_number(std::string_view text, unsigned minimum, unsigned maximum)
{
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < minimum
        || value > maximum)
        return std::nullopt;
    return value;
}

// "5060" or "5060-5061".
std::optional<PortRange> parse_ports(std::string_view text)
{
    auto dash = text.find('-');
    auto first = parse_number(text.substr(0, dash), 1, 65535);
    auto last
        = dash == std::string_view::npos ? first : parse_number(text.substr(dash + 1), 1, 65535);
    if (!first || !last || *first > *last)
        return std::nullopt;
    return PortRange {static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last)};
}


struct Diagnose {
    const ConfigSection& section;
    std::vector<ConfigDiagnostic>& diagnostics;

    template <typename... Args>
    void operator()(fmt::format_string<Args...> format, Args&&... args) const
    {
        diagnostics.push_back({section.line, fmt::format(format, std::forward<Args>(args)...)});
    }
};

void check_name(const ConfigSection& section, std::string_view what, const Diagnose& diagnose)
{
    if (section.name.empty())
        diagnose("a {} needs a name, as policies and metrics refer to it: config {} 'name'", what,
            section.type);
    else if (!is_valid_name(section.name))
        diagnose("'{}' cannot name a {}: lower-case letters, digits and '_', at most 15",
            section.name, what);
}

WanConfig wan_from(
    const Config& config, const ConfigSection& section, std::vector<ConfigDiagnostic>& diagnostics)
{
    Diagnose diagnose {section, diagnostics};
    check_name(section, "WAN", diagnose);
    WanConfig wan;
    wan.name = section.name;
    wan.interface = config.get(section, "interface");
    wan.modem = config.get(section, "modem");
    if (wan.interface.empty() == wan.modem.empty())
        diagnose("a WAN needs exactly one of option 'interface' (a wired WAN) and option 'modem' "
                 "(a cellular one)");
    if (!wan.interface.empty() && !is_interface_name(wan.interface))
        diagnose("option 'interface': '{}' is not an interface name (1 to 15 characters, no '/', "
                 "':' or space)",
            wan.interface);
    if (!wan.modem.empty() && !is_modem_reference(wan.modem))
        diagnose("option 'modem': '{}' is neither a modem's number (wan1, wan2...) nor a USB path "
                 "(1-1.2)",
            wan.modem);
    if (auto found = section.lists.find("track_ip"); found != section.lists.end())
        wan.track_ips = found->second;
    else
        wan.track_ips = {"1.1.1.1", "8.8.8.8", "9.9.9.9"};
    auto method = config.get(section, "track_method");
    for (auto candidate : {TrackMethod::Ping, TrackMethod::Tcp, TrackMethod::Dns})
        if (to_string(candidate) == method)
            wan.track_method = candidate;
    wan.track_port = static_cast<std::uint16_t>(config.get_integer(section, "track_port"));
    if (section.options.contains("track_port") && wan.track_method != TrackMethod::Tcp)
        diagnose("option 'track_port': only track_method 'tcp' connects to a port");
    for (const auto& target : wan.track_ips) {
        auto address = net::parse_address(target);
        if (!address)
            diagnose("list 'track_ip': '{}' is not an IPv4 or IPv6 address", target);
        else if (address->family == net::Family::Ipv6 && wan.track_method == TrackMethod::Ping)
            diagnose("list 'track_ip': '{}': ping probes IPv4 targets; track_method 'tcp' or 'dns' probes IPv6 ones",
                target);
    }
    if (auto found = section.lists.find("dns"); found != section.lists.end())
        wan.dns = found->second;
    for (const auto& server : wan.dns)
        if (!net::parse_address(server))
            diagnose("list 'dns': '{}' is not an IPv4 or IPv6 address", server);
    // Cellular data is metered unless the user says otherwise; a wire is not.
    wan.metered = section.options.contains("metered") ? config.get_boolean(section, "metered")
                                                      : !wan.modem.empty();
    wan.standby = config.get_boolean(section, "standby");
    // In standby a WAN is probed within a tenth of the usual budget: one probe in about 47 s.
    wan.probe_budget_mb = wan.standby && !section.options.contains("probe_budget_mb")
        ? standby_probe_budget_mb
        : static_cast<int>(config.get_integer(section, "probe_budget_mb"));
    wan.enabled = config.get_boolean(section, "enabled");
    wan.nat66 = config.get_boolean(section, "nat66");
    wan.share_prefix = config.get(section, "share_prefix");
    if (!wan.share_prefix.empty() && !is_interface_name(wan.share_prefix))
        diagnose("option 'share_prefix': '{}' is not an interface name (1 to 15 characters, no '/', "
                 "':' or space)",
            wan.share_prefix);
    else if (!wan.share_prefix.empty() && wan.modem.empty())
        diagnose("option 'share_prefix': only a modem's network routes it a whole /64 to share; a wired "
                 "WAN's LAN prefix is delegated to the LAN by its own DHCPv6 client");
    if (wan.standby && !wan.metered)
        diagnose("option 'standby': only a metered WAN waits in standby");
    return wan;
}

PolicyConfig policy_from(const Config& config, const ConfigSection& section,
    const std::set<std::string>& wans, std::vector<ConfigDiagnostic>& diagnostics)
{
    Diagnose diagnose {section, diagnostics};
    check_name(section, "policy", diagnose);
    PolicyConfig policy;
    policy.name = section.name;
    policy.last_resort
        = config.get(section, "last_resort") == "main" ? LastResort::Main : LastResort::Unreachable;
    policy.sticky = std::chrono::seconds(config.get_integer(section, "sticky"));
    policy.failback = config.get(section, "failback") == "all" ? Failback::All : Failback::New;
    std::set<std::string> seen;
    if (auto found = section.lists.find("tier"); found != section.lists.end())
        for (const auto& text : found->second) {
            auto tier = parse_tier(text);
            if (auto* error = std::get_if<TierError>(&tier)) {
                diagnose("list 'tier': '{}': {}", text, error->message);
                continue;
            }
            for (const auto& member : std::get<Tier>(tier)) {
                if (!wans.contains(member.wan))
                    diagnose("list 'tier': there is no WAN '{}' (config wan '{}')", member.wan,
                        member.wan);
                else if (!seen.insert(member.wan).second)
                    diagnose("list 'tier': WAN '{}' is in the policy twice", member.wan);
            }
            policy.tiers.push_back(std::get<Tier>(std::move(tier)));
        }
    // No tiers is a policy too: its traffic goes to its last resort at once (`main`: left to the
    // main routing table, as mwan3's `default` policy does; `unreachable`: refused).
    return policy;
}

// An IPv4 prefix in a rule makes it an IPv4 rule, and so on; a rule whose fields disagree
// could never match.
void check_families(const TrafficRule& rule, const Diagnose& diagnose)
{
    std::optional<net::Family> family;
    if (rule.family == FamilyFilter::Ipv4)
        family = net::Family::Ipv4;
    if (rule.family == FamilyFilter::Ipv6)
        family = net::Family::Ipv6;
    for (const auto* prefix :
        {rule.source ? &*rule.source : nullptr, rule.destination ? &*rule.destination : nullptr}) {
        if (!prefix)
            continue;
        if (family && *family != prefix->address.family)
            diagnose("{} and {} cannot both match: one packet is IPv4 or IPv6",
                net::to_string(*prefix),
                rule.family == FamilyFilter::Any
                    ? "the other address"
                    : fmt::format("family '{}'", to_string(rule.family)));
        family = prefix->address.family;
    }
}

TrafficRule traffic_from(const Config& config, const ConfigSection& section, std::size_t number,
    const std::set<std::string>& policies, std::vector<ConfigDiagnostic>& diagnostics)
{
    Diagnose diagnose {section, diagnostics};
    TrafficRule rule;
    rule.name = section.name.empty() ? fmt::format("traffic {}", number) : section.name;
    for (auto [name, field] :
        {std::pair {"src_ip", &rule.source}, std::pair {"dest_ip", &rule.destination}}) {
        auto text = config.get(section, name);
        if (text.empty())
            continue;
        *field = net::parse_prefix(text);
        if (!*field)
            diagnose("option '{}': '{}' is not an address or a prefix (192.168.1.50, 10.0.0.0/8, "
                     "2001:db8::/32)",
                name, text);
    }
    auto protocol = config.get(section, "proto");
    for (auto candidate : {Protocol::All, Protocol::Tcp, Protocol::Udp, Protocol::Icmp})
        if (to_string(candidate) == protocol)
            rule.protocol = candidate;
    for (auto [name, field] : {std::pair {"src_port", &rule.source_port},
             std::pair {"dest_port", &rule.destination_port}}) {
        auto text = config.get(section, name);
        if (text.empty())
            continue;
        *field = parse_ports(text);
        if (!*field)
            diagnose("option '{}': '{}' is not a port (1 to 65535) or a range of them (5060-5061)",
                name, text);
        else if (rule.protocol != Protocol::Tcp && rule.protocol != Protocol::Udp)
            diagnose("option '{}': ports need option proto 'tcp' or 'udp'", name);
    }
    auto family = config.get(section, "family");
    for (auto candidate : {FamilyFilter::Any, FamilyFilter::Ipv4, FamilyFilter::Ipv6})
        if (to_string(candidate) == family)
            rule.family = candidate;
    check_families(rule, diagnose);
    rule.policy = config.get(section, "policy");
    if (!policies.contains(rule.policy))
        diagnose("option 'policy': there is no policy '{}'", rule.policy);
    return rule;
}

// docs/failover.md: with no `config policy 'failover'`, the wired WANs first, then the modems,
// one a tier.
PolicyConfig implicit_failover(const std::vector<WanConfig>& wans)
{
    PolicyConfig policy;
    policy.name = "failover";
    policy.implicit = true;
    for (bool wired : {true, false})
        for (const auto& wan : wans)
            if (wan.modem.empty() == wired)
                policy.tiers.push_back({{wan.name, 1}});
    return policy;
}

} // namespace

std::string_view to_string(TrackMethod method)
{
    switch (method) {
    case TrackMethod::Ping: return "ping";
    case TrackMethod::Tcp: return "tcp";
    case TrackMethod::Dns: return "dns";
    }
    return "?";
}

std::string_view to_string(LastResort last_resort)
{
    return last_resort == LastResort::Main ? "main" : "unreachable";
}

std::string_view to_string(Failback failback)
{
    return failback == Failback::All ? "all" : "new";
}

std::string_view to_string(Protocol protocol)
{
    switch (protocol) {
    case Protocol::All:
        return "all";
    case Protocol::Tcp:
        return "tcp";
    case Protocol::Udp:
        return "udp";
    case Protocol::Icmp:
        return "icmp";
    }
    return "all";
}

std::string_view to_string(FamilyFilter family)
{
    switch (family) {
    case FamilyFilter::Any:
        return "any";
    case FamilyFilter::Ipv4:
        return "ipv4";
    case FamilyFilter::Ipv6:
        return "ipv6";
    }
    return "any";
}

bool is_valid_name(std::string_view name)
{
    return !name.empty() && name.size() <= 15 && std::ranges::all_of(name, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::variant<Tier, TierError> parse_tier(std::string_view text)
{
    Tier tier;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find_first_of(" \t", at);
        if (end == std::string_view::npos)
            end = text.size();
        auto word = text.substr(at, end - at);
        at = end + 1;
        if (word.empty())
            continue;
        auto colon = word.find(':');
        TierMember member {std::string(word.substr(0, colon)), 1};
        if (!is_valid_name(member.wan))
            return TierError {fmt::format("'{}' is not a WAN name", member.wan)};
        if (colon != std::string_view::npos) {
            auto weight = parse_number(word.substr(colon + 1), 1, 1000);
            if (!weight)
                return TierError {fmt::format(
                    "weight '{}' is not a whole number from 1 to 1000", word.substr(colon + 1))};
            member.weight = *weight;
        }
        tier.push_back(std::move(member));
    }
    if (tier.empty())
        return TierError {"a tier names at least one WAN"};
    return tier;
}

std::vector<SectionSchema> wan_schema()
{
    SectionSchema wan;
    wan.type = "wan";
    wan.options = {
        option("interface", OptionType::String, "", "the wired WAN's network interface"),
        option("modem", OptionType::String, "",
            "the cellular WAN's modem: wan1, wan2... or a USB path (1-1.2)"),
        option("track_ip", OptionType::List, "",
            "probe targets, in different networks; none: 1.1.1.1 8.8.8.8 9.9.9.9"),
        choice("track_method", "ping", {"ping", "tcp", "dns"},
            "how probes ask: ICMP echo, a TCP connection attempt (accepted or refused), a DNS query "
            "(the targets are DNS servers)"),
        integer("track_port", 443, 1, 65535, "the port of TCP probes"),
        option("dns", OptionType::List, "",
            "the WAN's DNS servers; none: a modem's from its connection, a wired WAN's from its "
            "dhclient lease"),
        option("metered", OptionType::Boolean, "",
            "probe slowly while idle, within probe_budget_mb; "
            "default: 0 wired, 1 cellular"),
        integer("probe_budget_mb", 50, 1, 100000, "probe megabytes a month on a metered WAN; 5 in standby"),
        option("standby", OptionType::Boolean, "0",
            "a metered WAN that carries nothing while another WAN of its policy is alive, probed "
            "within a small budget"),
        option("enabled", OptionType::Boolean, "1", "0: never used by a policy"),
        option("nat66", OptionType::Boolean, "0",
            "masquerade the LAN's IPv6 leaving by this WAN to its address (NAT66), for a LAN whose "
            "prefix is another WAN's or a ULA"),
        option("share_prefix", OptionType::String, "",
            "a LAN interface (br-lan) on which the modem's IPv6 /64 is shared, announced by router "
            "advertisements (RFC 7278); empty: not shared"),
    };
    SectionSchema policy;
    policy.type = "policy";
    policy.options = {
        option("tier", OptionType::List, "",
            "WANs in order of preference, each 'wan[:weight] ...', weights 1 to 1000"),
        choice("last_resort", "unreachable", {"unreachable", "main"},
            "when every WAN is dead: fail fast, or the main routing table"),
        integer("sticky", 0, 0, 86400,
            "seconds a LAN host's new connections stay on the WAN it last used; 0: off"),
        choice("failback", "new", {"new", "all"},
            "on fail-back, move new connections only, or end the backup's too"),
    };
    SectionSchema traffic;
    traffic.type = "traffic";
    auto policy_name
        = option("policy", OptionType::String, "", "the policy of the traffic this rule matches");
    policy_name.required = true;
    traffic.options = {
        option("src_ip", OptionType::String, "", "a LAN source address or prefix; empty: any"),
        option("dest_ip", OptionType::String, "", "a destination address or prefix; empty: any"),
        choice("proto", "all", {"tcp", "udp", "icmp", "all"}, "the protocol"),
        option("src_port", OptionType::String, "",
            "a source port or range (5060-5061), with tcp or udp"),
        option("dest_port", OptionType::String, "", "a destination port or range, with tcp or udp"),
        choice("family", "any", {"ipv4", "ipv6", "any"}, "the IP version"),
        policy_name,
    };
    return {wan, policy, traffic};
}

OptionSchema default_policy_option()
{
    return option("policy", OptionType::String, "failover",
        "the WAN policy of traffic no `config traffic` rule matches");
}

OptionSchema resolv_file_option()
{
    return option("resolv_file", OptionType::String, "/run/uplink/resolv.conf",
        "where uplinkd writes the DNS servers of the WANs in use, for the LAN's resolver "
        "(dnsmasq's resolv-file); empty: not written");
}

// The modem's number (`wan1`) or its USB path (`1-1.2`: bus, then ports joined by dots).
bool is_modem_reference(std::string_view modem)
{
    if (modem.starts_with("wan"))
        return parse_number(modem.substr(3), 1, 99).has_value();
    auto dash = modem.find('-');
    if (dash == 0 || dash == std::string_view::npos || dash + 1 == modem.size())
        return false;
    return std::ranges::all_of(
        modem, [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

WanSettings wan_settings_from(const Config& config, std::vector<ConfigDiagnostic>& diagnostics)
{
    WanSettings settings;
    std::set<std::string> wan_names;
    for (const auto* section : config.sections_of("wan")) {
        settings.wans.push_back(wan_from(config, *section, diagnostics));
        wan_names.insert(section->name);
    }
    // Router advertisements on a WAN would offer the router to the ISP's network.
    for (const auto* section : config.sections_of("wan"))
        for (const auto& wan : settings.wans)
            if (auto shared = config.get(*section, "share_prefix"); !shared.empty() && shared == wan.interface)
                diagnostics.push_back({section->line,
                    fmt::format("option 'share_prefix': '{}' is WAN '{}''s interface, not a LAN", shared, wan.name)});
    std::set<std::string> policy_names;
    for (const auto* section : config.sections_of("policy")) {
        settings.policies.push_back(policy_from(config, *section, wan_names, diagnostics));
        policy_names.insert(section->name);
    }
    // One named so is always there: a first policy of another name added to the file leaves
    // the default as it was.
    if (!policy_names.contains("failover")) {
        settings.policies.push_back(implicit_failover(settings.wans));
        policy_names.insert("failover");
    }
    std::size_t number = 0;
    for (const auto* section : config.sections_of("traffic"))
        settings.rules.push_back(
            traffic_from(config, *section, ++number, policy_names, diagnostics));

    ConfigSection defaults;
    defaults.type = "uplink";
    const auto* main_section = config.section("uplink", "");
    const auto& section = main_section ? *main_section : defaults;
    settings.resolv_file = config.get(section, "resolv_file");
    if (!settings.resolv_file.empty() && !settings.resolv_file.starts_with('/'))
        diagnostics.push_back({section.line,
            fmt::format("option 'resolv_file': '{}' is not an absolute path", settings.resolv_file)});
    settings.default_policy = config.get(section, "policy");
    if (!policy_names.contains(settings.default_policy))
        diagnostics.push_back({section.line,
            fmt::format("option 'policy': there is no policy '{}'", settings.default_policy)});
    return settings;
}

} // namespace uplink::wan
