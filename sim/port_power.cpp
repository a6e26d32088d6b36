// The hub ports' power switches: each modem's port has the sysfs `disable` file of a hub with
// per-port power switching (Tree::add_hub_port), and the host switches the port off and on by
// writing it, as uplinkd's recovery ladder does at its top step. A write is seen by inotify when
// the writer closes the file.
#include "sim/emulator.hpp"

#include <array>
#include <cstring>
#include <span>
#include <vector>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sys/inotify.h>

namespace uplink::sim {

namespace asio = boost::asio;

namespace {

// What a write to `disable` asks for, read as the kernel reads it (drivers/usb/core/port.c
// disable_store() with kstrtobool(): "1", "y", "on" disable the port; "0", "n", "off" enable it).
std::optional<PortPower> requested_power(std::string_view written)
{
    if (written.empty())
        return std::nullopt;
    switch (written.front()) {
    case '1':
    case 'y':
    case 'Y':
        return PortPower::Off;
    case '0':
    case 'n':
    case 'N':
        return PortPower::On;
    case 'o':
    case 'O':
        if (written.size() > 1 && (written[1] == 'n' || written[1] == 'N'))
            return PortPower::Off;
        if (written.size() > 1 && (written[1] == 'f' || written[1] == 'F'))
            return PortPower::On;
        return std::nullopt;
    default:
        return std::nullopt;
    }
}

} // namespace

std::string_view to_string(PortPower power)
{
    return power == PortPower::On ? "on" : "off";
}

Result<void> Emulator::watch_port_switches()
{
    int descriptor = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (descriptor < 0)
        return Error(errno, boost::system::system_category());
    port_switches_ = std::make_shared<asio::posix::stream_descriptor>(context_, descriptor);
    for (auto& device : devices_) {
        auto path = tree_.add_hub_port(device->spec.usb);
        if (!path)
            return path.error();
        device->port_switch = *path;
        device->port_switch_watch = ::inotify_add_watch(descriptor, path->c_str(), IN_CLOSE_WRITE);
        if (device->port_switch_watch < 0)
            return Error(errno, boost::system::system_category());
    }
    return {};
}

namespace {

// The watches that a batch of inotify events reports written and closed. The batch is read into a
// coroutine's frame, where g++ 12 honours no alignas, so each header is copied out.
std::vector<int> closed_after_write(std::span<const char> events)
{
    std::vector<int> watches;
    for (std::size_t offset = 0; offset + sizeof(inotify_event) <= events.size();) {
        inotify_event event {};
        std::memcpy(&event, events.data() + offset, sizeof event);
        offset += sizeof event + event.len;
        if (event.mask & IN_CLOSE_WRITE)
            watches.push_back(event.wd);
    }
    return watches;
}

} // namespace

asio::awaitable<void> Emulator::read_port_switches(
    std::shared_ptr<asio::posix::stream_descriptor> switches)
{
    std::array<char, 4096> buffer {};
    for (;;) {
        auto [error, size] = co_await switches->async_read_some(
            asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
        if (error || !running_)
            co_return; // closed by stop()
        for (int watch : closed_after_write(std::span(buffer.data(), size)))
            for (auto& device : devices_)
                if (device->port_switch_watch == watch)
                    port_switch_written(*device);
    }
}

// Off takes the modem off the bus as an unplug does (its sysfs entries, ports and wwan go); on
// powers it up again as a replug does (RDY after boot_ms), if it still sits in the port.
void Emulator::port_switch_written(Device& device)
{
    std::string written;
    std::getline(std::ifstream(device.port_switch), written);
    auto power = requested_power(written);
    if (!power) {
        // The kernel refuses such a write (EINVAL) and the file keeps its value.
        log(LogLevel::Warning, "uplink-sim", "{}: \"{}\" written to {} is not a boolean: ignored",
            device.spec.id, written, device.port_switch.string());
        std::ofstream(device.port_switch, std::ios::trunc)
            << (device.port_power == PortPower::Off ? "1\n" : "0\n");
        return;
    }
    if (*power == device.port_power)
        return;
    device.port_power = *power;
    auto now = Clock::now();
    if (*power == PortPower::Off) {
        device.port_off_since = now;
        ++device.port_switched_off;
        log(LogLevel::Info, "uplink-sim", "{}: its USB port {} switched off", device.spec.id,
            device.spec.usb.path);
        unplug(device);
        return;
    }
    device.last_port_off = std::chrono::duration_cast<Duration>(now - device.port_off_since);
    log(LogLevel::Info, "uplink-sim", "{}: its USB port {} switched on after {} ms", device.spec.id,
        device.spec.usb.path, device.last_port_off->count());
    if (device.presence == Presence::In)
        if (auto plugged = plug(device); !plugged)
            log(LogLevel::Error, "uplink-sim", "{}: cannot power it on again: {}", device.spec.id,
                plugged.error().message());
}

} // namespace uplink::sim
