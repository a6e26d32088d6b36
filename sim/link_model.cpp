#include "sim/link_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace uplink::sim {

namespace {

using namespace std::chrono_literals;

// 3GPP TS 36.213 Table 7.2.3-1 (4-bit CQI): the spectral efficiency of each CQI. The SINR a CQI
// needs at 10 % first-transmission BLER (the target TS 36.213 §7.2.3 sets) is the usual
// link-level curve for a SISO AWGN channel (the Vienna LTE simulator's CQI mapping). Loss and
// delay are what the link shows after HARQ: a good link has one transmission per packet and
// only the network's delay; a poor one retransmits (8 ms per HARQ round in FDD, TS 36.213 §8)
// and lets some packets through RLC unrecovered.
constexpr LinkQuality qualities[] = {
    // CQI 0 is "out of range": nothing gets through. Its efficiency is CQI 1's so the rates stay
    // defined (a rate of 0 would mean "no limit").
    {0, -std::numeric_limits<double>::infinity(), 0.1523, 100.0, 31ms, 16ms},
    {1, -6.7, 0.1523, 5.0, 31ms, 8ms}, // QPSK
    {2, -4.7, 0.2344, 2.0, 31ms, 8ms},
    {3, -2.3, 0.3770, 1.0, 31ms, 8ms},
    {4, 0.2, 0.6016, 0.5, 23ms, 8ms},
    {5, 2.4, 0.8770, 0.0, 23ms, 8ms},
    {6, 4.3, 1.1758, 0.0, 23ms, 8ms},
    {7, 5.9, 1.4766, 0.0, 15ms, 2ms}, // 16QAM
    {8, 8.1, 1.9141, 0.0, 15ms, 2ms},
    {9, 10.3, 2.4063, 0.0, 15ms, 2ms},
    {10, 11.7, 2.7305, 0.0, 15ms, 2ms}, // 64QAM
    {11, 14.1, 3.3223, 0.0, 15ms, 2ms},
    {12, 16.3, 3.9023, 0.0, 15ms, 2ms},
    {13, 18.7, 4.5234, 0.0, 15ms, 2ms},
    {14, 21.0, 5.1152, 0.0, 15ms, 2ms},
    {15, 22.7, 5.5547, 0.0, 15ms, 2ms},
};

// A UE of categories 1-4 sends no 64QAM (TS 36.306 Table 4.1-2), so the uplink stops at the
// best 16QAM efficiency.
constexpr double uplink_efficiency_cap = 2.4063;

// Resource elements per resource block per second: 12 subcarriers x 14 OFDM symbols x 1000
// subframes. The downlink loses about a quarter to the control region (PDCCH), reference
// signals and broadcast channels; the uplink loses 2 of its 14 SC-FDMA symbols to demodulation
// reference signals and about a tenth of its blocks to PUCCH at the band edges.
constexpr double elements_per_block = 12.0 * 14.0 * 1000.0;
constexpr double downlink_share = 0.75;
constexpr double uplink_share = 12.0 / 14.0 * 0.9;

// Noise in one 15 kHz subcarrier: -174 dBm/Hz + 10 log10(15000) = -132.2 dBm, plus a 7 dB UE
// noise figure. RSRP is the power of one resource element, so the downlink cannot run above
// RSRP - (-125 dBm) however clean the channel is.
constexpr double downlink_noise_floor_dbm = -125.0;

// The uplink runs out of power first: a power class 3 UE sends 23 dBm (TS 36.101 §6.2.2) over
// the whole channel where the cell sends about 15 dBm per resource element, and the base
// station's receiver adds a 5 dB noise figure to -132.2 dBm. Path loss = 15 - RSRP, so the
// uplink SINR per element is 23 - 10 log10(subcarriers it uses) - (15 - RSRP) - (-127.2).
constexpr double uplink_power_margin_db = 23.0 - 15.0 + 127.2;

double clamp_percent(double percent)
{
    if (!(percent >= 0.0)) // also NaN
        return 0.0;
    return std::min(percent, 100.0);
}

} // namespace

std::string_view to_string(Direction direction)
{
    switch (direction) {
    case Direction::Downlink:
        return "downlink";
    case Direction::Uplink:
        return "uplink";
    }
    return "?";
}

