#include "cli/client.hpp"

#include <boost/system/errc.hpp>

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace uplink::cli {

namespace {

Error system_error(int number) { return Error(number, boost::system::system_category()); }

} // namespace

Result<Connection> Connection::open(const std::string& path)
{
    sockaddr_un address{};
    if (path.size() >= sizeof(address.sun_path))
        return system_error(ENAMETOOLONG);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return system_error(errno);
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof(address.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
        int error = errno;
        ::close(fd);
        return system_error(error);
    }
    return Connection(fd);
}

Connection::Connection(Connection&& other) noexcept : fd_(other.fd_), buffer_(std::move(other.buffer_))
{
    other.fd_ = -1;
}

Connection& Connection::operator=(Connection&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = other.fd_;
        buffer_ = std::move(other.buffer_);
        other.fd_ = -1;
    }
    return *this;
}

Connection::~Connection()
{
    if (fd_ >= 0)
        ::close(fd_);
}

Result<void> Connection::write_line(std::string line)
{
    line += '\n';
    std::size_t written = 0;
    while (written < line.size()) {
        // MSG_NOSIGNAL: a daemon that went away is an error value, not a SIGPIPE.
        auto count = ::send(fd_, line.data() + written, line.size() - written, MSG_NOSIGNAL);
        if (count < 0) {
            if (errno == EINTR)
                continue;
            return system_error(errno);
        }
        written += static_cast<std::size_t>(count);
    }
    return {};
}

Result<std::string> Connection::read_line(std::optional<std::chrono::seconds> timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout.value_or(std::chrono::seconds(0));
    for (;;) {
        if (auto end = buffer_.find('\n'); end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            return line;
        }
        if (timeout) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                return make_error_code(boost::system::errc::timed_out);
            pollfd waiting{fd_, POLLIN, 0};
            int ready = ::poll(&waiting, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno != EINTR)
                return system_error(errno);
            if (ready <= 0)
                continue;
        }
        char chunk[4096];
        auto count = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (count < 0) {
            if (errno == EINTR)
                continue;
            return system_error(errno);
        }
        if (count == 0)
            return make_error_code(boost::system::errc::connection_aborted);
        buffer_.append(chunk, static_cast<std::size_t>(count));
    }
}

} // namespace uplink::cli
