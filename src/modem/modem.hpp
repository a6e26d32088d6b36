// modem: finding modems (sysfs + hotplug), the vendor table, and one state machine per modem
// that keeps identity, SIM, registration and signal current over its AT port.
#pragma once

#include <at/at.hpp>
#include <core/core.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace uplink::modem {

enum class Errc {
    NoSuchModem = 1,     // no modem with that id
    NoAtPort,            // the modem has no AT port to send a command on
    NoDataPort,          // the modem has no data port uplink can connect with
    NotReady,            // the modem is not in a state that allows this
    WrongPinRemembered,  // this SIM refused this PIN before; it will not be tried again
    PinStoreUnreadable,  // <state_dir>/pin-failures is corrupt: no PIN is sent until it is fixed
    BadPin,              // not 4 to 8 digits (3GPP TS 31.101 §9.3)
    OnePinPerLine,       // an AT command line with more than one SIM password in it
    Unsupported,         // the modem's interface cannot express this setting
};
const boost::system::error_category& modem_category();
Error make_error_code(Errc code);

// Like ModemManager's MMModemState, without the bearer states (those come with the data path).
enum class State { Failed, Unknown, Initializing, Locked, Disabled, Enabling, Enabled, Searching, Registered };
std::string_view to_string(State state);

enum class FailedReason { None, SimMissing, SimError, WrongPin, PukRequired, PortHung, Unsupported };
std::string_view to_string(FailedReason reason);

enum class SimState { Unknown, Missing, Ready, PinRequired, PukRequired, Error };
std::string_view to_string(SimState state);

enum class RegistrationState { Idle, Home, Searching, Denied, Unknown, Roaming };
std::string_view to_string(RegistrationState state);

enum class Technology { Unknown, Gsm, Umts, Lte, Nr5gNsa, Nr5gSa };
std::string_view to_string(Technology technology);

enum class Protocol { Unknown, At, Qmi, Mbim, Ncm, Ecm };
std::string_view to_string(Protocol protocol);

enum class PortRole { Unknown, At, Modem /* PPP */, Diag, Nmea, Qmi, Mbim, Net };
std::string_view to_string(PortRole role);

struct Identity {
    std::string manufacturer, model, revision, imei;
};

struct Sim {
    SimState state = SimState::Unknown;
    std::string iccid, imsi;
    std::string operator_id;                  // MCC+MNC from the IMSI, e.g. "23415"
    std::optional<int> pin_retries, puk_retries;
    std::optional<bool> pin_enabled;          // whether the SIM asks for its PIN at power-on
};

// The SIM's own PIN, changed or switched on or off (27.007 AT+CPWD, AT+CLCK "SC"). The PIN given
// is checked against the record of refused PINs first: one the SIM refused is never sent again.
enum class PinOperation { Change, Enable, Disable };
std::string_view to_string(PinOperation operation);
struct PinRequest {
    PinOperation operation = PinOperation::Change;
    std::string pin, new_pin;                 // new_pin for Change only
};
struct PinOutcome {
    bool accepted = false;
    std::string message;                      // what happened, with the attempts left; never a PIN
    Sim sim;                                  // as read after the operation
};

struct Registration {
    RegistrationState state = RegistrationState::Unknown;
    Technology technology = Technology::Unknown;
    std::string operator_name, operator_id;   // "Vodafone UK", "23415"
    std::optional<std::uint32_t> tac;
    std::optional<std::uint64_t> cell_id;     // 28-bit E-UTRAN, 36-bit NR cell identity
};

struct Carrier {                              // one component carrier (QCAINFO)
    bool primary = false;
    std::string band;                         // "LTE BAND 3"
    int earfcn = 0;
    int bandwidth_rb = 0;
    std::optional<int> pci, rsrp_dbm, rsrq_db, sinr_db;
};

struct Signal {
    std::optional<int> rssi_dbm, rsrp_dbm, rsrq_db, sinr_db;
    std::optional<int> band, earfcn, pci;
    std::vector<Carrier> carriers;
    // RSRP per receive chain (antenna connector): main, diversity, then the MIMO chains of
    // 4x4 modules; a chain the modem does not measure is none. Empty: not reported.
    std::vector<std::optional<int>> antenna_rsrp_dbm;
    std::optional<Clock::time_point> updated;
};

