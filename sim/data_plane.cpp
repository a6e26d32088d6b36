#include "sim/data_plane.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_category.hpp>
#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <span>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace uplink::sim {

namespace asio = boost::asio;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

constexpr std::string_view component = "data-plane";
// The largest IP packet (a TUN's MTU can be set up to 65535).
constexpr std::size_t max_packet = 65536;
// Packets read per readiness before the loop lets the ptys and timers run.
constexpr int read_batch = 64;

Error system_error(int number)
{
    return {number, boost::system::system_category()};
}

// A descriptor closed when it goes out of scope, so a failed step leaves nothing open.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int descriptor)
        : descriptor_(descriptor)
    {
    }
    UniqueFd(UniqueFd&& other) noexcept
        : descriptor_(std::exchange(other.descriptor_, -1))
    {
    }
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        std::swap(descriptor_, other.descriptor_);
        return *this;
    }
    ~UniqueFd()
    {
        if (descriptor_ >= 0)
            ::close(descriptor_);
    }
    int get() const { return descriptor_; }
    int release() { return std::exchange(descriptor_, -1); }

private:
    int descriptor_ = -1;
};

bool valid_interface_name(const std::string& name)
{
    // The kernel's dev_valid_name(): 1..IFNAMSIZ-1 bytes, no '/', no white space, not . or ..
    return !name.empty() && name.size() < IFNAMSIZ && name != "." && name != ".."
        && std::none_of(name.begin(), name.end(),
            [](char each) { return each == '/' || each == ':' || each == ' ' || each == '\t'; });
}

Result<UniqueFd> open_namespace(const std::string& name, std::string& message)
{
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
        message = fmt::format("'{}' is not a network namespace name", name);
        return system_error(EINVAL);
    }
    auto path = "/run/netns/" + name;
    UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) {
        int error = errno;
        message = error == ENOENT
            ? fmt::format("network namespace '{}' does not exist ({})", name, path)
            : fmt::format(
                "cannot open network namespace '{}' ({}): {}", name, path, std::strerror(error));
        return system_error(error);
    }
    return file;
}

