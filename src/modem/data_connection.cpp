// The QMI data call, in the order real connection managers use (modem-protocols.md §3.2–3.4):
// open the port, allocate WDA and set raw-ip; when registered and wanted, per IP family a WDS
// client, Set IP Family, Start Network, Get Current Settings; then the link hooks configure the
// interface. A Packet Service Status "disconnected" indication ends the call at once.
#include "modem/data_connection.hpp"

#include "modem/profiles.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <arpa/inet.h>
#include <bit>
#include <cstring>
#include <cerrno>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace uplink::modem {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Start Network waits for the network's answer to the PDN connectivity request; ModemManager
// allows 180 s, quectel-CM 120 s. A minute is plenty for any network that answers at all.
constexpr Duration start_network_timeout = 60s;

qmi::Authentication qmi_authentication(Authentication authentication)
{
    switch (authentication) {
    case Authentication::None: return qmi::Authentication::None;
    case Authentication::Pap: return qmi::Authentication::Pap;
    case Authentication::Chap: return qmi::Authentication::Chap;
    case Authentication::PapOrChap: return qmi::Authentication::PapOrChap;
    }
    return qmi::Authentication::None;
}

std::vector<qmi::IpFamily> families_of(IpFamilies families)
{
    switch (families) {
    case IpFamilies::Ipv4: return {qmi::IpFamily::Ipv4};
    case IpFamilies::Ipv6: return {qmi::IpFamily::Ipv6};
    case IpFamilies::Both: return {qmi::IpFamily::Ipv4, qmi::IpFamily::Ipv6};
    }
    return {qmi::IpFamily::Ipv4};
}

// How long a watchdog probe waits for its echo: a loaded LTE link answers well within it.
constexpr Duration probe_timeout = 3s;

// 3GPP TS 24.301 Annex B / 24.008 §10.5.6.6 causes that only other settings cure: 27 unknown APN,
// 29 authentication failed, 33 option not subscribed. Restarting the modem would not.
bool is_settings_refusal(const qmi::CallEnd& end)
{
    constexpr std::uint16_t verbose_type_3gpp = 6;
    if (end.verbose_type != verbose_type_3gpp || !end.verbose_reason)
        return false;
    auto cause = *end.verbose_reason;
    return cause == 27 || cause == 29 || cause == 33;
}

std::string ipv4_text(std::uint32_t host_order)
{
    in_addr address {htonl(host_order)};
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address, text, sizeof text);
    return text;
}

std::string ipv6_text(const std::array<std::uint8_t, 16>& bytes)
{
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    return text;
}

std::optional<IpSettings> ip_settings(const qmi::CurrentSettings& settings, qmi::IpFamily family)
{
    IpSettings ip;
    if (family == qmi::IpFamily::Ipv4) {
        if (!settings.ipv4_address)
            return std::nullopt;
        ip.address = ipv4_text(*settings.ipv4_address);
        ip.prefix_length = settings.ipv4_subnet_mask ? std::popcount(*settings.ipv4_subnet_mask) : 32;
        if (settings.ipv4_gateway)
            ip.gateway = ipv4_text(*settings.ipv4_gateway);
        for (auto dns : settings.ipv4_dns)
            ip.dns.push_back(ipv4_text(dns));
        return ip;
    }
    if (!settings.ipv6_address)
        return std::nullopt;
    ip.address = ipv6_text(settings.ipv6_address->bytes);
    ip.prefix_length = settings.ipv6_address->prefix_length;
    if (settings.ipv6_gateway)
        ip.gateway = ipv6_text(settings.ipv6_gateway->bytes);
    for (const auto& dns : settings.ipv6_dns)
        ip.dns.push_back(ipv6_text(dns));
    return ip;
}

// A cdc-wdm node is a character device; the emulator's is a pty, which must be raw or the
// line discipline would rewrite QMUX bytes (0x0a, 0x0d) and echo them back.
Result<int> open_control_port(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return Error(errno, boost::system::system_category());
    termios settings {};
    if (::tcgetattr(fd, &settings) == 0) {
        ::cfmakeraw(&settings);
        ::tcsetattr(fd, TCSANOW, &settings);
    }
    return fd;
}

} // namespace

