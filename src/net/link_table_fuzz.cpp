// libFuzzer: any bytes as the datagrams a LinkWatcher reads, applied to a LinkTable in order, as
// the watcher does (MessageReader, then LinkTable::apply). Each datagram is one length byte (times
// 4) and that many bytes. Then every name a link message carried is looked up, and its view must
// hold together: the link of that name, only global addresses and default routes of that link.
#include "net/link_table.hpp"
#include "net/message.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>

namespace {

using namespace uplink::net;

void check(bool condition)
{
    if (!condition)
        std::abort();
}

void check_view(const LinkTable& table, const std::string& name)
{
    auto view = table.view(name);
    check(view.name == name);
    if (!view.link) {
        check(view.addresses.empty() && view.default_routes.empty());
        return;
    }
    check(view.link->name == name && !view.link->statistics);
    for (const auto& address : view.addresses)
        check(address.link == view.link->index && address.scope == AddressScope::Global);
    for (const auto& route : view.default_routes)
        check(route.output_link == view.link->index && route.destination.length == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::span<const std::uint8_t> input(data, size);
    LinkTable table;
    std::set<std::string> names;
    while (!input.empty()) {
        auto length = std::min<std::size_t>(input[0] * 4u, input.size() - 1);
        auto datagram = input.subspan(1, length);
        input = input.subspan(1 + length);
        for (rtnetlink::MessageReader reader(datagram); !reader.at_end();) {
            auto message = reader.next();
            if (!message)
                continue;
            (void)table.apply(*message);
            if (auto link = rtnetlink::parse_newlink(*message); link && names.size() < 16)
                names.insert(link->name);
        }
    }
    for (const auto& name : names)
        check_view(table, name);
    table.clear();
    for (const auto& name : names)
        check(!table.view(name).link);
    return 0;
}
