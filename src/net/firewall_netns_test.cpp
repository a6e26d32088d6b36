// Firewall against the kernel's nf_tables, in network namespaces of the test's own (netns tier:
// root). A namespace is made by a thread that unshare()s and opens /proc/thread-self/ns/net; that
// descriptor keeps it alive, and work is done in it by threads that setns() into it. Closing the
// descriptor lets the kernel destroy the namespace with everything in it, however the test ended
// (a crash included: nothing is named, mounted or left behind). The ruleset is read back with
// libnftables in JSON, by a context of the test's own. Traffic goes only between the test's
// namespaces, addressed from 198.18.0.0/15 (DESIGN.md "Test tiers"); every wait has a deadline.
#include "net/net.hpp"
#include "support/private_namespace.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nftables/libnftables.h>
#include <optional>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace uplink::net {
namespace {

namespace json = boost::json;

// A network namespace that lives as long as this object.
class Namespace {
public:
    Namespace()
    {
        std::thread maker([this] {
            if (::unshare(CLONE_NEWNET) != 0) {
                ADD_FAILURE() << "unshare(CLONE_NEWNET): " << std::strerror(errno);
                return;
            }
            descriptor_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
            if (descriptor_ < 0)
                ADD_FAILURE() << "open /proc/thread-self/ns/net: " << std::strerror(errno);
        });
        maker.join();
    }
    ~Namespace()
    {
        if (descriptor_ >= 0)
            ::close(descriptor_);
    }
    Namespace(const Namespace&) = delete;
    Namespace& operator=(const Namespace&) = delete;

    int descriptor() const { return descriptor_; }

    // Runs `body` on a thread inside this namespace; what it creates (sockets, nft contexts)
    // stays in the namespace whichever thread uses it afterwards.
    template <typename Body> void run(Body body) const
    {
        std::thread thread([this, &body] {
            if (::setns(descriptor_, CLONE_NEWNET) != 0) {
                ADD_FAILURE() << "setns: " << std::strerror(errno);
                return;
            }
            body();
        });
        thread.join();
    }

private:
    int descriptor_ = -1;
};

struct NftReply {
    int status = -1;
    std::string output;
    std::string errors;
};

// Runs nft commands with a context of the test's own, in the calling thread's namespace.
NftReply nft(const std::string& commands, unsigned output_flags = 0)
{
    NftReply reply;
    nft_ctx* context = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!context)
        return reply;
    nft_ctx_output_set_flags(context, output_flags);
    nft_ctx_buffer_output(context);
    nft_ctx_buffer_error(context);
    reply.status = nft_run_cmd_from_buffer(context, commands.c_str());
    reply.output = nft_ctx_get_output_buffer(context);
    reply.errors = nft_ctx_get_error_buffer(context);
    nft_ctx_free(context);
    return reply;
}

// `nft -j list ...`: the "nftables" array of objects ({"table": ...}, {"set": ...}...).
json::array list_json(const std::string& what)
{
    auto reply = nft("list " + what, NFT_CTX_OUTPUT_JSON);
    EXPECT_EQ(reply.status, 0) << what << ": " << reply.errors;
    if (reply.status != 0)
        return {};
    return json::parse(reply.output).at("nftables").as_array();
}

// What `table inet uplink` holds, read back from the kernel.
struct Table {
    std::vector<std::string> wan_interfaces; // the set's elements, sorted
    std::map<std::string, json::object> chains;
    std::map<std::string, std::vector<json::array>> rules; // each rule's "expr", by chain
};

Table read_table()
{
    Table table;
    for (const auto& entry : list_json("table inet uplink")) {
        const auto& object = entry.as_object();
        if (auto* set = object.if_contains("set")) {
            EXPECT_EQ(set->at("name"), "wan_interfaces");
            EXPECT_EQ(set->at("type"), "ifname");
            // nft prints one element as a string, several as an array.
            if (auto* elements = set->as_object().if_contains("elem")) {
                if (elements->is_string())
                    table.wan_interfaces.emplace_back(elements->as_string());
                else
                    for (const auto& element : elements->as_array())
                        table.wan_interfaces.emplace_back(element.as_string());
            }
        } else if (auto* chain = object.if_contains("chain")) {
            table.chains[std::string(chain->at("name").as_string())] = chain->as_object();
        } else if (auto* rule = object.if_contains("rule")) {
            table.rules[std::string(rule->at("chain").as_string())].push_back(
                rule->at("expr").as_array());
        }
    }
    std::ranges::sort(table.wan_interfaces);
    return table;
}