DataConnection::DataConnection(asio::any_io_executor executor, std::string modem_id, Ports ports,
    ConnectionSettings settings, LinkHooks hooks, Duration request_timeout,
    std::function<void(std::string message)> changed)
    : executor_(std::move(executor))
    , modem_id_(std::move(modem_id))
    , ports_(std::move(ports))
    , settings_(std::move(settings))
    , hooks_(std::move(hooks))
    , request_timeout_(request_timeout)
    , changed_(std::move(changed))
    , wanted_(settings_.autoconnect)
    , wake_(executor_, asio::steady_timer::time_point::max())
{
    connection_.interface = ports_.interface;
}

DataConnection::~DataConnection() = default;

void DataConnection::start()
{
    asio::co_spawn(executor_, run(shared_from_this()), LogFailure {"modem", modem_id_ + ": data connection stopped"});
}

void DataConnection::stop()
{
    stopping_ = true;
    wake();
}

void DataConnection::set_registered(bool registered)
{
    if (registered_ == registered)
        return;
    registered_ = registered;
    wake();
}

void DataConnection::set_wanted(bool wanted)
{
    // Asked again for what it already does (netifd's session asks after every drop): the redial
    // keeps its pace, or a flapping bearer would be redialled at once, again and again.
    if (wanted == wanted_)
        return;
    wanted_ = wanted;
    backoff_ = first_backoff; // a person asked: try now
    wake();
}

// A new APN, credentials or IP families need a new call; MTU and route metric only a change of
// the link, in place, so the connection and its traffic stay up.
void DataConnection::apply(ConnectionSettings settings)
{
    if (settings == settings_)
        return;
    bool autoconnect_changed = settings.autoconnect != settings_.autoconnect;
    // A link changing hands is set up afresh by its new owner, on a new call.
    bool call_changed = !same_call(settings, settings_) || settings.link_owner != settings_.link_owner;
    bool link_changed = settings.mtu != settings_.mtu || settings.route_metric != settings_.route_metric
        || settings.ttl != settings_.ttl;
    settings_ = std::move(settings);
    if (autoconnect_changed)
        wanted_ = settings_.autoconnect;
    if (call_changed) {
        settings_changed_ = true;
        reconnect_reason_ = "settings changed: reconnecting";
        backoff_ = first_backoff;
    }
    relink_ = relink_ || link_changed;
    wake();
}

void DataConnection::apply(Watchdog watchdog)
{
    if (watchdog == watchdog_)
        return;
    watchdog_ = std::move(watchdog);
    wake(); // the probe timer re-arms with the new interval
}

void DataConnection::reconnect(std::string reason)
{
    settings_changed_ = true;
    reconnect_reason_ = std::move(reason);
    backoff_ = first_backoff;
    wake();
}

void DataConnection::observe(Observation::Kind kind, std::string detail, bool curable)
{
    if (observer_)
        observer_(Observation {kind, std::move(detail), curable});
}

// One probe round: the hosts in turn until one answers. Unanswered only when none did, so a
// single host that filters ICMP does not count against the link.
awaitable<void> DataConnection::probe_once()
{
    std::vector<std::string> failures;
    for (const auto& host : watchdog_.probe_hosts) {
        auto answered = co_await hooks_.probe(ports_.interface, host, probe_timeout);
        if (answered) {
            observe(Observation::Kind::ProbeAnswered);
            co_return;
        }
        failures.push_back(fmt::format("{}: {}", host, answered.error().message()));
    }
    auto detail = fmt::format("no answer through {} ({})", ports_.interface, fmt::join(failures, "; "));
    log(LogLevel::Info, "modem", "{}: {}", modem_id_, detail);
    observe(Observation::Kind::ProbeUnanswered, std::move(detail));
}

