// GET /v1/wans: each WAN of `config wan` with its health, its probes and its last transitions
// (docs/api.md, docs/failover.md "Health").
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

} // namespace uplink::api
