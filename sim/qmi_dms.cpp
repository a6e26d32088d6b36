// DMS, device management (service 2): identity, the operating mode (the QMI view of AT+CFUN)
// and the legacy UIM messages over the same SIM the AT face sees (modem-protocols.md §2.2;
// TLVs from libqmi data/qmi-service-dms.json, as qmicli-spec.md §3 shows them on the wire).
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

namespace uplink::sim {

namespace {

// QmiDmsOperatingMode
constexpr std::uint8_t mode_online = 0, mode_low_power = 1, mode_reset = 4,
                       mode_persistent_low_power = 6, mode_only_low_power = 7;

// QmiDmsUimPinStatus
constexpr std::uint8_t pin_enabled_not_verified = 1, pin_enabled_verified = 2, pin_disabled = 3,
                       pin_blocked = 4, pin_permanently_blocked = 5;

qmi::Message with_string(const qmi::Message& request, std::string_view text)
{
    auto response = response_to(request);
    response.add(0x01, text_value(text));
    return response;
}

} // namespace

qmi::Message Modem::dms_manufacturer(const qmi::Message& request, QmiClient&)
{
    return with_string(request, spec_.manufacturer);
}

qmi::Message Modem::dms_model(const qmi::Message& request, QmiClient&)
{
    return with_string(request, spec_.model);
}

qmi::Message Modem::dms_revision(const qmi::Message& request, QmiClient&)
{
    return with_string(request, spec_.revision);
}

// Get IDs (0x0025): 0x11 IMEI. The EC25 has no CDMA radio, so no ESN (0x10) or MEID (0x12);
// qmicli prints 'unknown' for them.
qmi::Message Modem::dms_ids(const qmi::Message& request, QmiClient&)
{
    auto response = response_to(request);
    response.add(0x11, text_value(spec_.imei));
    return response;
}

// Get Operating Mode (0x002D): 0x01 mode, 0x11 hardware-restricted. CFUN=1 is online; quectel-CM
// equates low power (1) with CFUN=4; CFUN=0 is reported as persistent low power (6), which
// ModemManager also reads as "low" (modem-protocols.md §2.2).
qmi::Message Modem::dms_operating_mode(const qmi::Message& request, QmiClient&)
{
    std::uint8_t mode = mode_online;
    if (functionality_ == Functionality::Airplane)
        mode = mode_low_power;
    else if (functionality_ == Functionality::Minimum)
        mode = mode_persistent_low_power;
    auto response = response_to(request);
    response.add(0x01, u8_value(mode));
    response.add(0x11, u8_value(0));
    return response;
}

// Set Operating Mode (0x002E): 0x01 mode. Reset (4) reboots like AT+CFUN=1,1, after the
// response. Offline, factory test and shutting down are not emulated.
qmi::Message Modem::dms_set_operating_mode(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto mode = arguments.u8(0x01, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    switch (*mode) {
    case mode_online:
        functionality_ = Functionality::Full;
        break;
    case mode_low_power:
    case mode_only_low_power:
        functionality_ = Functionality::Airplane;
        break;
    case mode_persistent_low_power:
        functionality_ = Functionality::Minimum;
        break;
    case mode_reset:
        reboot(Duration {0});
        return response_to(request);
    default:
        return response_to(request, qmi::ProtocolError::InvalidArgument);
    }
    update_registration();
    return response_to(request);
}

// UIM Get PIN Status (0x002B): 0x11 PIN1 and 0x12 PIN2 {u8 status, u8 verify left, u8 unblock
// left}. Without an initialized SIM: "UIM uninitialized", which uqmi's qmi.sh waits out.
qmi::Message Modem::dms_pin_status(const qmi::Message& request, QmiClient&)
{
    auto state = sim_state();
    if (state == SimState::Absent || state == SimState::Initializing)
        return response_to(request, qmi::ProtocolError::UimUninitialized);
    const auto& spec = card_->spec();
    std::uint8_t status = pin_disabled;
    if (state == SimState::Blocked)
        status = pin_permanently_blocked;
    else if (state == SimState::PukRequired)
        status = pin_blocked;
    else if (state == SimState::PinRequired)
        status = pin_enabled_not_verified;
    else if (spec.pin_enabled)
        status = pin_enabled_verified;
    auto response = response_to(request);
    response.add(0x11,
        {status, static_cast<std::uint8_t>(spec.pin_retries),
            static_cast<std::uint8_t>(spec.puk_retries)});
    // PIN2 is not emulated: enabled, never verified, the tries AT+QPINC="P2" shows.
    response.add(0x12, {pin_enabled_not_verified, 3, 10});
    return response;
}

// UIM Verify PIN (0x0028): 0x01 {u8 pin id (1 PIN, 2 PIN2), string[u8] PIN} -> 0x10 {u8
// verify left, u8 unblock left}, also on IncorrectPin.
qmi::Message Modem::dms_verify_pin(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    const auto* info = arguments.find(0x01, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    qmi::TlvReader reader(info->value);
    auto pin_id = reader.u8();
    auto pin = reader.string_u8();
    if (reader.failed())
        return response_to(request, qmi::ProtocolError::MalformedMessage);
    if (pin_id != 1)
        return response_to(request, qmi::ProtocolError::InvalidPinId);
    auto check = check_pin(pin);
    if (check.error == qmi::ProtocolError::NoSim) // DMS has no "no SIM": the UIM is not up
        check.error = qmi::ProtocolError::UimUninitialized;
    auto response = response_to(request, check.error);
    if (check.with_retries)
        response.add(0x10,
            {static_cast<std::uint8_t>(card_->spec().pin_retries),
                static_cast<std::uint8_t>(card_->spec().puk_retries)});
    return response;
}

// UIM Get ICCID (0x003C): 0x01 string, readable without the PIN (TS 31.101 §13.2), as printed
// by AT+QCCID.
qmi::Message Modem::dms_iccid(const qmi::Message& request, QmiClient&)
{
    auto state = sim_state();
    if (state == SimState::Absent || state == SimState::Initializing)
        return response_to(request, qmi::ProtocolError::UimUninitialized);
    return with_string(request, card_->spec().iccid);
}

// UIM Get IMSI (0x0043): 0x01 string. EF_IMSI needs the PIN (TS 31.102 §4.2.2), like AT+CIMI.
qmi::Message Modem::dms_imsi(const qmi::Message& request, QmiClient&)
{
    auto state = sim_state();
    if (state == SimState::Absent || state == SimState::Initializing)
        return response_to(request, qmi::ProtocolError::UimUninitialized);
    if (state != SimState::Ready)
        return response_to(request, protocol_error::access_denied);
    return with_string(request, card_->spec().imsi);
}

} // namespace uplink::sim
