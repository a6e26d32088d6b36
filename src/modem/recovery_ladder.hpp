// The recovery ladder of one modem (DESIGN.md "Online, and staying online"): a sans-I/O engine
// that is told what the modem and the data-path watchdog observe, and the time, and answers with
// the remedy to try next: reconnect -> radio off/on -> modem reset -> (opt-in) USB power cycle.
//
// Every remedy taken makes the next one wait longer (a backoff doubling up to a maximum), each
// step is tried a limited number of times before the next is climbed to, and the top step, once
// its attempts are used up, is repeated at the maximum backoff forever: never a fast loop, never
// a reboot of the router. A connection that stays healthy for `stable_after` sends the ladder back
// to the bottom. The engine never sleeps and owns no timer: every call returns when the caller
// should call tick() again.
//
// What to report, and what not:
//  - connection_up() when a call comes up; probe_answered() / probe_unanswered() for each
//    watchdog probe while the modem says it is connected. A probe counts as unanswered only when
//    every target it tried went unanswered (one filtered target must not reset a modem).
//  - connection_failed() for an attempt that fails or a call the network or modem ends. Not for
//    a hang-up the caller made itself (the teardown of a Reconnect, a disconnect() from the API),
//    and not for refusals no restart can cure (an unknown APN, a failed PAP/CHAP): those are
//    for the person to fix, and climbing the ladder would only reset a good modem.
//  - registration_lost() / registration_regained() as the modem's registration changes.
//  - reset() when a person asks to connect, or the connection settings change. A modem that
//    disappears and comes back after a ModemReset or UsbPowerCycle keeps its ladder (keyed by
//    its USB path): resetting it there would turn the ladder into a loop.
#pragma once

#include "core/core.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::modem {

// The remedies, lightest first. RadioOffOn is AT+CFUN=4 then AT+CFUN=1 (3GPP TS 27.007 §8.2:
// 4 disables the transmit and receive RF circuits), or QMI DMS Set Operating Mode low-power then
// online; ModemReset is AT+CFUN=1,1 (reset before setting full functionality) or DMS offline then
// reset; UsbPowerCycle switches the power of the modem's USB port off and on.
enum class RecoveryStep { Reconnect, RadioOffOn, ModemReset, UsbPowerCycle };
std::string_view to_string(RecoveryStep step);  // "reconnect", "radio-off-on", ...
std::optional<RecoveryStep> recovery_step_from_string(std::string_view text);

// Whether the ladder may switch the modem's USB port off and on: only where the hub can
// (per-port power switching) and the administrator has opted in.
enum class UsbPowerCycling { Forbidden, Allowed };
std::string_view to_string(UsbPowerCycling cycling);
std::optional<UsbPowerCycling> usb_power_cycling_from_string(std::string_view text);

enum class ConnectionFailure {
    AttemptFailed,  // a connection attempt was refused or timed out
    Dropped,        // an established call was ended by the network or the modem
};
std::string_view to_string(ConnectionFailure failure);
std::optional<ConnectionFailure> connection_failure_from_string(std::string_view text);

enum class LadderState {
    Idle,       // at the bottom: no remedy taken since the connection was last healthy
    Climbing,   // remedies taken; waiting to see them work, ready to climb
    Exhausted,  // the top step's attempts are used up: it repeats at the maximum backoff
};
std::string_view to_string(LadderState state);
std::optional<LadderState> ladder_state_from_string(std::string_view text);

// Defaults for a router on a metered LTE link; see recovery_ladder.cpp for why each is what it is.
struct RecoverySettings {
    int unanswered_probes_before_action = 5;       // in a row, while the modem says connected
    int connection_failures_before_action = 3;     // failed attempts or drops...
    Duration connection_failure_window = 10min;    // ...within this long
    Duration unregistered_limit = 5min;            // not registered this long: act (0: never)
    int attempts_per_step = 2;                     // remedies at one step before the next
    Duration first_backoff = 15s;                  // the wait after the first remedy...
    Duration max_backoff = 30min;                  // ...doubling up to this
    Duration stable_after = 10min;                 // healthy this long: back to the bottom
    UsbPowerCycling usb_power_cycle = UsbPowerCycling::Forbidden;
    bool operator==(const RecoverySettings&) const = default;
};

