// libFuzzer: any byte stream through the QMUX framer, fed in two pieces; every frame it
// yields must encode back to the same bytes it came from.
#include "qmi/qmi.hpp"

#include <cassert>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    std::span<const std::uint8_t> input(data + 1, size - 1);
    auto split = std::min<std::size_t>(data[0], input.size());
    uplink::qmi::Framer framer;
    auto events = framer.feed(input.first(split));
    auto more = framer.feed(input.subspan(split));
    events.insert(events.end(), more.begin(), more.end());
    for (const auto& event : events) {
        if (!event.message)
            continue;
        // What was decoded fits a frame, so it encodes again.
        auto frame = uplink::qmi::encode(*event.message);
        assert(frame);
        auto again = uplink::qmi::decode(*frame);
        assert(again && again->tlvs.size() == event.message->tlvs.size());
        (void)uplink::qmi::describe(*event.message);
        (void)uplink::qmi::result_of(*event.message);
    }
    assert(framer.buffered() < uplink::qmi::Framer::max_frame);
    return 0;
}
