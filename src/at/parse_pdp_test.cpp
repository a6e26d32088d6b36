// AT+CGDCONT? against real replies (sources named per case).
#include "at/at.hpp"
#include "at/parse_test_util.hpp"

#include <gtest/gtest.h>

namespace uplink::at {
namespace {

using test::lines_of;

struct Context {
    int cid;
    const char* pdp_type;
    const char* apn;
    const char* address;
};

struct CgdcontCase {
    const char* device;
    const char* reply;
    std::vector<Context> expected;
};

TEST(AtParseCgdcont, RealReplies)
{
    const CgdcontCase cases[] = {
        // Quectel EC2x: 8 fields; an IPV4V6 context prints a 16-byte address (ref §4.1).
        {"Quectel EC25 R06",
            "+CGDCONT: 1,\"IP\",\"internet\",\"0.0.0.0\",0,0,0,0\r\n+CGDCONT: "
            "3,\"IPV4V6\",\"3gpp\",\"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0\",0,0,0,0",
            {{1, "IP", "internet", "0.0.0.0"},
                {3, "IPV4V6", "3gpp", "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"}}},
        // Nokia (MM): empty unquoted APN and address, 6 fields.
        {"Nokia", "+CGDCONT: 1,\"IP\",,,0,0", {{1, "IP", "", ""}}},
        // Samsung (MM): three contexts, empty quoted address.
        {"Samsung",
            "+CGDCONT: 1,\"IP\",\"nate.sktelecom.com\",\"\",0,0\r\n+CGDCONT: "
            "2,\"IP\",\"epc.tmobile.com\",\"\",0,0\r\n+CGDCONT: "
            "3,\"IP\",\"MAXROAM.com\",\"\",0,0\r\n",
            {{1, "IP", "nate.sktelecom.com", ""}, {2, "IP", "epc.tmobile.com", ""},
                {3, "IP", "MAXROAM.com", ""}}},
        // MM CID selection tests: the network's APN with the operator suffix kept as given.
        {"MM network APN suffix",
            "+CGDCONT: 2,\"IP\",\"ac.vodafone.es.MNC001.MCC214.GPRS\",\"\",0,0",
            {{2, "IP", "ac.vodafone.es.MNC001.MCC214.GPRS", ""}}},
        {"IPV6 context", "+CGDCONT: 1,\"IPV6\",\"ims\",\"\",0,0,0,0", {{1, "IPV6", "ims", ""}}},
        {"no context defined", "", {}},
    };
    for (const auto& c : cases) {
        auto contexts = parse_cgdcont_read(lines_of(c.reply));
        ASSERT_TRUE(contexts) << c.device;
        ASSERT_EQ(contexts->size(), c.expected.size()) << c.device;
        for (std::size_t i = 0; i < c.expected.size(); ++i) {
            EXPECT_EQ((*contexts)[i].cid, c.expected[i].cid) << c.device;
            EXPECT_EQ((*contexts)[i].pdp_type, c.expected[i].pdp_type) << c.device;
            EXPECT_EQ((*contexts)[i].apn, c.expected[i].apn) << c.device;
            EXPECT_EQ((*contexts)[i].address, c.expected[i].address) << c.device;
        }
    }
}

TEST(AtParseCgdcont, Malformed)
{
    EXPECT_EQ(parse_cgdcont_read({"+CGDCONT: x,\"IP\""}).error(), Errc::Parse);
    EXPECT_EQ(parse_cgdcont_read({"+CGDCONT: 1"}).error(), Errc::Parse);
}

} // namespace
} // namespace uplink::at