// One remedy to take now: an event for the API and a line for the log, as to_string() gives it.
struct RecoveryAction {
    RecoveryStep step = RecoveryStep::Reconnect;
    int step_number = 1;          // 1 = reconnect ... step_count
    int step_count = 3;           // 4 when USB power cycling is allowed
    int attempt = 1;              // 1-based, at this step; past attempt_limit once exhausted
    int attempt_limit = 1;
    std::string reason;           // "bearer dropped 3 times in 4 min 10 s (last: ...)"
    Clock::time_point time {};
    Duration wait {};             // no other remedy before time + wait
    bool operator==(const RecoveryAction&) const = default;
};
// "step 2/3 radio-off-on, attempt 1 of 2: bearer dropped 8 times in 28 s (last: call ended by
//  the network); no other remedy for 60 s", and once the top step's attempts are used up
// "step 3/3 modem-reset, attempt 3 (all 2 used, so at most every 30 min): ..."
std::string to_string(const RecoveryAction& action);

// What a call returns. `action` is to be taken now; `recovered` says that the ladder went back to
// the bottom, and why (an event too); `wake` is when to call tick() at the latest (none: only an
// observation can change anything).
struct RecoveryOutput {
    std::optional<RecoveryAction> action;
    std::optional<std::string> recovered;
    std::optional<Clock::time_point> wake;
};

// What the API shows of one ladder.
struct RecoveryStatus {
    LadderState state = LadderState::Idle;
    RecoveryStep next_step = RecoveryStep::Reconnect;
    int next_step_number = 1;
    int step_count = 3;
    int attempts_at_step = 0;                     // remedies taken at next_step so far
    Duration next_wait {};                        // the wait the next remedy will start
    std::optional<Clock::time_point> not_before;  // no remedy before this
    std::optional<RecoveryAction> last_action;
};

class RecoveryLadder {
public:
    // Settings out of range are brought into it (thresholds and attempts at least 1, backoffs at
    // least 1 s, max_backoff at least first_backoff), so no setting makes a fast loop.
    explicit RecoveryLadder(RecoverySettings settings = {});

    RecoveryOutput connection_up(Clock::time_point now);
    RecoveryOutput connection_failed(
        Clock::time_point now, ConnectionFailure failure, std::string detail);
    RecoveryOutput probe_answered(Clock::time_point now);
    RecoveryOutput probe_unanswered(Clock::time_point now);
    RecoveryOutput registration_lost(Clock::time_point now);
    RecoveryOutput registration_regained(Clock::time_point now);
    RecoveryOutput tick(Clock::time_point now);

    // Back to the bottom with no wait owed and what was seen forgotten (a registration that is
    // still lost counts from now): a person asked.
    void reset();
    // Live reload: the position on the ladder is kept, and fitted to the new steps and limits.
    void apply(RecoverySettings settings);

    RecoveryStatus status() const;
    const RecoverySettings& settings() const { return settings_; }

private:
    enum class Link { Down, Up };
    struct Symptom {
        std::string reason;
        std::size_t minimum_rung = 0;
    };

    RecoveryOutput evaluate(Clock::time_point now);
    bool probes_unanswered_enough() const;
    bool connection_failures_enough() const;
    bool unregistered_too_long(Clock::time_point now) const;
    bool not_back() const;
    bool has_symptom(Clock::time_point now) const;
    Symptom symptom(Clock::time_point now) const;
    std::string connection_failures_reason() const;
    RecoveryAction take_action(Clock::time_point now, const Symptom& symptom);
    std::optional<Clock::time_point> wake(Clock::time_point now) const;
    void go_to_bottom();
    void fit_to_settings();
    std::size_t top_rung() const { return steps_.size() - 1; }
    bool exhausted() const;

    RecoverySettings settings_;
    std::vector<RecoveryStep> steps_;
    Clock::time_point now_ {};

    // The position on the ladder.
    LadderState state_ = LadderState::Idle;
    std::size_t rung_ = 0;
    int attempts_ = 0;
    Duration backoff_;
    std::optional<Clock::time_point> not_before_;
    std::optional<RecoveryAction> last_action_;

    // What was seen since the last remedy.
    Link link_ = Link::Down;
    bool up_since_action_ = false;
    std::optional<Clock::time_point> healthy_since_;
    int unanswered_probes_ = 0;
    Clock::time_point first_unanswered_ {}, last_unanswered_ {};
    struct FailureSeen {
        Clock::time_point time;
        ConnectionFailure failure;
    };
    std::deque<FailureSeen> failures_;
    std::string last_failure_detail_;
    std::optional<Clock::time_point> unregistered_since_;
};

// What a watchdog costs on a metered link: the bytes of `bytes_per_probe` (both directions, IP
// headers included) every `interval`, over a 30-day month. `interval` must be positive.
std::uint64_t probe_bytes_per_month(Duration interval, std::uint64_t bytes_per_probe);
// One ICMP echo and its reply, IPv4 without options: 2 x (20 IP + 8 ICMP + payload).
constexpr std::uint64_t icmp_echo_exchange_bytes(std::uint64_t payload_bytes)
{
    return 2 * (20 + 8 + payload_bytes);
}

} // namespace uplink::modem