std::optional<Direction> direction_from_string(std::string_view text)
{
    for (auto direction : {Direction::Downlink, Direction::Uplink})
        if (to_string(direction) == text)
            return direction;
    return std::nullopt;
}

std::string_view to_string(Fate fate)
{
    switch (fate) {
    case Fate::Delivered:
        return "delivered";
    case Fate::DroppedQueue:
        return "dropped-queue";
    case Fate::DroppedLoss:
        return "dropped-loss";
    }
    return "?";
}

bool LinkOverrides::empty() const
{
    return !downlink_kbit && !uplink_kbit && !delay && !jitter && !loss_percent;
}

const LinkQuality& quality_for_sinr(double sinr_db)
{
    // The last row whose threshold the SINR reaches; CQI 0's threshold is -infinity.
    const LinkQuality* found = &qualities[0];
    for (const auto& quality : qualities)
        if (sinr_db >= quality.sinr_threshold_db)
            found = &quality;
    return *found;
}

int resource_blocks(int bandwidth_mhz)
{
    switch (bandwidth_mhz) {
    case 1: // 1.4 MHz
        return 6;
    case 3:
        return 15;
    default: // 5, 10, 15, 20 MHz: 5 blocks per MHz; anything else is taken the same way
        return std::clamp(bandwidth_mhz, 1, 20) * 5;
    }
}

double downlink_sinr(const Signal& signal)
{
    return std::min(
        static_cast<double>(signal.sinr_db), signal.rsrp_dbm - downlink_noise_floor_dbm);
}

double uplink_sinr(const Signal& signal, int blocks)
{
    double subcarriers = 12.0 * std::max(blocks, 1);
    double power_limited
        = signal.rsrp_dbm + uplink_power_margin_db - 10.0 * std::log10(subcarriers);
    return std::min(static_cast<double>(signal.sinr_db), power_limited);
}

namespace {

double uplink_efficiency(const Signal& signal, int blocks)
{
    return std::min(
        quality_for_sinr(uplink_sinr(signal, blocks)).efficiency, uplink_efficiency_cap);
}

} // namespace

int uplink_blocks(const Signal& signal)
{
    // Out of range (CQI 0) carries nothing, whatever its table efficiency says.
    auto carried = [&signal](int blocks) {
        return quality_for_sinr(uplink_sinr(signal, blocks)).cqi == 0
            ? 0.0
            : uplink_efficiency(signal, blocks) * blocks;
    };
    int best = 1;
    for (int blocks = 2; blocks <= resource_blocks(signal.bandwidth_mhz); ++blocks)
        if (carried(blocks) > carried(best))
            best = blocks;
    return best;
}

LinkSettings link_for_signal(const Signal& signal)
{
    const auto& downlink = quality_for_sinr(downlink_sinr(signal));
    int blocks = uplink_blocks(signal);
    bool uplink_out_of_range = quality_for_sinr(uplink_sinr(signal, blocks)).cqi == 0;

    LinkSettings settings;
    settings.downlink_bit_rate = static_cast<std::uint64_t>(std::llround(downlink.efficiency
        * resource_blocks(signal.bandwidth_mhz) * elements_per_block * downlink_share));
    settings.uplink_bit_rate = static_cast<std::uint64_t>(std::llround(
        uplink_efficiency(signal, blocks) * blocks * elements_per_block * uplink_share));
    // Loss and delay follow the downlink's quality, which the SINR the modem reports describes;
    // a UE too weak to be heard at all loses everything, as a downlink out of range does.
    settings.delay = downlink.delay;
    settings.jitter = downlink.jitter;
    settings.loss_percent = uplink_out_of_range ? 100.0 : downlink.loss_percent;
    return settings;
}

LinkSettings apply_overrides(LinkSettings settings, const LinkOverrides& overrides)
{
    if (overrides.downlink_kbit)
        settings.downlink_bit_rate = *overrides.downlink_kbit * 1000;
    if (overrides.uplink_kbit)
        settings.uplink_bit_rate = *overrides.uplink_kbit * 1000;
    if (overrides.delay)
        settings.delay = std::max(*overrides.delay, Duration {0});
    if (overrides.jitter)
        settings.jitter = std::max(*overrides.jitter, Duration {0});
    if (overrides.loss_percent)
        settings.loss_percent = clamp_percent(*overrides.loss_percent);
    return settings;
}

