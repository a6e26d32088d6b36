// The link model fed packets and clock readings: no sockets, no sleeps (docs/link-model.md).
#include "sim/link_model.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <vector>

namespace uplink::sim {
namespace {

using namespace std::chrono_literals;

// Any fixed instant will do; an hour past the clock's epoch keeps "before" representable.
const Clock::time_point start = Clock::time_point {} + 1h;

// A link that does only what the test sets: no rate limit, delay, jitter or loss.
LinkOverrides bare_link()
{
    LinkOverrides overrides;
    overrides.downlink_kbit = 0;
    overrides.uplink_kbit = 0;
    overrides.delay = 0ms;
    overrides.jitter = 0ms;
    overrides.loss_percent = 0.0;
    return overrides;
}

double seconds(Clock::duration duration)
{
    return std::chrono::duration<double>(duration).count();
}

TEST(LinkModelNames, RoundTrip)
{
    for (auto direction : {Direction::Downlink, Direction::Uplink})
        EXPECT_EQ(direction_from_string(to_string(direction)), direction);
    EXPECT_FALSE(direction_from_string("sideways"));
    EXPECT_EQ(to_string(Fate::Delivered), "delivered");
    EXPECT_EQ(to_string(Fate::DroppedQueue), "dropped-queue");
    EXPECT_EQ(to_string(Fate::DroppedLoss), "dropped-loss");
}

// ---------------------------------------------------------------- signal -> link

TEST(SignalTable, CqiThresholds)
{
    EXPECT_EQ(quality_for_sinr(-20).cqi, 0);
    EXPECT_EQ(quality_for_sinr(-6.8).cqi, 0);
    EXPECT_EQ(quality_for_sinr(-6.7).cqi, 1);
    EXPECT_EQ(quality_for_sinr(0).cqi, 3);
    EXPECT_EQ(quality_for_sinr(15).cqi, 11);
    EXPECT_EQ(quality_for_sinr(22.7).cqi, 15);
    EXPECT_EQ(quality_for_sinr(40).cqi, 15);
    EXPECT_DOUBLE_EQ(quality_for_sinr(40).efficiency, 5.5547); // TS 36.213 Table 7.2.3-1
}

TEST(SignalTable, ResourceBlocks)
{
    EXPECT_EQ(resource_blocks(1), 6);
    EXPECT_EQ(resource_blocks(3), 15);
    EXPECT_EQ(resource_blocks(5), 25);
    EXPECT_EQ(resource_blocks(10), 50);
    EXPECT_EQ(resource_blocks(20), 100);
}

// The figures docs/link-model.md prints for a 20 MHz carrier.
TEST(SignalTable, DocumentedFigures)
{
    auto scenario_default = link_for_signal(Signal {-90, 15, 20}); // scenario.hpp's Carrier
    EXPECT_EQ(scenario_default.downlink_bit_rate, 41'860'980u); // CQI 11
    EXPECT_EQ(scenario_default.uplink_bit_rate, 31'185'648u); // 16QAM cap, all 100 blocks
    EXPECT_EQ(scenario_default.delay, 15ms);
    EXPECT_EQ(scenario_default.jitter, 2ms);
    EXPECT_EQ(scenario_default.loss_percent, 0.0);

    auto best = link_for_signal(Signal {-70, 30, 20});
    EXPECT_EQ(best.downlink_bit_rate, 69'989'220u); // CQI 15
    EXPECT_EQ(best.uplink_bit_rate, 31'185'648u);

    auto poor = link_for_signal(Signal {-110, 0, 20}); // CQI 3
    EXPECT_EQ(poor.downlink_bit_rate, 4'750'200u);
    EXPECT_EQ(poor.delay, 31ms);
    EXPECT_EQ(poor.jitter, 8ms);
    EXPECT_EQ(poor.loss_percent, 1.0);
}

TEST(SignalTable, RatesFollowTheSignal)
{
    std::uint64_t previous_downlink = 0, previous_uplink = 0;
    for (int sinr = -10; sinr <= 30; ++sinr) {
        auto settings = link_for_signal(Signal {-80, sinr, 20});
        EXPECT_GE(settings.downlink_bit_rate, previous_downlink) << sinr;
        EXPECT_GE(settings.uplink_bit_rate, previous_uplink) << sinr;
        previous_downlink = settings.downlink_bit_rate;
        previous_uplink = settings.uplink_bit_rate;
    }
    // Half the bandwidth, half the rate.
    EXPECT_EQ(link_for_signal(Signal {-80, 20, 10}).downlink_bit_rate * 2,
        link_for_signal(Signal {-80, 20, 20}).downlink_bit_rate);
}

TEST(SignalTable, WeakRsrpLimitsTheLinkWhateverTheSinr)
{
    // Noise-limited downlink: RSRP -120 dBm leaves 5 dB over the noise floor.
    EXPECT_DOUBLE_EQ(downlink_sinr(Signal {-120, 25, 20}), 5.0);
    EXPECT_EQ(quality_for_sinr(downlink_sinr(Signal {-120, 25, 20})).cqi, 6);
    // The uplink gives up bandwidth for power as the RSRP falls, and its rate with it.
    std::uint64_t previous = link_for_signal(Signal {-80, 25, 20}).uplink_bit_rate;
    int previous_blocks = uplink_blocks(Signal {-80, 25, 20});
    EXPECT_EQ(previous_blocks, 100);
    for (int rsrp = -81; rsrp >= -130; --rsrp) {
        auto settings = link_for_signal(Signal {rsrp, 25, 20});
        EXPECT_LE(settings.uplink_bit_rate, previous) << rsrp;
        EXPECT_GT(settings.uplink_bit_rate, 0u) << rsrp;
        EXPECT_LT(settings.loss_percent, 100.0) << rsrp;
        previous = settings.uplink_bit_rate;
    }
    EXPECT_LT(uplink_blocks(Signal {-120, 25, 20}), 20);
    // Below about -131 dBm neither side reaches CQI 1: out of range, everything lost.
    EXPECT_EQ(link_for_signal(Signal {-135, 25, 20}).loss_percent, 100.0);
    EXPECT_EQ(link_for_signal(Signal {-80, -10, 20}).loss_percent, 100.0);
}

TEST(SignalTable, OverridesWinAndClear)
{
    LinkModel model;
    model.set_signal(Signal {-100, 5, 20});
    auto from_signal = model.settings();

    LinkOverrides overrides;
    overrides.downlink_kbit = 2000;
    overrides.loss_percent = 20.0;
    model.set_overrides(overrides);
    EXPECT_EQ(model.settings().downlink_bit_rate, 2'000'000u);
    EXPECT_EQ(model.settings().loss_percent, 20.0);
    EXPECT_EQ(model.settings().uplink_bit_rate, from_signal.uplink_bit_rate); // not overridden
    EXPECT_EQ(model.settings().delay, from_signal.delay);

    // A signal change moves only what is not overridden.
    model.set_signal(Signal {-80, 25, 20});
    EXPECT_EQ(model.settings().downlink_bit_rate, 2'000'000u);
    EXPECT_GT(model.settings().uplink_bit_rate, from_signal.uplink_bit_rate);

    model.set_overrides(bare_link());
    EXPECT_EQ(model.settings(), LinkSettings {}); // 0 kbit: no limit
    model.set_overrides(LinkOverrides {});
    EXPECT_EQ(model.settings(), link_for_signal(Signal {-80, 25, 20}));

    overrides = LinkOverrides {};
    overrides.loss_percent = 250.0;
    overrides.delay = -5ms;
    EXPECT_EQ(apply_overrides(LinkSettings {}, overrides).loss_percent, 100.0);
    EXPECT_EQ(apply_overrides(LinkSettings {}, overrides).delay, 0ms);
}

// ---------------------------------------------------------------- rate

struct RunResult {
    std::uint64_t delivered_bytes = 0;
    std::size_t delivered = 0, queue_drops = 0, lost = 0;
    Clock::time_point last_delivery {};
    std::vector<Clock::duration> latencies;
};

// `count` packets of `bytes` at one every `interval` from `start`, in one direction.
RunResult run(LinkModel& model, Direction direction, std::size_t count, std::size_t bytes,
    Clock::duration interval)
{
    RunResult result;
    Clock::time_point previous {};
    for (std::size_t index = 0; index < count; ++index) {
        auto arrival = start + interval * static_cast<Clock::duration::rep>(index);
        auto verdict = model.offer(direction, bytes, arrival);
        switch (verdict.fate) {
        case Fate::Delivered:
            EXPECT_GE(verdict.delivery, previous) << "packet " << index << " overtook another";
            EXPECT_GE(verdict.delivery, arrival);
            previous = verdict.delivery;
            ++result.delivered;
            result.delivered_bytes += bytes;
            result.last_delivery = verdict.delivery;
            result.latencies.push_back(verdict.delivery - arrival);
            break;
        case Fate::DroppedQueue:
            ++result.queue_drops;
            break;
        case Fate::DroppedLoss:
            ++result.lost;
            break;
        }
    }
    return result;
}

TEST(LinkModelRate, SaturatedLinkKeepsItsRateWithinOnePercent)
{
    for (auto [direction, kbit] :
        {std::pair {Direction::Downlink, 5000}, std::pair {Direction::Uplink, 777}}) {
        LinkModel model;
        auto overrides = bare_link();
        overrides.downlink_kbit = 5000;
        overrides.uplink_kbit = 777; // not a divisor of anything: the remainder carry matters
        model.set_overrides(overrides);
        double bits_per_second = kbit * 1000.0;
        // Offered at 120 % of the rate for a simulated minute.
        double packet_seconds = 1500 * 8 / (bits_per_second * 1.2);
        auto interval = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(packet_seconds));
        auto count = static_cast<std::size_t>(60.0 / packet_seconds);
        auto result = run(model, direction, count, 1500, interval);

        double rate = static_cast<double>(result.delivered_bytes) * 8
            / seconds(result.last_delivery - start);
        EXPECT_NEAR(rate, bits_per_second, bits_per_second * 0.01) << to_string(direction);
        EXPECT_GT(result.queue_drops, 0u) << "the excess must be dropped";
        EXPECT_EQ(result.lost, 0u);
    }
}

TEST(LinkModelRate, DirectionsHaveTheirOwnRates)
{
    LinkModel model;
    auto overrides = bare_link();
    overrides.downlink_kbit = 8000;
    overrides.uplink_kbit = 1000;
    model.set_overrides(overrides);
    // 1000 bytes: 1 ms at 8 Mbit/s, 8 ms at 1 Mbit/s.
    auto down = model.offer(Direction::Downlink, 1000, start);
    auto up = model.offer(Direction::Uplink, 1000, start);
    EXPECT_EQ(down.delivery - start, 1ms);
    EXPECT_EQ(up.delivery - start, 8ms);
    // A busy uplink does not hold the downlink back.
    EXPECT_EQ(model.offer(Direction::Uplink, 1000, start).delivery - start, 16ms);
    EXPECT_EQ(model.offer(Direction::Downlink, 1000, start + 5ms).delivery - start, 6ms);
}

TEST(LinkModelRate, LightLoadPassesUntouched)
{
    LinkModel model;
    auto overrides = bare_link();
    overrides.downlink_kbit = 10000;
    model.set_overrides(overrides);
    // 1000 bytes every 10 ms is 0.8 Mbit/s: each packet only pays its 0.8 ms serialization.
    auto result = run(model, Direction::Downlink, 1000, 1000, 10ms);
    EXPECT_EQ(result.delivered, 1000u);
    for (auto latency : result.latencies)
        EXPECT_EQ(latency, 800us);
}

TEST(LinkModelRate, NewRateAppliesToLaterPackets)
{
    LinkModel model;
    auto overrides = bare_link();
    overrides.downlink_kbit = 1000;
    model.set_overrides(overrides);
    auto first = model.offer(Direction::Downlink, 1000, start); // 8 ms
    overrides.downlink_kbit = 8000;
    model.set_overrides(overrides);
    auto second = model.offer(Direction::Downlink, 1000, start); // after the first, then 1 ms
    EXPECT_EQ(first.delivery - start, 8ms);
    EXPECT_EQ(second.delivery - start, 9ms);
}

// ---------------------------------------------------------------- delay, jitter, order

TEST(LinkModelDelay, FixedDelayWithoutJitter)
{
    LinkModel model;
    auto overrides = bare_link();
    overrides.delay = 40ms;
    model.set_overrides(overrides);
    auto result = run(model, Direction::Uplink, 100, 1200, 1ms);
    for (auto latency : result.latencies)
        EXPECT_EQ(latency, 40ms);
}

TEST(LinkModelDelay, JitterStaysWithinBoundsAndSpreads)
{
    LinkModel model(7);
    auto overrides = bare_link();
    overrides.delay = 40ms;
    overrides.jitter = 10ms;
    model.set_overrides(overrides);
    // Packets further apart than the jitter's whole range, so none waits for the one before.
    auto result = run(model, Direction::Downlink, 2000, 1200, 25ms);
    ASSERT_EQ(result.delivered, 2000u);
    auto [lowest, highest] = std::minmax_element(result.latencies.begin(), result.latencies.end());
    EXPECT_GE(*lowest, 30ms);
    EXPECT_LE(*highest, 50ms);
    // The draws cover the range: a jitter that never varies would pass the bounds above.
    EXPECT_LT(*lowest, 32ms);
    EXPECT_GT(*highest, 48ms);
}

TEST(LinkModelDelay, JitterLargerThanTheGapsNeverReorders)
{
    LinkModel model(3);
    auto overrides = bare_link();
    overrides.delay = 20ms;
    overrides.jitter = 20ms; // packets 0.1 ms apart, delays 0..40 ms: reordering if allowed
    overrides.downlink_kbit = 50000;
    model.set_overrides(overrides);
    for (auto direction : {Direction::Downlink, Direction::Uplink}) {
        auto result = run(model, direction, 20000, 200, 100us); // run() checks the order
        EXPECT_EQ(result.delivered, 20000u);
        for (auto latency : result.latencies)
            EXPECT_LE(latency, 40ms + 32us) << "delay + jitter + one 200-byte serialization";
    }
}

// ---------------------------------------------------------------- loss

TEST(LinkModelLoss, CloseToTheSettingAndRepeatable)
{
    auto overrides = bare_link();
    overrides.loss_percent = 20.0;
    LinkModel first(42), second(42), other(43);
    for (auto* model : {&first, &second, &other})
        model->set_overrides(overrides);

    std::size_t lost = 0, differences = 0;
    constexpr std::size_t count = 100000;
    for (std::size_t index = 0; index < count; ++index) {
        auto arrival = start + 1ms * static_cast<long>(index);
        auto verdict = first.offer(Direction::Uplink, 100, arrival);
        EXPECT_EQ(second.offer(Direction::Uplink, 100, arrival).fate, verdict.fate) << index;
        if (other.offer(Direction::Uplink, 100, arrival).fate != verdict.fate)
            ++differences;
        if (verdict.fate == Fate::DroppedLoss)
            ++lost;
    }
    // Binomial(100000, 0.2): the standard deviation is 126 packets, 0.13 %.
    EXPECT_NEAR(static_cast<double>(lost) / count, 0.20, 0.005);
    EXPECT_GT(differences, 0u) << "another seed must give other draws";
}

TEST(LinkModelLoss, NoneAndAll)
{
    auto overrides = bare_link();
    LinkModel clean;
    clean.set_overrides(overrides);
    EXPECT_EQ(run(clean, Direction::Downlink, 10000, 100, 1ms).lost, 0u);
    overrides.loss_percent = 100.0;
    LinkModel dead;
    dead.set_overrides(overrides);
    EXPECT_EQ(run(dead, Direction::Downlink, 10000, 100, 1ms).lost, 10000u);
}

TEST(LinkModelLoss, LostPacketsTakeTheirAirtime)
{
    auto overrides = bare_link();
    overrides.uplink_kbit = 1000;
    overrides.loss_percent = 100.0;
    LinkModel model;
    model.set_overrides(overrides);
    EXPECT_EQ(model.offer(Direction::Uplink, 1000, start).fate, Fate::DroppedLoss);
    overrides.loss_percent = 0.0;
    model.set_overrides(overrides);
    EXPECT_EQ(model.offer(Direction::Uplink, 1000, start).delivery - start, 16ms);
}

// ---------------------------------------------------------------- the queue

TEST(LinkModelQueue, HoldsAtMostOneHundredMillisecondsOfBacklog)
{
    LinkModel model;
    auto overrides = bare_link();
    overrides.downlink_kbit = 1000;
    model.set_overrides(overrides);
    // 1250 bytes is 10 ms at 1 Mbit/s. A burst of 1000 at one instant: the packets that find
    // 0, 10, ... 100 ms of backlog ahead are taken (11), the rest dropped.
    std::size_t delivered = 0, dropped = 0;
    for (int index = 0; index < 1000; ++index) {
        auto verdict = model.offer(Direction::Downlink, 1250, start);
        if (verdict.fate == Fate::Delivered) {
            ++delivered;
            EXPECT_LE(verdict.delivery - start, 110ms); // the backlog limit + its own 10 ms
        } else {
            EXPECT_EQ(verdict.fate, Fate::DroppedQueue);
            ++dropped;
        }
    }
    EXPECT_EQ(delivered, 11u);
    EXPECT_EQ(dropped, 989u);
    EXPECT_EQ(model.held(Direction::Downlink, start), 11u);
    // As the queue drains, room comes back.
    EXPECT_EQ(model.offer(Direction::Downlink, 1250, start + 15ms).fate, Fate::Delivered);
    EXPECT_EQ(model.held(Direction::Downlink, start + 200ms), 0u);
}

TEST(LinkModelQueue, PacketCapBoundsAnUnlimitedLink)
{
    LinkModel model(1, QueueLimits {100ms, 4096});
    auto overrides = bare_link();
    overrides.delay = 1000ms;
    model.set_overrides(overrides);
    auto result = run(model, Direction::Uplink, 5000, 100, 0ms);
    EXPECT_EQ(result.delivered, 4096u);
    EXPECT_EQ(result.queue_drops, 904u);
    EXPECT_EQ(model.offer(Direction::Uplink, 100, start + 999ms).fate, Fate::DroppedQueue);
    EXPECT_EQ(model.offer(Direction::Uplink, 100, start + 1000ms).fate, Fate::Delivered);
}

TEST(LinkModelQueue, ResetEmptiesTheLink)
{
    LinkModel model;
    auto overrides = bare_link();
    overrides.downlink_kbit = 1000;
    model.set_overrides(overrides);
    run(model, Direction::Downlink, 100, 1250, 0ms);
    EXPECT_GT(model.held(Direction::Downlink, start), 0u);
    model.reset();
    EXPECT_EQ(model.held(Direction::Downlink, start), 0u);
    EXPECT_EQ(model.offer(Direction::Downlink, 1250, start).delivery - start, 10ms);
}

} // namespace
} // namespace uplink::sim
