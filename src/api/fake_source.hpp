// A ModemSource with fixed data, for the Router's tests, the server's tests and the fuzzer.
#pragma once

#include "api/api.hpp"

#include <auth/auth.hpp>

#include <algorithm>
#include <functional>
#include <map>

namespace uplink::api::testing {

class FakeModemSource : public ModemSource {
public:
    using AtHandler = std::function<Result<at::Reply>(const std::string& id, const std::string& command)>;

    std::vector<modem::Snapshot> snapshots;
    std::vector<modem::Event> events;
    AtHandler at_handler;                    // unset: every command answers OK with no lines
    std::vector<std::string> commands_sent;  // "<id> <command>"
    std::vector<std::string> connection_requests;  // "<id> connect" / "<id> disconnect"
    modem::ProfilePolicy fake_policy;
    std::vector<ConfigEdit> edits;                 // every edit asked for, in order
    ConfigEditOutcome edit_outcome;                // what each edit answers

    std::vector<modem::Snapshot> modems() const override { return snapshots; }

    std::optional<modem::Snapshot> modem(std::string_view id) const override
    {
        for (const auto& snapshot : snapshots)
            if (snapshot.id == id)
                return snapshot;
        return std::nullopt;
    }

    boost::asio::awaitable<Result<at::Reply>> send_at(std::string modem_id, std::string command) override
    {
        commands_sent.push_back(modem_id + " " + command);
        if (at_handler)
            co_return at_handler(modem_id, command);
        co_return at::Reply{};
    }

    // The fake SIM's PIN is "1234": a request with it is accepted, any other refused.
    std::vector<modem::PinRequest> pin_requests;
    boost::asio::awaitable<Result<modem::PinOutcome>> set_sim_pin(std::string modem_id, modem::PinRequest request) override
    {
        auto snapshot = modem(modem_id);
        if (!snapshot)
            co_return make_error_code(modem::Errc::NoSuchModem);
        pin_requests.push_back(request);
        modem::PinOutcome outcome;
        outcome.accepted = request.pin == "1234";
        outcome.sim = snapshot->sim;
        outcome.message = outcome.accepted ? "PIN changed" : "the SIM refused the PIN; 2 PIN attempts left";
        co_return outcome;
    }

    // What a scan finds; a scan error instead when `scan_error` is set.
    std::vector<modem::NetworkEntry> networks;
    std::optional<Error> scan_error;
    boost::asio::awaitable<Result<std::vector<modem::NetworkEntry>>> scan_networks(std::string modem_id) override
    {
        if (!modem(modem_id))
            co_return make_error_code(modem::Errc::NoSuchModem);
        if (scan_error)
            co_return *scan_error;
        co_return networks;
    }

    // Modems whose device has a QMI port take the request; others have no data port.
    Result<void> set_connection_wanted(std::string_view modem_id, bool wanted) override
    {
        auto snapshot = modem(modem_id);
        if (!snapshot)
            return make_error_code(modem::Errc::NoSuchModem);
        auto qmi = std::ranges::any_of(snapshot->device.ports,
            [](const modem::Port& port) { return port.role == modem::PortRole::Qmi; });
        if (!qmi)
            return make_error_code(modem::Errc::NoDataPort);
        connection_requests.push_back(std::string(modem_id) + (wanted ? " connect" : " disconnect"));
        return {};
    }

    std::vector<modem::Event> recent_events() const override { return events; }
    std::vector<modem::DialogueLine> lines;        // every modem's dialogue
    std::optional<std::vector<modem::DialogueLine>> dialogue(std::string_view modem_id) const override
    {
        if (!modem(modem_id))
            return std::nullopt;
        return lines;
    }

    modem::Manager::Subscription subscribe(modem::Manager::Listener listener) override
    {
        int key = next_key_++;
        listeners_[key] = std::move(listener);
        return modem::Manager::Subscription([this, key] { listeners_.erase(key); });
    }

