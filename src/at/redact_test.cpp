#include "at/at.hpp"

#include <gtest/gtest.h>

namespace uplink::at {
namespace {

struct Case {
    std::string_view line, shown;
};

void expect_shown(std::initializer_list<Case> cases)
{
    for (auto [line, shown] : cases)
        EXPECT_EQ(redact_secrets(line), shown) << line;
}

TEST(AtRedact, SecretsAreReplaced)
{
    expect_shown({
        {"AT+CPIN=\"1234\"", "AT+CPIN=***"},
        {"AT+CPIN=1234", "AT+CPIN=***"},
        {"at+cpin=\"12345678\",\"4321\"", "at+cpin=***"},   // PUK and new PIN
        {"AT+CLCK=\"SC\",0,\"1234\"", "AT+CLCK=\"SC\",0,***"},
        {"AT+CLCK=\"SC\",2", "AT+CLCK=\"SC\",2"},   // the query has no password
        {"AT+CPWD=\"SC\",\"1234\",\"4321\"", "AT+CPWD=\"SC\",***"},
        {"AT+CGAUTH=1,1,\"user\",\"pass,word\"", "AT+CGAUTH=1,1,***"},
        {"AT+QICSGP=1,1,\"internet\",\"user\",\"secret\",1", "AT+QICSGP=1,1,\"internet\",***"},
        {"AT$QCPDPP=1,2,\"secret\",\"user\"", "AT$QCPDPP=1,2,***"},
        {"AT^AUTHDATA=1,1,\"\",\"secret\",\"user\"", "AT^AUTHDATA=1,1,\"\",***"},
        {"+CPIN: SIM PIN", "+CPIN: SIM PIN"},   // replies pass through the same function
        {"AT+CPIN?", "AT+CPIN?"},
        {"AT+CSQ", "AT+CSQ"},
        {"", ""},
    });
}

// 27.007 §4: the commands after the first in a line drop their "AT" and follow a ';'. Each is
// redacted to its own end, and the commands after it are kept.
TEST(AtRedact, EveryCommandOfALine)
{
    expect_shown({
        {"AT+CMEE=2;+CPIN=\"1234\"", "AT+CMEE=2;+CPIN=***"},
        {"AT+CPIN=\"1234\";+CSQ", "AT+CPIN=***;+CSQ"},
        {"AT+CMEE=2;+CLCK=\"SC\",1,\"1234\";+CPIN?", "AT+CMEE=2;+CLCK=\"SC\",1,***;+CPIN?"},
        {"AT+CPIN=\"1111\";+CPWD=\"SC\",\"2222\",\"3333\"", "AT+CPIN=***;+CPWD=\"SC\",***"},
        {"at+csq;+cgauth=1,1,\"u\",\"p;w\";+cops?", "at+csq;+cgauth=1,1,***;+cops?"},   // ';' inside quotes
        {"AT+CLCK=\"SC\",2;+CPIN=1234", "AT+CLCK=\"SC\",2;+CPIN=***"},
        // V.250: a basic command needs no separator before an extended one, and spaces are ignored.
        {"ATE0+CPIN=1234", "ATE0+CPIN=***"},
        {"AT + CPIN = 1234", "AT + CPIN =***"},
        {"AT+C PIN=\"1234\"", "AT+C PIN=***"},
        // A quoted "+CPIN=" is a string, not a command.
        {"AT+CMGS=\"+CPIN=\"", "AT+CMGS=\"+CPIN=\""},
    });
}

// Read replies that carry the credentials back, and a command echoed by a modem with echo on
// (a line that reaches the dialogue like any reply).
TEST(AtRedact, RepliesThatEchoCredentials)
{
    expect_shown({
        // Quectel EC25 AT+QICSGP=1: <type>,<apn>,<username>,<password>,<auth>
        {"+QICSGP: 1,\"internet\",\"web\",\"web-secret\",1", "+QICSGP: 1,\"internet\",\"web\",***"},
        {"+QICSGP: 1,\"\",\"\",\"\",0", "+QICSGP: 1,\"\",\"\",***"},
        // 27.007 §10.1.31 AT+CGAUTH?: <cid>,<auth_prot>,<userid>,<password>
        {"+CGAUTH: 1,2,\"user\",\"pass\"", "+CGAUTH: 1,2,***"},
        {"+CGAUTH: 1,0", "+CGAUTH: 1,0"},   // no credentials set: nothing to hide
        {"$QCPDPP: 1,1,\"user\"", "$QCPDPP: 1,1,***"},
        {"^AUTHDATA: 1,2,\"\",\"secret\",\"user\"", "^AUTHDATA: 1,2,\"\",***"},
        // An echo of a whole line (ATE1).
        {"AT+CMEE=2;+CPIN=\"1234\"", "AT+CMEE=2;+CPIN=***"},
        {"+CLCK: 1", "+CLCK: 1"},
    });
}

TEST(AtSimPasswords, FoundInEveryCommandOfALine)
{
    using Kind = SimPassword::Kind;
    struct PasswordCase {
        std::string_view line;
        std::vector<SimPassword> passwords;
    };
    for (const auto& [line, passwords] : std::initializer_list<PasswordCase>{
             {"AT+CPIN=\"1234\"", {{Kind::Pin, "1234"}}},
             {"at+cpin=1234", {{Kind::Pin, "1234"}}},
             {"AT+CPIN=\"12345678\",\"4321\"", {{Kind::Puk, "12345678"}}},
             {"AT+CMEE=2;+CPIN=\"1234\"", {{Kind::Pin, "1234"}}},
             {"AT+CLCK=\"SC\",0,\"1234\"", {{Kind::Pin, "1234"}}},
             {"AT+CLCK=sc,1,1234,7", {{Kind::Pin, "1234"}}},
             {"AT+CPWD=\"SC\",\"1234\",\"4321\"", {{Kind::Pin, "1234"}}},
             {"AT+CPIN=\"1111\";+CPWD=\"SC\",\"2222\",\"3333\"", {{Kind::Pin, "1111"}, {Kind::Pin, "2222"}}},
             {"ATE0+CPIN = 1234", {{Kind::Pin, "1234"}}},
             // Not PIN1: the query, the test command, PIN2 and other facilities.
             {"AT+CLCK=\"SC\",2", {}},
             {"AT+CPIN?", {}},
             {"AT+CPIN=?", {}},
             {"AT+CPIN2=\"1234\"", {}},
             {"AT+CLCK=\"PN\",0,\"12345678\"", {}},
             {"AT+CPWD=\"P2\",\"1234\",\"4321\"", {}},
             {"AT+CMGS=\"+CPIN=1234\"", {}},
         })
        EXPECT_EQ(sim_passwords(line), passwords) << line;
}

} // namespace
} // namespace uplink::at
