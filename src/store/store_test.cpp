#include "store/store.hpp"
#include "store/test_support.hpp"
#include "support/private_mounts.hpp"

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <gtest/gtest.h>
#include <optional>
#include <ostream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace uplink::store {

void PrintTo(const Usage& usage, std::ostream* out)
{
    *out << "{received " << usage.received_bytes << ", sent " << usage.sent_bytes << "}";
}

namespace {

namespace chrono = std::chrono;
using uplink::testing::Access;
using uplink::testing::BindMount;
using uplink::testing::in_private_mounts;
using chrono::sys_days;
using namespace std::chrono_literals;
using TimePoint = chrono::system_clock::time_point;

// A UTC time: in the default zone of these tests (UTC0) it is also the local time.
TimePoint at(chrono::year_month_day date, chrono::seconds time_of_day = 12h)
{
    return sys_days {date} + time_of_day;
}

Counters wwan0(std::uint64_t received, std::uint64_t sent)
{
    return {
        .interface = "wwan0", .interface_index = 7, .received_bytes = received, .sent_bytes = sent};
}

class StoreUsage : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (const char* zone = std::getenv("TZ"))
            saved_zone_ = zone;
        set_zone("UTC0");
    }
    void TearDown() override
    {
        if (saved_zone_)
            ::setenv("TZ", saved_zone_->c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }

    // POSIX TZ strings, so that the tests need no tzdata.
    static void set_zone(const char* zone)
    {
        ::setenv("TZ", zone, 1);
        ::tzset(); // glibc's localtime_r() reads TZ only once otherwise
    }

    UsageStore open_store() const
    {
        auto store = UsageStore::open(path_);
        EXPECT_TRUE(store) << store.error().message();
        return std::move(*store);
    }

    void write_file(std::string_view contents) const { file_.write(contents); }
    std::string file_contents() const { return file_.contents(); }
    void run_sql(const char* sql) const { file_.run_sql(sql); }
    std::int64_t count_daily_rows() const
    {
        return file_.query_integer("SELECT count(*) FROM usage_daily");
    }

    std::optional<std::string> saved_zone_;
    testing::DatabaseFile file_ {"usage.db"};
    std::filesystem::path directory_ = file_.directory;
    std::string path_ = file_.path;
};

Usage today(const UsageStore& store, std::string_view wan, TimePoint now)
{
    auto totals = store.totals(wan, now, 1);
    EXPECT_TRUE(totals) << totals.error().message();
    return totals ? totals->today : Usage {};
}

Usage this_period(const UsageStore& store, std::string_view wan, TimePoint now, int reset_day)
{
    auto totals = store.totals(wan, now, reset_day);
    EXPECT_TRUE(totals) << totals.error().message();
    return totals ? totals->this_period : Usage {};
}

