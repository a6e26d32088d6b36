// ra: router advertisements (RFC 4861 §4.2, §6.2) on a LAN interface, for the /64 a cellular WAN
// shares there (RFC 7278; docs/failover.md "IPv6 for the LAN"). LAN hosts form their addresses in
// it (SLAAC, RFC 4862) and take the router as a default router; a prefix announced deprecated
// (preferred lifetime 0) keeps its addresses working for the connections that use them while new
// ones take another source address (RFC 6724 rule 3): that is how the LAN's IPv6 fails over.
//  - encode_advertisement(): the message, sans I/O.
//  - Advertiser: one interface's sender, over Asio: unsolicited advertisements at RFC 4861's
//    intervals, answers to router solicitations, one at once when the prefixes change, and a
//    final one that withdraws the router when it stops.
#pragma once

#include <core/core.hpp>
#include <net/net.hpp>

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace uplink::ra {

// RFC 4861 §6.2.1's defaults, and the lifetimes uplink announces. A router lifetime of three
// maximum intervals (the RFC's default) survives two lost advertisements.
constexpr std::chrono::seconds max_interval {600};
constexpr std::chrono::seconds min_interval {200};
constexpr std::chrono::seconds initial_interval {16}; // MAX_INITIAL_RTR_ADVERT_INTERVAL (§10)
constexpr unsigned initial_advertisements = 3;        // MAX_INITIAL_RTR_ADVERTISEMENTS
constexpr std::chrono::seconds min_delay_between {3}; // MIN_DELAY_BETWEEN_RAS
constexpr std::chrono::milliseconds max_response_delay {500}; // MAX_RA_DELAY_TIME
constexpr std::chrono::seconds router_lifetime {3 * max_interval};
constexpr std::chrono::seconds valid_lifetime {1800};
constexpr std::chrono::seconds preferred_lifetime {900};

struct PrefixInformation { // RFC 4861 §4.6.2, with the on-link and autonomous flags set
    net::Prefix prefix;
    std::chrono::seconds valid {0};
    std::chrono::seconds preferred {0};
    friend bool operator==(const PrefixInformation&, const PrefixInformation&) = default;
};

struct Advertisement {
    std::uint8_t hop_limit = 64;         // Cur Hop Limit for the hosts
    std::chrono::seconds router_lifetime {0}; // 0: not a default router
    std::optional<std::array<std::uint8_t, 6>> source_link_address; // the interface's MAC
    std::vector<PrefixInformation> prefixes;
    friend bool operator==(const Advertisement&, const Advertisement&) = default;
};

// The ICMPv6 message (type 134), checksum 0: the kernel fills it in for a raw ICMPv6 socket
// (RFC 3542 §3.1). Lifetimes beyond 32 bits are clamped to 0xffffffff (infinity).
std::vector<std::uint8_t> encode_advertisement(const Advertisement& advertisement);

// What the LAN is told of one prefix.
struct AnnouncedPrefix {
    net::Prefix prefix; // a /64
    bool preferred = false;
    friend bool operator==(const AnnouncedPrefix&, const AnnouncedPrefix&) = default;
};

// The advertisement for `prefixes` now: each with valid_lifetime and, when preferred,
// preferred_lifetime (else 0); `withdrawn` ones with both 0 (RFC 9096 §3: a prefix no longer
// shared is announced stale, so hosts stop using it as soon as they will); the router lifetime
// while any prefix is shared, 0 otherwise.
Advertisement advertisement_for(const std::vector<AnnouncedPrefix>& prefixes,
    const std::vector<net::Prefix>& withdrawn, std::optional<std::array<std::uint8_t, 6>> source_link_address);

// Sends router advertisements on one interface while it lives. Needs CAP_NET_RAW. Not
// thread-safe: call it on its executor's thread.
class Advertiser {
public:
    // A raw ICMPv6 socket bound to `interface`, in the all-routers group for solicitations; the
    // first advertisement goes out at once. Fails when the interface is not there.
    static Result<Advertiser> start(boost::asio::any_io_executor executor, std::string interface);
    Advertiser(Advertiser&&) noexcept;
    Advertiser& operator=(Advertiser&&) noexcept;
    ~Advertiser(); // stop()

    // The prefixes to announce; a change goes out at once (no sooner than min_delay_between after
    // the last advertisement). A prefix left out is announced withdrawn for valid_lifetime.
    void announce(std::vector<AnnouncedPrefix> prefixes);
    const std::vector<AnnouncedPrefix>& announced() const;
    // A final advertisement: router lifetime 0, every prefix deprecated (RFC 4861 §6.2.5).
    void stop();

    struct Counters {
        std::uint64_t sent = 0, solicitations = 0, send_errors = 0;
        std::string last_error; // why the last send failed, "" when it worked
    };
    Counters counters() const;

private:
    struct State;
    explicit Advertiser(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

} // namespace uplink::ra
