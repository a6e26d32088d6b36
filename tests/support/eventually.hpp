// Waiting for a condition that no event announces (a log line, a file another program writes, a
// counter): re-checked until it holds, with a deadline that only bounds a hang. Where an event
// does announce it (uplinkd's API events), wait on the event instead (Daemon::wait_for_modem).
#pragma once

#include <chrono>
#include <functional>
#include <poll.h>

namespace uplink::testing {

// Tries `check` until it holds or the deadline passes, 20 ms apart; whether it held.
inline bool eventually(const std::function<bool()>& check, std::chrono::steady_clock::time_point deadline)
{
    while (!check()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        ::poll(nullptr, 0, 20);
    }
    return true;
}

} // namespace uplink::testing