struct Port {
    std::string name;                         // ttyUSB2
    std::string device_path;                  // /dev/ttyUSB2 (under the configured dev root)
    PortRole role = PortRole::Unknown;
    int interface_number = -1;
    std::string driver;                       // option, qmi_wwan, cdc_wdm...
};

struct Device {
    std::string usb_path;                     // "1-1.2": the physical port, stable across replug
    std::string sysfs_path;
    std::string vendor_id, product_id;        // "2c7c", "0125"
    std::string vendor_entry;                 // vendor table entry that matched, or "" (probed)
    Protocol protocol = Protocol::Unknown;
    std::vector<Port> ports;
};

// ---------------------------------------------------------------- the data connection
enum class ConnectionState { Disconnected, Connecting, Connected, Disconnecting };
std::string_view to_string(ConnectionState state);

enum class Authentication { None, Pap, Chap, PapOrChap };
std::string_view to_string(Authentication authentication);
enum class IpFamilies { Ipv4, Ipv6, Both };
std::string_view to_string(IpFamilies families);

// Who sets up a connected modem's interface. uplinkd gives it the addresses, routes and NAT; on
// OpenWrt a modem that a `proto uplink` interface of /etc/config/network names is netifd's:
// netifd decides when it connects (`uplink netifd-session`) and puts on the interface what the
// session reports, and fw4 masquerades it.
enum class LinkOwner { Uplinkd, Netifd };
std::string_view to_string(LinkOwner owner);   // "uplinkd", "netifd"

// What to connect with and how the link is set up: a profile's connection part, with its APN
// filled in (see EffectiveSettings).
struct ConnectionSettings {
    bool autoconnect = true;                  // connect whenever registered; never for netifd's
    LinkOwner link_owner = LinkOwner::Uplinkd;
    std::string apn;
    Authentication authentication = Authentication::None;
    std::string username, password;
    IpFamilies families = IpFamilies::Ipv4;
    std::optional<std::uint32_t> mtu;         // instead of the MTU the network grants
    std::uint32_t route_metric = 0;           // of its default routes; 0 in a profile: by WAN number
    // The TTL and IPv6 hop limit of every packet leaving through the modem; none: as routed.
    // Some operators count a router's clients, one hop lower than a phone's, as tethering.
    std::optional<std::uint8_t> ttl;
    bool operator==(const ConnectionSettings&) const = default;
};

// Addresses as text ("100.64.0.2", "2001:db8::2"): what the modem granted.
struct IpSettings {
    std::string address;
    int prefix_length = 0;
    std::string gateway;
    std::vector<std::string> dns;
    bool operator==(const IpSettings&) const = default;
};

struct LinkConfiguration {
    std::string interface;                    // wwan0
    std::optional<IpSettings> ipv4, ipv6;
    std::optional<std::uint32_t> mtu;
    std::uint32_t route_metric = 200;
    std::optional<std::uint8_t> ttl;          // set on what leaves through it; none: as routed
    bool operator==(const LinkConfiguration&) const = default;
};

struct TrafficCounters {
    std::uint64_t received_bytes = 0, sent_bytes = 0;
};

// How a connection's addresses reach the network interface: the composition root wires
// rtnetlink here; the modem module knows nothing of it.
struct LinkHooks {
    std::function<Result<void>(const LinkConfiguration&)> configure;
    std::function<void(const std::string& interface)> deconfigure;
    std::function<std::optional<TrafficCounters>(const std::string& interface)> traffic; // the kernel's counters
    // One echo to an IPv4 host through that interface alone: the round trip, or why not.
    std::function<boost::asio::awaitable<Result<Duration>>(std::string interface, std::string host, Duration timeout)>
        probe;
};

