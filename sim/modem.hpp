// The emulated modem, sans-I/O: a Quectel EC25 or a Sierra Wireless MC7455 (the scenario's
// model, model_profile.hpp) as its AT ports and its QMI port (cdc-wdm) see it. It takes command
// lines, QMI requests and clock readings and returns reply bytes, QMI responses, unsolicited result
// codes (URCs) and QMI indications with the time they are due; the emulator's I/O layer moves them
// to and from the ptys. Both faces read and change the same state (SIM, registration, radio, CFUN,
// bearers), so they always agree.
//
// Reply bytes follow V.250 with ATV1: echo (ATE1) is the command line and "\r"; the information
// lines are "\r\n<line>\r\n<line>\r\n", the final result "\r\nOK\r\n", and every URC its own
// "\r\n<urc>\r\n" (modem-protocols.md §4).
#pragma once

#include "sim/at_parse.hpp"
#include "sim/qmi_state.hpp"
#include "sim/scenario.hpp"

#include <array>
#include <bitset>
#include <map>
#include <optional>
#include <qmi/qmi.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::sim {

// ---------------------------------------------------------------- the SIM card
// Its secrets and retry counters belong to the card: they survive a modem reboot, an unplug,
// and moving the card to another modem.
class SimCard {
public:
    explicit SimCard(SimSpec spec)
        : spec_(std::move(spec))
    {
    }

    enum class Check { Correct, Wrong };
    Check verify_pin(std::string_view pin); // a wrong PIN costs one try
    Check unblock(std::string_view puk, std::string_view new_pin); // a wrong PUK costs one try
    void set_pin_enabled(bool enabled) { spec_.pin_enabled = enabled; }
    Check change_pin(std::string_view old_pin, std::string_view new_pin); // a wrong old PIN costs one try

    bool pin_blocked() const { return spec_.pin_retries == 0; } // PUK required
    bool blocked() const { return spec_.puk_retries == 0; } // dead until replaced
    const SimSpec& spec() const { return spec_; }

    // 3GPP TS 31.101 practice: three PIN tries and ten PUK tries, restored by a success.
    static constexpr int pin_tries = 3;
    static constexpr int puk_tries = 10;

private:
    SimSpec spec_;
};

// The card's elementary files as it stores them, for UIM Read Transparent and AT+CRSM.
constexpr std::uint16_t ef_iccid = 0x2fe2, ef_imsi = 0x6f07; // TS 102 221 §13.2, TS 31.102
std::vector<std::uint8_t> iccid_file(std::string_view iccid);
std::vector<std::uint8_t> imsi_file(std::string_view imsi);

// ---------------------------------------------------------------- states
enum class SimState { Absent, Initializing, PinRequired, PukRequired, Blocked, Ready };
std::string_view to_string(SimState state);

// 3GPP TS 27.007 §7.2 <stat>
enum class RegistrationStatus {
    NotRegistered = 0,
    Home = 1,
    Searching = 2,
    Denied = 3,
    Unknown = 4,
    Roaming = 5
};
std::string_view to_string(RegistrationStatus status);

// 3GPP TS 27.007 §8.2 <fun>
enum class Functionality { Minimum = 0, Full = 1, Airplane = 4 };
std::string_view to_string(Functionality functionality);

enum class Echo { Off, On }; // ATE0 / ATE1
enum class ErrorMode { Plain = 0, Numeric = 1, Verbose = 2 }; // AT+CMEE=0/1/2
enum class NetworkAccess { Allowed, Detached }; // the control socket's detach
enum class OperatorMode { Automatic = 0, Manual = 1, Deregistered = 2 }; // AT+COPS=<mode>

// ---------------------------------------------------------------- what the model returns
struct Answer {
    std::string echo; // written at once ("" with ATE0)
    std::string reply; // written after `delay`; "" when the line gets no answer
    Duration delay {0};
};

// The response to one QMI request, written `delay` after the request arrived.
struct QmiAnswer {
    qmi::Message response;
    Duration delay {0};
};

// A test's canned answer: `match` is compared case-insensitively with each command
// ("AT+QENG=\"servingcell\""); a trailing '*' makes it a prefix. An empty `final` answers
// the lines and never completes the command.
struct Override {
    std::string match;
    std::vector<std::string> lines;
    std::string final = "OK";
};

