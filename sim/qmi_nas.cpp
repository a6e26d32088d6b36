// NAS, network access (service 3): serving system, system info, signal, network registration
// and their indications, all read from the registration and radio the AT face reports
// (modem-protocols.md §2.4; libqmi data/qmi-service-nas.json; qmicli-spec.md §3 for the bytes).
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

#include <algorithm>
#include <array>
#include <bitset>

namespace uplink::sim {

namespace {

// QmiNasRegistrationState, QmiNasAttachState, QmiNasNetworkType, QmiNasRadioInterface,
// QmiNasDataCapability, QmiNasServiceStatus, QmiNasNetworkServiceDomain
constexpr std::uint8_t attached = 1, detached = 2;
constexpr std::uint8_t network_unknown = 0, network_3gpp = 2;
constexpr std::uint8_t radio_lte = 8, data_lte = 11;
constexpr std::uint8_t service_none = 0, service_available = 2;
constexpr std::uint8_t domain_ps = 2, domain_cs_ps = 3;

std::uint8_t registration_state(RegistrationStatus status)
{
    switch (status) {
    case RegistrationStatus::Home:
    case RegistrationStatus::Roaming:
        return 1;
    case RegistrationStatus::Searching:
        return 2;
    case RegistrationStatus::Denied:
        return 3;
    case RegistrationStatus::Unknown:
        return 4;
    case RegistrationStatus::NotRegistered:
        break;
    }
    return 0;
}

// Scenario MCC/MNC are validated decimal text ("001", "01").
std::uint16_t decimal(std::string_view digits)
{
    unsigned value = 0;
    for (char c : digits)
        if (c >= '0' && c <= '9')
            value = value * 10 + static_cast<unsigned>(c - '0');
    return static_cast<std::uint16_t>(value);
}

// An ASCII name as GSM 7-bit septets, packed (3GPP TS 23.038 §6.1.2.1.1: septet n at bit 7n),
// and the number of spare bits in the last octet. The few ASCII signs the default alphabet
// puts elsewhere are moved; the rest, and anything past ASCII, become "?".
std::pair<std::vector<std::uint8_t>, std::uint8_t> packed_gsm7(std::string_view text)
{
    std::vector<std::uint8_t> packed;
    unsigned bits = 0, count = 0;
    for (char c : text) {
        unsigned septet = static_cast<unsigned char>(c);
        if (c == '@')
            septet = 0x00;
        else if (c == '$')
            septet = 0x02;
        else if (c == '_')
            septet = 0x11;
        else if (septet >= 0x80 || septet < 0x20
            || std::string_view("[\\]^`{|}~").find(c) != std::string_view::npos)
            septet = '?';
        bits |= septet << count;
        count += 7;
        while (count >= 8) {
            packed.push_back(static_cast<std::uint8_t>(bits & 0xff));
            bits >>= 8;
            count -= 8;
        }
    }
    if (count > 0)
        packed.push_back(static_cast<std::uint8_t>(bits & 0xff));
    return {std::move(packed), static_cast<std::uint8_t>(count > 0 ? 8 - count : 0)};
}

} // namespace

// Serving System TLVs: 0x01 {reg state, CS, PS, selected network, array[u8] radio}, 0x10
// roaming (0 on, 1 off), 0x11 array[u8] data capabilities, 0x12 PLMN {u16 MCC, u16 MNC,
// string[u8] name}, cell id and LTE TAC. The ids of the last two differ between the response
// (0x1D, 0x24) and the indication (0x1E, 0x25).
void Modem::add_serving_system(qmi::Message& message, bool is_indication) const
{
    const auto* network = serving_operator();
    bool on_network = registered() && network != nullptr;
    qmi::TlvWriter system;
    system.u8(registration_state(registration_));
    system.u8(on_network ? attached : detached).u8(on_network ? attached : detached);
    system.u8(on_network ? network_3gpp : network_unknown);
    if (on_network)
        system.u8(1).u8(radio_lte);
    else
        system.u8(0);
    message.add(0x01, system.take());
    if (!on_network)
        return;
    const auto& radio = surroundings_.radio;
    message.add(0x10, u8_value(registration_ == RegistrationStatus::Roaming ? 0 : 1));
    message.add(0x11, {1, data_lte});
    message.add(0x12,
        qmi::TlvWriter()
            .u16(decimal(network->mcc))
            .u16(decimal(network->mnc))
            .string_u8(network->long_name)
            .take());
    message.add(is_indication ? 0x1e : 0x1d, u32_value(radio.cell_id));
    message.add(is_indication ? 0x25 : 0x24, u16_value(static_cast<std::uint16_t>(radio.tac)));
}

// System Info TLVs: 0x14 LTE service status {status, true status, preferred data path}, and
// while registered 0x19 LTE system info v2 (29 bytes; a 2-digit MNC padded with 0xFF).
void Modem::add_system_info(qmi::Message& message) const
{
    const auto* network = serving_operator();
    bool on_network = registered() && network != nullptr;
    auto status = on_network ? service_available : service_none;
    message.add(0x14, {status, status, static_cast<std::uint8_t>(on_network ? 1 : 0)});
    if (!on_network)
        return;
    const auto& radio = surroundings_.radio;
    qmi::TlvWriter info;
    info.u8(1).u8(domain_ps).u8(1).u8(domain_cs_ps);
    info.u8(1).u8(registration_ == RegistrationStatus::Roaming ? 1 : 0);
    info.u8(1).u8(0); // not forbidden
    info.u8(0).u16(0); // no LAC on LTE
    info.u8(1).u32(radio.cell_id);
    info.u8(0).u8(0).u8(0); // no registration reject
    info.u8(1).fixed_string(network->mcc, 3, 0xff).fixed_string(network->mnc, 3, 0xff);
    info.u8(1).u16(static_cast<std::uint16_t>(radio.tac));
    message.add(0x19, info.take());
}

// Signal Info TLV 0x14 LTE {i8 RSSI dBm, i8 RSRQ dB, i16 RSRP dBm, i16 SNR in 0.1 dB}.
void Modem::add_signal_info(qmi::Message& message) const
{
    const auto& carrier = surroundings_.radio.primary;
    message.add(0x14,
        qmi::TlvWriter()
            .i8(static_cast<std::int8_t>(std::clamp(carrier.rssi, -128, 127)))
            .i8(static_cast<std::int8_t>(std::clamp(carrier.rsrq, -128, 127)))
            .i16(static_cast<std::int16_t>(carrier.rsrp))
            .i16(static_cast<std::int16_t>(carrier.sinr * 10))
            .take());
}

// The registration or the cell changed: Serving System (0x0024) and System Info (0x004E)
// indications to the clients that asked; bearers end when the network is lost.
void Modem::registration_changed()
{
    for (const auto& [key, client] : qmi_clients_) {
        if (key.first != qmi::Service::Nas)
            continue;
        if (client.serving_system_reports) {
            auto message
                = indication(qmi::Service::Nas, client.id, qmi::nas::serving_system_indication);
            add_serving_system(message, true);
            indicate(std::move(message));
        }
        if (client.system_info_reports) {
            auto message
                = indication(qmi::Service::Nas, client.id, qmi::nas::system_info_indication);
            add_system_info(message);
            indicate(std::move(message));
        }
    }
    if (!registered() && !bearers_.empty())
        end_bearers(CallEnd {call_end::no_service, call_end::type_cm, call_end::cm_no_service});
}

// Signal Info indication (0x0051), sent on every change while registered (the emulated modem
// has no Config Signal Info thresholds).
void Modem::signal_changed()
{
    if (!registered())
        return;
    for (const auto& [key, client] : qmi_clients_) {
        if (key.first != qmi::Service::Nas || !client.signal_reports)
            continue;
        auto message = indication(qmi::Service::Nas, client.id, qmi::nas::signal_info_indication);
        add_signal_info(message);
        indicate(std::move(message));
    }
}

// Register Indications (0x0003): 0x13 serving system, 0x18 system info, 0x19 signal info (u8
// booleans); the others are accepted and not emulated.
qmi::Message Modem::nas_register_indications(const qmi::Message& request, QmiClient& client)
{
    Arguments arguments(request);
    auto serving_system = arguments.u8(0x13);
    auto system_info = arguments.u8(0x18);
    auto signal = arguments.u8(0x19);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    if (serving_system)
        client.serving_system_reports = *serving_system != 0;
    if (system_info)
        client.system_info_reports = *system_info != 0;
    if (signal)
        client.signal_reports = *signal != 0;
    return response_to(request);
}

qmi::Message Modem::nas_serving_system(const qmi::Message& request, QmiClient&)
{
    auto response = response_to(request);
    add_serving_system(response, false);
    return response;
}

qmi::Message Modem::nas_system_info(const qmi::Message& request, QmiClient&)
{
    auto response = response_to(request);
    add_system_info(response);
    return response;
}

// Get Operator Name (0x0039): the serving network's names as the network gives them, GSM-7
// packed (TLV 0x12, one element), and the operator string (0x13). Every TLV is optional:
// without a network the response carries only its result.
qmi::Message Modem::nas_operator_name(const qmi::Message& request, QmiClient&)
{
    auto response = response_to(request);
    const auto* network = serving_operator();
    if (!registered() || network == nullptr)
        return response;
    auto [long_name, long_spare] = packed_gsm7(network->long_name);
    auto [short_name, short_spare] = packed_gsm7(network->short_name);
    qmi::TlvWriter names;
    names.u8(1).u8(0).u8(0).u8(long_spare).u8(short_spare);
    names.u8(static_cast<std::uint8_t>(long_name.size())).bytes(long_name);
    names.u8(static_cast<std::uint8_t>(short_name.size())).bytes(short_name);
    response.add(0x12, names.take());
    response.add(0x13, qmi::TlvWriter().string_rest(network->long_name).take());
    return response;
}

// Get Signal Info (0x004F): nothing to measure without a serving cell.
qmi::Message Modem::nas_signal_info(const qmi::Message& request, QmiClient&)
{
    if (!registered())
        return response_to(request, qmi::ProtocolError::InformationUnavailable);
    auto response = response_to(request);
    add_signal_info(response);
    return response;
}

// Initiate Network Register (0x0022): 0x01 action (1 automatic, 2 manual), 0x10 manual {u16
// MCC, u16 MNC, i8 radio}: AT+COPS=0 and AT+COPS=1 in QMI form.
qmi::Message Modem::nas_network_register(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto action = arguments.u8(0x01, Need::Mandatory);
    const auto* manual = arguments.find(0x10);
    if (manual != nullptr && manual->value.size() < 5)
        arguments.malformed();
    if (!arguments.ok())
        return response_to(request, arguments.error());
    if (*action == 1) {
        operator_mode_ = OperatorMode::Automatic;
        manual_operator_.clear();
        update_registration();
        return response_to(request);
    }
    if (*action != 2)
        return response_to(request, protocol_error::invalid_register_action);
    if (manual == nullptr)
        return response_to(request, qmi::ProtocolError::MissingArgument);
    qmi::TlvReader reader(manual->value);
    auto mcc = reader.u16();
    auto mnc = reader.u16();
    auto found = std::find_if(operators_.begin(), operators_.end(), [&](const Operator& network) {
        return decimal(network.mcc) == mcc && decimal(network.mnc) == mnc;
    });
    const auto& radio = surroundings_.radio;
    if (found == operators_.end() || found->plmn() != radio.operator_plmn || !radio.available)
        return response_to(request, qmi::ProtocolError::NoNetworkFound);
    operator_mode_ = OperatorMode::Manual;
    manual_operator_ = found->plmn();
    update_registration();
    return response_to(request);
}

// System Selection Preference (0x0033 set, 0x0034 get): the same NV settings as Quectel's
// AT+QCFG="nwscanmode"/AT+QNWPREFCFG="mode_pref" and the band settings, in QMI's form. Mode
// preference 0x11 (QmiNasRatModePreference): every RAT the module has is automatic. LTE band
// preference 0x15: bit n-1 for band n, the module's own bands only, as AT+QCFG="band" takes them.
namespace {

constexpr std::array<std::pair<unsigned, std::uint16_t>, 4> qmi_bits {{{rat_bit::gsm, qmi::rat_mode::gsm},
    {rat_bit::wcdma, qmi::rat_mode::umts}, {rat_bit::lte, qmi::rat_mode::lte}, {rat_bit::nr5g, qmi::rat_mode::nr5g}}};

std::uint16_t qmi_mode_of(unsigned rats)
{
    std::uint16_t mode = 0;
    for (auto [rat, bit] : qmi_bits)
        if (rats & rat)
            mode |= bit;
    return mode;
}

unsigned rats_of(std::uint16_t mode)
{
    unsigned rats = 0;
    for (auto [rat, bit] : qmi_bits)
        if (mode & bit)
            rats |= rat;
    return rats;
}

} // namespace

// The RATs an EC25 or MC7455 has (GSM, WCDMA, LTE), or an RM520N (WCDMA, LTE, 5G NR).
unsigned Modem::all_rats() const
{
    return spec_.profile->nr_bands.empty() ? rat_bit::gsm | rat_bit::wcdma | rat_bit::lte
                                           : rat_bit::wcdma | rat_bit::lte | rat_bit::nr5g;
}

qmi::Message Modem::nas_set_system_selection(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto mode = arguments.u16(0x11);
    auto bands = arguments.u64(0x15);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    auto& nv = surroundings_.nv;
    if (mode && (rats_of(*mode) & all_rats()) == 0) // none the module has (5G on an LTE module)
        return response_to(request, qmi::ProtocolError::InvalidArgument);
    std::bitset<128> enabled;
    if (bands) {
        for (int band : spec_.lte_bands)
            if (band <= 64 && (*bands >> (band - 1)) & 1)
                enabled.set(static_cast<std::size_t>(band - 1));
        if (enabled.none())
            return response_to(request, qmi::ProtocolError::InvalidArgument);
    }
    if (mode) {
        auto rats = rats_of(*mode) & all_rats();
        nv.rats = rats == all_rats() ? 0 : rats;
    }
    if (bands)
        nv.lte_mask = enabled;
    update_registration();
    return response_to(request);
}

qmi::Message Modem::nas_get_system_selection(const qmi::Message& request, QmiClient&)
{
    const auto& nv = surroundings_.nv;
    std::uint64_t bands = 0;
    for (std::size_t bit = 0; bit < 64; ++bit)
        if (nv.lte_mask.test(bit))
            bands |= std::uint64_t {1} << bit;
    auto response = response_to(request);
    response.add(0x11, qmi::TlvWriter().u16(qmi_mode_of(nv.rats == 0 ? all_rats() : nv.rats)).take());
    response.add(0x15, qmi::TlvWriter().u64(bands).take());
    return response;
}

} // namespace uplink::sim