bool contains(const json::array& expressions, std::string_view expected)
{
    return std::ranges::find(expressions, json::parse(expected)) != expressions.end();
}

std::vector<std::string> names(std::initializer_list<const char*> list)
{
    return {list.begin(), list.end()};
}

// The chains and rules ensure() makes, whatever the set holds.
void expect_chains_and_rules(const Table& table)
{
    ASSERT_EQ(table.chains.size(), 5u);
    const auto& ttl = table.chains.at("ttl");
    EXPECT_EQ(ttl.at("type"), "filter");
    EXPECT_EQ(ttl.at("hook"), "postrouting");
    EXPECT_EQ(ttl.at("prio"), -150); // mangle
    EXPECT_EQ(ttl.at("policy"), "accept");
    const auto& postrouting = table.chains.at("postrouting");
    EXPECT_EQ(postrouting.at("type"), "nat");
    EXPECT_EQ(postrouting.at("hook"), "postrouting");
    EXPECT_EQ(postrouting.at("prio"), 100); // srcnat
    EXPECT_EQ(postrouting.at("policy"), "accept");
    for (const auto* hook : {"input", "forward"}) {
        const auto& chain = table.chains.at(hook);
        EXPECT_EQ(chain.at("type"), "filter");
        EXPECT_EQ(chain.at("hook"), hook);
        EXPECT_EQ(chain.at("prio"), 0); // filter
        EXPECT_EQ(chain.at("policy"), "accept");
    }
    EXPECT_FALSE(table.chains.at("from_wan").contains("hook")); // a regular chain, jumped to

    constexpr std::string_view to_a_wan
        = R"({"match": {"op": "==", "left": {"meta": {"key": "oifname"}},
                        "right": "@wan_interfaces"}})";
    // One rule in each chain: running ensure() again must not add a second.
    ASSERT_EQ(table.rules.count("postrouting"), 1u);
    ASSERT_EQ(table.rules.at("postrouting").size(), 1u);
    const auto& masquerade = table.rules.at("postrouting").front();
    EXPECT_TRUE(contains(masquerade, to_a_wan)) << masquerade;
    EXPECT_TRUE(contains(masquerade,
        R"({"match": {"op": "==", "left": {"meta": {"key": "nfproto"}}, "right": "ipv4"}})"))
        << masquerade;
    EXPECT_TRUE(contains(masquerade, R"({"masquerade": null})")) << masquerade;

    ASSERT_EQ(table.rules.count("forward"), 1u);
    ASSERT_EQ(table.rules.at("forward").size(), 2u);
    ASSERT_EQ(table.rules.at("input").size(), 3u);
    ASSERT_EQ(table.rules.at("from_wan").size(), 5u);
    constexpr std::string_view to_from_wan = R"({"jump": {"target": "from_wan"}})";
    EXPECT_TRUE(contains(table.rules.at("forward").back(), to_from_wan)) << table.rules.at("forward").back();
    EXPECT_TRUE(contains(table.rules.at("input").back(), to_from_wan)) << table.rules.at("input").back();
    EXPECT_TRUE(contains(table.rules.at("from_wan").back(), R"({"drop": null})")) << table.rules.at("from_wan").back();
    const auto& clamp = table.rules.at("forward").front();
    EXPECT_TRUE(contains(clamp, to_a_wan)) << clamp;
    EXPECT_TRUE(contains(clamp,
        R"({"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}},
                       "value": {"rt": {"key": "mtu"}}}})"))
        << clamp;
}

class FirewallNamespace : public test_support::PrivateNamespaceTest {};