// ---------------------------------------------------------------- LinkModel

LinkModel::LinkModel(std::uint64_t seed, QueueLimits limits)
    : settings_(link_for_signal(signal_))
    , limits_(limits)
    , random_(seed)
{
}

void LinkModel::set_signal(const Signal& signal)
{
    signal_ = signal;
    settings_ = apply_overrides(link_for_signal(signal_), overrides_);
}

void LinkModel::set_overrides(const LinkOverrides& overrides)
{
    overrides_ = overrides;
    settings_ = apply_overrides(link_for_signal(signal_), overrides_);
}

void LinkModel::reset()
{
    lanes_ = {};
}

std::size_t LinkModel::held(Direction direction, Clock::time_point now)
{
    auto& leaving = lanes_[static_cast<std::size_t>(direction)].leaving;
    while (!leaving.empty() && leaving.front() <= now)
        leaving.pop_front();
    return leaving.size();
}

Verdict LinkModel::offer(Direction direction, std::size_t bytes, Clock::time_point arrival)
{
    auto& lane = lanes_[static_cast<std::size_t>(direction)];
    // Drop-tail: the packet is refused when what is ahead of it would hold it too long, or
    // when the lane holds too many packets.
    if (lane.busy_until > arrival && lane.busy_until - arrival > limits_.backlog)
        return {Fate::DroppedQueue, {}};
    if (held(direction, arrival) >= limits_.packets)
        return {Fate::DroppedQueue, {}};

    auto start = std::max(arrival, lane.busy_until);
    lane.busy_until = start + serialization(lane, bytes, settings_.bit_rate(direction));

    // A lost packet has used its airtime (the radio sent it; it did not arrive).
    if (lost()) {
        lane.leaving.push_back(std::max(lane.busy_until, lane.last_delivery));
        return {Fate::DroppedLoss, {}};
    }
    auto delay = std::max(settings_.delay + jitter_draw(), Clock::duration {0});
    // No packet overtakes the one before it: RLC delivers in order (3GPP TS 36.322 §5.1.3.2),
    // so jitter only spreads the gaps.
    auto delivery = std::max(lane.busy_until + delay, lane.last_delivery);
    lane.last_delivery = delivery;
    lane.leaving.push_back(delivery);
    return {Fate::Delivered, delivery};
}

Clock::duration LinkModel::serialization(Lane& lane, std::size_t bytes, std::uint64_t bit_rate)
{
    if (bit_rate == 0)
        return Clock::duration {0};
    // In nanoseconds, with the fraction carried to the next packet, so a long run keeps the
    // exact rate instead of losing up to a nanosecond per packet.
    static_assert(std::is_same_v<Clock::duration::period, std::nano>);
    std::uint64_t bit_nanoseconds
        = static_cast<std::uint64_t>(bytes) * 8 * 1'000'000'000 + lane.remainder;
    lane.remainder = bit_nanoseconds % bit_rate;
    return Clock::duration {static_cast<Clock::duration::rep>(bit_nanoseconds / bit_rate)};
}

Clock::duration LinkModel::jitter_draw()
{
    if (settings_.jitter <= Clock::duration {0})
        return Clock::duration {0};
    double offset = (2.0 * uniform() - 1.0) * static_cast<double>(settings_.jitter.count());
    return Clock::duration {static_cast<Clock::duration::rep>(std::llround(offset))};
}

bool LinkModel::lost()
{
    if (settings_.loss_percent <= 0.0)
        return false;
    if (settings_.loss_percent >= 100.0)
        return true;
    return uniform() * 100.0 < settings_.loss_percent;
}

double LinkModel::uniform()
{
    // The top 53 bits as a double in [0, 1): std::uniform_real_distribution's algorithm is not
    // specified, this is, so a seed gives the same draws with every standard library.
    return static_cast<double>(random_() >> 11) * 0x1.0p-53;
}

} // namespace uplink::sim
