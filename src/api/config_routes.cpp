// The profiles and rules the modems run with (docs/api.md "Profiles and rules"): read them,
// and preview or apply a change of one. Secrets (passwords, PINs) are never in a reply: only
// whether one is set. The one exception is the whole config file, for a backup and its restore,
// which only an admin reaches (the web module keeps API tokens from it).
#include "api/router.hpp"

#include <boost/json.hpp>

namespace uplink::api {

namespace json = boost::json;

namespace {

json::array strings_json(const std::vector<std::string>& strings)
{
    json::array array;
    for (const auto& string : strings)
        array.push_back(json::value(string));
    return array;
}

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
    return json::object{
        {"probe_hosts", strings_json(watchdog.probe_hosts)},
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
    return json::object{
        {"modem_id", plan.modem_id},
        {"wan", plan.wan},
        {"action", to_string(plan.action)},
        {"radio_action", to_string(plan.radio)},
        {"differences", strings_json(plan.differences)},
        {"before", plan.before ? effective_settings_json(*plan.before) : json::value(nullptr)},
        {"after", plan.after ? effective_settings_json(*plan.after) : json::value(nullptr)},
    };
}

// "preview": true (nothing changes) or false (saved and applied).
std::optional<std::string> read_preview(const json::value& value, ConfigEdit::Mode& mode)
{
    if (!value.is_bool())
        return "field 'preview' must be true or false";
    mode = value.as_bool() ? ConfigEdit::Mode::Preview : ConfigEdit::Mode::Apply;
    return std::nullopt;
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
            if (auto problem = read_preview(value, edit.mode))
                return problem;
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
                else if (const auto* values = option.if_array()) {
                    auto& list = edit.lists[std::string(name)];
                    for (const auto& value : *values) {
                        const auto* string = value.if_string();
                        if (!string)
                            return fmt::format("list '{}' must be an array of strings", std::string(name));
                        list.emplace_back(*string);
                    }
                    continue;
                } else if (!option.is_null())
                    return fmt::format("option '{}' must be a string, a number, true/false, null or, for a list, "
                                       "an array of strings",
                        std::string(name));
                edit.options[std::string(name)] = std::move(text);
            }
        } else {
            return fmt::format("unknown field '{}': the body has 'options' and 'preview'", std::string(key));
        }
    }
    return std::nullopt;
}

json::array changes_json(const ConfigEditOutcome& outcome)
{
    json::array changes;
    for (const auto& change : outcome.changes)
        changes.push_back(plan_json(change));
    return changes;
}

// {"text": "config uplink 'main'\n...", "preview": false}
std::optional<std::string> read_restore_body(const json::value& body, ConfigRestore& restore)
{
    const auto* object = body.if_object();
    const auto* text = object ? object->if_contains("text") : nullptr;
    if (!text || !text->is_string())
        return "send {\"text\":\"<the config file>\",\"preview\":true}, the text as GET /v1/config gives it";
    restore.text = std::string(text->as_string());
    for (const auto& [key, value] : *object) {
        if (key == "preview") {
            if (auto problem = read_preview(value, restore.mode))
                return problem;
        } else if (key != "text") {
            return fmt::format("unknown field '{}': the body has 'text' and 'preview'", std::string(key));
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
        {"link_owner", to_string(settings.connection.link_owner)},
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
// An API token sets no secret option and its previews do not compare them (api.hpp, SecretAccess).
Response Router::edit_config(std::string type, std::string name, bool remove, const Request& request)
{
    ConfigEdit edit;
    edit.type = std::move(type);
    edit.name = std::move(name);
    edit.kind = remove ? ConfigEdit::Kind::Remove : ConfigEdit::Kind::Set;
    edit.secrets = request.caller == Caller::ApiToken ? SecretAccess::None : SecretAccess::Full;
    if (auto problem = read_edit_body(request.body, edit))
        return Response::failure(400, *problem);
    if (remove && !(edit.options.empty() && edit.lists.empty()))
        return Response::failure(400, "a delete takes no 'options'");
    auto outcome = source_.edit_config(edit);
    if (!outcome)
        return Response::failure(500, fmt::format("the configuration cannot be saved: {}", outcome.error().message()));
    if (!outcome->forbidden.empty()) {
        log(LogLevel::Warning, "api", "config: {} refused setting the secret {} of {} '{}'", request.client,
            fmt::join(outcome->forbidden, ", "), edit.type, edit.name);
        return Response::failure(403, fmt::format("an API token cannot set {} {}: {} secret; log in with the "
            "password to set it", outcome->forbidden.size() == 1 ? "option" : "options",
            fmt::format("'{}'", fmt::join(outcome->forbidden, "', '")),
            outcome->forbidden.size() == 1 ? "it is a" : "each is a"));
    }
    // The audit log: who changed what (option names only: values may be secrets).
    if (outcome->applied) {
        std::vector<std::string> names;
        for (const auto& [option, value] : edit.options)
            names.push_back(option);
        for (const auto& [option, values] : edit.lists)
            names.push_back(option);
        log(LogLevel::Info, "api", "config: {} {} {} '{}'{}", request.client, remove ? "removed" : "set", edit.type,
            edit.name, names.empty() ? "" : fmt::format(" ({})", fmt::join(names, ", ")));
    }
    if (!outcome->problems.empty())
        return Response::failure(remove ? 409 : 400, fmt::format("{}", fmt::join(outcome->problems, "; ")));
    return Response::ok(json::object{
        {edit.type, edit.name},
        {"applied", outcome->applied},
        {"changed", strings_json(outcome->changed)},
        {"changes", changes_json(*outcome)},
    });
}

// GET /v1/config: the file as it is, secrets and comments included, for a backup.
Response Router::config_file() const
{
    auto file = source_.config_file();
    if (!file)
        return Response::failure(500, fmt::format("the configuration cannot be read: {}", file.error().message()));
    return Response::ok(json::object{{"path", file->path}, {"text", file->text}});
}

// POST /v1/config: a backup put back, checked whole as a reload checks it. A preview unless the
// body says "preview": false.
Response Router::restore_config(const Request& request)
{
    ConfigRestore restore;
    if (auto problem = read_restore_body(request.body, restore))
        return Response::failure(400, *problem);
    auto outcome = source_.restore_config(std::move(restore));
    if (!outcome)
        return Response::failure(500, fmt::format("the configuration cannot be saved: {}", outcome.error().message()));
    if (!outcome->problems.empty())
        return Response::failure(400, fmt::format("the configuration is refused and nothing changed: {}",
            fmt::join(outcome->problems, "; ")));
    if (outcome->applied)
        log(LogLevel::Info, "api", "config: {} restored a backup ({} changed)", request.client,
            outcome->changed.empty() ? "nothing" : fmt::format("{}", fmt::join(outcome->changed, ", ")));
    return Response::ok(json::object{
        {"applied", outcome->applied},
        {"changed", strings_json(outcome->changed)},
        {"restart_required", strings_json(outcome->restart_required)},
        {"changes", changes_json(*outcome)},
    });
}

} // namespace uplink::api