TEST_F(FirewallNamespace, EnsureAddRemoveTouchOnlyOurTable)
{
    Namespace router;
    router.run([] {
        // A user's table, with a set of the same name, and a table of our name in another family.
        auto made = nft(R"(
            table inet other {
                set wan_interfaces { type ifname; elements = { "lan9" }; }
                chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
            }
            table ip uplink {
                chain forward { type filter hook forward priority filter; policy accept; counter; }
            })");
        ASSERT_EQ(made.status, 0) << made.errors;
        auto other_before = nft("list table inet other").output;
        auto ip_uplink_before = nft("list table ip uplink").output;
        ASSERT_FALSE(other_before.empty());

        auto firewall = Firewall::open();
        ASSERT_TRUE(firewall) << firewall.error().message();
        ASSERT_TRUE(firewall->ensure());
        auto again = firewall->ensure();
        ASSERT_TRUE(again) << again.error().message();
        auto table = read_table();
        EXPECT_TRUE(table.wan_interfaces.empty());
        expect_chains_and_rules(table);

        ASSERT_TRUE(firewall->add_wan("wwan0"));
        ASSERT_TRUE(firewall->add_wan("eth1"));
        ASSERT_TRUE(firewall->add_wan("wwan0")); // already there: no error, still once
        EXPECT_EQ(firewall->wan_interfaces(), names({"eth1", "wwan0"}));
        table = read_table();
        EXPECT_EQ(table.wan_interfaces, names({"eth1", "wwan0"}));
        expect_chains_and_rules(table);

        // ensure() rebuilds the table with the WANs it holds, and still one rule per chain.
        ASSERT_TRUE(firewall->ensure());
        table = read_table();
        EXPECT_EQ(table.wan_interfaces, names({"eth1", "wwan0"}));
        expect_chains_and_rules(table);

        ASSERT_TRUE(firewall->remove_wan("eth1"));
        EXPECT_EQ(read_table().wan_interfaces, names({"wwan0"}));
        auto absent = firewall->remove_wan("eth1");
        EXPECT_TRUE(absent) << absent.error().message();
        EXPECT_TRUE(firewall->remove_wan("usb0")); // never added
        EXPECT_EQ(firewall->wan_interfaces(), names({"wwan0"}));
        EXPECT_EQ(read_table().wan_interfaces, names({"wwan0"}));

        // A name that could break out of its quotes is refused before nft sees it.
        EXPECT_EQ(firewall->add_wan("x\" } ; flush").error(), Errc::InvalidArgument);
        EXPECT_EQ(read_table().wan_interfaces, names({"wwan0"}));

        ASSERT_TRUE(firewall->remove());
        EXPECT_TRUE(firewall->wan_interfaces().empty());
        auto gone = nft("list table inet uplink");
        EXPECT_NE(gone.status, 0);
        EXPECT_NE(gone.errors.find("No such file or directory"), std::string::npos) << gone.errors;
        auto removed_again = firewall->remove();
        EXPECT_TRUE(removed_again) << removed_again.error().message();

        // Without the table, a change fails with nft's own words, the command included.
        auto orphan = firewall->add_wan("wwan0");
        ASSERT_FALSE(orphan);
        EXPECT_EQ(&orphan.error().category(), &nftables_category());
        EXPECT_NE(orphan.error().message().find("No such file or directory"), std::string::npos)
            << orphan.error().message();
        EXPECT_NE(orphan.error().message().find("add element inet uplink wan_interfaces"),
            std::string::npos)
            << orphan.error().message();
        EXPECT_TRUE(firewall->wan_interfaces().empty());

        // The others' tables are as they were.
        EXPECT_EQ(nft("list table inet other").output, other_before);
        EXPECT_EQ(nft("list table ip uplink").output, ip_uplink_before);
        std::vector<std::string> tables;
        for (const auto& entry : list_json("tables"))
            if (auto* found = entry.as_object().if_contains("table"))
                tables.push_back(std::string(found->at("family").as_string()) + " "
                    + std::string(found->at("name").as_string()));
        std::ranges::sort(tables);
        EXPECT_EQ(tables, names({"inet other", "ip uplink"}));
    });
}

