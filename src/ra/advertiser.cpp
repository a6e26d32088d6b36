// The sender of router advertisements (ra.hpp), over Asio.
//
// One raw ICMPv6 socket bound to the LAN interface (SO_BINDTODEVICE), its ICMPv6 filter passing
// router solicitations alone, in the all-routers group (ff02::2) to hear them. Advertisements go
// to all-nodes (ff02::1) with hop limit 255, which hosts require (RFC 4861 §6.1.2); the kernel
// takes the interface's link-local address as the source, the only source hosts accept, and
// fills in the checksum. One timer says when the next one is due: the first three 16 s apart,
// then a random 200 to 600 s (§6.2.4); a solicitation or a change brings it forward, never
// closer than 3 s to the last one (§6.2.6).
#include "ra/ra.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <random>
#include <span>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace uplink::ra {

namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr int hop_limit_required = 255;

Error errno_error(int number)
{
    return Error(number, boost::system::system_category());
}

// The interface's Ethernet address for the source link-layer option; none for a link without one.
std::optional<std::array<std::uint8_t, 6>> hardware_address(int descriptor, const std::string& interface)
{
    ifreq request {};
    std::memcpy(request.ifr_name, interface.data(), interface.size());
    if (::ioctl(descriptor, SIOCGIFHWADDR, &request) != 0 || request.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */)
        return std::nullopt;
    std::array<std::uint8_t, 6> mac {};
    std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, mac.size());
    return mac;
}

