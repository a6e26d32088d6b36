// One modem: owns the AT channel on its primary port and keeps identity, SIM, registration and
// signal current. Its state is written only by set_state(). Lives in a shared_ptr: its coroutines
// hold a reference, so stop() ends them and the object goes when the last one returns.
#pragma once

#include "modem/data_connection.hpp"
#include "modem/discovery.hpp"
#include "modem/pin_store.hpp"
#include "modem/recovery_ladder.hpp"

#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace uplink::modem {

struct ModemSettings {
    Duration poll_interval = 10s;
    Duration command_timeout = 5s;
    ProfilePolicy policy;
    LinkHooks link;
    unsigned wan_number = 1;
    LinkOwner link_owner = LinkOwner::Uplinkd;
    std::string sysfs_root = "/sys";         // for the USB port's power switch
    std::string radio_memory_path;           // <state_dir>/radio-defaults: see RadioMemory
};

class Modem : public std::enable_shared_from_this<Modem> {
public:
    struct Callbacks {
        std::function<void(Event::Kind, std::string message)> event;
        std::function<void()> port_failed; // EIO/HUP, or the port node vanished: rescan
        // A signal sample that repeats the last values, taken while a fast-signal lease lasts.
        std::function<void(std::string message)> signal_sample;
    };

    // The ladder outlives the Modem: a reset modem comes back as a new Modem on the same ladder.
    Modem(boost::asio::any_io_executor executor, FoundModem found, ModemSettings settings,
        std::shared_ptr<PinFailureStore> store, std::shared_ptr<RecoveryLadder> ladder, Callbacks callbacks);
    ~Modem();
    Modem(const Modem&) = delete;
    Modem& operator=(const Modem&) = delete;

    void start();
    void stop();
    // Takes the new settings and does what plan() says: nothing, a new PIN, a reconnect...
    void apply(ModemSettings settings);
    PlannedChange plan(const ProfilePolicy& policy, SecretComparison secrets = SecretComparison::Compared) const;

    Snapshot snapshot() const;
    std::vector<DialogueLine> dialogue() const { return {dialogue_.begin(), dialogue_.end()}; }
    const Device& device() const { return device_; }
    bool port_closed() const { return port_closed_; }

    // A PIN or PUK in the line is sent at most once per SIM, as uplink's own (modem_sim.cpp).
    boost::asio::awaitable<Result<at::Reply>> send_at(std::string command);
    boost::asio::awaitable<Result<PinOutcome>> set_sim_pin(PinRequest request);
    boost::asio::awaitable<Result<std::vector<NetworkEntry>>> scan_networks();
    // The API's connect/disconnect; NoDataPort for a modem managed over AT only.
    Result<void> set_connection_wanted(bool wanted);
    // Manager::fast_signal: when the lease ends.
    Clock::time_point fast_signal(Duration length);

private:
    // What a step of the run loop leads to.
    enum class Next { Proceed, Wait, Restart, Hung, Closed, Stopped };

    boost::asio::awaitable<void> run(std::shared_ptr<Modem> self);
    boost::asio::awaitable<Next> choose_at_port();
    boost::asio::awaitable<Next> initialize();
    boost::asio::awaitable<Next> wait_until_answering();
    boost::asio::awaitable<Next> select_character_set();
    boost::asio::awaitable<Next> read_identity();
    boost::asio::awaitable<Next> initialize_sim();
    boost::asio::awaitable<Next> read_iccid(Sim& sim);
    boost::asio::awaitable<Next> read_pin_counters(Sim& sim);
    boost::asio::awaitable<Next> read_imsi(Sim& sim);
    boost::asio::awaitable<Next> unlock();
    std::optional<std::string> pin_to_send();
    Result<void> claim_pin_attempt(const std::string& key, std::string_view pin);
    void record_pin_answer(const std::string& key, std::string_view pin, const at::Final& final);
    boost::asio::awaitable<Next> enable_radio();
    boost::asio::awaitable<Next> poll_loop();
    boost::asio::awaitable<Next> poll_once();
    boost::asio::awaitable<Next> poll_signal();
    boost::asio::awaitable<Next> wait_for_next_poll();
    bool fast_signal_active() const { return fast_signal_until_ > Clock::now(); }
    boost::asio::awaitable<Next> wait_for_wakeup();
    boost::asio::awaitable<Next> perform_remedy(RecoveryStep step);
    // The profile's radio settings, each sent only where the modem differs; `problems` says why
    // one is not in effect.
    boost::asio::awaitable<Next> apply_radio();
    enum class RadioDialect { None, QuectelAt, QuectelNwPref, QmiNas };
    RadioDialect radio_dialect() const;
    std::string model_name() const;             // the vendor table's name, else the modem's
    boost::asio::awaitable<Next> apply_rat(RatPreference wanted, RadioState& radio, std::vector<std::string>& problems);
    boost::asio::awaitable<Next> apply_qmi_rat(RatPreference wanted, RadioState& radio, std::vector<std::string>& problems);
    // Quectel's setting; none when it is several RATs that are not all of them (LTE:NR5G).
    boost::asio::awaitable<Result<std::optional<RatPreference>>> read_quectel_rat();
    // A band lock: LTE's, and on 5G modems NR standalone's and NR with LTE's.
    enum class BandSetting { Lte, Nr, NsaNr };
    boost::asio::awaitable<Result<std::string>> read_band_mask(BandSetting setting);
    boost::asio::awaitable<Result<void>> write_band_mask(BandSetting setting, std::string mask);
    boost::asio::awaitable<Result<qmi::SystemSelection>> read_system_selection();
    void retry_radio_if_not_ready(const Error& error);
    bool has_radio_default(std::string_view setting) const;
    // `enabled` gets the bands the modem has on after it; none where the modem has no such setting.
    boost::asio::awaitable<Next> apply_bands(BandSetting setting, const std::vector<int>& wanted,
        std::optional<std::vector<int>>& enabled, std::vector<std::string>& problems);
    boost::asio::awaitable<Next> apply_network(
        std::string wanted, RadioState& radio, std::vector<std::string>& problems);
    boost::asio::awaitable<Result<at::BandConfiguration>> read_band_masks();
    boost::asio::awaitable<Result<at::OperatorSelection>> read_operator_selection();
    boost::asio::awaitable<Next> power_cycle_usb_port();
    // Waits `duration`, or less when woken; true when a restart was asked for meanwhile.
    boost::asio::awaitable<bool> sleep(Duration duration);

