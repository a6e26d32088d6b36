// Conntrack: ctnetlink requests (conntrack_codec.cpp) sent and answered over the exchange that
// Netlink uses (netlink.cpp).
#include "net/conntrack_message.hpp"
#include "net/message.hpp"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

namespace uplink::net {

Conntrack::Conntrack(MnlSocket socket, Duration timeout)
    : socket_(std::move(socket))
    , timeout_(timeout)
{
}

Conntrack::Conntrack(Conntrack&&) noexcept = default;
Conntrack& Conntrack::operator=(Conntrack&&) noexcept = default;
Conntrack::~Conntrack() = default;

Result<Conntrack> Conntrack::open(Duration timeout)
{
    auto socket = rtnetlink::open_socket(NETLINK_NETFILTER);
    if (!socket)
        return socket.error();
    return Conntrack(std::move(*socket), timeout);
}

// ctnetlink_dump_table() never flags NLM_F_DUMP_INTR (it resumes by entry id), so unlike
// Netlink::dump() there is nothing to retry.
Result<std::vector<std::vector<std::uint8_t>>> Conntrack::dump(
    MarkFilter mark, std::optional<Family> family)
{
    auto sequence = rtnetlink::next_sequence(sequence_);
    return rtnetlink::request_reply(
        socket_.get(), sequence, ctnetlink::dump_request(sequence, mark, family), timeout_);
}

Result<std::vector<ConntrackEntry>> Conntrack::entries(
    MarkFilter mark, std::optional<Family> family)
{
    auto reply = dump(mark, family);
    if (!reply)
        return reply.error();
    std::vector<ConntrackEntry> entries;
    entries.reserve(reply->size());
    for (const auto& message : *reply) {
        auto entry = ctnetlink::parse_entry(message);
        if (!entry)
            return entry.error();
        entries.push_back(*entry);
    }
    return entries;
}

Result<std::size_t> Conntrack::delete_by_mark(MarkFilter mark, std::optional<Family> family)
{
    // Built first, so that a filter it refuses fails before anything is read.
    auto delete_sequence = rtnetlink::next_sequence(sequence_);
    auto request = ctnetlink::delete_request(delete_sequence, mark, family);
    if (!request)
        return request.error();
    // Each message of the dump is one matching entry: counted, not parsed.
    auto matching = dump(mark, family);
    if (!matching)
        return matching.error();
    auto reply = rtnetlink::request_reply(socket_.get(), delete_sequence, *request, timeout_);
    if (!reply)
        return reply.error();
    return matching->size();
}

} // namespace uplink::net
