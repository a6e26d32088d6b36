// A task the daemon runs every so often on its loop (sampling, flushing): one coroutine, ended by
// stop(), its failure logged once.
#pragma once

#include <core/core.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <string>

namespace uplink::daemon {

class Periodic {
public:
    // `what` names the task in the log: "data usage recording".
    Periodic(boost::asio::any_io_executor executor, Duration interval, std::string what, std::function<void()> tick);

    void start();
    void stop();   // no tick runs after it

private:
    static boost::asio::awaitable<void> run(Periodic* periodic);

    boost::asio::any_io_executor executor_;
    Duration interval_;
    std::string what_;
    std::function<void()> tick_;
    boost::asio::steady_timer timer_;
    bool running_ = false;
};

} // namespace uplink::daemon
