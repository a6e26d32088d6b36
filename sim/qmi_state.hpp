// What the modem model keeps for its QMI face (the EC25's cdc-wdm port): the client table and
// the packet data bearers, with the carrier's address pool. Private to sim/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <qmi/qmi.hpp>
#include <string>
#include <string_view>

namespace uplink::sim {

// libqmi QmiWdsIpFamily: 4 IPv4, 6 IPv6 (8 "unspecified" is taken as IPv4 by the modem).
enum class IpFamily : std::uint8_t { V4 = 4, V6 = 6 };
std::string_view to_string(IpFamily family);

// One client of one QMI service, from CTL Allocate CID to CTL Release CID (or a reboot, or
// CTL Sync). A client that closes the port without releasing keeps its CID, as on USB
// (libqmi: qmicli --client-no-release-cid, then --client-cid=N in a later run).
struct QmiClient {
    qmi::Service service = qmi::Service::Ctl;
    std::uint8_t id = 0;
    // NAS Register Indications (0x0003) TLVs 0x13, 0x18, 0x19.
    bool serving_system_reports = false;
    bool system_info_reports = false;
    bool signal_reports = false;
    // UIM Register Events (0x002E) mask bit 0: card status.
    bool card_status_reports = false;
    // WDS Set IP Family (0x004D): what Start Network uses without TLV 0x19.
    IpFamily family = IpFamily::V4;
};

using Ipv6Address = std::array<std::uint16_t, 8>;

// What the carrier hands a bearer. IPv4 values are host-order integers (100.64.0.1 is
// 0x64400001); the QMI TLVs carry them little-endian (modem-protocols.md §1.3).
struct BearerAddresses {
    std::uint32_t ipv4 = 0, ipv4_gateway = 0, ipv4_netmask = 0;
    std::array<std::uint32_t, 2> ipv4_dns {};
    Ipv6Address ipv6 {}, ipv6_gateway {};
    std::uint8_t ipv6_prefix_length = 64;
    std::array<Ipv6Address, 2> ipv6_dns {};
    std::uint32_t mtu = 1500;
};

// The carrier's pools (docs/scenario.md "The QMI face"): IPv4 from the shared address space
// 100.64.0.0/10 (RFC 6598), a /30 per bearer; IPv6 from the documentation prefix
// 2001:db8::/32 (RFC 3849), a /64 per bearer. The first /24 and 2001:db8::/48 are the
// carrier's own (DNS 100.64.0.53/.54, 2001:db8::53/::54). The block follows from the PLMN,
// the IMSI and the APN, so a subscriber gets the same address on every connect; `attempt`
// moves to the next block when that one is in use.
BearerAddresses carrier_addresses(
    std::string_view plmn, std::string_view imsi, std::string_view apn, unsigned attempt);

std::string format_ipv4(std::uint32_t address);
std::string format_ipv6(const Ipv6Address& address);
// 3GPP TS 27.007 §10.1.14 with AT+CGPIAF=0 (the default): IPv6 as 16 dot-separated octets.
std::string format_ipv6_octets(const Ipv6Address& address);

// An EPS default bearer (a PDN connection), started by WDS Start Network or AT+CGACT.
struct Bearer {
    std::uint32_t handle = 0; // WDS packet data handle
    std::optional<std::uint8_t> owner; // the WDS client that started it; none for AT+CGACT
    IpFamily family = IpFamily::V4;
    int cid = 1; // the PDP context (AT+CGDCONT) it runs on
    std::string apn, username;
    std::uint8_t authentication = 0; // QmiWdsAuthentication bits: 1 PAP, 2 CHAP
    BearerAddresses addresses;
};

// Why a bearer was refused or ended, as WDS reports it (libqmi qmi-enums-wds.h): TLV 0x10 call
// end reason and TLV 0x11 verbose reason {type, reason}.
struct CallEnd {
    std::uint16_t reason = 1; // QmiWdsCallEndReason
    std::uint16_t verbose_type = 0; // QmiWdsVerboseCallEndReasonType; 0: no TLV 0x11
    std::int16_t verbose_reason = 0;
};

namespace call_end {
// QmiWdsCallEndReason values.
constexpr std::uint16_t client_end = 2, no_service = 3;
constexpr std::uint16_t network_end = 1003, unknown_apn = 1013, unknown_pdp = 1014;
constexpr std::uint16_t insufficient_resources = 1005;
// QmiWdsVerboseCallEndReasonType values.
constexpr std::uint16_t type_cm = 3, type_3gpp = 6;
// QmiWdsVerboseCallEndReasonCm values.
constexpr std::int16_t cm_client_end = 2000, cm_no_service = 2001;
// 3GPP TS 24.301 §9.9.4.4 ESM causes (QmiWdsVerboseCallEndReason3gpp).
constexpr std::int16_t insufficient_resources_cause = 26, unknown_apn_cause = 27,
                       regular_deactivation = 36, ipv4_only_allowed = 50, ipv6_only_allowed = 51;
} // namespace call_end

} // namespace uplink::sim
