// The ctnetlink codec, sans-I/O and private to the net module: the requests Conntrack sends and
// the parser of the entries a dump returns. The replies are framed as rtnetlink's, so Conntrack
// reads them with rtnetlink::Exchange (message.hpp).
// Layouts: include/uapi/linux/netfilter/nfnetlink.h (struct nfgenmsg, NFNL_SUBSYS_CTNETLINK) and
// nfnetlink_conntrack.h (IPCTNL_MSG_CT_*, CTA_*); the kernel's side is
// net/netfilter/nf_conntrack_netlink.c. Marks, ids and ports travel in network byte order.
#pragma once

#include "net/net.hpp"

#include <optional>
#include <span>
#include <vector>

namespace uplink::net::ctnetlink {

using Bytes = std::vector<std::uint8_t>;

// IPCTNL_MSG_CT_GET with NLM_F_DUMP, filtered by the kernel by mark (CTA_MARK, CTA_MARK_MASK)
// and by family (nfgen_family; AF_UNSPEC: both).
Bytes dump_request(std::uint32_t sequence, MarkFilter mark, std::optional<Family> family);

// IPCTNL_MSG_CT_DELETE without a tuple: the kernel's filtered flush of every entry that matches.
// InvalidArgument for a mask of 0 (every entry, or none) and for a value with bits outside the
// mask (no entry).
Result<Bytes> delete_request(std::uint32_t sequence, MarkFilter mark, std::optional<Family> family);

// One IPCTNL_MSG_CT_NEW message of a dump, whole, as Exchange keeps it.
Result<ConntrackEntry> parse_entry(std::span<const std::uint8_t> message);

} // namespace uplink::net::ctnetlink