struct Counters {
    int pin_attempts = 0; // PINs tried (AT+CPIN=<pin>, AT+CLCK with a password, QMI verify PIN)
    int puk_attempts = 0; // PUKs tried (AT+CPIN=<puk>,<newpin>)
    long commands = 0;
    std::map<std::string, long> commands_by_name; // "AT+CPIN": 3
    long qmi_requests = 0;
    std::map<std::string, long> qmi_requests_by_name; // "DMS Get IDs": 1
};

// The radio access technologies a module may be told to use, as bits of NonVolatile::rats.
namespace rat_bit {
constexpr unsigned gsm = 1, wcdma = 2, lte = 4, nr5g = 8;
}

// Settings a real module keeps in NVRAM: they survive AT+CFUN=1,1 and a replug.
struct NonVolatile {
    struct Context {
        int cid = 1;
        std::string pdp_type = "IPV4V6";
        std::string apn;
    };
    std::vector<Context> contexts {Context {}};
    std::string gw_mask = "93", tds_mask = "0";
    std::bitset<128> lte_mask; // bit n-1 = LTE band n
    int usbnet = 0; // 0 RmNet/QMI (EC25 default)
    unsigned rats = 0; // rat_bit: the RATs it may use; 0 automatic (every one it has)
    std::set<int> nr5g_bands, nsa_nr5g_bands; // the 5G NR bands enabled for SA and for NSA
};

// The world around one modem and what a test set up or observed: survives a replug.
struct Surroundings {
    Radio radio;
    NetworkAccess network = NetworkAccess::Allowed;
    std::optional<Duration> latency; // the control socket's "latency"
    std::vector<Override> overrides;
    Counters counters;
    NonVolatile nv;
};
Surroundings initial_surroundings(const ModemSpec& spec);

// ---------------------------------------------------------------- the modem
class Modem {
public:
    // Powers on at `now`: RDY after the boot time. `start` is when the scenario began (the
    // timeline counts from it); entries already past are not replayed.
    Modem(ModemSpec spec, std::vector<Operator> operators, std::optional<SimCard> card,
        Surroundings surroundings, Clock::time_point start, Clock::time_point now);

    // One command line (without "\r") from AT interface `interface`: 2 or 3 (ttyUSB2/3), or a
    // number the I/O layer gives a connection on the AT socket. Each has its own echo and CMEE
    // settings. None while the modem boots: the port does not answer. Call advance(now) first
    // so due events happened.
    std::optional<Answer> command(int interface, std::string_view line, Clock::time_point now);
    // The connection behind `interface` closed: its settings go.
    void forget_port(int interface) { ports_.erase(interface); }

    // One QMI request from the cdc-wdm port. None while the modem boots (the port does not
    // answer) and for a message that is not a request. Call advance(now) first; the
    // indications it causes come out of advance() after the response.
    std::optional<QmiAnswer> qmi_request(const qmi::Message& request, Clock::time_point now);
    // The QMI indications that came due in advance(), in order.
    std::vector<qmi::Message> take_indications() { return std::exchange(indications_due_, {}); }

    // Runs every event due by `now`; returns the URC bytes to write to the AT ports, in order.
    std::vector<std::string> advance(Clock::time_point now);
    std::optional<Clock::time_point> next_deadline() const;

    // Control-socket actions; like command(), after advance(now). Their URCs come out of
    // the next advance().
    std::optional<SimCard> remove_sim(Clock::time_point now);
    // The card, out of a modem being unplugged (no URC: the modem is gone).
    std::optional<SimCard> take_card()
    {
        auto card = std::move(card_);
        card_.reset();
        return card;
    }
    void insert_sim(SimCard card, Clock::time_point now);
    void change_radio(const RadioPatch& patch, Clock::time_point now);
    void set_network_access(NetworkAccess access, Clock::time_point now);
    void set_latency(std::optional<Duration> latency) { surroundings_.latency = latency; }
    void add_override(Override entry) { surroundings_.overrides.push_back(std::move(entry)); }
    void clear_overrides() { surroundings_.overrides.clear(); }
    // The network ends every bearer (control socket "bearer-drop") with a 3GPP TS 24.301
    // §9.9.4.4 ESM cause; returns how many ended. Indications come out of the next advance().
    std::size_t drop_bearers(int cause, Clock::time_point now);

