// Reading QMI requests and building responses and indications, for the model's QMI face.
// Private to sim/.
#pragma once

#include <cstdint>
#include <optional>
#include <qmi/qmi.hpp>
#include <string>
#include <vector>

namespace uplink::sim {

// libqmi QmiProtocolError numbers (qmi-errors.h) that qmi::ProtocolError does not name.
namespace protocol_error {
constexpr auto invalid_profile_type = static_cast<qmi::ProtocolError>(30);
constexpr auto invalid_service_type = static_cast<qmi::ProtocolError>(31);
constexpr auto invalid_register_action = static_cast<qmi::ProtocolError>(32);
constexpr auto sim_file_not_found = static_cast<qmi::ProtocolError>(80);
constexpr auto access_denied = static_cast<qmi::ProtocolError>(82);
} // namespace protocol_error

enum class Need { Optional, Mandatory };

// The TLVs of one request. A TLV shorter than its fields makes the request malformed; a
// mandatory one that is absent makes it miss an argument; longer values and unknown TLVs are
// accepted (newer clients add fields and TLVs). error() is the first problem met.
class Arguments {
public:
    explicit Arguments(const qmi::Message& request)
        : request_(request)
    {
    }

    std::optional<std::uint8_t> u8(std::uint8_t type, Need need = Need::Optional);
    std::optional<std::uint16_t> u16(std::uint8_t type, Need need = Need::Optional);
    std::optional<std::uint32_t> u32(std::uint8_t type, Need need = Need::Optional);
    std::optional<std::uint64_t> u64(std::uint8_t type, Need need = Need::Optional);
    // A TLV whose whole value is a string (libqmi "string" without a length prefix).
    std::optional<std::string> text(std::uint8_t type, Need need = Need::Optional);
    // A structured TLV: read it with a TlvReader and report a short one with malformed().
    const qmi::Tlv* find(std::uint8_t type, Need need = Need::Optional);
    void malformed();

    qmi::ProtocolError error() const { return error_; }
    bool ok() const { return error_ == qmi::ProtocolError::None; }

private:
    const qmi::Tlv* sized(std::uint8_t type, std::size_t size, Need need);
    const qmi::Message& request_;
    qmi::ProtocolError error_ = qmi::ProtocolError::None;
};

// The response to `request`: same service, client, transaction and message id, with the
// Result TLV (0x02) first, as the EC25 writes it (qmicli-spec.md §3 dumps).
qmi::Message response_to(
    const qmi::Message& request, qmi::ProtocolError error = qmi::ProtocolError::None);
// An indication to one client (transaction 0; client 0 for CTL and broadcasts).
qmi::Message indication(qmi::Service service, std::uint8_t client, std::uint16_t id);

// TLV values.
std::vector<std::uint8_t> u8_value(std::uint8_t value);
std::vector<std::uint8_t> u16_value(std::uint16_t value);
std::vector<std::uint8_t> u32_value(std::uint32_t value);
std::vector<std::uint8_t> text_value(std::string_view text);

} // namespace uplink::sim
