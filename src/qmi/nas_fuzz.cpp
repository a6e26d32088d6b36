// libFuzzer target for the NAS replies uplink reads: System Selection Preference (the RATs and
// LTE bands a modem may use), System Info and its indication, Serving System, Signal Info and
// Operator Name. The input is TLVs as <type> <length> <value>, a short last value cut where the
// input ends; the first byte says response or indication and whether a success result TLV
// comes first. A system selection that parses is sent back by nas_set_system_selection() and
// a reply with those TLVs parses to the same selection.
#include "qmi/qmi.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

using namespace uplink::qmi;

[[noreturn]] void fail(const char* what)
{
    (void)std::fprintf(stderr, "qmi nas fuzz: %s\n", what);
    std::abort();
}

Message response_with(const Message& request)
{
    Message reply {Service::Nas, 1, MessageType::Response, 1, request.id, {}};
    reply.add(0x02, result_value());
    for (const auto& tlv : request.tlvs)
        if (tlv.type == 0x11 || tlv.type == 0x15)
            reply.tlvs.push_back(tlv);
    return reply;
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    auto type = data[0] & 1 ? MessageType::Indication : MessageType::Response;
    Message message {Service::Nas, 1, type, 1, 0, {}};
    if (data[0] & 2)
        message.add(0x02, result_value());
    for (std::size_t at = 1; at + 2 <= size;) {
        auto length = std::min<std::size_t>(data[at + 1], size - at - 2);
        message.add(data[at], std::vector<std::uint8_t>(data + at + 2, data + at + 2 + length));
        at += 2 + length;
    }

    if (auto selection = parse_nas_system_selection(message)) {
        auto again = parse_nas_system_selection(response_with(nas_set_system_selection(1, *selection)));
        if (!again || *again != *selection)
            fail("a system selection that does not come back through a set request");
    }
    if (auto info = parse_nas_system_info(message); info && *info) {
        for (const auto* digits : {&(*info)->mcc, &(*info)->mnc})
            if (digits->size() > 3)
                fail("an MCC or MNC of more than three digits");
        (void)to_string((*info)->status);
    }
    (void)parse_nas_serving_system(message);
    (void)parse_nas_signal_info(message);
    (void)parse_nas_operator_name(message);
    return 0;
}
