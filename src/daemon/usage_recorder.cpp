#include "daemon/usage_recorder.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace uplink::daemon {

namespace asio = boost::asio;

UsageRecorder::UsageRecorder(asio::any_io_executor executor, modem::Manager& manager, LinkSetup& link_setup)
    : executor_(executor), manager_(manager), link_setup_(link_setup), timer_(executor)
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
    asio::co_spawn(executor_, run(this), [](std::exception_ptr exception) {
        if (!exception)
            return;
        try {
            std::rethrow_exception(exception);
        } catch (const std::exception& caught) {
            log(LogLevel::Error, "uplinkd", "data usage recording stopped: {}", caught.what());
        }
    });
}

void UsageRecorder::stop()
{
    if (!running_)
        return;
    running_ = false;
    subscription_ = {};
    timer_.cancel();
    sample();
    flush();
}

// `recorder` outlives the loop: the daemon owns it and runs the loop inside its lifetime.
asio::awaitable<void> UsageRecorder::run(UsageRecorder* recorder)
{
    for (int samples = 1; recorder->running_; ++samples) {
        recorder->timer_.expires_after(sample_interval);
        auto [error] = co_await recorder->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (error || !recorder->running_)
            co_return;
        recorder->sample();
        if (samples % samples_per_flush == 0)
            recorder->flush();
    }
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
