#include "sim/pty.hpp"

#include <boost/system/system_category.hpp>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <utility>

namespace uplink::sim {

namespace {

Error last_error()
{
    return {errno, boost::system::system_category()};
}

} // namespace

Result<Pty> Pty::open()
{
    Pty pty;
    pty.master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (pty.master_ < 0)
        return last_error();
    if (::grantpt(pty.master_) != 0 || ::unlockpt(pty.master_) != 0)
        return last_error();
    char name[PATH_MAX] = {};
    if (::ptsname_r(pty.master_, name, sizeof name) != 0)
        return last_error();
    pty.slave_path_ = name;
    pty.slave_ = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty.slave_ < 0)
        return last_error();
    // A USB serial port has no line discipline processing in the way: no echo (the modem's
    // ATE echo is emulated), no CR/NL translation, no signals.
    termios settings {};
    if (::tcgetattr(pty.slave_, &settings) != 0)
        return last_error();
    ::cfmakeraw(&settings);
    if (::tcsetattr(pty.slave_, TCSANOW, &settings) != 0)
        return last_error();
    return pty;
}

Pty::Pty(Pty&& other) noexcept
    : master_(std::exchange(other.master_, -1))
    , slave_(std::exchange(other.slave_, -1))
    , slave_path_(std::move(other.slave_path_))
{
}

Pty& Pty::operator=(Pty&& other) noexcept
{
    if (this != &other) {
        close();
        master_ = std::exchange(other.master_, -1);
        slave_ = std::exchange(other.slave_, -1);
        slave_path_ = std::move(other.slave_path_);
    }
    return *this;
}

Pty::~Pty()
{
    close();
}

int Pty::release_master()
{
    return std::exchange(master_, -1);
}

void Pty::close()
{
    if (master_ >= 0)
        ::close(std::exchange(master_, -1));
    if (slave_ >= 0)
        ::close(std::exchange(slave_, -1));
}

} // namespace uplink::sim