    // One command through the channel; transact() returns any final result, command() only OK.
    boost::asio::awaitable<Result<at::Reply>> transact(
        std::string command, std::optional<Duration> timeout = {});
    boost::asio::awaitable<Result<at::Reply>> command(
        std::string command, std::optional<Duration> timeout = {});
    // Hung/Closed/Stopped when `error` is the port's failure rather than the command's.
    std::optional<Next> transport_failure(const Error& error) const;
    std::optional<Next> failure_of(const Result<at::Reply>& reply) const;
    Duration probe_timeout() const;

    Result<void> open_port();
    void start_data_connection();
    void attach_handlers();
    void on_urc(const std::string& line);
    void on_cpin_urc(const std::string& line);
    void on_port_closed(Error error);
    void request_restart(std::string reason);
    void on_observation(const DataConnection::Observation& observation);
    void note(std::string_view port, std::string_view direction, std::string_view text);
    void apply_watchdog();
    Recovery recovery() const;
    void follow_ladder(RecoveryOutput output);
    void arm_ladder_timer(Clock::time_point when);

    void set_state(State state, FailedReason reason = FailedReason::None, std::string message = {});
    void update_sim(Sim sim);
    void update_registration(Registration registration);
    void update_signal(Signal signal);
    Registration combined_registration(const Registration& current) const;
    std::string sim_key() const;
    std::string describe_sim() const;
    std::string refused_message(const Sim& sim) const;
    std::optional<std::string> configured_pin() const;
    EffectiveSettings effective_settings() const;
    void refresh_settings();                 // after the SIM, identity or policy changed
    bool has_quirk(std::string_view quirk) const;

    boost::asio::any_io_executor executor_;
    Device device_;
    std::optional<VendorEntry> entry_;
    ModemSettings settings_;
    std::shared_ptr<PinFailureStore> store_;
    std::shared_ptr<RecoveryLadder> ladder_;
    Callbacks callbacks_;

    std::unique_ptr<at::Channel> channel_;
    std::shared_ptr<DataConnection> data_; // when the modem has a QMI port and a network interface
    std::optional<std::size_t> at_port_; // index into device_.ports
    boost::asio::steady_timer wake_;
    boost::asio::steady_timer ladder_timer_;
    std::optional<RecoveryStep> pending_remedy_;   // radio or reset: taken by the poll loop
    // Apply: the profile's radio settings changed, apply them now; Retry: the QMI port was not open
    // yet, try again after the next poll.
    enum class RadioWork { None, Apply, Retry };
    RadioWork radio_work_ = RadioWork::None;
    RadioState radio_;                             // as the modem reported it after applying them
    std::deque<DialogueLine> dialogue_;
    Clock::time_point fast_signal_until_ {}; // the fast-signal lease's end
    bool between_polls_ = false;             // asleep in wait_for_next_poll()
    bool restart_requested_ = false;
    bool stopping_ = false;
    bool port_closed_ = false;
    bool fresh_port_ = false; // opened since the last answer: let stale replies drain first
    bool antenna_rsrp_refused_ = false;      // AT+QRSRP answered with an error: not asked again

    State state_ = State::Unknown;
    FailedReason failed_reason_ = FailedReason::None;
    std::string message_;
    Identity identity_;
    Sim sim_;
    EffectiveSettings effective_;
    Registration registration_;
    Signal signal_;
    // The last +CREG, +CGREG and +CEREG seen (read or URC), combined by best_registration().
    std::vector<std::optional<at::Registration>> registrations_
        = std::vector<std::optional<at::Registration>>(3);
    std::optional<at::AccessTechnology> operator_technology_; // from AT+COPS?
    at::CharacterSet character_set_ = at::CharacterSet::Ira; // AT+CSCS? after setup
};

} // namespace uplink::modem
