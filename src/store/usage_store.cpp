// Data usage per WAN: growth of the kernel's interface counters, summed by local day in SQLite.
#include "store/sqlite.hpp"
#include "store/store.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <optional>
#include <set>

namespace uplink::store {

namespace {

namespace chrono = std::chrono;
using TimePoint = chrono::system_clock::time_point;

// migrations[n] takes the schema from version n to n + 1 (PRAGMA user_version). Append only.
// Counters are unsigned 64-bit; SQLite's INTEGER is signed 64-bit, so they are stored as their
// two's-complement bit pattern (only a reading past 2^63 bytes would look negative in the file).
constexpr std::array<const char*, 1> migrations = {
    R"sql(
    CREATE TABLE usage_daily (
        wan TEXT NOT NULL,
        day TEXT NOT NULL,               -- local date, YYYY-MM-DD
        received_bytes INTEGER NOT NULL,
        sent_bytes INTEGER NOT NULL,
        PRIMARY KEY (wan, day)
    ) WITHOUT ROWID;
    CREATE TABLE usage_reading (         -- the last counters seen per WAN
        wan TEXT PRIMARY KEY NOT NULL,
        interface TEXT NOT NULL,
        interface_index INTEGER NOT NULL,
        received_bytes INTEGER NOT NULL,
        sent_bytes INTEGER NOT NULL
    ) WITHOUT ROWID;
    )sql",
};
// "uplk" in ASCII: PRAGMA application_id marks the file as ours (see open_database()).
constexpr Schema schema {0x75706c6b, migrations};

std::int64_t to_column(std::uint64_t value)
{
    return static_cast<std::int64_t>(value);
}

std::uint64_t from_column(std::int64_t value)
{
    return static_cast<std::uint64_t>(value);
}

chrono::year_month_day local_date(TimePoint now)
{
    std::time_t seconds = chrono::system_clock::to_time_t(chrono::floor<chrono::seconds>(now));
    std::tm local {};
    if (!::localtime_r(&seconds, &local)) // only for a time too far off to be a date
        return chrono::year_month_day {chrono::floor<chrono::days>(now)};
    return chrono::year {local.tm_year + 1900}
    / chrono::month {static_cast<unsigned>(local.tm_mon + 1)}
    / chrono::day {static_cast<unsigned>(local.tm_mday)};
}

TimePoint local_midnight(chrono::year_month_day date)
{
    std::tm local {};
    local.tm_year = static_cast<int>(date.year()) - 1900;
    local.tm_mon = static_cast<int>(static_cast<unsigned>(date.month())) - 1;
    local.tm_mday = static_cast<int>(static_cast<unsigned>(date.day()));
    local.tm_isdst = -1; // whichever applies then
    // Where a DST change skips midnight, mktime() gives the first time that exists (01:00).
    return chrono::system_clock::from_time_t(std::mktime(&local));
}

// "YYYY-MM-DD": sorts as the dates do, so SQL compares days as text.
std::string day_key(chrono::year_month_day date)
{
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

std::string day_key(chrono::sys_days day)
{
    return day_key(chrono::year_month_day {day});
}

// The billing period holding `today`: from `reset_day` of this month, or of the previous one
// before that day. Every month has the days 1..28.
chrono::year_month_day period_start(chrono::year_month_day today, int reset_day)
{
    auto start = today.year() / today.month() / chrono::day {static_cast<unsigned>(reset_day)};
    if (today.day() < start.day())
        start -= chrono::months {1};
    return start;
}

// The growth of one counter from `last` to `now`; a drop is a reset (or a wrap), after which
// the counter counted up from zero.
std::uint64_t growth(std::uint64_t last, std::uint64_t now, bool same_interface)
{
    if (!same_interface || now < last)
        return now;
    return now - last;
}

} // namespace

struct UsageStore::State {
    Database database; // first: closed after the statements are finalized
    Statement add_daily;
    Statement save_reading;
    Statement select_days;
    Statement prune;

