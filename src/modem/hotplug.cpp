#include "modem/hotplug.hpp"

#include <array>
#include <cerrno>
#include <core/core.hpp>
#include <cstring>
#include <filesystem>
#include <linux/netlink.h>
#include <string_view>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

namespace uplink::modem {

namespace {

constexpr auto inotify_retry = std::chrono::seconds(2);

} // namespace

bool relevant_uevent(std::string_view message)
{
    for (std::string_view subsystem :
        {"SUBSYSTEM=usb", "SUBSYSTEM=tty", "SUBSYSTEM=net", "SUBSYSTEM=usbmisc"})
        for (std::size_t at = 0; (at = message.find(subsystem, at)) != std::string_view::npos;
             at += subsystem.size())
            if (at + subsystem.size() == message.size() || message[at + subsystem.size()] == '\0')
                return true;
    return false;
}

HotplugWatcher::HotplugWatcher(
    boost::asio::any_io_executor executor, std::string sysfs_root, std::function<void()> changed)
    : sysfs_root_(std::move(sysfs_root))
    , changed_(std::move(changed))
    , uevents_(executor)
    , inotify_(executor)
    , retry_(executor)
{
}

HotplugWatcher::~HotplugWatcher()
{
    stop();
}

void HotplugWatcher::start()
{
    stopped_ = false;
    open_uevents();
    if (!open_inotify())
        retry_inotify_later();
}

void HotplugWatcher::stop()
{
    stopped_ = true;
    boost::system::error_code ignored;
    uevents_.close(ignored);
    inotify_.close(ignored);
    retry_.cancel();
}

// Kernel uevents describe the kernel's own /sys: only opened when that is the tree we read.
void HotplugWatcher::open_uevents()
{
    std::error_code ec;
    if (std::filesystem::weakly_canonical(sysfs_root_, ec) != "/sys")
        return;
    int fd
        = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
    if (fd < 0) {
        log(LogLevel::Debug, "modem", "no uevent socket ({}): hotplug by inotify only",
            std::strerror(errno));
        return;
    }
    sockaddr_nl address {};
    address.nl_family = AF_NETLINK;
    address.nl_groups = 1; // the kernel's broadcast group
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        log(LogLevel::Debug, "modem", "cannot bind the uevent socket ({})", std::strerror(errno));
        ::close(fd);
        return;
    }
    uevents_.assign(fd);
    wait_uevent();
}

bool HotplugWatcher::open_inotify()
{
    auto directory = std::filesystem::path(sysfs_root_) / "bus" / "usb" / "devices";
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return false;
    if (::inotify_add_watch(
            fd, directory.c_str(), IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ATTRIB)
        < 0) {
        ::close(fd);
        return false;
    }
    inotify_.assign(fd);
    wait_inotify();
    return true;
}

void HotplugWatcher::retry_inotify_later()
{
    retry_.expires_after(inotify_retry);
    retry_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->stopped_)
            return;
        if (self->open_inotify())
            self->changed_(); // the tree appeared: whatever is in it is new
        else
            self->retry_inotify_later();
    });
}

void HotplugWatcher::wait_uevent()
{
    uevents_.async_wait(boost::asio::posix::descriptor_base::wait_read,
        [weak = weak_from_this()](boost::system::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopped_)
                return;
            std::array<char, 8192> buffer {};
            bool relevant = false;
            for (;;) {
                auto n = ::recv(self->uevents_.native_handle(), buffer.data(), buffer.size(), 0);
                if (n <= 0)
                    break;
                relevant
                    = relevant || relevant_uevent({buffer.data(), static_cast<std::size_t>(n)});
            }
            if (relevant)
                self->changed_();
            self->wait_uevent();
        });
}

void HotplugWatcher::wait_inotify()
{
    inotify_.async_wait(boost::asio::posix::descriptor_base::wait_read,
        [weak = weak_from_this()](boost::system::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopped_)
                return;
            alignas(inotify_event) std::array<char, 4096> buffer {};
            bool ignored_watch = false;
            for (;;) {
                auto n = ::read(self->inotify_.native_handle(), buffer.data(), buffer.size());
                if (n <= 0)
                    break;
                for (std::size_t offset = 0; offset < static_cast<std::size_t>(n);) {
                    const auto* event
                        = reinterpret_cast<const inotify_event*>(buffer.data() + offset);
                    ignored_watch = ignored_watch || (event->mask & IN_IGNORED);
                    offset += sizeof(inotify_event) + event->len;
                }
            }
            self->changed_();
            if (ignored_watch) { // the directory itself went away: watch for it again
                boost::system::error_code ignored;
                self->inotify_.close(ignored);
                self->retry_inotify_later();
                return;
            }
            self->wait_inotify();
        });
}

} // namespace uplink::modem
