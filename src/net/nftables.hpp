// The Firewall's nftables scripts, sans-I/O and private to the net module: pure functions that
// build the text handed to libnftables (nft_run_cmd_from_buffer(), the syntax of nft(8)) from the
// desired state, and the error category that carries nft's own error text. Firewall
// (firewall.cpp) only runs these scripts.
#pragma once

#include "net/net.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::net::nftables {

// The one table uplink owns, and the names inside it.
constexpr std::string_view family = "inet";
constexpr std::string_view table = "uplink";
constexpr std::string_view wan_set = "wan_interfaces";
constexpr std::string_view ttl_chain = "ttl";
constexpr std::string_view from_wan_chain = "from_wan";

// TTL (IPv4) and hop limit (IPv6) given to what leaves through a WAN, by interface name. Some
// operators read a lower TTL as tethering; a router's clients arrive one hop lower than a phone's.
using TtlByInterface = std::map<std::string, std::uint8_t, std::less<>>;

// Whether `name` may go into a script: 1 to 15 characters (IFNAMSIZ - 1) of letters, digits,
// '.', '_' and '-', and not "." or "..". Linux allows more (any byte but '/', ':' and spaces),
// but a name is written between double quotes, which nft's scanner ends at the next '"' with no
// escape, and '*' would make it a wildcard; a name outside this set is refused rather than
// quoted wrongly. Every real WAN name fits: wwan0, eth0.2, br-lan, pppoe-wan, enx001122334455.
bool is_valid_interface_name(std::string_view name);

// One transaction that leaves `table inet uplink` exactly as described, whatever was there:
// `add table` then `delete table` (so the delete cannot fail on a missing table), then the
// whole table with `wan_interfaces` as its set's elements (sorted, duplicates dropped) and the
// TTL rules. InvalidArgument when a name is not is_valid_interface_name().
Result<std::string> ensure_script(const std::vector<std::string>& wan_interfaces, const TtlByInterface& ttls);
// The `ttl` chain flushed and filled again, one transaction: nft 1.0.6 cannot take a TTL from a
// map ("Binary operation (<<) is undefined for map expressions"), so each WAN has its own rules.
Result<std::string> ttl_script(const TtlByInterface& ttls);
// `add element`: adding a member that is there already is no error (no NLM_F_EXCL).
Result<std::string> add_wan_script(std::string_view interface);
// `add element` then `delete element` in one transaction, so a missing member is not an error
// (nft 1.0.6 has no `destroy`, which needs kernel 6.3 too).
Result<std::string> remove_wan_script(std::string_view interface);
// `add table` then `delete table`: a missing table is not an error.
std::string remove_script();

// A failure nft reported, as an Error in nftables_category() whose message() is nft's text
// (trailing whitespace trimmed). The same text gives the same code.
Error nftables_error(std::string_view text);
// How many distinct texts the category keeps; an older code's message() says it was dropped.
constexpr std::size_t kept_messages = 64;

} // namespace uplink::net::nftables
