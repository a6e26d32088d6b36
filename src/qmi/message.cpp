// QMUX frames: decode, encode and stream framing (modem-protocols.md §1.1).
//
//   0      marker 0x01
//   1..2   QMUX length: every byte after the marker
//   3      QMUX control flags: 0x80 from the modem, 0x00 from the host
//   4      service, 5 client id
//   6..    QMI header: CTL  flags(1) tid(1) message(2) tlv-length(2)
//                      else flags(1) tid(2) message(2) tlv-length(2)
//   then TLVs: type(1) length(2) value
#include "qmi/qmi.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace uplink::qmi {

namespace {

constexpr std::uint8_t qmux_marker = 0x01;
constexpr std::size_t qmux_header_size = 5;      // length(2) flags(1) service(1) client(1)
constexpr std::size_t ctl_header_size = 6;
constexpr std::size_t service_header_size = 7;
constexpr std::uint8_t from_modem = 0x80;
constexpr std::uint8_t result_tlv = 0x02;

std::uint16_t le16(std::span<const std::uint8_t> bytes, std::size_t at)
{
    return static_cast<std::uint16_t>(bytes[at] | (bytes[at + 1] << 8));
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t value)
{
    out.push_back(static_cast<std::uint8_t>(value & 0xff));
    out.push_back(static_cast<std::uint8_t>(value >> 8));
}

std::size_t header_size(Service service)
{
    return service == Service::Ctl ? ctl_header_size : service_header_size;
}

// CTL flags are a value (0 request, 1 response, 2 indication); other services use bits
// (0x02 response, 0x04 indication; 0x01 compound is not used by the messages we speak).
MessageType ctl_type(std::uint8_t flags)
{
    return flags == 0x02 ? MessageType::Indication : flags == 0x01 ? MessageType::Response : MessageType::Request;
}

MessageType service_type(std::uint8_t flags)
{
    return (flags & 0x04) ? MessageType::Indication : (flags & 0x02) ? MessageType::Response : MessageType::Request;
}

std::uint8_t type_flags(Service service, MessageType type)
{
    switch (type) {
    case MessageType::Request: return 0x00;
    case MessageType::Response: return service == Service::Ctl ? 0x01 : 0x02;
    case MessageType::Indication: return service == Service::Ctl ? 0x02 : 0x04;
    }
    return 0x00;
}

} // namespace

const Tlv* Message::find(std::uint8_t tlv_type) const
{
    auto found = std::ranges::find(tlvs, tlv_type, &Tlv::type);
    return found == tlvs.end() ? nullptr : &*found;
}

void Message::add(std::uint8_t tlv_type, std::vector<std::uint8_t> value)
{
    tlvs.push_back(Tlv {tlv_type, std::move(value)});
}

Result<Message> decode(std::span<const std::uint8_t> frame)
{
    if (frame.size() < 1 + qmux_header_size)
        return make_error_code(Errc::Truncated);
    if (frame[0] != qmux_marker)
        return make_error_code(Errc::BadMarker);
    if (le16(frame, 1) != frame.size() - 1)
        return make_error_code(Errc::BadLength);
    Message message;
    message.service = static_cast<Service>(frame[4]);
    message.client = frame[5];
    auto qmi_header = frame.subspan(1 + qmux_header_size);
    auto size = header_size(message.service);
    if (qmi_header.size() < size)
        return make_error_code(Errc::Truncated);
    std::size_t at = 0;
    auto flags = qmi_header[at++];
    if (message.service == Service::Ctl) {
        message.type = ctl_type(flags);
        message.transaction = qmi_header[at++];
    } else {
        message.type = service_type(flags);
        message.transaction = le16(qmi_header, at);
        at += 2;
    }
    message.id = le16(qmi_header, at);
    auto tlv_length = le16(qmi_header, at + 2);
    auto tlvs = qmi_header.subspan(size);
    if (tlv_length != tlvs.size())
        return make_error_code(Errc::BadLength);
    while (!tlvs.empty()) {
        if (tlvs.size() < 3)
            return make_error_code(Errc::Truncated);
        auto length = le16(tlvs, 1);
        if (tlvs.size() < 3u + length)
            return make_error_code(Errc::Truncated);
        message.tlvs.push_back(Tlv {tlvs[0], {tlvs.begin() + 3, tlvs.begin() + 3 + length}});
        tlvs = tlvs.subspan(3u + length);
    }
    return message;
}

