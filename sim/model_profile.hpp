// The models uplink-sim emulates. What tells one from another is data, here: the defaults a
// scenario may leave out (identity, USB ids and strings, LTE bands), the USB face (its
// interfaces, the drivers Linux binds to them and what each carries) and the AT dialect (the
// vendor commands it answers, its ATI lines, its boot and SIM lines). The behaviour behind the
// commands (SIM, registration, signal, bearers, the QMI face) is one and the same for every
// model. A scenario picks a model with "model" (docs/scenario.md). Private to sim/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace uplink::sim {

// What a USB interface carries, as its host driver presents it.
enum class FunctionRole {
    Diag, // a serial port for the Qualcomm DM protocol (not emulated: reads and answers nothing)
    Nmea, // a serial port for GPS sentences (not emulated either)
    At, // the AT command port
    Modem, // the PPP port, which answers AT too
    Qmi, // qmi_wwan: the cdc-wdm control port and the wwan net device
};

struct UsbFunction {
    int number = 0; // bInterfaceNumber
    FunctionRole role = FunctionRole::Diag;
    std::string_view driver; // "option", "qcserial", "qmi_wwan"
    std::string_view subclass, protocol; // bInterfaceSubClass/Protocol, hex; the class is ff
    int endpoints = 3;

    bool serial() const { return role != FunctionRole::Qmi; } // a ttyUSB
    bool answers_at() const { return role == FunctionRole::At || role == FunctionRole::Modem; }
};

// The device descriptor's fields as sysfs shows them (drivers/usb/core/sysfs.c).
struct UsbDescriptor {
    std::string_view vendor_id, product_id; // idVendor, idProduct
    std::string_view manufacturer, product; // the string descriptors (defaults)
    std::string_view version; // bcdUSB: " 2.00"
    std::string_view device_class, device_subclass, device_protocol; // hex
    std::string_view bcd_device; // "0318"
};

struct AtDialect {
    // ATI's lines, with {manufacturer} {model} {revision} {imei} {serial}; a line that names
    // {serial} is left out when the USB device has no serial number.
    std::vector<std::string_view> identity_lines;
    // The vendor commands it answers ("+QENG", "!ICCID"); every other vendor command is
    // ERROR, as on a modem that does not know it. The standard commands are always there.
    std::vector<std::string_view> vendor_commands;
    std::vector<std::string_view> qcfg_items; // the AT+QCFG settings it has ("band", "usbnet")
    std::string_view ready_urc; // when the AT ports start answering after power-on, or ""
    std::vector<std::string_view> sim_present_urcs; // after the SIM's +CPIN: at boot or insertion
    std::vector<std::string_view> sim_files_urcs; // once the SIM is unlocked and read

    bool answers(std::string_view command) const;
    bool has_qcfg(std::string_view item) const; // without case
};

struct ModelProfile {
    std::string_view model; // the scenario's "model", AT+CGMM, QMI DMS Get Model
    std::string_view manufacturer; // AT+CGMI, QMI DMS Get Manufacturer (default)
    std::string_view revision; // AT+CGMR, QMI DMS Get Revision (default)
    UsbDescriptor usb;
    std::vector<UsbFunction> functions; // in interface order
    std::vector<int> lte_bands; // what the module supports (default)
    std::vector<int> nr_bands; // its 5G NR bands; none on an LTE module
    AtDialect dialect;

    std::size_t serial_count() const;
    const UsbFunction* qmi_function() const;
};

// The Quectel EC25-E, the model a scenario gets when it names none.
const ModelProfile& default_model();
// By the scenario's "model", compared without case; none for a model not emulated.
const ModelProfile* find_model(std::string_view model);
// "EC25, MC7455, RM520N": for messages.
std::string model_names();

} // namespace uplink::sim
