// The configuration: reading UCI statements into sections checked against the schema, typed
// access and edits. Writing it back is in config_layout.cpp, file I/O in config_file.cpp.
#include "core/config_schema.hpp"
#include "core/config_syntax.hpp"
#include "core/core.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <utility>

namespace uplink {

namespace {

class ConfigCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "uplink.config"; }
    using boost::system::error_category::message;
    std::string message(int value) const override
    {
        switch (static_cast<ConfigErrc>(value)) {
        case ConfigErrc::Syntax:
            return "the configuration is not valid UCI syntax";
        case ConfigErrc::UnknownSection:
            return "the configuration has an unknown section type";
        case ConfigErrc::UnknownOption:
            return "the configuration has an unknown option";
        case ConfigErrc::BadValue:
            return "a configuration value is outside its type or limits";
        case ConfigErrc::Missing:
            return "a required configuration option is missing";
        case ConfigErrc::Duplicate:
            return "a configuration section or option is given twice";
        case ConfigErrc::Io:
            return "the configuration file could not be read or written";
        }
        return "unknown configuration error";
    }
};

// Reads statements into sections, one at a time, collecting every problem on the way. Without a
// schema (another program's file) any section type and option name is taken, and the keyword
// says whether a value is an option or a list. The comment and blank lines go into each
// section's layout, with the statement below them.
class Reader {
public:
    Reader(const Schema* schema, std::vector<uci::Problem>& problems)
        : schema_(schema)
        , problems_(problems)
    {
    }

    void read(const uci::Statement& statement)
    {
        lines_above_.insert(
            lines_above_.end(), statement.lines_above.begin(), statement.lines_above.end());
        const auto& keyword = statement.words.front();
        if (keyword == "package")
            read_package(statement);
        else if (keyword == "config")
            read_config(statement);
        else if (keyword == "option" || keyword == "list")
            read_value(statement);
        else
            problem(statement.line, ConfigErrc::Syntax,
                fmt::format(
                    "unknown statement '{}' (expected config, option, list or package)", keyword));
    }

    std::vector<ConfigSection> take_sections() { return std::move(sections_); }

    // The lines after the last section: those after the last statement, and any the last
    // statements left (a `package` line).
    std::vector<std::string> take_lines_after(const std::vector<std::string>& lines_after)
    {
        lines_above_.insert(lines_above_.end(), lines_after.begin(), lines_after.end());
        return std::move(lines_above_);
    }

private:
    // Where option and list lines go: nowhere yet, a section, or nowhere because the
    // `config` line was refused (its options would only repeat that problem).
    enum class Place { BeforeFirstSection, Section, RefusedSection };

    void problem(int line, ConfigErrc code, std::string message)
    {
        problems_.push_back({line, code, std::move(message)});
    }

    bool check_name(int line, const std::string& name)
    {
        if (uci::is_valid_name(name))
            return true;
        problem(line, ConfigErrc::Syntax,
            fmt::format("'{}' is not a valid name (letters, digits and _ only)", name));
        return false;
    }

    // `package <name>` names the file's package in `uci import`/`export`; the file's own
    // name says the same, so it is accepted, ignored, and written back where it stood.
    void read_package(const uci::Statement& statement)
    {
        if (statement.words.size() != 2)
            problem(statement.line, ConfigErrc::Syntax, "'package' takes one name");
        else if (check_name(statement.line, statement.words[1]))
            lines_above_.push_back("package " + statement.words[1] + statement.comment);
    }

    void read_config(const uci::Statement& statement)
    {
        const auto& words = statement.words;
        place_ = Place::RefusedSection;
        if (words.size() < 2) {
            problem(statement.line, ConfigErrc::Syntax, "'config' needs a section type");
            return;
        }
        if (words.size() > 3) {
            problem(statement.line, ConfigErrc::Syntax,
                "'config' takes a section type and an optional name, nothing more");
            return;
        }
        const auto& type = words[1];
        std::string name = words.size() == 3 ? words[2] : std::string();
        // uci reads `config type ''` as an anonymous section.
        if (!uci::is_valid_type(type)) {
            problem(statement.line, ConfigErrc::Syntax,
                fmt::format("'{}' is not a valid section type (printable characters, no spaces)",
                    type));
            return;
        }
        if (!name.empty() && !check_name(statement.line, name))
            return;
        section_schema_ = schema_ ? schema::find_section(*schema_, type) : nullptr;
        if (schema_ && !section_schema_) {
            problem(statement.line, ConfigErrc::UnknownSection,
                fmt::format("unknown section type '{}'", type));
            return;
        }
        auto& section = sections_.emplace_back();
        section.type = type;
        section.name = std::move(name);
        section.line = statement.line;
        section.layout.lines_above = std::exchange(lines_above_, {});
        section.layout.comment = statement.comment;
        option_lines_.clear();
        place_ = Place::Section;
    }