    void emit(const modem::Event& event)
    {
        auto listeners = listeners_;   // a listener may unsubscribe while it runs
        for (auto& [key, listener] : listeners)
            listener(event);
    }

    std::size_t subscriber_count() const { return listeners_.size(); }

    modem::ProfilePolicy policy() const override { return fake_policy; }
    std::vector<wan::WanStatus> wan_statuses;
    std::vector<wan::WanStatus> wans() const override { return wan_statuses; }
    wan::WanSettings settings_of_wans;
    wan::WanSettings wan_settings() const override { return settings_of_wans; }
    std::map<std::string, WanUsage> usages;        // by WAN
    std::optional<WanUsage> usage(std::string_view wan) const override
    {
        auto found = usages.find(std::string(wan));
        return found == usages.end() ? std::nullopt : std::optional<WanUsage>(found->second);
    }
    // Each modem's history (none: an empty one); with `history_error`, as when none is kept.
    std::map<std::string, SignalHistory> histories;
    std::optional<Error> history_error;
    struct HistoryRequest {
        std::string modem_id;
        std::chrono::system_clock::time_point since;
        std::size_t max_points = 0;
    };
    mutable std::vector<HistoryRequest> history_requests;
    Result<SignalHistory> signal_history(
        std::string_view modem_id, std::chrono::system_clock::time_point since, std::size_t max_points) const override
    {
        if (!modem(modem_id))
            return make_error_code(modem::Errc::NoSuchModem);
        history_requests.push_back({std::string(modem_id), since, max_points});
        if (history_error)
            return *history_error;
        auto found = histories.find(std::string(modem_id));
        return found == histories.end() ? SignalHistory{} : found->second;
    }

    // Every lease asked for: "<id> <milliseconds>".
    std::vector<std::string> fast_leases;
    Result<Clock::time_point> fast_signal(std::string_view modem_id, Duration length) override
    {
        if (!modem(modem_id))
            return make_error_code(modem::Errc::NoSuchModem);
        fast_leases.push_back(fmt::format("{} {}", modem_id, length.count()));
        return Clock::now() + length;
    }

