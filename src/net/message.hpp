// The rtnetlink codec, sans-I/O and private to the net module: functions that build one request
// message, an Exchange that sorts the datagrams of a reply, and parsers for the messages of a
// dump. Netlink (netlink.cpp) only moves bytes between these and its socket.
// Message layouts: include/uapi/linux/netlink.h (nlmsghdr, nlmsgerr), rtnetlink.h (ifinfomsg,
// ifaddrmsg, rtmsg), fib_rules.h (fib_rule_hdr); RFC 3549 §2.3.
#pragma once

#include "net/net.hpp"

#include <span>
#include <string>
#include <vector>

namespace uplink::net::rtnetlink {

using Bytes = std::vector<std::uint8_t>;

// ---------------------------------------------------------------- requests
// Each builder returns one whole message with NLM_F_REQUEST | NLM_F_ACK and `sequence`.
// Changes: Add is NLM_F_CREATE | NLM_F_EXCL (an existing object is EEXIST, as `ip ... add`),
// Replace is NLM_F_CREATE | NLM_F_REPLACE (as `ip ... replace`), Delete the RTM_DEL* message.
enum class Operation { Add, Replace, Delete };
std::string_view to_string(Operation operation);

// RTM_GETLINK of one link, by name (IFLA_IFNAME) or by index.
Result<Bytes> get_link_request(std::uint32_t sequence, std::string_view name);
Bytes get_link_request(std::uint32_t sequence, int index);
// A dump (NLM_F_DUMP) of RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE or RTM_GETRULE for one family
// (links ignore the family: they are dumped for every family at once).
Bytes dump_request(std::uint32_t sequence, std::uint16_t message_type, Family family);

// RTM_NEWLINK on an existing link: ifi_change names the one flag that changes (IFF_UP).
Bytes set_link_state_request(std::uint32_t sequence, int index, AdminState state);
Bytes set_link_mtu_request(std::uint32_t sequence, int index, std::uint32_t mtu);
// RTM_NEWLINK with IFLA_LINKINFO { IFLA_INFO_KIND }, as `ip link add NAME type KIND`.
Result<Bytes> add_link_request(std::uint32_t sequence, std::string_view name, LinkKind kind);
// As `ip link add NAME type veth peer name PEER`: both ends in this namespace.
Result<Bytes> add_veth_request(
    std::uint32_t sequence, std::string_view name, std::string_view peer_name);
Bytes delete_link_request(std::uint32_t sequence, int index);

Result<Bytes> address_request(
    std::uint32_t sequence, Operation operation, const InterfaceAddress& address);
Result<Bytes> route_request(std::uint32_t sequence, Operation operation, const Route& route);
// Rules cannot be replaced (fib_nl_newrule() ignores NLM_F_REPLACE): Replace is InvalidArgument.
Result<Bytes> rule_request(std::uint32_t sequence, Operation operation, const Rule& rule);

// ---------------------------------------------------------------- replies
// The messages of one datagram in order, each length checked (netlink.h NLMSG_OK, NLMSG_NEXT):
// the kernel packs several into one datagram, a dump's many, a multicast event's one.
class MessageReader {
public:
    explicit MessageReader(std::span<const std::uint8_t> datagram)
        : datagram_(datagram)
    {
    }
    bool at_end() const { return offset_ >= datagram_.size(); }
    // The next whole message; Errc::Truncated where the rest of the datagram is not one, and the
    // reader is then at its end.
    Result<std::span<const std::uint8_t>> next();

private:
    std::span<const std::uint8_t> datagram_;
    std::size_t offset_ = 0;
};

// Collects the reply to one request from the datagrams read after sending it.
// Messages whose sequence differs from the request's, or whose port is neither ours nor 0, are
// skipped. The reply ends with NLMSG_ERROR (an ack: error 0, or a failure: -errno) or, for a dump,
// NLMSG_DONE; the data messages before it (RTM_NEWLINK...) are kept, each copied whole.
// A datagram that does not split into whole messages ends the exchange with Errc::Truncated.
class Exchange {
public:
    enum class Progress { Pending, Finished };
    // What becomes of the reply's data messages: kept for the caller to read, or left to a caller
    // that applies them as the datagrams come (a LinkWatcher's dump) while this follows the reply
    // to its end, its errors and NLM_F_DUMP_INTR.
    enum class Keep { Messages, Nothing };

