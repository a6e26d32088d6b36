// Checks against the schema table, shared by Config::parse and Config::set so that an edit
// is refused with the same message a load of the same text would give. Private to core.
#pragma once

#include "core/config_syntax.hpp"
#include "core/core.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::schema {

const SectionSchema* find_section(const Schema& schema, std::string_view type);
const OptionSchema* find_option(const SectionSchema& section, std::string_view name);

// uci's booleans: 1/0, true/false, yes/no, on/off, enabled/disabled.
std::optional<bool> parse_boolean(std::string_view text);
// A decimal integer that fits in 64 bits, nothing around it.
std::optional<std::int64_t> parse_integer(std::string_view text);

// Why `value` does not fit `option` ("0 is below the minimum 1"), or nothing when it fits.
// Secret values are not repeated in the message.
std::optional<std::string> check_value(const OptionSchema& option, std::string_view value);

// "section 'wan1'" or, for an anonymous one, "section 'modem'": names a section in messages.
std::string describe(const ConfigSection& section);

// Problems that involve more than one line: required options, single sections, names
// used twice. Sections are those of known types, in file order.
void check_sections(const Schema& schema, const std::vector<ConfigSection>& sections,
    std::vector<uci::Problem>& problems);

// Named sections given twice (uci would merge them; two are almost always a mistake).
void check_names(const std::vector<ConfigSection>& sections, std::vector<uci::Problem>& problems);

} // namespace uplink::schema
