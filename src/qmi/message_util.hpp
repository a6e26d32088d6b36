// Private helpers of the typed message builders and parsers.
#pragma once

#include "qmi/qmi.hpp"

namespace uplink::qmi::detail {

inline Message request(Service service, std::uint8_t client, std::uint16_t id)
{
    return Message {service, client, MessageType::Request, 0, id, {}};
}

// The response's Result TLV as an error, or the TLV `type` when that is what the caller reads.
inline Error check_response(const Message& message)
{
    if (message.type != MessageType::Response)
        return {};
    return result_of(message);
}

inline std::optional<TlvReader> reader_for(const Message& message, std::uint8_t type)
{
    const auto* tlv = message.find(type);
    if (!tlv)
        return std::nullopt;
    return TlvReader(tlv->value);
}

} // namespace uplink::qmi::detail