// While it lives, the calling thread is in another network namespace; its destructor moves the
// thread back, whatever happened in between. setns() moves only the calling thread, and a
// descriptor opened meanwhile (a TUN, a socket) stays bound to the namespace it was made in.
class NamespaceVisit {
public:
    static Result<std::unique_ptr<NamespaceVisit>> enter(
        int target, const std::string& name, std::string& message)
    {
        UniqueFd original(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        if (original.get() < 0) {
            int error = errno;
            message = fmt::format("cannot open /proc/thread-self/ns/net: {}", std::strerror(error));
            return system_error(error);
        }
        if (::setns(target, CLONE_NEWNET) != 0) {
            int error = errno;
            message = fmt::format("cannot enter network namespace '{}': {}{}", name,
                std::strerror(error), error == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
            return system_error(error);
        }
        return std::unique_ptr<NamespaceVisit>(new NamespaceVisit(std::move(original)));
    }
    NamespaceVisit(const NamespaceVisit&) = delete;
    NamespaceVisit& operator=(const NamespaceVisit&) = delete;
    ~NamespaceVisit()
    {
        if (::setns(original_.get(), CLONE_NEWNET) != 0) {
            // Going on would create every later socket of this thread in the wrong namespace,
            // silently; returning to a namespace we came from cannot fail short of a kernel bug.
            log(LogLevel::Error, component, "cannot return to the original network namespace: {}",
                std::strerror(errno));
            std::abort();
        }
    }

private:
    explicit NamespaceVisit(UniqueFd original)
        : original_(std::move(original))
    {
    }
    UniqueFd original_;
};

Result<UniqueFd> open_tun(
    const std::string& interface, const std::string& namespace_name, std::string& message)
{
    UniqueFd tun(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (tun.get() < 0) {
        int error = errno;
        message = fmt::format("cannot open /dev/net/tun: {}", std::strerror(error));
        return system_error(error);
    }
    ifreq request {};
    // IFF_NO_PI: bare IP packets with no packet-information header, as qmi_wwan in raw-ip mode
    // (/sys/class/net/wwan0/qmi/raw_ip = Y) hands them to the kernel.
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::memcpy(request.ifr_name, interface.data(), interface.size());
    if (::ioctl(tun.get(), TUNSETIFF, &request) != 0) {
        int error = errno;
        message = fmt::format("cannot create TUN '{}' in network namespace '{}': {}", interface,
            namespace_name, std::strerror(error));
        return system_error(error);
    }
    return tun;
}

struct TunAndSocket {
    UniqueFd tun, socket; // socket: AF_INET, for the address ioctls (it acts in its namespace)
};

// Opens the TUN (and for the carrier side a socket) inside `namespace_name`.
Result<TunAndSocket> open_in_namespace(const std::string& namespace_name,
    const std::string& interface, bool with_socket, std::string& message)
{
    auto file = open_namespace(namespace_name, message);
    if (!file)
        return file.error();
    auto visit = NamespaceVisit::enter(file->get(), namespace_name, message);
    if (!visit)
        return visit.error();
    TunAndSocket opened;
    auto tun = open_tun(interface, namespace_name, message);
    if (!tun)
        return tun.error();
    opened.tun = std::move(*tun);
    if (with_socket) {
        opened.socket = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        if (opened.socket.get() < 0) {
            int error = errno;
            message = fmt::format("cannot open a socket in network namespace '{}': {}",
                namespace_name, std::strerror(error));
            return system_error(error);
        }
    }
    return opened;
}

sockaddr ipv4_sockaddr(std::uint32_t address)
{
    sockaddr_in internet {};
    internet.sin_family = AF_INET;
    internet.sin_addr.s_addr = htonl(address);
    sockaddr generic {};
    static_assert(sizeof internet <= sizeof generic);
    std::memcpy(&generic, &internet, sizeof internet);
    return generic;
}

// The carrier side's address and IFF_UP, with the classic ioctls on a socket of its namespace
// (netdevice(7)); the kernel adds the prefix route as for `ip address add`.
Result<void> configure_interface(
    int socket, const std::string& interface, Ipv4Prefix prefix, std::string& message)
{
    auto failed = [&](const char* step) {
        int error = errno;
        message = fmt::format(
            "cannot {} of '{}' ({}): {}", step, interface, to_string(prefix), std::strerror(error));
        return system_error(error);
    };
    ifreq request {};
    std::memcpy(request.ifr_name, interface.data(), interface.size());
    request.ifr_addr = ipv4_sockaddr(prefix.address);
    if (::ioctl(socket, SIOCSIFADDR, &request) != 0)
        return failed("set the address");
    std::uint32_t mask = prefix.length == 0 ? 0 : ~std::uint32_t {0} << (32 - prefix.length);
    request.ifr_netmask = ipv4_sockaddr(mask);
    if (::ioctl(socket, SIOCSIFNETMASK, &request) != 0)
        return failed("set the netmask");
    if (::ioctl(socket, SIOCGIFFLAGS, &request) != 0)
        return failed("read the flags");
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    if (::ioctl(socket, SIOCSIFFLAGS, &request) != 0)
        return failed("bring up");
    return {};
}

Result<void> check_setup(const DataPlaneSetup& setup, std::string& message)
{
    for (const auto* name : {&setup.router_interface, &setup.carrier_interface})
        if (!valid_interface_name(*name)) {
            message = fmt::format(
                "'{}' is not an interface name (1 to {} characters, no '/')", *name, IFNAMSIZ - 1);
            return system_error(EINVAL);
        }
    if (setup.carrier_address.length > 32) {
        message = fmt::format(
            "carrier address prefix length {} is over 32", setup.carrier_address.length);
        return system_error(EINVAL);
    }
    return {};
}

} // namespace

// ---------------------------------------------------------------- addresses and names

std::optional<Ipv4Prefix> parse_ipv4_prefix(std::string_view text)
{
    Ipv4Prefix prefix;
    auto slash = text.find('/');
    if (slash != std::string_view::npos) {
        auto length_text = text.substr(slash + 1);
        unsigned length = 0;
        auto [end, error]
            = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
        if (error != std::errc {} || end != length_text.data() + length_text.size() || length > 32
            || length_text.empty())
            return std::nullopt;
        prefix.length = static_cast<std::uint8_t>(length);
        text = text.substr(0, slash);
    }
    std::string address(text);
    in_addr parsed {};
    if (::inet_pton(AF_INET, address.c_str(), &parsed) != 1)
        return std::nullopt;
    prefix.address = ntohl(parsed.s_addr);
    return prefix;
}

std::string to_string(const Ipv4Prefix& prefix)
{
    in_addr address {htonl(prefix.address)};
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address, text, sizeof text);
    return fmt::format("{}/{}", text, prefix.length);
}

std::string_view to_string(BearerState state)
{
    return state == BearerState::Up ? "up" : "down";
}

std::optional<BearerState> bearer_state_from_string(std::string_view text)
{
    for (auto state : {BearerState::Down, BearerState::Up})
        if (to_string(state) == text)
            return state;
    return std::nullopt;
}

// ---------------------------------------------------------------- the moving parts

struct DataPlane::State {
    struct Packet {
        Clock::time_point delivery;
        std::vector<std::uint8_t> bytes;
    };
    // One direction: the packets the link model has accepted, in delivery order (the model
    // never reorders), and the timer that writes each when it is due.
    struct Lane {
        explicit Lane(asio::io_context& context)
            : timer(context)
        {
        }
        std::deque<Packet> pending;
        asio::steady_timer timer;
        DirectionCounters counters;
    };

