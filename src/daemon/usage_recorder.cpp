#include "daemon/usage_recorder.hpp"

#include <cerrno>
#include <functional>
#include <unistd.h>

namespace uplink::daemon {

UsageRecorder::UsageRecorder(boost::asio::any_io_executor executor, modem::Manager& manager, LinkSetup& link_setup)
    : manager_(manager), link_setup_(link_setup), periodic_(executor, sample_interval, "data usage recording", [this] {
          sample();
          if (++samples_ % samples_per_flush == 0)
              flush();
      }),
      copies_(executor, copy_interval, "data usage copy", [this] {
          flush();
          save_copy();
      })
{
}

void UsageRecorder::start(const std::string& directory, const std::string& copy_directory)
{
    path_ = directory + "/usage.db";
    if (copy_directory != directory) {
        copy_path_ = copy_directory + "/usage.db";
        restore_copy();
    }
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
    if (!copy_path_.empty())
        copies_.start();
}

void UsageRecorder::stop()
{
    if (!running_)
        return;
    running_ = false;
    subscription_ = {};
    periodic_.stop();
    copies_.stop();
    sample();
    flush();
    save_copy();
}

// A usage database is some kilobytes: 400 days of a few WANs.
constexpr std::size_t largest_copy = 64 << 20;

void UsageRecorder::restore_copy()
{
    if (::access(path_.c_str(), F_OK) == 0 || errno != ENOENT)
        return; // there (or unreadable, which opening reports): never replaced by an older copy
    auto copy = read_small_file(copy_path_, largest_copy);
    if (!copy) {
        log(LogLevel::Warning, "uplinkd", "{}: cannot read the copy of the data usage: {}; counting starts again",
            copy_path_, copy.error().message());
        return;
    }
    if (!*copy)
        return; // the first start: no copy yet
    if (auto written = write_file_atomically(path_, **copy); !written) {
        log(LogLevel::Warning, "uplinkd", "{}: cannot write data usage: {}", path_, written.error().message());
        return;
    }
    log(LogLevel::Info, "uplinkd", "data usage taken back from {}", copy_path_);
}

void UsageRecorder::save_copy()
{
    if (!store_ || copy_path_.empty())
        return;
    auto snapshot = store_->snapshot();
    if (!snapshot) {
        log(LogLevel::Warning, "uplinkd", "{}: cannot copy data usage: {}", path_, snapshot.error().message());
        return;
    }
    // An idle router's counts do not change: its flash is not written for nothing.
    auto fingerprint = std::hash<std::string> {}(*snapshot);
    if (fingerprint == copied_fingerprint_)
        return;
    if (auto written = write_file_atomically(copy_path_, *snapshot); !written) {
        log(LogLevel::Warning, "uplinkd", "{}: cannot keep a copy of data usage: {} (tried again in {} h)", copy_path_,
            written.error().message(), std::chrono::duration_cast<std::chrono::hours>(copy_interval).count());
        return;
    }
    copied_fingerprint_ = fingerprint;
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
