// UIM, the SIM card (service 0x0B): card status, verify PIN, the ICCID and IMSI files, and the
// card status indication (modem-protocols.md §2.3; libqmi data/qmi-service-uim.json). The PIN
// check is shared with DMS and counts in the same counters as AT+CPIN.
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

#include <algorithm>

namespace uplink::sim {

namespace {

// QmiUimCardState, QmiUimCardApplicationState, QmiUimPinState
constexpr std::uint8_t card_absent = 0, card_present = 1;
constexpr std::uint8_t app_detected = 1, app_pin_required = 2, app_puk_required = 3,
                       app_pin_blocked = 5, app_ready = 7;
constexpr std::uint8_t pin_not_initialized = 0, pin_enabled_not_verified = 1,
                       pin_enabled_verified = 2, pin_disabled = 3, pin_blocked = 4,
                       pin_permanently_blocked = 5;
constexpr std::uint8_t usim = 2; // QmiUimCardApplicationType
constexpr std::uint8_t personalization_ready = 2; // QmiUimCardApplicationPersonalizationState

// A USIM AID: RID A000000087 (3GPP), application code 1002 (USIM), ETSI TS 101 220 Annex E;
// the country and provider bytes are left unspecified (FF).
constexpr std::uint8_t usim_aid[] {
    0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xff, 0xff, 0xff, 0xff, 0x89, 0x00, 0x00, 0x01, 0x00};

bool is_pin(std::string_view text)
{
    return text.size() >= 4 && text.size() <= 8
        && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return 0xf;
}

} // namespace

// EF_ICCID (TS 102 221 §13.2): BCD, digits swapped in each byte, padded with F.
std::vector<std::uint8_t> iccid_file(std::string_view iccid)
{
    std::vector<std::uint8_t> bytes(10, 0xff);
    for (std::size_t index = 0; index < iccid.size() && index < 20; ++index) {
        auto& byte = bytes[index / 2];
        auto digit = static_cast<std::uint8_t>(nibble(iccid[index]));
        byte = index % 2 == 0 ? static_cast<std::uint8_t>((byte & 0xf0) | digit)
                              : static_cast<std::uint8_t>((byte & 0x0f) | (digit << 4));
    }
    return bytes;
}

// EF_IMSI (TS 31.102 §4.2.2, TS 24.008 §10.5.1.4): a length byte, then the first digit over
// "1001" (identity type IMSI, odd count) or "0001" (even), then the digits in swapped pairs,
// padded with F.
std::vector<std::uint8_t> imsi_file(std::string_view imsi)
{
    std::vector<std::uint8_t> bytes(9, 0xff);
    bytes[0] = static_cast<std::uint8_t>((imsi.size() + 2) / 2);
    std::vector<std::uint8_t> nibbles {static_cast<std::uint8_t>(imsi.size() % 2 ? 0x9 : 0x1)};
    for (char c : imsi)
        nibbles.push_back(static_cast<std::uint8_t>(nibble(c)));
    for (std::size_t index = 0; index < nibbles.size() && index < 16; ++index) {
        auto& byte = bytes[1 + index / 2];
        byte = index % 2 == 0 ? static_cast<std::uint8_t>((byte & 0xf0) | nibbles[index])
                              : static_cast<std::uint8_t>((byte & 0x0f) | (nibbles[index] << 4));
    }
    return bytes;
}

// Both verify-PIN messages: ask the card (a try is spent, as with AT+CPIN), unlock on success.
// A PIN that is not 4-8 digits is refused before the card sees it.
Modem::PinCheck Modem::check_pin(std::string_view pin)
{
    switch (sim_state()) {
    case SimState::Absent:
        return {qmi::ProtocolError::NoSim, false};
    case SimState::Initializing:
        return {qmi::ProtocolError::UimUninitialized, false};
    case SimState::Blocked:
        return {qmi::ProtocolError::PinAlwaysBlocked, true};
    case SimState::PukRequired:
        return {qmi::ProtocolError::PinBlocked, true};
    case SimState::PinRequired:
    case SimState::Ready:
        break;
    }
    if (!is_pin(pin))
        return {qmi::ProtocolError::InvalidArgument, false};
    bool locked = sim_state() == SimState::PinRequired;
    ++surroundings_.counters.pin_attempts;
    if (card_->verify_pin(pin) == SimCard::Check::Wrong) {
        update_registration(); // the third wrong try locks the SIM: the modem loses the network
        card_status_changed();
        return {qmi::ProtocolError::IncorrectPin, true};
    }
    if (locked)
        unlock_sim();
    return {qmi::ProtocolError::None, true};
}

// Card Status TLV 0x10 (qmicli-spec.md "--uim-get-card-status" has the layout byte by byte).
std::vector<std::uint8_t> Modem::card_status_value() const
{
    auto state = sim_state();
    bool present = state != SimState::Absent;
    bool initialized = present && state != SimState::Initializing;
    qmi::TlvWriter value;
    value.u16(initialized ? 0x0000 : 0xffff).u16(0xffff).u16(0xffff).u16(0xffff);
    value.u8(1).u8(present ? card_present : card_absent); // one slot
    value.u8(pin_not_initialized).u8(0).u8(0).u8(0); // no UPIN; no card error
    if (!present)
        return value.u8(0).take();
    const auto& spec = card_->spec();
    std::uint8_t application = app_ready, pin1 = pin_disabled;
    switch (state) {
    case SimState::Initializing:
        application = app_detected;
        pin1 = pin_not_initialized;
        break;
    case SimState::PinRequired:
        application = app_pin_required;
        pin1 = pin_enabled_not_verified;
        break;
    case SimState::PukRequired:
        application = app_puk_required;
        pin1 = pin_blocked;
        break;
    case SimState::Blocked:
        application = app_pin_blocked;
        pin1 = pin_permanently_blocked;
        break;
    default:
        pin1 = spec.pin_enabled ? pin_enabled_verified : pin_disabled;
        break;
    }
    value.u8(1).u8(usim).u8(application).u8(personalization_ready).u8(0).u8(0).u8(0);
    value.u8(static_cast<std::uint8_t>(std::size(usim_aid))).bytes(usim_aid);
    value.u8(0).u8(pin1).u8(static_cast<std::uint8_t>(spec.pin_retries));
    value.u8(static_cast<std::uint8_t>(spec.puk_retries));
    return value.u8(pin_enabled_not_verified).u8(3).u8(10).take(); // PIN2, as AT+QPINC="P2"
}

// Card Status indication (0x0032) to clients that registered for it.
void Modem::card_status_changed()
{
    for (const auto& [key, client] : qmi_clients_) {
        if (key.first != qmi::Service::Uim || !client.card_status_reports)
            continue;
        auto message = indication(qmi::Service::Uim, client.id, qmi::uim::card_status_indication);
        message.add(0x10, card_status_value());
        indicate(std::move(message));
    }
}

qmi::Message Modem::uim_card_status(const qmi::Message& request, QmiClient&)
{
    auto response = response_to(request);
    response.add(0x10, card_status_value());
    return response;
}

// Register Events (0x002E): 0x01 u32 mask -> 0x10 the mask accepted (card status, bit 0).
qmi::Message Modem::uim_register_events(const qmi::Message& request, QmiClient& client)
{
    Arguments arguments(request);
    auto mask = arguments.u32(0x01, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    client.card_status_reports = (*mask & 1) != 0;
    auto response = response_to(request);
    response.add(0x10, u32_value(*mask & 1));
    return response;
}

// Verify PIN (0x0026): 0x01 session {u8 type, array[u8] AID}, 0x02 {u8 PIN id (1 PIN1),
// string[u8] PIN} -> 0x10 {u8 verify left, u8 unblock left}.
qmi::Message Modem::uim_verify_pin(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    arguments.find(0x01, Need::Mandatory);
    const auto* info = arguments.find(0x02, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    qmi::TlvReader reader(info->value);
    auto pin_id = reader.u8();
    auto pin = reader.string_u8();
    if (reader.failed())
        return response_to(request, qmi::ProtocolError::MalformedMessage);
    if (pin_id != 1) // PIN2 and UPIN are not emulated
        return response_to(request, qmi::ProtocolError::InvalidPinId);
    auto check = check_pin(pin);
    auto response = response_to(request, check.error);
    if (check.with_retries)
        response.add(0x10,
            {static_cast<std::uint8_t>(card_->spec().pin_retries),
                static_cast<std::uint8_t>(card_->spec().puk_retries)});
    return response;
}

// Read Transparent (0x0020): 0x01 session, 0x02 file {u16 id, array[u8] path}, 0x03 {u16
// offset, u16 length (0: to the end)} -> 0x10 card result {SW1, SW2}, 0x11 array[u16] bytes.
// EF_ICCID and EF_IMSI are emulated; status words from TS 102 221 §10.2.1.
qmi::Message Modem::uim_read_transparent(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    arguments.find(0x01, Need::Mandatory);
    auto file = arguments.u16(0x02, Need::Mandatory);
    const auto* range = arguments.find(0x03);
    if (range != nullptr && range->value.size() < 4)
        arguments.malformed();
    if (!arguments.ok())
        return response_to(request, arguments.error());
    auto state = sim_state();
    if (state == SimState::Absent)
        return response_to(request, qmi::ProtocolError::NoSim);
    if (state == SimState::Initializing)
        return response_to(request, qmi::ProtocolError::UimUninitialized);
    auto failure = [&](qmi::ProtocolError error, std::uint8_t sw1, std::uint8_t sw2) {
        auto response = response_to(request, error);
        response.add(0x10, {sw1, sw2});
        return response;
    };
    std::vector<std::uint8_t> content;
    if (*file == ef_iccid)
        content = iccid_file(card_->spec().iccid);
    else if (*file == ef_imsi && state == SimState::Ready)
        content = imsi_file(card_->spec().imsi);
    else if (*file == ef_imsi) // 6982: security status not satisfied (the PIN)
        return failure(protocol_error::access_denied, 0x69, 0x82);
    else // 6A82: file not found
        return failure(protocol_error::sim_file_not_found, 0x6a, 0x82);
    qmi::TlvReader reader(
        range != nullptr ? std::span(range->value) : std::span<const std::uint8_t> {});
    std::size_t offset = range != nullptr ? reader.u16() : 0;
    std::size_t length = range != nullptr ? reader.u16() : 0;
    if (offset > content.size() || (length != 0 && offset + length > content.size()))
        return failure(qmi::ProtocolError::InvalidArgument, 0x6b, 0x00); // wrong P1-P2
    content.erase(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(offset));
    if (length != 0)
        content.resize(length);
    auto response = response_to(request);
    response.add(0x10, {0x90, 0x00});
    response.add(0x11,
        qmi::TlvWriter().u16(static_cast<std::uint16_t>(content.size())).bytes(content).take());
    return response;
}

} // namespace uplink::sim
