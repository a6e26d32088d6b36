// What AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer print, found in a log that
// holds a process's stderr. The sanitize preset builds uplinkd and uplink-sim with them; a report
// in a child's stderr is a bug in that program even when the test's own checks pass, so the
// harnesses that start our programs fail the test on it.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace uplink::testing {

// The report and what follows it (up to `limit` bytes), or "" when the log has none.
inline std::string sanitizer_report(std::string_view log, std::size_t limit = 6000)
{
    constexpr std::array markers {
        std::string_view("ERROR: AddressSanitizer"),
        std::string_view("ERROR: LeakSanitizer"),
        std::string_view(": runtime error: "), // UBSan: "file:line:column: runtime error: ..."
    };
    auto first = std::string_view::npos;
    for (auto marker : markers)
        first = std::min(first, log.find(marker));
    if (first == std::string_view::npos)
        return {};
    // From the start of the report's line: UBSan names the source file before the marker.
    auto line = log.rfind('\n', first);
    auto start = line == std::string_view::npos ? 0 : line + 1;
    return std::string(log.substr(start, limit));
}

} // namespace uplink::testing