// The wan module's policy routing lives in the same table (route_* chains and sets): ensure()
// replaces the Firewall's own objects and leaves those, with what they hold.
TEST_F(FirewallNamespace, EnsureKeepsTheRoutingChainsInOurTable)
{
    Namespace router;
    router.run([] {
        auto firewall = Firewall::open();
        ASSERT_TRUE(firewall) << firewall.error().message();
        ASSERT_TRUE(firewall->ensure());
        auto routing = firewall->run_routing(R"(add chain inet uplink route_prerouting { type filter hook prerouting priority mangle; policy accept; }
add set inet uplink route_sticky { type ipv4_addr; flags dynamic, timeout; }
add element inet uplink route_sticky { 198.18.1.2 }
add rule inet uplink route_prerouting ip saddr @route_sticky meta mark set 0x01000000
)");
        ASSERT_TRUE(routing) << routing.error().message();
        auto before = nft("list chain inet uplink route_prerouting").output;
        ASSERT_TRUE(firewall->add_wan("wwan0"));
        ASSERT_TRUE(firewall->ensure());
        auto again = firewall->ensure();
        ASSERT_TRUE(again) << again.error().message();
        EXPECT_EQ(nft("list chain inet uplink route_prerouting").output, before);
        EXPECT_NE(nft("list set inet uplink route_sticky").output.find("198.18.1.2"), std::string::npos);
        EXPECT_NE(nft("list set inet uplink wan_interfaces").output.find("\"wwan0\""), std::string::npos);
        auto postrouting = nft("list chain inet uplink postrouting").output;
        EXPECT_EQ(postrouting.find("masquerade"), postrouting.rfind("masquerade")) << postrouting;
        EXPECT_NE(postrouting.find("masquerade"), std::string::npos) << postrouting;
    });
}

// The Firewall changes the namespace it was opened in, whichever thread calls it.
// The TTL rules as the kernel holds them: one pair per WAN with a TTL, gone with the WAN, and
// kept by a table made again. tests/netns/online_test.cpp sees their effect on traffic.
TEST_F(FirewallNamespace, EachWansTtlIsAPairOfRulesInOurChain)
{
    Namespace router;
    ASSERT_FALSE(HasFatalFailure());
    router.run([] {
        auto firewall = Firewall::open();
        ASSERT_TRUE(firewall) << firewall.error().message();
        ASSERT_TRUE(firewall->ensure());
        ASSERT_TRUE(firewall->add_wan("wwan0"));
        ASSERT_TRUE(firewall->add_wan("wwan1"));
        ASSERT_TRUE(firewall->set_ttl("wwan0", 65));
        ASSERT_TRUE(firewall->set_ttl("wwan1", 64));
        ASSERT_TRUE(firewall->set_ttl("wwan1", 70)); // replaces, never adds
        auto rules = read_table().rules["ttl"];
        ASSERT_EQ(rules.size(), 4u);
        auto sets = [](const json::array& rule, std::string_view interface, std::string_view field, int value) {
            return contains(rule, fmt::format(R"({{"match": {{"op": "==", "left": {{"meta": {{"key": "oifname"}}}},
                "right": "{}"}}}})", interface))
                && contains(rule, fmt::format(R"({{"mangle": {{"key": {{"payload": {{"protocol": "{}",
                "field": "{}"}}}}, "value": {}}}}})", field == "ttl" ? "ip" : "ip6", field, value));
        };
        EXPECT_TRUE(sets(rules[0], "wwan0", "ttl", 65)) << rules[0];
        EXPECT_TRUE(sets(rules[1], "wwan0", "hoplimit", 65)) << rules[1];
        EXPECT_TRUE(sets(rules[2], "wwan1", "ttl", 70)) << rules[2];
        EXPECT_TRUE(sets(rules[3], "wwan1", "hoplimit", 70)) << rules[3];

        ASSERT_TRUE(firewall->remove_wan("wwan0"));
        ASSERT_TRUE(firewall->ensure()); // a table made again keeps wwan1's
        rules = read_table().rules["ttl"];
        ASSERT_EQ(rules.size(), 2u);
        EXPECT_TRUE(sets(rules[0], "wwan1", "ttl", 70)) << rules[0];
        ASSERT_TRUE(firewall->set_ttl("wwan1", std::nullopt));
        EXPECT_EQ(read_table().rules.count("ttl"), 0u);
        EXPECT_EQ(firewall->set_ttl("x\" ; flush", 65).error(), Errc::InvalidArgument);
        ASSERT_TRUE(firewall->remove());
    });
}

