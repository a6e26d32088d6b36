// at: the AT command channel of a modem port.
//  - Framer: sans-I/O line framing (echo on or off, URCs between replies, every final result code).
//  - Parsers: pure functions from reply lines to values, 3GPP TS 27.007 forms and vendors' (Quectel...).
//  - Channel: the Asio owner of one port: a command queue, per-command timeouts, URC routing.
#pragma once

#include <core/core.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::at {

// ---------------------------------------------------------------- errors
// Channel and parser failures. Modem-reported errors use the two categories below instead,
// so `+CME ERROR: 10` is cme_category() value 10 ("SIM not inserted").
enum class Errc {
    Timeout = 1,      // no final result code within the command's timeout
    PortClosed,       // the port went away (unplug, EIO, HUP)
    PortHung,         // several commands in a row timed out; the port is not answering
    Error,            // plain "ERROR"
    NoCarrier,        // NO CARRIER
    Busy,             // BUSY
    NoAnswer,         // NO ANSWER
    NoDialtone,       // NO DIALTONE
    Parse,            // a reply line did not have the expected form
    NotFound,         // the reply had no line the parser needed
    Cancelled,        // the channel was closed while the command waited
    ReplyTooLong,     // more than Channel::max_reply_lines lines before the final result
};
const boost::system::error_category& at_category();
const boost::system::error_category& cme_category();   // 3GPP TS 27.007 §9.2 numbers
const boost::system::error_category& cms_category();   // 3GPP TS 27.005 §3.2.5 numbers
Error make_error_code(Errc code);
Error cme_error(int code);
Error cms_error(int code);

// ---------------------------------------------------------------- framing
enum class FinalKind { Ok, Error, CmeError, CmsError, NoCarrier, Busy, NoAnswer, NoDialtone, Connect };
std::string_view to_string(FinalKind kind);

struct Final {
    FinalKind kind = FinalKind::Ok;
    int code = -1;            // CME/CMS numeric code; -1 when verbose text was given
    std::string text;         // the final line as received, e.g. "+CME ERROR: 10"
};

// The complete answer to one command: information lines (echo removed) and the final result.
struct Reply {
    std::vector<std::string> lines;
    Final final;
};

// Maps a final result that is not OK (or CONNECT) to an error code; OK gives an empty code.
Error error_of(const Final& final);

struct FrameEvent {
    enum class Kind {
        Line,      // an information line of the command in flight
        Final,     // the command in flight ended; `final` is set
        Urc,       // an unsolicited line (no command in flight, or a known URC prefix)
        Garbage,   // bytes that are not a text line (binary noise, an over-long line); dropped
    };
    Kind kind = Kind::Line;
    std::string text;
    std::optional<Final> final;
};
std::string_view to_string(FrameEvent::Kind kind);

// Sans-I/O: feed bytes as they arrive, in any split, and get events back.
class Framer {
public:
    // The command line just written (without "\r"); its echo is dropped and lines
    // with its prefix are replies even if they look like URCs.
    void begin_command(std::string command);
    void reset();                                   // after a port reopen
    std::vector<FrameEvent> feed(std::string_view bytes);
    bool command_in_flight() const { return in_flight_; }

    static constexpr std::size_t max_line_length = 4096;

private:
    void take_line(std::string line, std::vector<FrameEvent>& events);

    std::string buffer_;
    std::string command_;
    std::string command_prefix_;  // "+CEREG" for "AT+CEREG?": lines starting so belong to the reply
    bool in_flight_ = false;
    bool discarding_ = false;     // inside an over-long line, until its end
};

// Lines that are unsolicited result codes even while a command is in flight
// (unless they carry the command's own prefix): "RDY", "+CPIN:", "+QUSIM:", "+QIND:", "+CEREG:"...
bool is_urc(std::string_view line);

// The line with its secrets (PINs, PUKs, passwords) replaced by "***", for logs and for anything
// a person may see: AT+CPIN="1234" -> AT+CPIN=***, AT+CLCK="SC",0,"1234" -> AT+CLCK="SC",0,***,
// in every command of a line (AT+CMEE=2;+CPIN=***), and in replies that give credentials back
// (+QICSGP: 1,"internet","web",***).
std::string redact_secrets(std::string_view line);

