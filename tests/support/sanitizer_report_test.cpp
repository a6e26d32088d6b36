// sanitizer_report(): the markers of ASan, LSan and UBSan, as they print them.
#include "support/sanitizer_report.hpp"

#include <gtest/gtest.h>

namespace uplink::testing {
namespace {

TEST(SanitizerReport, ACleanLogHasNone)
{
    EXPECT_EQ(sanitizer_report("info uplinkd: stopping (SIGTERM)\n"), "");
    EXPECT_EQ(sanitizer_report(""), "");
    // A modem's error text is not a report.
    EXPECT_EQ(sanitizer_report("debug at: <- +CME ERROR: runtime error\n"), "");
}

TEST(SanitizerReport, AddressSanitizerFromItsBanner)
{
    auto log = std::string("info uplinkd: started\n")
        + "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010\n"
        + "    #0 0x55 in uplink::modem::Modem::stop() src/modem/modem_instance.cpp:130\n";
    auto report = sanitizer_report(log);
    EXPECT_EQ(report.rfind("==4242==ERROR: AddressSanitizer: heap-use-after-free", 0), 0u) << report;
    EXPECT_NE(report.find("modem_instance.cpp:130"), std::string::npos) << report;
}

TEST(SanitizerReport, LeakSanitizer)
{
    auto report = sanitizer_report("==7==ERROR: LeakSanitizer: detected memory leaks\n");
    EXPECT_EQ(report, "==7==ERROR: LeakSanitizer: detected memory leaks\n");
}

TEST(SanitizerReport, UndefinedBehaviorSanitizerWithItsSourceLine)
{
    auto report = sanitizer_report(
        "debug qmi: <- 12 bytes\nsrc/qmi/tlv.cpp:88:17: runtime error: shift exponent 40 is too "
        "large for 32-bit type 'int'\n");
    EXPECT_EQ(report.rfind("src/qmi/tlv.cpp:88:17: runtime error: shift exponent 40", 0), 0u)
        << report;
}

TEST(SanitizerReport, BoundedInLength)
{
    auto log = "==1==ERROR: LeakSanitizer: detected memory leaks\n" + std::string(10000, 'x');
    EXPECT_EQ(sanitizer_report(log, 100).size(), 100u);
}

} // namespace
} // namespace uplink::testing
