#include "sim/tree.hpp"

#include <boost/system/errc.hpp>
#include <fmt/format.h>
#include <fstream>
#include <unistd.h>

namespace uplink::sim {

namespace fs = std::filesystem;

namespace {

constexpr const char* marker_name = ".uplink-sim";
constexpr int interface_count = 5;

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

// Interfaces of an EC25 (usb-devices output of a real EC25-AF): 0 DM and 4 QMI are ff/ff/ff,
// 1-3 (NMEA, AT, modem) ff/00/00.
std::string_view interface_subclass(int number)
{
    return number == 0 || number == 4 ? "ff" : "00";
}

std::string product_code(const UsbIdentity& usb)
{
    return fmt::format("{}/{}/318", usb.vendor_id,
        usb.product_id.starts_with('0') ? usb.product_id.substr(1) : usb.product_id);
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
             sys_ / "bus/usb/drivers/qmi_wwan", sys_ / "class/tty", sys_ / "class/usbmisc",
             sys_ / "class/net", dev_, staging_})
        if (auto made = make_directories(directory); !made)
            return made;
    return write_file(root_ / marker_name, fmt::format("{}\n", ::getpid()));
}

Result<void> Tree::plug(const DeviceLayout& layout)
{
    for (int number = 0; number < interface_count; ++number) {
        std::error_code error;
        auto link = number == 4
            ? dev_ / fmt::format("cdc-wdm{}", layout.wdm_number)
            : dev_ / fmt::format("ttyUSB{}", layout.tty_numbers[static_cast<std::size_t>(number)]);
        fs::remove(link, error);
        fs::create_symlink(layout.pty_paths[static_cast<std::size_t>(number)], link, error);
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
    const std::vector<std::pair<std::string, std::string>> attributes {
        {"idVendor", usb.vendor_id},
        {"idProduct", usb.product_id},
        {"manufacturer", usb.manufacturer},
        {"product", usb.product},
        {"busnum", std::to_string(usb.busnum)},
        {"devnum", std::to_string(usb.devnum)},
        {"devpath", ports},
        {"speed", "480"},
        {"version", " 2.00"},
        {"bcdDevice", "0318"},
        {"bDeviceClass", "ef"},
        {"bDeviceSubClass", "02"},
        {"bDeviceProtocol", "01"},
        {"bNumConfigurations", "1"},
        {"bConfigurationValue", "1"},
        {"bNumInterfaces", fmt::format("{:2}", interface_count)},
        {"uevent",
            fmt::format(
                "MAJOR=189\nMINOR={}\nDEVNAME=bus/usb/{:03}/{:03}\nDEVTYPE=usb_device\nDRIVER=usb\n"
                "PRODUCT={}\nTYPE=239/2/1\nBUSNUM={:03}\nDEVNUM={:03}",
                (usb.busnum - 1) * 128 + usb.devnum - 1, usb.busnum, usb.devnum, product_code(usb),
                usb.busnum, usb.devnum)},
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
    for (int number = 0; number < interface_count; ++number)
        if (auto built = build_interface(layout, directory, number); !built)
            return built;
    return {};
}

Result<void> Tree::build_interface(const DeviceLayout& layout, const fs::path& device, int number)
{
    const auto& usb = layout.usb;
    auto name = interface_name(usb, number);
    auto directory = device / name;
    auto final_directory = device_directory(usb) / name;
    if (auto made = make_directories(directory); !made)
        return made;
    auto subclass = interface_subclass(number);
    auto driver = number == 4 ? "qmi_wwan" : "option";
    const std::vector<std::pair<std::string, std::string>> attributes {
        {"bInterfaceNumber", fmt::format("{:02x}", number)},
        {"bAlternateSetting", " 0"},
        {"bInterfaceClass", "ff"},
        {"bInterfaceSubClass", std::string(subclass)},
        {"bInterfaceProtocol", std::string(subclass)},
        {"bNumEndpoints", number == 0 ? "02" : "03"},
        {"uevent",
            fmt::format(
                "DEVTYPE=usb_interface\nDRIVER={}\nPRODUCT={}\nTYPE=239/2/1\nINTERFACE=255/{}/{}",
                driver, product_code(usb), subclass == "ff" ? 255 : 0, subclass == "ff" ? 255 : 0)},
    };
    for (const auto& [attribute, value] : attributes)
        if (auto written = write_file(directory / attribute, value + "\n"); !written)
            return written;
    std::error_code error;
    fs::create_symlink(fs::relative(sys_ / "bus/usb/drivers" / driver, final_directory),
        directory / "driver", error);
    if (error)
        return io_error(error);
    if (number == 4) {
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
    int tty = layout.tty_numbers[static_cast<std::size_t>(number)];
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
    for (int number = 0; number < interface_count; ++number) {
        auto name = interface_name(usb, number);
        if (auto linked = relative_link(device / name, devices / name); !linked)
            return linked;
        if (number == 4)
            continue;
        auto tty = fmt::format("ttyUSB{}", layout.tty_numbers[static_cast<std::size_t>(number)]);
        if (auto linked
            = relative_link(device / name / tty / "tty" / tty, sys_ / "class/tty" / tty);
            !linked)
            return linked;
    }
    auto qmi = device / interface_name(usb, 4);
    auto wdm = fmt::format("cdc-wdm{}", layout.wdm_number);
    auto wwan = fmt::format("wwan{}", layout.wdm_number);
    if (auto linked = relative_link(qmi / "usbmisc" / wdm, sys_ / "class/usbmisc" / wdm); !linked)
        return linked;
    return relative_link(qmi / "net" / wwan, sys_ / "class/net" / wwan);
}

void Tree::unplug_sysfs(const DeviceLayout& layout)
{
    const auto& usb = layout.usb;
    std::error_code ignored;
    auto devices = sys_ / "bus/usb/devices";
    fs::remove(devices / usb.path, ignored);
    for (int number = 0; number < interface_count; ++number) {
        fs::remove(devices / interface_name(usb, number), ignored);
        if (number < 4)
            fs::remove(sys_ / "class/tty"
                    / fmt::format("ttyUSB{}", layout.tty_numbers[static_cast<std::size_t>(number)]),
                ignored);
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

void Tree::remove()
{
    for (const auto& path : {sys_, dev_, staging_, root_ / marker_name})
        remove_quietly(path);
}

} // namespace uplink::sim