// A SIM password that a command line sends the SIM, in any of its commands: PIN1 in
// AT+CPIN=<pin>, AT+CLCK="SC",<mode>,<pin> and AT+CPWD="SC",<old pin>,<new pin>, or the PUK in
// AT+CPIN=<puk>,<new pin> (3GPP TS 27.007 §8.3, §7.4, §7.5). For uplink's one-try PIN rule.
struct SimPassword {
    enum class Kind { Pin, Puk };
    Kind kind = Kind::Pin;
    std::string value;                        // unquoted
    bool operator==(const SimPassword&) const = default;
};
std::vector<SimPassword> sim_passwords(std::string_view line);

// ---------------------------------------------------------------- parsed values
enum class PinState { Ready, SimPin, SimPuk, SimPin2, SimPuk2, PhSimPin, PhNetPin, PhNetPuk, Other };
std::string_view to_string(PinState state);

// 3GPP TS 27.007 §7.2 (+CREG), §10.1.20 (+CGREG), §10.1.22 (+CEREG), §10.1.47 (+C5GREG) <stat>:
// 6/7 registered for "SMS only", 8 attached for emergency bearer services only, 9/10 registered
// for "CSFB not preferred" (home/roaming), 11 attached for access to Restricted Local Operator
// Services (RLOS). Each command defines a subset; the values do not clash.
enum class RegistrationStatus { NotRegistered = 0, Home = 1, Searching = 2, Denied = 3, Unknown = 4, Roaming = 5,
                                SmsOnlyHome = 6, SmsOnlyRoaming = 7, Emergency = 8, CsfbNotPreferredHome = 9,
                                CsfbNotPreferredRoaming = 10, RestrictedLocalServices = 11 };
std::string_view to_string(RegistrationStatus status);

// 3GPP TS 27.007 §7.3 <AcT>
enum class AccessTechnology { Unknown = -1, Gsm = 0, GsmCompact = 1, Utran = 2, GsmEgprs = 3, UtranHsdpa = 4,
                              UtranHsupa = 5, UtranHspa = 6, Eutran = 7, EcGsmIot = 8, EutranNbIot = 9,
                              EutranNr = 10 /* E-UTRA connected to 5GCN */, Nr = 11, NgRan = 12, EutranNrDual = 13 };
std::string_view to_string(AccessTechnology technology);

struct Identity {               // ATI, AT+CGMI/CGMM/CGMR
    std::string manufacturer, model, revision;
};

struct PinCounters {            // AT+QPINC? (Quectel): "SC" is PIN1/PUK1, "P2" PIN2/PUK2
    std::optional<int> pin1, puk1, pin2, puk2;
};

struct Registration {           // +CREG/+CGREG/+CEREG/+C5GREG, read and unsolicited forms
    std::optional<int> mode;                  // <n>, only in the read form
    RegistrationStatus status = RegistrationStatus::Unknown;
    std::optional<std::uint32_t> area;        // <lac>/<tac>, hex in the reply
    std::optional<std::uint64_t> cell_id;     // <ci>, hex in the reply (NR cell identities have 36 bits)
    std::optional<AccessTechnology> technology; // Unknown: past 27.007's table, or not a number
    // <cause_type> 0: <reject_cause> is a 24.008/24.301/24.501 cause; 1: manufacturer-specific
    std::optional<int> cause_type, reject_cause;
};

struct OperatorSelection {      // AT+COPS?
    int mode = 0;                             // 0 automatic, 1 manual, 2 deregister, 3 format only, 4 manual/automatic
    std::optional<int> format;                // 0 long, 1 short, 2 numeric
    std::string name;
    std::optional<AccessTechnology> technology;
};

struct OperatorEntry {          // one tuple of AT+COPS=?
    int status = 0;                           // 0 unknown, 1 available, 2 current, 3 forbidden
    std::string long_name, short_name, numeric;
    std::optional<AccessTechnology> technology;
};

struct SignalQuality {          // AT+CSQ
    std::optional<int> rssi_dbm;              // -113 + 2*<rssi>; none for 99
    std::optional<int> bit_error_rate;        // 0..7; none for 99
};

