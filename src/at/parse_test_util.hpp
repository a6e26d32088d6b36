// Shared by the parser tests: reply lines from a captured reply text.
#pragma once

#include "at/at.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace uplink::at::test {

// The information lines of a reply as the Framer delivers them: split on CR/LF, empty
// lines and the final result code dropped.
inline std::vector<std::string> lines_of(std::string_view reply)
{
    std::vector<std::string> lines;
    std::string current;
    auto flush = [&] {
        if (!current.empty() && current != "OK")
            lines.push_back(current);
        current.clear();
    };
    for (char c : reply) {
        if (c == '\r' || c == '\n')
            flush();
        else
            current += c;
    }
    flush();
    return lines;
}

} // namespace uplink::at::test
