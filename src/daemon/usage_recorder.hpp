// Data usage per WAN (docs/config.md `usage_reset_day`): the kernel's counters of each modem's
// interface, sampled every few seconds into the usage store, which is written once a minute and
// when uplinkd stops, so the totals survive restarts and counter resets.
#pragma once

#include "daemon/link_setup.hpp"
#include "daemon/periodic.hpp"

#include <api/api.hpp>
#include <modem/modem.hpp>
#include <store/store.hpp>

#include <optional>
#include <string>

namespace uplink::daemon {

class UsageRecorder {
public:
    UsageRecorder(boost::asio::any_io_executor executor, modem::Manager& manager, LinkSetup& link_setup);

    // Opens <state_dir>/usage.db; without it uplinkd runs on and shows no usage.
    void start(const std::string& state_dir);
    void stop();                                    // one last sample and flush
    void set_reset_day(int day) { reset_day_ = day; }

    std::optional<api::WanUsage> usage(std::string_view wan) const;

    static constexpr Duration sample_interval = 10s;
    static constexpr int samples_per_flush = 6;     // a write a minute spares the flash

private:
    void sample();
    void flush();

    modem::Manager& manager_;
    // A sample as each connection changes: the first reading of a WAN is the store's baseline,
    // so it is taken when the call comes up, before its traffic.
    modem::Manager::Subscription subscription_;
    LinkSetup& link_setup_;
    std::optional<store::UsageStore> store_;
    std::string path_;
    Periodic periodic_;
    int samples_ = 0;
    int reset_day_ = 1;
    bool running_ = false;
};

} // namespace uplink::daemon
