// Discovery over fixture trees laid out as the kernel shows each modem (see fake_sysfs.hpp).
#include "modem/discovery.hpp"
#include "modem/fake_sysfs.hpp"

#include <gtest/gtest.h>

namespace uplink::modem {
namespace {

using testing::FakeSysfs;

VendorTable table()
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto parsed = parse_vendor_table(embedded_vendor_table(), diagnostics);
    EXPECT_TRUE(parsed) << (diagnostics.empty() ? "" : diagnostics.front().message);
    return parsed ? *parsed : VendorTable {};
}

const Port* find_port(const Device& device, std::string_view name)
{
    for (const auto& port : device.ports)
        if (port.name == name)
            return &port;
    return nullptr;
}

TEST(ModemDiscovery, QuectelEc25HasItsTablePortsAndQmi)
{
    FakeSysfs tree;
    testing::add_quectel_ec25(tree, "1-1");
    auto found = scan_usb_modems(tree.sysfs_root(), tree.dev_root(), table());
    ASSERT_EQ(found.size(), 1u);
    const auto& device = found[0].device;
    EXPECT_EQ(device.usb_path, "1-1");
    EXPECT_EQ(device.vendor_id, "2c7c");
    EXPECT_EQ(device.product_id, "0125");
    EXPECT_EQ(device.vendor_entry, "quectel_ec25");
    EXPECT_EQ(device.protocol, Protocol::Qmi);
    ASSERT_TRUE(found[0].entry);
    EXPECT_TRUE(found[0].entry->has_quirk("qeng"));

    ASSERT_NE(find_port(device, "ttyUSB2"), nullptr);
    EXPECT_EQ(find_port(device, "ttyUSB0")->role, PortRole::Diag);
    EXPECT_EQ(find_port(device, "ttyUSB1")->role, PortRole::Nmea);
    EXPECT_EQ(find_port(device, "ttyUSB2")->role, PortRole::At);
    EXPECT_EQ(find_port(device, "ttyUSB2")->device_path, tree.dev_root() + "/ttyUSB2");
    EXPECT_EQ(find_port(device, "ttyUSB2")->interface_number, 2);
    EXPECT_EQ(find_port(device, "ttyUSB2")->driver, "option");
    EXPECT_EQ(find_port(device, "ttyUSB3")->role, PortRole::Modem);
    EXPECT_EQ(find_port(device, "cdc-wdm0")->role, PortRole::Qmi);
    EXPECT_EQ(find_port(device, "cdc-wdm0")->driver, "qmi_wwan");
    EXPECT_EQ(find_port(device, "wwan0")->role, PortRole::Net);
    // A network interface has no /dev node: its path is its sysfs directory (for qmi/raw_ip).
    EXPECT_TRUE(find_port(device, "wwan0")->device_path.ends_with("/net/wwan0"))
        << find_port(device, "wwan0")->device_path;
    EXPECT_TRUE(probe_candidates(device).empty());
}

// Kernel qcserial.c SWI layout: 0 DM, 2 NMEA, 3 AT, 8 QMI; interfaces 1 and 9..11 are not serial.
TEST(ModemDiscovery, SierraMc7455UsesTheQcserialLayout)
{
    FakeSysfs tree;
    tree.add_device("1-1.2", "1199", "9071");
    tree.add_interface("1-1.2", 0, "ff/ff/ff", "qcserial", {"ttyUSB0"});
    tree.add_interface("1-1.2", 2, "ff/ff/ff", "qcserial", {"ttyUSB1"});
    tree.add_interface("1-1.2", 3, "ff/ff/ff", "qcserial", {"ttyUSB2"});
    tree.add_interface(
        "1-1.2", 8, "ff/ff/ff", "qmi_wwan", {"usbmisc/cdc-wdm0", "net/wwp0s20u1u2i8"});
    auto found = scan_usb_modems(tree.sysfs_root(), tree.dev_root(), table());
    ASSERT_EQ(found.size(), 1u);
    const auto& device = found[0].device;
    EXPECT_EQ(device.usb_path, "1-1.2");
    EXPECT_EQ(device.vendor_entry, "sierra_mc74xx");
    EXPECT_EQ(device.protocol, Protocol::Qmi);
    EXPECT_EQ(find_port(device, "ttyUSB0")->role, PortRole::Diag);
    EXPECT_EQ(find_port(device, "ttyUSB1")->role, PortRole::Nmea);
    EXPECT_EQ(find_port(device, "ttyUSB2")->role, PortRole::At);
    EXPECT_EQ(find_port(device, "ttyUSB2")->interface_number, 3);
    EXPECT_EQ(find_port(device, "cdc-wdm0")->role, PortRole::Qmi);
    EXPECT_EQ(find_port(device, "wwp0s20u1u2i8")->role, PortRole::Net);
}

// Huawei numbers functions by descriptor: the AT (PCUI) port is found by ff/06/12, not by number.
TEST(ModemDiscovery, HuaweiMe909sMapsPortsByDescriptor)
{
    FakeSysfs tree;
    tree.add_device("2-1", "12d1", "15c1");
    tree.add_interface("2-1", 0, "ff/06/10", "option", {"ttyUSB0"});
    tree.add_interface("2-1", 1, "ff/06/13", "option", {"ttyUSB1"});
    tree.add_interface("2-1", 2, "ff/06/12", "option", {"ttyUSB2"});
    tree.add_interface("2-1", 3, "ff/06/14", "option", {"ttyUSB3"});
    tree.add_interface("2-1", 4, "ff/06/1b", "option", {"ttyUSB4"});
    tree.add_interface("2-1", 5, "02/0d/00", "cdc_ncm", {"net/wwan0"});
    tree.add_interface("2-1", 6, "0a/00/01", "cdc_ncm", {});
    auto found = scan_usb_modems(tree.sysfs_root(), tree.dev_root(), table());
    ASSERT_EQ(found.size(), 1u);
    const auto& device = found[0].device;
    EXPECT_EQ(device.vendor_entry, "huawei_me909s");
    EXPECT_EQ(device.protocol, Protocol::Ncm);
    EXPECT_EQ(find_port(device, "ttyUSB0")->role, PortRole::Modem);
    EXPECT_EQ(find_port(device, "ttyUSB1")->role, PortRole::Diag);
    EXPECT_EQ(find_port(device, "ttyUSB2")->role, PortRole::At);
    EXPECT_EQ(find_port(device, "ttyUSB3")->role, PortRole::Nmea);
    EXPECT_EQ(find_port(device, "ttyUSB4")->role, PortRole::Unknown);
    EXPECT_EQ(find_port(device, "wwan0")->role, PortRole::Net);
}

// Not in the table: its serial ports are candidates for the AT probe; the protocol comes from
// drivers.
TEST(ModemDiscovery, UnknownModemIsProbedAndItsProtocolComesFromItsDrivers)
{
    FakeSysfs tree;
    tree.add_device("1-2", "1e2d", "00b7");
    tree.add_interface("1-2", 0, "02/02/01", "cdc_acm", {"tty/ttyACM0"});
    tree.add_interface("1-2", 1, "0a/00/00", "cdc_acm", {});
    tree.add_interface("1-2", 2, "02/02/01", "cdc_acm", {"tty/ttyACM1"});
    tree.add_interface("1-2", 4, "02/0e/00", "cdc_mbim", {"usbmisc/cdc-wdm0", "net/wwan0"});
    auto found = scan_usb_modems(tree.sysfs_root(), tree.dev_root(), table());
    ASSERT_EQ(found.size(), 1u);
    const auto& device = found[0].device;
    EXPECT_FALSE(found[0].entry);
    EXPECT_EQ(device.vendor_entry, "");
    EXPECT_EQ(device.protocol, Protocol::Mbim);
    EXPECT_EQ(find_port(device, "cdc-wdm0")->role, PortRole::Mbim);
    auto candidates = probe_candidates(device);
    ASSERT_EQ(candidates.size(), 2u);
    EXPECT_EQ(candidates[0].name, "ttyACM0");
    EXPECT_EQ(candidates[0].device_path, tree.dev_root() + "/ttyACM0");
    EXPECT_EQ(candidates[1].name, "ttyACM1");
}

TEST(ModemDiscovery, DevicesWithoutModemFunctionsAreIgnored)
{
    FakeSysfs tree;
    tree.add_device("1-3", "0781", "5581"); // a USB stick
    tree.add_interface("1-3", 0, "08/06/50", "usb-storage", {});
    tree.add_device("1-4", "0bda", "8153"); // a USB Ethernet adapter
    tree.add_interface("1-4", 0, "02/06/00", "cdc_ether", {"net/eth1"});
    EXPECT_TRUE(scan_usb_modems(tree.sysfs_root(), tree.dev_root(), table()).empty());
}

TEST(ModemDiscovery, SeveralModemsAreSortedByUsbPathAndGoneOnesVanish)
{
    FakeSysfs tree;
    testing::add_quectel_ec25(tree, "1-1.3");
    testing::add_quectel_ec25(tree, "1-1.1");
    auto found = scan_usb_modems(tree.sysfs_root(), tree.dev_root(), table());
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].device.usb_path, "1-1.1");
    EXPECT_EQ(found[1].device.usb_path, "1-1.3");
    tree.remove_device("1-1.1");
    found = scan_usb_modems(tree.sysfs_root(), tree.dev_root(), table());
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].device.usb_path, "1-1.3");
}

TEST(ModemDiscovery, MissingTreeFindsNothing)
{
    EXPECT_TRUE(scan_usb_modems("/nonexistent/sys", "/nonexistent/dev", table()).empty());
}

} // namespace
} // namespace uplink::modem
