// A blocking client for uplinkd's unix socket: one JSON line out, one line back. The CLI is a
// short-lived program with nothing else to do while it waits, so it needs no event loop.
#pragma once

#include <core/core.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace uplink::cli {

class Connection {
public:
    // System errors: ENOENT (no socket), ECONNREFUSED (stale socket), EACCES...
    static Result<Connection> open(const std::string& path);

    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    Result<void> write_line(std::string line);
    // The next line without its '\n'. errc::connection_aborted when the daemon closed the
    // connection, errc::timed_out when no line came within `timeout` (none: wait for ever).
    Result<std::string> read_line(std::optional<std::chrono::seconds> timeout);
    // Whether read_line() has a whole line without reading: poll() on the descriptor does not know.
    bool has_line() const { return buffer_.find('\n') != std::string::npos; }
    int native_handle() const { return fd_; }

private:
    explicit Connection(int fd) : fd_(fd) {}

    int fd_ = -1;
    std::string buffer_;
};

} // namespace uplink::cli
