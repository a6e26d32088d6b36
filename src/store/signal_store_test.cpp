#include "store/store.hpp"
#include "store/test_support.hpp"

#include <gtest/gtest.h>
#include <ostream>

namespace uplink::store {

void PrintTo(const SignalSample& sample, std::ostream* out)
{
    auto show = [out](const std::optional<int>& value) {
        if (value)
            *out << *value;
        else
            *out << "null";
    };
    *out << "{" << sample.time.time_since_epoch().count() << ": ";
    show(sample.rssi_dbm);
    *out << " ";
    show(sample.rsrp_dbm);
    *out << " ";
    show(sample.rsrq_db);
    *out << " ";
    show(sample.sinr_db);
    *out << "}";
}

namespace {

namespace chrono = std::chrono;
using namespace std::chrono_literals;
using TimePoint = chrono::system_clock::time_point;

const TimePoint noon = chrono::sys_days {chrono::year {2024} / 3 / 10} + 12h;

SignalSample sample(TimePoint time, int rsrp, std::optional<int> sinr = 10)
{
    return {.time = time, .rssi_dbm = -65, .rsrp_dbm = rsrp, .rsrq_db = -10, .sinr_db = sinr};
}

class StoreSignal : public ::testing::Test {
protected:
    SignalStore open_store() const
    {
        auto store = SignalStore::open(file_.path);
        EXPECT_TRUE(store) << store.error().message();
        return std::move(*store);
    }

    static std::vector<SignalSample> points(const SignalStore& store, std::string_view wan,
        TimePoint since, TimePoint until, std::size_t max_points = 2000)
    {
        auto history = store.history(wan, since, until, max_points);
        EXPECT_TRUE(history) << history.error().message();
        return history ? history->points : std::vector<SignalSample> {};
    }

    std::int64_t rows() const { return file_.query_integer("SELECT count(*) FROM signal_sample"); }

    testing::DatabaseFile file_ {"signal.db"};
};

TEST_F(StoreSignal, UnflushedSamplesAreInTheHistoryAndFlushedOnesStay)
{
    auto store = open_store();
    store.record("wan1", sample(noon, -95));
    store.record("wan1", sample(noon + 10s, -97, std::nullopt));
    store.record("wan2", sample(noon + 10s, -110));
    EXPECT_EQ(points(store, "wan1", noon, noon + 1h),
        (std::vector {sample(noon, -95), sample(noon + 10s, -97, std::nullopt)}));
    ASSERT_TRUE(store.flush());
    store.record("wan1", sample(noon + 20s, -99));
    EXPECT_EQ(points(store, "wan1", noon + 5s, noon + 1h),
        (std::vector {sample(noon + 10s, -97, std::nullopt), sample(noon + 20s, -99)}))
        << "from the file and from memory, from `since` on";
    EXPECT_EQ(points(store, "wan2", noon, noon + 1h), std::vector {sample(noon + 10s, -110)});
    EXPECT_TRUE(points(store, "wan3", noon, noon + 1h).empty());
}

TEST_F(StoreSignal, HistorySurvivesARestart)
{
    {
        auto store = open_store();
        store.record("wan1", sample(noon, -95));
        store.record("wan1", sample(noon + 10s, -96));
        ASSERT_TRUE(store.flush());
    }
    auto store = open_store();
    EXPECT_EQ(points(store, "wan1", noon - 1h, noon + 1h),
        (std::vector {sample(noon, -95), sample(noon + 10s, -96)}));
}

TEST_F(StoreSignal, OneSamplePerSecondTheLaterReplaces)
{
    auto store = open_store();
    store.record("wan1", sample(noon + 100ms, -95));
    store.record("wan1", sample(noon + 900ms, -96));
    EXPECT_EQ(points(store, "wan1", noon, noon + 1h), std::vector {sample(noon + 900ms, -96)});
    ASSERT_TRUE(store.flush());
    store.record("wan1", sample(noon + 500ms, -97));
    ASSERT_TRUE(store.flush());
    EXPECT_EQ(points(store, "wan1", noon, noon + 1h), std::vector {sample(noon, -97)});
}

TEST_F(StoreSignal, MorePointsThanAskedForAreAveragedInBuckets)
{
    auto store = open_store();
    // An hour of samples every 10 s: 360, asked as 6 points of 10 minutes.
    for (int i = 0; i < 360; ++i)
        store.record("wan1",
            sample(
                noon + i * 10s, i % 2 == 0 ? -90 : -100, i < 60 ? std::nullopt : std::optional(i)));
    ASSERT_TRUE(store.flush());
    auto history = store.history("wan1", noon, noon + 1h - 1s, 6);
    ASSERT_TRUE(history);
    EXPECT_EQ(history->bucket, 10min);
    ASSERT_EQ(history->points.size(), 6u);
    EXPECT_EQ(history->points[0].time, noon);
    EXPECT_EQ(history->points[0].rsrp_dbm, -95);
    EXPECT_EQ(history->points[0].sinr_db, std::nullopt) << "no sample had it";
    EXPECT_EQ(history->points[1].time, noon + 10min);
    EXPECT_EQ(history->points[1].sinr_db, 90) << "the mean of 60..119, rounded";
    EXPECT_EQ(history->points[5].rssi_dbm, -65);

    auto one = store.history("wan1", noon, noon + 1h, 1);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->points.size(), 1u);
    EXPECT_EQ(store.history("wan1", noon, noon + 1h, 0).error(), Errc::InvalidArgument);

