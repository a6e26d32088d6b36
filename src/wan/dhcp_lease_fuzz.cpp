// libFuzzer: any bytes as a dhclient lease file. Whatever it holds, the servers read are at most
// as many as the file could name, and reading it twice gives the same answer.
#include "wan/wan.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto servers = uplink::wan::dhclient_dns(text, "eth1", 1'800'000'000);
    // The shortest server, "::", takes 2 bytes and a comma or the line's end.
    if (servers.size() > size / 2 + 1 || servers != uplink::wan::dhclient_dns(text, "eth1", 1'800'000'000))
        std::abort();
    return 0;
}