Connection DataConnection::connection() const
{
    auto connection = connection_;
    if (connection.state == ConnectionState::Connected && traffic_at_connect_ && hooks_.traffic) {
        // The kernel's counters only grow while the interface exists; a reset (a new interface)
        // ends the call first, so the difference is this call's.
        if (auto now = hooks_.traffic(ports_.interface)) {
            connection.traffic = TrafficCounters {now->received_bytes - std::min(now->received_bytes, traffic_at_connect_->received_bytes),
                now->sent_bytes - std::min(now->sent_bytes, traffic_at_connect_->sent_bytes)};
        }
    }
    return connection;
}

void DataConnection::wake()
{
    wake_.cancel();
}

bool DataConnection::should_connect() const
{
    return wanted_ && registered_ && !stopping_;
}

// ---------------------------------------------------------------- the run loop

awaitable<void> DataConnection::run(std::shared_ptr<DataConnection> self)
{
    while (!stopping_) {
        if (port_failed_) {
            port_failed_ = false;
            client_.reset();
            calls_.clear();
        }
        if (!client_) {
            if (auto opened = co_await open(); !opened) {
                client_.reset();
                set_state(ConnectionState::Disconnected,
                    fmt::format("cannot use {}: {}", ports_.control_name, opened.error().message()));
                co_await pause(backoff_);
                backoff_ = std::min(backoff_ * 2, max_backoff);
                continue;
            }
        }
        if (!should_connect()) {
            co_await wait_for_wakeup();
            continue;
        }
        settings_changed_ = false;
        dropped_ = false;
        auto connected = co_await connect_once();
        if (!connected) {
            co_await hang_up();
            set_state(ConnectionState::Disconnected, connection_.last_error);
            if (settings_changed_)
                continue; // new settings came during the attempt or its hang-up: try them now
            if (!stopping_)
                observe(Observation::Kind::AttemptFailed, connection_.last_error, refusal_is_curable_);
            co_await pause(backoff_);
            backoff_ = std::min(backoff_ * 2, max_backoff);
            continue;
        }
        observe(Observation::Kind::Up);
        auto since = Clock::now();
        while (should_connect() && !dropped_ && !settings_changed_) {
            bool probing = !watchdog_.probe_hosts.empty() && hooks_.probe && !ports_.interface.empty();
            if (probing) {
                auto due = Clock::now() + watchdog_.probe_interval;
                co_await pause(watchdog_.probe_interval);
                if (Clock::now() >= due && should_connect() && !dropped_ && !settings_changed_)
                    co_await probe_once();
            } else {
                co_await wait_for_wakeup();
            }
            if (std::exchange(relink_, false))
                reconfigure_link();
        }
        bool was_dropped = dropped_;
        if (was_dropped && !stopping_)
            observe(Observation::Kind::Dropped, connection_.last_error);
        if (Clock::now() - since >= stable_after)
            backoff_ = first_backoff;
        co_await hang_up();
        set_state(ConnectionState::Disconnected,
            was_dropped ? connection_.last_error : std::string(settings_changed_ ? reconnect_reason_ : ""));
        if (was_dropped) {
            co_await pause(backoff_);
            backoff_ = std::min(backoff_ * 2, max_backoff);
        }
    }
    co_await hang_up();
    if (client_ && nas_client_ && nas_client_->generation == client_generation_)
        (void)co_await client_->release_client(qmi::Service::Nas, nas_client_->id, request_timeout_);
    if (client_)
        client_->close();
    log(LogLevel::Debug, "modem", "{}: data connection ended", self->modem_id_);
}

