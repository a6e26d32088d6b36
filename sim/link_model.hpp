// The radio link between the modem's wwan0 and the carrier, sans-I/O: given each packet's size,
// direction and arrival time it decides whether the packet is dropped or when it comes out of
// the other end. The data plane (data_plane.hpp) moves the bytes; this decides their fate, so it
// is tested with clock readings, without sockets or sleeps. docs/link-model.md describes the
// model and the signal -> rate table.
//
// The kernel's netem qdisc would do this, but it is not available everywhere uplink-sim runs
// (kernels built without CONFIG_NET_SCH_NETEM), and the link must follow the emulated signal.
#pragma once

#include <array>
#include <core/core.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string_view>

namespace uplink::sim {

// Downlink: carrier -> modem (what a speed test's download measures); uplink: modem -> carrier.
enum class Direction { Downlink, Uplink };
std::string_view to_string(Direction direction);
std::optional<Direction> direction_from_string(std::string_view text);

// What the modem measures on its serving LTE carrier (scenario.hpp Carrier).
struct Signal {
    int rsrp_dbm = -90;
    int sinr_db = 15;
    int bandwidth_mhz = 20; // 1 (for 1.4), 3, 5, 10, 15, 20
};

// What the link does now, in both directions unless the name says one.
struct LinkSettings {
    std::uint64_t downlink_bit_rate = 0; // bits of IP packets per second; 0: no limit
    std::uint64_t uplink_bit_rate = 0;
    Clock::duration delay {0}; // one way, on top of queueing and serialization
    Clock::duration jitter {0}; // each packet's delay is delay +- jitter (uniform)
    double loss_percent = 0; // of the packets that leave the queue, in each direction

    std::uint64_t bit_rate(Direction direction) const
    {
        return direction == Direction::Downlink ? downlink_bit_rate : uplink_bit_rate;
    }
    friend bool operator==(const LinkSettings&, const LinkSettings&) = default;
};

// Values set from the control socket; each one present wins over what the signal gives.
struct LinkOverrides {
    std::optional<std::uint64_t> downlink_kbit, uplink_kbit; // 0: no limit
    std::optional<Duration> delay, jitter;
    std::optional<double> loss_percent; // 0..100

    bool empty() const;
    friend bool operator==(const LinkOverrides&, const LinkOverrides&) = default;
};

// ---------------------------------------------------------------- signal -> link
// One row of the table docs/link-model.md prints: a CQI (3GPP TS 36.213 Table 7.2.3-1), the
// lowest SINR that reaches it, its spectral efficiency, and the residual loss and delay a
// link at that quality shows.
struct LinkQuality {
    int cqi = 0; // 0: out of range
    double sinr_threshold_db = 0;
    double efficiency = 0; // bits per resource element (TS 36.213 Table 7.2.3-1)
    double loss_percent = 0;
    Duration delay {0};
    Duration jitter {0};
};

// The row for a (downlink or uplink) SINR.
const LinkQuality& quality_for_sinr(double sinr_db);
// Resource blocks in a channel of `bandwidth_mhz` (TS 36.101 Table 5.6-1).
int resource_blocks(int bandwidth_mhz);
// The downlink's SINR: the reported one, capped by what the RSRP allows over thermal noise.
double downlink_sinr(const Signal& signal);
// The uplink's SINR when the UE spreads its power over `blocks` resource blocks: the reported
// SINR, capped by the UE's transmit power against the path loss the RSRP implies.
double uplink_sinr(const Signal& signal, int blocks);
// How many resource blocks a power-limited UE is given: as many as carry the most bits (fewer
// blocks, more power in each). See docs/link-model.md.
int uplink_blocks(const Signal& signal);

LinkSettings link_for_signal(const Signal& signal);
LinkSettings apply_overrides(LinkSettings settings, const LinkOverrides& overrides);

// ---------------------------------------------------------------- the model
enum class Fate {
    Delivered, // leaves the far end at Verdict::delivery
    DroppedQueue, // the queue was full (drop-tail)
    DroppedLoss, // lost on the air, after taking its airtime
};
std::string_view to_string(Fate fate);

struct Verdict {
    Fate fate = Fate::Delivered;
    Clock::time_point delivery {}; // Delivered only
};

// Drop-tail limits of each direction's queue. A packet is dropped when the packets ahead of it
// would take longer than `backlog` to send at the current rate (a time limit, so the queue
// holds 100 ms at any rate, like a base station's buffer sized in time), or when the direction
// already holds `packets` packets (queued or delayed): a memory bound that matters only with
// no rate limit or a very long delay.
struct QueueLimits {
    Clock::duration backlog = std::chrono::milliseconds(100);
    std::size_t packets = 4096;
};

class LinkModel {
public:
    // The same seed and the same packets give the same verdicts (loss and jitter draws).
    explicit LinkModel(std::uint64_t seed = 1, QueueLimits limits = {});

    void set_signal(const Signal& signal);
    void set_overrides(const LinkOverrides& overrides);
    const Signal& signal() const { return signal_; }
    const LinkOverrides& overrides() const { return overrides_; }
    const LinkSettings& settings() const { return settings_; }

    // One packet of `bytes` (its whole IP packet) arriving at the link's entrance at `arrival`.
    // Arrival times of one direction must not go backwards. A packet already accepted keeps its
    // verdict when the settings change; the new rate applies to the packets after it.
    Verdict offer(Direction direction, std::size_t bytes, Clock::time_point arrival);

    // Forgets every packet held (the bearer went down and its queues with it).
    void reset();

    // Packets accepted and not yet delivered (or lost) by `now`.
    std::size_t held(Direction direction, Clock::time_point now);

private:
    struct Lane {
        Clock::time_point busy_until {}; // the end of the last accepted packet's serialization
        std::uint64_t remainder = 0; // of the last serialization, in bit-nanoseconds (no drift)
        Clock::time_point last_delivery {}; // no packet is delivered before its predecessor
        std::deque<Clock::time_point> leaving; // when each held packet leaves (delivered or lost)
    };

    Clock::duration serialization(Lane& lane, std::size_t bytes, std::uint64_t bit_rate);
    Clock::duration jitter_draw();
    bool lost();
    double uniform(); // [0, 1)

    Signal signal_;
    LinkOverrides overrides_;
    LinkSettings settings_;
    QueueLimits limits_;
    std::array<Lane, 2> lanes_;
    std::mt19937_64 random_; // specified bit for bit by the standard: the same draws everywhere
};

} // namespace uplink::sim
