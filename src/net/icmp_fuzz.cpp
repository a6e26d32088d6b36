// libFuzzer: any bytes as what the probe's socket hands back, read both ways (a raw socket's IPv4
// datagram, a ping socket's ICMP message). A parsed message lies inside the input, and a parsed
// reply's payload inside the message.
#include "net/icmp.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

using namespace uplink::net;

void check(bool condition)
{
    if (!condition)
        std::abort();
}

bool inside(std::span<const std::uint8_t> part, std::span<const std::uint8_t> whole)
{
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void parse_reply(std::span<const std::uint8_t> message)
{
    auto reply = icmp::parse_echo_reply(message);
    if (!reply)
        return;
    check(inside(reply->payload, message));
    check(reply->payload.size() + 8 == message.size());
    check(icmp::internet_checksum(message) == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::span<const std::uint8_t> input(data, size);
    if (auto message = icmp::icmp_of_ipv4(input)) {
        check(inside(*message, input));
        parse_reply(*message);
    }
    parse_reply(input);
    return 0;
}
