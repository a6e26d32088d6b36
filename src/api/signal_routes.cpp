// The signal beyond GET /v1/modems/<id>/signal: its history for charts, in columns as uPlot takes
// them, and a lease on fast polling for the antenna alignment view (docs/api.md).
#include "api/router.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cstdio>

namespace uplink::api {

namespace json = boost::json;
namespace chrono = std::chrono;
using SystemTime = chrono::system_clock::time_point;

namespace {

constexpr std::size_t max_history_points = 2000;
constexpr auto default_history_span = chrono::hours {24};
constexpr auto default_lease = chrono::seconds {30};
constexpr auto max_lease = chrono::seconds {120};

std::optional<std::int64_t> parse_integer(std::string_view text)
{
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc {} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// ISO 8601 as format_utc_time() writes it, with or without milliseconds, and with an offset
// ("+02:00") instead of "Z".
std::optional<SystemTime> parse_iso_time(const std::string& text)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
            &consumed)
        != 6)
        return std::nullopt;
    chrono::year_month_day date {chrono::year {year}, chrono::month {static_cast<unsigned>(month)},
        chrono::day {static_cast<unsigned>(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60 || consumed != 19)
        return std::nullopt;
    std::string_view rest = std::string_view(text).substr(19);
    chrono::milliseconds fraction {0};
    if (rest.starts_with('.')) {
        auto digits = rest.find_first_not_of("0123456789", 1);
        auto shown = rest.substr(1, std::min<std::size_t>(digits, 4) - 1);
        if (shown.empty())
            return std::nullopt;
        auto value = parse_integer(shown);
        for (auto i = shown.size(); i < 3; ++i)
            *value *= 10;
        fraction = chrono::milliseconds {*value};
        rest.remove_prefix(digits == std::string_view::npos ? rest.size() : digits);
    }
    chrono::minutes offset {0};
    if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        auto hours = parse_integer(rest.substr(1, 2));
        auto minutes = parse_integer(rest.substr(4, 2));
        if (!hours || !minutes)
            return std::nullopt;
        offset = chrono::hours {*hours} + chrono::minutes {*minutes};
        if (rest[0] == '-')
            offset = -offset;
    } else if (rest != "Z") {
        return std::nullopt;
    }
    return chrono::sys_days {date} + chrono::hours {hour} + chrono::minutes {minute} + chrono::seconds {second}
        + fraction - offset;
}

// `since`: Unix seconds, seconds before now when negative, or an ISO 8601 time.
std::optional<SystemTime> parse_since(const std::string& text, SystemTime now)
{
    if (auto seconds = parse_integer(text))
        return *seconds < 0 ? now + chrono::seconds {*seconds} : SystemTime {chrono::seconds {*seconds}};
    return parse_iso_time(text);
}

json::value optional_number(const std::optional<int>& value)
{
    return value ? json::value(*value) : json::value(nullptr);
}

} // namespace

// GET /v1/modems/<id>/signal/history?since=<time>&points=<n>
Response Router::signal_history(const std::string& id, const Query& query) const
{
    auto snapshot = source_.modem(id);
    if (!snapshot)
        return not_found_modem(id);
    auto now = chrono::system_clock::now();
    auto since = now - default_history_span;
    if (auto found = query.find("since"); found != query.end()) {
        auto parsed = parse_since(found->second, now);
        if (!parsed)
            return Response::failure(400, "'since' must be Unix seconds (1714564800), seconds before now (-3600) "
                                          "or an ISO 8601 time (2024-05-01T12:00:00Z)");
        since = *parsed;
    }
    std::size_t points = max_history_points;
    if (auto found = query.find("points"); found != query.end()) {
        auto parsed = parse_integer(found->second);
        if (!parsed || *parsed < 1 || *parsed > static_cast<std::int64_t>(max_history_points))
            return Response::failure(400, fmt::format("'points' must be 1 to {}", max_history_points));
        points = static_cast<std::size_t>(*parsed);
    }
    auto history = source_.signal_history(id, since, points);
    if (!history && history.error() == modem::Errc::NoSuchModem)
        return not_found_modem(id);
    if (!history)
        return Response::failure(503, fmt::format("no signal history is kept: {} (see uplinkd's log)",
                                                  history.error().message()));
    json::array times, rssi, rsrp, rsrq, sinr;
    for (const auto& point : history->points) {
        times.emplace_back(chrono::floor<chrono::seconds>(point.time).time_since_epoch().count());
        rssi.push_back(optional_number(point.rssi_dbm));
        rsrp.push_back(optional_number(point.rsrp_dbm));
        rsrq.push_back(optional_number(point.rsrq_db));
        sinr.push_back(optional_number(point.sinr_db));
    }
    return Response::ok(json::object{
        {"modem_id", id},
        {"wan", snapshot->wan},
        {"since", chrono::floor<chrono::seconds>(since).time_since_epoch().count()},
        {"bucket_s", history->bucket.count()},
        {"time", std::move(times)},
        {"rssi_dbm", std::move(rssi)},
        {"rsrp_dbm", std::move(rsrp)},
        {"rsrq_db", std::move(rsrq)},
        {"sinr_db", std::move(sinr)},
    });
}

// POST /v1/modems/<id>/signal/fast {"seconds":30}: the page renews it while it is open, so a
// closed page costs the modem at most the lease's rest.
Response Router::fast_signal(const std::string& id, const json::value& body)
{
    auto length = default_lease;
    const auto* seconds = body.is_object() ? body.as_object().if_contains("seconds") : nullptr;
    if (seconds) {
        if (!seconds->is_int64() || seconds->as_int64() < 1 || seconds->as_int64() > max_lease.count())
            return Response::failure(400, fmt::format("'seconds' must be a whole number from 1 to {}",
                                                      max_lease.count()));
        length = chrono::seconds {seconds->as_int64()};
    }
    auto until = source_.fast_signal(id, length);
    if (!until && until.error() == modem::Errc::NoSuchModem)
        return not_found_modem(id);
    if (!until)
        return Response::failure(500, fmt::format("modem '{}': {}", id, until.error().message()));
    auto remaining = chrono::duration_cast<chrono::milliseconds>(*until - Clock::now());
    return Response::ok(json::object{
        {"modem_id", id},
        {"until", format_utc_time(chrono::system_clock::now() + remaining)},
        {"seconds", chrono::round<chrono::seconds>(remaining).count()},
        {"interval_ms", chrono::duration_cast<chrono::milliseconds>(modem::Manager::fast_signal_interval).count()},
    });
}

} // namespace uplink::api
