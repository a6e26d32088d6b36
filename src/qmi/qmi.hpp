// qmi: Qualcomm MSM Interface, the binary protocol of a modem's cdc-wdm port.
//  - Message: one QMUX frame (service, client, transaction, message id, TLVs), encoded and decoded.
//  - Framer: sans-I/O splitting of a byte stream into frames by the QMUX length field.
//  - TlvReader / TlvWriter: the little-endian field codec inside a TLV value.
// Wire format and message ids: ../shared/reference/modem-protocols.md §1–2 (libqmi's
// data/qmi-service-*.json and qmi-message.c are the sources cited there).
#pragma once

#include <core/core.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <array>
#include <functional>
#include <memory>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::qmi {

// ---------------------------------------------------------------- errors
// Codec failures: a frame or a TLV value that does not have the expected form.
enum class Errc {
    Truncated = 1,     // shorter than its headers or its own length fields say
    BadMarker,         // the first byte is not 0x01 (QMUX)
    BadLength,         // the QMUX length, the QMI header length and the TLVs disagree
    MissingTlv,        // a TLV the message needs is absent
    TrailingBytes,     // a TLV value longer than its fields
    Timeout,           // no response within the request's timeout
    Closed,            // the port went away
    TooLong,           // a TLV over 65535 bytes, or a frame over Framer::max_frame: not sent
};
const boost::system::error_category& codec_category();
Error make_error_code(Errc code);

// Errors the modem reports in a response's Result TLV (0x02), libqmi's QmiProtocolError numbers.
enum class ProtocolError : std::uint16_t {
    None = 0,
    MalformedMessage = 1,
    NoMemory = 2,
    Internal = 3,
    ClientIdsExhausted = 5,
    InvalidClientId = 7,
    InvalidHandle = 9,
    InvalidProfile = 10,
    InvalidPinId = 11,
    IncorrectPin = 12,
    NoNetworkFound = 13,
    CallFailed = 14,
    OutOfCall = 15,
    NotProvisioned = 16,
    MissingArgument = 17,
    ArgumentTooLong = 19,
    InvalidTransactionId = 22,
    DeviceInUse = 23,
    NetworkUnsupported = 24,
    DeviceUnsupported = 25,
    NoEffect = 26,
    NoFreeProfile = 27,
    InvalidPdpType = 28,
    AuthenticationFailed = 34,
    PinBlocked = 35,
    PinAlwaysBlocked = 36,
    UimUninitialized = 37,
    GeneralError = 46,
    UnknownError = 47,
    InvalidArgument = 48,
    DeviceNotReady = 52,
    NetworkNotReady = 53,
    InvalidQmiCommand = 71,
    InformationUnavailable = 74,
    NotSupported = 94,
    NoSim = 102,
};
const boost::system::error_category& protocol_category();
Error make_error_code(ProtocolError code);

// ---------------------------------------------------------------- messages
enum class Service : std::uint8_t { Ctl = 0x00, Wds = 0x01, Dms = 0x02, Nas = 0x03, Uim = 0x0b, Wda = 0x1a };
std::string_view to_string(Service service);

enum class MessageType { Request, Response, Indication };
std::string_view to_string(MessageType type);

struct Tlv {
    std::uint8_t type = 0;
    std::vector<std::uint8_t> value;
};

struct Message {
    Service service = Service::Ctl;
    std::uint8_t client = 0;              // 0 for CTL and for broadcast indications
    MessageType type = MessageType::Request;
    std::uint16_t transaction = 0;        // one byte on the wire for CTL
    std::uint16_t id = 0;
    std::vector<Tlv> tlvs;

    const Tlv* find(std::uint8_t tlv_type) const;
    void add(std::uint8_t tlv_type, std::vector<std::uint8_t> value);
};

// One whole frame, as libqmi's message_check() validates it: marker, QMUX length equal to the
// frame, headers complete, and TLVs that tile the payload exactly. Unknown services and TLVs
// are kept (callers skip what they do not know).
Result<Message> decode(std::span<const std::uint8_t> frame);
// QMUX control flags: 0x80 for a frame from the modem (responses and indications), 0x00 from
// the host (requests). Errc::TooLong when a TLV's value does not fit its 16-bit length or the
// frame is over Framer::max_frame, which a modem's cdc-wdm does not take: never a frame whose
// length fields were cut to fit.
Result<std::vector<std::uint8_t>> encode(const Message& message);

