#include "core/config_syntax.hpp"

#include <optional>

namespace uplink::uci {

namespace {

// uci splits words at whitespace; '\r' counts too, so files saved with CRLF line ends read the
// same.
bool is_blank(char character)
{
    return character == ' ' || character == '\t' || character == '\r' || character == '\v'
        || character == '\f';
}

// Reads one word starting at `position` (not blank, not '#'), removing quotes and escapes.
// A word may join quoted and unquoted parts, which is how uci writes a quote inside single
// quotes: 'it'\''s' is the word it's.
std::optional<std::string> read_word(
    std::string_view line, std::size_t& position, std::string& word)
{
    while (position < line.size() && !is_blank(line[position])) {
        char character = line[position];
        if (character == '\'') {
            // No escapes inside single quotes: the next ' ends the part.
            auto end = line.find('\'', position + 1);
            if (end == std::string_view::npos)
                return "unterminated single quote (a value must end on the line it starts)";
            word.append(line.substr(position + 1, end - position - 1));
            position = end + 1;
        } else if (character == '"') {
            ++position;
            for (;;) {
                if (position >= line.size())
                    return "unterminated double quote (a value must end on the line it starts)";
                if (line[position] == '"') {
                    ++position;
                    break;
                }
                // Inside double quotes a backslash takes the next character as it is: \" and \\.
                if (line[position] == '\\' && position + 1 < line.size())
                    ++position;
                word.push_back(line[position]);
                ++position;
            }
        } else if (character == '\\') {
            if (position + 1 >= line.size())
                return "a backslash at the end of a line (line continuation) is not supported";
            word.push_back(line[position + 1]);
            position += 2;
        } else if (character == '#') {
            // uci and the shell disagree on a # inside a bare word; refuse rather than guess.
            return "'#' inside an unquoted value: quote the value, or put a space before a comment";
        } else if (character == ';') {
            return "';' outside quotes is not supported: write one statement per line";
        } else {
            word.push_back(character);
            ++position;
        }
    }
    return std::nullopt;
}

// A line without its CR (or CRs) before the line feed.
std::string_view without_carriage_return(std::string_view line)
{
    while (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    return line;
}

// Splits one line into the statement's words and its comment; returns a message when the line
// does not tokenize.
std::optional<std::string> split_line(std::string_view line, Statement& statement)
{
    if (line.find('\0') != std::string_view::npos)
        return "the line contains a NUL byte";
    std::size_t position = 0;
    std::size_t end_of_words = 0;
    for (;;) {
        while (position < line.size() && is_blank(line[position]))
            ++position;
        if (position == line.size())
            return std::nullopt;
        if (line[position] == '#') {
            if (!statement.words.empty())
                statement.comment = without_carriage_return(line.substr(end_of_words));
            return std::nullopt;
        }
        std::string word;
        if (auto error = read_word(line, position, word))
            return error;
        statement.words.push_back(std::move(word));
        end_of_words = position;
    }
}

} // namespace

SplitText split_statements(std::string_view text, std::vector<Problem>& problems)
{
    SplitText split;
    std::vector<std::string> lines_above;
    int line_number = 0;
    while (!text.empty()) {
        ++line_number;
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

        Statement statement {line_number, {}, {}, {}};
        if (auto error = split_line(line, statement)) {
            problems.push_back({line_number, ConfigErrc::Syntax, std::move(*error)});
        } else if (statement.words.empty()) {
            lines_above.emplace_back(without_carriage_return(line));
        } else {
            statement.lines_above = std::move(lines_above);
            lines_above.clear();
            split.statements.push_back(std::move(statement));
        }
    }
    split.lines_after = std::move(lines_above);
    return split;
}

bool is_valid_name(std::string_view name)
{
    if (name.empty())
        return false;
    for (char character : name) {
        bool letter
            = (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z');
        bool digit = character >= '0' && character <= '9';
        if (!letter && !digit && character != '_')
            return false;
    }
    return true;
}

bool is_valid_type(std::string_view type)
{
    if (type.empty())
        return false;
    for (char character : type)
        if (character < '!' || character > '~')
            return false;
    return true;
}

bool is_writable_value(std::string_view value)
{
    return value.find_first_of(std::string_view("\n\0", 2)) == std::string_view::npos;
}

std::string quote(std::string_view value)
{
    std::string quoted = "'";
    for (char character : value) {
        if (character == '\'')
            quoted += "'\\''";
        else
            quoted.push_back(character);
    }
    quoted.push_back('\'');
    return quoted;
}

} // namespace uplink::uci
