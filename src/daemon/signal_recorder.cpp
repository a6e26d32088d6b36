#include "daemon/signal_recorder.hpp"

namespace uplink::daemon {

SignalRecorder::SignalRecorder(boost::asio::any_io_executor executor, modem::Manager& manager)
    : manager_(manager), periodic_(executor, sample_interval, "signal history recording", [this] {
          sample();
          if (++samples_ % samples_per_flush == 0)
              flush();
      })
{
}

void SignalRecorder::start(const std::string& state_dir)
{
    path_ = state_dir + "/signal.db";
    auto opened = store::SignalStore::open(path_);
    if (!opened) {
        unavailable_ = opened.error();
        log(LogLevel::Warning, "uplinkd", "{}: {}; no signal history is kept", path_, opened.error().message());
        return;
    }
    store_.emplace(std::move(*opened));
    periodic_.start();
}

void SignalRecorder::stop()
{
    if (!store_)
        return;
    periodic_.stop();
    sample();
    flush();
}

void SignalRecorder::sample()
{
    auto now = Clock::now();
    auto wall_now = std::chrono::system_clock::now();
    std::map<std::string, Clock::time_point> recorded;
    for (const auto& modem : manager_.modems()) {
        const auto& signal = modem.signal;
        if (!signal.updated || modem.wan.empty())
            continue;
        recorded.emplace(modem.id, *signal.updated);
        if (auto last = recorded_.find(modem.id); last != recorded_.end() && last->second == *signal.updated)
            continue;
        auto measured = wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(now - *signal.updated);
        store_->record(modem.wan, {measured, signal.rssi_dbm, signal.rsrp_dbm, signal.rsrq_db, signal.sinr_db});
    }
    recorded_ = std::move(recorded); // modems gone are forgotten
}

void SignalRecorder::flush()
{
    if (auto flushed = store_->flush(); !flushed)
        log(LogLevel::Warning, "uplinkd", "{}: cannot write the signal history: {} (kept in memory, tried again)",
            path_, flushed.error().message());
}

Result<api::SignalHistory> SignalRecorder::history(
    std::string_view wan, std::chrono::system_clock::time_point since, std::size_t max_points) const
{
    if (!store_)
        return unavailable_;
    auto found = store_->history(wan, since, std::chrono::system_clock::now(), max_points);
    if (!found)
        return found.error();
    api::SignalHistory history;
    history.bucket = found->bucket;
    for (const auto& point : found->points)
        history.points.push_back({point.time, point.rssi_dbm, point.rsrp_dbm, point.rsrq_db, point.sinr_db});
    return history;
}

} // namespace uplink::daemon
