// libFuzzer: any bytes as the reply to one request. The first byte cuts the rest into two
// datagrams; the sequence and port of the exchange are read from where the first message's header
// has them, so most inputs are "ours". Every message kept goes through every parser, and one that
// parses as an address, route or rule must come back equal through its request builder (those
// requests share the replies' layout).
#include "net/message.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

using namespace uplink::net;
using namespace uplink::net::rtnetlink;

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

void round_trip(std::span<const std::uint8_t> message)
{
    if (auto address = parse_newaddr(message)) {
        auto request = address_request(1, Operation::Add, *address);
        check(request && parse_newaddr(*request) == *address);
    }
    if (auto route = parse_newroute(message)) {
        auto request = route_request(1, Operation::Add, *route);
        if (request) {
            auto again = parse_newroute(*request);
            check(again && *again == *route);
        }
    }
    if (auto rule = parse_newrule(message)) {
        auto request = rule_request(1, Operation::Add, *rule);
        check(request && parse_newrule(*request) == *rule);
    }
    if (auto link = parse_newlink(message))
        check(link->index > 0 && !link->name.empty());
    (void)is_cloned_route(message);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    std::span<const std::uint8_t> input(data + 1, size - 1);
    auto split = std::min<std::size_t>(data[0] * 4u, input.size());
    // nlmsghdr: length, type, flags (8 bytes), then sequence and port.
    Exchange exchange(u32_at(input, 8), u32_at(input, 12));
    exchange.feed(input.first(split));
    exchange.feed(input.subspan(split));
    for (const auto& message : exchange.messages())
        round_trip(message);
    // Each message alone too, with no Exchange in front to have checked its length.
    round_trip(input);
    if (exchange.finished() && !exchange.error())
        check(exchange.messages().size() <= Exchange::max_messages);
    return 0;
}
