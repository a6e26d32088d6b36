// Field codec inside a TLV value: little-endian integers, u8-length strings, whole-value
// strings, fixed strings (modem-protocols.md §1.3).
#include "qmi/qmi.hpp"

#include <algorithm>

namespace uplink::qmi {

bool TlvReader::take(std::size_t size)
{
    if (failed_ || remaining() < size) {
        failed_ = true;
        return false;
    }
    return true;
}

std::uint8_t TlvReader::u8()
{
    if (!take(1))
        return 0;
    return value_[offset_++];
}

std::uint16_t TlvReader::u16()
{
    if (!take(2))
        return 0;
    auto value = static_cast<std::uint16_t>(value_[offset_] | (value_[offset_ + 1] << 8));
    offset_ += 2;
    return value;
}

std::uint32_t TlvReader::u32()
{
    auto low = u16();
    auto high = u16();
    return static_cast<std::uint32_t>(low) | (static_cast<std::uint32_t>(high) << 16);
}

std::uint64_t TlvReader::u64()
{
    auto low = u32();
    auto high = u32();
    return static_cast<std::uint64_t>(low) | (static_cast<std::uint64_t>(high) << 32);
}

std::uint16_t TlvReader::u16_big_endian()
{
    if (!take(2))
        return 0;
    auto value = static_cast<std::uint16_t>((value_[offset_] << 8) | value_[offset_ + 1]);
    offset_ += 2;
    return value;
}

std::string TlvReader::fixed_string(std::size_t size)
{
    if (!take(size))
        return {};
    std::string text(value_.begin() + static_cast<std::ptrdiff_t>(offset_),
        value_.begin() + static_cast<std::ptrdiff_t>(offset_ + size));
    offset_ += size;
    return text;
}

std::string TlvReader::string_u8()
{
    auto size = u8();
    return fixed_string(size);
}

std::string TlvReader::string_rest()
{
    return fixed_string(remaining());
}

std::vector<std::uint8_t> TlvReader::bytes(std::size_t size)
{
    if (!take(size))
        return {};
    std::vector<std::uint8_t> data(value_.begin() + static_cast<std::ptrdiff_t>(offset_),
        value_.begin() + static_cast<std::ptrdiff_t>(offset_ + size));
    offset_ += size;
    return data;
}

Result<void> TlvReader::finish() const
{
    if (failed_)
        return make_error_code(Errc::Truncated);
    return {};
}

TlvWriter& TlvWriter::u8(std::uint8_t value)
{
    value_.push_back(value);
    return *this;
}

TlvWriter& TlvWriter::u16(std::uint16_t value)
{
    value_.push_back(static_cast<std::uint8_t>(value & 0xff));
    value_.push_back(static_cast<std::uint8_t>(value >> 8));
    return *this;
}

TlvWriter& TlvWriter::u32(std::uint32_t value)
{
    u16(static_cast<std::uint16_t>(value & 0xffff));
    return u16(static_cast<std::uint16_t>(value >> 16));
}

TlvWriter& TlvWriter::u64(std::uint64_t value)
{
    u32(static_cast<std::uint32_t>(value & 0xffffffff));
    return u32(static_cast<std::uint32_t>(value >> 32));
}

TlvWriter& TlvWriter::u16_big_endian(std::uint16_t value)
{
    value_.push_back(static_cast<std::uint8_t>(value >> 8));
    value_.push_back(static_cast<std::uint8_t>(value & 0xff));
    return *this;
}

TlvWriter& TlvWriter::string_u8(std::string_view text)
{
    text = text.substr(0, 255);
    u8(static_cast<std::uint8_t>(text.size()));
    return string_rest(text);
}

TlvWriter& TlvWriter::string_rest(std::string_view text)
{
    value_.insert(value_.end(), text.begin(), text.end());
    return *this;
}

TlvWriter& TlvWriter::fixed_string(std::string_view text, std::size_t size, std::uint8_t pad)
{
    text = text.substr(0, size);
    string_rest(text);
    value_.insert(value_.end(), size - text.size(), pad);
    return *this;
}

TlvWriter& TlvWriter::bytes(std::span<const std::uint8_t> data)
{
    value_.insert(value_.end(), data.begin(), data.end());
    return *this;
}

std::optional<std::string> string_tlv(const Message& message, std::uint8_t type)
{
    const auto* tlv = message.find(type);
    if (!tlv)
        return std::nullopt;
    return std::string(tlv->value.begin(), tlv->value.end());
}

} // namespace uplink::qmi
