#include "at/at.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace uplink::at {

namespace {

struct SecretSyntax {
    std::string_view name;     // upper case, without "AT", up to and including '=' or ':'
    int public_parameters;     // leading parameters that are not secret
};

// Commands, in any command of a line: 3GPP TS 27.007 §8.3 (+CPIN), §7.4 (+CLCK), §7.5 (+CPWD),
// §10.1.31 (+CGAUTH); Quectel QICSGP (<cid>,<type>,<apn>,<username>,<password>,<auth>);
// Qualcomm $QCPDPP (<cid>,<auth>,<password>,<username>) and Huawei ^AUTHDATA
// (<cid>,<auth>,<plmn>,<password>,<username>), which an administrator may send with `uplink at`.
constexpr std::array secret_commands{
    SecretSyntax{"+CPIN=", 0},   SecretSyntax{"+CPIN2=", 0},   SecretSyntax{"+CPWD=", 1},
    SecretSyntax{"+CLCK=", 2},   SecretSyntax{"+CGAUTH=", 2},  SecretSyntax{"+QICSGP=", 3},
    SecretSyntax{"$QCPDPP=", 2}, SecretSyntax{"^AUTHDATA=", 3},
};

// Read replies that give the credentials back: +CGAUTH: <cid>,<auth>,<username>,<password>
// (27.007 §10.1.31), +QICSGP: <type>,<apn>,<username>,<password>,<auth> (Quectel), $QCPDPP:
// <cid>,<auth>[,...] and ^AUTHDATA: <cid>,<auth>,<plmn>,<password>,<username>.
constexpr std::array secret_replies{
    SecretSyntax{"+CGAUTH:", 2}, SecretSyntax{"+QICSGP:", 3}, SecretSyntax{"$QCPDPP:", 2},
    SecretSyntax{"^AUTHDATA:", 3},
};

// Where `name` ends when the text at `position` spells it (any case; ITU-T V.250 §5 has spaces
// ignored in a command line outside strings, so they may stand inside a name); npos otherwise.
std::size_t match_name(std::string_view text, std::size_t position, std::string_view name)
{
    for (char expected : name) {
        while (position < text.size() && text[position] == ' ')
            ++position;
        if (position >= text.size()
            || std::toupper(static_cast<unsigned char>(text[position])) != expected)
            return std::string_view::npos;
        ++position;
    }
    return position;
}

// Past the public parameters of a command or reply whose parameters start at `start` and end at
// an unquoted ';' (another command of the line follows) or at the end: where the secret starts
// and where the parameters end; the secret is absent when there are no more parameters.
struct Parameters {
    std::size_t secret = std::string_view::npos;
    std::size_t end = 0;
};

Parameters split_parameters(std::string_view text, std::size_t start, int public_parameters)
{
    Parameters parameters;
    bool quoted = false;
    int commas = 0;
    if (public_parameters == 0)
        parameters.secret = start;
    std::size_t index = start;
    for (; index < text.size(); ++index) {
        char c = text[index];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == ';')
            break;
        else if (!quoted && c == ',' && ++commas == public_parameters)
            parameters.secret = index + 1;
    }
    parameters.end = index;
    return parameters;
}

// The parameters of every `name` command in a command line (found as redact_secrets() finds
// them), each split at unquoted commas and unquoted.
std::vector<std::vector<std::string>> command_parameters(std::string_view line, std::string_view name)
{
    std::vector<std::vector<std::string>> commands;
    bool quoted = false;
    for (std::size_t index = 0; index < line.size(); ++index) {
        if (line[index] == '"')
            quoted = !quoted;
        auto start = quoted ? std::string_view::npos : match_name(line, index, name);
        if (start == std::string_view::npos)
            continue;
        auto end = split_parameters(line, start, 0).end;
        std::vector<std::string> parameters(1);
        bool inside = false;
        for (char c : line.substr(start, end - start)) {
            if (c == '"')
                inside = !inside;
            else if (c == ',' && !inside)
                parameters.emplace_back();
            else if (c != ' ' || inside)
                parameters.back() += c;
        }
        commands.push_back(std::move(parameters));
        index = end;
    }
    return commands;
}

bool is_sim_facility(std::string_view facility)
{
    return facility.size() == 2 && std::toupper(static_cast<unsigned char>(facility[0])) == 'S'
        && std::toupper(static_cast<unsigned char>(facility[1])) == 'C';
}

} // namespace

std::vector<SimPassword> sim_passwords(std::string_view line)
{
    std::vector<SimPassword> passwords;
    // +CPIN=<pin>, or +CPIN=<puk>,<new pin> when the SIM asks for its PUK.
    for (auto& parameters : command_parameters(line, "+CPIN="))
        if (!parameters[0].empty() && parameters[0] != "?")   // AT+CPIN=? is the test command
            passwords.push_back({parameters.size() > 1 ? SimPassword::Kind::Puk : SimPassword::Kind::Pin,
                std::move(parameters[0])});
    // +CLCK=<fac>,<mode>,<passwd>[,<class>] and +CPWD=<fac>,<oldpwd>,<newpwd>: "SC" is PIN1.
    for (auto& parameters : command_parameters(line, "+CLCK="))
        if (parameters.size() > 2 && is_sim_facility(parameters[0]) && !parameters[2].empty())
            passwords.push_back({SimPassword::Kind::Pin, std::move(parameters[2])});
    for (auto& parameters : command_parameters(line, "+CPWD="))
        if (parameters.size() > 1 && is_sim_facility(parameters[0]) && !parameters[1].empty())
            passwords.push_back({SimPassword::Kind::Pin, std::move(parameters[1])});
    return passwords;
}

// A command line holds commands after "AT", those after the first separated by ';' without
// their own "AT" (3GPP TS 27.007 §4, ITU-T V.250 §5): `AT+CMEE=2;+CPIN="1234"`, and a basic
// command may come straight before an extended one: `ATE0+CPIN=1234`. So every
// secret command is looked for anywhere outside quotes, and redacted up to the end of its own
// command; a reply line that echoes credentials is redacted after its public parameters.
std::string redact_secrets(std::string_view line)
{
    std::string shown;
    shown.reserve(line.size());
    std::size_t index = 0;
    auto first = line.find_first_not_of(' ');
    for (const auto& reply : secret_replies) {
        auto start = first == std::string_view::npos ? first : match_name(line, first, reply.name);
        if (start == std::string_view::npos)
            continue;
        auto parameters = split_parameters(line, start, reply.public_parameters);
        if (parameters.secret == std::string_view::npos)
            return std::string(line);
        return std::string(line.substr(0, parameters.secret)) + "***";
    }
    bool quoted = false;
    while (index < line.size()) {
        if (line[index] == '"')
            quoted = !quoted;
        const SecretSyntax* found = nullptr;
        std::size_t start = std::string_view::npos;
        if (!quoted)
            for (const auto& command : secret_commands)
                if ((start = match_name(line, index, command.name)) != std::string_view::npos) {
                    found = &command;
                    break;
                }
        if (!found) {
            shown += line[index++];
            continue;
        }
        auto parameters = split_parameters(line, start, found->public_parameters);
        if (parameters.secret == std::string_view::npos) {
            shown += line.substr(index, parameters.end - index);   // no secret given: AT+CLCK="SC",2
        } else {
            shown += line.substr(index, parameters.secret - index);
            shown += "***";
        }
        index = parameters.end;
    }
    return shown;
}

} // namespace uplink::at
