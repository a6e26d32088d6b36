#include "at/at.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>

namespace uplink::at {
namespace {

TEST(AtErrors, CategoriesHaveDistinctNames)
{
    EXPECT_STREQ(at_category().name(), "at");
    EXPECT_STREQ(cme_category().name(), "cme");
    EXPECT_STREQ(cms_category().name(), "cms");
}

TEST(AtErrors, EveryErrcHasItsOwnMessage)
{
    std::set<std::string> messages;
    for (int value = static_cast<int>(Errc::Timeout); value <= static_cast<int>(Errc::Cancelled);
         ++value) {
        auto message = make_error_code(static_cast<Errc>(value)).message();
        EXPECT_FALSE(message.empty());
        EXPECT_TRUE(messages.insert(message).second) << message;
    }
}

TEST(AtErrors, ErrcConvertsImplicitly)
{
    Error error = Errc::Timeout;
    EXPECT_EQ(error, make_error_code(Errc::Timeout));
    EXPECT_EQ(&error.category(), &at_category());
}

struct NumberedCase {
    int code;
    const char* message;
};

// 3GPP TS 27.007 §9.2 texts for the numbers modems really send.
TEST(AtErrors, CmeMessagesFollow27007)
{
    const NumberedCase cases[] = {
        {0, "phone failure"},
        {1, "no connection to phone"},
        {3, "operation not allowed"},
        {4, "operation not supported"},
        {5, "PH-SIM PIN required"},
        {10, "SIM not inserted"},
        {11, "SIM PIN required"},
        {12, "SIM PUK required"},
        {13, "SIM failure"},
        {14, "SIM busy"},
        {15, "SIM wrong"},
        {16, "incorrect password"},
        {17, "SIM PIN2 required"},
        {18, "SIM PUK2 required"},
        {20, "memory full"},
        {21, "invalid index"},
        {22, "not found"},
        {23, "memory failure"},
        {24, "text string too long"},
        {30, "no network service"},
        {31, "network timeout"},
        {32, "network not allowed - emergency calls only"},
        {40, "network personalization PIN required"},
        {47, "corporate personalization PUK required"},
        {50, "incorrect parameters"},
        {100, "unknown"},
        {102, "IMSI unknown in HLR"},
        {111, "PLMN not allowed"},
        {127, "missing or unknown APN"},
        {129, "user authentication failed"},
        {131, "activation rejected, unspecified"},
        {516, "GNSS: not fixed now"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(cme_error(c.code).message(), c.message) << c.code;
    EXPECT_EQ(cme_error(777).message(), "CME error 777");
}

TEST(AtErrors, CmsMessagesFollow27005)
{
    const NumberedCase cases[] = {
        {300, "ME failure"},
        {302, "operation not allowed"},
        {303, "operation not supported"},
        {304, "invalid PDU mode parameter"},
        {310, "SIM not inserted"},
        {313, "SIM failure"},
        {321, "invalid memory index"},
        {322, "memory full"},
        {330, "SMSC address unknown"},
        {500, "unknown error"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(cms_error(c.code).message(), c.message) << c.code;
    EXPECT_EQ(cms_error(399).message(), "CMS error 399");
}

TEST(AtErrors, ErrorOfFinal)
{
    struct Case {
        Final final;
        Error expected;
    };
    const Case cases[] = {
        {{FinalKind::Ok, -1, "OK"}, {}},
        {{FinalKind::Connect, -1, "CONNECT 150000000"}, {}},
        {{FinalKind::Error, -1, "ERROR"}, Errc::Error},
        {{FinalKind::NoCarrier, -1, "NO CARRIER"}, Errc::NoCarrier},
        {{FinalKind::Busy, -1, "BUSY"}, Errc::Busy},
        {{FinalKind::NoAnswer, -1, "NO ANSWER"}, Errc::NoAnswer},
        {{FinalKind::NoDialtone, -1, "NO DIALTONE"}, Errc::NoDialtone},
        {{FinalKind::CmeError, 10, "+CME ERROR: 10"}, cme_error(10)},
        {{FinalKind::CmsError, 304, "+CMS ERROR: 304"}, cms_error(304)},
        // AT+CMEE=2 (SIMCom SIM7600A-H capture): the verbose text maps back to its number.
        {{FinalKind::CmeError, -1, "+CME ERROR: SIM not inserted"}, cme_error(10)},
        {{FinalKind::CmeError, -1, "+CME ERROR: incorrect password"}, cme_error(16)},
        {{FinalKind::CmeError, -1, "+CME ERROR: something new"}, cme_error(100)},
        {{FinalKind::CmsError, -1, "+CMS ERROR: memory full"}, cms_error(322)},
    };
    for (const auto& c : cases)
        EXPECT_EQ(error_of(c.final), c.expected) << c.final.text;
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
TEST(AtNames, EveryEnumValueHasADistinctName)
{
    expect_distinct_names({FinalKind::Ok, FinalKind::Error, FinalKind::CmeError,
        FinalKind::CmsError, FinalKind::NoCarrier, FinalKind::Busy, FinalKind::NoAnswer,
        FinalKind::NoDialtone, FinalKind::Connect});
    expect_distinct_names({FrameEvent::Kind::Line, FrameEvent::Kind::Final, FrameEvent::Kind::Urc,
        FrameEvent::Kind::Garbage});
    expect_distinct_names(
        {PinState::Ready, PinState::SimPin, PinState::SimPuk, PinState::SimPin2, PinState::SimPuk2,
            PinState::PhSimPin, PinState::PhNetPin, PinState::PhNetPuk, PinState::Other});
    expect_distinct_names({RegistrationStatus::NotRegistered, RegistrationStatus::Home,
        RegistrationStatus::Searching, RegistrationStatus::Denied, RegistrationStatus::Unknown,
        RegistrationStatus::Roaming, RegistrationStatus::SmsOnlyHome,
        RegistrationStatus::SmsOnlyRoaming, RegistrationStatus::Emergency,
        RegistrationStatus::CsfbNotPreferredHome, RegistrationStatus::CsfbNotPreferredRoaming,
        RegistrationStatus::RestrictedLocalServices});
    expect_distinct_names(
        {AccessTechnology::Unknown, AccessTechnology::Gsm, AccessTechnology::GsmCompact,
            AccessTechnology::Utran, AccessTechnology::GsmEgprs, AccessTechnology::UtranHsdpa,
            AccessTechnology::UtranHsupa, AccessTechnology::UtranHspa, AccessTechnology::Eutran,
            AccessTechnology::EcGsmIot, AccessTechnology::EutranNbIot, AccessTechnology::EutranNr,
            AccessTechnology::Nr, AccessTechnology::NgRan, AccessTechnology::EutranNrDual});
}

} // namespace
} // namespace uplink::at
