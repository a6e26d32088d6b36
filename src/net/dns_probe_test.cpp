// The DNS probe's query and the check of its response (RFC 1035 §4.1), sans I/O.
#include "net/net.hpp"

#include <gtest/gtest.h>

namespace uplink::net {
namespace {

TEST(DnsProbe, AsksForTheRootsSoaWithoutRecursion)
{
    EXPECT_EQ(dns_probe_query(0xbeef),
        (std::vector<std::uint8_t> {0xbe, 0xef, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1}));
}

TEST(DnsProbe, AnyResponseWithItsIdAnswers)
{
    std::vector<std::uint8_t> refused {0xbe, 0xef, 0x80, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1};
    EXPECT_TRUE(answers_dns_probe(refused, 0xbeef)) << "REFUSED still proves the path";
    EXPECT_FALSE(answers_dns_probe(refused, 0xbeee)) << "another query's";
    auto query = dns_probe_query(0xbeef);
    EXPECT_FALSE(answers_dns_probe(query, 0xbeef)) << "a query (QR clear) is no response";
    EXPECT_FALSE(answers_dns_probe(std::span(refused).first(11), 0xbeef)) << "shorter than a header";
    EXPECT_FALSE(answers_dns_probe({}, 0xbeef));
}

} // namespace
} // namespace uplink::net