// "DMS 0x0025 response tid 7 client 1: 02[4] 10[8] 11[15]" for the modem dialogue log.
std::string describe(const Message& message);

// Result TLV (0x02) of a response: empty when status is success, else a protocol_category()
// error; a response without one is Errc::MissingTlv.
Error result_of(const Message& response);
// The Result TLV value for a response: success, or failure with `error`.
std::vector<std::uint8_t> result_value(ProtocolError error = ProtocolError::None);

// Sans-I/O: bytes in, in any split; whole frames (or the reason a frame was dropped) out.
// A bad marker drops bytes up to the next 0x01; an impossible length drops the marker byte.
class Framer {
public:
    struct Event {
        std::optional<Message> message;   // set for a good frame
        Error error;                      // set for a dropped frame or byte run
    };
    std::vector<Event> feed(std::span<const std::uint8_t> bytes);
    void reset() { buffer_.clear(); }
    std::size_t buffered() const { return buffer_.size(); }

    // The largest frame accepted: cdc-wdm's usual maximum control transfer.
    static constexpr std::size_t max_frame = 4096;

private:
    std::vector<std::uint8_t> buffer_;
};

// ---------------------------------------------------------------- TLV values
// Reads little-endian fields from one TLV value. A read past the end sets failed() and
// returns zero values; callers check failed() (or finish()) once at the end.
class TlvReader {
public:
    explicit TlvReader(std::span<const std::uint8_t> value)
        : value_(value)
    {
    }
    std::uint8_t u8();
    std::uint16_t u16();
    std::uint32_t u32();
    std::uint64_t u64();
    std::int8_t i8() { return static_cast<std::int8_t>(u8()); }
    std::int16_t i16() { return static_cast<std::int16_t>(u16()); }
    std::uint16_t u16_big_endian();       // IPv6 address groups are "endian: network"
    std::string string_u8();              // u8 length, then the bytes
    std::string string_rest();            // a string that is the whole rest of the value
    std::string fixed_string(std::size_t size);
    std::vector<std::uint8_t> bytes(std::size_t size);
    std::size_t remaining() const { return value_.size() - offset_; }
    bool failed() const { return failed_; }
    // Ok when every read fit; trailing bytes are allowed (newer firmware adds fields).
    Result<void> finish() const;

private:
    bool take(std::size_t size);
    std::span<const std::uint8_t> value_;
    std::size_t offset_ = 0;
    bool failed_ = false;
};

class TlvWriter {
public:
    TlvWriter& u8(std::uint8_t value);
    TlvWriter& u16(std::uint16_t value);
    TlvWriter& u32(std::uint32_t value);
    TlvWriter& u64(std::uint64_t value);
    TlvWriter& i8(std::int8_t value) { return u8(static_cast<std::uint8_t>(value)); }
    TlvWriter& i16(std::int16_t value) { return u16(static_cast<std::uint16_t>(value)); }
    TlvWriter& u16_big_endian(std::uint16_t value);
    TlvWriter& string_u8(std::string_view text);     // truncated to 255 bytes
    TlvWriter& string_rest(std::string_view text);
    TlvWriter& fixed_string(std::string_view text, std::size_t size, std::uint8_t pad);
    TlvWriter& bytes(std::span<const std::uint8_t> data);
    std::vector<std::uint8_t> take() { return std::move(value_); }

private:
    std::vector<std::uint8_t> value_;
};

// A TLV whose whole value is one string (DMS Get Revision 0x01, WDS Start Network APN 0x14).
std::optional<std::string> string_tlv(const Message& message, std::uint8_t type);

// ---------------------------------------------------------------- the client
// The single owner of one QMI port (a cdc-wdm device, or the emulator's pty or unix socket).
// Requests from any number of coroutines are in flight together; responses are matched on
// (service, client id, transaction id) as libqmi does, indications go to the handler.
class Client {
public:
    Client(boost::asio::any_io_executor executor, std::string name, int fd);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // The response, whatever its Result TLV says; errors for timeouts and a closed port.
    boost::asio::awaitable<Result<Message>> transact(Message request, Duration timeout);
    // As transact(), but a failed Result TLV is an error (result_of()).
    boost::asio::awaitable<Result<Message>> call(Message request, Duration timeout);