struct Connection {
    ConnectionState state = ConnectionState::Disconnected;
    std::string interface;                    // the modem's network interface, "" when it has none
    std::optional<IpSettings> ipv4, ipv6;
    std::optional<std::uint32_t> mtu;
    std::optional<std::chrono::system_clock::time_point> connected_since;
    std::optional<TrafficCounters> traffic;   // bytes through the interface since connected
    std::string last_error;                   // why the last attempt failed or the call ended
};

// ---------------------------------------------------------------- profiles and SIM rules
// Staying online: the data-path check and the recovery ladder (reconnect, radio off/on, modem
// reset, and where allowed a USB power cycle), with their limits and backoff.
struct Watchdog {
    std::vector<std::string> probe_hosts;     // IPv4 addresses pinged through the modem's own
                                              // interface; none: the modem's word alone
    Duration probe_interval = 60s;
    Duration first_backoff = 15s;             // after the first remedy, doubling up to 30 min
    bool usb_power_cycle = false;             // the top step: needs a hub with per-port power
    bool operator==(const Watchdog&) const = default;
};
// What one probe exchange costs both ways (IPv4 + ICMP headers + 8 bytes), per 30-day month.
std::uint64_t watchdog_bytes_per_month(const Watchdog& watchdog);

// ---------------------------------------------------------------- radio controls
// Which radio access technologies the modem may use: all it has, or one alone. 27.007 has no
// common command for it: each vendor has its own (Quectel AT+QCFG="nwscanmode").
enum class RatPreference { Auto, Nr, Lte, Umts, Gsm };
std::string_view to_string(RatPreference preference);      // "auto", "5g", "lte", "3g", "2g"

// What a profile asks of the radio. Left at their defaults, uplink changes nothing on the modem.
struct RadioSettings {
    RatPreference rat = RatPreference::Auto;
    std::vector<int> lte_bands;               // locked to these, ascending; empty: no lock
    std::vector<int> nr_bands;                // 5G NR, both standalone and non-standalone (EN-DC)
    std::string network;                      // MCC+MNC chosen by hand (AT+COPS=1); "": automatic
    bool operator==(const RadioSettings&) const = default;
};
std::string describe_bands(const std::vector<int>& bands);   // "3 7 20", or "all"

// What the modem reports it uses, read back after the profile's settings were applied.
struct RadioState {
    std::optional<RatPreference> rat;         // none: the model has no RAT control uplink knows
    std::optional<std::vector<int>> lte_bands; // the bands enabled in its mask; none: no band control
    std::optional<std::vector<int>> nr_bands;  // 5G NR standalone; none: not a 5G modem uplink knows
    std::optional<std::vector<int>> nsa_nr_bands; // 5G NR with LTE (EN-DC); none: no such setting
    std::string selection;                    // "automatic", "manual"; "" before it was read
    std::string network;                      // the network chosen by hand
    std::string error;                        // why the profile's radio settings are not in effect
    bool operator==(const RadioState&) const = default;
};

// One network an operator scan found (27.007 AT+COPS=?).
struct NetworkEntry {
    std::string mcc_mnc, long_name, short_name;
    std::string status;                       // "available", "current", "forbidden", "unknown"
    Technology technology = Technology::Unknown;
};

// A named set of connection settings (`config profile` in the configuration).
struct Profile {
    std::string name;
    ConnectionSettings connection;            // an empty APN is looked up in the operator table
    std::string pin;                          // "" when the SIM has no PIN
    Watchdog watchdog;
    RadioSettings radio;
    bool operator==(const Profile&) const = default;
};

// Which profile a modem uses: the first rule whose every given criterion matches (`config rule`).
struct SimRule {
    std::string name;                         // the section's name, or "rule <n>" in file order
    std::string profile;
    std::string iccid_prefix, imsi_prefix, mcc_mnc, imei, model; // "" matches anything
    bool operator==(const SimRule&) const = default;
};

struct ProfilePolicy {
    std::vector<Profile> profiles;
    std::vector<SimRule> rules;
    std::string default_profile = "default";  // when no rule matches; built in when not configured
    bool operator==(const ProfilePolicy&) const = default;
};

enum class ApnSource { Profile, OperatorTable, Network };
std::string_view to_string(ApnSource source);

