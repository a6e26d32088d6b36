// The signal history (docs/api.md, GET /v1/modems/<id>/signal/history): each modem's latest
// measurement, sampled every sample_interval into the signal store under its WAN's name, which is
// written every few minutes and when uplinkd stops.
//
// Keyed by WAN, as data usage is: the WAN name is given by USB port and remembered across
// replugs and reboots, is known before the modem answers (an IMEI is not), and puts no device
// identity in another file. A modem moved to another port starts another WAN's history.
#pragma once

#include "daemon/periodic.hpp"

#include <api/api.hpp>
#include <modem/modem.hpp>
#include <store/store.hpp>

#include <map>
#include <optional>
#include <string>

namespace uplink::daemon {

class SignalRecorder {
public:
    SignalRecorder(boost::asio::any_io_executor executor, modem::Manager& manager);

    // Opens <state_dir>/signal.db; without it uplinkd runs on and keeps no history.
    void start(const std::string& state_dir);
    void stop(); // one last sample and flush

    Result<api::SignalHistory> history(
        std::string_view wan, std::chrono::system_clock::time_point since, std::size_t max_points) const;

    // The history's resolution: the default poll interval. Fast samples (an alignment lease) are
    // for the live view, and would cost the flash 40 times as much.
    static constexpr Duration sample_interval = 10s;
    static constexpr int samples_per_flush = 30; // a write every 5 minutes spares the flash

private:
    void sample();
    void flush();

    modem::Manager& manager_;
    std::optional<store::SignalStore> store_;
    Error unavailable_ = store::Errc::CannotOpen; // why there is no store
    std::string path_;
    Periodic periodic_;
    int samples_ = 0;
    // By modem id: when the last recorded measurement was made, so that none is recorded twice.
    std::map<std::string, Clock::time_point> recorded_;
};

} // namespace uplink::daemon
