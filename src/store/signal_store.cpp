// Signal history per WAN: the modem's levels, one row per sample, pruned after signal_retention.
#include "store/sqlite.hpp"
#include "store/store.hpp"

#include <array>
#include <cmath>
#include <map>

namespace uplink::store {

namespace {

namespace chrono = std::chrono;
using TimePoint = chrono::system_clock::time_point;

constexpr std::array<const char*, 1> migrations = {
    R"sql(
    CREATE TABLE signal_sample (
        wan TEXT NOT NULL,
        time INTEGER NOT NULL,           -- Unix time, seconds
        rssi_dbm INTEGER,                -- NULL: not reported
        rsrp_dbm INTEGER,
        rsrq_db INTEGER,
        sinr_db INTEGER,
        PRIMARY KEY (wan, time)
    ) WITHOUT ROWID;
    )sql",
};
// "upls" in ASCII: not "uplk", so that usage.db and signal.db are never taken for each other.
constexpr Schema schema {0x75706c73, migrations};

// Pruning deletes rows in hour steps: one batch of page writes an hour, not one per flush.
using PruneStep = chrono::hours;

std::int64_t unix_seconds(TimePoint time)
{
    return chrono::floor<chrono::seconds>(time).time_since_epoch().count();
}

// The mean of one bucket's samples, value by value.
class Bucket {
public:
    void add(const SignalSample& sample)
    {
        if (count_ == 0)
            first_ = sample.time;
        ++count_;
        for (std::size_t i = 0; i < values.size(); ++i)
            if (const auto& value = sample.*values[i]) {
                sums_[i] += *value;
                ++counts_[i];
            }
    }

    SignalSample mean() const
    {
        SignalSample sample;
        sample.time = first_;
        for (std::size_t i = 0; i < values.size(); ++i)
            if (counts_[i] > 0)
                sample.*values[i] = static_cast<int>(
                    std::lround(static_cast<double>(sums_[i]) / static_cast<double>(counts_[i])));
        return sample;
    }

private:
    static constexpr std::array<std::optional<int> SignalSample::*, 4> values {
        &SignalSample::rssi_dbm, &SignalSample::rsrp_dbm, &SignalSample::rsrq_db,
        &SignalSample::sinr_db};
    TimePoint first_;
    std::size_t count_ = 0;
    std::array<std::int64_t, 4> sums_ {};
    std::array<std::size_t, 4> counts_ {};
};

} // namespace

struct SignalStore::State {
    Database database; // first: closed after the statements are finalized
    Statement save;
    Statement select;
    Statement prune;

    // Not flushed yet, by WAN, in the order recorded.
    std::map<std::string, std::vector<SignalSample>, std::less<>> pending;
    std::size_t pending_count = 0;
    std::optional<TimePoint> latest; // the newest sample recorded, for pruning
    std::optional<TimePoint> pruned_before;

    Result<void> prepare();
    void drop_oldest_pending();
};

Result<void> SignalStore::State::prepare()
{
    auto* raw = database.get();
    const std::pair<Statement*, const char*> statements[] = {
        {&save,
            "INSERT OR REPLACE INTO signal_sample "
            "(wan, time, rssi_dbm, rsrp_dbm, rsrq_db, sinr_db) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&select,
            "SELECT time, rssi_dbm, rsrp_dbm, rsrq_db, sinr_db FROM signal_sample "
            "WHERE wan = ?1 AND time >= ?2 AND time <= ?3 ORDER BY time"},
        {&prune, "DELETE FROM signal_sample WHERE time < ?1"},
    };
    for (auto [statement, sql] : statements) {
        auto prepared = Statement::prepare(raw, sql);
        if (!prepared)
            return prepared.error();
        *statement = std::move(*prepared);
    }
    return {};
}

void SignalStore::State::drop_oldest_pending()
{
    auto oldest = pending.end();
    for (auto it = pending.begin(); it != pending.end(); ++it)
        if (oldest == pending.end() || it->second.front().time < oldest->second.front().time)
            oldest = it;
    oldest->second.erase(oldest->second.begin());
    if (oldest->second.empty())
        pending.erase(oldest);
    --pending_count;
}

SignalStore::SignalStore(std::unique_ptr<State> state)
    : state_(std::move(state))
{
}

SignalStore::SignalStore(SignalStore&&) noexcept = default;
SignalStore& SignalStore::operator=(SignalStore&&) noexcept = default;
SignalStore::~SignalStore() = default;

