// The mwan3 options uplink has no equivalent for, and why. Private to the importer.
#pragma once

#include <string_view>

namespace uplink::cli {

struct OptionReason {
    std::string_view section_type; // mwan3's: interface, globals, rule
    std::string_view option;
    std::string_view same_as_uplink; // a value that asks for what uplink does anyway: not reported
    std::string_view why;
};

// Null for an option the table does not hold.
const OptionReason* find_option_reason(std::string_view section_type, std::string_view option);

} // namespace uplink::cli
