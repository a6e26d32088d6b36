// GET /v1/modems/<id>/debug: what a bug report about one modem needs, in one document
// (docs/api.md "Debug information"), for `uplink debug <id> --bundle FILE`. It is made of the
// other resources' JSON forms, so it carries no secret they do not: the dialogue is redacted as
// it is captured, and profiles show only whether a PIN or password is set.
#include "api/router.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace uplink::api {

namespace json = boost::json;

namespace {

// The configured profile and rule that chose the modem's settings; null for a built-in default
// profile, for "no rule matched", and before the SIM is read.
json::object chosen_configuration_json(
    const modem::ProfilePolicy& policy, const std::optional<modem::EffectiveSettings>& settings)
{
    json::object chosen {{"profile", nullptr}, {"rule", nullptr}};
    if (!settings)
        return chosen;
    auto profile = std::ranges::find(policy.profiles, settings->profile, &modem::Profile::name);
    if (profile != policy.profiles.end())
        chosen["profile"] = profile_json(*profile);
    auto rule = std::ranges::find(policy.rules, settings->rule, &modem::SimRule::name);
    if (!settings->rule.empty() && rule != policy.rules.end())
        chosen["rule"] = rule_json(*rule);
    return chosen;
}

json::array modem_events_json(const std::vector<modem::Event>& events, const std::string& id)
{
    json::array body;
    for (const auto& event : events)
        if (event.modem_id == id)
            body.push_back(event_json(event));
    return body;
}

} // namespace

Response Router::debug(const std::string& id) const
{
    auto snapshot = source_.modem(id);
    auto dialogue = source_.dialogue(id);
    if (!snapshot || !dialogue)
        return not_found_modem(id);
    auto chosen = chosen_configuration_json(source_.policy(), snapshot->settings);
    return Response::ok(json::object {
        {"uplink_version", info_.version},
        {"generated", format_utc_time(std::chrono::system_clock::now())},
        {"modem", modem_json(*snapshot)},
        {"profile", std::move(chosen["profile"])},
        {"rule", std::move(chosen["rule"])},
        {"events", modem_events_json(source_.recent_events(), id)},
        {"dialogue", dialogue_json(*dialogue)},
    });
}

} // namespace uplink::api
