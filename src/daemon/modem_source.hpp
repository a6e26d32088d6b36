// The API's view of the modems, over the modem module's Manager, and of the profiles they run
// with, over the daemon's running settings and its config editor.
#pragma once

#include <api/api.hpp>
#include <modem/modem.hpp>

#include <functional>

namespace uplink::daemon {

class ManagerSource final : public api::ModemSource {
public:
    struct Configuration {
        std::function<modem::ProfilePolicy()> policy;
        std::function<Result<api::ConfigEditOutcome>(api::ConfigEdit)> edit;
        std::function<Result<api::ConfigFile>()> read;
        std::function<Result<api::ConfigEditOutcome>(api::ConfigRestore)> restore;
        std::function<std::optional<api::WanUsage>(std::string_view wan)> usage;
        std::function<Result<api::SignalHistory>(
            std::string_view wan, std::chrono::system_clock::time_point since, std::size_t max_points)>
            signal_history;
        std::function<boost::asio::awaitable<Result<void>>(std::string password)> reset_admin_password;
        std::function<auth::TokenStore&()> api_tokens;
        std::function<std::vector<wan::WanStatus>()> wans;
        std::function<wan::WanSettings()> wan_settings;
    };
    ManagerSource(modem::Manager& manager, Configuration configuration)
        : manager_(manager), configuration_(std::move(configuration))
    {
    }

    std::vector<modem::Snapshot> modems() const override { return manager_.modems(); }
    std::optional<modem::Snapshot> modem(std::string_view id) const override { return manager_.modem(id); }
    boost::asio::awaitable<Result<at::Reply>> send_at(std::string modem_id, std::string command) override
    {
        return manager_.send_at(std::move(modem_id), std::move(command));
    }
    boost::asio::awaitable<Result<modem::PinOutcome>> set_sim_pin(
        std::string modem_id, modem::PinRequest request) override
    {
        return manager_.set_sim_pin(std::move(modem_id), std::move(request));
    }
    boost::asio::awaitable<Result<std::vector<modem::NetworkEntry>>> scan_networks(std::string modem_id) override
    {
        return manager_.scan_networks(std::move(modem_id));
    }
    Result<void> set_connection_wanted(std::string_view modem_id, bool wanted) override
    {
        return wanted ? manager_.connect(modem_id) : manager_.disconnect(modem_id);
    }
    std::vector<modem::Event> recent_events() const override { return manager_.recent_events(); }
    std::optional<std::vector<modem::DialogueLine>> dialogue(std::string_view modem_id) const override
    {
        return manager_.dialogue(modem_id);
    }
    modem::Manager::Subscription subscribe(modem::Manager::Listener listener) override
    {
        return manager_.subscribe(std::move(listener));
    }
    modem::ProfilePolicy policy() const override { return configuration_.policy(); }
    std::optional<api::WanUsage> usage(std::string_view wan) const override { return configuration_.usage(wan); }
    std::vector<wan::WanStatus> wans() const override { return configuration_.wans(); }
    wan::WanSettings wan_settings() const override { return configuration_.wan_settings(); }
    // The history is the WAN's (daemon/signal_recorder.hpp): the modem's as long as it is in that port.
    Result<api::SignalHistory> signal_history(
        std::string_view modem_id, std::chrono::system_clock::time_point since, std::size_t max_points) const override
    {
        auto snapshot = manager_.modem(modem_id);
        if (!snapshot)
            return make_error_code(modem::Errc::NoSuchModem);
        return configuration_.signal_history(snapshot->wan, since, max_points);
    }
    Result<Clock::time_point> fast_signal(std::string_view modem_id, Duration length) override
    {
        return manager_.fast_signal(modem_id, length);
    }
    Result<api::ConfigEditOutcome> edit_config(api::ConfigEdit edit) override
    {
        return configuration_.edit(std::move(edit));
    }
    Result<api::ConfigFile> config_file() const override { return configuration_.read(); }
    Result<api::ConfigEditOutcome> restore_config(api::ConfigRestore restore) override
    {
        return configuration_.restore(std::move(restore));
    }
    boost::asio::awaitable<Result<void>> reset_admin_password(std::string password) override
    {
        return configuration_.reset_admin_password(std::move(password));
    }
    auth::TokenStore& api_tokens() override { return configuration_.api_tokens(); }

private:
    modem::Manager& manager_;
    Configuration configuration_;
};

} // namespace uplink::daemon