    bool booted() const { return booted_; }
    SimState sim_state() const;
    RegistrationStatus registration() const { return registration_; }
    Functionality functionality() const { return functionality_; }
    const Counters& counters() const { return surroundings_.counters; }
    const SimCard* card() const { return card_ ? &*card_ : nullptr; }
    const Radio& radio() const { return surroundings_.radio; }
    const ModemSpec& spec() const { return spec_; }
    Surroundings surroundings() const { return surroundings_; }
    const std::vector<Bearer>& bearers() const { return bearers_; }

private:
    // ------------------------------------------------ events (modem.cpp)
    enum class EventKind { Boot, SimInit, SimFiles, Attach, Timeline, Urc, Indication };
    struct Event {
        EventKind kind = EventKind::Urc;
        unsigned generation = 0; // stale events (a reboot, a detach) are skipped
        std::size_t index = 0; // Timeline: the entry
        std::string text; // Urc: the line
        qmi::Message indication; // Indication: the message
    };
    void schedule(Duration after, EventKind kind, unsigned generation, std::size_t index = 0);
    void handle(const Event& event);
    void boot_completed();
    void sim_initialized();
    void reboot(Duration after);
    void emit(std::string line) { urcs_.push_back(std::move(line)); }
    void indicate(qmi::Message message) { indications_.push_back(std::move(message)); }
    void queue_emitted(Clock::time_point when); // URCs and indications of this step: at `when`

    // ------------------------------------------------ registration (modem.cpp)
    bool can_register() const;
    RegistrationStatus idle_status() const;
    RegistrationStatus attached_status() const;
    void update_registration();
    void restart_registration();
    void set_registration(RegistrationStatus status);
    void emit_location();
    void radio_changed(const Radio& before);
    std::string registration_line(std::string_view prefix, int mode, bool with_mode) const;
    bool registered() const;
    bool band_enabled(int band) const;
    void unlock_sim();

    // ------------------------------------------------ command line (at_dispatch.cpp)
    // 27.007 §5.5 +CSCS, per port. GSM is taken and answered as IRA: scenario names are ASCII,
    // the same bytes in both but for a few signs. UCS2 answers names in hex.
    enum class CharacterSet { Ira, Gsm, Ucs2 };
    struct PortSettings {
        Echo echo = Echo::On;
        ErrorMode errors = ErrorMode::Numeric;
        CharacterSet character_set = CharacterSet::Ira;
    };
    struct Final {
        enum class Kind { Ok, Error, Cme, Raw } kind = Kind::Ok;
        int code = 0;
        std::string text; // Raw: written as is ("NO CARRIER")
    };
    struct Response {
        std::vector<std::string> lines;
        Final final;
        Duration extra {0}; // added to the command latency (a network scan)
    };
    using Handler = Response (Modem::*)(const AtCommand&, PortSettings&);

    std::string execute_line(std::string_view line, PortSettings& port, Duration& extra);
    std::optional<std::string> execute_override(
        std::string_view text, bool& complete, bool& failed) const;
    Response dispatch(const AtCommand& command, PortSettings& port);
    static std::string render_final(const Final& final, ErrorMode mode);
    static Response ok(std::vector<std::string> lines = {});
    static Response error();
    static Response cme(int code);
    std::optional<int> sim_error() const; // the +CME code when the SIM is not ready
    Duration latency() const;
    PortSettings& port(int interface);

    Response basic_echo(const AtCommand&, PortSettings&);
    Response basic_identity(const AtCommand&, PortSettings&);
    Response basic_reset(const AtCommand&, PortSettings&);
    Response basic_accept(const AtCommand&, PortSettings&);
    Response basic_dial(const AtCommand&, PortSettings&);
    Response manufacturer(const AtCommand&, PortSettings&);
    Response model(const AtCommand&, PortSettings&);
    Response revision(const AtCommand&, PortSettings&);
    Response imei(const AtCommand&, PortSettings&);
    Response error_mode(const AtCommand&, PortSettings&);
    Response character_set(const AtCommand&, PortSettings&);
    Response functionality(const AtCommand&, PortSettings&);

    // ------------------------------------------------ SIM commands (at_sim.cpp)
    Response pin(const AtCommand&, PortSettings&);
    Response pin_enter(const std::vector<std::string>& arguments);
    Response facility_lock(const AtCommand&, PortSettings&);
    Response change_password(const AtCommand&, PortSettings&);
    Response pin_counters(const AtCommand&, PortSettings&);
    Response pin_counters_cpinc(const AtCommand&, PortSettings&);
    Response iccid(const AtCommand&, PortSettings&);
    Response restricted_sim_access(const AtCommand&, PortSettings&);
    Response imsi(const AtCommand&, PortSettings&);