TEST_F(FirewallNamespace, ActsInTheNamespaceItWasOpenedIn)
{
    Namespace router;
    Namespace elsewhere;
    std::optional<Firewall> firewall;
    router.run([&firewall] {
        auto opened = Firewall::open();
        ASSERT_TRUE(opened) << opened.error().message();
        firewall.emplace(std::move(*opened));
    });
    ASSERT_TRUE(firewall);
    elsewhere.run([&firewall] {
        auto ensured = firewall->ensure();
        ASSERT_TRUE(ensured) << ensured.error().message();
        ASSERT_TRUE(firewall->add_wan("wwan0"));
        EXPECT_NE(nft("list table inet uplink").status, 0);
    });
    router.run([] { EXPECT_EQ(read_table().wan_interfaces, names({"wwan0"})); });
}

// ---------------------------------------------------------------- end to end
// [lan host] lan0 --veth-- lan0 [router] wan0 --veth-- wan0 [wan host]
//  198.18.1.2/24     198.18.1.1/24   198.18.2.1/24 (MTU 1400)   198.18.2.2/24
// The wan host routes 198.18.1.0/24 back through the router, so a connection also gets through
// without NAT: what the wan host sees as its peer tells whether it was masqueraded.

Address address(const char* text)
{
    auto parsed = parse_address(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Address {});
}

Prefix prefix(const char* text)
{
    auto parsed = parse_prefix(text);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(Prefix {});
}

// Moves a link of the calling thread's namespace into another (RTM_NEWLINK with
// IFLA_NET_NS_FD, as `ip link set NAME netns ...`); Netlink has no call for it, as only tests
// move links. Returns 0 or the kernel's errno.
int move_link(int index, int namespace_descriptor)
{
    std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> socket(
        mnl_socket_open(NETLINK_ROUTE), mnl_socket_close);
    if (!socket || mnl_socket_bind(socket.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        return errno;
    timeval timeout {2, 0};
    ::setsockopt(
        mnl_socket_get_fd(socket.get()), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* header = mnl_nlmsg_put_header(buffer.data());
    header->nlmsg_type = RTM_NEWLINK;
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    header->nlmsg_seq = 1;
    auto* link = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)));
    link->ifi_family = AF_UNSPEC;
    link->ifi_index = index;
    mnl_attr_put_u32(header, IFLA_NET_NS_FD, static_cast<std::uint32_t>(namespace_descriptor));
    if (mnl_socket_sendto(socket.get(), header, header->nlmsg_len) < 0)
        return errno;
    auto received = mnl_socket_recvfrom(socket.get(), buffer.data(), buffer.size());
    if (received < 0)
        return errno;
    if (mnl_cb_run(buffer.data(), static_cast<std::size_t>(received), 1,
            mnl_socket_get_portid(socket.get()), nullptr, nullptr)
        < 0)
        return errno;
    return 0;
}

// In the calling thread's namespace: `name` up, with `local` on it.
void configure_link(Netlink& netlink, const char* name, const char* local)
{
    auto index = netlink.link_index(name);
    ASSERT_TRUE(index) << name << ": " << index.error().message();
    ASSERT_TRUE(netlink.set_link_state(*index, AdminState::Up));
    auto added = netlink.add_address({*index, prefix(local)});
    ASSERT_TRUE(added) << name << ": " << added.error().message();
}

void add_route(const char* destination, const char* gateway, const char* device)
{
    auto netlink = Netlink::open();
    ASSERT_TRUE(netlink);
    auto index = netlink->link_index(device);
    ASSERT_TRUE(index);
    Route route {prefix(destination), address(gateway), *index, main_table, 0, {},
        RouteType::Unicast, static_protocol};
    auto added = netlink->add_route(route);
    ASSERT_TRUE(added) << destination << ": " << added.error().message();
}

