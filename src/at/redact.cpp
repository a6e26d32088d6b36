#include "at/at.hpp"

#include <array>
#include <cctype>

namespace uplink::at {

namespace {

struct SecretCommand {
    std::string_view prefix;   // upper case, up to and including '='
    int public_parameters;     // leading parameters that are not secret
};

// 3GPP TS 27.007 §8.3 (+CPIN), §7.4 (+CLCK), §7.5 (+CPWD), §10.1.31 (+CGAUTH); Quectel QICSGP;
// Qualcomm $QCPDPP (<cid>,<auth>,<password>,<username>) and Huawei ^AUTHDATA
// (<cid>,<auth>,<plmn>,<password>,<username>), which an administrator may send with `uplink at`.
constexpr std::array secret_commands{
    SecretCommand{"AT+CPIN=", 0},   SecretCommand{"AT+CPIN2=", 0},   SecretCommand{"AT+CPWD=", 1},
    SecretCommand{"AT+CLCK=", 2},   SecretCommand{"AT+CGAUTH=", 2},  SecretCommand{"AT+QICSGP=", 3},
    SecretCommand{"AT$QCPDPP=", 2}, SecretCommand{"AT^AUTHDATA=", 3},
};

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size())
        return false;
    for (std::size_t index = 0; index < prefix.size(); ++index)
        if (std::toupper(static_cast<unsigned char>(text[index])) != prefix[index])
            return false;
    return true;
}

} // namespace

std::string redact_secrets(std::string_view command)
{
    for (const auto& secret : secret_commands) {
        if (!starts_with_ignoring_case(command, secret.prefix))
            continue;
        // Keep the public leading parameters, split on commas outside quotes.
        std::size_t end = secret.prefix.size();
        bool quoted = false;
        int kept = 0;
        for (; kept < secret.public_parameters && end < command.size(); ++end) {
            if (command[end] == '"')
                quoted = !quoted;
            else if (command[end] == ',' && !quoted)
                ++kept;
        }
        if (kept < secret.public_parameters)
            return std::string(command);   // no secret parameter given, e.g. the query AT+CLCK="SC",2
        return std::string(command.substr(0, end)) + "***";
    }
    return std::string(command);
}

} // namespace uplink::at
