// libFuzzer: any bytes as the reply to a conntrack dump. The first byte cuts the rest into two
// datagrams; the sequence and port of the exchange are read from where the first message's header
// has them, so most inputs are "ours". Every message kept goes through parse_entry(), and an
// entry it returns must be consistent: both tuples' addresses of the entry's family.
#include "net/conntrack_message.hpp"
#include "net/message.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

using namespace uplink::net;

void check(bool condition)
{
    if (!condition)
        std::abort();
}

std::uint32_t u32_at(std::span<const std::uint8_t> input, std::size_t offset)
{
    std::uint32_t value = 0;
    if (input.size() >= offset + sizeof value)
        std::memcpy(&value, input.data() + offset, sizeof value);
    return value;
}

void parse(std::span<const std::uint8_t> message)
{
    auto entry = ctnetlink::parse_entry(message);
    if (!entry)
        return;
    for (const auto* tuple : {&entry->original, &entry->reply})
        check(tuple->source.family == entry->family && tuple->destination.family == entry->family);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    std::span<const std::uint8_t> input(data + 1, size - 1);
    auto split = std::min<std::size_t>(data[0] * 4u, input.size());
    // nlmsghdr: length, type, flags (8 bytes), then sequence and port.
    rtnetlink::Exchange exchange(u32_at(input, 8), u32_at(input, 12));
    exchange.feed(input.first(split));
    exchange.feed(input.subspan(split));
    for (const auto& message : exchange.messages())
        parse(message);
    // The input alone too, with no Exchange in front to have checked its length.
    parse(input);
    return 0;
}