void write_file(const char* path, const char* text)
{
    std::ofstream file(path);
    file << text;
    file.close();
    ASSERT_TRUE(file) << "cannot write " << path;
}

std::string read_file(const char* path)
{
    std::ifstream file(path);
    std::string text;
    std::getline(file, text);
    return text;
}

class Descriptor {
public:
    explicit Descriptor(int descriptor = -1)
        : descriptor_(descriptor)
    {
    }
    ~Descriptor()
    {
        if (descriptor_ >= 0)
            ::close(descriptor_);
    }
    Descriptor(Descriptor&& other) noexcept
        : descriptor_(std::exchange(other.descriptor_, -1))
    {
    }
    Descriptor& operator=(Descriptor&& other) noexcept
    {
        std::swap(descriptor_, other.descriptor_);
        return *this;
    }
    int get() const { return descriptor_; }

private:
    int descriptor_;
};

constexpr int wait_milliseconds = 3000;

// What the wan host's end of one TCP connection from the lan host sees.
struct Accepted {
    std::string peer; // the source address of the connection as it arrived
    int segment_size = 0; // TCP_MAXSEG: the peer's MSS (clamped or not) less TCP options
};

// How a connection attempt ended, and what the listener's end saw when it got through.
struct Attempt {
    enum class Outcome { Accepted, Refused, NoAnswer } outcome = Outcome::NoAnswer;
    std::string error;  // Refused: connect's error
    Accepted accepted;
};

// A TCP connection from a socket made in `client` to `listener` (bound to one address), waiting
// up to `wait` for the handshake. NoAnswer: the SYN was met with silence (dropped on the way).
Attempt attempt_connection(const Namespace& client, const Descriptor& listener, int wait)
{
    sockaddr_in server {};
    socklen_t length = sizeof server;
    EXPECT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&server), &length), 0);

    Attempt attempt;
    Descriptor socket;
    client.run([&socket] {
        socket = Descriptor(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    });
    if (socket.get() < 0) {
        attempt.outcome = Attempt::Outcome::Refused;
        attempt.error = std::strerror(errno);
        return attempt;
    }
    int connected = ::connect(socket.get(), reinterpret_cast<sockaddr*>(&server), sizeof server);
    int error = connected == 0 ? 0 : errno;
    if (error == EINPROGRESS) {
        pollfd writable {socket.get(), POLLOUT, 0};
        if (::poll(&writable, 1, wait) != 1)
            return attempt;
        socklen_t error_length = sizeof error;
        ::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &error_length);
    }
    if (error != 0) {
        attempt.outcome = Attempt::Outcome::Refused;
        attempt.error = std::strerror(error);
        return attempt;
    }

    pollfd readable {listener.get(), POLLIN, 0};
    if (::poll(&readable, 1, wait_milliseconds) != 1) {
        attempt.outcome = Attempt::Outcome::Refused;
        attempt.error = "connected, but nothing to accept";
        return attempt;
    }
    sockaddr_in peer {};
    socklen_t peer_length = sizeof peer;
    Descriptor accepted(::accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &peer_length,
        SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (accepted.get() < 0) {
        attempt.outcome = Attempt::Outcome::Refused;
        attempt.error = std::string("accept: ") + std::strerror(errno);
        return attempt;
    }
    attempt.outcome = Attempt::Outcome::Accepted;
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    attempt.accepted.peer = text;
    socklen_t size_length = sizeof attempt.accepted.segment_size;
    ::getsockopt(accepted.get(), IPPROTO_TCP, TCP_MAXSEG, &attempt.accepted.segment_size, &size_length);
    return attempt;
}

// A connection that must get through.
std::optional<Accepted> connect_once(const Namespace& client, const Descriptor& listener)
{
    auto attempt = attempt_connection(client, listener, wait_milliseconds);
    if (attempt.outcome == Attempt::Outcome::NoAnswer)
        ADD_FAILURE() << "no connection within " << wait_milliseconds << " ms";
    else if (attempt.outcome == Attempt::Outcome::Refused)
        ADD_FAILURE() << "connect: " << attempt.error;
    if (attempt.outcome != Attempt::Outcome::Accepted)
        return std::nullopt;
    return attempt.accepted;
}