    auto all = store.history("wan1", TimePoint {}, noon + 1h, 2000);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->bucket, chrono::seconds {signal_retention} / 2000 + 1s)
        << "a span from 1970 is 7 days, the most kept";
}

TEST_F(StoreSignal, SamplesPastTheRetentionArePrunedOnFlush)
{
    {
        auto store = open_store();
        store.record("wan1", sample(noon, -95));
        store.record("wan2", sample(noon + 1h, -96));
        store.record("wan1", sample(noon + chrono::days {7}, -97));
        ASSERT_TRUE(store.flush());
    }
    EXPECT_EQ(rows(), 3) << "noon is just within 7 days (pruned by the hour)";
    {
        auto store = open_store();
        store.record("wan1", sample(noon + chrono::days {7} + 1h, -98));
        ASSERT_TRUE(store.flush());
        EXPECT_EQ(points(store, "wan1", noon - 1h, noon + chrono::days {8}),
            (std::vector {
                sample(noon + chrono::days {7}, -97), sample(noon + chrono::days {7} + 1h, -98)}));
    }
    EXPECT_EQ(rows(), 3) << "the oldest sample went, of every WAN";
}

TEST_F(StoreSignal, GarbageIsCorruptAndLeftAsItIs)
{
    std::string garbage(8192, '\x5a');
    file_.write(garbage);
    auto store = SignalStore::open(file_.path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::Corrupt) << store.error().message();
    EXPECT_EQ(file_.contents(), garbage);
}

TEST_F(StoreSignal, AnotherProgramsDatabaseIsLeftAlone)
{
    file_.run_sql("CREATE TABLE contacts (name TEXT)");
    auto before = file_.contents();
    auto store = SignalStore::open(file_.path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::ForeignDatabase);
    EXPECT_EQ(file_.contents(), before);
}

TEST_F(StoreSignal, AUsageDatabaseIsNotASignalDatabaseNorTheOtherWay)
{
    {
        auto usage = UsageStore::open(file_.path);
        ASSERT_TRUE(usage) << usage.error().message();
    }
    auto before = file_.contents();
    auto store = SignalStore::open(file_.path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::ForeignDatabase);
    EXPECT_EQ(file_.contents(), before);

    testing::DatabaseFile signal_file {"signal.db"};
    {
        auto signal = SignalStore::open(signal_file.path);
        ASSERT_TRUE(signal) << signal.error().message();
    }
    auto usage = UsageStore::open(signal_file.path);
    ASSERT_FALSE(usage);
    EXPECT_EQ(usage.error(), Errc::ForeignDatabase);
}

TEST_F(StoreSignal, ANewerSchemaIsRefused)
{
    {
        auto store = open_store();
    }
    file_.run_sql("PRAGMA user_version = 1000");
    auto store = SignalStore::open(file_.path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error(), Errc::TooNew);
}

TEST_F(StoreSignal, MemoryIsBoundedWhenNothingIsFlushed)
{
    auto store = open_store();
    for (std::size_t i = 0; i <= signal_pending_limit; ++i)
        store.record("wan1", sample(noon + chrono::seconds {i}, -90));
    auto last = noon + chrono::seconds {signal_pending_limit};
    auto kept = points(store, "wan1", noon, last, signal_pending_limit + 1);
    ASSERT_EQ(kept.size(), signal_pending_limit);
    EXPECT_EQ(kept.front().time, noon + 1s) << "the oldest went";
}

} // namespace
} // namespace uplink::store
