#include "sim/at_parse.hpp"

#include <algorithm>

namespace uplink::sim {

namespace {

char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && is_blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back()))
        text.remove_suffix(1);
    return text;
}

// The end of an extended command: the first ';' outside double quotes, or npos.
std::optional<std::size_t> extended_end(std::string_view body, std::size_t start)
{
    bool quoted = false;
    for (auto index = start; index < body.size(); ++index) {
        if (body[index] == '"')
            quoted = !quoted;
        else if (body[index] == ';' && !quoted)
            return index;
    }
    if (quoted)
        return std::nullopt;
    return body.size();
}

// "+CPIN?" / "+COPS=?" / "+CPIN=1234" / "+CSQ"; none for a malformed token.
std::optional<AtCommand> parse_extended(std::string_view token)
{
    AtCommand command;
    command.text = "AT" + std::string(token);
    std::size_t index = 1;
    while (index < token.size()
        && (is_alpha(token[index]) || is_digit(token[index]) || token[index] == '_'))
        ++index;
    if (index == 1)
        return std::nullopt;
    command.name = to_upper(token.substr(0, index));
    auto rest = trim(token.substr(index));
    if (rest.empty())
        command.form = CommandForm::Execute;
    else if (rest == "?")
        command.form = CommandForm::Read;
    else if (rest.starts_with('=') && trim(rest.substr(1)) == "?")
        command.form = CommandForm::Test;
    else if (rest.starts_with('=')) {
        command.form = CommandForm::Set;
        command.arguments = std::string(trim(rest.substr(1)));
    } else
        return std::nullopt;
    return command;
}

// A basic command at body[index]: "E0", "I", "&F", "S0=0", "S7?". Advances index.
std::optional<AtCommand> parse_basic(std::string_view body, std::size_t& index)
{
    auto start = index;
    AtCommand command;
    if (body[index] == '&') {
        if (index + 1 >= body.size() || !is_alpha(body[index + 1]))
            return std::nullopt;
        command.name = std::string("&") + upper(body[index + 1]);
        index += 2;
    } else if (upper(body[index]) == 'S' && index + 1 < body.size() && is_digit(body[index + 1])) {
        command.name = "S";
        for (++index; index < body.size() && is_digit(body[index]); ++index)
            command.name += body[index];
        if (index < body.size() && body[index] == '?') {
            command.form = CommandForm::Read;
            ++index;
        } else if (index < body.size() && body[index] == '=') {
            command.form = CommandForm::Set;
            for (++index; index < body.size() && is_digit(body[index]); ++index)
                command.arguments += body[index];
        }
        command.text = "AT" + std::string(body.substr(start, index - start));
        return command;
    } else {
        command.name = std::string(1, upper(body[index]));
        ++index;
    }
    while (index < body.size() && is_digit(body[index]))
        command.arguments += body[index++];
    command.text = "AT" + std::string(body.substr(start, index - start));
    return command;
}

} // namespace

std::string_view to_string(CommandForm form)
{
    switch (form) {
    case CommandForm::Execute:
        return "execute";
    case CommandForm::Read:
        return "read";
    case CommandForm::Test:
        return "test";
    case CommandForm::Set:
        return "set";
    }
    return "unknown";
}

std::string to_upper(std::string_view text)
{
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(), upper);
    return result;
}

bool equals_ignoring_case(std::string_view left, std::string_view right)
{
    return left.size() == right.size()
        && std::equal(left.begin(), left.end(), right.begin(),
            [](char a, char b) { return upper(a) == upper(b); });
}

std::string counter_name(const AtCommand& command)
{
    if (command.name.starts_with('S') && command.name.size() > 1)
        return "ATS";
    return "AT" + command.name;
}

std::optional<std::vector<AtCommand>> parse_command_line(std::string_view line)
{
    line = trim(line);
    if (line.size() < 2 || upper(line[0]) != 'A' || upper(line[1]) != 'T')
        return std::nullopt;
    auto body = line.substr(2);
    std::vector<AtCommand> commands;
    std::size_t index = 0;
    while (index < body.size()) {
        char c = body[index];
        if (is_blank(c) || c == ';') {
            ++index;
            continue;
        }
        // Extended syntax (V.250 §5.4.1) and the vendor prefixes: ^ Huawei, $ % # others,
        // ! Sierra Wireless (AT!ICCID?, AT!GSTATUS?).
        if (c == '+' || c == '^' || c == '$' || c == '%' || c == '#' || c == '!') {
            auto end = extended_end(body, index);
            if (!end)
                return std::nullopt;
            auto command = parse_extended(trim(body.substr(index, *end - index)));
            if (!command)
                return std::nullopt;
            commands.push_back(std::move(*command));
            index = *end;
            continue;
        }
        if (upper(c) == 'D') {
            // V.250 §6.3.1: the dial string runs to the end of the line.
            commands.push_back(AtCommand {"D", CommandForm::Execute,
                std::string(trim(body.substr(index + 1))), "AT" + std::string(body.substr(index))});
            break;
        }
        if (!is_alpha(c) && c != '&')
            return std::nullopt;
        auto command = parse_basic(body, index);
        if (!command)
            return std::nullopt;
        commands.push_back(std::move(*command));
    }
    if (commands.empty())
        commands.push_back(AtCommand {"", CommandForm::Execute, "", "AT"});
    return commands;
}

std::optional<std::vector<std::string>> split_arguments(std::string_view arguments)
{
    std::vector<std::string> result;
    if (trim(arguments).empty())
        return result;
    std::string current;
    bool quoted = false;
    for (char c : arguments) {
        if (c == '"')
            quoted = !quoted;
        else if (c == ',' && !quoted) {
            result.push_back(std::move(current));
            current.clear();
        } else if (quoted || !is_blank(c))
            current += c;
    }
    if (quoted)
        return std::nullopt;
    result.push_back(std::move(current));
    return result;
}

} // namespace uplink::sim
