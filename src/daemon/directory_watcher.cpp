#include "daemon/directory_watcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <vector>
#include <cerrno>
#include <cstring>
#include <sys/inotify.h>
#include <unistd.h>

namespace uplink::daemon {

namespace asio = boost::asio;

namespace {

// The names of a read's events: whole events (inotify(7)), each a header and a name padded with
// NULs. Apart from the coroutine, whose frame cannot hold inotify_event's flexible array.
std::vector<std::string> names_in(const char* bytes, std::size_t size)
{
    std::vector<std::string> names;
    for (std::size_t at = 0; at + sizeof(inotify_event) <= size;) {
        inotify_event event;
        std::memcpy(&event, bytes + at, sizeof event);
        auto length = std::min<std::size_t>(event.len, size - at - sizeof event);
        std::string name(bytes + at + sizeof event, ::strnlen(bytes + at + sizeof event, length));
        at += sizeof event + event.len;
        if (!name.empty())
            names.push_back(std::move(name));
    }
    return names;
}

} // namespace

struct DirectoryWatcher::State {
    State(asio::any_io_executor executor, int descriptor, Changed callback)
        : events(std::move(executor), descriptor), changed(std::move(callback))
    {
    }

    static asio::awaitable<void> run(std::shared_ptr<State> self)
    {
        std::array<char, 4096> buffer;
        while (!self->stopped) {
            auto [error, size] = co_await self->events.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
            if (error || self->stopped)
                co_return;
            for (const auto& name : names_in(buffer.data(), size)) {
                self->changed(name);
                if (self->stopped)
                    co_return;
            }
        }
    }

    asio::posix::stream_descriptor events;
    Changed changed;
    bool stopped = false;
};

Result<DirectoryWatcher> DirectoryWatcher::start(
    asio::any_io_executor executor, const std::string& directory, Changed changed)
{
    int descriptor = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (descriptor < 0)
        return Error(errno, boost::system::system_category());
    if (::inotify_add_watch(descriptor, directory.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY) < 0) {
        auto error = Error(errno, boost::system::system_category());
        ::close(descriptor);
        return error;
    }
    auto state = std::make_shared<State>(executor, descriptor, std::move(changed));
    asio::co_spawn(executor, State::run(state), LogFailure {"uplinkd", "watching " + directory + " stopped"});
    return DirectoryWatcher(std::move(state));
}

DirectoryWatcher::DirectoryWatcher(std::shared_ptr<State> state)
    : state_(std::move(state))
{
}

DirectoryWatcher::DirectoryWatcher(DirectoryWatcher&&) noexcept = default;

DirectoryWatcher& DirectoryWatcher::operator=(DirectoryWatcher&& other) noexcept
{
    if (this != &other) {
        stop();
        state_ = std::move(other.state_);
    }
    return *this;
}

DirectoryWatcher::~DirectoryWatcher()
{
    stop();
}

void DirectoryWatcher::stop()
{
    if (!state_)
        return;
    state_->stopped = true;
    Error ignored;
    state_->events.close(ignored);
}

} // namespace uplink::daemon
