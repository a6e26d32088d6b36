// The Firewall's nftables scripts and the category that carries nft's error text.
#include "net/nftables.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <deque>
#include <mutex>

namespace uplink::net {

namespace {

// Codes are handed out in order and never reused (until INT_MAX, then from 1 again), so an old
// code cannot come to name a newer failure's text while its own is still kept.
class NftablesCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "nftables"; }

    std::string message(int code) const override
    {
        std::lock_guard lock(mutex_);
        for (const auto& [kept_code, text] : messages_)
            if (kept_code == code)
                return text;
        return "nftables error " + std::to_string(code) + " (its text is no longer kept)";
    }

    int keep(std::string text)
    {
        std::lock_guard lock(mutex_);
        for (const auto& [code, kept] : messages_)
            if (kept == text)
                return code;
        if (messages_.size() >= nftables::kept_messages)
            messages_.pop_front();
        int code = next_code_;
        next_code_ = next_code_ == INT_MAX ? 1 : next_code_ + 1;
        messages_.emplace_back(code, std::move(text));
        return code;
    }

private:
    mutable std::mutex mutex_;
    std::deque<std::pair<int, std::string>> messages_; // oldest first
    int next_code_ = 1;
};

NftablesCategory& category()
{
    static NftablesCategory instance;
    return instance;
}

} // namespace

const boost::system::error_category& nftables_category()
{
    return category();
}

