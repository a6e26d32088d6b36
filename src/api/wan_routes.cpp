// GET /v1/wans: each WAN of `config wan` with its options, its health, its probes and its last
// transitions; GET /v1/policies: the policies and traffic rules (docs/api.md, docs/failover.md).
// Options are given as the config file has them, so that the web UI can edit them through
// POST /v1/wans|policies|traffic/<name>.
#include "api/router.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace uplink::api {

namespace json = boost::json;
namespace chrono = std::chrono;

namespace {

// The health engine keeps monotonic times; the API gives wall-clock ones, as the events do.
json::value wall_time(std::optional<Clock::time_point> time)
{
    if (!time)
        return nullptr;
    auto age = chrono::duration_cast<chrono::system_clock::duration>(Clock::now() - *time);
    return json::value(format_utc_time(chrono::system_clock::now() - age));
}

json::value milliseconds(std::optional<Duration> duration)
{
    return duration ? json::value(duration->count()) : json::value(nullptr);
}

json::array strings(const std::vector<std::string>& values)
{
    return json::array(values.begin(), values.end());
}

json::object config_json(const wan::WanConfig& config)
{
    return json::object {
        {"interface", config.interface},
        {"modem", config.modem},
        {"track_ip", strings(config.track_ips)},
        {"track_method", wan::to_string(config.track_method)},
        {"track_port", config.track_port},
        {"dns", strings(config.dns)},
        {"metered", config.metered},
        {"probe_budget_mb", config.probe_budget_mb},
        {"standby", config.standby},
        {"nat66", config.nat66},
        {"share_prefix", config.share_prefix},
        {"enabled", config.enabled},
    };
}

// "fibre:3 lte": a weight of 1 goes unsaid, as in the config file.
std::string tier_text(const wan::Tier& tier)
{
    std::string text;
    for (const auto& member : tier)
        text += fmt::format("{}{}{}", text.empty() ? "" : " ", member.wan,
            member.weight == 1 ? "" : fmt::format(":{}", member.weight));
    return text;
}

json::object policy_json(const wan::PolicyConfig& policy)
{
    json::array tiers;
    for (const auto& tier : policy.tiers)
        tiers.push_back(json::value(tier_text(tier)));
    return json::object {
        {"name", policy.name},
        {"tier", std::move(tiers)},
        {"last_resort", wan::to_string(policy.last_resort)},
        {"sticky", policy.sticky.count()},
        {"failback", wan::to_string(policy.failback)},
        {"implicit", policy.implicit},
    };
}

// A host prefix as its address alone ("192.168.1.50"), "" for none.
std::string prefix_text(const std::optional<net::Prefix>& prefix)
{
    if (!prefix)
        return "";
    return prefix->length == prefix->address.size() * 8 ? net::to_string(prefix->address) : net::to_string(*prefix);
}

std::string ports_text(const std::optional<wan::PortRange>& ports)
{
    if (!ports)
        return "";
    return ports->first == ports->last ? std::to_string(ports->first) : fmt::format("{}-{}", ports->first, ports->last);
}

json::object traffic_json(const wan::TrafficRule& rule)
{
    return json::object {
        {"name", rule.name},
        {"src_ip", prefix_text(rule.source)},
        {"dest_ip", prefix_text(rule.destination)},
        {"proto", wan::to_string(rule.protocol)},
        {"src_port", ports_text(rule.source_port)},
        {"dest_port", ports_text(rule.destination_port)},
        {"family", wan::to_string(rule.family)},
        {"policy", rule.policy},
    };
}

json::object wan_json(const wan::WanStatus& status)
{
    const auto& health = status.health;
    json::array transitions;
    for (const auto& transition : status.transitions)
        transitions.push_back(json::object {
            {"from", health::to_string(transition.from)},
            {"to", health::to_string(transition.to)},
            {"reason", transition.reason},
            {"time", wall_time(transition.time)},
        });
    return json::object {
        {"name", status.name},
        {"config", config_json(status.config)},
        {"interface", status.interface.empty() ? json::value(nullptr) : json::value(status.interface)},
        {"mark", fmt::format("0x{:08x}", wan::mark_of(status.id))},
        {"link", status.link},
        {"state", health::to_string(health.state)},
        {"reason", health.reason},
        // None for a modem WAN with no connection, and so no health engine.
        {"since", health.since == Clock::time_point {} ? json::value(nullptr) : wall_time(health.since)},
        {"held_until", wall_time(health.held_until)},
        {"rtt_ms", milliseconds(health.smoothed_rtt)},
        {"rtt_variation_ms", milliseconds(health.rtt_variation)},
        {"probe_timeout_ms", health.timeout.count()},
        {"loss", health.loss ? json::value(*health.loss) : json::value(nullptr)},
        {"latency_ms", milliseconds(health.latency)},
        {"probes", json::object {{"sent", health.probes_sent},
                                 {"answered", health.probes_answered},
                                 {"lost", health.probes_lost},
                                 {"bytes", health.bytes_sent},
                                 {"bytes_per_month", health.bytes_per_month},
                                 {"monthly_budget_bytes", health.monthly_byte_budget}}},
        {"transitions", std::move(transitions)},
    };
}

} // namespace

Response Router::wans() const
{
    json::array wans;
    for (const auto& status : source_.wans())
        wans.push_back(wan_json(status));
    return Response::ok(std::move(wans));
}

Response Router::policies() const
{
    auto settings = source_.wan_settings();
    json::array policies, traffic;
    for (const auto& policy : settings.policies)
        policies.push_back(policy_json(policy));
    for (const auto& rule : settings.rules)
        traffic.push_back(traffic_json(rule));
    return Response::ok(json::object {
        {"default_policy", settings.default_policy},
        {"policies", std::move(policies)},
        {"traffic", std::move(traffic)},
    });
}

} // namespace uplink::api
