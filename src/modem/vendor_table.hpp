// The vendor table: which USB modem is which and what its interfaces do. Data, not code:
// vendors.uci is embedded at build time and parsed with core's UCI reader against vendor_schema().
#pragma once

#include "modem/modem.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace uplink::modem {

// How one interface is recognised: by bInterfaceNumber, or (Huawei) by class/subclass/protocol.
struct PortMapping {
    int interface_number = -1; // -1: match by descriptor instead
    std::string descriptor; // "ff/06/12" (hex, lower case), or ""
    PortRole role = PortRole::Unknown;
};

struct VendorEntry {
    std::string id; // the section name: "quectel_ec25"
    std::string vendor_id, product_id; // lower-case hex: "2c7c", "0125"
    std::string name;
    Protocol protocol = Protocol::Unknown;
    std::vector<PortMapping> ports;
    std::vector<std::string> quirks; // "qeng", "qcainfo", "qpinc", "qind", "hilink"
    std::string iccid_command; // from the quirk "iccid-command=AT+QCCID", or ""
    std::string note;

    bool has_quirk(std::string_view quirk) const;
    // The role the table gives an interface, or Unknown.
    PortRole role_of(int interface_number, std::string_view descriptor) const;
};

struct VendorTable {
    std::vector<VendorEntry> entries;
    const VendorEntry* find(std::string_view vendor_id, std::string_view product_id) const;
};

const Schema& vendor_schema();

// Parses and checks a table. On failure every problem is in `diagnostics`
// ("vendors.uci:12: modem 'x': port '9=foo': unknown role 'foo'").
Result<VendorTable> parse_vendor_table(
    std::string_view text, std::vector<ConfigDiagnostic>& diagnostics);

// The text of src/modem/vendors.uci as built into the binary.
std::string_view embedded_vendor_table();

} // namespace uplink::modem