    State(asio::io_context& context, DataPlaneSetup setup, TunAndSocket router_side,
        TunAndSocket carrier_side)
        : context(context)
        , setup(std::move(setup))
        , router(context, router_side.tun.release())
        , carrier(context, carrier_side.tun.release())
        , carrier_socket(std::move(carrier_side.socket))
        , lanes {Lane(context), Lane(context)}
        , model(this->setup.seed)
        , buffer(max_packet)
    {
    }

    Lane& lane(Direction direction) { return lanes[static_cast<std::size_t>(direction)]; }
    // Uplink goes from the router's wwan0 to carrier0; downlink the other way.
    asio::posix::stream_descriptor& source(Direction direction)
    {
        return direction == Direction::Uplink ? router : carrier;
    }
    asio::posix::stream_descriptor& destination(Direction direction)
    {
        return direction == Direction::Uplink ? carrier : router;
    }

    void start(const std::shared_ptr<State>& self);
    void stop();
    void take(Direction direction, std::span<const std::uint8_t> packet, Clock::time_point now);
    void write(Direction direction, std::span<const std::uint8_t> packet);
    void drop_pending();

    static asio::awaitable<void> read_packets(std::shared_ptr<State> self, Direction direction);
    static asio::awaitable<void> deliver_packets(std::shared_ptr<State> self, Direction direction);

