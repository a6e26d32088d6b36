// Writing the configuration back as the person laid it out: comment and blank lines where they
// stood, options and list values in file order, each line in the form `uci commit` writes it.
// Only what an edit added takes the schema's order.
#include "core/config_schema.hpp"
#include "core/config_syntax.hpp"
#include "core/core.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

namespace uplink {

namespace {

using LayoutLine = ConfigLayout::Line;

bool is_blank_line(std::string_view line)
{
    return line.find_first_not_of(" \t\r\v\f") == std::string_view::npos;
}

bool is_comment_line(std::string_view line)
{
    auto start = line.find_first_not_of(" \t\r\v\f");
    return start != std::string_view::npos && line[start] == '#';
}

bool ends_with_blank_line(std::string_view text)
{
    return text == "\n" || text.ends_with("\n\n");
}

void write_lines(std::string& text, const std::vector<std::string>& lines)
{
    for (const auto& line : lines) {
        text += line;
        text += '\n';
    }
}

void write_value(std::string& text, std::string_view keyword, const std::string& name,
    const std::string& value, std::string_view comment = {})
{
    text += fmt::format("\t{} {} {}{}\n", keyword, name, uci::quote(value), comment);
}

// A list goes where its first line stood, under that line's comment lines (they speak of the
// list). Each value takes the comments of a line that had the same value, so that "# quad9"
// stays with 9.9.9.9 when another value goes; a value the file did not have comes bare.
void write_list(std::string& text, const std::string& name, const std::vector<std::string>& values,
    const std::vector<LayoutLine>& lines)
{
    // By value, lines with the same value in file order (a list may have thousands of values).
    std::multimap<std::string_view, const LayoutLine*> unmatched;
    const LayoutLine* first = nullptr;
    for (const auto& line : lines) {
        if (line.name != name)
            continue;
        unmatched.emplace(line.value, &line);
        if (!first)
            first = &line;
    }
    assert(first && "a list is written where one of its lines stood");
    write_lines(text, first->lines_above);
    for (const auto& value : values) {
        auto match = unmatched.lower_bound(value);
        if (match == unmatched.end() || match->first != value) {
            write_value(text, "list", name, value);
            continue;
        }
        const auto& line = *match->second;
        if (&line != first)
            write_lines(text, line.lines_above);
        write_value(text, "list", name, value, line.comment);
        unmatched.erase(match);
    }
}

void write_section(std::string& text, const ConfigSection& section, const SectionSchema* schema)
{
    const auto& layout = section.layout;
    // A section an edit added is set off by a blank line, as `uci commit` does.
    if (section.line > 0 || !layout.lines_above.empty())
        write_lines(text, layout.lines_above);
    else if (!text.empty() && !ends_with_blank_line(text))
        text += '\n';
    text += "config " + section.type;
    if (!section.name.empty())
        text += ' ' + uci::quote(section.name);
    text += layout.comment;
    text += '\n';

    // The file's lines first; one whose option is gone takes its comment lines with it.
    std::set<std::string, std::less<>> written;
    for (const auto& line : layout.lines) {
        if (written.contains(line.name))
            continue;
        if (auto option = section.options.find(line.name); option != section.options.end()) {
            write_lines(text, line.lines_above);
            write_value(text, "option", line.name, option->second, line.comment);
        } else if (auto list = section.lists.find(line.name); list != section.lists.end()) {
            write_list(text, line.name, list->second, layout.lines);
        } else {
            continue;
        }
        written.insert(line.name);
    }

    // Then what edits added: schema order, so that a new section reads like the documentation;
    // then anything the schema does not know (only possible without a schema).
    auto write_added = [&](const std::string& name) {
        if (written.contains(name))
            return;
        if (auto option = section.options.find(name); option != section.options.end())
            write_value(text, "option", name, option->second);
        if (auto list = section.lists.find(name); list != section.lists.end())
            for (const auto& value : list->second)
                write_value(text, "list", name, value);
        written.insert(name);
    };
    if (schema)
        for (const auto& option : schema->options)
            write_added(option.name);
    for (const auto& [name, value] : section.options)
        write_added(name);
    for (const auto& [name, values] : section.lists)
        write_added(name);
}

// What a removed section leaves of the lines above it. The comment lines directly above it go,
// and the blank lines that set them off from what came before; what is above those (a heading
// over several sections, a `package` line) stays, above whatever follows. The first section
// takes the blank lines after it instead, so that the file does not start with a gap.
void leave_lines_above(
    const ConfigSection& removed, bool is_first, std::vector<std::string>& following)
{
    const auto& lines = removed.layout.lines_above;
    auto comments = lines.end();
    while (comments != lines.begin() && is_comment_line(*std::prev(comments)))
        --comments;
    auto blanks = comments;
    while (blanks != lines.begin() && is_blank_line(*std::prev(blanks)))
        --blanks;
    std::vector<std::string> kept(lines.begin(), blanks);
    if (is_first && kept.empty()) {
        kept.assign(blanks, comments);
        following.erase(following.begin(),
            std::find_if_not(following.begin(), following.end(),
                [](const std::string& line) { return is_blank_line(line); }));
    }
    following.insert(following.begin(), kept.begin(), kept.end());
}

} // namespace

std::string Config::serialize() const
{
    // Without a section from the file, its comments are a header for those an edit adds.
    bool any_from_file = std::any_of(sections_.begin(), sections_.end(),
        [](const ConfigSection& section) { return section.line > 0; });
    std::string text;
    if (!any_from_file)
        write_lines(text, lines_after_);
    for (const auto& section : sections_)
        write_section(
            text, section, schema_ ? schema::find_section(*schema_, section.type) : nullptr);
    if (any_from_file)
        write_lines(text, lines_after_);
    return text;
}

bool Config::remove_section(std::string_view type, std::string_view name)
{
    auto found = std::find_if(sections_.begin(), sections_.end(),
        [&](const ConfigSection& section) { return section.type == type && section.name == name; });
    if (found == sections_.end())
        return false;
    auto following = std::next(found);
    leave_lines_above(*found, found == sections_.begin(),
        following == sections_.end() ? lines_after_ : following->layout.lines_above);
    sections_.erase(found);
    return true;
}

} // namespace uplink
