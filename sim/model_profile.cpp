#include "sim/model_profile.hpp"

#include <algorithm>
#include <cctype>

namespace uplink::sim {

namespace {

bool same_ignoring_case(std::string_view left, std::string_view right)
{
    return left.size() == right.size()
        && std::equal(left.begin(), left.end(), right.begin(), [](char a, char b) {
               return std::toupper(static_cast<unsigned char>(a))
                   == std::toupper(static_cast<unsigned char>(b));
           });
}

// What Quectel's QMI modules share (the EC25's, below): the USB functions in the default usbnet=0
// mode, ATI, and the lines after boot and SIM.
const std::vector<UsbFunction> quectel_functions {
    {0, FunctionRole::Diag, "option", "ff", "ff", 2},
    {1, FunctionRole::Nmea, "option", "00", "00", 3},
    {2, FunctionRole::At, "option", "00", "00", 3},
    {3, FunctionRole::Modem, "option", "00", "00", 3},
    {4, FunctionRole::Qmi, "qmi_wwan", "ff", "ff", 3},
};
const std::vector<std::string_view> quectel_identity_lines {"{manufacturer}", "{model}", "Revision: {revision}"};
const std::vector<std::string_view> quectel_sim_present_urcs {"+QUSIM: 1"};
const std::vector<std::string_view> quectel_sim_files_urcs {"+QIND: SMS DONE", "+QIND: PB DONE"};

const std::vector<ModelProfile>& models()
{
    static const std::vector<ModelProfile> table {
        // Quectel EC25-E. USB: usb-devices of a real EC25-AF (interfaces 0 DM and 4 QMI are
        // ff/ff/ff, 1-3 ff/00/00) and ModemManager's 77-mm-quectel-port-types.rules (0 QCDM,
        // 1 GPS, 2 AT primary, 3 AT secondary; 4 is qmi_wwan's in the default usbnet=0 mode).
        // AT: modem-protocols.md §4 (captured EC25 replies); bands: the EC25 series
        // specification's EC25-E column.
        {
            .model = "EC25",
            .manufacturer = "Quectel",
            .revision = "EC25EFAR06A06M4G",
            .usb = {.vendor_id = "2c7c", .product_id = "0125", .manufacturer = "Quectel",
                .product = "EC25", .version = " 2.00", .device_class = "ef",
                .device_subclass = "02", .device_protocol = "01", .bcd_device = "0318"},
            .functions = quectel_functions,
            .lte_bands = {1, 3, 5, 7, 8, 20, 38, 40, 41},
            .nr_bands = {},
            .dialect = {
                .identity_lines = quectel_identity_lines,
                .vendor_commands = {"+QPINC", "+QCCID", "+QENG", "+QNWINFO", "+QCAINFO",
                    "+QRSRP", "+QCFG"},
                .qcfg_items = {"band", "usbnet", "nwscanmode"},
                .ready_urc = "RDY",
                .sim_present_urcs = quectel_sim_present_urcs,
                .sim_files_urcs = quectel_sim_files_urcs,
            },
        },
        // Sierra Wireless MC7455 in its QMI composition (USB id 1199:9071). USB: the kernel's
        // qcserial.c binds 9071 ("Sierra Wireless MC74xx") with its QCSERIAL_SWI layout, "0:
        // DM/DIAG, 2: NMEA, 3: AT-capable modem port, 8: QMI/net", and qmi_wwan.c lists
        // QMI_FIXED_INTF(0x1199, 0x9071, 8); qcserial numbers its ttys in interface order, so
        // ttyUSB0 qcdm, ttyUSB1 gps, ttyUSB2 at, as ModemManager shows an MC7455
        // (forum.sierrawireless.com "MC7455 no registration after firmware update"). Device
        // descriptor from usb-devices of an MC7455 (forum.sierrawireless.com "MC7455 not
        // recognized at boot"): Ver 2.10, Cls 00, Rev 00.06, vendor-specific interfaces; the
        // product string "MC7455" from the kernel log in libqmi-devel, 2017-10, "cdc-wdmX
        // interface no longer created after reset". Not emulated: interface 10, the second
        // QMI function some firmware configurations add.
        // AT: ATI of an MC7455 on SWI9X30C_02.33.03.00 (forum.sierrawireless.com "MC7455 lower
        // power mode (config name mismatch) after latest FW"); the ICCID commands in
        // at_sim.cpp; AT+CPINC in GNOME bug 697282. None of Quectel's commands or URCs.
        // Bands: the E-UTRAN bands ModemManager lists for an MC7455
        // (forum.sierrawireless.com "MC7455 missing SIM").
        {
            .model = "MC7455",
            .manufacturer = "Sierra Wireless, Incorporated",
            .revision = "SWI9X30C_02.33.03.00 r8209 CARMD-EV-FRMWR2 2019/08/28 20:59:30",
            .usb = {.vendor_id = "1199", .product_id = "9071",
                .manufacturer = "Sierra Wireless, Incorporated", .product = "MC7455",
                .version = " 2.10", .device_class = "00", .device_subclass = "00",
                .device_protocol = "00", .bcd_device = "0006"},
            .functions = {
                {0, FunctionRole::Diag, "qcserial", "ff", "ff", 2},
                {2, FunctionRole::Nmea, "qcserial", "ff", "ff", 3},
                {3, FunctionRole::At, "qcserial", "ff", "ff", 3},
                {8, FunctionRole::Qmi, "qmi_wwan", "ff", "ff", 3},
            },
            .lte_bands = {1, 2, 3, 4, 5, 7, 8, 12, 13, 20, 25, 41},
            .nr_bands = {},
            .dialect = {
                .identity_lines = {"Manufacturer: {manufacturer}", "Model: {model}",
                    "Revision: {revision}", "IMEI: {imei}", "IMEI SV: 20", "FSN: {serial}",
                    "+GCAP: +CGSM"},
                .vendor_commands = {"!ICCID", "+ICCID", "+CPINC"},
                .qcfg_items = {},
                .ready_urc = "",
                .sim_present_urcs = {},
                .sim_files_urcs = {},
            },
        },
        // Quectel RM520N-GL, a 5G module in the EC25's USB layout (the kernel's option.c has
        // QUECTEL_PRODUCT_RM520N 0x0801; the interface roles are the RM500Q's, modem-protocols.md
        // [inf]). Its radio settings are AT+QNWPREFCFG's, not AT+QCFG="band"/"nwscanmode"
        // (modem-protocols.md §4.1; the read and set forms of "mode_pref", "lte_band",
        // "nr5g_band" and "nsa_nr5g_band" as 4IceG/luci-app-modemband issues 13 and 18 and
        // iamromulan/RM551E-GL issue 9 show them). Bands: the RM520N-GL specification's LTE
        // and 5G NR columns. The emulated network has LTE cells only, so an RM520N registers
        // on LTE, and told to use 5G alone it finds no network.
        {
            .model = "RM520N",
            .manufacturer = "Quectel",
            .revision = "RM520NGLAAR03A03M4G",
            .usb = {.vendor_id = "2c7c", .product_id = "0801", .manufacturer = "Quectel",
                .product = "RM520N-GL", .version = " 3.20", .device_class = "ef",
                .device_subclass = "02", .device_protocol = "01", .bcd_device = "0504"},
            .functions = quectel_functions,
            .lte_bands = {1, 2, 3, 4, 5, 7, 8, 12, 13, 14, 17, 18, 19, 20, 25, 26, 28, 29, 30,
                32, 34, 38, 39, 40, 41, 42, 43, 46, 48, 66, 71},
            .nr_bands = {1, 2, 3, 5, 7, 8, 12, 13, 14, 18, 20, 25, 26, 28, 29, 30, 38, 40, 41,
                48, 66, 70, 71, 75, 76, 77, 78, 79},
            .dialect = {
                .identity_lines = quectel_identity_lines,
                .vendor_commands = {"+QPINC", "+QCCID", "+QENG", "+QNWINFO", "+QCAINFO",
                    "+QRSRP", "+QCFG", "+QNWPREFCFG"},
                .qcfg_items = {"usbnet"},
                .ready_urc = "RDY",
                .sim_present_urcs = quectel_sim_present_urcs,
                .sim_files_urcs = quectel_sim_files_urcs,
            },
        },
    };
    return table;
}

} // namespace

bool AtDialect::answers(std::string_view command) const
{
    return std::find(vendor_commands.begin(), vendor_commands.end(), command)
        != vendor_commands.end();
}

bool AtDialect::has_qcfg(std::string_view item) const
{
    return std::any_of(qcfg_items.begin(), qcfg_items.end(),
        [&](std::string_view known) { return same_ignoring_case(known, item); });
}

std::size_t ModelProfile::serial_count() const
{
    return static_cast<std::size_t>(std::count_if(functions.begin(), functions.end(),
        [](const auto& function) { return function.serial(); }));
}

const UsbFunction* ModelProfile::qmi_function() const
{
    auto found = std::find_if(functions.begin(), functions.end(),
        [](const auto& function) { return function.role == FunctionRole::Qmi; });
    return found == functions.end() ? nullptr : &*found;
}

const ModelProfile& default_model()
{
    return models().front();
}

const ModelProfile* find_model(std::string_view model)
{
    for (const auto& profile : models())
        if (same_ignoring_case(profile.model, model))
            return &profile;
    return nullptr;
}

std::string model_names()
{
    std::string names;
    for (const auto& profile : models())
        names += (names.empty() ? "" : ", ") + std::string(profile.model);
    return names;
}

} // namespace uplink::sim