    asio::io_context& context;
    DataPlaneSetup setup;
    asio::posix::stream_descriptor router, carrier;
    UniqueFd carrier_socket;
    std::array<Lane, 2> lanes;
    LinkModel model;
    BearerState bearer = BearerState::Down;
    bool stopped = false;
    std::vector<std::uint8_t> buffer; // one packet being read; both readers share it in turn
};

namespace {

// The coroutines end by themselves when stop() closes the TUNs and cancels the timers; an
// exception is a bug, logged here once.
void spawn(asio::io_context& context, asio::awaitable<void> task, std::string what)
{
    asio::co_spawn(context, std::move(task), LogFailure {std::string(component), what + " failed"});
}

} // namespace

void DataPlane::State::start(const std::shared_ptr<State>& self)
{
    for (auto direction : {Direction::Uplink, Direction::Downlink}) {
        spawn(
            context, read_packets(self, direction), fmt::format("{} reader", to_string(direction)));
        spawn(context, deliver_packets(self, direction),
            fmt::format("{} delivery", to_string(direction)));
    }
}

void DataPlane::State::stop()
{
    stopped = true;
    boost::system::error_code ignored;
    router.close(ignored);
    carrier.close(ignored);
    for (auto& each : lanes) {
        each.timer.cancel();
        each.pending.clear();
    }
    carrier_socket = UniqueFd();
}

asio::awaitable<void> DataPlane::State::read_packets(
    std::shared_ptr<State> self, Direction direction)
{
    auto& source = self->source(direction);
    for (;;) {
        auto [error] = co_await source.async_wait(
            asio::posix::stream_descriptor::wait_read, as_tuple(use_awaitable));
        if (self->stopped)
            co_return;
        if (error) {
            log(LogLevel::Debug, component, "{} TUN: {}", to_string(direction), error.message());
            co_return;
        }
        // A TUN read returns one whole packet. After a batch the wait re-arms the descriptor
        // (Asio's EPOLL_CTL_MOD), so packets left unread are reported again at once.
        for (int count = 0; count < read_batch; ++count) {
            auto size = ::read(source.native_handle(), self->buffer.data(), self->buffer.size());
            if (size < 0 && errno == EINTR)
                continue;
            if (size < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (size <= 0) {
                log(LogLevel::Debug, component, "reading the {} TUN: {}", to_string(direction),
                    size < 0 ? std::strerror(errno) : "end of file");
                co_return;
            }
            self->take(direction, std::span(self->buffer.data(), static_cast<std::size_t>(size)),
                Clock::now());
        }
    }
}

void DataPlane::State::take(
    Direction direction, std::span<const std::uint8_t> packet, Clock::time_point now)
{
    auto& lane = this->lane(direction);
    if (bearer == BearerState::Down) {
        ++lane.counters.dropped_bearer_down;
        return;
    }
    auto verdict = model.offer(direction, packet.size(), now);
    if (verdict.fate == Fate::DroppedQueue) {
        ++lane.counters.dropped_queue;
        return;
    }
    if (verdict.fate == Fate::DroppedLoss) {
        ++lane.counters.dropped_loss;
        return;
    }
    // Due already (no rate limit, no delay) and nothing ahead of it: no copy, no timer.
    if (lane.pending.empty() && verdict.delivery <= now) {
        write(direction, packet);
        return;
    }
    lane.pending.push_back(
        {verdict.delivery, std::vector<std::uint8_t>(packet.begin(), packet.end())});
    if (lane.pending.size() == 1)
        lane.timer.cancel(); // the delivery coroutine waits for nothing: give it this packet's time
}

void DataPlane::State::write(Direction direction, std::span<const std::uint8_t> packet)
{
    auto& counters = lane(direction).counters;
    // A TUN write hands the packet to the stack and never blocks; it fails when the interface
    // is down (uplinkd has not set wwan0 up yet), which a modem's data path also drops.
    auto written = ::write(destination(direction).native_handle(), packet.data(), packet.size());
    if (written != static_cast<ssize_t>(packet.size())) {
        ++counters.dropped_write;
        return;
    }
    ++counters.packets;
    counters.bytes += packet.size();
}

asio::awaitable<void> DataPlane::State::deliver_packets(
    std::shared_ptr<State> self, Direction direction)
{
    auto& lane = self->lane(direction);
    for (;;) {
        lane.timer.expires_at(
            lane.pending.empty() ? Clock::time_point::max() : lane.pending.front().delivery);
        // A cancel (a first packet queued, or stop) ends the wait early: either way, look again.
        co_await lane.timer.async_wait(as_tuple(use_awaitable));
        if (self->stopped)
            co_return;
        auto now = Clock::now();
        while (!lane.pending.empty() && lane.pending.front().delivery <= now) {
            self->write(direction, lane.pending.front().bytes);
            lane.pending.pop_front();
        }
    }
}

void DataPlane::State::drop_pending()
{
    for (auto& each : lanes) {
        each.counters.dropped_bearer_down += each.pending.size();
        each.pending.clear();
    }
    model.reset();
}

// ---------------------------------------------------------------- DataPlane

Result<DataPlane> DataPlane::create(
    asio::io_context& context, DataPlaneSetup setup, std::string& message)
{
    if (auto checked = check_setup(setup, message); !checked)
        return checked.error();
    auto router = open_in_namespace(setup.router_namespace, setup.router_interface, false, message);
    if (!router)
        return router.error();
    auto carrier
        = open_in_namespace(setup.carrier_namespace, setup.carrier_interface, true, message);
    if (!carrier)
        return carrier.error();
    // The socket acts on the namespace it was made in, wherever this thread is now.
    auto configured = configure_interface(
        carrier->socket.get(), setup.carrier_interface, setup.carrier_address, message);
    if (!configured)
        return configured.error();

    log(LogLevel::Debug, component, "{} in '{}' <-> {} ({}) in '{}'", setup.router_interface,
        setup.router_namespace, setup.carrier_interface, to_string(setup.carrier_address),
        setup.carrier_namespace);
    auto state = std::make_shared<State>(
        context, std::move(setup), std::move(*router), std::move(*carrier));
    state->start(state);
    return DataPlane(std::move(state));
}

DataPlane::DataPlane(std::shared_ptr<State> state)
    : state_(std::move(state))
{
}

DataPlane::DataPlane(DataPlane&& other) noexcept = default;

DataPlane& DataPlane::operator=(DataPlane&& other) noexcept
{
    if (this != &other) {
        stop();
        state_ = std::move(other.state_);
    }
    return *this;
}

DataPlane::~DataPlane()
{
    stop();
}

void DataPlane::stop()
{
    if (!state_)
        return;
    state_->stop();
    state_.reset();
}

void DataPlane::set_bearer(BearerState state)
{
    assert(state_);
    if (state_->bearer == state)
        return;
    log(LogLevel::Debug, component, "bearer {} -> {}", to_string(state_->bearer), to_string(state));
    state_->bearer = state;
    if (state == BearerState::Down)
        state_->drop_pending();
}

BearerState DataPlane::bearer() const
{
    return state_->bearer;
}

void DataPlane::set_signal(const Signal& signal)
{
    state_->model.set_signal(signal);
}

void DataPlane::set_link(const LinkOverrides& overrides)
{
    state_->model.set_overrides(overrides);
}

const LinkSettings& DataPlane::link() const
{
    return state_->model.settings();
}

const Signal& DataPlane::signal() const
{
    return state_->model.signal();
}

const LinkOverrides& DataPlane::overrides() const
{
    return state_->model.overrides();
}

DataPlaneCounters DataPlane::counters() const
{
    return {state_->lanes[static_cast<std::size_t>(Direction::Downlink)].counters,
        state_->lanes[static_cast<std::size_t>(Direction::Uplink)].counters};
}

Result<void> DataPlane::set_carrier_address(Ipv4Prefix prefix, std::string& message)
{
    if (prefix.length > 32) {
        message = fmt::format("carrier address prefix length {} is over 32", prefix.length);
        return system_error(EINVAL);
    }
    auto configured = configure_interface(
        state_->carrier_socket.get(), state_->setup.carrier_interface, prefix, message);
    if (configured)
        state_->setup.carrier_address = prefix;
    return configured;
}

} // namespace uplink::sim
