// The scenario file of uplink-sim: modems, SIMs, operators, radio conditions over time and
// timings. docs/scenario.md describes the JSON; this header is its parsed, validated form.
#pragma once

#include "sim/model_profile.hpp"

#include <core/core.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::json {
class object;
}

namespace uplink::sim {

struct Apn {
    std::string name;
    std::string pdp_type = "IPV4V6"; // IP, IPV6, IPV4V6
    std::uint32_t mtu = 1500; // what WDS Get Current Settings grants a bearer on it (TLV 0x29)
};

struct Operator {
    std::string mcc, mnc; // decimal text, leading zeros kept ("001", "01")
    std::string long_name, short_name;
    std::vector<Apn> apns; // the APNs this network accepts

    std::string plmn() const { return mcc + mnc; }
};

struct SimSpec {
    std::string id;
    std::string iccid; // 19 or 20 characters; a 19-digit ICCID ends in 'F'
    std::string imsi;
    std::string pin, puk;
    bool pin_enabled = false;
    int pin_retries = 3; // attempts left now (0: PUK required)
    int puk_retries = 10; // attempts left now (0: blocked)
};

// One LTE carrier as the modem measures it.
struct Carrier {
    int band = 3;
    int earfcn = 1575;
    int pci = 0;
    int bandwidth_mhz = 20; // 1.4 is written 1; 1, 3, 5, 10, 15, 20
    int rsrp = -90, rsrq = -10, rssi = -60, sinr = 15;
};

struct Radio {
    std::string technology = "LTE"; // only LTE for now
    std::string operator_plmn; // the serving network, one of the operators
    bool available = true; // false: no cell at all (an outage)
    Carrier primary;
    std::uint32_t cell_id = 0; // 28-bit E-UTRAN cell identity
    std::uint32_t tac = 0; // 16-bit tracking area code
    std::optional<int> srxlev; // default: derived from RSRP
    int diversity_offset_db = -3; // second receive chain relative to the first (QRSRP)
    std::optional<Carrier> secondary; // carrier aggregation (QCAINFO "scc")
};

// A partial change of the radio, from the timeline or the control socket.
struct RadioPatch {
    std::optional<bool> available;
    std::optional<int> band, earfcn, pci, bandwidth_mhz, rsrp, rsrq, rssi, sinr, srxlev;
    std::optional<std::uint32_t> cell_id, tac;
    std::optional<std::string> operator_plmn;
    std::optional<std::optional<Carrier>> secondary; // set, or removed (null)

    bool empty() const;
    void apply_to(Radio& radio) const;
};

struct TimelineEntry {
    Duration after {0}; // from the start of uplink-sim
    RadioPatch set;
};

struct Timings {
    Duration boot {1500}; // power on -> RDY
    Duration latency {20}; // every command's reply
    Duration attach {1000}; // SIM ready + CFUN=1 -> registered
    Duration sim_init {100}; // RDY -> +CPIN/+QUSIM, and again -> SMS/PB DONE
    Duration scan {3000}; // AT+COPS=? takes this long
};

struct UsbIdentity {
    std::string path = "1-1"; // the physical port, as in /sys/bus/usb/devices
    int busnum = 1, devnum = 2;
    std::string vendor_id = "2c7c", product_id = "0125";
    std::string manufacturer = "Quectel", product = "EC25", serial;
};

enum class QrsrpSupport { Supported, Error };
std::string_view to_string(QrsrpSupport support);

// Where the modem's data path runs (root only): its TUN `wwan<k>` (raw IP, as qmi_wwan in
// raw-ip mode; the same name the tree's net/ entry has) appears in `namespace`, the router's;
// packets leave through `carrier<k>` in `carrier_namespace`. Both namespaces must exist
// (`ip netns add`) before uplink-sim starts.
struct DataPath {
    std::string namespace_name;
    std::string carrier_namespace;
};

struct ModemSpec {
    std::string id;
    const ModelProfile* profile = &default_model(); // the scenario's "model": USB face, dialect
    std::string manufacturer = "Quectel", model = "EC25", revision, imei;
    UsbIdentity usb;
    std::optional<std::string> sim; // id of the inserted SIM; none: empty slot
    bool plugged = true; // plugged when uplink-sim starts
    std::vector<int> lte_bands; // what the module supports (AT+QCFG="band")
    std::string gw_band_mask = "93"; // hex without 0x
    QrsrpSupport qrsrp = QrsrpSupport::Supported;
    Radio radio;
    std::vector<TimelineEntry> timeline;
    Timings timings;
    std::optional<DataPath> data_path; // none: no packets, only the modem's ports
};

struct Scenario {
    std::vector<ModemSpec> modems;
    std::vector<SimSpec> sims;
    std::vector<Operator> operators;

    const SimSpec* find_sim(std::string_view id) const;
    const Operator* find_operator(std::string_view plmn) const;
    // The operator whose MCC+MNC starts the IMSI, if the scenario has it.
    const Operator* home_operator(std::string_view imsi) const;
};

// Parses and validates a whole scenario. On failure `message` names the field:
// "modems[0].imei: expected 15 digits".
Result<Scenario> parse_scenario(std::string_view text, std::string& message);
Result<Scenario> load_scenario(const std::string& path, std::string& message);

// The radio fields of a timeline "set" or a control request; `where` prefixes messages.
Result<RadioPatch> parse_radio_patch(
    const boost::json::object& object, const std::string& where, std::string& message);

// Errors of this module (the message says which field).
enum class ScenarioErrc { Syntax = 1, BadField, Io };
const boost::system::error_category& scenario_category();
Error make_error_code(ScenarioErrc code);

} // namespace uplink::sim

namespace boost::system {
template <> struct is_error_code_enum<uplink::sim::ScenarioErrc> : std::true_type {
};
} // namespace boost::system