Result<std::vector<std::uint8_t>> encode(const Message& message)
{
    std::size_t tlv_length = 0;
    for (const auto& tlv : message.tlvs) {
        if (tlv.value.size() > 0xffff)
            return make_error_code(Errc::TooLong);
        tlv_length += 3 + tlv.value.size();
    }
    auto size = header_size(message.service);
    if (1 + qmux_header_size + size + tlv_length > Framer::max_frame)
        return make_error_code(Errc::TooLong);
    std::vector<std::uint8_t> out;
    out.reserve(1 + qmux_header_size + size + tlv_length);
    out.push_back(qmux_marker);
    put16(out, static_cast<std::uint16_t>(qmux_header_size + size + tlv_length));
    out.push_back(message.type == MessageType::Request ? 0x00 : from_modem);
    out.push_back(static_cast<std::uint8_t>(message.service));
    out.push_back(message.client);
    out.push_back(type_flags(message.service, message.type));
    if (message.service == Service::Ctl)
        out.push_back(static_cast<std::uint8_t>(message.transaction));
    else
        put16(out, message.transaction);
    put16(out, message.id);
    put16(out, static_cast<std::uint16_t>(tlv_length));
    for (const auto& tlv : message.tlvs) {
        out.push_back(tlv.type);
        put16(out, static_cast<std::uint16_t>(tlv.value.size()));
        out.insert(out.end(), tlv.value.begin(), tlv.value.end());
    }
    return out;
}

std::string describe(const Message& message)
{
    auto service = to_string(message.service);
    std::string text = service == "service" ? fmt::format("service 0x{:02x}", static_cast<int>(message.service))
                                            : std::string(service);
    text += fmt::format(" 0x{:04x} {} tid {} client {}", message.id, to_string(message.type),
        message.transaction, message.client);
    const char* separator = ":";
    for (const auto& tlv : message.tlvs) {
        text += fmt::format("{} {:02x}[{}]", separator, tlv.type, tlv.value.size());
        separator = "";
    }
    return text;
}

Error result_of(const Message& response)
{
    const auto* result = response.find(result_tlv);
    if (!result)
        return make_error_code(Errc::MissingTlv);
    TlvReader reader(result->value);
    auto status = reader.u16();
    auto code = reader.u16();
    if (reader.failed())
        return make_error_code(Errc::Truncated);
    if (status == 0)
        return {};
    // A failure that names no error is still a failure.
    return make_error_code(code == 0 ? ProtocolError::UnknownError : static_cast<ProtocolError>(code));
}

std::vector<std::uint8_t> result_value(ProtocolError error)
{
    return TlvWriter()
        .u16(error == ProtocolError::None ? 0 : 1)
        .u16(static_cast<std::uint16_t>(error))
        .take();
}

std::vector<Framer::Event> Framer::feed(std::span<const std::uint8_t> bytes)
{
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    std::vector<Event> events;
    std::size_t start = 0;
    while (start < buffer_.size()) {
        std::span<const std::uint8_t> rest(buffer_.data() + start, buffer_.size() - start);
        if (rest[0] != qmux_marker) {
            auto marker = std::ranges::find(rest, qmux_marker);
            start += static_cast<std::size_t>(marker - rest.begin());
            events.push_back(Event {std::nullopt, make_error_code(Errc::BadMarker)});
            continue;
        }
        if (rest.size() < 3)
            break;
        std::size_t length = le16(rest, 1);
        if (length < qmux_header_size + ctl_header_size || length + 1 > max_frame) {
            ++start; // not a frame start after all: look for the next marker
            events.push_back(Event {std::nullopt, make_error_code(Errc::BadLength)});
            continue;
        }
        if (rest.size() < length + 1)
            break;
        auto message = decode(rest.first(length + 1));
        if (message)
            events.push_back(Event {std::move(*message), {}});
        else
            events.push_back(Event {std::nullopt, message.error()});
        start += length + 1;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start));
    return events;
}

} // namespace uplink::qmi