// What a modem uses now, and why: the API shows this as its effective settings.
struct EffectiveSettings {
    std::string profile;
    std::string rule;                         // "" when the default profile was taken
    std::string reason;                       // "ICCID starts with 894411", "no rule matched"
    bool provisional = false;                 // chosen while the IMSI was unreadable (SIM locked)
    ApnSource apn_source = ApnSource::Profile;
    std::string apn_entry;                    // the operator table entry used: "23415 Vodafone UK"
    ConnectionSettings connection;
    Watchdog watchdog;
    RadioSettings radio;
    bool has_pin = false;
    bool operator==(const EffectiveSettings&) const = default;
};

// What the modem knows of itself when a profile is chosen. Rules on the IMSI or MCC-MNC cannot be
// decided while the SIM is locked; those are skipped and the choice is marked provisional.
// `wan_number` gives the route metric a profile leaves open: 200 for WAN1, 210 for WAN2, ...
EffectiveSettings choose_settings(const ProfilePolicy& policy, const Sim& sim, const Identity& identity,
    unsigned wan_number, LinkOwner owner = LinkOwner::Uplinkd);
std::uint32_t default_route_metric(unsigned wan_number);
// The profile's PIN for that choice ("" when none); kept out of EffectiveSettings so it is never shown.
std::string pin_of(const ProfilePolicy& policy, const EffectiveSettings& settings);

// One line of the modem dialogue: an AT line or a QMI message, as it crossed the port.
struct DialogueLine {
    std::chrono::system_clock::time_point time;
    std::string port;                         // ttyUSB2, cdc-wdm0
    std::string direction;                    // ">" sent, "<" received, "urc", "ind"...
    std::string text;                         // PINs and passwords redacted
};

// Where the modem is on its recovery ladder (reconnect -> radio off/on -> modem reset).
struct Recovery {
    std::string state;                        // "idle", "climbing", "exhausted"
    std::string next_step;                    // "reconnect", "radio-off-on", "modem-reset", ...
    std::string last_action;                  // "step 2/3 radio-off-on, attempt 1 of 2: ..."
    std::optional<std::chrono::system_clock::time_point> last_action_at;
    std::optional<std::chrono::system_clock::time_point> not_before; // no remedy before then
    std::uint64_t probe_bytes_per_month = 0;  // what the watchdog's probes cost
};

// Everything the API shows about one modem; a copy, so callers never race the state machine.
struct Snapshot {
    std::string id;                           // the USB path: stable for a slot
    std::string wan;                          // "wan1": by USB path, remembered in state_dir
    State state = State::Unknown;
    FailedReason failed_reason = FailedReason::None;
    std::string message;                      // what a person should know about the state
    Identity identity;
    Sim sim;
    Registration registration;
    Signal signal;
    Connection connection;
    std::optional<EffectiveSettings> settings; // once the SIM (or its absence) is known
    RadioState radio;
    Recovery recovery;
    Device device;
};

struct Event {
    // WanChanged: a WAN of `config wan` changed state; the daemon publishes it (Manager::publish)
    // so that one stream carries everything a page or a client follows.
    enum class Kind { Added, Removed, StateChanged, SimChanged, RegistrationChanged, SignalChanged,
                      ConnectionChanged, SettingsChanged, Recovery, WanChanged };
    Kind kind = Kind::StateChanged;
    std::string modem_id;                     // "" for a WanChanged
    std::string message;                      // "registered -> searching", "unplugged"
    std::chrono::system_clock::time_point time;
    std::string wan;                          // a WanChanged's WAN ("fibre")
};
std::string_view to_string(Event::Kind kind);

struct Options {
    std::string sysfs_root = "/sys";
    std::string dev_root = "/dev";
    std::string state_dir = "/var/lib/uplink";   // remembers PINs a SIM refused
    Duration poll_interval = 10s;
    Duration command_timeout = 5s;
    ProfilePolicy policy;
    LinkHooks link;
    // The modems whose link is netifd's (LinkOwner::Netifd): `wan1` or a USB path (`1-1.2`).
    std::vector<std::string> netifd_modems;
};

