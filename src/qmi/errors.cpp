// Error categories of the qmi module and the names of its enums.
#include "qmi/qmi.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace uplink::qmi {

namespace {

struct NamedError {
    ProtocolError code;
    std::string_view message;
};

// libqmi's QmiProtocolError names (qmi-errors.h), as a person reads them.
constexpr std::array protocol_messages {
    NamedError {ProtocolError::None, "no error"},
    NamedError {ProtocolError::MalformedMessage, "malformed message"},
    NamedError {ProtocolError::NoMemory, "no memory"},
    NamedError {ProtocolError::Internal, "internal error"},
    NamedError {ProtocolError::ClientIdsExhausted, "client ids exhausted"},
    NamedError {ProtocolError::InvalidClientId, "invalid client id"},
    NamedError {ProtocolError::InvalidHandle, "invalid handle"},
    NamedError {ProtocolError::InvalidProfile, "invalid profile"},
    NamedError {ProtocolError::InvalidPinId, "invalid PIN id"},
    NamedError {ProtocolError::IncorrectPin, "incorrect PIN"},
    NamedError {ProtocolError::NoNetworkFound, "no network found"},
    NamedError {ProtocolError::CallFailed, "call failed"},
    NamedError {ProtocolError::OutOfCall, "out of call"},
    NamedError {ProtocolError::NotProvisioned, "not provisioned"},
    NamedError {ProtocolError::MissingArgument, "missing argument"},
    NamedError {ProtocolError::ArgumentTooLong, "argument too long"},
    NamedError {ProtocolError::InvalidTransactionId, "invalid transaction id"},
    NamedError {ProtocolError::DeviceInUse, "device in use"},
    NamedError {ProtocolError::NetworkUnsupported, "network unsupported"},
    NamedError {ProtocolError::DeviceUnsupported, "device unsupported"},
    NamedError {ProtocolError::NoEffect, "no effect"},
    NamedError {ProtocolError::NoFreeProfile, "no free profile"},
    NamedError {ProtocolError::InvalidPdpType, "invalid PDP type"},
    NamedError {ProtocolError::AuthenticationFailed, "authentication failed"},
    NamedError {ProtocolError::PinBlocked, "PIN blocked"},
    NamedError {ProtocolError::PinAlwaysBlocked, "PIN permanently blocked"},
    NamedError {ProtocolError::UimUninitialized, "UIM uninitialized"},
    NamedError {ProtocolError::GeneralError, "general error"},
    NamedError {ProtocolError::UnknownError, "unknown error"},
    NamedError {ProtocolError::InvalidArgument, "invalid argument"},
    NamedError {ProtocolError::DeviceNotReady, "device not ready"},
    NamedError {ProtocolError::NetworkNotReady, "network not ready"},
    NamedError {ProtocolError::InvalidQmiCommand, "invalid QMI command"},
    NamedError {ProtocolError::InformationUnavailable, "information unavailable"},
    NamedError {ProtocolError::NotSupported, "not supported"},
    NamedError {ProtocolError::NoSim, "no SIM"},
};

class CodecCategory : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "qmi"; }
    std::string message(int code) const override
    {
        switch (static_cast<Errc>(code)) {
        case Errc::Truncated: return "QMI frame or TLV shorter than its headers say";
        case Errc::BadMarker: return "not a QMUX frame (first byte is not 0x01)";
        case Errc::BadLength: return "QMI frame lengths disagree";
        case Errc::MissingTlv: return "QMI message lacks a required TLV";
        case Errc::TrailingBytes: return "QMI TLV has unexpected trailing bytes";
        case Errc::Timeout: return "no QMI response within the timeout";
        case Errc::Closed: return "QMI port closed";
        case Errc::TooLong: return "QMI message too long to send (a TLV over 65535 bytes or a frame over 4096)";
        }
        return "unknown QMI codec error " + std::to_string(code);
    }
};

class ProtocolCategory : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "qmi-protocol"; }
    std::string message(int code) const override
    {
        auto found = std::ranges::find(protocol_messages, code,
            [](const NamedError& entry) { return static_cast<int>(entry.code); });
        if (found != protocol_messages.end())
            return std::string(found->message);
        return "QMI protocol error " + std::to_string(code);
    }
};

} // namespace

const boost::system::error_category& codec_category()
{
    static const CodecCategory category;
    return category;
}

Error make_error_code(Errc code)
{
    return {static_cast<int>(code), codec_category()};
}

const boost::system::error_category& protocol_category()
{
    static const ProtocolCategory category;
    return category;
}

Error make_error_code(ProtocolError code)
{
    return {static_cast<int>(code), protocol_category()};
}

std::string_view to_string(Service service)
{
    switch (service) {
    case Service::Ctl: return "CTL";
    case Service::Wds: return "WDS";
    case Service::Dms: return "DMS";
    case Service::Nas: return "NAS";
    case Service::Uim: return "UIM";
    case Service::Wda: return "WDA";
    }
    return "service";
}

std::string_view to_string(MessageType type)
{
    switch (type) {
    case MessageType::Request: return "request";
    case MessageType::Response: return "response";
    case MessageType::Indication: return "indication";
    }
    return "message";
}

} // namespace uplink::qmi