// A TCP listener on `address` (port chosen by the kernel), made in the calling thread's namespace.
Descriptor listen_on(const char* address)
{
    Descriptor listener(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    EXPECT_GE(listener.get(), 0);
    sockaddr_in local {};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = ::inet_addr(address);
    EXPECT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&local), sizeof local), 0) << std::strerror(errno);
    EXPECT_EQ(::listen(listener.get(), 8), 0);
    return listener;
}

// [lan host] --veth-- [router] --veth-- [wan host], as drawn above, with forwarding on in the
// router and a listener in the wan host.
struct ThreeHosts {
    Namespace lan_host;
    Namespace router;
    Namespace wan_host;
    Descriptor wan_listener; // 198.18.2.2

    void wire()
    {
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        router.run([&] {
            auto netlink = Netlink::open();
            ASSERT_TRUE(netlink) << netlink.error().message();
            ASSERT_TRUE(netlink->add_veth("lan0", "lan-host"));
            ASSERT_TRUE(netlink->add_veth("wan0", "wan-host"));
            ASSERT_EQ(move_link(netlink->link_index("lan-host").value(), lan_host.descriptor()), 0);
            ASSERT_EQ(move_link(netlink->link_index("wan-host").value(), wan_host.descriptor()), 0);
            ASSERT_NO_FATAL_FAILURE(configure_link(*netlink, "lan0", "198.18.1.1/24"));
            ASSERT_NO_FATAL_FAILURE(configure_link(*netlink, "wan0", "198.18.2.1/24"));
            // A modem's MTU: below the LAN's 1500, so a LAN host's MSS is too big for it.
            ASSERT_TRUE(netlink->set_link_mtu(netlink->link_index("wan0").value(), 1400));
            // /proc/sys/net is the namespace of the thread that opens it.
            ASSERT_NO_FATAL_FAILURE(write_file("/proc/sys/net/ipv4/ip_forward", "1\n"));
            EXPECT_EQ(read_file("/proc/sys/net/ipv4/ip_forward"), "1");
        });
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        lan_host.run([] {
            auto netlink = Netlink::open();
            ASSERT_TRUE(netlink);
            ASSERT_NO_FATAL_FAILURE(configure_link(*netlink, "lan-host", "198.18.1.2/24"));
            ASSERT_NO_FATAL_FAILURE(add_route("0.0.0.0/0", "198.18.1.1", "lan-host"));
            EXPECT_EQ(read_file("/proc/sys/net/ipv4/ip_forward"), "0");
        });
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        wan_host.run([this] {
            auto netlink = Netlink::open();
            ASSERT_TRUE(netlink);
            ASSERT_NO_FATAL_FAILURE(configure_link(*netlink, "wan-host", "198.18.2.2/24"));
            ASSERT_NO_FATAL_FAILURE(add_route("198.18.1.0/24", "198.18.2.1", "wan-host"));
            wan_listener = listen_on("198.18.2.2");
        });
    }

    std::optional<Firewall> firewall()
    {
        std::optional<Firewall> firewall;
        router.run([&firewall] {
            auto opened = Firewall::open();
            ASSERT_TRUE(opened) << opened.error().message();
            auto ensured = opened->ensure();
            ASSERT_TRUE(ensured) << ensured.error().message();
            firewall.emplace(std::move(*opened));
        });
        return firewall;
    }
};

// The packets from_wan's last rule has dropped, read in `router`.
std::uint64_t dropped_from_wan(const Namespace& router)
{
    std::uint64_t packets = 0;
    router.run([&packets] {
        for (const auto& entry : list_json("chain inet uplink from_wan"))
            if (const auto* rule = entry.as_object().if_contains("rule"))
                for (const auto& expression : rule->at("expr").as_array())
                    if (const auto* counter = expression.as_object().if_contains("counter"))
                        packets = counter->at("packets").to_number<std::uint64_t>();
    });
    return packets;
}