    void read_value(const uci::Statement& statement)
    {
        const auto& words = statement.words;
        const auto& keyword = words[0];
        if (words.size() < 3) {
            problem(statement.line, ConfigErrc::Syntax,
                fmt::format("'{}' needs a name and a value", keyword));
            return;
        }
        if (words.size() > 3) {
            problem(statement.line, ConfigErrc::Syntax,
                fmt::format(
                    "'{}' takes a name and one value (quote a value that has spaces)", keyword));
            return;
        }
        if (!check_name(statement.line, words[1]))
            return;
        if (place_ == Place::BeforeFirstSection) {
            problem(statement.line, ConfigErrc::Syntax,
                fmt::format("'{}' before any 'config' line", keyword));
            return;
        }
        if (place_ != Place::Section)
            return;
        add_value(statement.line, keyword == "list", words[1], words[2]);
        // Kept even when refused: the parse fails then, and the layout goes with it.
        sections_.back().layout.lines.push_back(
            {words[1], words[2], std::exchange(lines_above_, {}), statement.comment});
    }

    void add_value(int line, bool is_list_line, const std::string& name, const std::string& value)
    {
        auto& section = sections_.back();
        auto label = fmt::format("{} '{}'", is_list_line ? "list" : "option", name);
        if (!schema_) {
            add_unchecked_value(line, is_list_line, label, name, value);
            return;
        }
        const auto* option = schema::find_option(*section_schema_, name);
        if (!option) {
            problem(line, ConfigErrc::UnknownOption,
                fmt::format("{}: unknown option for a '{}' section", label, section.type));
            return;
        }
        bool is_list = option->type == OptionType::List;
        if (is_list && !is_list_line)
            problem(line, ConfigErrc::BadValue,
                fmt::format("{}: is a list; give each value on a 'list {}' line", label, name));
        if (!is_list && is_list_line)
            problem(line, ConfigErrc::BadValue,
                fmt::format(
                    "{}: is not a list; give it once, on an 'option {}' line", label, name));
        if (is_list) {
            section.lists[name].push_back(value);
            return;
        }
        if (!first_option_line(line, label, name))
            return;
        if (auto why = schema::check_value(*option, value))
            problem(line, ConfigErrc::BadValue, fmt::format("{}: {}", label, *why));
        // Kept even when refused, so a required option is not also reported as missing.
        section.options[name] = value;
    }

    // uci lets the last of two lines win; two lines are almost always a mistake.
    bool first_option_line(int line, const std::string& label, const std::string& name)
    {
        auto [first, inserted] = option_lines_.try_emplace(name, line);
        if (!inserted)
            problem(line, ConfigErrc::Duplicate,
                fmt::format("{}: already set on line {}", label, first->second));
        return inserted;
    }

    void add_unchecked_value(int line, bool is_list_line, const std::string& label,
        const std::string& name, const std::string& value)
    {
        auto& section = sections_.back();
        bool other_kind = is_list_line ? section.options.count(name) > 0 : section.lists.count(name) > 0;
        if (other_kind) {
            problem(line, ConfigErrc::BadValue,
                fmt::format("{}: given both as an option and as a list", label));
            return;
        }
        if (is_list_line)
            section.lists[name].push_back(value);
        else if (first_option_line(line, label, name))
            section.options[name] = value;
    }

    const Schema* schema_;
    std::vector<uci::Problem>& problems_;
    std::vector<ConfigSection> sections_;
    Place place_ = Place::BeforeFirstSection;
    const SectionSchema* section_schema_ = nullptr;
    std::map<std::string, int> option_lines_;
    std::vector<std::string> lines_above_; // for the next section or value line
};

// Turns problems into the caller's diagnostics, in line order, and gives the error to
// return: the code of the first problem.
Error report(std::vector<uci::Problem>& problems, std::vector<ConfigDiagnostic>& diagnostics)
{
    assert(!problems.empty());
    std::stable_sort(problems.begin(), problems.end(),
        [](const auto& left, const auto& right) { return left.line < right.line; });
    for (auto& problem : problems)
        diagnostics.push_back({problem.line, std::move(problem.message)});
    return make_error_code(problems.front().code);
}

