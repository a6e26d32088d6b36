// Discovery: which USB modems the kernel shows under <sysfs_root>/bus/usb/devices, with their
// ports and roles. Plain reads of sysfs; the same code serves /sys and the emulator's tree.
#pragma once

#include "modem/modem.hpp"
#include "modem/vendor_table.hpp"

#include <optional>
#include <string>
#include <vector>

namespace uplink::modem {

struct FoundModem {
    Device device;
    std::optional<VendorEntry> entry; // the table's entry, or none (ports are probed)
};

// Every USB device that is in the vendor table or has a modem-like function (a serial port of
// option/qcserial/cdc_acm/usb_serial_generic, a QMI or MBIM control port), sorted by USB path.
std::vector<FoundModem> scan_usb_modems(
    const std::string& sysfs_root, const std::string& dev_root, const VendorTable& table);

// A serial port with no role from the table, of a driver whose ports may answer AT.
bool is_probe_candidate(const Port& port);

// The ports to try as the AT port of `device`, in the order to try them.
std::vector<Port> probe_candidates(const Device& device);

} // namespace uplink::modem
