// Tells when a file of one directory is written, closed after writing, or moved in (inotify(7)):
// how uplinkd hears that dhclient renewed a lease (dhclient appends to a file it keeps open),
// which changes no link or address when only the DNS servers move.
#pragma once

#include <core/core.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace uplink::daemon {

class DirectoryWatcher {
public:
    using Changed = std::function<void(const std::string& name)>; // the file's name in the directory

    // An error when the directory cannot be watched (it is not there). `changed` runs on the
    // executor; destroying the watcher stops it.
    static Result<DirectoryWatcher> start(boost::asio::any_io_executor executor, const std::string& directory, Changed changed);
    DirectoryWatcher(DirectoryWatcher&&) noexcept;
    DirectoryWatcher& operator=(DirectoryWatcher&&) noexcept;
    ~DirectoryWatcher();

private:
    struct State;
    explicit DirectoryWatcher(std::shared_ptr<State> state);
    void stop();
    std::shared_ptr<State> state_;
};

} // namespace uplink::daemon
