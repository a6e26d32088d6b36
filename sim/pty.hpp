// A pseudo-terminal standing in for one USB serial port of the modem. Private to sim/.
#pragma once

#include <core/core.hpp>
#include <string>

namespace uplink::sim {

// The master is the modem's side; the emulator also keeps one slave descriptor open so the
// master does not see a hangup while no client has the port open (a real ttyUSB exists as long
// as the modem is plugged). Both are close-on-exec; the master is non-blocking.
class Pty {
public:
    static Result<Pty> open();

    Pty() = default;
    Pty(Pty&& other) noexcept;
    Pty& operator=(Pty&& other) noexcept;
    Pty(const Pty&) = delete;
    Pty& operator=(const Pty&) = delete;
    ~Pty();

    int release_master(); // the caller owns the master descriptor from now on
    void close();
    const std::string& slave_path() const { return slave_path_; } // "/dev/pts/5"

private:
    int master_ = -1;
    int slave_ = -1;
    std::string slave_path_;
};

} // namespace uplink::sim
