// The directory that stands in for /sys and /dev: what Linux shows for a modem on USB, with
// the interfaces of its model (model_profile.hpp): serial functions as ttyUSB* (option or
// qcserial), the QMI function on qmi_wwan. For an EC25 (2c7c:0125) interfaces 0-3 are ttys and
// 4 is QMI; for an MC7455 (1199:9071) 0, 2 and 3 are ttys and 8 is QMI.
//
//   DIR/sys/devices/platform/uplink-sim/usb<bus>/<usbpath>/               the USB device
//   DIR/sys/devices/.../<usbpath>/<usbpath>:1.<n>/                         its interfaces
//   DIR/sys/bus/usb/devices/<usbpath>[:1.<n>] -> ../../../devices/...      as in real sysfs
//   DIR/sys/class/tty/ttyUSB<k> -> ...                                     the tty class
//   DIR/dev/ttyUSB<k> -> /dev/pts/<n>                                      the serial ports
//   DIR/dev/cdc-wdm<k> -> /dev/pts/<n>                                     the QMI port
//   DIR/sys/bus/usb/devices/<hub>:1.0/<hub>-port<n>/disable                the hub port's power
//   DIR/sys/bus/usb/devices/usb<bus>/<bus>-0:1.0/usb<bus>-port<n>/disable  ...on a root hub
//
// Private to sim/.
#pragma once

#include "sim/scenario.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace uplink::sim {

// One plugged modem's place in the tree.
struct DeviceLayout {
    UsbIdentity usb;
    const ModelProfile* model = &default_model(); // its USB functions and descriptor
    std::vector<int> tty_numbers; // ttyUSB<k> of each serial function, in interface order
    int wdm_number = 0; // cdc-wdm<k> and wwan<k> of the QMI function
    std::vector<std::string> pty_paths; // /dev/pts/<n> behind each function, in interface order
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
    // The hub port a modem at `usb.path` hangs from, with per-port power switching
    // (Documentation/ABI/testing/sysfs-bus-usb, "disable"): 1-1.2 is port 2 of hub 1-1, 1-1 is
    // port 1 of root hub usb1. Made once for the run, as a hub's ports outlive what is plugged
    // into them; the path of its `disable` file, which reads "0" (powered).
    Result<std::filesystem::path> add_hub_port(const UsbIdentity& usb);
    // Everything uplink-sim made under the root.
    void remove();

    std::filesystem::path device_directory(const UsbIdentity& usb) const;
    const std::filesystem::path& root() const { return root_; }

private:
    Result<void> build_device(const DeviceLayout& layout, const std::filesystem::path& directory);
    Result<void> build_interface(const DeviceLayout& layout, const std::filesystem::path& device,
        std::size_t index, int tty);
    Result<void> link_device(const DeviceLayout& layout);

    std::filesystem::path root_;
    std::filesystem::path sys_, dev_, staging_;
};

} // namespace uplink::sim