    // ------------------------------------------------ network commands (at_network.cpp)
    Response operator_selection(const AtCommand&, PortSettings&);
    Response operator_scan(const PortSettings& settings);
    static std::string in_character_set(std::string_view text, const PortSettings& settings);
    Response operator_set(const std::vector<std::string>& arguments);
    Response registration_creg(const AtCommand&, PortSettings&);
    Response registration_cgreg(const AtCommand&, PortSettings&);
    Response registration_cereg(const AtCommand&, PortSettings&);
    Response registration_command(const AtCommand& command, std::string_view prefix, int& mode);
    Response signal_quality(const AtCommand&, PortSettings&);
    Response extended_signal_quality(const AtCommand&, PortSettings&);
    Response engineering(const AtCommand&, PortSettings&);
    Response network_info(const AtCommand&, PortSettings&);
    Response carrier_info(const AtCommand&, PortSettings&);
    Response antenna_rsrp(const AtCommand&, PortSettings&);
    Response pdp_context(const AtCommand&, PortSettings&);
    Response quectel_config(const AtCommand&, PortSettings&);
    Response band_config(const std::vector<std::string>& arguments);
    Response network_preference(const AtCommand&, PortSettings&);
    unsigned all_rats() const; // rat_bit
    const Operator* serving_operator() const;

    // ------------------------------------------------ data calls (at_data.cpp, bearer.cpp)
    Response context_activation(const AtCommand&, PortSettings&);
    Response context_address(const AtCommand&, PortSettings&);
    std::optional<int> activate_context(int cid);
    struct BearerRequest {
        std::optional<std::uint8_t> owner;
        IpFamily family = IpFamily::V4;
        int cid = 1;
        std::string apn, username;
        std::uint8_t authentication = 0;
    };
    std::optional<CallEnd> bearer_refusal(BearerRequest& request) const;
    const Bearer& open_bearer(BearerRequest request);
    enum class Notify { Owner, Nobody };
    void end_bearer(std::size_t index, const CallEnd& why, Notify notify);
    void end_bearers(const CallEnd& why);
    std::uint32_t next_handle();
    void packet_service_indication(const Bearer& bearer, bool connected, const CallEnd* why);

    // ------------------------------------------------ QMI (qmi_dispatch.cpp)
    using QmiHandler = qmi::Message (Modem::*)(const qmi::Message&, QmiClient&);
    struct QmiRoute {
        qmi::Service service;
        std::uint16_t id;
        std::string_view name;
        QmiHandler handler;
    };
    static const QmiRoute* qmi_route(qmi::Service service, std::uint16_t id);
    qmi::Message qmi_execute(const qmi::Message& request);
    QmiClient* qmi_client(qmi::Service service, std::uint8_t id);
    void release_client(qmi::Service service, std::uint8_t id);
    void reset_qmi();
    qmi::Message qmi_accept(const qmi::Message&, QmiClient&);

    // CTL (qmi_ctl.cpp); the "client" is the port's CTL endpoint, id 0.
    qmi::Message ctl_allocate_cid(const qmi::Message&, QmiClient&);
    qmi::Message ctl_release_cid(const qmi::Message&, QmiClient&);
    qmi::Message ctl_version_info(const qmi::Message&, QmiClient&);
    qmi::Message ctl_data_format(const qmi::Message&, QmiClient&);
    qmi::Message ctl_sync(const qmi::Message&, QmiClient&);

    // DMS (qmi_dms.cpp)
    qmi::Message dms_manufacturer(const qmi::Message&, QmiClient&);
    qmi::Message dms_model(const qmi::Message&, QmiClient&);
    qmi::Message dms_revision(const qmi::Message&, QmiClient&);
    qmi::Message dms_ids(const qmi::Message&, QmiClient&);
    qmi::Message dms_operating_mode(const qmi::Message&, QmiClient&);
    qmi::Message dms_set_operating_mode(const qmi::Message&, QmiClient&);
    qmi::Message dms_pin_status(const qmi::Message&, QmiClient&);
    qmi::Message dms_verify_pin(const qmi::Message&, QmiClient&);
    qmi::Message dms_iccid(const qmi::Message&, QmiClient&);
    qmi::Message dms_imsi(const qmi::Message&, QmiClient&);

