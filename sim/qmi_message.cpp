#include "sim/qmi_message.hpp"

namespace uplink::sim {

namespace {

constexpr std::uint8_t result_tlv = 0x02;

} // namespace

const qmi::Tlv* Arguments::find(std::uint8_t type, Need need)
{
    const auto* tlv = request_.find(type);
    if (tlv == nullptr && need == Need::Mandatory && ok())
        error_ = qmi::ProtocolError::MissingArgument;
    return tlv;
}

void Arguments::malformed()
{
    if (ok())
        error_ = qmi::ProtocolError::MalformedMessage;
}

const qmi::Tlv* Arguments::sized(std::uint8_t type, std::size_t size, Need need)
{
    const auto* tlv = find(type, need);
    if (tlv != nullptr && tlv->value.size() < size) {
        malformed();
        return nullptr;
    }
    return tlv;
}

std::optional<std::uint8_t> Arguments::u8(std::uint8_t type, Need need)
{
    const auto* tlv = sized(type, 1, need);
    if (tlv == nullptr)
        return std::nullopt;
    return qmi::TlvReader(tlv->value).u8();
}

std::optional<std::uint16_t> Arguments::u16(std::uint8_t type, Need need)
{
    const auto* tlv = sized(type, 2, need);
    if (tlv == nullptr)
        return std::nullopt;
    return qmi::TlvReader(tlv->value).u16();
}

std::optional<std::uint32_t> Arguments::u32(std::uint8_t type, Need need)
{
    const auto* tlv = sized(type, 4, need);
    if (tlv == nullptr)
        return std::nullopt;
    return qmi::TlvReader(tlv->value).u32();
}

std::optional<std::uint64_t> Arguments::u64(std::uint8_t type, Need need)
{
    const auto* tlv = sized(type, 8, need);
    if (tlv == nullptr)
        return std::nullopt;
    return qmi::TlvReader(tlv->value).u64();
}

std::optional<std::string> Arguments::text(std::uint8_t type, Need need)
{
    const auto* tlv = find(type, need);
    if (tlv == nullptr)
        return std::nullopt;
    return std::string(tlv->value.begin(), tlv->value.end());
}

qmi::Message response_to(const qmi::Message& request, qmi::ProtocolError error)
{
    qmi::Message response;
    response.service = request.service;
    response.client = request.client;
    response.type = qmi::MessageType::Response;
    response.transaction = request.transaction;
    response.id = request.id;
    response.add(result_tlv, qmi::result_value(error));
    return response;
}

qmi::Message indication(qmi::Service service, std::uint8_t client, std::uint16_t id)
{
    qmi::Message message;
    message.service = service;
    message.client = client;
    message.type = qmi::MessageType::Indication;
    message.id = id;
    return message;
}

std::vector<std::uint8_t> u8_value(std::uint8_t value)
{
    return {value};
}

std::vector<std::uint8_t> u16_value(std::uint16_t value)
{
    return qmi::TlvWriter().u16(value).take();
}

std::vector<std::uint8_t> u32_value(std::uint32_t value)
{
    return qmi::TlvWriter().u32(value).take();
}

std::vector<std::uint8_t> text_value(std::string_view text)
{
    return {text.begin(), text.end()};
}

} // namespace uplink::sim
