#include "at/at.hpp"

#include <gtest/gtest.h>

namespace uplink::at {
namespace {

TEST(AtRedact, SecretsAreReplaced)
{
    struct Case {
        std::string_view command, shown;
    };
    for (auto [command, shown] : std::initializer_list<Case>{
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
         })
        EXPECT_EQ(redact_secrets(command), shown) << command;
}

} // namespace
} // namespace uplink::at
