// Data usage per WAN (docs/config.md `usage_reset_day`): the kernel's counters of each modem's
// interface, sampled every few seconds into the usage store, which is written once a minute and
// when uplinkd stops, so the totals survive restarts and counter resets.
//
// A router keeps the store in RAM (`history_dir`) and its state on flash (`state_dir`), which a
// write a minute would wear: there, a copy of the store goes to state_dir every copy_interval
// and when uplinkd stops, and comes back at start when RAM has none (after a reboot).
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

    // Opens <directory>/usage.db, first taken from <copy_directory>/usage.db when it is not there
    // and copy_directory is another directory; without it uplinkd runs on and shows no usage.
    void start(const std::string& directory, const std::string& copy_directory);
    void stop();                                    // one last sample, flush and copy
    void set_reset_day(int day) { reset_day_ = day; }

    std::optional<api::WanUsage> usage(std::string_view wan) const;

    static constexpr Duration sample_interval = 10s;
    static constexpr int samples_per_flush = 6;     // a write a minute spares the disk
    // Four writes a day spare the flash; a power cut loses at most this much of the counts.
    static constexpr Duration copy_interval = std::chrono::hours(6);

private:
    void sample();
    void flush();
    void restore_copy();
    void save_copy();

    modem::Manager& manager_;
    // A sample as each connection changes: the first reading of a WAN is the store's baseline,
    // so it is taken when the call comes up, before its traffic.
    modem::Manager::Subscription subscription_;
    LinkSetup& link_setup_;
    std::optional<store::UsageStore> store_;
    std::string path_;
    std::string copy_path_;                         // "": the store is where it should stay
    std::optional<std::size_t> copied_fingerprint_; // the hash of the last copy written
    Periodic periodic_;
    Periodic copies_;
    int samples_ = 0;
    int reset_day_ = 1;
    bool running_ = false;
};

} // namespace uplink::daemon
