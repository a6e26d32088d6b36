#include "daemon/usage_recorder.hpp"

namespace uplink::daemon {

UsageRecorder::UsageRecorder(boost::asio::any_io_executor executor, modem::Manager& manager, LinkSetup& link_setup)
    : manager_(manager), link_setup_(link_setup), periodic_(executor, sample_interval, "data usage recording", [this] {
          sample();
          if (++samples_ % samples_per_flush == 0)
              flush();
      })
{
}

void UsageRecorder::start(const std::string& state_dir)
{
    path_ = state_dir + "/usage.db";
    auto opened = store::UsageStore::open(path_);
    if (!opened) {
        log(LogLevel::Warning, "uplinkd", "{}: {}; data usage is not counted", path_, opened.error().message());
        return;
    }
    store_.emplace(std::move(*opened));
    running_ = true;
    subscription_ = manager_.subscribe([this](const modem::Event& event) {
        if (event.kind == modem::Event::Kind::ConnectionChanged)
            sample();
    });
    periodic_.start();
}

void UsageRecorder::stop()
{
    if (!running_)
        return;
    running_ = false;
    subscription_ = {};
    periodic_.stop();
    sample();
    flush();
}

void UsageRecorder::sample()
{
    if (!store_)
        return;
    auto now = std::chrono::system_clock::now();
    for (const auto& modem : manager_.modems()) {
        const auto& interface = modem.connection.interface;
        if (interface.empty() || modem.wan.empty())
            continue;
        auto counters = link_setup_.interface_counters(interface);
        if (!counters)
            continue; // gone (unplugged) or not there yet: the next sample sees it
        store_->record(modem.wan, {interface, counters->index, counters->received_bytes, counters->sent_bytes}, now);
    }
}

void UsageRecorder::flush()
{
    if (!store_)
        return;
    if (auto flushed = store_->flush(); !flushed)
        log(LogLevel::Warning, "uplinkd", "{}: cannot write data usage: {} (kept in memory, tried again)", path_,
            flushed.error().message());
}

std::optional<api::WanUsage> UsageRecorder::usage(std::string_view wan) const
{
    if (!store_)
        return std::nullopt;
    auto totals = store_->totals(wan, std::chrono::system_clock::now(), reset_day_);
    if (!totals)
        return std::nullopt;
    return api::WanUsage {totals->today.received_bytes, totals->today.sent_bytes,
        totals->this_period.received_bytes, totals->this_period.sent_bytes, totals->period_start};
}

} // namespace uplink::daemon