TEST_F(StoreUsage, TheFirstReadingIsABaselineAndGrowthAccumulates)
{
    auto store = open_store();
    auto noon = at(chrono::year {2024} / 3 / 10);
    store.record("wan1", wwan0(1'000'000, 50'000), noon); // bytes from before uplinkd knew the WAN
    EXPECT_EQ(today(store, "wan1", noon), (Usage {0, 0}));
    store.record("wan1", wwan0(1'000'500, 50'200), noon + 5s);
    store.record("wan1", wwan0(1'001'500, 50'300), noon + 10s);
    store.record("wan1", wwan0(1'001'500, 50'300), noon + 15s); // idle
    EXPECT_EQ(today(store, "wan1", noon + 15s), (Usage {1'500, 300}));
    ASSERT_TRUE(store.flush());
    store.record("wan1", wwan0(1'002'000, 50'400), noon + 20s);
    ASSERT_TRUE(store.flush());
    EXPECT_EQ(today(store, "wan1", noon + 20s), (Usage {2'000, 400}));
    EXPECT_EQ(today(store, "wan2", noon + 20s), (Usage {0, 0})) << "another WAN is apart";
}

TEST_F(StoreUsage, UnflushedGrowthIsCountedInTotalsAndDaily)
{
    auto store = open_store();
    auto noon = at(chrono::year {2024} / 3 / 10);
    store.record("wan1", wwan0(0, 0), noon);
    store.record("wan1", wwan0(100, 10), noon + 5s);
    ASSERT_TRUE(store.flush());
    store.record("wan1", wwan0(300, 30), noon + 10s); // not flushed
    auto totals = store.totals("wan1", noon + 10s, 1);
    ASSERT_TRUE(totals);
    EXPECT_EQ(totals->today, (Usage {300, 30}));
    EXPECT_EQ(totals->this_period, (Usage {300, 30}));
    auto days = store.daily("wan1", 1, noon + 10s);
    ASSERT_TRUE(days);
    ASSERT_EQ(days->size(), 1u);
    EXPECT_EQ((*days)[0].first, "2024-03-10");
    EXPECT_EQ((*days)[0].second, (Usage {300, 30}));
}

TEST_F(StoreUsage, ACounterBelowTheLastReadingIsAReset)
{
    auto store = open_store();
    auto noon = at(chrono::year {2024} / 3 / 10);
    store.record("wan1", wwan0(5'000, 2'000), noon);
    store.record("wan1", wwan0(6'000, 2'500), noon + 5s); // +1000, +500
    store.record("wan1", wwan0(700, 80), noon + 10s); // the modem re-enumerated: +700, +80
    store.record("wan1", wwan0(900, 100), noon + 15s); // +200, +20
    EXPECT_EQ(today(store, "wan1", noon + 15s), (Usage {1'900, 600}));
}

TEST_F(StoreUsage, EachCounterWrapsOnItsOwn)
{
    // A driver with 32-bit statistics: received wraps at 4 GiB, sent goes on.
    auto store = open_store();
    auto noon = at(chrono::year {2024} / 3 / 10);
    store.record("wan1", wwan0(4'294'967'000, 1'000), noon);
    store.record("wan1", wwan0(200, 1'100), noon + 5s);
    // The 296 bytes before the wrap are lost; what came after it and the sent bytes are not.
    EXPECT_EQ(today(store, "wan1", noon + 5s), (Usage {200, 100}));
}

TEST_F(StoreUsage, ANewInterfaceCountsFromItsCreation)
{
    auto store = open_store();
    auto noon = at(chrono::year {2024} / 3 / 10);
    store.record("wan1", wwan0(5'000, 500), noon);
    // Renamed: the modem came back as wwan1. Its counters started at zero when it appeared.
    Counters renamed {
        .interface = "wwan1", .interface_index = 9, .received_bytes = 300, .sent_bytes = 30};
    store.record("wan1", renamed, noon + 5s);
    EXPECT_EQ(today(store, "wan1", noon + 5s), (Usage {300, 30}));
    // Recreated under the same name (PPP redial): a new index, and more traffic than the old
    // interface had carried, which a comparison of counters alone would take for growth.
    Counters recreated {
        .interface = "wwan1", .interface_index = 10, .received_bytes = 8'000, .sent_bytes = 800};
    store.record("wan1", recreated, noon + 10s);
    EXPECT_EQ(today(store, "wan1", noon + 10s), (Usage {8'300, 830}));
}

TEST_F(StoreUsage, DataCountersSurviveADaemonRestart)
{
    auto noon = at(chrono::year {2024} / 3 / 10);
    {
        auto store = open_store();
        store.record("wan1", wwan0(10'000, 1'000), noon);
        store.record("wan1", wwan0(12'000, 1'500), noon + 5s);
        store.record("wan2", wwan0(0, 0), noon);
        store.record("wan2", wwan0(70, 7), noon + 5s);
        ASSERT_TRUE(store.flush()); // as uplinkd does on stop
    }
    auto store = open_store();
    EXPECT_EQ(today(store, "wan1", noon + 1min), (Usage {2'000, 500}));
    EXPECT_EQ(this_period(store, "wan1", noon + 1min, 1), (Usage {2'000, 500}));
    EXPECT_EQ(today(store, "wan2", noon + 1min), (Usage {70, 7}));
    // The interface went on counting while uplinkd was down: only that growth is added.
    store.record("wan1", wwan0(12'600, 1'550), noon + 1min);
    EXPECT_EQ(today(store, "wan1", noon + 1min), (Usage {2'600, 550}));
    ASSERT_TRUE(store.flush());
    EXPECT_EQ(today(store, "wan1", noon + 1min), (Usage {2'600, 550}));
}

TEST_F(StoreUsage, ASnapshotIsADatabaseWithWhatWasFlushed)
{
    auto noon = at(chrono::year {2024} / 3 / 10);
    auto copy = (directory_ / "copy.db").string();
    {
        auto store = open_store();
        store.record("wan1", wwan0(10'000, 1'000), noon);
        store.record("wan1", wwan0(12'000, 1'500), noon + 5s);
        ASSERT_TRUE(store.flush());
        store.record("wan1", wwan0(13'000, 1'600), noon + 10s); // not flushed: not in the copy
        auto snapshot = store.snapshot();
        ASSERT_TRUE(snapshot) << snapshot.error().message();
        ASSERT_TRUE(write_file_atomically(copy, *snapshot));
    }
    // The copy, taken back after the original is gone (a reboot with the original in RAM).
    std::filesystem::remove(path_);
    auto restored = UsageStore::open(copy);
    ASSERT_TRUE(restored) << restored.error().message();
    EXPECT_EQ(today(*restored, "wan1", noon + 1min), (Usage {2'000, 500}));
    // Its last reading came along: the interface's growth since then counts, and no more.
    restored->record("wan1", wwan0(14'000, 1'700), noon + 1min);
    EXPECT_EQ(today(*restored, "wan1", noon + 1min), (Usage {4'000, 700}));
}

TEST_F(StoreUsage, GrowthNotFlushedBeforeACrashIsCountedByTheNextReading)
{
    auto noon = at(chrono::year {2024} / 3 / 10);
    {
        auto store = open_store();
        store.record("wan1", wwan0(10'000, 1'000), noon);
        store.record("wan1", wwan0(11'000, 1'100), noon + 5s);
        ASSERT_TRUE(store.flush());
        store.record("wan1", wwan0(15'000, 1'500), noon + 10s); // lost with the process
    }
    auto store = open_store();
    EXPECT_EQ(today(store, "wan1", noon + 1min), (Usage {1'000, 100}));
    store.record("wan1", wwan0(16'000, 1'600), noon + 1min);
    EXPECT_EQ(today(store, "wan1", noon + 1min), (Usage {6'000, 600}));
}

TEST_F(StoreUsage, AFailedFlushLosesNothingAndTheNextWritesItOnce)
{
    auto noon = at(chrono::year {2024} / 3 / 10);
    {
        auto store = open_store();
        store.record("wan1", wwan0(0, 0), noon);
        store.record("wan1", wwan0(100, 10), noon + 5s);
        // A full disk: no file of this process may grow (SIGXFSZ ignored, so writes fail EFBIG).
        auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit previous_limit {};
        ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &previous_limit), 0);
        rlimit no_growth = previous_limit;
        no_growth.rlim_cur = 0;
        ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &no_growth), 0);
        auto failed = store.flush();
        EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &previous_limit), 0);
        std::signal(SIGXFSZ, previous_handler);
        ASSERT_FALSE(failed);
        EXPECT_TRUE(failed.error() == Errc::Io || failed.error() == Errc::Full)
            << failed.error().message();
        EXPECT_EQ(today(store, "wan1", noon + 5s), (Usage {100, 10}));
        store.record("wan1", wwan0(150, 15), noon + 10s);
        ASSERT_TRUE(store.flush());
        EXPECT_EQ(today(store, "wan1", noon + 10s), (Usage {150, 15}));
    }
    auto store = open_store();
    EXPECT_EQ(today(store, "wan1", noon + 10s), (Usage {150, 15}));
}

TEST_F(StoreUsage, AnIdleLinkWritesNothing)
{
    // Flash wears with every write: an idle link's flushes must not touch the files.
    auto store = open_store();
    auto noon = at(chrono::year {2024} / 3 / 10);
    store.record("wan1", wwan0(100, 10), noon);
    ASSERT_TRUE(store.flush());
    auto write_ahead_log = path_ + "-wal";
    struct stat before { };
    ASSERT_EQ(::stat(write_ahead_log.c_str(), &before), 0);
    store.record("wan1", wwan0(100, 10), noon + 5s);
    ASSERT_TRUE(store.flush());
    ASSERT_TRUE(store.flush());
    struct stat after { };
    ASSERT_EQ(::stat(write_ahead_log.c_str(), &after), 0);
    EXPECT_EQ(after.st_size, before.st_size);
    EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    // The same check can see a write.
    store.record("wan1", wwan0(101, 10), noon + 10s);
    ASSERT_TRUE(store.flush());
    ASSERT_EQ(::stat(write_ahead_log.c_str(), &after), 0);
    EXPECT_GT(after.st_size, before.st_size);
}

TEST_F(StoreUsage, TheDayChangesAtLocalMidnight)
{
    set_zone("AEST-10"); // UTC+10 all year
    auto store = open_store();
    // 2024-03-10 23:59:50 local is 13:59:50 UTC.
    auto before_midnight = at(chrono::year {2024} / 3 / 10, 13h + 59min + 50s);
    store.record("wan1", wwan0(0, 0), before_midnight - 10s);
    store.record("wan1", wwan0(100, 10), before_midnight);
    store.record("wan1", wwan0(250, 25), before_midnight + 15s); // 00:00:05 on the 11th
    ASSERT_TRUE(store.flush());
    auto days = store.daily("wan1", 3, before_midnight + 15s);
    ASSERT_TRUE(days);
    ASSERT_EQ(days->size(), 3u);
    EXPECT_EQ((*days)[0], (std::pair<std::string, Usage> {"2024-03-09", {0, 0}}));
    EXPECT_EQ((*days)[1], (std::pair<std::string, Usage> {"2024-03-10", {100, 10}}));
    EXPECT_EQ((*days)[2], (std::pair<std::string, Usage> {"2024-03-11", {150, 15}}));
    EXPECT_EQ(today(store, "wan1", before_midnight + 15s), (Usage {150, 15}));
    EXPECT_EQ(today(store, "wan1", before_midnight), (Usage {100, 10}));
    // Rows keep the local day they were recorded on: in UTC, 00:00:05 on the 11th is still the
    // 10th, and the 10th holds only what was recorded on it.
    set_zone("UTC0");
    EXPECT_EQ(today(store, "wan1", before_midnight + 15s), (Usage {100, 10}));
}

struct PeriodCase {
    const char* note;
    chrono::year_month_day today;
    int reset_day;
    chrono::year_month_day start;
};

TEST_F(StoreUsage, ThePeriodStartsOnTheResetDay)
{
    using chrono::year;
    const PeriodCase cases[] = {
        {"reset 1, first day", year {2024} / 3 / 1, 1, year {2024} / 3 / 1},
        {"reset 1, last day of a 31-day month", year {2024} / 3 / 31, 1, year {2024} / 3 / 1},
        {"reset 15, on the day", year {2024} / 3 / 15, 15, year {2024} / 3 / 15},
        {"reset 15, the day before", year {2024} / 3 / 14, 15, year {2024} / 2 / 15},
        {"reset 15, after it", year {2024} / 4 / 30, 15, year {2024} / 4 / 15},
        {"reset 15, January before it: December", year {2025} / 1 / 3, 15, year {2024} / 12 / 15},
        {"reset 15, December after it", year {2024} / 12 / 31, 15, year {2024} / 12 / 15},
        {"reset 1, New Year's Day", year {2025} / 1 / 1, 1, year {2025} / 1 / 1},
        {"reset 28, leap day", year {2024} / 2 / 29, 28, year {2024} / 2 / 28},
        {"reset 28, March 1 after a short February", year {2023} / 3 / 1, 28, year {2023} / 2 / 28},
    };
    auto store = open_store();
    for (const auto& test : cases) {
        auto totals = store.totals("wan1", at(test.today), test.reset_day);
        ASSERT_TRUE(totals) << test.note;
        EXPECT_EQ(totals->period_start, sys_days {test.start}) << test.note;
    }
}

TEST_F(StoreUsage, ThePeriodSumsItsDaysOnly)
{
    using chrono::year;
    auto store = open_store();
    std::uint64_t received = 0;
    // 1 kB on each day from 2024-12-10 to 2025-01-20.
    auto first = sys_days {year {2024} / 12 / 10};
    store.record("wan1", wwan0(0, 0), first);
    for (auto day = first; day <= sys_days {year {2025} / 1 / 20}; day += chrono::days {1}) {
        received += 1'000;
        store.record("wan1", wwan0(received, 0), day + 12h);
        if (day == sys_days {year {2024} / 12 / 31}) {
            ASSERT_TRUE(store.flush()); // half on disk, half pending
        }
    }
    // reset_day 15: 2024-12-15 .. 2025-01-14 is one period, from 2025-01-15 the next.
    EXPECT_EQ(this_period(store, "wan1", at(year {2025} / 1 / 14), 15).received_bytes, 31'000u);
    EXPECT_EQ(this_period(store, "wan1", at(year {2025} / 1 / 20), 15).received_bytes, 6'000u);
    // reset_day 1: December is one period, January another.
    EXPECT_EQ(this_period(store, "wan1", at(year {2024} / 12 / 31), 1).received_bytes, 22'000u);
    EXPECT_EQ(this_period(store, "wan1", at(year {2025} / 1 / 20), 1).received_bytes, 20'000u);
    EXPECT_EQ(today(store, "wan1", at(year {2025} / 1 / 1)).received_bytes, 1'000u);
}

TEST_F(StoreUsage, ThePeriodStartsAtLocalMidnightAcrossDaylightSaving)
{
    set_zone("EST5EDT,M3.2.0,M11.1.0"); // US Eastern: EDT (UTC-4) from 2024-03-10
    auto store = open_store();
    // 2024-03-20 12:00 EDT; the period began 2024-03-01 00:00 EST = 05:00 UTC.
    auto totals = store.totals("wan1", at(chrono::year {2024} / 3 / 20, 16h), 1);
    ASSERT_TRUE(totals);
    EXPECT_EQ(totals->period_start, at(chrono::year {2024} / 3 / 1, 5h));
    // From the 15th, in summer time: 2024-03-15 00:00 EDT = 04:00 UTC.
    totals = store.totals("wan1", at(chrono::year {2024} / 3 / 20, 16h), 15);
    ASSERT_TRUE(totals);
    EXPECT_EQ(totals->period_start, at(chrono::year {2024} / 3 / 15, 4h));
}

TEST_F(StoreUsage, DailyIsOneEntryPerDayOldestFirst)
{
    using chrono::year;
    auto store = open_store();
    store.record("wan1", wwan0(0, 0), at(year {2024} / 2 / 27));
    store.record("wan1", wwan0(10, 1), at(year {2024} / 2 / 28));
    store.record("wan1", wwan0(30, 3), at(year {2024} / 3 / 1));
    auto days = store.daily("wan1", 4, at(year {2024} / 3 / 1));
    ASSERT_TRUE(days);
    std::vector<std::pair<std::string, Usage>> expected {{"2024-02-27", {0, 0}},
        {"2024-02-28", {10, 1}}, {"2024-02-29", {0, 0}}, {"2024-03-01", {20, 2}}};
    EXPECT_EQ(*days, expected);
    EXPECT_EQ(store.daily("wan1", 0, at(year {2024} / 3 / 1)).error(), Errc::InvalidArgument);
    EXPECT_EQ(store.daily("wan1", usage_retention_days + 1, at(year {2024} / 3 / 1)).error(),
        Errc::InvalidArgument);
    EXPECT_TRUE(store.daily("wan1", usage_retention_days, at(year {2024} / 3 / 1)));
}

TEST_F(StoreUsage, AResetDayOutsideEveryMonthIsRefused)
{
    auto store = open_store();
    auto noon = at(chrono::year {2024} / 3 / 10);
    EXPECT_EQ(store.totals("wan1", noon, 0).error(), Errc::InvalidArgument);
    EXPECT_EQ(store.totals("wan1", noon, 29).error(), Errc::InvalidArgument);
    EXPECT_TRUE(store.totals("wan1", noon, 28));
}

TEST_F(StoreUsage, DaysPastTheRetentionArePrunedOnFlush)
{
    using chrono::year;
    auto old_day = sys_days {year {2023} / 1 / 1};
    {
        auto store = open_store();
        store.record("wan1", wwan0(0, 0), old_day);
        store.record("wan1", wwan0(100, 10), old_day + 12h);
        ASSERT_TRUE(store.flush());
    }
    EXPECT_EQ(count_daily_rows(), 1);
    // Day 400 counting the old day as day 1: kept.
    auto last_kept = old_day + chrono::days {usage_retention_days - 1};
    {
        auto store = open_store();
        store.record("wan1", wwan0(200, 20), last_kept + 12h);
        ASSERT_TRUE(store.flush());
    }
    EXPECT_EQ(count_daily_rows(), 2);
    {
        auto store = open_store();
        store.record("wan1", wwan0(300, 30), last_kept + chrono::days {1} + 12h);
        ASSERT_TRUE(store.flush());
    }
    EXPECT_EQ(count_daily_rows(), 2) << "the oldest day went";
}

TEST_F(StoreUsage, GarbageIsCorruptAndLeftAsItIs)
{
    std::string garbage(8192, '\x5a');
    write_file(garbage);
    auto store = UsageStore::open(path_);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::Corrupt) << store.error().message();
    EXPECT_EQ(file_contents(), garbage);
}

TEST_F(StoreUsage, ADamagedPageIsCorruptAndLeftAsItIs)
{
    {
        auto store = open_store();
        auto noon = at(chrono::year {2024} / 3 / 10);
        store.record("wan1", wwan0(0, 0), noon);
        store.record("wan1", wwan0(100, 10), noon + 5s);
        ASSERT_TRUE(store.flush());
    }
    auto contents = file_contents();
    constexpr std::ptrdiff_t page_size = 4096; // SQLite's default
    ASSERT_GE(contents.size(), std::size_t {3 * page_size});
    // Page 2 (the first table's root) overwritten, the header intact.
    std::fill(contents.begin() + page_size, contents.begin() + 2 * page_size, '\xff');
    write_file(contents);
    auto store = UsageStore::open(path_);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::Corrupt) << store.error().message();
    EXPECT_EQ(file_contents(), contents);
}

TEST_F(StoreUsage, AnotherProgramsDatabaseIsLeftAlone)
{
    run_sql("CREATE TABLE contacts (name TEXT)");
    auto before = file_contents();
    auto store = UsageStore::open(path_);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::ForeignDatabase);
    EXPECT_EQ(file_contents(), before);
}

TEST_F(StoreUsage, ANewerSchemaIsRefused)
{
    {
        auto store = open_store();
    }
    run_sql("PRAGMA user_version = 1000");
    auto store = UsageStore::open(path_);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::TooNew);
}

TEST_F(StoreUsage, APathThatCannotBeADatabaseIsAnError)
{
    std::filesystem::create_directory(path_);
    auto store = UsageStore::open(path_);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::CannotOpen) << store.error().message();

    auto missing = UsageStore::open((directory_ / "no-such-dir" / "usage.db").string());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), Errc::CannotOpen) << missing.error().message();
}

// Root ignores file modes: as root, the test opens the store in a child that sees the file (or
// the directory) through a read-only bind mount instead.
Errc open_error_with_mounts(const std::string& path, const std::vector<BindMount>& mounts)
{
    auto child = in_private_mounts(mounts, [&path] {
        auto store = UsageStore::open(path);
        return store ? 0 : store.error().value();
    });
    EXPECT_EQ(child.failure, "") << "as root, the test needs a private mount namespace";
    return static_cast<Errc>(child.status);
}

TEST_F(StoreUsage, AWriteProtectedFileIsAnError)
{
    {
        auto store = open_store();
    }
    ASSERT_EQ(::chmod(path_.c_str(), 0444), 0);
    if (::geteuid() == 0) {
        auto error = open_error_with_mounts(path_, {{path_, Access::ReadOnly}});
        EXPECT_EQ(error, Errc::ReadOnly) << Error(error).message();
        return;
    }
    auto store = UsageStore::open(path_);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::ReadOnly) << store.error().message();
}

TEST_F(StoreUsage, AWriteProtectedDirectoryIsAnErrorAtOpen)
{
    auto inner = directory_ / "state";
    std::filesystem::create_directory(inner);
    path_ = (inner / "usage.db").string();
    {
        auto store = open_store();
    }
    // The file is writable, but the write-ahead log beside it cannot be created.
    if (::geteuid() == 0) {
        auto error = open_error_with_mounts(
            path_, {{path_, Access::ReadWrite}, {inner.string(), Access::ReadOnly}});
        EXPECT_EQ(error, Errc::ReadOnly) << Error(error).message();
        return;
    }
    ASSERT_EQ(::chmod(inner.c_str(), 0555), 0);
    auto store = UsageStore::open(path_);
    ::chmod(inner.c_str(), 0755);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::ReadOnly) << store.error().message();
}

TEST_F(StoreUsage, ASecondOpenOfTheSameFileIsBusy)
{
    auto first = open_store();
    auto second = UsageStore::open(path_);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error(), Errc::Busy) << second.error().message();
}

TEST_F(StoreUsage, ErrorsHaveAStoreCategoryAndMessages)
{
    Error error = Errc::Corrupt;
    EXPECT_STREQ(error.category().name(), "store");
    EXPECT_NE(error.message().find("corrupt"), std::string::npos);
    EXPECT_NE(Error(Errc::InvalidArgument).message(), Error(Errc::Busy).message());
}

} // namespace
} // namespace uplink::store
