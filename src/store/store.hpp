// store: uplinkd's state that outlives a restart, kept in SQLite: data usage per WAN and the
// signal history of each WAN's modem.
//
// The classes here are synchronous and meant for the daemon's one loop thread: the frequent calls
// (record()) touch only memory, and the disk is written in batches, one transaction per flush().
#pragma once

#include "core/core.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uplink::store {

enum class Errc {
    CannotOpen = 1, // the file (or its directory) cannot be opened or created
    Corrupt, // not an SQLite database, or it fails SQLite's integrity check
    ForeignDatabase, // another program's SQLite database (or another of ours): left alone
    TooNew, // written by a newer uplinkd (a schema version this one does not know)
    ReadOnly, // the file or its directory is not writable
    Busy, // another process (a second uplinkd?) holds the database
    Full, // the disk (or flash) is full
    Io, // the kernel reported an I/O error
    Database, // any other SQLite failure
    InvalidArgument, // a reset day outside 1..28, a number of days outside 1..retention, no points
};
const boost::system::error_category& store_category();
Error make_error_code(Errc code);

// The kernel's statistics of the interface a WAN runs on, as read now (rtnetlink's
// IFLA_STATS64, or /sys/class/net/<name>/statistics/{rx,tx}_bytes).
struct Counters {
    std::string interface; // "wwan0"
    int interface_index = 0; // ifindex: a recreated interface gets a new one even under the
                             // same name (0: not known)
    std::uint64_t received_bytes = 0;
    std::uint64_t sent_bytes = 0;
};

struct Usage {
    std::uint64_t received_bytes = 0;
    std::uint64_t sent_bytes = 0;

    Usage& operator+=(const Usage& other)
    {
        received_bytes += other.received_bytes;
        sent_bytes += other.sent_bytes;
        return *this;
    }
    bool operator==(const Usage&) const = default;
};

struct UsageTotals {
    Usage today; // since local midnight
    Usage this_period; // since the billing period began
    std::chrono::system_clock::time_point period_start; // local midnight of the reset day
};

// How many local days of daily totals are kept; older rows are deleted by flush().
inline constexpr int usage_retention_days = 400;

// Bytes each WAN carried, by local calendar day, in an SQLite file of its own
// (<state_dir>/usage.db is the intended place). "Local" is the process's time zone (TZ).
//
// Days are keyed by the local date of the reading that carried the bytes, so the few seconds of
// traffic between the last reading before midnight and the first after it count for the new day.
class UsageStore {
public:
    // Opens or creates the database and brings its schema up to date (PRAGMA user_version).
    // A file that is not an uplink usage database (garbage, a damaged page, another program's
    // database, a newer schema) is an error and is left untouched; so is a file that cannot be
    // written. The file stays locked while open (SQLite's exclusive locking mode), so a second
    // uplinkd on the same file gets Errc::Busy.
    static Result<UsageStore> open(const std::string& path);

    UsageStore(UsageStore&&) noexcept;
    UsageStore& operator=(UsageStore&&) noexcept;
    ~UsageStore(); // does not flush: the caller flushes, and sees the error if any

    // The WAN's interface counters as read now; only memory is touched. The growth since the WAN's
    // last reading goes into the local day of `now`.
    // - The first reading ever of a WAN is the baseline: what the interface carried before is not
    //   known to be this WAN's.
    // - A counter lower than the last reading is a reset (the interface was recreated, the modem
    //   re-enumerated, a 32-bit counter wrapped): the new value is the growth. For a wrap this
    //   misses only what passed between the last reading and the wrap.
    // - Another interface (name or index) than the last reading's is a new interface: its whole
    //   count is the growth, as after a reset.
    // The last reading is persisted with the daily totals, in the same transaction, so after a
    // restart (or a crash that lost unflushed growth) the next reading neither double-counts nor
    // loses what the interface carried in between.
    void record(
        std::string_view wan, const Counters& counters, std::chrono::system_clock::time_point now);

    // Writes what record() gathered since the last flush in one transaction, and deletes daily rows
    // older than usage_retention_days. Nothing is written when nothing changed. On failure nothing
    // is lost: the same data is written by the next flush.
    Result<void> flush();

    // Today's total and this billing period's, including what is not flushed yet. The period
    // starts at local midnight on `reset_day` (1..28) of the month and ends where the next starts.
    Result<UsageTotals> totals(
        std::string_view wan, std::chrono::system_clock::time_point now, int reset_day) const;

    // The last `days` (1..usage_retention_days) local days up to and including today, oldest
    // first, one entry per day ("YYYY-MM-DD"), zero for days without traffic.
    Result<std::vector<std::pair<std::string, Usage>>> daily(
        std::string_view wan, int days, std::chrono::system_clock::time_point now) const;

    // The database as flushed, as the bytes of a database file (what open() takes back): a copy
    // kept elsewhere, such as on flash while the database itself is in RAM.
    Result<std::string> snapshot() const;

private:
    struct State;
    explicit UsageStore(std::unique_ptr<State> state);

    std::unique_ptr<State> state_;
};

// One measurement of a modem's radio levels; none where the modem did not report that value.
struct SignalSample {
    std::chrono::system_clock::time_point time; // kept to the second
    std::optional<int> rssi_dbm, rsrp_dbm, rsrq_db, sinr_db;
    bool operator==(const SignalSample&) const = default;
};

// Samples of one WAN, oldest first. When a span holds more samples than the points asked for, it
// is cut into buckets of equal length, and each point is the mean of one bucket's samples (each
// value rounded to the dB, over the samples that have it), at its first sample's time.
struct SignalHistory {
    std::chrono::seconds bucket {1}; // 1 s: each point is one sample
    std::vector<SignalSample> points;
};

// How long samples are kept; older ones are deleted by flush().
inline constexpr std::chrono::days signal_retention {7};
// Samples held in memory while flushes fail (a full disk): past it, the oldest are dropped.
inline constexpr std::size_t signal_pending_limit = 20'000;

// Signal samples by WAN, in an SQLite file of its own (<state_dir>/signal.db is the intended
// place), apart from the usage: the bulkier, more often written history may be damaged or deleted
// without costing the usage totals. One sample per WAN and second is kept (a later one replaces).
class SignalStore {
public:
    // As UsageStore::open(); a usage database is another kind of file (Errc::ForeignDatabase).
    static Result<SignalStore> open(const std::string& path);

    SignalStore(SignalStore&&) noexcept;
    SignalStore& operator=(SignalStore&&) noexcept;
    ~SignalStore(); // does not flush: the caller flushes, and sees the error if any

    // Only memory is touched.
    void record(std::string_view wan, const SignalSample& sample);

    // Writes what record() gathered since the last flush in one transaction, and, once an hour of
    // samples, deletes those older than signal_retention before the newest recorded. On failure
    // nothing is lost (up to signal_pending_limit): the next flush writes it.
    Result<void> flush();

    // The WAN's samples from `since` (at most signal_retention before `until`) to `until` (both
    // included), flushed and pending, in at most `max_points` points (at least 1).
    Result<SignalHistory> history(std::string_view wan, std::chrono::system_clock::time_point since,
        std::chrono::system_clock::time_point until, std::size_t max_points) const;

private:
    struct State;
    explicit SignalStore(std::unique_ptr<State> state);

    std::unique_ptr<State> state_;
};

} // namespace uplink::store

namespace boost::system {
template <> struct is_error_code_enum<uplink::store::Errc> : std::true_type {
};
} // namespace boost::system
