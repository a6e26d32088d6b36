// The bytes an AT responder test expects: a final OK, and a block of information lines, framed
// as 3GPP TS 27.007 §4 (V.250 verbose) frames them.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace uplink::sim::testing {

inline const std::string ok = "\r\nOK\r\n";

// The information lines of a reply: one "\r\n" before the block, one after each line.
inline std::string lines(std::initializer_list<std::string_view> texts)
{
    std::string out = "\r\n";
    for (auto text : texts)
        out += std::string(text) + "\r\n";
    return out;
}

} // namespace uplink::sim::testing