// Where a section created by an edit goes: after the last one of its type, else at the end.
ConfigSection& find_or_add_section(
    std::vector<ConfigSection>& sections, std::string_view type, std::string_view name)
{
    auto last_of_type = sections.end();
    for (auto it = sections.begin(); it != sections.end(); ++it) {
        if (it->type != type)
            continue;
        if (name.empty() || it->name == name)
            return *it;
        last_of_type = it;
    }
    auto position = last_of_type == sections.end() ? sections.end() : std::next(last_of_type);
    auto added = sections.insert(position, ConfigSection());
    added->type = type;
    added->name = name;
    return *added;
}

enum class EditKind { Option, List };

// set() and set_list(): the same checks a load makes, on a copy that replaces the
// sections only when it passes.
Result<void> edit(const Schema* schema, std::vector<ConfigSection>& sections, std::string_view type,
    std::string_view name, std::string_view option, EditKind kind,
    const std::vector<std::string>& values, std::vector<ConfigDiagnostic>& diagnostics)
{
    diagnostics.clear();
    std::vector<uci::Problem> problems;
    auto refuse = [&](ConfigErrc code, std::string message) {
        problems.push_back({0, code, std::move(message)});
        return Result<void>(report(problems, diagnostics));
    };
    const auto* section_schema = schema ? schema::find_section(*schema, type) : nullptr;
    if (!section_schema)
        return refuse(ConfigErrc::UnknownSection, fmt::format("unknown section type '{}'", type));
    if (!name.empty() && !uci::is_valid_name(name))
        return refuse(ConfigErrc::Syntax,
            fmt::format("'{}' is not a valid name (letters, digits and _ only)", name));
    auto label = fmt::format("{} '{}'", kind == EditKind::List ? "list" : "option", option);
    const auto* option_schema = schema::find_option(*section_schema, option);
    if (!option_schema)
        return refuse(ConfigErrc::UnknownOption,
            fmt::format("{}: unknown option for a '{}' section", label, type));
    bool is_list = option_schema->type == OptionType::List;
    if (is_list && kind == EditKind::Option)
        return refuse(ConfigErrc::BadValue,
            fmt::format("{}: is a list; give each value on a 'list {}' line", label, option));
    if (!is_list && kind == EditKind::List)
        return refuse(ConfigErrc::BadValue,
            fmt::format("{}: is not a list; give it once, on an 'option {}' line", label, option));
    for (const auto& value : values)
        if (auto why = schema::check_value(*option_schema, value))
            problems.push_back({0, ConfigErrc::BadValue, fmt::format("{}: {}", label, *why)});
    if (!problems.empty())
        return report(problems, diagnostics);

    auto candidate = sections;
    auto& target = find_or_add_section(candidate, type, name);
    std::string key(option);
    if (kind == EditKind::Option)
        target.options[key] = values.front();
    else if (values.empty())
        target.lists.erase(key);
    else
        target.lists[key] = values;
    schema::check_sections(*schema, candidate, problems);
    if (!problems.empty())
        return report(problems, diagnostics);
    sections = std::move(candidate);
    return {};
}

} // namespace

const boost::system::error_category& config_category()
{
    static const ConfigCategory category;
    return category;
}

Error make_error_code(ConfigErrc code)
{
    return {static_cast<int>(code), config_category()};
}

std::string to_string(const ConfigDiagnostic& diagnostic)
{
    if (diagnostic.line <= 0)
        return diagnostic.message;
    return fmt::format("line {}: {}", diagnostic.line, diagnostic.message);
}

Result<Config> Config::parse(
    std::string_view text, const Schema& schema, std::vector<ConfigDiagnostic>& diagnostics)
{
    diagnostics.clear();
    std::vector<uci::Problem> problems;
    Reader reader(&schema, problems);
    auto split = uci::split_statements(text, problems);
    for (const auto& statement : split.statements)
        reader.read(statement);
    Config config;
    config.schema_ = &schema;
    config.sections_ = reader.take_sections();
    config.lines_after_ = reader.take_lines_after(split.lines_after);
    schema::check_sections(schema, config.sections_, problems);
    if (!problems.empty())
        return report(problems, diagnostics);
    return config;
}

Result<std::vector<ConfigSection>> parse_uci_sections(
    std::string_view text, std::vector<ConfigDiagnostic>& diagnostics)
{
    diagnostics.clear();
    std::vector<uci::Problem> problems;
    Reader reader(nullptr, problems);
    auto split = uci::split_statements(text, problems);
    for (const auto& statement : split.statements)
        reader.read(statement);
    auto sections = reader.take_sections();
    schema::check_names(sections, problems);
    if (!problems.empty())
        return report(problems, diagnostics);
    return sections;
}