struct ExtendedSignalQuality {  // AT+CESQ, converted per 27.007 §8.69
    std::optional<int> rxlev_dbm;
    std::optional<int> bit_error_rate;
    std::optional<int> rscp_dbm;
    std::optional<double> ecno_db;
    std::optional<double> rsrq_db;
    std::optional<int> rsrp_dbm;
};

struct ServingCell {            // AT+QENG="servingcell" (Quectel)
    std::string state;                        // SEARCH, LIMSRV, NOCONN, CONNECT
    std::string technology;                   // "LTE", "WCDMA", "NR5G-SA", ... empty when searching
    std::string duplex;                       // FDD / TDD
    std::string mcc, mnc;                     // decimal text, leading zeros kept
    std::optional<std::uint64_t> cell_id;     // hex in the reply (36 bits on NR5G-SA)
    std::optional<int> pci, earfcn, band;
    std::optional<int> ul_bandwidth_mhz_x10, dl_bandwidth_mhz_x10;  // from the 0..5 enum: 14, 30, 50, 100, 150, 200
    std::optional<std::uint32_t> tac;         // hex in the reply
    std::optional<int> rsrp_dbm, rsrq_db, rssi_dbm, sinr_db, srxlev;
};

struct NetworkInfo {            // AT+QNWINFO
    std::string technology;                   // "FDD LTE", "WCDMA", ... empty for "No Service"
    std::string operator_id;                  // MCC+MNC
    std::string band;                         // "LTE BAND 3"
    std::optional<int> channel;
};

struct CarrierComponent {       // one line of AT+QCAINFO
    bool primary = false;
    int earfcn = 0;
    int bandwidth_rb = 0;                     // resource blocks: 6,15,25,50,75,100
    std::string band;                         // "LTE BAND 3"
    std::optional<int> state, pci, rsrp_dbm, rsrq_db, rssi_dbm, sinr_db;
};

struct AntennaRsrp {            // AT+QRSRP: per receive chain; absent chains are none
    std::vector<std::optional<int>> rsrp_dbm;
    std::string technology;
};

struct PdpContext {             // one line of AT+CGDCONT?
    int cid = 0;
    std::string pdp_type;                     // IP, IPV6, IPV4V6, PPP, Non-IP
    std::string apn;
    std::string address;
};

struct BandConfiguration {      // AT+QCFG="band"
    std::string gw_mask, lte_mask, tds_mask;  // hex as given, "0x" removed
    std::vector<int> lte_bands;               // decoded from lte_mask: bit n-1 = band n
};

// 3GPP TS 27.007 §5.5 +CSCS: the character set of the modem's string parameters (operator
// names among them). IRA is ITU-T T.50 (ASCII); GSM the 23.038 default alphabet, a septet a byte;
// UCS2 hex digits, four per 16-bit unit ("0041" is "A").
enum class CharacterSet { Ira, Gsm, Ucs2, Utf8, Other };
std::string_view to_string(CharacterSet charset);

// ---------------------------------------------------------------- parsers
// Each takes the information lines of one reply (Reply::lines) or, for URCs, one line.
Result<PinState> parse_cpin_read(const std::vector<std::string>& lines);
Result<PinCounters> parse_qpinc_read(const std::vector<std::string>& lines);
Result<std::string> parse_iccid(const std::vector<std::string>& lines);   // +QCCID/+ICCID/+CCID/^ICCID/bare; trailing F dropped
Result<std::string> parse_cimi(const std::vector<std::string>& lines);
Result<std::string> parse_cgsn(const std::vector<std::string>& lines);    // IMEI, bare or "+CGSN: "
Result<Identity> parse_ati(const std::vector<std::string>& lines);
Result<std::string> parse_single_value(const std::vector<std::string>& lines);  // AT+CGMI/CGMM/CGMR
Result<int> parse_cfun_read(const std::vector<std::string>& lines);
Result<Registration> parse_registration(std::string_view line);         // any of the four, either form
// +CSCS: "UCS2"; the name itself in UCS2 hex too, as Huawei firmware answers in UCS2 mode.
Result<CharacterSet> parse_cscs_read(const std::vector<std::string>& lines);
// A string parameter (quotes removed) as the modem sent it in `charset`, as UTF-8. UCS2 text that
// is not hex of whole units comes back as it was (a numeric MCC+MNC some firmware leaves plain);
// in the other sets, hex that can only be UCS2 (every unit 00xx, printable) is decoded too.
std::string decode_text(std::string_view text, CharacterSet charset);
// The operator names decoded from `charset` (see decode_text()).
Result<OperatorSelection> parse_cops_read(
    const std::vector<std::string>& lines, CharacterSet charset = CharacterSet::Ira);
