// Hotplug: tells its owner "something under USB changed" from kernel uevents
// (NETLINK_KOBJECT_UEVENT, for the real /sys) and inotify on <sysfs_root>/bus/usb/devices (which is
// what fires for a tree made by the emulator; sysfs itself gives no inotify events). The owner
// rescans; one code path.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace uplink::modem {

// Whether a uevent read from NETLINK_KOBJECT_UEVENT ("ACTION@DEVPATH\0KEY=VALUE\0...") names a
// subsystem a modem shows in: usb, tty, net, usbmisc. Public for its fuzz target.
bool relevant_uevent(std::string_view message);

class HotplugWatcher : public std::enable_shared_from_this<HotplugWatcher> {
public:
    HotplugWatcher(boost::asio::any_io_executor executor, std::string sysfs_root,
        std::function<void()> changed);
    ~HotplugWatcher();

    void start();
    void stop();

private:
    void open_uevents();
    bool open_inotify();
    void wait_uevent();
    void wait_inotify();
    void retry_inotify_later();

    std::string sysfs_root_;
    std::function<void()> changed_;
    boost::asio::posix::stream_descriptor uevents_;
    boost::asio::posix::stream_descriptor inotify_;
    boost::asio::steady_timer retry_; // the watched directory does not exist yet
    bool stopped_ = false;
};

} // namespace uplink::modem
