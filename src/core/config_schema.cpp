#include "core/config_schema.hpp"

#include <array>
#include <charconv>
#include <map>

namespace uplink::schema {

namespace {

struct BooleanWord {
    std::string_view text;
    bool value;
};

// The words uci and OpenWrt's shell helpers (config_get_bool) accept.
constexpr std::array<BooleanWord, 10> boolean_words {{
    {"1", true},
    {"0", false},
    {"true", true},
    {"false", false},
    {"yes", true},
    {"no", false},
    {"on", true},
    {"off", false},
    {"enabled", true},
    {"disabled", false},
}};

// A value as shown in a message: quoted, or not at all for secrets (PINs, passwords).
std::string shown(const OptionSchema& option, std::string_view value, bool quoted)
{
    if (option.secret)
        return "the value";
    if (quoted)
        return fmt::format("'{}'", value);
    return std::string(value);
}

std::string join(const std::vector<std::string>& words)
{
    std::string joined;
    for (const auto& word : words) {
        if (!joined.empty())
            joined += ", ";
        joined += word;
    }
    return joined;
}

std::optional<std::string> check_integer(const OptionSchema& option, std::string_view value)
{
    auto number = parse_integer(value);
    if (!number)
        return fmt::format("{} is not an integer", shown(option, value, true));
    // Both limits left at 0 means the schema gives no limits.
    bool limited = option.minimum != 0 || option.maximum != 0;
    if (limited && *number < option.minimum)
        return fmt::format(
            "{} is below the minimum {}", shown(option, value, false), option.minimum);
    if (limited && *number > option.maximum)
        return fmt::format(
            "{} is above the maximum {}", shown(option, value, false), option.maximum);
    return std::nullopt;
}

std::string on_line(int line)
{
    return line > 0 ? fmt::format(" on line {}", line) : std::string();
}

} // namespace

const SectionSchema* find_section(const Schema& schema, std::string_view type)
{
    for (const auto& section : schema)
        if (section.type == type)
            return &section;
    return nullptr;
}

const OptionSchema* find_option(const SectionSchema& section, std::string_view name)
{
    for (const auto& option : section.options)
        if (option.name == name)
            return &option;
    return nullptr;
}

std::optional<bool> parse_boolean(std::string_view text)
{
    for (const auto& word : boolean_words)
        if (word.text == text)
            return word.value;
    return std::nullopt;
}

std::optional<std::int64_t> parse_integer(std::string_view text)
{
    std::int64_t number = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, number);
    if (text.empty() || error != std::errc() || stop != end)
        return std::nullopt;
    return number;
}

std::optional<std::string> check_value(const OptionSchema& option, std::string_view value)
{
    if (!uci::is_writable_value(value))
        return std::string("a value cannot contain a line break or a NUL byte");
    switch (option.type) {
    case OptionType::String:
    case OptionType::List:
        return std::nullopt;
    case OptionType::Integer:
        return check_integer(option, value);
    case OptionType::Boolean:
        if (parse_boolean(value))
            return std::nullopt;
        return fmt::format("{} is not a boolean (use 1/0, true/false, yes/no, on/off or "
                           "enabled/disabled)",
            shown(option, value, true));
    case OptionType::Enum:
        for (const auto& choice : option.choices)
            if (choice == value)
                return std::nullopt;
        return fmt::format(
            "{} is not one of: {}", shown(option, value, true), join(option.choices));
    }
    return std::nullopt;
}

std::string describe(const ConfigSection& section)
{
    if (section.name.empty())
        return fmt::format("anonymous '{}' section", section.type);
    return fmt::format("section '{}'", section.name);
}

void check_sections(const Schema& schema, const std::vector<ConfigSection>& sections,
    std::vector<uci::Problem>& problems)
{
    // Sections read from the file come first, those added by edits (line 0) after them, so
    // that a clash is reported on the section being added.
    std::vector<const ConfigSection*> ordered;
    for (const auto& section : sections)
        if (section.line > 0)
            ordered.push_back(&section);
    for (const auto& section : sections)
        if (section.line <= 0)
            ordered.push_back(&section);

    std::map<std::string, int, std::less<>> first_of_type;
    for (const auto* pointer : ordered) {
        const auto& section = *pointer;
        const auto* section_schema = find_section(schema, section.type);
        if (!section_schema)
            continue;

        for (const auto& option : section_schema->options) {
            if (!option.required)
                continue;
            bool present = option.type == OptionType::List ? section.lists.count(option.name) > 0
                                                           : section.options.count(option.name) > 0;
            if (!present)
                problems.push_back({section.line, ConfigErrc::Missing,
                    fmt::format("{}: option '{}' is required", describe(section), option.name)});
        }

        if (section_schema->single) {
            auto [first, inserted] = first_of_type.try_emplace(section.type, section.line);
            if (!inserted)
                problems.push_back({section.line, ConfigErrc::Duplicate,
                    fmt::format("only one '{}' section is allowed{}", section.type,
                        first->second > 0 ? fmt::format(" (another is on line {})", first->second)
                                          : std::string())});
        }

    }
    check_names(sections, problems);
}

void check_names(const std::vector<ConfigSection>& sections, std::vector<uci::Problem>& problems)
{
    // Sections read from the file first, those added by edits (line 0) after them, so that a
    // clash is reported on the section being added.
    std::map<std::string, int, std::less<>> first_with_name;
    auto check = [&](const ConfigSection& section) {
        if (section.name.empty())
            return;
        auto [first, inserted] = first_with_name.try_emplace(section.name, section.line);
        if (!inserted)
            problems.push_back({section.line, ConfigErrc::Duplicate,
                fmt::format("section '{}': the name is already used{}", section.name,
                    on_line(first->second))});
    };
    for (const auto& section : sections)
        if (section.line > 0)
            check(section);
    for (const auto& section : sections)
        if (section.line <= 0)
            check(section);
}

} // namespace uplink::schema