    // CTL Allocate / Release Client ID (0x0022 / 0x0023) for a service.
    boost::asio::awaitable<Result<std::uint8_t>> allocate_client(Service service, Duration timeout);
    boost::asio::awaitable<Result<void>> release_client(Service service, std::uint8_t client, Duration timeout);

    void set_indication_handler(std::function<void(const Message&)> handler);
    // Every message written and read, for the modem dialogue log.
    void set_trace_handler(std::function<void(std::string_view direction, const Message&)> handler);
    // Called once when the port fails (EIO/HUP on unplug) with the reason.
    void set_closed_handler(std::function<void(Error)> handler);
    void close();                 // fails every waiting request with Errc::Closed
    const std::string& name() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// ---------------------------------------------------------------- typed messages
// Requests the daemon sends and the responses and indications it reads, field by field as in
// libqmi's data/qmi-service-*.json (modem-protocols.md §2 and its appendix). Builders return a
// request for `client`; parsers take the whole response (its Result TLV is checked first) or
// indication, and fail with Errc::MissingTlv only when a mandatory TLV is absent.

// CTL Get Version Info 0x0021: the services the modem speaks, with their versions.
struct ServiceVersion {
    std::uint8_t service = 0;
    std::uint16_t major = 0, minor = 0;
};
Message ctl_get_version_info();
Result<std::vector<ServiceVersion>> parse_ctl_version_info(const Message& response);
// CTL Sync 0x0027: the modem drops every client id (after it, allocate again).
Message ctl_sync();

// DMS Get IDs 0x0025: whole-TLV strings 0x10 ESN, 0x11 IMEI, 0x12 MEID.
struct DeviceIds {
    std::string esn, imei, meid;
};
Result<DeviceIds> parse_dms_get_ids(const Message& response);
// A response whose TLV 0x01 is one string: DMS Get Manufacturer/Model/Revision, UIM Get ICCID/IMSI.
Result<std::string> parse_string_response(const Message& response);

// DMS operating mode (0x002D/0x002E TLV 0x01): 0 online, 1 low power (≈ AT+CFUN=4), …
enum class OperatingMode : std::uint8_t { Online = 0, LowPower = 1, FactoryTest = 2, Offline = 3, Reset = 4,
                                          ShuttingDown = 5, PersistentLowPower = 6, ModeOnlyLowPower = 7 };
std::string_view to_string(OperatingMode mode);
Result<OperatingMode> parse_dms_get_operating_mode(const Message& response);
Message dms_set_operating_mode(std::uint8_t client, OperatingMode mode);

// UIM Get Card Status 0x002F TLV 0x10, reduced to the primary GW (3GPP) application's view.
enum class CardState : std::uint8_t { Absent = 0, Present = 1, Error = 2 };
enum class ApplicationState : std::uint8_t { Unknown = 0, Detected = 1, PinRequired = 2, PukRequired = 3,
                                             CheckPersonalization = 4, PinBlocked = 5, Illegal = 6, Ready = 7 };
enum class PinState : std::uint8_t { NotInitialized = 0, EnabledNotVerified = 1, EnabledVerified = 2,
                                     Disabled = 3, Blocked = 4, PermanentlyBlocked = 5 };
std::string_view to_string(CardState state);
std::string_view to_string(ApplicationState state);
std::string_view to_string(PinState state);
struct CardStatus {
    CardState card = CardState::Absent;
    std::optional<ApplicationState> application;   // none when the card has no GW application
    std::optional<PinState> pin1;
    std::optional<int> pin1_retries, puk1_retries;
};
Result<CardStatus> parse_uim_card_status(const Message& response_or_indication);
// UIM Verify PIN 0x0026 for PIN1 of the primary GW session (type 0, empty AID, as ModemManager).
Message uim_verify_pin1(std::uint8_t client, std::string_view pin);
struct PinRetries {
    std::optional<int> verify_left, unblock_left;
};
// The retries TLV 0x10 comes with a failure too (IncorrectPin): read it whatever the result.
PinRetries parse_uim_verify_pin_retries(const Message& response);

// NAS Get Serving System 0x0024 (response) and Serving System indication (same id).
enum class NasRegistration : std::uint8_t { NotRegistered = 0, Registered = 1, Searching = 2, Denied = 3, Unknown = 4 };
enum class AttachState : std::uint8_t { Unknown = 0, Attached = 1, Detached = 2 };
enum class RadioInterface : std::int8_t { None = 0, Cdma1x = 1, Evdo = 2, Gsm = 4, Umts = 5, Lte = 8, TdScdma = 9,
                                          Nr5g = 12 };
std::string_view to_string(NasRegistration state);
struct Plmn {
    std::uint16_t mcc = 0, mnc = 0;
    std::string description;
};
struct ServingSystem {
    NasRegistration registration = NasRegistration::Unknown;
    AttachState cs_attach = AttachState::Unknown, ps_attach = AttachState::Unknown;
    std::vector<RadioInterface> radio_interfaces;
    std::optional<bool> roaming;
    std::optional<Plmn> plmn;
    std::optional<std::uint16_t> lac, tac;
    std::optional<std::uint32_t> cell_id;
};
Result<ServingSystem> parse_nas_serving_system(const Message& response_or_indication);

// NAS Get Operator Name 0x0039 (libqmi's qmi-service-nas.json; every TLV optional): 0x10 service
// provider name {u8 display condition, string[u8]}; 0x12 operator PLMN names, array[u8] of
// {u8 encoding, u8 country initials, u8 long name spare bits, u8 short name spare bits,
// array[u8] long name, array[u8] short name}; 0x13 operator string name; 0x14 NITZ information,
// one such element. The encoding (QmiNasPlmnEncodingScheme) is 0 for the GSM default alphabet
// packed, 1 for UCS-2 little-endian; the spare bits (0 unknown, else 1..7) say how many bits of
// the last byte are padding, 3GPP TS 24.008 §10.5.3.5a.
enum class PlmnNameEncoding : std::uint8_t { Gsm7Packed = 0, Ucs2LittleEndian = 1 };
std::string_view to_string(PlmnNameEncoding encoding);
struct NetworkName {
    std::string long_name, short_name; // UTF-8
};
struct OperatorName {
    std::optional<std::string> service_provider; // the SIM's SPN
    std::vector<NetworkName> plmn_names;
    std::optional<std::string> operator_string;
    std::optional<NetworkName> nitz; // the name the network sent (EMM/MM information)
};
Message nas_get_operator_name(std::uint8_t client);
// A name in an encoding past the two above, or a TLV cut short, is left out; not an error.
Result<OperatorName> parse_nas_operator_name(const Message& response);
// The text of one name field of 0x12/0x14, as UTF-8; none for an unknown encoding.
std::optional<std::string> decode_plmn_name(
    std::uint8_t encoding, std::uint8_t spare_bits, std::span<const std::uint8_t> bytes);

// NAS Get Signal Info 0x004F and the Signal Info indication 0x0051 (same TLVs).
struct LteSignal {
    int rssi_dbm = 0, rsrq_db = 0, rsrp_dbm = 0;
    double snr_db = 0;                           // sent in 0.1 dB
};
struct NrSignal {
    std::optional<int> rsrp_dbm;
    std::optional<double> snr_db;                // 0x8000 = not available
};
struct SignalInfo {
    std::optional<int> gsm_rssi_dbm;
    std::optional<int> wcdma_rssi_dbm;
    std::optional<LteSignal> lte;
    std::optional<NrSignal> nr;
};
Result<SignalInfo> parse_nas_signal_info(const Message& response_or_indication);
// NAS Register Indications 0x0003: serving system (0x13) and signal info (0x19) events on.
Message nas_register_indications(std::uint8_t client);
// NAS Initiate Network Register 0x0022: automatic, or manual on MCC/MNC (LTE).
Message nas_register_automatic(std::uint8_t client);
Message nas_register_manual(std::uint8_t client, std::uint16_t mcc, std::uint16_t mnc);

// NAS Set/Get System Selection Preference 0x0033/0x0034: the RATs the modem may use (TLV 0x11,
// QmiNasRatModePreference bits) and its LTE bands (TLV 0x15). A set changes only what it gives,
// permanently (TLV 0x17 change duration 1), as Quectel's AT+QCFG does.
namespace rat_mode {
constexpr std::uint16_t gsm = 1 << 2, umts = 1 << 3, lte = 1 << 4, nr5g = 1 << 6;
}
struct SystemSelection {
    std::optional<std::uint16_t> mode_preference;
    std::optional<std::uint64_t> lte_bands;          // bit n-1 enables E-UTRA band n
    bool operator==(const SystemSelection&) const = default;
};
Message nas_get_system_selection(std::uint8_t client);
Message nas_set_system_selection(std::uint8_t client, const SystemSelection& selection);
Result<SystemSelection> parse_nas_system_selection(const Message& response);

// NAS Get System Info 0x004D and the System Info indication 0x004E: the LTE part (TLVs 0x14
// service status, 0x19 LTE system info v2). Fields the modem marks invalid are none.
enum class ServiceStatus : std::uint8_t { None = 0, Limited = 1, Available = 2, LimitedRegional = 3, PowerSave = 4 };
std::string_view to_string(ServiceStatus status);
struct LteSystemInfo {
    ServiceStatus status = ServiceStatus::None;
    std::optional<bool> roaming;
    std::optional<std::uint16_t> tac;
    std::optional<std::uint32_t> cell_id;
    std::string mcc, mnc;                            // digits; a 2-digit MNC's 0xFF pad removed
    std::optional<std::uint8_t> reject_cause;        // 3GPP TS 24.301 EMM cause when rejected
};
Result<std::optional<LteSystemInfo>> parse_nas_system_info(const Message& response_or_indication);

// WDA Set Data Format 0x0020: raw-ip, no QoS header, no aggregation (what qmi_wwan's raw_ip mode
// expects). The response's 0x11 is the link layer protocol the modem really uses.
enum class LinkProtocol : std::uint32_t { Unknown = 0, Ethernet = 1, RawIp = 2 };
Message wda_set_data_format_raw_ip(std::uint8_t client);
Result<LinkProtocol> parse_wda_data_format(const Message& response);

// WDS Get Profile List 0x002A / Get Profile Settings 0x002B for 3GPP profiles (type 0): the
// modem's stored contexts (AT+CGDCONT's), which a Start Network without an APN uses.
struct ProfileSummary {
    std::uint8_t index = 0;
    std::string name;
};
struct ProfileSettings {
    std::string name, apn, username;
    std::optional<std::uint8_t> pdp_type;            // 0 IPv4, 1 PPP, 2 IPv6, 3 IPv4v6
    std::optional<std::uint8_t> authentication;      // bits: 1 PAP, 2 CHAP
};
Message wds_get_profile_list(std::uint8_t client);
Result<std::vector<ProfileSummary>> parse_wds_profile_list(const Message& response);
Message wds_get_profile_settings(std::uint8_t client, std::uint8_t index);
Result<ProfileSettings> parse_wds_profile_settings(const Message& response);

// WDS Start Network 0x0020.
enum class Authentication : std::uint8_t { None = 0, Pap = 1, Chap = 2, PapOrChap = 3 };   // bit mask
enum class IpFamily : std::uint8_t { Ipv4 = 4, Ipv6 = 6, Unspecified = 8 };
std::string_view to_string(IpFamily family);
struct StartNetwork {
    std::string apn;
    Authentication authentication = Authentication::None;
    std::string username, password;                  // sent only with authentication
    IpFamily family = IpFamily::Ipv4;
};
Message wds_start_network(std::uint8_t client, const StartNetwork& settings);
// Why a call ended or failed: TLV 0x10 generic reason, 0x11 verbose {type, reason}
// (type 6 = 3GPP, reason = the 3GPP TS 24.008 cause, e.g. 27 unknown APN).
struct CallEnd {
    std::optional<std::uint16_t> reason;
    std::optional<std::uint16_t> verbose_type;
    std::optional<std::int16_t> verbose_reason;
};
std::string describe(const CallEnd& end);          // "3GPP cause 27 (unknown APN)"
struct StartNetworkOutcome {
    Error error;                                      // empty: connected
    std::uint32_t handle = 0;                         // the packet data handle when connected
    CallEnd end;                                      // why not, when CallFailed
};
// NoEffect (already connected by another client) counts as success with the global handle,
// as ModemManager does.
StartNetworkOutcome parse_wds_start_network(const Message& response);
Message wds_stop_network(std::uint8_t client, std::uint32_t handle);
Message wds_set_ip_family(std::uint8_t client, IpFamily family);
// WDS Get Current Settings 0x002D asking for DNS, IP address, gateway, MTU and IP family.
Message wds_get_current_settings(std::uint8_t client);
struct Ipv6Address {
    std::array<std::uint8_t, 16> bytes {};
    std::uint8_t prefix_length = 0;
};
struct CurrentSettings {
    std::optional<std::uint32_t> ipv4_address, ipv4_gateway, ipv4_subnet_mask;   // host byte order
    std::vector<std::uint32_t> ipv4_dns;
    std::optional<Ipv6Address> ipv6_address, ipv6_gateway;
    std::vector<std::array<std::uint8_t, 16>> ipv6_dns;
    std::optional<std::uint32_t> mtu;
    std::optional<IpFamily> family;
};
Result<CurrentSettings> parse_wds_current_settings(const Message& response);
// WDS Packet Service Status indication 0x0022.
enum class ConnectionStatus : std::uint8_t { Unknown = 0, Disconnected = 1, Connected = 2, Suspended = 3,
                                             Authenticating = 4 };
std::string_view to_string(ConnectionStatus status);
struct PacketServiceStatus {
    ConnectionStatus status = ConnectionStatus::Unknown;
    bool reconfiguration_required = false;
    CallEnd end;
    std::optional<IpFamily> family;
};
Result<PacketServiceStatus> parse_wds_packet_service_status(const Message& indication);

// ---------------------------------------------------------------- message ids
// modem-protocols.md §2; the TLVs of each are described where they are built or read.
namespace ctl {
constexpr std::uint16_t set_instance_id = 0x0020, get_version_info = 0x0021, allocate_cid = 0x0022,
                        release_cid = 0x0023, set_data_format = 0x0026, sync = 0x0027;
} // namespace ctl
namespace dms {
constexpr std::uint16_t set_event_report = 0x0001, get_capabilities = 0x0020, get_manufacturer = 0x0021,
                        get_model = 0x0022, get_revision = 0x0023, get_msisdn = 0x0024, get_ids = 0x0025,
                        uim_verify_pin = 0x0028, uim_get_pin_status = 0x002b, get_hardware_revision = 0x002c,
                        get_operating_mode = 0x002d, set_operating_mode = 0x002e, uim_get_iccid = 0x003c,
                        uim_get_imsi = 0x0043, uim_get_state = 0x0044, get_software_version = 0x0051;
} // namespace dms
namespace uim {
constexpr std::uint16_t read_transparent = 0x0020, verify_pin = 0x0026, register_events = 0x002e,
                        get_card_status = 0x002f, card_status_indication = 0x0032;
} // namespace uim
namespace nas {
constexpr std::uint16_t register_indications = 0x0003, get_signal_strength = 0x0020,
                        initiate_network_register = 0x0022, get_serving_system = 0x0024,
                        serving_system_indication = 0x0024, get_home_network = 0x0025,
                        set_system_selection_preference = 0x0033, get_system_selection_preference = 0x0034,
                        get_operator_name = 0x0039, get_system_info = 0x004d, system_info_indication = 0x004e,
                        get_signal_info = 0x004f, config_signal_info = 0x0050, signal_info_indication = 0x0051;
} // namespace nas
namespace wda {
constexpr std::uint16_t set_data_format = 0x0020, get_data_format = 0x0021;
} // namespace wda
namespace wds {
constexpr std::uint16_t set_event_report = 0x0001, indication_register = 0x0003, start_network = 0x0020,
                        stop_network = 0x0021, get_packet_service_status = 0x0022,
                        packet_service_status_indication = 0x0022, get_packet_statistics = 0x0024,
                        create_profile = 0x0027, modify_profile = 0x0028, get_profile_list = 0x002a,
                        get_profile_settings = 0x002b, get_current_settings = 0x002d,
                        get_default_profile_number = 0x0049, set_ip_family = 0x004d,
                        set_autoconnect_settings = 0x0051;
} // namespace wds

// Packet data handle that stops every connection of the client's (libqmi's GLOBAL handle).
constexpr std::uint32_t global_packet_data_handle = 0xffffffff;

} // namespace uplink::qmi

namespace boost::system {
template <>
struct is_error_code_enum<uplink::qmi::Errc> : std::true_type {};
template <>
struct is_error_code_enum<uplink::qmi::ProtocolError> : std::true_type {};
} // namespace boost::system
