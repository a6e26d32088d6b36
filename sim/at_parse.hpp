// Splitting one AT command line into commands, the way a V.250 command processor reads it:
// "AT+CSQ;+CREG?" is two commands, "ATE0 V1" is two basic commands. Private to sim/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::sim {

enum class CommandForm {
    Execute, // AT+CSQ, ATI, ATE0
    Read, // AT+CPIN?
    Test, // AT+COPS=?
    Set, // AT+CPIN=1234
};
std::string_view to_string(CommandForm form);

struct AtCommand {
    std::string name; // upper case: "+CPIN", "E", "I", "&F", "S0"; "" for a bare "AT"
    CommandForm form = CommandForm::Execute;
    std::string arguments; // after '=' for Set, the digits of a basic command ("0" of ATE0)
    std::string text; // "AT" + the command as written, for overrides: AT+QENG="servingcell"
};

// The counter name of a command: "AT+CPIN", "ATE", "AT".
std::string counter_name(const AtCommand& command);

// `line` is one command line without its "\r"; it must start with "AT" (any case).
// None when the line is not a well-formed command line (the modem answers ERROR).
std::optional<std::vector<AtCommand>> parse_command_line(std::string_view line);

// The comma-separated arguments of a Set command, quotes removed and blanks outside quotes
// dropped: `"SC",1,"1234"` gives SC, 1, 1234. An unterminated quote gives none.
std::optional<std::vector<std::string>> split_arguments(std::string_view arguments);

bool equals_ignoring_case(std::string_view left, std::string_view right);
std::string to_upper(std::string_view text);

} // namespace uplink::sim
