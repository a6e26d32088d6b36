// DMS and UIM: identity, operating mode, the SIM card and its PIN.
#include "qmi/message_util.hpp"

namespace uplink::qmi {

using detail::check_response;
using detail::reader_for;
using detail::request;

Message ctl_get_version_info()
{
    return request(Service::Ctl, 0, ctl::get_version_info);
}

// TLV 0x01: array[u8] of {u8 service, u16 major, u16 minor}.
Result<std::vector<ServiceVersion>> parse_ctl_version_info(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    auto reader = reader_for(response, 0x01);
    if (!reader)
        return make_error_code(Errc::MissingTlv);
    std::vector<ServiceVersion> services;
    auto count = reader->u8();
    for (unsigned i = 0; i < count && !reader->failed(); ++i) {
        ServiceVersion version;
        version.service = reader->u8();
        version.major = reader->u16();
        version.minor = reader->u16();
        services.push_back(version);
    }
    if (auto ok = reader->finish(); !ok)
        return ok.error();
    return services;
}

Message ctl_sync()
{
    return request(Service::Ctl, 0, ctl::sync);
}

Result<DeviceIds> parse_dms_get_ids(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    DeviceIds ids;
    ids.esn = string_tlv(response, 0x10).value_or("");
    ids.imei = string_tlv(response, 0x11).value_or("");
    ids.meid = string_tlv(response, 0x12).value_or("");
    return ids;
}

Result<std::string> parse_string_response(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    auto text = string_tlv(response, 0x01);
    if (!text)
        return make_error_code(Errc::MissingTlv);
    return *text;
}

std::string_view to_string(OperatingMode mode)
{
    switch (mode) {
    case OperatingMode::Online: return "online";
    case OperatingMode::LowPower: return "low-power";
    case OperatingMode::FactoryTest: return "factory-test";
    case OperatingMode::Offline: return "offline";
    case OperatingMode::Reset: return "reset";
    case OperatingMode::ShuttingDown: return "shutting-down";
    case OperatingMode::PersistentLowPower: return "persistent-low-power";
    case OperatingMode::ModeOnlyLowPower: return "mode-only-low-power";
    }
    return "unknown";
}

Result<OperatingMode> parse_dms_get_operating_mode(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    auto reader = reader_for(response, 0x01);
    if (!reader)
        return make_error_code(Errc::MissingTlv);
    auto mode = reader->u8();
    if (auto ok = reader->finish(); !ok)
        return ok.error();
    return static_cast<OperatingMode>(mode);
}

Message dms_set_operating_mode(std::uint8_t client, OperatingMode mode)
{
    auto message = request(Service::Dms, client, dms::set_operating_mode);
    message.add(0x01, {static_cast<std::uint8_t>(mode)});
    return message;
}

std::string_view to_string(CardState state)
{
    switch (state) {
    case CardState::Absent: return "absent";
    case CardState::Present: return "present";
    case CardState::Error: return "error";
    }
    return "unknown";
}

std::string_view to_string(ApplicationState state)
{
    switch (state) {
    case ApplicationState::Unknown: return "unknown";
    case ApplicationState::Detected: return "detected";
    case ApplicationState::PinRequired: return "pin-required";
    case ApplicationState::PukRequired: return "puk-required";
    case ApplicationState::CheckPersonalization: return "check-personalization";
    case ApplicationState::PinBlocked: return "pin-blocked";
    case ApplicationState::Illegal: return "illegal";
    case ApplicationState::Ready: return "ready";
    }
    return "unknown";
}

std::string_view to_string(PinState state)
{
    switch (state) {
    case PinState::NotInitialized: return "not-initialized";
    case PinState::EnabledNotVerified: return "enabled-not-verified";
    case PinState::EnabledVerified: return "enabled-verified";
    case PinState::Disabled: return "disabled";
    case PinState::Blocked: return "blocked";
    case PinState::PermanentlyBlocked: return "permanently-blocked";
    }
    return "unknown";
}

namespace {

struct CardApplication {
    ApplicationState state = ApplicationState::Unknown;
    PinState pin1 = PinState::NotInitialized;
    int pin1_retries = 0, puk1_retries = 0;
};

CardApplication read_application(TlvReader& reader)
{
    CardApplication application;
    reader.u8();                                   // type: SIM, USIM…
    application.state = static_cast<ApplicationState>(reader.u8());
    reader.bytes(4);                               // personalization state, feature, retries, unblock retries
    reader.bytes(reader.u8());                     // AID
    reader.u8();                                   // UPIN replaces PIN1
    application.pin1 = static_cast<PinState>(reader.u8());
    application.pin1_retries = reader.u8();
    application.puk1_retries = reader.u8();
    reader.bytes(3);                               // PIN2 state, retries, PUK2 retries
    return application;
}

} // namespace

// TLV 0x10: {u16 index GW primary, u16 index 1x primary, u16 index GW secondary,
// u16 index 1x secondary, array[u8] cards {u8 state, u8 UPIN state, u8 UPIN retries,
// u8 UPUK retries, u8 error, array[u8] applications {…}}}. The GW primary index is
// (card << 8) | application; 0xFFFF when there is no such session.
Result<CardStatus> parse_uim_card_status(const Message& response_or_indication)
{
    if (auto error = check_response(response_or_indication))
        return error;
    auto reader = reader_for(response_or_indication, 0x10);
    if (!reader)
        return make_error_code(Errc::MissingTlv);
    auto gw_primary = reader->u16();
    reader->bytes(6);
    CardStatus status;
    auto cards = reader->u8();
    for (unsigned card = 0; card < cards && !reader->failed(); ++card) {
        auto state = static_cast<CardState>(reader->u8());
        reader->bytes(4);                          // UPIN state, retries, UPUK retries, error code
        auto applications = reader->u8();
        bool primary_card = gw_primary != 0xffff && (gw_primary >> 8) == card;
        if (primary_card || card == 0)
            status.card = state;
        for (unsigned index = 0; index < applications && !reader->failed(); ++index) {
            auto application = read_application(*reader);
            if (!primary_card || (gw_primary & 0xff) != index)
                continue;
            status.application = application.state;
            status.pin1 = application.pin1;
            status.pin1_retries = application.pin1_retries;
            status.puk1_retries = application.puk1_retries;
        }
    }
    if (auto ok = reader->finish(); !ok)
        return ok.error();
    return status;
}

Message uim_verify_pin1(std::uint8_t client, std::string_view pin)
{
    auto message = request(Service::Uim, client, uim::verify_pin);
    // Session: type 0 (primary GW provisioning) with an empty AID, as ModemManager sends it.
    message.add(0x01, TlvWriter().u8(0).u8(0).take());
    message.add(0x02, TlvWriter().u8(1).string_u8(pin).take());
    return message;
}

PinRetries parse_uim_verify_pin_retries(const Message& response)
{
    PinRetries retries;
    if (auto reader = reader_for(response, 0x10)) {
        auto verify = reader->u8();
        auto unblock = reader->u8();
        if (!reader->failed()) {
            retries.verify_left = verify;
            retries.unblock_left = unblock;
        }
    }
    return retries;
}

} // namespace uplink::qmi
