#include "sim/tree.hpp"

#include <boost/system/errc.hpp>
#include <fmt/format.h>
#include <fstream>
#include <unistd.h>

namespace uplink::sim {

namespace fs = std::filesystem;

namespace {

constexpr const char* marker_name = ".uplink-sim";

Error io_error(const std::error_code& error)
{
    return {error.value(), boost::system::system_category()};
}

Result<void> write_file(const fs::path& path, std::string_view text)
{
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file)
        return Error(EIO, boost::system::system_category());
    return {};
}

Result<void> make_directories(const fs::path& path)
{
    std::error_code error;
    fs::create_directories(path, error);
    if (error)
        return io_error(error);
    return {};
}

// A relative link, the way sysfs writes them ("../../../devices/...").
Result<void> relative_link(const fs::path& target, const fs::path& link)
{
    std::error_code error;
    fs::create_symlink(fs::relative(target, link.parent_path()), link, error);
    if (error)
        return io_error(error);
    return {};
}

void remove_quietly(const fs::path& path)
{
    std::error_code ignored;
    fs::remove_all(path, ignored);
}

std::string interface_name(const UsbIdentity& usb, int number)
{
    return fmt::format("{}:1.{}", usb.path, number);
}

std::string without_leading_zeros(std::string_view hex)
{
    while (hex.size() > 1 && hex.front() == '0')
        hex.remove_prefix(1);
    return std::string(hex);
}

int hex_number(std::string_view hex)
{
    int value = 0;
    for (char c : hex)
        value = value * 16 + (c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    return value;
}

// The uevent's PRODUCT: idVendor/idProduct/bcdDevice in hex without leading zeros.
std::string product_code(const DeviceLayout& layout)
{
    return fmt::format("{}/{}/{}", without_leading_zeros(layout.usb.vendor_id),
        without_leading_zeros(layout.usb.product_id),
        without_leading_zeros(layout.model->usb.bcd_device));
}

// The uevent's TYPE: the device class, subclass and protocol in decimal.
std::string device_type(const UsbDescriptor& descriptor)
{
    return fmt::format("{}/{}/{}", hex_number(descriptor.device_class),
        hex_number(descriptor.device_subclass), hex_number(descriptor.device_protocol));
}

// Each function with its ttyUSB number (-1 for the QMI function), in interface order.
std::vector<std::pair<const UsbFunction*, int>> functions_of(const DeviceLayout& layout)
{
    std::vector<std::pair<const UsbFunction*, int>> functions;
    std::size_t serial = 0;
    for (const auto& function : layout.model->functions) {
        int tty = -1;
        if (function.serial() && serial < layout.tty_numbers.size())
            tty = layout.tty_numbers[serial++];
        functions.emplace_back(&function, tty);
    }
    return functions;
}

} // namespace

Tree::Tree(fs::path root)
    : root_(std::move(root))
    , sys_(root_ / "sys")
    , dev_(root_ / "dev")
    , staging_(root_ / ".staging")
{
}

fs::path Tree::device_directory(const UsbIdentity& usb) const
{
    return sys_ / "devices/platform/uplink-sim" / fmt::format("usb{}", usb.busnum) / usb.path;
}

Result<void> Tree::create()
{
    std::error_code error;
    bool ours = fs::exists(root_ / marker_name, error);
    if (!ours && (fs::exists(sys_, error) || fs::exists(dev_, error)))
        return Error(EEXIST, boost::system::system_category());
    if (ours)
        remove();
    for (const auto& directory : {sys_ / "devices/platform/uplink-sim", sys_ / "bus/usb/devices",
             sys_ / "bus/usb/drivers/usb", sys_ / "bus/usb/drivers/option",
             sys_ / "bus/usb/drivers/qcserial", sys_ / "bus/usb/drivers/qmi_wwan",
             sys_ / "class/tty", sys_ / "class/usbmisc", sys_ / "class/net", dev_, staging_})
        if (auto made = make_directories(directory); !made)
            return made;
    return write_file(root_ / marker_name, fmt::format("{}\n", ::getpid()));
}

Result<void> Tree::plug(const DeviceLayout& layout)
{
    auto functions = functions_of(layout);
    for (std::size_t index = 0; index < functions.size() && index < layout.pty_paths.size();
         ++index) {
        auto [function, tty] = functions[index];
        std::error_code error;
        auto link = function->serial() ? dev_ / fmt::format("ttyUSB{}", tty)
                                       : dev_ / fmt::format("cdc-wdm{}", layout.wdm_number);
        fs::remove(link, error);
        fs::create_symlink(layout.pty_paths[index], link, error);
        if (error)
            return io_error(error);
    }
    auto staged = staging_ / layout.usb.path;
    remove_quietly(staged);
    if (auto built = build_device(layout, staged); !built) {
        remove_quietly(staged);
        return built;
    }
    auto final_directory = device_directory(layout.usb);
    std::error_code error;
    fs::create_directories(final_directory.parent_path(), error);
    fs::rename(staged, final_directory, error);
    if (error) {
        remove_quietly(staged);
        return io_error(error);
    }
    return link_device(layout);
}

Result<void> Tree::build_device(const DeviceLayout& layout, const fs::path& directory)
{
    const auto& usb = layout.usb;
    if (auto made = make_directories(directory); !made)
        return made;
    auto ports = usb.path.substr(usb.path.find('-') + 1);
    // Attribute files as the kernel formats them (drivers/usb/core/sysfs.c).
    const auto& descriptor = layout.model->usb;
    const std::vector<std::pair<std::string, std::string>> attributes {
        {"idVendor", usb.vendor_id},
        {"idProduct", usb.product_id},
        {"manufacturer", usb.manufacturer},
        {"product", usb.product},
        {"busnum", std::to_string(usb.busnum)},
        {"devnum", std::to_string(usb.devnum)},
        {"devpath", ports},
        {"speed", "480"},
        {"version", std::string(descriptor.version)},
        {"bcdDevice", std::string(descriptor.bcd_device)},
        {"bDeviceClass", std::string(descriptor.device_class)},
        {"bDeviceSubClass", std::string(descriptor.device_subclass)},
        {"bDeviceProtocol", std::string(descriptor.device_protocol)},
        {"bNumConfigurations", "1"},
        {"bConfigurationValue", "1"},
        {"bNumInterfaces", fmt::format("{:2}", layout.model->functions.size())},
        {"uevent",
            fmt::format(
                "MAJOR=189\nMINOR={}\nDEVNAME=bus/usb/{:03}/{:03}\nDEVTYPE=usb_device\nDRIVER=usb\n"
                "PRODUCT={}\nTYPE={}\nBUSNUM={:03}\nDEVNUM={:03}",
                (usb.busnum - 1) * 128 + usb.devnum - 1, usb.busnum, usb.devnum,
                product_code(layout), device_type(descriptor), usb.busnum, usb.devnum)},
    };
    for (const auto& [name, value] : attributes)
        if (auto written = write_file(directory / name, value + "\n"); !written)
            return written;
    if (!usb.serial.empty())
        if (auto written = write_file(directory / "serial", usb.serial + "\n"); !written)
            return written;
    auto final_directory = device_directory(usb);
    std::error_code error;
    fs::create_symlink(
        fs::relative(sys_ / "bus/usb/drivers/usb", final_directory), directory / "driver", error);
    if (error)
        return io_error(error);
    auto functions = functions_of(layout);
    for (std::size_t index = 0; index < functions.size(); ++index)
        if (auto built = build_interface(layout, directory, index, functions[index].second); !built)
            return built;
    return {};
}

Result<void> Tree::build_interface(
    const DeviceLayout& layout, const fs::path& device, std::size_t index, int tty)
{
    const auto& usb = layout.usb;
    const auto& function = layout.model->functions[index];
    auto name = interface_name(usb, function.number);
    auto directory = device / name;
    auto final_directory = device_directory(usb) / name;
    if (auto made = make_directories(directory); !made)
        return made;
    auto driver = std::string(function.driver);
    const std::vector<std::pair<std::string, std::string>> attributes {
        {"bInterfaceNumber", fmt::format("{:02x}", function.number)},
        {"bAlternateSetting", " 0"},
        {"bInterfaceClass", "ff"},
        {"bInterfaceSubClass", std::string(function.subclass)},
        {"bInterfaceProtocol", std::string(function.protocol)},
        {"bNumEndpoints", fmt::format("{:02}", function.endpoints)},
        {"uevent",
            fmt::format(
                "DEVTYPE=usb_interface\nDRIVER={}\nPRODUCT={}\nTYPE={}\nINTERFACE=255/{}/{}",
                driver, product_code(layout), device_type(layout.model->usb),
                hex_number(function.subclass), hex_number(function.protocol))},
    };
    for (const auto& [attribute, value] : attributes)
        if (auto written = write_file(directory / attribute, value + "\n"); !written)
            return written;
    std::error_code error;
    fs::create_symlink(fs::relative(sys_ / "bus/usb/drivers" / driver, final_directory),
        directory / "driver", error);
    if (error)
        return io_error(error);
    if (!function.serial()) {
        // The class directories of qmi_wwan's children: the cdc-wdm character device (USB
        // class-misc major 180, minors from 176 as cdc-wdm registers them) and the net device.
        auto wdm = fmt::format("cdc-wdm{}", layout.wdm_number);
        auto wwan = fmt::format("wwan{}", layout.wdm_number);
        for (const auto& child : {directory / "usbmisc" / wdm, directory / "net" / wwan / "qmi"})
            if (auto made = make_directories(child); !made)
                return made;
        // qmi_wwan's switch between 802.3 and raw-IP framing, 802.3 at probe: the host sets it.
        if (auto written = write_file(directory / "net" / wwan / "qmi" / "raw_ip", "N\n"); !written)
            return written;
        return write_file(directory / "usbmisc" / wdm / "uevent",
            fmt::format("MAJOR=180\nMINOR={}\nDEVNAME={}\n", 176 + layout.wdm_number, wdm));
    }
    auto port = directory / fmt::format("ttyUSB{}", tty);
    auto tty_directory = port / "tty" / fmt::format("ttyUSB{}", tty);
    if (auto made = make_directories(tty_directory); !made)
        return made;
    if (auto written = write_file(port / "port_number", "0\n"); !written)
        return written;
    if (auto written = write_file(tty_directory / "dev", fmt::format("188:{}\n", tty)); !written)
        return written;
    return write_file(
        tty_directory / "uevent", fmt::format("MAJOR=188\nMINOR={}\nDEVNAME=ttyUSB{}\n", tty, tty));
}

Result<void> Tree::link_device(const DeviceLayout& layout)
{
    const auto& usb = layout.usb;
    auto device = device_directory(usb);
    auto devices = sys_ / "bus/usb/devices";
    if (auto linked = relative_link(device, devices / usb.path); !linked)
        return linked;
    for (auto [function, tty] : functions_of(layout)) {
        auto name = interface_name(usb, function->number);
        if (auto linked = relative_link(device / name, devices / name); !linked)
            return linked;
        if (!function->serial()) {
            auto wdm = fmt::format("cdc-wdm{}", layout.wdm_number);
            auto wwan = fmt::format("wwan{}", layout.wdm_number);
            if (auto linked
                = relative_link(device / name / "usbmisc" / wdm, sys_ / "class/usbmisc" / wdm);
                !linked)
                return linked;
            if (auto linked
                = relative_link(device / name / "net" / wwan, sys_ / "class/net" / wwan);
                !linked)
                return linked;
            continue;
        }
        auto tty_name = fmt::format("ttyUSB{}", tty);
        if (auto linked = relative_link(
                device / name / tty_name / "tty" / tty_name, sys_ / "class/tty" / tty_name);
            !linked)
            return linked;
    }
    return {};
}

void Tree::unplug_sysfs(const DeviceLayout& layout)
{
    const auto& usb = layout.usb;
    std::error_code ignored;
    auto devices = sys_ / "bus/usb/devices";
    fs::remove(devices / usb.path, ignored);
    for (auto [function, tty] : functions_of(layout)) {
        fs::remove(devices / interface_name(usb, function->number), ignored);
        if (function->serial())
            fs::remove(sys_ / "class/tty" / fmt::format("ttyUSB{}", tty), ignored);
    }
    fs::remove(sys_ / "class/usbmisc" / fmt::format("cdc-wdm{}", layout.wdm_number), ignored);
    fs::remove(sys_ / "class/net" / fmt::format("wwan{}", layout.wdm_number), ignored);
    // The device directory disappears at once; its contents are deleted aside.
    auto trash = staging_ / (usb.path + ".removed");
    remove_quietly(trash);
    fs::rename(device_directory(usb), trash, ignored);
    remove_quietly(trash);
}

void Tree::unplug_dev(const DeviceLayout& layout)
{
    std::error_code ignored;
    for (int tty : layout.tty_numbers)
        fs::remove(dev_ / fmt::format("ttyUSB{}", tty), ignored);
    fs::remove(dev_ / fmt::format("cdc-wdm{}", layout.wdm_number), ignored);
}

Result<fs::path> Tree::add_hub_port(const UsbIdentity& usb)
{
    auto root_hub = sys_ / "devices/platform/uplink-sim" / fmt::format("usb{}", usb.busnum);
    auto dot = usb.path.rfind('.');
    // The hub's interface that holds its ports, the name it has in bus/usb/devices (where the
    // host finds it), and the port's directory name.
    fs::path hub_interface, listed;
    std::string listed_name, port;
    if (dot == std::string::npos) {
        hub_interface = root_hub / fmt::format("{}-0:1.0", usb.busnum);
        listed = root_hub;
        listed_name = fmt::format("usb{}", usb.busnum);
        port = fmt::format("usb{}-port{}", usb.busnum, usb.path.substr(usb.path.find('-') + 1));
    } else {
        auto hub = usb.path.substr(0, dot);
        hub_interface = root_hub / hub / (hub + ":1.0");
        listed = hub_interface;
        listed_name = hub + ":1.0";
        port = fmt::format("{}-port{}", hub, usb.path.substr(dot + 1));
    }
    auto directory = hub_interface / port;
    if (auto made = make_directories(directory); !made)
        return made.error();
    if (auto written = write_file(directory / "disable", "0\n"); !written)
        return written.error();
    auto link = sys_ / "bus/usb/devices" / listed_name;
    std::error_code error;
    if (!fs::is_symlink(link, error))
        if (auto linked = relative_link(listed, link); !linked)
            return linked.error();
    return directory / "disable";
}

void Tree::remove()
{
    for (const auto& path : {sys_, dev_, staging_, root_ / marker_name})
        remove_quietly(path);
}

} // namespace uplink::sim