Result<SignalStore> SignalStore::open(const std::string& path)
{
    auto state = std::make_unique<State>();
    auto database = open_database(path, schema);
    if (!database)
        return database.error();
    state->database = std::move(*database);
    if (auto prepared = state->prepare(); !prepared)
        return prepared.error();
    return SignalStore(std::move(state));
}

void SignalStore::record(std::string_view wan, const SignalSample& sample)
{
    auto& state = *state_;
    if (!state.latest || sample.time > *state.latest)
        state.latest = sample.time;
    auto found = state.pending.find(wan);
    if (found == state.pending.end())
        found = state.pending.emplace(std::string(wan), std::vector<SignalSample> {}).first;
    auto& samples = found->second;
    if (!samples.empty()
        && chrono::floor<chrono::seconds>(samples.back().time)
            == chrono::floor<chrono::seconds>(sample.time)) {
        samples.back() = sample; // one per second, as in the file
        return;
    }
    samples.push_back(sample);
    if (++state.pending_count > signal_pending_limit)
        state.drop_oldest_pending();
}

Result<void> SignalStore::flush()
{
    auto& state = *state_;
    std::optional<TimePoint> cutoff;
    if (state.latest)
        cutoff = chrono::floor<PruneStep>(*state.latest - signal_retention);
    bool prune = cutoff && cutoff != state.pruned_before;
    if (state.pending.empty() && !prune)
        return {};

    auto written = in_transaction(state.database.get(), [&]() -> Result<void> {
        for (const auto& [wan, samples] : state.pending)
            for (const auto& sample : samples) {
                state.save.start()
                    .bind(1, wan)
                    .bind(2, unix_seconds(sample.time))
                    .bind(3, sample.rssi_dbm)
                    .bind(4, sample.rsrp_dbm)
                    .bind(5, sample.rsrq_db)
                    .bind(6, sample.sinr_db);
                if (auto done = state.save.run(); !done)
                    return done;
            }
        if (prune)
            return state.prune.start().bind(1, unix_seconds(*cutoff)).run();
        return {};
    });
    if (!written)
        return written; // everything stays pending for the next flush
    state.pending.clear();
    state.pending_count = 0;
    if (prune)
        state.pruned_before = cutoff;
    return {};
}

Result<SignalHistory> SignalStore::history(
    std::string_view wan, TimePoint since, TimePoint until, std::size_t max_points) const
{
    if (max_points == 0)
        return Errc::InvalidArgument;
    // Nothing older is kept: a span reaching further back would only widen the buckets.
    auto first = chrono::floor<chrono::seconds>(std::max(since, until - signal_retention));
    auto last = chrono::floor<chrono::seconds>(until);
    SignalHistory history;
    if (last < first)
        return history;
    // Buckets of equal length from `since`: at most max_points of them reach `until`.
    auto span = (last - first).count() + 1;
    auto points = static_cast<std::int64_t>(max_points);
    history.bucket = chrono::seconds {(span + points - 1) / points};
    std::map<std::int64_t, Bucket> buckets;
    auto add = [&](const SignalSample& sample) {
        auto time = chrono::floor<chrono::seconds>(sample.time);
        if (time >= first && time <= last)
            buckets[(time - first) / history.bucket].add(sample);
    };

    auto& select = state_->select;
    select.start().bind(1, wan).bind(2, unix_seconds(first)).bind(3, unix_seconds(last));
    for (;;) {
        auto row = select.step();
        if (!row) {
            select.finish();
            return row.error();
        }
        if (!*row)
            break;
        auto narrow = [&](int column) -> std::optional<int> {
            if (auto value = select.optional_integer(column))
                return static_cast<int>(*value);
            return std::nullopt;
        };
        add({.time = TimePoint {chrono::seconds {select.integer(0)}},
            .rssi_dbm = narrow(1),
            .rsrp_dbm = narrow(2),
            .rsrq_db = narrow(3),
            .sinr_db = narrow(4)});
    }
    select.finish();
    if (auto found = state_->pending.find(wan); found != state_->pending.end())
        for (const auto& sample : found->second)
            add(sample);

    history.points.reserve(buckets.size());
    for (const auto& [index, bucket] : buckets)
        history.points.push_back(bucket.mean());
    return history;
}

} // namespace uplink::store
