#include "modem/hotplug.hpp"

#include <gtest/gtest.h>

namespace uplink::modem {
namespace {

TEST(ModemHotplug, UeventsOfTheModemSubsystemsAreRelevant)
{
    using namespace std::string_view_literals;
    EXPECT_TRUE(
        relevant_uevent("add@/devices/usb1/1-1/ttyUSB2\0ACTION=add\0SUBSYSTEM=tty\0SEQNUM=7"sv));
    EXPECT_TRUE(relevant_uevent("remove@/x\0SUBSYSTEM=usbmisc"sv));
    EXPECT_FALSE(relevant_uevent("change@/x\0SUBSYSTEM=thermal\0"sv));
    EXPECT_FALSE(relevant_uevent("add@/x\0SUBSYSTEM=usbx\0"sv));
}

} // namespace
} // namespace uplink::modem
