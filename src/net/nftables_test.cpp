// The Firewall's nftables scripts, as text, and the category that carries nft's error text.
// firewall_netns_test.cpp runs the same scripts against the kernel.
#include "net/nftables.hpp"

#include <gtest/gtest.h>
#include <regex>

namespace uplink::net::nftables {
namespace {

// What ensure() sends for an empty set: the Firewall's chains and set, whatever they held,
// replaced in one transaction; anything else in the table (the wan module's route_* chains) stays.
constexpr const char* ensure_without_wans = R"(add table inet uplink
add chain inet uplink postrouting
flush chain inet uplink postrouting
add chain inet uplink input
flush chain inet uplink input
add chain inet uplink forward
flush chain inet uplink forward
add chain inet uplink ttl
flush chain inet uplink ttl
add chain inet uplink from_wan
flush chain inet uplink from_wan
delete chain inet uplink postrouting
delete chain inet uplink input
delete chain inet uplink forward
delete chain inet uplink ttl
delete chain inet uplink from_wan
add set inet uplink wan_interfaces { type ifname; }
delete set inet uplink wan_interfaces
table inet uplink {
	set wan_interfaces {
		type ifname
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		meta nfproto ipv4 oifname @wan_interfaces masquerade
	}

	chain input {
		type filter hook input priority filter; policy accept;
		iifname @wan_interfaces meta nfproto ipv4 udp sport 67 udp dport 68 accept
		iifname @wan_interfaces meta nfproto ipv6 udp sport 547 udp dport 546 accept
		iifname @wan_interfaces jump from_wan
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		oifname @wan_interfaces tcp flags syn tcp option maxseg size set rt mtu
		iifname @wan_interfaces jump from_wan
	}

	chain from_wan {
		ct state established,related accept
		ct status dnat accept
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept
		icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept
		counter drop
	}

	chain ttl {
		type filter hook postrouting priority mangle; policy accept;
	}
}
flush chain inet uplink ttl
)";

TEST(NftablesScript, EnsureWithoutWans)
{
    auto script = ensure_script({}, {});
    ASSERT_TRUE(script);
    EXPECT_EQ(*script, ensure_without_wans);
}

TEST(NftablesScript, EnsureListsTheWansSortedAndOnce)
{
    auto script = ensure_script({"wwan0", "eth1", "wwan0", "eth0.2"}, {});
    ASSERT_TRUE(script);
    std::string expected = ensure_without_wans;
    std::string type_line = "\t\ttype ifname\n";
    expected.insert(expected.find(type_line) + type_line.size(),
        "\t\telements = { \"eth0.2\", \"eth1\", \"wwan0\" }\n");
    EXPECT_EQ(*script, expected);
}

TEST(NftablesScript, AddAndRemoveOneWan)
{
    EXPECT_EQ(
        add_wan_script("wwan0").value(), "add element inet uplink wan_interfaces { \"wwan0\" }\n");
    // Added first, so that deleting a name that is not there is no error.
    EXPECT_EQ(remove_wan_script("eth1").value(),
        "add element inet uplink wan_interfaces { \"eth1\" }\n"
        "delete element inet uplink wan_interfaces { \"eth1\" }\n");
}

TEST(NftablesScript, EachWanWithATtlHasItsOwnRules)
{
    TtlByInterface ttls {{"wwan1", 65}, {"eth1", 64}};
    auto expected = "flush chain inet uplink ttl\n"
                    "add rule inet uplink ttl oifname \"eth1\" ip ttl set 64\n"
                    "add rule inet uplink ttl oifname \"eth1\" ip6 hoplimit set 64\n"
                    "add rule inet uplink ttl oifname \"wwan1\" ip ttl set 65\n"
                    "add rule inet uplink ttl oifname \"wwan1\" ip6 hoplimit set 65\n";
    EXPECT_EQ(ttl_script(ttls).value(), expected);
    // ensure() writes them after the table, so a re-created table keeps them.
    auto ensured = ensure_script({"wwan1"}, ttls).value();
    EXPECT_TRUE(ensured.ends_with(std::string("}\n") + expected)) << ensured;
    EXPECT_EQ(ttl_script({}).value(), "flush chain inet uplink ttl\n");
    EXPECT_EQ(ttl_script({{"bad\"name", 65}}).error(), Errc::InvalidArgument);
}

TEST(NftablesScript, RemoveDeletesOnlyOurTable)
{
    EXPECT_EQ(remove_script(), "add table inet uplink\ndelete table inet uplink\n");
}

// Every script names `inet uplink` and no other table (fw4's `inet fw4`, a user's own).
TEST(NftablesScript, NoScriptNamesAnotherTable)
{
    std::vector<std::string> scripts = {ensure_script({"wwan0"}, {{"wwan0", 65}}).value(),
        add_wan_script("wwan0").value(), remove_wan_script("wwan0").value(), remove_script(),
        ttl_script({{"wwan0", 65}}).value()};
    // `table|chain|rule|set FAMILY NAME` and `element FAMILY NAME SET`: the places a table is named.
    const std::regex reference(R"((?:table|chain|rule|element|set) (inet|ip|ip6|arp|bridge|netdev) (\S+))");
    for (const auto& script : scripts) {
        int mentions = 0;
        for (auto match = std::sregex_iterator(script.begin(), script.end(), reference);
             match != std::sregex_iterator(); ++match, ++mentions) {
            EXPECT_EQ((*match)[1], "inet") << script;
            EXPECT_EQ((*match)[2], "uplink") << script;
        }
        EXPECT_GT(mentions, 0) << script;
        // A flush is of a chain of our own, never of a table or the ruleset.
        for (auto flush = script.find("flush"); flush != std::string::npos; flush = script.find("flush", flush + 1))
            EXPECT_EQ(script.substr(flush, 24), "flush chain inet uplink ") << script;
        EXPECT_EQ(script.find("ruleset"), std::string::npos) << script;
    }
}

TEST(NftablesScript, InterfaceNames)
{
    for (const char* name : {"wwan0", "eth1", "eth0.2", "br-lan", "pppoe-wan", "wwan0_1", "3g-wan",
             "enx001122334455" /* 15: the longest Linux allows */})
        EXPECT_TRUE(is_valid_interface_name(name)) << name;
    for (const char* name : {"", "enx0011223344556" /* 16 */, ".", "..", "eth 1", "eth1\"",
             "\"};flush ruleset", "eth*", "eth/1", "eth:1", "wwan0\n", "\xc3\xa9th0"})
        EXPECT_FALSE(is_valid_interface_name(name)) << name;

    // A name that could break out of its quotes never reaches a script.
    const char* injection = "x\" } ; delete";
    EXPECT_EQ(add_wan_script(injection).error(), Errc::InvalidArgument);
    EXPECT_EQ(remove_wan_script(injection).error(), Errc::InvalidArgument);
    EXPECT_EQ(ensure_script({"wwan0", injection}, {}).error(), Errc::InvalidArgument);
    EXPECT_EQ(ensure_script({"wwan0"}, {{injection, 65}}).error(), Errc::InvalidArgument);
    EXPECT_EQ(add_wan_script("").error(), Errc::InvalidArgument);
}

TEST(NftablesError, MessageIsNftsText)
{
    auto error = nftables_error("Error: Could not process rule: No such file or directory\n"
                                "add element inet uplink wan_interfaces { \"x\" }\n"
                                "                 ^^^^^^\n");
    EXPECT_EQ(&error.category(), &nftables_category());
    EXPECT_STREQ(error.category().name(), "nftables");
    EXPECT_NE(error.value(), 0); // an error_code of 0 would read as success
    EXPECT_TRUE(error.failed());
    EXPECT_EQ(error.message(),
        "Error: Could not process rule: No such file or directory\n"
        "add element inet uplink wan_interfaces { \"x\" }\n"
        "                 ^^^^^^");
    Result<void> result = error;
    EXPECT_FALSE(result);
    EXPECT_EQ(result.error().message(), error.message());
}

TEST(NftablesError, SameTextSameCodeOtherTextOtherCode)
{
    auto first = nftables_error("Error: Could not process rule: Operation not permitted\n");
    auto again = nftables_error("Error: Could not process rule: Operation not permitted");
    auto other = nftables_error("Error: syntax error, unexpected newline");
    EXPECT_EQ(first, again);
    EXPECT_NE(first, other);
    EXPECT_EQ(other.message(), "Error: syntax error, unexpected newline");
    EXPECT_EQ(nftables_error("\n").message(), "nftables failed without saying why");
}

TEST(NftablesError, OnlyTheLatestTextsAreKept)
{
    auto oldest = nftables_error("the first of many failures");
    for (std::size_t index = 0; index < kept_messages; ++index)
        nftables_error("failure " + std::to_string(index));
    EXPECT_EQ(oldest.message(),
        "nftables error " + std::to_string(oldest.value()) + " (its text is no longer kept)");
    auto newest = nftables_error("the last failure");
    EXPECT_EQ(newest.message(), "the last failure");
    EXPECT_NE(newest, oldest); // a code is not handed out again while its text could be kept
}

} // namespace
} // namespace uplink::net::nftables
