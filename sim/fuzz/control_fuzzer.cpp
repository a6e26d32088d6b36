// libFuzzer: the control socket's request parser takes any bytes without crashing.
#include "sim/control.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string message;
    auto request = uplink::sim::parse_control_request(
        std::string_view(reinterpret_cast<const char*>(data), size), message);
    if (!request && message.empty())
        __builtin_trap(); // a refusal always says why
    return 0;
}
