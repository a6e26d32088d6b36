// The Advertiser against real peers (netns tier: root): a host's kernel, which forms its
// addresses and default route from what it hears (SLAAC, RFC 4862), and rdisc6 (ndisc6), which
// solicits and prints the advertisement it gets. Two namespaces of the test's own joined by a veth
// pair; the Advertiser's socket is made inside the router's. Nothing leaves them.
#include "ra/ra.hpp"
#include "sim/tests/namespaces.hpp"

#include <boost/asio/io_context.hpp>
#include <functional>
#include <iostream>
#include <gtest/gtest.h>
#include <thread>

namespace uplink::ra {
namespace {

using namespace std::chrono_literals;
using sim::testing::NetworkNamespace;
using sim::testing::run_command;

const char* const shared_text = "2001:db8:1:2::/64";

class AdvertiserTest : public testing::Test {
protected:
    void SetUp() override
    {
        if (auto why = sim::testing::namespaces_unavailable(); !why.empty())
            GTEST_SKIP() << why;
        auto suffix = std::to_string(::getpid());
        router_ = std::make_unique<NetworkNamespace>("ra" + suffix + "router");
        host_ = std::make_unique<NetworkNamespace>("ra" + suffix + "host");
        must("ip link add r0 netns " + router_->name() + " type veth peer name h0 netns " + host_->name());
        must("ip -n " + router_->name() + " link set r0 up");
        must("ip -n " + host_->name() + " link set h0 up");
        shared_ = *net::parse_prefix(shared_text);
    }

    void must(const std::string& command)
    {
        auto result = run_command(command);
        ASSERT_EQ(result.status, 0) << command << ": " << result.output;
    }

    void start()
    {
        sim::testing::in_namespace(router_->name(), [&] {
            auto started = Advertiser::start(io_.get_executor(), "r0");
            ASSERT_TRUE(started) << started.error().message();
            advertiser_.emplace(std::move(*started));
        });
    }

    // Runs the Advertiser until `holds` does, or for `limit`: whether it held.
    bool run_until(const std::function<bool()>& holds, std::chrono::milliseconds limit)
    {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            io_.restart();
            io_.run_for(100ms);
            if (holds())
                return true;
        }
        return false;
    }

    std::string host(const std::string& what) { return run_command("ip -n " + host_->name() + " " + what).output; }

    // The host's address in the shared prefix, as `ip` shows it ("" while it has none).
    std::string shared_address()
    {
        auto shown = host("-6 address show dev h0");
        auto at = shown.find("inet6 2001:db8:1:2:");
        return at == std::string::npos ? "" : shown.substr(at, shown.find('\n', shown.find('\n', at) + 1) - at);
    }

    std::unique_ptr<NetworkNamespace> router_, host_;
    boost::asio::io_context io_;
    std::optional<Advertiser> advertiser_;
    net::Prefix shared_;
};

TEST_F(AdvertiserTest, AHostFormsItsAddressDeprecatedUntilThePrefixIsPreferred)
{
    ASSERT_NO_FATAL_FAILURE(start());
    advertiser_->announce({{shared_, false}});
    // The router's link-local address is tentative for a second or so (DAD): the Advertiser
    // tries again until it may send. The host then runs DAD on its new address.
    ASSERT_TRUE(run_until([&] { return !shared_address().empty(); }, 15s))
        << host("-6 address show dev h0") << "sent " << advertiser_->counters().sent << ", last error "
        << advertiser_->counters().last_error;
    EXPECT_NE(shared_address().find("deprecated"), std::string::npos) << shared_address();
    EXPECT_NE(host("-6 route show default").find("via fe80::"), std::string::npos)
        << "the router is the host's default router: " << host("-6 route show default");

    auto changed = std::chrono::steady_clock::now();
    advertiser_->announce({{shared_, true}});
    EXPECT_TRUE(run_until([&] { return shared_address().find("deprecated") == std::string::npos; }, 5s))
        << shared_address();
    std::cout << "preferred on the host "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - changed).count()
              << " ms after the change (no sooner than 3 s after the last advertisement, RFC 4861 §6.2.6)\n";

    advertiser_->announce({{shared_, false}});
    EXPECT_TRUE(run_until([&] { return shared_address().find("deprecated") != std::string::npos; }, 5s))
        << shared_address();

    // Stopping withdraws the router: the host's default route through it goes.
    advertiser_->stop();
    EXPECT_TRUE(run_until([&] { return host("-6 route show default").empty(); }, 3s))
        << host("-6 route show default");
}

TEST_F(AdvertiserTest, ASolicitationIsAnsweredAsRdisc6Reads)
{
    ASSERT_NO_FATAL_FAILURE(start());
    advertiser_->announce({{shared_, false}});
    // rdisc6 needs the host's link-local address past DAD, and the router's to answer from.
    ASSERT_TRUE(run_until([&] {
        return advertiser_->counters().sent > 0 && host("-6 address show dev h0 scope link").find("tentative") == std::string::npos;
    }, 10s)) << advertiser_->counters().last_error << host("-6 address show dev h0");
    // rdisc6 solicits (three tries, 2 s apart) and prints the first advertisement it gets.
    std::thread advertising([&] {
        io_.restart();
        io_.run_for(8s);
    });
    auto shown = run_command("ip netns exec " + host_->name() + " rdisc6 -1 -r 3 -w 2000 h0");
    io_.stop();
    advertising.join();
    ASSERT_EQ(shown.status, 0) << "rdisc6 (Debian's ndisc6; scripts/deps installs it): " << shown.output;
    for (auto line : {"Prefix                   : 2001:db8:1:2::/64", "Router lifetime           :         1800",
             "Valid time              :         1800", "Pref. time              :            0"})
        EXPECT_NE(shown.output.find(line), std::string::npos) << line << "\n" << shown.output;
    EXPECT_GE(advertiser_->counters().solicitations, 1u);
}

} // namespace
} // namespace uplink::ra
