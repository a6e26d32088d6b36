// The signal beyond GET /v1/modems/<id>/signal: its history for charts, in columns as uPlot takes
// them, and a lease on fast polling for the antenna alignment view (docs/api.md).
#include "api/router.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace uplink::api {

namespace json = boost::json;
namespace chrono = std::chrono;
using SystemTime = chrono::system_clock::time_point;

namespace {

constexpr std::int64_t max_history_points = 2000;
constexpr auto default_history_span = chrono::hours {24};
constexpr auto default_lease = chrono::seconds {30};
constexpr auto max_lease = chrono::seconds {120};

// The clock's range in whole seconds: system_clock counts nanoseconds in 64 bits, so from 1970
// (earlier is no use to a history) to April 2262, less a second for a time's milliseconds. A
// `since` beyond it is refused rather than converted: the conversion would wrap around.
constexpr std::int64_t latest_since_seconds =
    chrono::floor<chrono::seconds>(SystemTime::max()).time_since_epoch().count() - 1;

// The value of decimal digits, already checked to be digits alone (4 at most).
int digits_value(std::string_view digits)
{
    int value = 0;
    for (char digit : digits)
        value = value * 10 + (digit - '0');
    return value;
}

bool all_digits(std::string_view text)
{
    return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

// ISO 8601 as format_utc_time() writes it, with or without milliseconds, and with an offset
// ("+02:00") instead of "Z". Each field is its digits alone at its place: a sign or a space where
// a digit belongs makes it no time.
std::optional<SystemTime> parse_iso_time(std::string_view text)
{
    constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";   // 'd': a digit
    if (text.size() < shape.size())
        return std::nullopt;
    for (std::size_t i = 0; i < shape.size(); ++i)
        if (shape[i] == 'd' ? !all_digits(text.substr(i, 1)) : text[i] != shape[i])
            return std::nullopt;
    chrono::year_month_day date {chrono::year {digits_value(text.substr(0, 4))},
        chrono::month {static_cast<unsigned>(digits_value(text.substr(5, 2)))},
        chrono::day {static_cast<unsigned>(digits_value(text.substr(8, 2)))}};
    chrono::hours hour {digits_value(text.substr(11, 2))};
    chrono::minutes minute {digits_value(text.substr(14, 2))};
    chrono::seconds second {digits_value(text.substr(17, 2))};
    if (!date.ok() || hour > chrono::hours {23} || minute > chrono::minutes {59} || second > chrono::seconds {60})
        return std::nullopt;
    std::string_view rest = text.substr(shape.size());
    chrono::milliseconds fraction {0};
    if (rest.starts_with('.')) {
        auto digits = rest.find_first_not_of("0123456789", 1);
        auto shown = rest.substr(1, std::min<std::size_t>(digits, 4) - 1);
        if (shown.empty())
            return std::nullopt;
        auto value = digits_value(shown);
        for (auto i = shown.size(); i < 3; ++i)
            value *= 10;
        fraction = chrono::milliseconds {value};
        rest.remove_prefix(digits == std::string_view::npos ? rest.size() : digits);
    }
    chrono::minutes offset {0};
    if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        if (!all_digits(rest.substr(1, 2)) || !all_digits(rest.substr(4, 2)))
            return std::nullopt;
        chrono::hours hours {digits_value(rest.substr(1, 2))};
        chrono::minutes minutes {digits_value(rest.substr(4, 2))};
        if (hours > chrono::hours {23} || minutes > chrono::minutes {59})
            return std::nullopt;
        offset = rest[0] == '-' ? -(hours + minutes) : hours + minutes;
    } else if (rest != "Z") {
        return std::nullopt;
    }
    // In seconds first, which hold any 4-digit year, and checked before the clock's nanoseconds.
    auto unix_time = chrono::sys_seconds {chrono::sys_days {date}} + hour + minute + second - offset;
    auto seconds = unix_time.time_since_epoch().count();
    if (seconds < 0 || seconds > latest_since_seconds)
        return std::nullopt;
    return SystemTime {unix_time.time_since_epoch()} + fraction;
}

// `since`: Unix seconds, seconds before now when negative, or an ISO 8601 time; between 1970 and
// latest_since_seconds however it is written.
std::optional<SystemTime> parse_since(std::string_view text, SystemTime now)
{
    auto now_seconds = chrono::floor<chrono::seconds>(now).time_since_epoch().count();
    if (auto seconds = parse_query_integer(text, -now_seconds, latest_since_seconds))
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
                                          "or an ISO 8601 time (2024-05-01T12:00:00Z), from 1970 to 2262");
        since = *parsed;
    }
    auto points = static_cast<std::size_t>(max_history_points);
    if (auto found = query.find("points"); found != query.end()) {
        auto parsed = parse_query_integer(found->second, 1, max_history_points);
        if (!parsed)
            return Response::failure(400, fmt::format("'points' must be a whole number from 1 to {}",
                                                      max_history_points));
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