namespace nftables {

namespace {

bool is_name_character(char character)
{
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z')
        || (character >= '0' && character <= '9') || character == '.' || character == '_'
        || character == '-';
}

std::string quote_name(std::string_view name)
{
    return "\"" + std::string(name) + "\"";
}

std::string element_command(std::string_view verb, std::string_view interface)
{
    return fmt::format(
        "{} element {} {} {} {{ {} }}\n", verb, family, table, wan_set, quote_name(interface));
}

} // namespace

bool is_valid_interface_name(std::string_view name)
{
    // IFNAMSIZ (16) counts the terminating NUL; dev_valid_name() refuses "." and "..".
    if (name.empty() || name.size() > 15 || name == "." || name == "..")
        return false;
    return std::ranges::all_of(name, is_name_character);
}

Result<std::string> ttl_script(const TtlByInterface& ttls)
{
    auto script = fmt::format("flush chain {} {} {}\n", family, table, ttl_chain);
    for (const auto& [interface, ttl] : ttls) {
        if (!is_valid_interface_name(interface))
            return Errc::InvalidArgument;
        script += fmt::format("add rule {0} {1} {2} oifname {3} ip ttl set {4}\n"
                              "add rule {0} {1} {2} oifname {3} ip6 hoplimit set {4}\n",
            family, table, ttl_chain, quote_name(interface), ttl);
    }
    return script;
}

Result<std::string> ensure_script(const std::vector<std::string>& wan_interfaces, const TtlByInterface& ttls)
{
    std::vector<std::string> members = wan_interfaces;
    for (const auto& member : members)
        if (!is_valid_interface_name(member))
            return Errc::InvalidArgument;
    std::ranges::sort(members);
    members.erase(std::unique(members.begin(), members.end()), members.end());

    // nft refuses an empty `elements = { }`: a set without members has no elements line.
    std::string elements;
    if (!members.empty()) {
        elements = "\t\telements = { ";
        for (std::size_t index = 0; index < members.size(); ++index)
            elements += (index ? ", " : "") + quote_name(members[index]);
        elements += " }\n";
    }

    auto ttl_rules = ttl_script(ttls);
    if (!ttl_rules)
        return ttl_rules.error();

    // `srcnat`, `filter` and `mangle` are the standard priorities, 100, 0 and -150 (nft(8) "CHAINS").
    // `meta nfproto ipv4`: the inet family's nat chain sees IPv6 too, which is routed, not NATed.
    // `tcp flags syn` matches SYN and SYN+ACK; `rt mtu` is the route's MTU less the IPv4 or IPv6
    // and TCP headers (NFT_RT_TCPMSS), what iptables' TCPMSS --clamp-mss-to-pmtu sets.
    // `from_wan` is where what arrives through a WAN goes, for the router itself (input) and for
    // the LAN (forward): replies pass, and what a carrier's network must reach for the link to
    // work; any other new connection is dropped (and counted) wherever it was headed. A drop in
    // one base chain is final for the packet, so another firewall's accept cannot undo it; our
    // accepts only end our own chains, and another table (OpenWrt's fw4) still sees the packet.
    // The Firewall's own chains and set are emptied and deleted first (`add` first, so one that is
    // missing is no error; a chain must be empty to go, and the set unreferenced), not the whole
    // table: the wan module's route_* chains and sets in it stay (docs/failover.md "Routing").
    std::string own_objects;
    constexpr std::array<std::string_view, 5> own_chains = {"postrouting", "input", "forward", ttl_chain, from_wan_chain};
    for (auto chain : own_chains)
        own_objects += fmt::format("add chain {0} {1} {2}\nflush chain {0} {1} {2}\n", family, table, chain);
    for (auto chain : own_chains)
        own_objects += fmt::format("delete chain {} {} {}\n", family, table, chain);
    own_objects += fmt::format("add set {0} {1} {2} {{ type ifname; }}\ndelete set {0} {1} {2}\n", family, table, wan_set);
    return fmt::format("add table {0} {1}\n"
                       "{7}"
                       "table {0} {1} {{\n"
                       "\tset {2} {{\n"
                       "\t\ttype ifname\n"
                       "{3}"
                       "\t}}\n"
                       "\n"
                       "\tchain postrouting {{\n"
                       "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                       "\t\tmeta nfproto ipv4 oifname @{2} masquerade\n"
                       "\t}}\n"
                       "\n"
                       "\tchain input {{\n"
                       "\t\ttype filter hook input priority filter; policy accept;\n"
                       // RFC 2131 §4.1 and RFC 8415 §7.2: a DHCP server answers from its port to
                       // the client's, to an address the client's request did not name, which
                       // conntrack cannot match to the request; a wired WAN's lease renews so.
                       "\t\tiifname @{2} meta nfproto ipv4 udp sport 67 udp dport 68 accept\n"
                       "\t\tiifname @{2} meta nfproto ipv6 udp sport 547 udp dport 546 accept\n"
                       "\t\tiifname @{2} jump {5}\n"
                       "\t}}\n"
                       "\n"
                       "\tchain forward {{\n"
                       "\t\ttype filter hook forward priority filter; policy accept;\n"
                       "\t\toifname @{2} tcp flags syn tcp option maxseg size set rt mtu\n"
                       "\t\tiifname @{2} jump {5}\n"
                       "\t}}\n"
                       "\n"
                       "\tchain {5} {{\n"
                       "\t\tct state established,related accept\n"
                       // A port forward another firewall (fw4's redirects) made on purpose.
                       "\t\tct status dnat accept\n"
                       // RFC 4861 §7.1: neighbour discovery and router advertisements come
                       // with hop limit 255, so they cannot have been routed from afar;
                       // conntrack has no state for them.
                       "\t\ticmpv6 type {{ nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert }} "
                       "ip6 hoplimit 255 accept\n"
                       // RFC 4890 §4.3.1: IPv6 breaks without these errors (Packet Too Big above all).
                       "\t\ticmpv6 type {{ destination-unreachable, packet-too-big, time-exceeded, "
                       "parameter-problem }} accept\n"
                       "\t\tcounter drop\n"
                       "\t}}\n"
                       "\n"
                       "\tchain {4} {{\n"
                       "\t\ttype filter hook postrouting priority mangle; policy accept;\n"
                       "\t}}\n"
                       "}}\n"
                       "{6}",
        family, table, wan_set, elements, ttl_chain, from_wan_chain, *ttl_rules, own_objects);
}

Result<std::string> add_wan_script(std::string_view interface)
{
    if (!is_valid_interface_name(interface))
        return Errc::InvalidArgument;
    return element_command("add", interface);
}

Result<std::string> remove_wan_script(std::string_view interface)
{
    if (!is_valid_interface_name(interface))
        return Errc::InvalidArgument;
    return element_command("add", interface) + element_command("delete", interface);
}

std::string remove_script()
{
    return fmt::format("add table {0} {1}\ndelete table {0} {1}\n", family, table);
}

Error nftables_error(std::string_view text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (text.empty())
        text = "nftables failed without saying why";
    return {category().keep(std::string(text)), nftables_category()};
}

} // namespace nftables

} // namespace uplink::net
