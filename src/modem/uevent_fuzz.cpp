// libFuzzer target for the uevents HotplugWatcher reads: relevant_uevent() on any bytes, checked
// against the rule spelled out field by field (a NUL-separated field that ends in one of the
// four SUBSYSTEM= values), so that a fast search never disagrees with the slow one.
#include "modem/hotplug.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool relevant_by_fields(std::string_view message)
{
    for (std::size_t start = 0; start <= message.size();) {
        auto end = message.find('\0', start);
        if (end == std::string_view::npos)
            end = message.size();
        auto field = message.substr(start, end - start);
        for (std::string_view subsystem :
            {"SUBSYSTEM=usb", "SUBSYSTEM=tty", "SUBSYSTEM=net", "SUBSYSTEM=usbmisc"})
            if (field.ends_with(subsystem))
                return true;
        start = end + 1;
    }
    return false;
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view message(reinterpret_cast<const char*>(data), size);
    if (uplink::modem::relevant_uevent(message) != relevant_by_fields(message))
        std::abort();
    return 0;
}