Result<std::vector<OperatorEntry>> parse_cops_test(
    const std::vector<std::string>& lines, CharacterSet charset = CharacterSet::Ira);
Result<SignalQuality> parse_csq(const std::vector<std::string>& lines);
Result<ExtendedSignalQuality> parse_cesq(const std::vector<std::string>& lines);
Result<ServingCell> parse_qeng_servingcell(const std::vector<std::string>& lines);
Result<NetworkInfo> parse_qnwinfo(const std::vector<std::string>& lines);
Result<std::vector<CarrierComponent>> parse_qcainfo(const std::vector<std::string>& lines);
Result<AntennaRsrp> parse_qrsrp(const std::vector<std::string>& lines);
Result<std::vector<PdpContext>> parse_cgdcont_read(const std::vector<std::string>& lines);
Result<BandConfiguration> parse_qcfg_band(const std::vector<std::string>& lines);
Result<int> parse_qcfg_nwscanmode(const std::vector<std::string>& lines);
// The bands a Quectel mask (hex without "0x") enables: bit n-1 is band n. Empty for a non-hex mask.
std::vector<int> bands_of_mask(std::string_view mask);
// +QNWPREFCFG: "<item>",<value>, the value of the item asked for: RAT names joined by ':' for
// "mode_pref" (AUTO, LTE:NR5G), band numbers joined by ':' for the band items (1:3:7).
Result<std::string> parse_qnwprefcfg(const std::vector<std::string>& lines, std::string_view item);
// "1:3:7": the bands, ascending. Anything but band numbers joined by ':' is a parse error.
Result<std::vector<int>> parse_band_list(std::string_view text);

// ---------------------------------------------------------------- the channel
struct ChannelStats {
    std::uint64_t commands = 0, timeouts = 0, urcs = 0, garbage = 0;
    int consecutive_timeouts = 0;
};

// Opens a tty (or a pty's slave) for AT: raw mode, 115200 8N1, non-blocking, no controlling tty.
Result<int> open_serial_port(const std::string& path);

// The single owner of one AT port. Commands queue and run one at a time, in call order.
// After `hung_after` consecutive timeouts every queued and later command fails with
// Errc::PortHung until the owner reopens the port (reopen()).
class Channel {
public:
    Channel(boost::asio::any_io_executor executor, std::string name, int fd);
    ~Channel();
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    // The full reply, whatever its final result; errors only for transport failures.
    boost::asio::awaitable<Result<Reply>> transact(std::string command, Duration timeout);
    // As transact(), but a final result other than OK is an error (error_of()).
    boost::asio::awaitable<Result<Reply>> command(std::string command, Duration timeout);

    void set_urc_handler(std::function<void(const std::string&)> handler);
    // Every line that crosses the port, as the debug log shows it: ">" sent (PINs and passwords
    // redacted), "<" a reply line, "urc", "garbage", "late line:"... For the modem dialogue.
    void set_trace_handler(std::function<void(std::string_view direction, std::string_view text)> handler);
    // Called once when the port fails (EIO/HUP on unplug) with the reason.
    void set_closed_handler(std::function<void(Error)> handler);

    Result<void> reopen(int fd);      // new fd for the same port; resets framing and the hung state
    void close();                     // fails every waiting command with Errc::Cancelled
    bool hung() const;
    const std::string& name() const;
    ChannelStats stats() const;

    static constexpr int hung_after = 2;
    // Lines one command's reply may have. The longest real ones (AT+QCFG=?, a neighbour cell
    // list, AT&V) are a few dozen; a modem that sends lines without end must not fill the
    // router's memory before the timeout. The command fails with Errc::ReplyTooLong at its final.
    static constexpr std::size_t max_reply_lines = 256;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace uplink::at

namespace boost::system {
template <>
struct is_error_code_enum<uplink::at::Errc> : std::true_type {};
} // namespace boost::system
