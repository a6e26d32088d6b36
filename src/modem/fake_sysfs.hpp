// Test support: a sysfs + /dev tree in a temporary directory, laid out as the kernel (and the
// emulator) show USB modems: devices under sys/devices/..., symlinks in sys/bus/usb/devices,
// `driver` symlinks, port children (ttyUSB2, tty/ttyACM0, usbmisc/cdc-wdm0, net/wwan0).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace uplink::modem::testing {

class FakeSysfs {
public:
    FakeSysfs()
    {
        std::string pattern
            = (std::filesystem::temp_directory_path() / "uplink-sysfs-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error("mkdtemp failed");
        root_ = pattern;
        std::filesystem::create_directories(devices());
        std::filesystem::create_directories(bus());
        std::filesystem::create_directories(root_ / "dev");
        // The root hub, as every real tree has one: never a modem.
        write(devices() / "idVendor", "1d6b");
        write(devices() / "idProduct", "0002");
        std::filesystem::create_directory_symlink(devices(), bus() / "usb1");
    }
    ~FakeSysfs()
    {
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }
    FakeSysfs(const FakeSysfs&) = delete;
    FakeSysfs& operator=(const FakeSysfs&) = delete;

    std::string root() const { return root_.string(); }
    std::string sysfs_root() const { return (root_ / "sys").string(); }
    std::string dev_root() const { return (root_ / "dev").string(); }

    void add_device(
        const std::string& usb_path, const std::string& vendor_id, const std::string& product_id)
    {
        auto path = devices() / usb_path;
        std::filesystem::create_directories(path);
        write(path / "idVendor", vendor_id);
        write(path / "idProduct", product_id);
        write(path / "busnum", "1");
        std::filesystem::create_directory_symlink(path, bus() / usb_path);
    }

    // `descriptor` is "ff/ff/ff" (class/subclass/protocol); `children` like "ttyUSB2",
    // "tty/ttyACM0", "usbmisc/cdc-wdm0", "net/wwan0".
    void add_interface(const std::string& usb_path, int number, const std::string& descriptor,
        const std::string& driver, const std::vector<std::string>& children)
    {
        auto name = usb_path + ":1." + std::to_string(number);
        auto path = devices() / usb_path / name;
        std::filesystem::create_directories(path);
        char hex[8];
        std::snprintf(hex, sizeof hex, "%02x", number);
        write(path / "bInterfaceNumber", hex);
        write(path / "bInterfaceClass", descriptor.substr(0, 2));
        write(path / "bInterfaceSubClass", descriptor.substr(3, 2));
        write(path / "bInterfaceProtocol", descriptor.substr(6, 2));
        if (!driver.empty())
            bind_driver(usb_path, number, driver);
        for (const auto& child : children)
            std::filesystem::create_directories(path / child);
        std::filesystem::create_directory_symlink(path, bus() / name);
    }

    // The interface's `driver` link, as the kernel makes it when a driver binds (after the
    // interface appeared): inside the device's directory, where no inotify watch looks.
    void bind_driver(const std::string& usb_path, int number, const std::string& driver)
    {
        auto driver_path = root_ / "sys" / "bus" / "usb" / "drivers" / driver;
        std::filesystem::create_directories(driver_path);
        std::filesystem::create_directory_symlink(driver_path,
            devices() / usb_path / (usb_path + ":1." + std::to_string(number)) / "driver");
    }

    void remove_device(const std::string& usb_path)
    {
        for (const auto& entry : std::filesystem::directory_iterator(bus())) {
            auto name = entry.path().filename().string();
            if (name == usb_path || name.starts_with(usb_path + ":"))
                std::filesystem::remove(entry.path());
        }
        std::filesystem::remove_all(devices() / usb_path);
    }

    // DIR/dev/<name> -> target (a pty's slave, as the emulator makes them).
    void link_dev(const std::string& name, const std::string& target)
    {
        std::filesystem::remove(root_ / "dev" / name);
        std::filesystem::create_symlink(target, root_ / "dev" / name);
    }

private:
    std::filesystem::path devices() const
    {
        return root_ / "sys" / "devices" / "platform" / "uplink-sim" / "usb1";
    }
    std::filesystem::path bus() const { return root_ / "sys" / "bus" / "usb" / "devices"; }
    static void write(const std::filesystem::path& path, const std::string& value)
    {
        std::ofstream(path) << value << "\n";
    }

    std::filesystem::path root_;
};

// The layouts the tests use, as the kernel shows them.
inline void add_quectel_ec25(FakeSysfs& tree, const std::string& usb_path)
{
    tree.add_device(usb_path, "2c7c", "0125");
    for (int number = 0; number < 4; ++number)
        tree.add_interface(
            usb_path, number, "ff/ff/ff", "option", {"ttyUSB" + std::to_string(number)});
    tree.add_interface(usb_path, 4, "ff/ff/ff", "qmi_wwan", {"usbmisc/cdc-wdm0", "net/wwan0"});
}

} // namespace uplink::modem::testing