// Whether a preview compares secrets (PINs, APN passwords) or only whether each is set: one made
// for an API token does not, or "pin: changed" would tell it whether a guessed PIN is right.
enum class SecretComparison { Compared, Hidden };

// What applying new options would do to one modem (Manager::preview).
struct PlannedChange {
    std::string modem_id, wan;
    std::optional<EffectiveSettings> before, after;   // none when the SIM is not read yet
    std::vector<std::string> differences;             // "apn: internet -> iot.example"
    enum class Action { None, Reconfigure, Reconnect, Connect, Disconnect, RetryPin };
    Action action = Action::None;
    // The radio settings are applied besides the action: a band lock needs no new call.
    enum class RadioAction { Keep, Apply };
    RadioAction radio = RadioAction::Keep;
};
std::string_view to_string(PlannedChange::Action action);
std::string_view to_string(PlannedChange::RadioAction action);

// Owns discovery and every Modem. One per daemon; lives on the daemon's io_context.
class Manager {
public:
    Manager(boost::asio::any_io_executor executor, Options options);
    ~Manager();
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;

    void start();                             // first scan, then hotplug
    void stop();
    void apply(Options options);              // live reload: only what changed takes effect
    // What apply(options) would do to each modem, without doing it.
    std::vector<PlannedChange> preview(
        const Options& options, SecretComparison secrets = SecretComparison::Compared) const;

    std::vector<Snapshot> modems() const;
    std::optional<Snapshot> modem(std::string_view id) const;

    // Connect now (and stay connected), or disconnect and stay so until connect() or a restart.
    Result<void> connect(std::string_view modem_id);
    Result<void> disconnect(std::string_view modem_id);

    // Change, enable or disable the SIM's PIN; a refusal by the SIM is an outcome (with the
    // attempts left), an error means nothing was sent or no answer came.
    boost::asio::awaitable<Result<PinOutcome>> set_sim_pin(std::string modem_id, PinRequest request);

    // The last lines of the modem dialogue (at most dialogue_limit), oldest first.
    static constexpr std::size_t dialogue_limit = 2000;
    std::optional<std::vector<DialogueLine>> dialogue(std::string_view modem_id) const;

    // An administrator's raw command, queued behind the modem's own on its AT port.
    boost::asio::awaitable<Result<at::Reply>> send_at(std::string modem_id, std::string command);
    // The networks in reach (AT+COPS=?): takes up to operator_scan_timeout, as the radio searches.
    static constexpr Duration operator_scan_timeout = 180s;
    boost::asio::awaitable<Result<std::vector<NetworkEntry>>> scan_networks(std::string modem_id);

    // A lease on fast signal polling, for an antenna alignment view: until it ends, the modem's
    // signal commands alone (not the whole poll) run every fast_signal_interval between the full
    // polls, and each sample is a signal-changed event even when its values repeat (those are
    // not kept among the recent events). A lease is extended, never shortened; it ends with the
    // modem (unplugged, stopped). Returns when the lease ends.
    static constexpr Duration fast_signal_interval = 250ms;
    Result<Clock::time_point> fast_signal(std::string_view modem_id, Duration length);

    // Every event, as it happens; the returned handle unsubscribes when destroyed.
    using Listener = std::function<void(const Event&)>;
    class Subscription {
    public:
        Subscription() = default;
        explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
        Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
        // Assigning over a subscription ends it first.
        Subscription& operator=(Subscription&& other) noexcept
        {
            if (this != &other) {
                if (cancel_)
                    cancel_();
                cancel_ = std::exchange(other.cancel_, nullptr);
            }
            return *this;
        }
        ~Subscription() { if (cancel_) cancel_(); }
    private:
        std::function<void()> cancel_;
    };
    [[nodiscard]] Subscription subscribe(Listener listener);
    std::vector<Event> recent_events() const;
    // An event from beside the modems (a WAN's transition), kept and sent as theirs are.
    void publish(Event event);

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace uplink::modem

namespace boost::system {
template <>
struct is_error_code_enum<uplink::modem::Errc> : std::true_type {};
} // namespace boost::system
