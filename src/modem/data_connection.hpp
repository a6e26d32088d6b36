// The data connection of one modem over its QMI port: raw-ip data format, a WDS call per IP
// family, the granted addresses handed to the link hooks, and reconnection with backoff when
// the call drops. One coroutine reads top to bottom; the Modem tells it when the modem is
// registered and whether a connection is wanted. Its state is written only by set_state().
#pragma once

#include "modem/modem.hpp"

#include <qmi/qmi.hpp>

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

namespace uplink::modem {

class DataConnection : public std::enable_shared_from_this<DataConnection> {
public:
    struct Ports {
        std::string control_name, control_path;   // cdc-wdm0, <dev>/cdc-wdm0
        std::string interface;                    // wwan0
        std::string interface_sysfs;              // its sysfs directory, for qmi/raw_ip
    };
    DataConnection(boost::asio::any_io_executor executor, std::string modem_id, Ports ports,
        ConnectionSettings settings, LinkHooks hooks, Duration request_timeout,
        std::function<void(std::string message)> changed);
    ~DataConnection();
    DataConnection(const DataConnection&) = delete;
    DataConnection& operator=(const DataConnection&) = delete;

    // What the recovery ladder is told. Hang-ups uplink makes itself are not reported, and a
    // refusal no restart can cure (an unknown APN, failed authentication, no interface to
    // configure) is marked so.
    struct Observation {
        enum class Kind { Up, AttemptFailed, Dropped, ProbeAnswered, ProbeUnanswered };
        Kind kind = Kind::Up;
        std::string detail;
        bool curable = true;
    };
    void set_observer(std::function<void(const Observation&)> observer) { observer_ = std::move(observer); }
    // Each QMI message on the control port, for the modem dialogue: port, ">"/"<"/"ind", summary.
    using Tracer = std::function<void(std::string_view port, std::string_view direction, std::string_view text)>;
    void set_tracer(Tracer tracer) { tracer_ = std::move(tracer); }

    void start();
    void stop();                                   // ends the call, removes what was configured
    void reconnect(std::string reason);            // the recovery ladder's first step
    void set_registered(bool registered);
    void set_wanted(bool wanted);                  // connect()/disconnect() from the API
    bool wanted() const { return wanted_; }
    // A changed APN reconnects at once, from any state; a changed MTU, metric or TTL changes the link.
    void apply(ConnectionSettings settings);
    void apply(Watchdog watchdog);                 // the data-path probes: hosts and interval

    // A request to the modem's NAS service on this control port (the radio preferences), through
    // a NAS client allocated on first use; its client id is filled in. NotReady while the port
    // is not open.
    boost::asio::awaitable<Result<qmi::Message>> call_nas(qmi::Message request);

    // With the bytes carried since the call came up, read from the kernel now.
    Connection connection() const;
    ConnectionState state() const { return connection_.state; } // no kernel read

    // Backoff between failed attempts: 1 s, doubling to 60 s. A call that lasted less than
    // `stable_after` does not reset it, so a bearer that keeps dropping never loops fast.
    static constexpr Duration first_backoff = 1s;
    static constexpr Duration max_backoff = 60s;
    static constexpr Duration stable_after = 30s;

private:
    struct Call {
        std::uint8_t client = 0;                    // the WDS client id
        qmi::IpFamily family = qmi::IpFamily::Ipv4;
        std::optional<std::uint32_t> handle;        // while the network is started
    };

    boost::asio::awaitable<void> run(std::shared_ptr<DataConnection> self);
    boost::asio::awaitable<Result<void>> open();
    boost::asio::awaitable<Result<void>> connect_once();
    // `why` gets the network's reason when it refuses the call.
    boost::asio::awaitable<Result<void>> start_call(Call& call, LinkConfiguration& link, std::string& why);
    boost::asio::awaitable<void> hang_up();
    boost::asio::awaitable<void> wait_for_wakeup();
    boost::asio::awaitable<void> pause(Duration duration);
    Result<void> set_kernel_raw_ip();
    bool should_connect() const;
    void on_indication(const qmi::Message& message);
    void on_port_closed(Error error);
    void wake();
    void release_link();
    void reconfigure_link();
    LinkConfiguration with_profile(LinkConfiguration link) const;
    boost::asio::awaitable<void> probe_once();
    void observe(Observation::Kind kind, std::string detail = {}, bool curable = true);
    void set_state(ConnectionState state, std::string message);

    boost::asio::any_io_executor executor_;
    std::string modem_id_;
    Ports ports_;
    ConnectionSettings settings_;
    LinkHooks hooks_;
    Duration request_timeout_;
    std::function<void(std::string)> changed_;

    std::unique_ptr<qmi::Client> client_;
    unsigned client_generation_ = 0;                // counts the clients open() made
    struct NasClient {
        unsigned generation = 0;                    // of the qmi::Client it was allocated on
        std::uint8_t id = 0;
    };
    std::optional<NasClient> nas_client_;
    std::vector<Call> calls_;
    bool link_configured_ = false;
    bool registered_ = false;
    bool wanted_ = true;
    bool dropped_ = false;                          // the modem ended the call
    bool port_failed_ = false;                      // the control port went away
    bool settings_changed_ = false;
    std::string reconnect_reason_;                  // why the call is being made again
    bool refusal_is_curable_ = true;                // of the last failed attempt
    Watchdog watchdog_;
    std::function<void(const Observation&)> observer_;
    Tracer tracer_;
    bool relink_ = false;                           // MTU or route metric changed while connected
    LinkConfiguration link_;                        // as configured
    std::optional<std::uint32_t> granted_mtu_;      // the network's, before the profile's override
    bool stopping_ = false;
    Duration backoff_ = first_backoff;
    boost::asio::steady_timer wake_;
    Connection connection_;
    std::optional<TrafficCounters> traffic_at_connect_; // the interface's counters when it came up
};

} // namespace uplink::modem