std::optional<bool> parse_uci_boolean(std::string_view text)
{
    return schema::parse_boolean(text);
}

std::string quote_uci_value(std::string_view value)
{
    return uci::quote(value);
}

std::vector<const ConfigSection*> Config::sections_of(std::string_view type) const
{
    std::vector<const ConfigSection*> found;
    for (const auto& section : sections_)
        if (section.type == type)
            found.push_back(&section);
    return found;
}

const ConfigSection* Config::section(std::string_view type, std::string_view name) const
{
    for (const auto& section : sections_)
        if (section.type == type && (name.empty() || section.name == name))
            return &section;
    return nullptr;
}

std::string Config::get(const ConfigSection& section, std::string_view option) const
{
    if (auto value = section.options.find(std::string(option)); value != section.options.end())
        return value->second;
    // A list reads as its values separated by spaces, as `uci get` shows it.
    if (auto list = section.lists.find(std::string(option)); list != section.lists.end()) {
        std::string joined;
        for (const auto& value : list->second)
            joined += (joined.empty() ? "" : " ") + value;
        return joined;
    }
    if (!schema_)
        return {};
    const auto* section_schema = schema::find_section(*schema_, section.type);
    const auto* option_schema
        = section_schema ? schema::find_option(*section_schema, option) : nullptr;
    assert(option_schema && "asked for an option the schema does not have");
    return option_schema ? option_schema->default_value : std::string();
}

std::int64_t Config::get_integer(const ConfigSection& section, std::string_view option) const
{
    return schema::parse_integer(get(section, option)).value_or(0);
}

bool Config::get_boolean(const ConfigSection& section, std::string_view option) const
{
    return schema::parse_boolean(get(section, option)).value_or(false);
}

Result<void> Config::set_options(std::string_view type, std::string_view name,
    const std::map<std::string, std::string>& changes, std::vector<ConfigDiagnostic>& diagnostics)
{
    diagnostics.clear();
    auto candidate = sections_;
    auto& target = find_or_add_section(candidate, type, name);
    for (const auto& [option, value] : changes) {
        if (value.empty())
            target.options.erase(option);
    }
    // Each value is checked by set(), on the candidate, so that a refusal leaves this unchanged;
    // a required option that only this batch supplies is checked once every value is in.
    std::vector<uci::Problem> problems;
    for (const auto& [option, value] : changes) {
        if (value.empty())
            continue;
        const auto* section_schema = schema_ ? schema::find_section(*schema_, type) : nullptr;
        const auto* option_schema = section_schema ? schema::find_option(*section_schema, option) : nullptr;
        if (!section_schema)
            problems.push_back({0, ConfigErrc::UnknownSection, fmt::format("unknown section type '{}'", type)});
        else if (!option_schema || option_schema->type == OptionType::List)
            problems.push_back({0, ConfigErrc::UnknownOption,
                fmt::format("option '{}': unknown option for a '{}' section", option, type)});
        else if (auto why = schema::check_value(*option_schema, value))
            problems.push_back({0, ConfigErrc::BadValue, fmt::format("option '{}': {}", option, *why)});
        else
            target.options[option] = value;
    }
    if (!name.empty() && !uci::is_valid_name(name))
        problems.push_back({0, ConfigErrc::Syntax, fmt::format("'{}' is not a valid name (letters, digits and _ only)", name)});
    if (problems.empty() && schema_)
        schema::check_sections(*schema_, candidate, problems);
    if (!problems.empty())
        return report(problems, diagnostics);
    sections_ = std::move(candidate);
    return {};
}

bool is_interface_name(std::string_view name)
{
    constexpr std::size_t longest = 15; // IFNAMSIZ less its terminating zero
    return !name.empty() && name.size() <= longest && name != "." && name != ".."
        && name.find_first_of("/: \t\n\v\f\r") == std::string_view::npos;
}

Result<void> Config::set(std::string_view type, std::string_view name, std::string_view option,
    std::string_view value, std::vector<ConfigDiagnostic>& diagnostics)
{
    return edit(schema_, sections_, type, name, option, EditKind::Option, {std::string(value)},
        diagnostics);
}

Result<void> Config::set_list(std::string_view type, std::string_view name, std::string_view option,
    const std::vector<std::string>& values, std::vector<ConfigDiagnostic>& diagnostics)
{
    return edit(schema_, sections_, type, name, option, EditKind::List, values, diagnostics);
}

} // namespace uplink