TEST_F(FirewallNamespace, MasqueradesAndClampsWhatLeavesThroughAWan)
{
    ThreeHosts hosts;
    ASSERT_NO_FATAL_FAILURE(hosts.wire());
    auto& [lan_host, router, wan_host, listener] = hosts;
    auto firewall = hosts.firewall();
    ASSERT_TRUE(firewall);

    // wan0 not yet in the set: routed as it is, the lan host's own address and MSS arrive.
    auto routed = connect_once(lan_host, listener);
    ASSERT_TRUE(routed);
    EXPECT_EQ(routed->peer, "198.18.1.2");
    EXPECT_GT(routed->segment_size, 1400 - 40);

    // A WAN: masqueraded to the router's wan0 address, and the SYN's MSS clamped to what
    // wan0's MTU carries (1400 less 40 bytes of IPv4 and TCP headers; TCP options come off too).
    ASSERT_TRUE(firewall->add_wan("wan0"));
    auto masqueraded = connect_once(lan_host, listener);
    ASSERT_TRUE(masqueraded);
    EXPECT_EQ(masqueraded->peer, "198.18.2.1");
    EXPECT_LE(masqueraded->segment_size, 1400 - 40);
    EXPECT_GT(masqueraded->segment_size, 1400 - 40 - 40); // clamped to the MTU, not below it


    // No longer a WAN: new connections are routed as they are again.
    ASSERT_TRUE(firewall->remove_wan("wan0"));
    auto routed_again = connect_once(lan_host, listener);
    ASSERT_TRUE(routed_again);
    EXPECT_EQ(routed_again->peer, "198.18.1.2");

    ASSERT_TRUE(firewall->remove());
}

TEST_F(FirewallNamespace, NewConnectionsFromAWanAreDroppedRepliesPass)
{
    ThreeHosts hosts;
    ASSERT_NO_FATAL_FAILURE(hosts.wire());
    // Services on the router's WAN address (as the web UI on 0.0.0.0 would be) and on the LAN
    // host, which the wan host routes to through the router.
    Descriptor on_router, on_lan_host;
    hosts.router.run([&on_router] { on_router = listen_on("198.18.2.1"); });
    hosts.lan_host.run([&on_lan_host] { on_lan_host = listen_on("198.18.1.2"); });
    auto firewall = hosts.firewall();
    ASSERT_TRUE(firewall);

    // wan0 is no WAN yet: the wan host reaches both, which proves the paths.
    EXPECT_TRUE(connect_once(hosts.wan_host, on_router));
    EXPECT_TRUE(connect_once(hosts.wan_host, on_lan_host));
    EXPECT_EQ(dropped_from_wan(hosts.router), 0u);

    ASSERT_TRUE(firewall->add_wan("wan0"));
    // Silence, not a refusal: the SYN is dropped where it arrives, and counted.
    constexpr int silence_milliseconds = 500;
    auto to_router = attempt_connection(hosts.wan_host, on_router, silence_milliseconds);
    EXPECT_EQ(to_router.outcome, Attempt::Outcome::NoAnswer) << to_router.error;
    auto to_lan_host = attempt_connection(hosts.wan_host, on_lan_host, silence_milliseconds);
    EXPECT_EQ(to_lan_host.outcome, Attempt::Outcome::NoAnswer) << to_lan_host.error;
    EXPECT_GE(dropped_from_wan(hosts.router), 2u);

    // Outward, the replies come back in: from the LAN (forwarded) and from the router itself.
    auto from_lan = connect_once(hosts.lan_host, hosts.wan_listener);
    ASSERT_TRUE(from_lan);
    EXPECT_EQ(from_lan->peer, "198.18.2.1");
    EXPECT_TRUE(connect_once(hosts.router, hosts.wan_listener));

    // A WAN no longer: reachable again.
    ASSERT_TRUE(firewall->remove_wan("wan0"));
    EXPECT_TRUE(connect_once(hosts.wan_host, on_router));
    ASSERT_TRUE(firewall->remove());
}

} // namespace
} // namespace uplink::net
