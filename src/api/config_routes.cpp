// The profiles and rules the modems run with (docs/api.md "Profiles and rules"): read them,
// and preview or apply a change of one. Secrets (passwords, PINs) are never in a reply: only
// whether one is set.
#include "api/router.hpp"

#include <boost/json.hpp>

namespace uplink::api {

namespace json = boost::json;

namespace {

json::value metric_json(std::uint32_t metric)
{
    return metric == 0 ? json::value(nullptr) : json::value(metric);
}

json::value connection_settings_json(const modem::ConnectionSettings& connection)
{
    return json::object{
        {"apn", connection.apn},
        {"auth", to_string(connection.authentication)},
        {"username", connection.username},
        {"password_set", !connection.password.empty()},
        {"ip_family", to_string(connection.families)},
        {"autoconnect", connection.autoconnect},
        {"mtu", connection.mtu ? json::value(*connection.mtu) : json::value(nullptr)},
        {"metric", metric_json(connection.route_metric)},
        {"ttl", connection.ttl ? json::value(*connection.ttl) : json::value(nullptr)},
    };
}

json::value watchdog_json(const modem::Watchdog& watchdog)
{
    json::array hosts;
    for (const auto& host : watchdog.probe_hosts)
        hosts.push_back(json::value(host));
    return json::object{
        {"probe_hosts", std::move(hosts)},
        {"probe_interval_s", std::chrono::duration_cast<std::chrono::seconds>(watchdog.probe_interval).count()},
        {"probe_bytes_per_month", modem::watchdog_bytes_per_month(watchdog)},
        {"recovery_backoff_s", std::chrono::duration_cast<std::chrono::seconds>(watchdog.first_backoff).count()},
        {"usb_power_cycle", watchdog.usb_power_cycle},
    };
}

json::value bands_json(const std::vector<int>& bands)
{
    json::array array;
    for (int band : bands)
        array.push_back(band);
    return array;
}

json::value radio_settings_json(const modem::RadioSettings& radio)
{
    return json::object{
        {"rat", to_string(radio.rat)},
        {"lte_bands", bands_json(radio.lte_bands)},
        {"nr_bands", bands_json(radio.nr_bands)},
        {"operator", radio.network.empty() ? json::value(nullptr) : json::value(radio.network)},
    };
}

json::value plan_json(const modem::PlannedChange& plan)
{
    json::array differences;
    for (const auto& difference : plan.differences)
        differences.push_back(json::value(difference));
    return json::object{
        {"modem_id", plan.modem_id},
        {"wan", plan.wan},
        {"action", to_string(plan.action)},
        {"radio_action", to_string(plan.radio)},
        {"differences", std::move(differences)},
        {"before", plan.before ? effective_settings_json(*plan.before) : json::value(nullptr)},
        {"after", plan.after ? effective_settings_json(*plan.after) : json::value(nullptr)},
    };
}

// {"options": {"apn": "x", "mtu": 1400, "autoconnect": false}, "preview": true}: strings,
// integers and booleans, as the config file would hold them; null or "" returns an option to
// its default.
std::optional<std::string> read_edit_body(const json::value& body, ConfigEdit& edit)
{
    if (body.is_null())
        return std::nullopt;
    const auto* object = body.if_object();
    if (!object)
        return "the body must be an object, e.g. {\"options\":{\"apn\":\"internet\"},\"preview\":true}";
    for (const auto& [key, value] : *object) {
        if (key == "preview") {
            if (!value.is_bool())
                return "field 'preview' must be true or false";
            edit.mode = value.as_bool() ? ConfigEdit::Mode::Preview : ConfigEdit::Mode::Apply;
        } else if (key == "options") {
            const auto* options = value.if_object();
            if (!options)
                return "field 'options' must be an object of option names and values";
            for (const auto& [name, option] : *options) {
                std::string text;
                if (const auto* string = option.if_string())
                    text = std::string(*string);
                else if (option.is_int64() || option.is_uint64())
                    text = json::serialize(option);
                else if (option.is_bool())
                    text = option.as_bool() ? "1" : "0";
                else if (!option.is_null())
                    return fmt::format("option '{}' must be a string, a number, true/false or null", std::string(name));
                edit.options[std::string(name)] = std::move(text);
            }
        } else {
            return fmt::format("unknown field '{}': the body has 'options' and 'preview'", std::string(key));
        }
    }
    return std::nullopt;
}

} // namespace

json::value profile_json(const modem::Profile& profile)
{
    auto object = connection_settings_json(profile.connection).as_object();
    object.emplace("name", profile.name);
    object.emplace("pin_set", !profile.pin.empty());
    object.emplace("watchdog", watchdog_json(profile.watchdog));
    object.emplace("radio", radio_settings_json(profile.radio));
    return object;
}

json::value rule_json(const modem::SimRule& rule)
{
    return json::object{
        {"name", rule.name},
        {"profile", rule.profile},
        {"iccid", rule.iccid_prefix},
        {"imsi", rule.imsi_prefix},
        {"mcc_mnc", rule.mcc_mnc},
        {"imei", rule.imei},
        {"model", rule.model},
    };
}

json::value effective_settings_json(const modem::EffectiveSettings& settings)
{
    return json::object{
        {"profile", settings.profile},
        {"rule", settings.rule.empty() ? json::value(nullptr) : json::value(settings.rule)},
        {"reason", settings.reason},
        {"provisional", settings.provisional},
        {"apn_source", to_string(settings.apn_source)},
        {"apn_entry", settings.apn_entry.empty() ? json::value(nullptr) : json::value(settings.apn_entry)},
        {"connection", connection_settings_json(settings.connection)},
        {"watchdog", watchdog_json(settings.watchdog)},
        {"radio", radio_settings_json(settings.radio)},
        {"pin_set", settings.has_pin},
    };
}

json::value radio_state_json(const modem::RadioState& radio)
{
    return json::object{
        {"rat", radio.rat ? json::value(to_string(*radio.rat)) : json::value(nullptr)},
        {"lte_bands", radio.lte_bands ? bands_json(*radio.lte_bands) : json::value(nullptr)},
        {"nr_bands", radio.nr_bands ? bands_json(*radio.nr_bands) : json::value(nullptr)},
        {"nsa_nr_bands", radio.nsa_nr_bands ? bands_json(*radio.nsa_nr_bands) : json::value(nullptr)},
        {"selection", radio.selection.empty() ? json::value(nullptr) : json::value(radio.selection)},
        {"operator", radio.network.empty() ? json::value(nullptr) : json::value(radio.network)},
        {"error", radio.error.empty() ? json::value(nullptr) : json::value(radio.error)},
    };
}

Response Router::profiles() const
{
    auto policy = source_.policy();
    json::array profiles, rules;
    for (const auto& profile : policy.profiles)
        profiles.push_back(profile_json(profile));
    for (const auto& rule : policy.rules)
        rules.push_back(rule_json(rule));
    return Response::ok(json::object{
        {"default_profile", policy.default_profile},
        {"profiles", std::move(profiles)},
        {"rules", std::move(rules)},
    });
}

// POST /v1/profiles/<name>, /v1/rules/<name> (set), or .../<name>/delete. A preview unless the
// body says "preview": false.
Response Router::edit_config(std::string type, std::string name, bool remove, const json::value& body)
{
    ConfigEdit edit;
    edit.type = std::move(type);
    edit.name = std::move(name);
    edit.kind = remove ? ConfigEdit::Kind::Remove : ConfigEdit::Kind::Set;
    if (auto problem = read_edit_body(body, edit))
        return Response::failure(400, *problem);
    if (remove && !edit.options.empty())
        return Response::failure(400, "a delete takes no 'options'");
    auto outcome = source_.edit_config(edit);
    if (!outcome)
        return Response::failure(500, fmt::format("the configuration cannot be saved: {}", outcome.error().message()));
    if (!outcome->problems.empty())
        return Response::failure(remove ? 409 : 400, fmt::format("{}", fmt::join(outcome->problems, "; ")));
    json::array changes;
    for (const auto& change : outcome->changes)
        changes.push_back(plan_json(change));
    return Response::ok(json::object{
        {edit.type, edit.name},
        {"applied", outcome->applied},
        {"changes", std::move(changes)},
    });
}

} // namespace uplink::api
