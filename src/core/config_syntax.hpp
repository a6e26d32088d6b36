// UCI file syntax, without any schema: splitting text into statements (with the comment and
// blank lines around them, so that a rewrite can keep them), and quoting values for writing.
// Private to core.
#pragma once

#include "core/core.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace uplink::uci {

// A problem found while reading or editing; turned into ConfigDiagnostic at the API.
struct Problem {
    int line = 0;
    ConfigErrc code = ConfigErrc::Syntax;
    std::string message;
};

// One statement: its keyword and arguments with quoting removed, e.g.
// `option apn 'my apn'` -> {"option", "apn", "my apn"}.
struct Statement {
    int line = 0;
    std::vector<std::string> words;
    std::vector<std::string> lines_above; // the blank and comment-only lines just above it
    std::string comment;                  // after the last word, blanks included: "  # seconds"
};

// A text's statements, and the blank and comment-only lines after the last of them.
struct SplitText {
    std::vector<Statement> statements;
    std::vector<std::string> lines_after;
};

// Splits UCI text into statements, one per line; blank and comment-only lines give none but are
// kept, as they were written, with the statement below them. Line ends are dropped, CR LF ones
// too. A line that does not tokenize (unterminated quote, ...) adds a Syntax problem and is
// skipped, so one bad line does not hide the problems on the lines after it.
SplitText split_statements(std::string_view text, std::vector<Problem>& problems);

// Section names and option names: [A-Za-z0-9_]+, as uci requires.
bool is_valid_name(std::string_view name);

// Section types: printable ASCII without spaces, as uci requires (libuci's uci_validate_type
// allows more than names: OpenWrt's /etc/config/network has `config bridge-vlan`).
bool is_valid_type(std::string_view type);

// A line break or NUL cannot be written back on one line, so values never hold one.
bool is_writable_value(std::string_view value);

// 'value' in single quotes with each ' written as '\'' (what `uci export` writes).
std::string quote(std::string_view value);

} // namespace uplink::uci