Result<int> open_socket(const std::string& interface, unsigned index)
{
    int descriptor = ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (descriptor < 0)
        return errno_error(errno);
    auto fail = [descriptor] {
        auto error = errno_error(errno);
        ::close(descriptor);
        return error;
    };
    if (::setsockopt(descriptor, SOL_SOCKET, SO_BINDTODEVICE, interface.data(), static_cast<socklen_t>(interface.size())) != 0)
        return fail();
    icmp6_filter filter {};
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
    int hops = hop_limit_required, on = 1, off = 0;
    auto multicast_index = static_cast<int>(index);
    ipv6_mreq all_routers {};
    ::inet_pton(AF_INET6, "ff02::2", &all_routers.ipv6mr_multiaddr);
    all_routers.ipv6mr_interface = index;
    if (::setsockopt(descriptor, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0
        || ::setsockopt(descriptor, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0
        || ::setsockopt(descriptor, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0
        || ::setsockopt(descriptor, IPPROTO_IPV6, IPV6_MULTICAST_IF, &multicast_index, sizeof multicast_index) != 0
        || ::setsockopt(descriptor, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) != 0
        || ::setsockopt(descriptor, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) != 0
        || ::setsockopt(descriptor, IPPROTO_IPV6, IPV6_JOIN_GROUP, &all_routers, sizeof all_routers) != 0)
        return fail();
    return descriptor;
}

// A router solicitation as §6.1.1 has a router take one: ICMPv6 type 133, code 0, at least 8
// bytes, sent with hop limit 255 (so from the link itself). The kernel checked the checksum.
bool is_valid_solicitation(const msghdr& message, std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < 8 || bytes[0] != ND_ROUTER_SOLICIT || bytes[1] != 0)
        return false;
    for (auto* control = CMSG_FIRSTHDR(&message); control; control = CMSG_NXTHDR(const_cast<msghdr*>(&message), control))
        if (control->cmsg_level == IPPROTO_IPV6 && control->cmsg_type == IPV6_HOPLIMIT) {
            int hops = 0;
            std::memcpy(&hops, CMSG_DATA(control), sizeof hops);
            return hops == hop_limit_required;
        }
    return false;
}

// Reads one datagram from the socket: whether it is a router solicitation to answer. Apart from
// the coroutine, whose frame does not keep the control buffer aligned for cmsghdr.
bool read_solicitation(int descriptor)
{
    std::array<std::uint8_t, 1280> buffer {};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control {};
    iovec vector {buffer.data(), buffer.size()};
    msghdr message {};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    auto got = ::recvmsg(descriptor, &message, MSG_DONTWAIT);
    return got >= 0 && is_valid_solicitation(message, std::span(buffer.data(), static_cast<std::size_t>(got)));
}

} // namespace

struct Advertiser::State {
    State(asio::any_io_executor executor, std::string name, unsigned link)
        : interface(std::move(name)), index(link), socket(executor), timer(executor), random(std::random_device {}())
    {
    }

    std::string interface;
    unsigned index;
    asio::posix::stream_descriptor socket;
    asio::steady_timer timer;
    std::mt19937 random;
    std::optional<std::array<std::uint8_t, 6>> mac;
    std::vector<AnnouncedPrefix> prefixes;
    std::vector<std::pair<net::Prefix, Clock::time_point>> withdrawn; // announced stale until then
    Clock::time_point due = Clock::now();
    std::optional<Clock::time_point> last_sent;
    unsigned initial_left = initial_advertisements;
    bool stopped = false;
    Counters counters;

    // Brings the next advertisement forward to `delay` from now, if that is sooner.
    void soon(Clock::duration delay)
    {
        auto at = Clock::now() + delay;
        if (last_sent)
            at = std::max(at, *last_sent + min_delay_between);
        if (at < due) {
            due = at;
            timer.cancel();
        }
    }

    Clock::duration next_interval()
    {
        if (initial_left > 0 && --initial_left > 0)
            return initial_interval;
        std::uniform_int_distribution<std::int64_t> seconds(min_interval.count(), max_interval.count());
        return std::chrono::seconds(seconds(random));
    }

    void send(bool final)
    {
        auto now = Clock::now();
        std::erase_if(withdrawn, [now](const auto& entry) { return entry.second <= now; });
        std::vector<net::Prefix> stale;
        for (const auto& [prefix, until] : withdrawn)
            stale.push_back(prefix);
        auto advertisement = advertisement_for(prefixes, stale, mac);
        if (final) {
            advertisement.router_lifetime = std::chrono::seconds {0};
            for (auto& information : advertisement.prefixes)
                information.preferred = std::chrono::seconds {0};
        }
        auto bytes = encode_advertisement(advertisement);
        sockaddr_in6 all_nodes {};
        all_nodes.sin6_family = AF_INET6;
        ::inet_pton(AF_INET6, "ff02::1", &all_nodes.sin6_addr);
        all_nodes.sin6_scope_id = index;
        auto sent = ::sendto(socket.native_handle(), bytes.data(), bytes.size(), 0,
            reinterpret_cast<const sockaddr*>(&all_nodes), sizeof all_nodes);
        if (sent == static_cast<ssize_t>(bytes.size())) {
            ++counters.sent;
            counters.last_error.clear();
            last_sent = now;
        } else {
            ++counters.send_errors;
            counters.last_error = sent < 0 ? std::strerror(errno) : "a short send";
        }
    }

    static asio::awaitable<void> advertise(std::shared_ptr<State> self)
    {
        while (!self->stopped) {
            self->timer.expires_at(self->due);
            co_await self->timer.async_wait(use_tuple);
            if (self->stopped)
                break;
            if (Clock::now() < self->due)
                continue; // brought forward: wait for the new time
            self->send(false);
            // A link-local address still tentative (a LAN just up) fails the send: again in 1 s.
            self->due = Clock::now() + (self->counters.last_error.empty() ? self->next_interval() : std::chrono::seconds(1));
        }
    }

    static asio::awaitable<void> answer(std::shared_ptr<State> self)
    {
        while (!self->stopped) {
            auto [error] = co_await self->socket.async_wait(asio::posix::descriptor_base::wait_read, use_tuple);
            if (error || self->stopped)
                break;
            if (!read_solicitation(self->socket.native_handle()))
                continue;
            ++self->counters.solicitations;
            std::uniform_int_distribution<std::int64_t> delay(0, max_response_delay.count());
            self->soon(std::chrono::milliseconds(delay(self->random)));
        }
    }
};

Result<Advertiser> Advertiser::start(asio::any_io_executor executor, std::string interface)
{
    if (interface.empty() || interface.size() >= IFNAMSIZ)
        return errno_error(ENODEV);
    auto index = ::if_nametoindex(interface.c_str());
    if (index == 0)
        return errno_error(errno);
    auto descriptor = open_socket(interface, index);
    if (!descriptor)
        return descriptor.error();
    auto state = std::make_shared<State>(executor, std::move(interface), index);
    Error error;
    state->socket.assign(*descriptor, error);
    if (error) {
        ::close(*descriptor);
        return error;
    }
    state->mac = hardware_address(*descriptor, state->interface);
    for (auto* activity : {&State::advertise, &State::answer})
        asio::co_spawn(executor, activity(state), LogFailure {"ra", "router advertisements on " + state->interface + " stopped"});
    return Advertiser(std::move(state));
}

Advertiser::Advertiser(std::shared_ptr<State> state)
    : state_(std::move(state))
{
}

Advertiser::Advertiser(Advertiser&&) noexcept = default;

Advertiser& Advertiser::operator=(Advertiser&& other) noexcept
{
    if (this != &other) {
        stop();
        state_ = std::move(other.state_);
    }
    return *this;
}

Advertiser::~Advertiser()
{
    stop();
}

void Advertiser::announce(std::vector<AnnouncedPrefix> prefixes)
{
    if (!state_ || state_->stopped || prefixes == state_->prefixes)
        return;
    auto until = Clock::now() + valid_lifetime;
    for (const auto& old : state_->prefixes)
        if (std::ranges::find(prefixes, old.prefix, &AnnouncedPrefix::prefix) == prefixes.end())
            state_->withdrawn.emplace_back(old.prefix, until);
    std::erase_if(state_->withdrawn, [&](const auto& entry) {
        return std::ranges::find(prefixes, entry.first, &AnnouncedPrefix::prefix) != prefixes.end();
    });
    state_->prefixes = std::move(prefixes);
    state_->soon(Clock::duration::zero());
}

void Advertiser::stop()
{
    if (!state_ || state_->stopped)
        return;
    if (!state_->prefixes.empty() || !state_->withdrawn.empty())
        state_->send(true);
    state_->stopped = true;
    state_->timer.cancel();
    Error ignored;
    state_->socket.close(ignored);
}

const std::vector<AnnouncedPrefix>& Advertiser::announced() const
{
    static const std::vector<AnnouncedPrefix> none;
    return state_ ? state_->prefixes : none;
}

Advertiser::Counters Advertiser::counters() const
{
    return state_ ? state_->counters : Counters {};
}

} // namespace uplink::ra