// The port, raw-ip framing (qmi_wwan's raw_ip mode), and indications routed here.
awaitable<Result<void>> DataConnection::open()
{
    auto fd = open_control_port(ports_.control_path);
    if (!fd)
        co_return fd.error();
    client_ = std::make_unique<qmi::Client>(executor_, ports_.control_name, *fd);
    ++client_generation_;
    auto weak = weak_from_this();
    client_->set_indication_handler([weak](const qmi::Message& message) {
        if (auto self = weak.lock())
            self->on_indication(message);
    });
    client_->set_closed_handler([weak](Error error) {
        if (auto self = weak.lock())
            self->on_port_closed(error);
    });
    client_->set_trace_handler([name = ports_.control_name, tracer = tracer_](std::string_view direction,
                                   const qmi::Message& message) {
        auto text = qmi::describe(message); // ids and TLV sizes only: no APN password in it
        log(LogLevel::Debug, "qmi", "{}: {} {}", name, direction, text);
        if (tracer)
            tracer(name, direction, text);
    });
    calls_.clear();
    auto wda = co_await client_->allocate_client(qmi::Service::Wda, request_timeout_);
    if (!wda)
        co_return wda.error();
    auto format = co_await client_->call(qmi::wda_set_data_format_raw_ip(*wda), request_timeout_);
    auto protocol = format ? qmi::parse_wda_data_format(*format) : Result<qmi::LinkProtocol>(format.error());
    (void)co_await client_->release_client(qmi::Service::Wda, *wda, request_timeout_);
    if (!protocol)
        co_return protocol.error();
    if (*protocol != qmi::LinkProtocol::RawIp) {
        log(LogLevel::Warning, "modem", "{}: the modem keeps link protocol {} instead of raw-ip", modem_id_,
            static_cast<int>(*protocol));
        co_return make_error_code(qmi::Errc::BadLength);
    }
    co_return set_kernel_raw_ip();
}

awaitable<Result<qmi::Message>> DataConnection::call_nas(qmi::Message request)
{
    auto generation = client_generation_;
    if (!client_)
        co_return make_error_code(Errc::NotReady);
    if (!nas_client_ || nas_client_->generation != generation) {
        auto allocated = co_await client_->allocate_client(qmi::Service::Nas, request_timeout_);
        if (!allocated)
            co_return allocated.error();
        if (!client_ || client_generation_ != generation) // the port was opened again meanwhile
            co_return make_error_code(Errc::NotReady);
        nas_client_ = NasClient {generation, *allocated};
    }
    request.client = nas_client_->id;
    co_return co_await client_->call(std::move(request), request_timeout_);
}

// qmi_wwan frames packets as 802.3 until told otherwise (its qmi/raw_ip attribute, writable
// while the interface is down); the modem now sends raw IP, so the kernel must expect it, as
// ModemManager and OpenWrt's qmi.sh set it. Drivers without the attribute are raw-IP already.
Result<void> DataConnection::set_kernel_raw_ip()
{
    if (ports_.interface_sysfs.empty())
        return {};
    auto path = ports_.interface_sysfs + "/qmi/raw_ip";
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return {};
    char current = 0;
    bool already = ::read(fd, &current, 1) == 1 && current == 'Y';
    bool written = already || (::lseek(fd, 0, SEEK_SET) == 0 && ::write(fd, "Y\n", 2) == 2);
    int error = errno;
    ::close(fd);
    if (!written) {
        log(LogLevel::Warning, "modem", "{}: cannot switch {} to raw IP: {}", modem_id_, path, std::strerror(error));
        return Error(error, boost::system::system_category());
    }
    return {};
}