    // UIM (qmi_uim.cpp)
    struct PinCheck {
        qmi::ProtocolError error = qmi::ProtocolError::None;
        bool with_retries = false; // the response carries the retries left
    };
    PinCheck check_pin(std::string_view pin);
    std::vector<std::uint8_t> card_status_value() const;
    void card_status_changed();
    qmi::Message uim_card_status(const qmi::Message&, QmiClient&);
    qmi::Message uim_verify_pin(const qmi::Message&, QmiClient&);
    qmi::Message uim_read_transparent(const qmi::Message&, QmiClient&);
    qmi::Message uim_register_events(const qmi::Message&, QmiClient&);

    // NAS (qmi_nas.cpp)
    void add_serving_system(qmi::Message& message, bool is_indication) const;
    void add_system_info(qmi::Message& message) const;
    void add_signal_info(qmi::Message& message) const;
    void registration_changed();
    void signal_changed();
    qmi::Message nas_register_indications(const qmi::Message&, QmiClient&);
    qmi::Message nas_serving_system(const qmi::Message&, QmiClient&);
    qmi::Message nas_system_info(const qmi::Message&, QmiClient&);
    qmi::Message nas_signal_info(const qmi::Message&, QmiClient&);
    qmi::Message nas_operator_name(const qmi::Message&, QmiClient&);
    qmi::Message nas_network_register(const qmi::Message&, QmiClient&);
    qmi::Message nas_set_system_selection(const qmi::Message&, QmiClient&);
    qmi::Message nas_get_system_selection(const qmi::Message&, QmiClient&);

    // WDA (qmi_wda.cpp)
    qmi::Message wda_data_format(const qmi::Message&, QmiClient&);

    // WDS (qmi_wds.cpp, qmi_wds_profiles.cpp)
    const Bearer* client_bearer(const QmiClient& client) const;
    qmi::Message wds_start_network(const qmi::Message&, QmiClient&);
    qmi::Message wds_stop_network(const qmi::Message&, QmiClient&);
    qmi::Message wds_packet_service_status(const qmi::Message&, QmiClient&);
    qmi::Message wds_current_settings(const qmi::Message&, QmiClient&);
    qmi::Message wds_set_ip_family(const qmi::Message&, QmiClient&);
    qmi::Message wds_profile_list(const qmi::Message&, QmiClient&);
    qmi::Message wds_profile_settings(const qmi::Message&, QmiClient&);
    qmi::Message wds_modify_profile(const qmi::Message&, QmiClient&);
    qmi::Message wds_default_profile(const qmi::Message&, QmiClient&);

    // ------------------------------------------------ state
    ModemSpec spec_;
    std::vector<Operator> operators_;
    std::optional<SimCard> card_;
    Surroundings surroundings_;

    Clock::time_point now_;
    std::multimap<Clock::time_point, Event> events_;
    std::vector<std::string> urcs_; // emitted by the step in progress
    std::vector<qmi::Message> indications_; // emitted by the step in progress
    std::vector<qmi::Message> indications_due_; // due, for take_indications()

    bool booted_ = false;
    bool sim_initialized_ = false; // the SIM answered after boot or insertion
    bool sim_unlocked_ = false; // PIN verified since power on
    bool attach_pending_ = false;
    unsigned boot_generation_ = 0, sim_generation_ = 0, attach_generation_ = 0;

    std::map<int, PortSettings> ports_; // by interface; a port's first command creates its entry
    Functionality functionality_ = Functionality::Full;
    OperatorMode operator_mode_ = OperatorMode::Automatic;
    int operator_format_ = 0; // AT+COPS=3,<format>: 0 long, 1 short, 2 numeric
    std::string manual_operator_; // AT+COPS=1,2,"<plmn>"
    RegistrationStatus registration_ = RegistrationStatus::NotRegistered;
    int creg_mode_ = 0, cgreg_mode_ = 0, cereg_mode_ = 0;

    // The QMI port's clients, by (service, CID); its CTL endpoint; the bearers.
    std::map<std::pair<qmi::Service, std::uint8_t>, QmiClient> qmi_clients_;
    QmiClient ctl_endpoint_ {};
    std::vector<Bearer> bearers_;
    std::uint32_t handles_issued_ = 0;
};

// "\r\n<line>\r\n": how the modem frames a URC or a final result code.
std::string frame(std::string_view line);
// The information lines of one command: "\r\n<line 1>\r\n<line 2>\r\n" (V.250 §5.7.1).
std::string information(const std::vector<std::string>& lines);
// 3GPP TS 27.007 §9.2 verbose texts for the codes the emulator uses.
std::string_view cme_text(int code);

} // namespace uplink::sim
