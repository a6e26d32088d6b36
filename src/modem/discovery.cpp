#include "modem/discovery.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

namespace uplink::modem {

namespace fs = std::filesystem;

namespace {

const std::set<std::string, std::less<>> serial_drivers {
    "option", "qcserial", "cdc_acm", "usb_serial_generic", "sierra"};
const std::set<std::string, std::less<>> control_drivers {"qmi_wwan", "cdc_mbim"};

std::string read_attribute(const fs::path& path)
{
    std::ifstream file(path);
    std::string value;
    std::getline(file, value);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' '))
        value.pop_back();
    return value;
}

std::string driver_of(const fs::path& interface_path)
{
    std::error_code ec;
    auto target = fs::read_symlink(interface_path / "driver", ec);
    return ec ? std::string {} : target.filename().string();
}

bool is_tty_name(std::string_view name)
{
    return name.starts_with("ttyUSB") || name.starts_with("ttyACM") || name.starts_with("ttyHS");
}

std::vector<std::string> child_names(const fs::path& directory)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec))
        names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

struct Interface {
    int number = -1;
    std::string descriptor; // "ff/06/12"
    std::string driver;
    fs::path path;
};

Interface read_interface(const fs::path& path)
{
    Interface interface;
    interface.path = path;
    interface.driver = driver_of(path);
    auto number = read_attribute(path / "bInterfaceNumber");
    try {
        interface.number = number.empty() ? -1 : std::stoi(number, nullptr, 16);
    } catch (const std::exception&) {
        interface.number = -1;
    }
    interface.descriptor = read_attribute(path / "bInterfaceClass") + "/"
        + read_attribute(path / "bInterfaceSubClass") + "/"
        + read_attribute(path / "bInterfaceProtocol");
    std::transform(interface.descriptor.begin(), interface.descriptor.end(),
        interface.descriptor.begin(),
        [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return interface;
}

PortRole control_role(const std::string& driver, PortRole from_table)
{
    if (driver == "qmi_wwan")
        return PortRole::Qmi;
    if (driver == "cdc_mbim")
        return PortRole::Mbim;
    return from_table == PortRole::Unknown ? PortRole::Qmi : from_table;
}

// The ports one interface shows: tty children (directly or under tty/), usbmisc/cdc-wdm*, net/*.
void add_ports(const Interface& interface, const VendorEntry* entry, const std::string& dev_root,
    std::vector<Port>& ports)
{
    auto table_role
        = entry ? entry->role_of(interface.number, interface.descriptor) : PortRole::Unknown;
    auto add = [&](std::string name, PortRole role, bool has_node) {
        Port port;
        port.device_path = has_node ? (fs::path(dev_root) / name).string() : std::string {};
        port.name = std::move(name);
        port.role = role;
        port.interface_number = interface.number;
        port.driver = interface.driver;
        ports.push_back(std::move(port));
    };
    for (const auto& child : child_names(interface.path)) {
        if (is_tty_name(child)) {
            add(child, table_role, true);
        } else if (child == "tty") {
            for (const auto& tty : child_names(interface.path / "tty"))
                add(tty, table_role, true);
        } else if (child == "usbmisc") {
            for (const auto& control : child_names(interface.path / "usbmisc"))
                add(control, control_role(interface.driver, table_role), true);
        } else if (child == "net") {
            // A network interface has no /dev node: its path is its sysfs directory.
            for (const auto& link : child_names(interface.path / "net")) {
                add(link, PortRole::Net, false);
                ports.back().device_path = (interface.path / "net" / link).string();
            }
        }
    }
}

Protocol protocol_from_drivers(const std::vector<Interface>& interfaces)
{
    auto has = [&](std::string_view driver) {
        return std::any_of(interfaces.begin(), interfaces.end(),
            [&](const Interface& interface) { return interface.driver == driver; });
    };
    if (has("cdc_mbim"))
        return Protocol::Mbim;
    if (has("qmi_wwan"))
        return Protocol::Qmi;
    if (has("cdc_ncm") || has("huawei_cdc_ncm"))
        return Protocol::Ncm;
    if (has("cdc_ether"))
        return Protocol::Ecm;
    return Protocol::At;
}

bool looks_like_modem(const std::vector<Interface>& interfaces)
{
    return std::any_of(interfaces.begin(), interfaces.end(), [](const Interface& interface) {
        return serial_drivers.contains(interface.driver)
            || control_drivers.contains(interface.driver);
    });
}

std::optional<FoundModem> read_device(const fs::path& devices_dir, const std::string& usb_path,
    const std::string& dev_root, const VendorTable& table)
{
    std::error_code ec;
    auto device_path = fs::canonical(devices_dir / usb_path, ec);
    if (ec)
        return std::nullopt;
    FoundModem found;
    auto& device = found.device;
    device.usb_path = usb_path;
    device.sysfs_path = device_path.string();
    device.vendor_id = read_attribute(device_path / "idVendor");
    device.product_id = read_attribute(device_path / "idProduct");
    if (const auto* entry = table.find(device.vendor_id, device.product_id)) {
        found.entry = *entry;
        device.vendor_entry = entry->id;
    }

    std::vector<Interface> interfaces;
    for (const auto& name : child_names(devices_dir)) {
        if (!name.starts_with(usb_path + ":"))
            continue;
        auto interface_path = fs::canonical(devices_dir / name, ec);
        if (!ec)
            interfaces.push_back(read_interface(interface_path));
    }
    std::sort(interfaces.begin(), interfaces.end(),
        [](const Interface& a, const Interface& b) { return a.number < b.number; });
    if (!found.entry && !looks_like_modem(interfaces))
        return std::nullopt;

    for (const auto& interface : interfaces)
        add_ports(interface, found.entry ? &*found.entry : nullptr, dev_root, device.ports);
    device.protocol = found.entry ? found.entry->protocol : protocol_from_drivers(interfaces);
    return found;
}

} // namespace

std::vector<FoundModem> scan_usb_modems(
    const std::string& sysfs_root, const std::string& dev_root, const VendorTable& table)
{
    auto devices_dir = fs::path(sysfs_root) / "bus" / "usb" / "devices";
    std::vector<FoundModem> modems;
    for (const auto& name : child_names(devices_dir)) {
        // "usb1" is a root hub; "1-1:1.2" an interface; "1-1" and "1-1.2" are devices.
        if (name.find(':') != std::string::npos || name.starts_with("usb"))
            continue;
        if (auto found = read_device(devices_dir, name, dev_root, table))
            modems.push_back(std::move(*found));
    }
    return modems;
}

bool is_probe_candidate(const Port& port)
{
    return port.role == PortRole::Unknown && is_tty_name(port.name)
        && serial_drivers.contains(port.driver);
}

std::vector<Port> probe_candidates(const Device& device)
{
    std::vector<Port> candidates;
    for (const auto& port : device.ports)
        if (is_probe_candidate(port))
            candidates.push_back(port);
    return candidates;
}

} // namespace uplink::modem
