// The directory that stands in for /sys and /dev: what Linux shows for a Quectel EC25 on USB
// (2c7c:0125, interfaces 0-3 on the option driver as ttyUSB*, interface 4 on qmi_wwan).
//
//   DIR/sys/devices/platform/uplink-sim/usb<bus>/<usbpath>/               the USB device
//   DIR/sys/devices/.../<usbpath>/<usbpath>:1.<n>/                         its interfaces
//   DIR/sys/bus/usb/devices/<usbpath>[:1.<n>] -> ../../../devices/...      as in real sysfs
//   DIR/sys/class/tty/ttyUSB<k> -> ...                                     the tty class
//   DIR/dev/ttyUSB<k> -> /dev/pts/<n>                                      the AT ports
//   DIR/dev/cdc-wdm<k> -> /dev/pts/<n>                                     the QMI port
//
// Private to sim/.
#pragma once

#include "sim/scenario.hpp"

#include <array>
#include <filesystem>
#include <string>

namespace uplink::sim {

// One plugged modem's place in the tree.
struct DeviceLayout {
    UsbIdentity usb;
    std::array<int, 4> tty_numbers {}; // ttyUSB<k> of interfaces 0..3
    int wdm_number = 0; // cdc-wdm<k> and wwan<k> of interface 4
    // /dev/pts/<n> behind interfaces 0..3 (ttyUSB<k>) and 4 (cdc-wdm<k>)
    std::array<std::string, 5> pty_paths;
};

class Tree {
public:
    explicit Tree(std::filesystem::path root);

    // Creates the fixed skeleton (bus and driver directories). Refuses a root whose sys/ or dev/
    // was not made by uplink-sim; clears one a previous run left behind.
    Result<void> create();
    // /dev links first, then the device directory appears at once (built aside, renamed in),
    // then the bus and class links: a scanner never sees half a device.
    Result<void> plug(const DeviceLayout& layout);
    // The sysfs entries go (links first, then the directory, at once).
    void unplug_sysfs(const DeviceLayout& layout);
    // The /dev links go (after the ports closed).
    void unplug_dev(const DeviceLayout& layout);
    // Everything uplink-sim made under the root.
    void remove();

    std::filesystem::path device_directory(const UsbIdentity& usb) const;
    const std::filesystem::path& root() const { return root_; }

private:
    Result<void> build_device(const DeviceLayout& layout, const std::filesystem::path& directory);
    Result<void> build_interface(
        const DeviceLayout& layout, const std::filesystem::path& device, int number);
    Result<void> link_device(const DeviceLayout& layout);

    std::filesystem::path root_;
    std::filesystem::path sys_, dev_, staging_;
};

} // namespace uplink::sim