awaitable<Result<void>> DataConnection::connect_once()
{
    refusal_is_curable_ = true;
    set_state(ConnectionState::Connecting, settings_.apn.empty() ? "connecting" : "connecting to " + settings_.apn);
    LinkConfiguration link;
    link.interface = ports_.interface;
    std::vector<std::string> failures;
    for (auto family : families_of(settings_.families)) {
        if (stopping_ || !client_)
            break;
        auto& call = calls_.emplace_back(Call {0, family, std::nullopt});
        std::string why;
        auto started = co_await start_call(call, link, why);
        if (!started)
            failures.push_back(fmt::format("{}: {}", qmi::to_string(family), why.empty() ? started.error().message() : why));
    }
    if (!link.ipv4 && !link.ipv6) {
        connection_.last_error = failures.empty() ? std::string("the modem granted no address")
                                                  : fmt::format("{}", fmt::join(failures, "; "));
        co_return make_error_code(Errc::NotReady);
    }
    granted_mtu_ = link.mtu;
    link = with_profile(std::move(link));
    relink_ = false;
    if (ports_.interface.empty() || !hooks_.configure) {
        refusal_is_curable_ = false;
        connection_.last_error = "the modem has no network interface to configure";
        co_return make_error_code(Errc::NoDataPort);
    }
    // netifd's link is configured by netifd, from what `uplink netifd-session` reads of it.
    if (settings_.link_owner == LinkOwner::Uplinkd) {
        if (auto configured = hooks_.configure(link); !configured) {
            refusal_is_curable_ = false; // this router's side: no radio or modem reset helps
            connection_.last_error = fmt::format("cannot configure {}: {}", link.interface, configured.error().message());
            co_return configured.error();
        }
        link_configured_ = true;
    }
    link_ = link;
    traffic_at_connect_ = hooks_.traffic ? hooks_.traffic(link.interface) : std::nullopt;
    connection_.ipv4 = link.ipv4;
    connection_.ipv6 = link.ipv6;
    connection_.mtu = link.mtu;
    connection_.connected_since = std::chrono::system_clock::now();
    connection_.last_error = fmt::format("{}", fmt::join(failures, "; "));
    set_state(ConnectionState::Connected,
        fmt::format("{}{}{}", link.ipv4 ? link.ipv4->address : "", link.ipv4 && link.ipv6 ? " " : "",
            link.ipv6 ? link.ipv6->address : ""));
    co_return Result<void> {};
}

// One family's call: its own WDS client (a client carries one IP family), Set IP Family,
// Start Network, then the settings the network granted.
awaitable<Result<void>> DataConnection::start_call(Call& call, LinkConfiguration& link, std::string& why)
{
    auto wds = co_await client_->allocate_client(qmi::Service::Wds, request_timeout_);
    if (!wds)
        co_return wds.error();
    call.client = *wds;
    // Older firmware answers Set IP Family with an error for IPv4, its default: not fatal.
    (void)co_await client_->call(qmi::wds_set_ip_family(call.client, call.family), request_timeout_);
    qmi::StartNetwork request {settings_.apn, qmi_authentication(settings_.authentication), settings_.username,
        settings_.password, call.family};
    auto response = co_await client_->transact(qmi::wds_start_network(call.client, request), start_network_timeout);
    if (!response)
        co_return response.error();
    auto outcome = qmi::parse_wds_start_network(*response);
    if (outcome.error) {
        if (outcome.error == qmi::ProtocolError::CallFailed) {
            why = "the network refused the call: " + qmi::describe(outcome.end);
            refusal_is_curable_ = refusal_is_curable_ && !is_settings_refusal(outcome.end);
        }
        co_return outcome.error;
    }
    call.handle = outcome.handle;
    auto current = co_await client_->call(qmi::wds_get_current_settings(call.client), request_timeout_);
    auto settings = current ? qmi::parse_wds_current_settings(*current)
                            : Result<qmi::CurrentSettings>(current.error());
    if (!settings)
        co_return settings.error();
    auto ip = ip_settings(*settings, call.family);
    if (!ip)
        co_return make_error_code(qmi::Errc::MissingTlv);
    (call.family == qmi::IpFamily::Ipv4 ? link.ipv4 : link.ipv6) = std::move(ip);
    if (settings->mtu)
        link.mtu = link.mtu ? std::min(*link.mtu, *settings->mtu) : *settings->mtu;
    co_return Result<void> {};
}