    boost::asio::awaitable<Result<void>> reset_admin_password(std::string password) override
    {
        if (admin_password_busy)
            co_return make_error_code(boost::system::errc::resource_unavailable_try_again);
        if (password.size() < 8)
            co_return make_error_code(boost::system::errc::invalid_argument);
        admin_passwords.push_back(std::move(password));
        co_return Result<void>();
    }
    std::vector<std::string> admin_passwords;      // reset_admin_password's, in order
    // Where no file can be written (every change a 500) until a test gives it a directory.
    auth::TokenStore tokens {"/nonexistent/uplink-state/api-tokens"};
    auth::TokenStore& api_tokens() override { return tokens; }
    bool admin_password_busy = false;              // as while a login's KDF runs
    Result<ConfigEditOutcome> edit_config(ConfigEdit edit) override
    {
        edits.push_back(std::move(edit));
        auto outcome = edit_outcome;
        outcome.applied = outcome.problems.empty() && outcome.forbidden.empty()
            && edits.back().mode == ConfigEdit::Mode::Apply;
        return outcome;
    }
    ConfigFile file {"/etc/config/uplink", "config profile 'home'\n\toption pin '1234'\n"};
    std::vector<ConfigRestore> restores;           // every restore asked for, in order; each answers edit_outcome
    Result<ConfigFile> config_file() const override { return file; }
    Result<ConfigEditOutcome> restore_config(ConfigRestore restore) override
    {
        restores.push_back(std::move(restore));
        auto outcome = edit_outcome;
        outcome.applied = outcome.problems.empty() && restores.back().mode == ConfigEdit::Mode::Apply;
        return outcome;
    }

private:
    std::map<int, modem::Manager::Listener> listeners_;
    int next_key_ = 0;
};

// A Quectel EC25 registered on LTE band 3 with two carriers, as the emulator's default scenario shows it.
inline modem::Snapshot registered_ec25(std::string id = "1-1")
{
    modem::Snapshot snapshot;
    snapshot.id = id;
    snapshot.state = modem::State::Registered;
    snapshot.message = "registered on Vodafone UK (LTE)";
    snapshot.identity = {"Quectel", "EC25", "EC25EFAR06A06M4G", "867698041234567"};
    snapshot.sim.state = modem::SimState::Ready;
    snapshot.sim.iccid = "8944110068256270054";
    snapshot.sim.imsi = "234150123456789";
    snapshot.sim.operator_id = "23415";
    snapshot.sim.pin_retries = 3;
    snapshot.sim.puk_retries = 10;
    snapshot.registration.state = modem::RegistrationState::Home;
    snapshot.registration.technology = modem::Technology::Lte;
    snapshot.registration.operator_name = "Vodafone UK";
    snapshot.registration.operator_id = "23415";
    snapshot.registration.tac = 0x1A2B;
    snapshot.registration.cell_id = 0x01A2D001;
    snapshot.signal.rssi_dbm = -65;
    snapshot.signal.rsrp_dbm = -95;
    snapshot.signal.rsrq_db = -10;
    snapshot.signal.sinr_db = 12;
    snapshot.signal.band = 3;
    snapshot.signal.earfcn = 1300;
    snapshot.signal.pci = 123;
    snapshot.signal.carriers = {
        {true, "LTE BAND 3", 1300, 100, 123, -95, -10, 12},
        {false, "LTE BAND 20", 6300, 50, 45, -101, -12, std::nullopt},
    };
    snapshot.signal.antenna_rsrp_dbm = {-95, -98, std::nullopt, std::nullopt};   // +QRSRP: -95,-98,-32768,-32768,LTE
    snapshot.signal.updated = Clock::now();
    snapshot.wan = "wan1";
    modem::EffectiveSettings settings;
    settings.profile = "home";
    settings.rule = "vodafone";
    settings.reason = "MCC-MNC is 23415";
    settings.apn_source = modem::ApnSource::OperatorTable;
    settings.apn_entry = "23415 Vodafone";
    settings.connection.apn = "internet";
    settings.connection.authentication = modem::Authentication::PapOrChap;
    settings.connection.username = "web";
    settings.connection.password = "web-secret";
    settings.connection.route_metric = 200;
    settings.has_pin = true;
    snapshot.settings = settings;
    snapshot.device.usb_path = id;
    snapshot.device.sysfs_path = "/sys/bus/usb/devices/" + id;
    snapshot.device.vendor_id = "2c7c";
    snapshot.device.product_id = "0125";
    snapshot.device.vendor_entry = "quectel-ec25";
    snapshot.device.protocol = modem::Protocol::Qmi;
    snapshot.device.ports = {
        {"ttyUSB2", "/dev/ttyUSB2", modem::PortRole::At, 2, "option"},
        {"cdc-wdm0", "/dev/cdc-wdm0", modem::PortRole::Qmi, 4, "qmi_wwan"},
    };
    return snapshot;
}

// A second modem that is stuck at its SIM: nothing known about the network.
inline modem::Snapshot locked_ec25(std::string id = "1-2")
{
    modem::Snapshot snapshot;
    snapshot.id = id;
    snapshot.state = modem::State::Failed;
    snapshot.failed_reason = modem::FailedReason::WrongPin;
    snapshot.message = "the SIM refused the configured PIN; 2 tries left";
    snapshot.identity = {"Quectel", "EC25", "EC25EFAR06A06M4G", "867698047654321"};
    snapshot.sim.state = modem::SimState::PinRequired;
    snapshot.sim.pin_retries = 2;
    snapshot.device.usb_path = id;
    snapshot.device.ports = {{"ttyUSB6", "/dev/ttyUSB6", modem::PortRole::At, -1, "option"}};
    return snapshot;
}

} // namespace uplink::api::testing