    Exchange(std::uint32_t sequence, std::uint32_t port, Keep keep = Keep::Messages)
        : sequence_(sequence)
        , port_(port)
        , keep_(keep)
    {
    }
    Progress feed(std::span<const std::uint8_t> datagram);
    bool finished() const { return finished_; }
    // Once finished: empty on success.
    const Error& error() const { return error_; }
    // The kernel's explanation of a failure (extended ack, NLMSGERR_ATTR_MSG), for a debug log.
    const std::string& kernel_message() const { return kernel_message_; }
    const std::vector<Bytes>& messages() const { return messages_; }
    std::vector<Bytes> take_messages() { return std::move(messages_); }

    // Bounds what one exchange keeps, so a reply that never ends cannot use all memory.
    static constexpr std::size_t max_messages = 100000;

private:
    Progress finish(Error error);
    void read_error(std::span<const std::uint8_t> message);
    void read_kernel_message(std::span<const std::uint8_t> message);

    std::uint32_t sequence_;
    std::uint32_t port_;
    Keep keep_;
    bool finished_ = false;
    bool interrupted_ = false;
    Error error_;
    std::string kernel_message_;
    std::vector<Bytes> messages_;
};

// Each parses one whole message as Exchange keeps it: RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE,
// RTM_NEWRULE (the RTM_DEL* forms of the same layout are accepted too).
Result<Link> parse_newlink(std::span<const std::uint8_t> message);
Result<InterfaceAddress> parse_newaddr(std::span<const std::uint8_t> message);
Result<Route> parse_newroute(std::span<const std::uint8_t> message);
Result<Rule> parse_newrule(std::span<const std::uint8_t> message);
// RTM_F_CLONED: a route cache entry rather than a configured route.
bool is_cloned_route(std::span<const std::uint8_t> message);
// ifi_family AF_UNSPEC: an RTM_NEWLINK or RTM_DELLINK about the link itself. A bridge sends both
// types with AF_BRIDGE to the same group about its ports (br_ifinfo_notify()): the RTM_DELLINK of
// a port that leaves its bridge is one, and the link stays.
bool is_link_itself(std::span<const std::uint8_t> message);

// ---------------------------------------------------------------- the exchange on a socket
// One dump datagram: netlink_dump() sizes its buffer by the reader's last recvmsg() length,
// capped at 32 KiB, so this is always enough (libmnl's MNL_SOCKET_DUMP_SIZE is the same).
constexpr std::size_t receive_capacity = 32768;

// Exchange and transact() know only netlink.h's framing, so they serve ctnetlink as well.
//
// Sends `request` on a datagram socket and feeds every datagram read into `exchange` until it
// finishes or `timeout` has passed (poll(), so the wait is bounded however many datagrams of
// other requests arrive). Datagrams from a netlink sender other than the kernel are dropped.
// Works on any datagram socket, so it is tested with a socketpair standing in for the kernel.
Result<std::vector<Bytes>> transact(
    int socket, std::span<const std::uint8_t> request, Exchange& exchange, Duration timeout);

// A netlink socket of `protocol` (NETLINK_ROUTE, NETLINK_NETFILTER), bound to a port of its own.
Result<MnlSocket> open_socket(int protocol);
// The sequence number after `last`, stored back into it: never 0, which is what the kernel's own
// notifications carry.
std::uint32_t next_sequence(std::uint32_t& last);
// transact() on `socket` with an Exchange for `sequence` and the socket's port; a failure the
// kernel explains (extended ack) is logged at debug level with its explanation.
Result<std::vector<Bytes>> request_reply(mnl_socket* socket, std::uint32_t sequence,
    std::span<const std::uint8_t> request, Duration timeout);

} // namespace uplink::net::rtnetlink
