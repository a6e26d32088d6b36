#include "modem/profiles.hpp"

#include "modem/operator_table.hpp"
#include "modem/recovery_ladder.hpp"

#include <algorithm>
#include <cctype>

namespace uplink::modem {

namespace {

bool same_text_ignoring_case(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

enum class Match { Yes, No, Unknown /* needs the IMSI, which a locked SIM does not give */ };

// Whether every criterion the rule gives holds; `why` lists them ("ICCID starts with 8944").
Match match(const SimRule& rule, const Sim& sim, const Identity& identity, std::vector<std::string>& why)
{
    why.clear();
    if (!rule.iccid_prefix.empty()) {
        if (sim.iccid.empty() || !std::string_view(sim.iccid).starts_with(rule.iccid_prefix))
            return Match::No;
        why.push_back("ICCID starts with " + rule.iccid_prefix);
    }
    if (!rule.imei.empty()) {
        if (identity.imei != rule.imei)
            return Match::No;
        why.push_back("IMEI is " + rule.imei);
    }
    if (!rule.model.empty()) {
        if (!same_text_ignoring_case(identity.model, rule.model))
            return Match::No;
        why.push_back("model is " + identity.model);
    }
    bool imsi_unknown = sim.imsi.empty();
    if (!rule.imsi_prefix.empty()) {
        if (imsi_unknown)
            return Match::Unknown;
        if (!std::string_view(sim.imsi).starts_with(rule.imsi_prefix))
            return Match::No;
        why.push_back("IMSI starts with " + rule.imsi_prefix);
    }
    if (!rule.mcc_mnc.empty()) {
        if (imsi_unknown)
            return Match::Unknown;
        if (sim.operator_id != rule.mcc_mnc)
            return Match::No;
        why.push_back("MCC-MNC is " + rule.mcc_mnc);
    }
    if (why.empty())
        why.push_back("the rule has no criteria, so it matches any SIM");
    return Match::Yes;
}

const Profile* find_profile(const ProfilePolicy& policy, std::string_view name)
{
    auto found = std::find_if(policy.profiles.begin(), policy.profiles.end(),
        [name](const Profile& profile) { return profile.name == name; });
    return found == policy.profiles.end() ? nullptr : &*found;
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator)
{
    std::string text;
    for (const auto& part : parts)
        text += (text.empty() ? "" : std::string(separator)) + part;
    return text;
}

// The SIM's MCC-MNC as uplink read it, then the IMSI's first 6 and 5 digits: the MNC's length is
// guessed from the MCC (operator_id_from_imsi), and some countries use both lengths.
const OperatorApn* find_operator(const Sim& sim)
{
    const auto& table = embedded_operator_table();
    if (!sim.operator_id.empty())
        if (const auto* entry = table.find(sim.operator_id))
            return entry;
    for (std::size_t digits : {6, 5})
        if (sim.imsi.size() >= digits)
            if (const auto* entry = table.find(std::string_view(sim.imsi).substr(0, digits)))
                return entry;
    return nullptr;
}

// A blank APN is filled from the operator table by the SIM's MCC-MNC, with the entry's
// credentials unless the profile gives its own username.
void fill_apn(EffectiveSettings& settings, const Sim& sim)
{
    auto& connection = settings.connection;
    if (!connection.apn.empty()) {
        settings.apn_source = ApnSource::Profile;
        return;
    }
    const OperatorApn* entry = find_operator(sim);
    if (!entry) {
        settings.apn_source = ApnSource::Network;
        return;
    }
    settings.apn_source = ApnSource::OperatorTable;
    settings.apn_entry = fmt::format("{} {}", entry->mcc_mnc, entry->operator_name);
    connection.apn = entry->apn;
    if (connection.username.empty() && connection.authentication == Authentication::None) {
        connection.username = entry->username;
        connection.password = entry->password;
        connection.authentication = entry->authentication;
    }
}

} // namespace

std::uint64_t watchdog_bytes_per_month(const Watchdog& watchdog)
{
    if (watchdog.probe_hosts.empty())
        return 0;
    return probe_bytes_per_month(watchdog.probe_interval, icmp_echo_exchange_bytes(8));
}

std::uint32_t default_route_metric(unsigned wan_number)
{
    // Distinct per WAN: the kernel refuses a second IPv4 default route with the same metric.
    return 200 + 10 * (std::max(wan_number, 1u) - 1);
}

EffectiveSettings choose_settings(const ProfilePolicy& policy, const Sim& sim, const Identity& identity,
    unsigned wan_number, LinkOwner owner)
{
    EffectiveSettings settings;
    const Profile* profile = nullptr;
    std::vector<std::string> why;
    std::vector<std::string> undecided;
    for (const auto& rule : policy.rules) {
        auto matched = match(rule, sim, identity, why);
        if (matched == Match::Unknown) {
            undecided.push_back(rule.name);
            continue;
        }
        if (matched == Match::No)
            continue;
        profile = find_profile(policy, rule.profile);
        settings.rule = rule.name;
        settings.reason = joined(why, " and ");
        break;
    }
    if (settings.rule.empty()) {
        profile = find_profile(policy, policy.default_profile);
        settings.reason = policy.rules.empty() ? "no rules: the default profile" : "no rule matched: the default profile";
    }
    if (!undecided.empty()) {
        settings.provisional = true;
        settings.reason += fmt::format(" (for now: {} need{} the IMSI, which the locked SIM does not give)",
            joined(undecided, ", "), undecided.size() == 1 ? "s" : "");
    }
    // The configuration is checked so that rules name existing profiles; the default profile
    // alone may be missing, and is then the built-in one: the network's defaults.
    settings.profile = profile ? profile->name : policy.default_profile;
    settings.connection = profile ? profile->connection : ConnectionSettings {};
    settings.has_pin = profile && !profile->pin.empty();
    settings.watchdog = profile ? profile->watchdog : Watchdog {};
    settings.radio = profile ? profile->radio : RadioSettings {};
    if (settings.connection.route_metric == 0)
        settings.connection.route_metric = default_route_metric(wan_number);
    settings.connection.link_owner = owner;
    if (owner == LinkOwner::Netifd)
        settings.connection.autoconnect = false; // netifd connects it: ifup, or its `auto` at boot
    fill_apn(settings, sim);
    return settings;
}

std::string pin_of(const ProfilePolicy& policy, const EffectiveSettings& settings)
{
    const Profile* profile = find_profile(policy, settings.profile);
    return profile ? profile->pin : std::string {};
}

bool same_call(const ConnectionSettings& a, const ConnectionSettings& b)
{
    return a.apn == b.apn && a.authentication == b.authentication && a.username == b.username
        && a.password == b.password && a.families == b.families;
}

namespace {

// The policy with each PIN and password replaced by one mark when set: compared, two marks are
// equal whatever the values were.
ProfilePolicy without_secret_values(ProfilePolicy policy)
{
    constexpr std::string_view set = "(set)";
    for (auto& profile : policy.profiles) {
        if (!profile.pin.empty())
            profile.pin = set;
        if (!profile.connection.password.empty())
            profile.connection.password = set;
    }
    return policy;
}

} // namespace

PlannedChange plan_change(const ProfilePolicy& before_policy, const ProfilePolicy& after_policy, const Sim& sim,
    const Identity& identity, const ModemCondition& condition, SecretComparison secrets)
{
    if (secrets == SecretComparison::Hidden)
        return plan_change(without_secret_values(before_policy), without_secret_values(after_policy), sim, identity,
            condition, SecretComparison::Compared);
    const auto& before = before_policy;
    const auto& after = after_policy;
    PlannedChange plan;
    plan.before = choose_settings(before, sim, identity, condition.wan_number, condition.link_owner);
    plan.after = choose_settings(after, sim, identity, condition.wan_number, condition.link_owner);
    const auto& old_settings = *plan.before;
    const auto& new_settings = *plan.after;
    const auto& old_connection = old_settings.connection;
    const auto& new_connection = new_settings.connection;
    auto& differences = plan.differences;
    auto compare = [&differences](std::string_view name, const auto& left, const auto& right) {
        if (left != right)
            differences.push_back(fmt::format("{}: {} -> {}", name, left, right));
    };
    auto optional_text = [](const std::optional<std::uint32_t>& value) {
        return value ? std::to_string(*value) : std::string("the network's");
    };
    compare("profile", old_settings.profile, new_settings.profile);
    compare("apn", old_connection.apn.empty() ? "(the network's default)" : old_connection.apn,
        new_connection.apn.empty() ? "(the network's default)" : new_connection.apn);
    compare("auth", to_string(old_connection.authentication), to_string(new_connection.authentication));
    compare("username", old_connection.username, new_connection.username);
    if (old_connection.password != new_connection.password)
        differences.push_back("password: changed");
    compare("ip_family", to_string(old_connection.families), to_string(new_connection.families));
    compare("autoconnect", old_connection.autoconnect, new_connection.autoconnect);
    compare("mtu", optional_text(old_connection.mtu), optional_text(new_connection.mtu));
    compare("metric", old_connection.route_metric, new_connection.route_metric);
    auto ttl_text = [](const std::optional<std::uint8_t>& ttl) {
        return ttl ? std::to_string(*ttl) : std::string("as routed");
    };
    compare("ttl", ttl_text(old_connection.ttl), ttl_text(new_connection.ttl));
    const auto& old_watchdog = old_settings.watchdog;
    const auto& new_watchdog = new_settings.watchdog;
    compare("probe_host", fmt::format("{}", fmt::join(old_watchdog.probe_hosts, " ")),
        fmt::format("{}", fmt::join(new_watchdog.probe_hosts, " ")));
    compare("probe_interval", old_watchdog.probe_interval.count(), new_watchdog.probe_interval.count());
    compare("recovery_backoff", old_watchdog.first_backoff.count(), new_watchdog.first_backoff.count());
    compare("usb_power_cycle", old_watchdog.usb_power_cycle, new_watchdog.usb_power_cycle);
    const auto& old_radio = old_settings.radio;
    const auto& new_radio = new_settings.radio;
    auto network_text = [](const std::string& network) { return network.empty() ? std::string("automatic") : network; };
    compare("rat", to_string(old_radio.rat), to_string(new_radio.rat));
    compare("lte_bands", describe_bands(old_radio.lte_bands), describe_bands(new_radio.lte_bands));
    compare("nr_bands", describe_bands(old_radio.nr_bands), describe_bands(new_radio.nr_bands));
    compare("operator", network_text(old_radio.network), network_text(new_radio.network));
    if (old_radio != new_radio)
        plan.radio = PlannedChange::RadioAction::Apply;
    bool pin_changed = pin_of(before, old_settings) != pin_of(after, new_settings);
    if (pin_changed)
        differences.push_back("pin: changed");

    using Action = PlannedChange::Action;
    bool awaiting_pin = condition.state == State::Locked
        || (condition.state == State::Failed && condition.failed_reason == FailedReason::WrongPin);
    // Connected, connecting, or between attempts: a new call happens now.
    bool up = condition.connection != ConnectionState::Disconnected
        || (condition.wanted && condition.state == State::Registered);
    if (pin_changed && awaiting_pin)
        plan.action = Action::RetryPin;
    else if (old_connection.autoconnect != new_connection.autoconnect)
        plan.action = new_connection.autoconnect ? Action::Connect : (up ? Action::Disconnect : Action::None);
    else if (up && !same_call(old_connection, new_connection))
        plan.action = Action::Reconnect;
    else if (condition.connection == ConnectionState::Connected
        && (old_connection.mtu != new_connection.mtu || old_connection.route_metric != new_connection.route_metric
            || old_connection.ttl != new_connection.ttl))
        plan.action = Action::Reconfigure;
    return plan;
}

std::string describe_bands(const std::vector<int>& bands)
{
    return bands.empty() ? std::string("all") : fmt::format("{}", fmt::join(bands, " "));
}

} // namespace uplink::modem