// The same addresses with a new MTU or route metric; a failure ends the call, to start afresh.
void DataConnection::reconfigure_link()
{
    if (!link_configured_)
        return;
    auto link = with_profile(link_);
    if (link == link_)
        return;
    if (auto configured = hooks_.configure(link); !configured) {
        connection_.last_error = fmt::format("cannot reconfigure {}: {}", link.interface, configured.error().message());
        dropped_ = true;
        return;
    }
    link_ = link;
    connection_.mtu = link.mtu;
    if (changed_)
        changed_(fmt::format("{} reconfigured: MTU {}, route metric {}, TTL {}", link.interface,
            link.mtu ? std::to_string(*link.mtu) : "unchanged", link.route_metric,
            link.ttl ? std::to_string(*link.ttl) : "as routed"));
}

// What the profile sets on the link: its MTU (else the network's), route metric and TTL.
LinkConfiguration DataConnection::with_profile(LinkConfiguration link) const
{
    link.mtu = settings_.mtu ? settings_.mtu : granted_mtu_;
    link.route_metric = settings_.route_metric;
    link.ttl = settings_.ttl;
    return link;
}

// Stops every started call and releases its client, then removes what was configured.
awaitable<void> DataConnection::hang_up()
{
    if (connection_.state == ConnectionState::Connected)
        set_state(ConnectionState::Disconnecting, "disconnecting");
    auto calls = std::exchange(calls_, {});
    for (auto& call : calls) {
        if (!client_)
            break;
        if (call.handle && !dropped_)
            (void)co_await client_->call(qmi::wds_stop_network(call.client, *call.handle), request_timeout_);
        (void)co_await client_->release_client(qmi::Service::Wds, call.client, request_timeout_);
    }
    release_link();
}

void DataConnection::release_link()
{
    if (link_configured_ && hooks_.deconfigure)
        hooks_.deconfigure(ports_.interface);
    link_configured_ = false;
    traffic_at_connect_.reset();
    connection_.ipv4.reset();
    connection_.ipv6.reset();
    connection_.mtu.reset();
    connection_.connected_since.reset();
}

// Both waits return at once when stopping: stop() may have woken an earlier wait already.
awaitable<void> DataConnection::wait_for_wakeup()
{
    if (stopping_)
        co_return;
    wake_.expires_at(asio::steady_timer::time_point::max());
    co_await wake_.async_wait(use_tuple);
}

awaitable<void> DataConnection::pause(Duration duration)
{
    if (stopping_)
        co_return;
    wake_.expires_after(duration);
    co_await wake_.async_wait(use_tuple);
}

// ---------------------------------------------------------------- events from the port

void DataConnection::on_indication(const qmi::Message& message)
{
    if (message.service == qmi::Service::Ctl && message.id == qmi::ctl::sync) {
        // The modem restarted its QMI side: every client id is gone, and with them the calls.
        dropped_ = true;
        connection_.last_error = "the modem reset its QMI clients";
        calls_.clear();
        wake();
        return;
    }
    if (message.service != qmi::Service::Wds || message.id != qmi::wds::packet_service_status_indication)
        return;
    auto owned = std::ranges::any_of(calls_, [&](const Call& call) { return call.client == message.client; });
    if (!owned)
        return;
    auto status = qmi::parse_wds_packet_service_status(message);
    if (!status || status->status != qmi::ConnectionStatus::Disconnected)
        return;
    dropped_ = true;
    connection_.last_error = "the network ended the call: " + qmi::describe(status->end);
    wake();
}

void DataConnection::on_port_closed(Error error)
{
    // The client is still on the stack that reports this: the run loop drops it.
    connection_.last_error = fmt::format("{} closed: {}", ports_.control_name, error.message());
    dropped_ = true;
    port_failed_ = true;
    wake();
}

void DataConnection::set_state(ConnectionState state, std::string message)
{
    auto before = connection_.state;
    connection_.state = state;
    if (before == state && message.empty())
        return;
    auto text = fmt::format("{} -> {}{}{}", to_string(before), to_string(state), message.empty() ? "" : ": ",
        message);
    log(state == ConnectionState::Connected || before == ConnectionState::Connected ? LogLevel::Info : LogLevel::Debug,
        "modem", "{}: connection {}", modem_id_, text);
    if (changed_)
        changed_(std::move(text));
}

} // namespace uplink::modem
