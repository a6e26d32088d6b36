// libFuzzer: a scenario file (docs/scenario.md) given to uplink-sim. Any text is a scenario or a
// refusal that says which field, never a crash.
#include "sim/scenario.hpp"

#include <cstddef>
#include <cstdint>

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string message;
    auto scenario = uplink::sim::parse_scenario(
        std::string_view(reinterpret_cast<const char*>(data), size), message);
    if (!scenario && message.empty())
        __builtin_trap(); // a refusal always says why
    return 0;
}
