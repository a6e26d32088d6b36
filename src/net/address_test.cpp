// Addresses and prefixes as text, the error category, and the names of the module's enums.
#include "net/message.hpp"

#include <cerrno>
#include <gtest/gtest.h>
#include <set>

namespace uplink::net {
namespace {

TEST(NetAddress, ParsesBothFamilies)
{
    auto ipv4 = parse_address("100.64.0.2");
    ASSERT_TRUE(ipv4);
    EXPECT_EQ(ipv4->family, Family::Ipv4);
    EXPECT_EQ(ipv4->size(), 4u);
    EXPECT_EQ((std::array<std::uint8_t, 4> {
                  ipv4->bytes[0], ipv4->bytes[1], ipv4->bytes[2], ipv4->bytes[3]}),
        (std::array<std::uint8_t, 4> {100, 64, 0, 2}));
    // The unused tail stays zero, so two equal IPv4 addresses compare equal.
    EXPECT_EQ(ipv4->bytes[4], 0);
    EXPECT_EQ(to_string(*ipv4), "100.64.0.2");

    auto ipv6 = parse_address("2001:db8::2");
    ASSERT_TRUE(ipv6);
    EXPECT_EQ(ipv6->family, Family::Ipv6);
    EXPECT_EQ(ipv6->size(), 16u);
    EXPECT_EQ(ipv6->bytes[0], 0x20);
    EXPECT_EQ(ipv6->bytes[15], 0x02);
    EXPECT_EQ(to_string(*ipv6), "2001:db8::2");
}

TEST(NetAddress, RejectsWhatInetPtonRejects)
{
    for (const char* text : {"", "100.64.0", "100.64.0.256", "010.1.1.1", " 100.64.0.2", "1.2.3.4 ",
             "2001:db8:::2", "fe80::1%eth0", "wwan0", "100.64.0.2/30"})
        EXPECT_FALSE(parse_address(text)) << text;
    EXPECT_FALSE(parse_address(std::string(200, '1')));
}

TEST(NetPrefix, ParsesLengthsWithinTheFamily)
{
    struct Case {
        const char* text;
        const char* printed; // nullptr: rejected
    };
    const Case cases[] = {
        {"100.64.0.2/30", "100.64.0.2/30"},
        {"0.0.0.0/0", "0.0.0.0/0"},
        {"::/0", "::/0"},
        {"2001:db8::2/64", "2001:db8::2/64"},
        {"100.64.0.2", "100.64.0.2/32"}, // a bare address is a host prefix
        {"2001:db8::2", "2001:db8::2/128"},
        {"100.64.0.2/33", nullptr},
        {"2001:db8::/129", nullptr},
        {"100.64.0.2/", nullptr},
        {"100.64.0.2/-1", nullptr},
        {"100.64.0.2/3x", nullptr},
        {"100.64.0.2/+3", nullptr},
        {"/24", nullptr},
        {"default", nullptr},
    };
    for (const auto& c : cases) {
        auto prefix = parse_prefix(c.text);
        if (!c.printed) {
            EXPECT_FALSE(prefix) << c.text;
            continue;
        }
        ASSERT_TRUE(prefix) << c.text;
        EXPECT_EQ(to_string(*prefix), c.printed);
    }
    EXPECT_EQ(parse_prefix("0.0.0.0/0"), Prefix::any(Family::Ipv4));
    EXPECT_EQ(parse_prefix("::/0"), Prefix::any(Family::Ipv6));
}

TEST(NetErrors, EveryErrcHasItsOwnMessage)
{
    std::set<std::string> messages;
    for (int value = static_cast<int>(Errc::Truncated);
         value <= static_cast<int>(Errc::InvalidArgument); ++value) {
        auto message = make_error_code(static_cast<Errc>(value)).message();
        EXPECT_FALSE(message.empty());
        EXPECT_TRUE(messages.insert(message).second) << message;
    }
    Error error = Errc::Timeout;
    EXPECT_EQ(&error.category(), &net_category());
    EXPECT_STREQ(net_category().name(), "net");
}

TEST(NetErrors, KernelErrorsCompareWithErrc)
{
    auto exists = kernel_error(EEXIST);
    EXPECT_EQ(&exists.category(), &boost::system::system_category());
    EXPECT_EQ(exists, boost::system::errc::file_exists);
    EXPECT_NE(exists, boost::system::errc::no_such_device);
    EXPECT_EQ(kernel_error(ENODEV), boost::system::errc::no_such_device);
    EXPECT_EQ(kernel_error(EADDRNOTAVAIL), boost::system::errc::address_not_available);
}

template <typename Enum> void expect_distinct_names(std::initializer_list<Enum> values)
{
    std::set<std::string_view> names;
    for (auto value : values) {
        auto name = to_string(value);
        EXPECT_FALSE(name.empty());
        EXPECT_TRUE(names.insert(name).second) << name;
    }
}

// No from_string exists for these enums, so every value must at least have its own name.
TEST(NetNames, EveryEnumValueHasADistinctName)
{
    expect_distinct_names({Family::Ipv4, Family::Ipv6});
    expect_distinct_names({OperState::Unknown, OperState::NotPresent, OperState::Down,
        OperState::LowerLayerDown, OperState::Testing, OperState::Dormant, OperState::Up});
    expect_distinct_names({AdminState::Down, AdminState::Up});
    expect_distinct_names({Carrier::Down, Carrier::Up});
    expect_distinct_names({LinkKind::Dummy, LinkKind::Bridge});
    expect_distinct_names({AddressScope::Global, AddressScope::Site, AddressScope::Link,
        AddressScope::Host, AddressScope::Nowhere});
    expect_distinct_names({RouteType::Unicast, RouteType::Local, RouteType::Broadcast,
        RouteType::Anycast, RouteType::Multicast, RouteType::Blackhole, RouteType::Unreachable,
        RouteType::Prohibit, RouteType::Throw});
    expect_distinct_names(
        {RuleAction::Lookup, RuleAction::Blackhole, RuleAction::Unreachable, RuleAction::Prohibit});
    expect_distinct_names(
        {rtnetlink::Operation::Add, rtnetlink::Operation::Replace, rtnetlink::Operation::Delete});
    // The kernel's kind names, which IFLA_INFO_KIND carries.
    EXPECT_EQ(to_string(LinkKind::Dummy), "dummy");
    EXPECT_EQ(to_string(LinkKind::Bridge), "bridge");
    // A value from a newer kernel is still printable.
    EXPECT_EQ(to_string(static_cast<OperState>(42)), "operstate");
}

TEST(NetLink, AdminStateFollowsIffUp)
{
    Link link;
    EXPECT_EQ(link.admin_state(), AdminState::Down);
    link.flags = link_flag_up | link_flag_lower_up;
    EXPECT_EQ(link.admin_state(), AdminState::Up);
}

TEST(NetLink, CarrierFollowsIffLowerUp)
{
    Link link;
    link.flags = link_flag_up | link_flag_running;
    EXPECT_EQ(link.carrier(), Carrier::Down);
    link.flags = link_flag_lower_up; // two bits, read apart
    EXPECT_EQ(link.carrier(), Carrier::Up);
    EXPECT_EQ(link.admin_state(), AdminState::Down);
}

} // namespace
} // namespace uplink::net