    // The last reading of each WAN, as persisted or newer.
    std::map<std::string, Counters, std::less<>> readings;
    std::set<std::string, std::less<>> changed_readings; // not persisted yet
    // Growth not flushed yet: WAN -> day key -> bytes.
    std::map<std::string, std::map<std::string, Usage>, std::less<>> pending;
    std::optional<TimePoint> latest; // the newest `now` given to record(), for pruning
    std::string pruned_before; // the cut-off of the last prune

    Result<void> prepare();
    Result<void> load_readings();
    // Daily rows of `wan` in [first, end) (day keys), flushed and pending, by day.
    Result<std::map<std::string, Usage>> days(
        std::string_view wan, const std::string& first, const std::string& end);
};

Result<void> UsageStore::State::prepare()
{
    auto* raw = database.get();
    const std::pair<Statement*, const char*> statements[] = {
        {&add_daily,
            "INSERT INTO usage_daily (wan, day, received_bytes, sent_bytes) VALUES (?1, ?2, ?3, "
            "?4) "
            "ON CONFLICT (wan, day) DO UPDATE SET "
            "received_bytes = received_bytes + excluded.received_bytes, "
            "sent_bytes = sent_bytes + excluded.sent_bytes"},
        {&save_reading,
            "INSERT OR REPLACE INTO usage_reading "
            "(wan, interface, interface_index, received_bytes, sent_bytes) "
            "VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&select_days,
            "SELECT day, received_bytes, sent_bytes FROM usage_daily "
            "WHERE wan = ?1 AND day >= ?2 AND day < ?3"},
        {&prune, "DELETE FROM usage_daily WHERE day < ?1"},
    };
    for (auto [statement, sql] : statements) {
        auto prepared = Statement::prepare(raw, sql);
        if (!prepared)
            return prepared.error();
        *statement = std::move(*prepared);
    }
    return {};
}

Result<void> UsageStore::State::load_readings()
{
    auto select = Statement::prepare(database.get(),
        "SELECT wan, interface, interface_index, received_bytes, sent_bytes FROM usage_reading");
    if (!select)
        return select.error();
    for (;;) {
        auto row = select->step();
        if (!row)
            return row.error();
        if (!*row)
            return {};
        readings.insert_or_assign(std::string(select->text(0)),
            Counters {.interface = std::string(select->text(1)),
                .interface_index = static_cast<int>(select->integer(2)),
                .received_bytes = from_column(select->integer(3)),
                .sent_bytes = from_column(select->integer(4))});
    }
}

Result<std::map<std::string, Usage>> UsageStore::State::days(
    std::string_view wan, const std::string& first, const std::string& end)
{
    std::map<std::string, Usage> found;
    select_days.start().bind(1, wan).bind(2, first).bind(3, end);
    for (;;) {
        auto row = select_days.step();
        if (!row) {
            select_days.finish();
            return row.error();
        }
        if (!*row)
            break;
        found[std::string(select_days.text(0))]
            += Usage {from_column(select_days.integer(1)), from_column(select_days.integer(2))};
    }
    select_days.finish();
    if (auto wan_pending = pending.find(wan); wan_pending != pending.end()) {
        auto& by_day = wan_pending->second;
        for (auto it = by_day.lower_bound(first); it != by_day.end() && it->first < end; ++it)
            found[it->first] += it->second;
    }
    return found;
}

UsageStore::UsageStore(std::unique_ptr<State> state)
    : state_(std::move(state))
{
}

UsageStore::UsageStore(UsageStore&&) noexcept = default;
UsageStore& UsageStore::operator=(UsageStore&&) noexcept = default;
UsageStore::~UsageStore() = default;

Result<UsageStore> UsageStore::open(const std::string& path)
{
    auto state = std::make_unique<State>();
    auto database = open_database(path, schema);
    if (!database)
        return database.error();
    state->database = std::move(*database);
    if (auto prepared = state->prepare(); !prepared)
        return prepared.error();
    if (auto loaded = state->load_readings(); !loaded)
        return loaded.error();
    return UsageStore(std::move(state));
}

void UsageStore::record(std::string_view wan, const Counters& counters, TimePoint now)
{
    auto& state = *state_;
    if (!state.latest || now > *state.latest)
        state.latest = now;
    auto last = state.readings.find(wan);
    if (last == state.readings.end()) {
        state.readings.emplace(std::string(wan), counters);
        state.changed_readings.emplace(wan);
        return;
    }
    bool same_interface
        = last->second
                .interface == counters.interface && last->second.interface_index == counters.interface_index;
    Usage grown {growth(last->second.received_bytes, counters.received_bytes, same_interface),
        growth(last->second.sent_bytes, counters.sent_bytes, same_interface)};
    if (grown != Usage {}) {
        auto wan_pending = state.pending.find(wan);
        if (wan_pending == state.pending.end())
            wan_pending
                = state.pending.emplace(std::string(wan), std::map<std::string, Usage> {}).first;
        wan_pending->second[day_key(local_date(now))] += grown;
    }
    bool changed = !same_interface || last->second.received_bytes != counters.received_bytes
        || last->second.sent_bytes != counters.sent_bytes;
    if (changed) {
        last->second = counters;
        if (!state.changed_readings.contains(wan))
            state.changed_readings.emplace(wan);
    }
}

Result<void> UsageStore::flush()
{
    auto& state = *state_;
    std::string cutoff;
    if (state.latest)
        cutoff = day_key(
            chrono::sys_days {local_date(*state.latest)} - chrono::days {usage_retention_days - 1});
    bool prune = !cutoff.empty() && cutoff != state.pruned_before;
    if (state.pending.empty() && state.changed_readings.empty() && !prune)
        return {};

    auto written = in_transaction(state.database.get(), [&]() -> Result<void> {
        for (const auto& [wan, by_day] : state.pending)
            for (const auto& [day, usage] : by_day) {
                state.add_daily.start()
                    .bind(1, wan)
                    .bind(2, day)
                    .bind(3, to_column(usage.received_bytes))
                    .bind(4, to_column(usage.sent_bytes));
                if (auto done = state.add_daily.run(); !done)
                    return done;
            }
        for (const auto& wan : state.changed_readings) {
            const auto& reading = state.readings.find(wan)->second;
            state.save_reading.start()
                .bind(1, wan)
                .bind(2, reading.interface)
                .bind(3, std::int64_t {reading.interface_index})
                .bind(4, to_column(reading.received_bytes))
                .bind(5, to_column(reading.sent_bytes));
            if (auto done = state.save_reading.run(); !done)
                return done;
        }
        if (prune)
            return state.prune.start().bind(1, cutoff).run();
        return {};
    });
    if (!written)
        return written; // everything stays pending for the next flush
    state.pending.clear();
    state.changed_readings.clear();
    if (prune)
        state.pruned_before = cutoff;
    return {};
}

Result<std::string> UsageStore::snapshot() const
{
    return serialize(state_->database.get());
}

Result<UsageTotals> UsageStore::totals(std::string_view wan, TimePoint now, int reset_day) const
{
    if (reset_day < 1 || reset_day > 28)
        return Errc::InvalidArgument;
    auto today = local_date(now);
    auto start = period_start(today, reset_day);
    auto days = state_->days(wan, day_key(start), day_key(start + chrono::months {1}));
    if (!days)
        return days.error();
    UsageTotals totals;
    totals.period_start = local_midnight(start);
    for (const auto& [day, usage] : *days)
        totals.this_period += usage;
    if (auto found = days->find(day_key(today)); found != days->end())
        totals.today = found->second;
    return totals;
}

Result<std::vector<std::pair<std::string, Usage>>> UsageStore::daily(
    std::string_view wan, int days, TimePoint now) const
{
    if (days < 1 || days > usage_retention_days)
        return Errc::InvalidArgument;
    chrono::sys_days today {local_date(now)};
    std::vector<std::pair<std::string, Usage>> result;
    result.reserve(static_cast<std::size_t>(days));
    for (int back = days - 1; back >= 0; --back)
        result.emplace_back(day_key(today - chrono::days {back}), Usage {});
    auto found = state_->days(wan, result.front().first, day_key(today + chrono::days {1}));
    if (!found)
        return found.error();
    for (auto& [day, usage] : result)
        if (auto it = found->find(day); it != found->end())
            usage = it->second;
    return result;
}

} // namespace uplink::store
