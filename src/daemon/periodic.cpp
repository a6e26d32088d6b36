#include "daemon/periodic.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace uplink::daemon {

namespace asio = boost::asio;

Periodic::Periodic(asio::any_io_executor executor, Duration interval, std::string what, std::function<void()> tick)
    : executor_(executor), interval_(interval), what_(std::move(what)), tick_(std::move(tick)), timer_(executor)
{
}

void Periodic::start()
{
    running_ = true;
    asio::co_spawn(executor_, run(this), LogFailure {"uplinkd", what_ + " stopped"});
}

void Periodic::stop()
{
    running_ = false;
    timer_.cancel();
}

// `periodic` outlives the loop: the daemon owns it and runs the loop inside its lifetime.
asio::awaitable<void> Periodic::run(Periodic* periodic)
{
    while (periodic->running_) {
        periodic->timer_.expires_after(periodic->interval_);
        auto [error] = co_await periodic->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (error || !periodic->running_)
            co_return;
        periodic->tick_();
    }
}

} // namespace uplink::daemon
