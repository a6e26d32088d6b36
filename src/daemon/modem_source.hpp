// The API's view of the modems, over the modem module's Manager.
#pragma once

#include <api/api.hpp>
#include <modem/modem.hpp>

namespace uplink::daemon {

class ManagerSource final : public api::ModemSource {
public:
    explicit ManagerSource(modem::Manager& manager) : manager_(manager) {}

    std::vector<modem::Snapshot> modems() const override { return manager_.modems(); }
    std::optional<modem::Snapshot> modem(std::string_view id) const override { return manager_.modem(id); }
    boost::asio::awaitable<Result<at::Reply>> send_at(std::string modem_id, std::string command) override
    {
        return manager_.send_at(std::move(modem_id), std::move(command));
    }
    Result<void> set_connection_wanted(std::string_view modem_id, bool wanted) override
    {
        return wanted ? manager_.connect(modem_id) : manager_.disconnect(modem_id);
    }
    std::vector<modem::Event> recent_events() const override { return manager_.recent_events(); }
    modem::Manager::Subscription subscribe(modem::Manager::Listener listener) override
    {
        return manager_.subscribe(std::move(listener));
    }

private:
    modem::Manager& manager_;
};

} // namespace uplink::daemon
