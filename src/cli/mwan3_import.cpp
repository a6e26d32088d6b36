// mwan3 to uplink. mwan3's model (reference/multiwan.md §1): `interface` sections name netifd
// interfaces and how to track them; `member`s put an interface in a policy at a metric and a
// weight; a `policy` uses the members of its lowest metric that are online, split by weight;
// `rule`s, first match, send traffic to a policy. uplink's (docs/failover.md, "Configuration"):
// `wan`s, `policy` tiers of `wan:weight`, and `traffic` rules.
#include "cli/mwan3_import.hpp"

#include "cli/mwan3_reasons.hpp"
#include "cli/netifd.hpp"
#include "core/core.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <map>
#include <set>

namespace uplink::cli {

namespace {

// mwan3 refuses policy and rule names longer than this (they name iptables chains), and uplink
// names nftables objects after its WANs within the same limit.
constexpr std::size_t longest_name = 15;

// mwan3's own names in `use_policy`: the main routing table, or no route at all.
constexpr std::string_view main_table_policy = "default";

// mwan3 `rule`s' defaults (mwan3.sh, mwan3_set_user_iptables_rule).
constexpr std::string_view default_sticky_timeout = "600";

std::string in_quotes(std::string_view text)
{
    return fmt::format("'{}'", text);
}

std::string option_of(
    const ConfigSection& section, const std::string& name, std::string fallback = {})
{
    auto found = section.options.find(name);
    return found == section.options.end() ? fallback : found->second;
}

std::vector<std::string> list_of(const ConfigSection& section, const std::string& name)
{
    auto found = section.lists.find(name);
    return found == section.lists.end() ? std::vector<std::string>() : found->second;
}

std::optional<long> number(std::string_view text)
{
    long value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

bool is_true(std::string_view text)
{
    return parse_uci_boolean(text).value_or(false);
}

enum class Family { Any, Ipv4, Ipv6 };

std::optional<Family> address_family(const std::string& address)
{
    std::array<unsigned char, 16> bytes {};
    if (::inet_pton(AF_INET, address.c_str(), bytes.data()) == 1)
        return Family::Ipv4;
    if (::inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1)
        return Family::Ipv6;
    return std::nullopt;
}

struct Prefix {
    Family family = Family::Any;
    bool everything = false; // 0.0.0.0/0 or ::/0: only says the family
};

// An address or address/length, as uplink's traffic rules take it.
std::optional<Prefix> parse_prefix(const std::string& text)
{
    auto slash = text.find('/');
    auto family = address_family(text.substr(0, slash));
    if (!family)
        return std::nullopt;
    if (slash == std::string::npos)
        return Prefix {*family, false};
    auto length = number(std::string_view(text).substr(slash + 1));
    long longest = *family == Family::Ipv4 ? 32 : 128;
    if (!length || *length < 0 || *length > longest)
        return std::nullopt;
    return Prefix {*family, *length == 0};
}

// iptables multiport's `a` or `a:b`, and the `a-b` LuCI also takes, as uplink's `a` or `a-b`.
std::optional<std::string> parse_ports(std::string_view text)
{
    auto separator = text.find_first_of(":-");
    auto first = number(text.substr(0, separator));
    auto last = separator == std::string_view::npos ? first : number(text.substr(separator + 1));
    if (!first || !last || *first < 1 || *last > 65535 || *first > *last)
        return std::nullopt;
    if (*first == *last)
        return std::to_string(*first);
    return fmt::format("{}-{}", *first, *last);
}

std::string describe(const ConfigSection& section)
{
    if (section.name.empty())
        return fmt::format("{} (anonymous, line {})", section.type, section.line);
    return fmt::format("{} {}", section.type, in_quotes(section.name));
}

// A traffic rule on its way out: catch-alls at the end may become the default policy instead.
struct Traffic {
    UplinkSection section;
    std::string rule; // the mwan3 rule it came from
    std::string policy;
    std::optional<Family> catches_all; // matches every packet of this family (Any: both)
};

struct Member {
    std::string wan;
    long metric = 1;
    long weight = 1;
};

class Translator {
public:
    Translator(std::vector<ConfigSection> mwan3, NetifdInterfaces network)
        : mwan3_(std::move(mwan3))
        , network_(std::move(network))
    {
        // Names kept from the mwan3 file come first; generated ones step around them.
        used_names_.insert("main");
        for (const auto& section : mwan3_)
            if (section.type != "member")
                reserved_names_.insert(section.name);
    }

    Mwan3Import translate()
    {
        translate_interfaces(Family::Ipv4);
        translate_interfaces(Family::Ipv6);
        for (const auto& section : mwan3_)
            if (section.type == "policy")
                translate_policy(section);
        std::vector<Traffic> traffic;
        for (const auto& section : mwan3_)
            if (section.type == "rule")
                translate_rule(section, traffic);
        set_default_policy(traffic);
        for (const auto& section : mwan3_)
            report_other_options(section);
        Mwan3Import imported;
        imported.sections = std::move(wans_);
        for (auto& policy : policies_)
            imported.sections.push_back(std::move(policy));
        for (auto& rule : traffic)
            imported.sections.push_back(std::move(rule.section));
        for (auto& section : closing_)
            imported.sections.push_back(std::move(section));
        // In the order of the file, so that each section's findings stand together.
        std::stable_sort(unmapped_.begin(), unmapped_.end(),
            [](const auto& left, const auto& right) { return left.first < right.first; });
        for (auto& [line, finding] : unmapped_)
            imported.unmapped.push_back(std::move(finding));
        return imported;
    }

private:
    void unmapped(const ConfigSection& section, std::string option, std::string why)
    {
        unmapped_.push_back({section.line, {describe(section), std::move(option), std::move(why)}});
    }

    // A name no other output section has. `base` is kept when it is free; else a number is
    // added, within the length uplink allows.
    std::string unique_name(std::string base, bool from_file)
    {
        if (base.size() > longest_name)
            base.resize(longest_name);
        auto taken = [&](const std::string& name) {
            return used_names_.count(name) > 0 || (!from_file && reserved_names_.count(name) > 0);
        };
        auto name = base;
        for (int suffix = 2; taken(name); ++suffix) {
            auto ending = fmt::format("_{}", suffix);
            name = base.substr(0, longest_name - ending.size()) + ending;
        }
        used_names_.insert(name);
        return name;
    }

    // ------------------------------------------------------------------------------ interfaces

    // The IPv4 interface on the same device as an IPv6 one (wan6 beside wan): by the network
    // file when it knows both, else by OpenWrt's naming (wan6, wanb6).
    const ConfigSection* ipv4_twin(const ConfigSection& ipv6) const
    {
        auto link = network_.resolve(ipv6.name);
        for (const auto& section : mwan3_) {
            if (section.type != "interface" || section.name.empty()
                || option_of(section, "family", "ipv4") != "ipv4" || !wan_of_.count(section.name))
                continue;
            auto other = network_.resolve(section.name);
            bool same_device = link.kind != LinkKind::Unknown && link.kind == other.kind
                && !link.device.empty() && link.device == other.device;
            bool same_name = link.kind == LinkKind::Unknown && ipv6.name == section.name + "6";
            if (same_device || same_name)
                return &section;
        }
        return nullptr;
    }

    void translate_interfaces(Family family)
    {
        for (const auto& section : mwan3_) {
            if (section.type != "interface")
                continue;
            bool ipv6 = option_of(section, "family", "ipv4") == "ipv6";
            if (ipv6 != (family == Family::Ipv6))
                continue;
            if (section.name.empty()) {
                unmapped(section, {},
                    "mwan3 tracks netifd interfaces by name: an anonymous one names none");
                continue;
            }
            if (const auto* twin = ipv6 ? ipv4_twin(section) : nullptr) {
                merge_ipv6(section, *twin);
                continue;
            }
            translate_interface(section, ipv6);
        }
    }

    void merge_ipv6(const ConfigSection& ipv6, const ConfigSection& ipv4)
    {
        const auto& wan = wan_of_[ipv4.name];
        wan_of_[ipv6.name] = wan;
        unmapped(ipv6, {},
            fmt::format("the IPv6 side of the device of {}: merged into uplink WAN {}, which "
                        "carries both families",
                in_quotes(ipv4.name), in_quotes(wan)));
        if (is_true(option_of(ipv6, "enabled", "0")) != is_true(option_of(ipv4, "enabled", "0")))
            unmapped(ipv6, fmt::format("enabled {}", in_quotes(option_of(ipv6, "enabled", "0"))),
                fmt::format("one uplink WAN is enabled or not for both families: it follows {}",
                    in_quotes(ipv4.name)));
        report_track_ips(ipv6, nullptr);
    }

    // IPv4 addresses go to `track_ip` (when `wan` is given); the rest are reported.
    void report_track_ips(const ConfigSection& section, UplinkSection* wan)
    {
        for (const auto& target : list_of(section, "track_ip")) {
            auto family = address_family(target);
            if (family == Family::Ipv4 && wan)
                wan->lines.push_back({LineKind::List, "track_ip", target});
            else
                unmapped(section, fmt::format("track_ip {}", in_quotes(target)),
                    family
                        ? "uplink probes IPv4 targets for now (docs/failover.md, \"Not done yet\")"
                        : "uplink probes addresses, not host names");
        }
    }

    void translate_interface(const ConfigSection& section, bool ipv6)
    {
        if (auto why = no_device_name(section.name)) {
            unmapped(section, {}, std::move(*why));
            return;
        }
        UplinkSection wan;
        wan.type = "wan";
        wan.name = unique_name(lowercase(section.name), true);
        wan_of_[section.name] = wan.name;
        if (wan.name != section.name)
            wan.notes.push_back(fmt::format("mwan3 interface {}: uplink names WANs in [a-z0-9_], "
                                            "at most {} characters",
                in_quotes(section.name), longest_name));
        add_link(section.name, wan);
        if (!is_true(option_of(section, "enabled", "0"))) {
            wan.lines.push_back({LineKind::Option, "enabled", "0"});
            if (!section.options.count("enabled"))
                wan.notes.push_back(
                    "mwan3 leaves an interface without `enabled` off: so does this");
        }
        if (ipv6)
            wan.notes.push_back(
                "mwan3 tracked it as IPv6 only; an uplink WAN carries both families");
        report_track_ips(section, &wan);
        if (list_of(section, "track_ip").empty())
            wan.notes.push_back("mwan3 did not track it (no track_ip); uplink probes its defaults, "
                                "1.1.1.1 8.8.8.8 9.9.9.9");
        wans_.push_back(std::move(wan));
    }

    static std::string lowercase(std::string text)
    {
        std::transform(text.begin(), text.end(), text.begin(),
            [](unsigned char character) { return static_cast<char>(std::tolower(character)); });
        return text;
    }

    // Why the WAN would have no valid `option interface`, or nothing: the device the network file
    // gives, or without it the netifd name itself, must be a name the kernel takes.
    std::optional<std::string> no_device_name(const std::string& netifd_name) const
    {
        auto link = network_.resolve(netifd_name);
        if (link.kind == LinkKind::Modem)
            return std::nullopt;
        auto device = link.kind == LinkKind::Device ? link.device : netifd_name;
        if (is_interface_name(device))
            return std::nullopt;
        return fmt::format("{} is not a name a network device can have (1 to 15 characters, no "
                           "'/', ':' or space){}",
            in_quotes(device),
            network_.given() ? "" : ": --network /etc/config/network gives its device");
    }

    // `option interface` (a device) or `option modem`, from the network file when there is one.
    void add_link(const std::string& netifd_name, UplinkSection& wan)
    {
        auto link = network_.resolve(netifd_name);
        if (link.kind == LinkKind::Device) {
            wan.lines.push_back({LineKind::Option, "interface", link.device});
            wan.notes.push_back(fmt::format("netifd interface {} (proto {}) is device {}",
                in_quotes(netifd_name), link.proto.empty() ? "none" : link.proto, link.device));
        } else if (link.kind == LinkKind::Modem) {
            auto number = fmt::format("wan{}", ++modems_);
            wan.lines.push_back({LineKind::Option, "modem", number});
            wan.notes.push_back(fmt::format(
                "netifd interface {} is a modem (proto {}{}): set the number uplink gave it "
                "(`uplink modems`); {} only counts the modems in this file",
                in_quotes(netifd_name), link.proto, link.device.empty() ? "" : ", " + link.device,
                number));
        } else {
            wan.lines.push_back({LineKind::Option, "interface", netifd_name});
            wan.notes.push_back(fmt::format(
                "{} is a netifd interface name{}: replace it with its device (eth1, pppoe-wan), "
                "or use `option modem 'wanN'` for a modem{}",
                in_quotes(netifd_name), network_.given() ? fmt::format(" ({})", link.why) : "",
                network_.given() ? "" : "; --network /etc/config/network does this"));
        }
    }

    // ------------------------------------------------------------------------------ policies

    std::optional<Member> member(const ConfigSection& policy, const std::string& name)
    {
        auto where = fmt::format("use_member {}", in_quotes(name));
        auto found = std::find_if(mwan3_.begin(), mwan3_.end(), [&](const ConfigSection& section) {
            return section.type == "member" && section.name == name;
        });
        if (found == mwan3_.end()) {
            unmapped(policy, where, "no member section has that name");
            return std::nullopt;
        }
        auto interface = option_of(*found, "interface");
        auto wan = wan_of_.find(interface);
        if (wan == wan_of_.end()) {
            unmapped(policy, where,
                fmt::format(
                    "its interface {} is not a WAN here (see above)", in_quotes(interface)));
            return std::nullopt;
        }
        auto metric = number(option_of(*found, "metric", "1"));
        auto weight = number(option_of(*found, "weight", "1"));
        if (!metric || !weight) {
            unmapped(policy, where, "its metric or weight is not a number");
            return std::nullopt;
        }
        // uplink's weights are 1 to 1000 (docs/failover.md).
        constexpr long heaviest = 1000;
        if (*weight < 1 || *weight > heaviest) {
            unmapped(policy, where,
                fmt::format("weight {} is outside uplink's 1 to {}: made {}", *weight, heaviest,
                    std::clamp(*weight, 1L, heaviest)));
            *weight = std::clamp(*weight, 1L, heaviest);
        }
        return Member {wan->second, *metric, *weight};
    }

    void translate_policy(const ConfigSection& section)
    {
        if (section.name.empty() || section.name.size() > longest_name) {
            unmapped(section, {},
                section.name.empty() ? "a rule cannot name an anonymous policy"
                                     : "mwan3 ignores a policy whose name is over 15 characters");
            return;
        }
        // Lowest metric first; a WAN already in the policy (an IPv6 twin's member) once.
        std::map<long, std::vector<Member>> tiers;
        std::map<std::string, Member> members;
        for (const auto& name : list_of(section, "use_member")) {
            auto found = member(section, name);
            if (!found)
                continue;
            auto [first, inserted] = members.try_emplace(found->wan, *found);
            if (inserted)
                tiers[found->metric].push_back(*found);
            else if (first->second.metric != found->metric || first->second.weight != found->weight)
                unmapped(section, fmt::format("use_member {}", in_quotes(name)),
                    fmt::format("WAN {} is in the policy already, at metric {} and weight {}: "
                                "uplink puts a WAN in a policy once",
                        in_quotes(found->wan), first->second.metric, first->second.weight));
        }
        UplinkSection policy;
        policy.type = "policy";
        policy.name = unique_name(section.name, true);
        policy_of_[section.name] = policy.name;
        for (const auto& [metric, members] : tiers)
            policy.lines.push_back({LineKind::List, "tier", tier_text(members)});
        auto last_resort = option_of(section, "last_resort", "unreachable");
        if (last_resort == "default")
            policy.lines.push_back({LineKind::Option, "last_resort", "main"});
        else if (last_resort != "unreachable")
            unmapped(section, fmt::format("last_resort {}", in_quotes(last_resort)),
                last_resort == "blackhole"
                    ? "uplink has no blackhole: 'unreachable' (kept) fails connections at once "
                      "instead of dropping them silently"
                    : "not one of mwan3's (unreachable, blackhole, default): mwan3 takes it as "
                      "'unreachable', and so does this");
        if (tiers.empty())
            policy.notes.push_back("no usable member: all of its traffic goes to its last resort");
        policies_.push_back(std::move(policy));
    }

    static std::string tier_text(const std::vector<Member>& members)
    {
        if (members.size() == 1)
            return members.front().wan;
        std::string text;
        for (const auto& member : members)
            text += fmt::format("{}{}:{}", text.empty() ? "" : " ", member.wan, member.weight);
        return text;
    }

    // A policy uplink does not have from mwan3's own names: `default` (the main routing table)
    // or `unreachable` and `blackhole` (no route). Made once, when a rule needs it.
    std::string built_in_policy(std::string_view last_resort)
    {
        auto& name = built_in_policies_[std::string(last_resort)];
        if (!name.empty())
            return name;
        UplinkSection policy;
        policy.type = "policy";
        policy.name = name
            = unique_name(last_resort == "main" ? "main_table" : "unreachable", false);
        policy.notes.push_back(last_resort == "main"
                ? "no tiers: its traffic takes the main routing table, as mwan3's 'default' does"
                : "no tiers: its traffic is refused, as mwan3's 'unreachable' does");
        policy.lines.push_back({LineKind::Option, "last_resort", std::string(last_resort)});
        policies_.push_back(std::move(policy));
        return name;
    }

    // mwan3 makes a rule sticky; uplink a policy. A copy of the policy with `sticky`, for the
    // rules that asked for it, leaves the policy's other rules as they were.
    std::string sticky_policy(const std::string& policy_name, const std::string& timeout)
    {
        auto& name = sticky_policies_[{policy_name, timeout}];
        if (!name.empty())
            return name;
        auto original = std::find_if(policies_.begin(), policies_.end(),
            [&](const UplinkSection& policy) { return policy.name == policy_name; });
        UplinkSection sticky = *original;
        sticky.name = name = unique_name(policy_name + "_sticky", false);
        sticky.notes = {fmt::format(
            "{} with sticky sessions, for mwan3's sticky rules", in_quotes(policy_name))};
        sticky.lines.push_back({LineKind::Option, "sticky", timeout});
        policies_.push_back(std::move(sticky));
        return name;
    }

    // ------------------------------------------------------------------------------ rules

    // The uplink policy for the rule's use_policy, or nothing after saying why.
    std::optional<std::string> rule_policy(const ConfigSection& rule)
    {
        auto use_policy = option_of(rule, "use_policy");
        if (use_policy.empty()) {
            unmapped(rule, {}, "no use_policy: mwan3 skips it too");
            return std::nullopt;
        }
        if (use_policy == main_table_policy)
            return built_in_policy("main");
        if (use_policy == "unreachable" || use_policy == "blackhole")
            return built_in_policy("unreachable");
        auto found = policy_of_.find(use_policy);
        if (found == policy_of_.end()) {
            unmapped(rule, fmt::format("use_policy {}", in_quotes(use_policy)),
                "no policy here has that name (see above)");
            return std::nullopt;
        }
        auto sticky = option_of(rule, "sticky", "0");
        if (!is_true(sticky))
            return found->second;
        auto timeout = option_of(rule, "timeout", std::string(default_sticky_timeout));
        auto seconds = number(timeout);
        if (!seconds || *seconds < 1) {
            unmapped(rule, fmt::format("timeout {}", in_quotes(timeout)),
                "uplink's sticky takes a number of seconds from 1: left not sticky");
            return found->second;
        }
        return sticky_policy(found->second, std::to_string(*seconds));
    }

    // What makes a rule match less than its options say when left out: the whole rule is
    // reported instead.
    std::optional<std::string> untranslatable(const ConfigSection& rule) const
    {
        if (rule.name.size() > longest_name)
            return "mwan3 ignores a rule whose name is over 15 characters";
        if (!option_of(rule, "ipset").empty())
            return "uplink's traffic rules match addresses and ports, not an ipset (without it the "
                   "rule would match other traffic)";
        if (!option_of(rule, "src_iface").empty())
            return "uplink's traffic rules do not match the incoming interface";
        auto proto = option_of(rule, "proto", "all");
        if (proto != "all" && proto != "tcp" && proto != "udp" && proto != "icmp")
            return fmt::format("proto {}: uplink matches tcp, udp, icmp or all", in_quotes(proto));
        auto family = option_of(rule, "family", "any");
        if (family != "any" && family != "ipv4" && family != "ipv6")
            return fmt::format("family {} is not ipv4, ipv6 or any", in_quotes(family));
        for (const auto* option : {"src_ip", "dest_ip"}) {
            auto value = option_of(rule, option);
            if (!value.empty() && !parse_prefix(value))
                return fmt::format(
                    "{} {}: uplink takes one address or prefix", option, in_quotes(value));
        }
        bool ports_count = proto == "tcp" || proto == "udp";
        for (const auto* option : {"src_port", "dest_port"}) {
            auto value = option_of(rule, option);
            if (ports_count && !value.empty() && !parse_ports(value))
                return fmt::format("{} {}: uplink takes one port or range (a-b): write one rule "
                                   "for each",
                    option, in_quotes(value));
        }
        return std::nullopt;
    }

    void translate_rule(const ConfigSection& rule, std::vector<Traffic>& traffic)
    {
        if (auto why = untranslatable(rule)) {
            unmapped(rule, {}, std::move(*why));
            return;
        }
        auto policy = rule_policy(rule);
        if (!policy)
            return;
        Traffic out;
        out.rule = rule.name;
        out.policy = *policy;
        out.section.type = "traffic";
        out.section.name = unique_name(rule.name.empty() ? "rule" : rule.name, !rule.name.empty());
        auto& lines = out.section.lines;
        auto family = option_of(rule, "family", "any");
        bool matches_addresses = false;
        for (const auto* option : {"src_ip", "dest_ip"}) {
            auto value = option_of(rule, option);
            if (value.empty())
                continue;
            auto prefix = parse_prefix(value);
            if (!prefix->everything) {
                lines.push_back({LineKind::Option, option, value});
                matches_addresses = true;
            } else if (family == "any") {
                // 0.0.0.0/0 only says "IPv4": mwan3 skips an address of the other family.
                family = prefix->family == Family::Ipv4 ? "ipv4" : "ipv6";
            }
        }
        auto proto = option_of(rule, "proto", "all");
        if (proto != "all")
            lines.push_back({LineKind::Option, "proto", proto});
        bool matches_ports = false;
        for (const auto* option : {"src_port", "dest_port"}) {
            auto value = option_of(rule, option);
            if (value.empty())
                continue;
            if (proto == "tcp" || proto == "udp") {
                lines.push_back({LineKind::Option, option, *parse_ports(value)});
                matches_ports = true;
            } else {
                unmapped(rule, fmt::format("{} {}", option, in_quotes(value)),
                    fmt::format("ports need proto tcp or udp; mwan3 ignores them with {} too",
                        in_quotes(proto)));
            }
        }
        if (family != "any")
            lines.push_back({LineKind::Option, "family", family});
        lines.push_back({LineKind::Option, "policy", *policy});
        if (!matches_addresses && !matches_ports && proto == "all")
            out.catches_all = family == "ipv4" ? Family::Ipv4
                : family == "ipv6"             ? Family::Ipv6
                                               : Family::Any;
        if (rule.name.empty())
            out.section.notes.push_back(
                fmt::format("from an anonymous mwan3 rule (line {})", rule.line));
        traffic.push_back(std::move(out));
    }

    // Traffic no rule matches: mwan3 leaves it to the main routing table, uplink gives it the
    // default policy. Catch-all rules at the end that send both families to one policy make that
    // policy the default (and go); else the default is the main table, as in mwan3.
    void set_default_policy(std::vector<Traffic>& traffic)
    {
        auto first_catch_all = traffic.end();
        bool ipv4 = false;
        bool ipv6 = false;
        while (first_catch_all != traffic.begin()) {
            auto previous = std::prev(first_catch_all);
            if (!previous->catches_all || previous->policy != traffic.back().policy)
                break;
            ipv4 = ipv4 || previous->catches_all != Family::Ipv6;
            ipv6 = ipv6 || previous->catches_all != Family::Ipv4;
            first_catch_all = previous;
        }
        UplinkSection main;
        main.type = "uplink";
        main.name = "main";
        if (ipv4 && ipv6) {
            std::string rules;
            for (auto it = first_catch_all; it != traffic.end(); ++it)
                rules += fmt::format("{}{}", rules.empty() ? "" : ", ", in_quotes(it->rule));
            main.notes.push_back(fmt::format("the default policy, from mwan3 rule{} {} (traffic "
                                             "that no rule above matches)",
                std::distance(first_catch_all, traffic.end()) > 1 ? "s" : "", rules));
            main.lines.push_back({LineKind::Option, "policy", traffic.back().policy});
            traffic.erase(first_catch_all, traffic.end());
        } else {
            main.notes.push_back(
                "mwan3 routes traffic that no rule matches by the main routing "
                "table; so does this. To fail it over, make it one of the policies");
            main.lines.push_back({LineKind::Option, "policy", built_in_policy("main")});
        }
        main.notes.push_back("merge this option into your own `config uplink` section");
        closing_.push_back(std::move(main));
    }

    // ------------------------------------------------------------------------------ the rest

    // Options the translation above did not use, and sections of types mwan3 does not have.
    void report_other_options(const ConfigSection& section)
    {
        static const std::map<std::string, std::set<std::string>, std::less<>> translated {
            {"interface", {"enabled", "family", "track_ip"}},
            {"member", {"interface", "metric", "weight"}},
            {"policy", {"use_member", "last_resort"}},
            {"rule",
                {"src_ip", "dest_ip", "proto", "src_port", "dest_port", "family", "sticky",
                    "timeout", "use_policy", "ipset", "src_iface"}},
            {"globals", {}},
        };
        auto known = translated.find(section.type);
        if (known == translated.end()) {
            unmapped(section, {}, "not a section type of mwan3");
            return;
        }
        auto report = [&](const std::string& option, const std::string& value) {
            if (known->second.count(option))
                return;
            const auto* reason = find_option_reason(section.type, option);
            if (reason && reason->same_as_uplink == value)
                return;
            unmapped(section, fmt::format("{} {}", option, in_quotes(value)),
                reason ? std::string(reason->why) : "not an mwan3 option this importer knows");
        };
        for (const auto& [option, value] : section.options)
            report(option, value);
        for (const auto& [option, values] : section.lists)
            for (const auto& value : values)
                report(option, value);
    }

    std::vector<ConfigSection> mwan3_;
    NetifdInterfaces network_;
    std::vector<UplinkSection> wans_;
    std::vector<UplinkSection> policies_;
    std::vector<UplinkSection> closing_;
    std::vector<std::pair<int, Mwan3Finding>> unmapped_; // with the line of its section
    std::map<std::string, std::string> wan_of_; // mwan3 interface -> uplink WAN
    std::map<std::string, std::string> policy_of_; // mwan3 policy -> uplink policy
    std::map<std::string, std::string> built_in_policies_; // last_resort -> policy
    std::map<std::pair<std::string, std::string>, std::string> sticky_policies_;
    std::set<std::string> used_names_;
    std::set<std::string> reserved_names_;
    int modems_ = 0;
};

std::string diagnostics_text(const std::vector<ConfigDiagnostic>& diagnostics)
{
    std::string text;
    for (const auto& diagnostic : diagnostics)
        text += fmt::format("\n  {}", to_string(diagnostic));
    return text;
}

// mwan3's own section types. OpenWrt's network file has `interface` sections too, but with a
// `proto`, which mwan3's never have.
bool is_mwan3(const std::vector<ConfigSection>& sections)
{
    bool mwan3_only_type = false;
    bool interface = false;
    bool netifd_interface = false;
    for (const auto& section : sections) {
        mwan3_only_type = mwan3_only_type || section.type == "member" || section.type == "policy"
            || (section.type == "rule" && section.options.count("use_policy"))
            || (section.type == "globals" && section.options.count("mmx_mask"));
        if (section.type == "interface") {
            interface = true;
            netifd_interface = netifd_interface || section.options.count("proto");
        }
    }
    return mwan3_only_type || (interface && !netifd_interface);
}

} // namespace

std::variant<Mwan3Import, Mwan3ImportRefusal> import_mwan3(
    std::string_view mwan3, std::optional<std::string_view> network)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto sections = parse_uci_sections(mwan3, diagnostics);
    if (!sections) {
        // `uci show mwan3` prints mwan3.wan=interface lines, an easy thing to paste by mistake.
        auto hint = mwan3.rfind("mwan3.", 0) == 0
            ? "\n  (that is what `uci show mwan3` prints: give /etc/config/mwan3 itself, or what "
              "`uci export mwan3` prints)"
            : "";
        return Mwan3ImportRefusal {
            "is not a UCI file uplink can read:" + diagnostics_text(diagnostics) + hint};
    }
    if (!is_mwan3(*sections))
        return Mwan3ImportRefusal {"has no mwan3 section (interface, member, policy, rule): is it "
                                   "/etc/config/mwan3?"};
    NetifdInterfaces interfaces;
    if (network) {
        auto network_sections = parse_uci_sections(*network, diagnostics);
        if (!network_sections)
            return Mwan3ImportRefusal {"the network file is not a UCI file uplink can read:"
                + diagnostics_text(diagnostics)};
        interfaces = NetifdInterfaces(std::move(*network_sections));
    }
    return Translator(std::move(*sections), std::move(interfaces)).translate();
}

std::string to_uci_text(const std::vector<UplinkSection>& sections)
{
    std::string text;
    for (const auto& section : sections) {
        if (!text.empty())
            text += '\n';
        for (const auto& note : section.notes)
            text += fmt::format("# {}\n", note);
        text += fmt::format("config {} {}\n", section.type, quote_uci_value(section.name));
        for (const auto& line : section.lines)
            text += fmt::format("\t{} {} {}\n", line.kind == LineKind::List ? "list" : "option",
                line.name, quote_uci_value(line.value));
    }
    return text;
}

std::string to_printout(const Mwan3Import& imported)
{
    std::string text = "# uplink's configuration from an mwan3 one (uplink wan import-mwan3).\n"
                       "# Check the notes, then add the sections to /etc/config/uplink "
                       "(docs/failover.md).\n\n";
    text += to_uci_text(imported.sections);
    if (imported.unmapped.empty())
        return text + "\n# Everything in the mwan3 file was mapped.\n";
    text += "\n# Not mapped from mwan3 (section, option: why):\n";
    for (const auto& finding : imported.unmapped)
        text += fmt::format("# - {}{}: {}\n", finding.section,
            finding.option.empty() ? "" : ", " + finding.option, finding.why);
    return text;
}

} // namespace uplink::cli
