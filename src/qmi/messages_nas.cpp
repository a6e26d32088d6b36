// NAS: registration (serving system), operator names and signal.
#include "qmi/message_util.hpp"

namespace uplink::qmi {

using detail::check_response;
using detail::reader_for;
using detail::request;

std::string_view to_string(NasRegistration state)
{
    switch (state) {
    case NasRegistration::NotRegistered: return "not-registered";
    case NasRegistration::Registered: return "registered";
    case NasRegistration::Searching: return "searching";
    case NasRegistration::Denied: return "denied";
    case NasRegistration::Unknown: return "unknown";
    }
    return "unknown";
}

namespace {

std::optional<std::uint16_t> optional_u16(const Message& message, std::uint8_t type)
{
    auto reader = reader_for(message, type);
    if (!reader)
        return std::nullopt;
    auto value = reader->u16();
    return reader->failed() ? std::nullopt : std::optional(value);
}

std::optional<std::uint32_t> optional_u32(const Message& message, std::uint8_t type)
{
    auto reader = reader_for(message, type);
    if (!reader)
        return std::nullopt;
    auto value = reader->u32();
    return reader->failed() ? std::nullopt : std::optional(value);
}

} // namespace

// TLV 0x01 {u8 registration, u8 CS attach, u8 PS attach, u8 selected network,
// array[u8] i8 radio interfaces}; 0x10 roaming indicator (0 on, 1 off); 0x12 current PLMN
// {u16 MCC, u16 MNC, string[u8] description}. LAC, cell id and TAC have other TLV ids in the
// indication than in the response (libqmi's qmi-service-nas.json).
Result<ServingSystem> parse_nas_serving_system(const Message& response_or_indication)
{
    const auto& message = response_or_indication;
    if (auto error = check_response(message))
        return error;
    auto reader = reader_for(message, 0x01);
    if (!reader)
        return make_error_code(Errc::MissingTlv);
    ServingSystem serving;
    serving.registration = static_cast<NasRegistration>(reader->u8());
    serving.cs_attach = static_cast<AttachState>(reader->u8());
    serving.ps_attach = static_cast<AttachState>(reader->u8());
    reader->u8();
    auto count = reader->u8();
    for (unsigned i = 0; i < count && !reader->failed(); ++i)
        serving.radio_interfaces.push_back(static_cast<RadioInterface>(reader->i8()));
    if (auto ok = reader->finish(); !ok)
        return ok.error();
    if (auto roaming = reader_for(message, 0x10)) {
        auto indicator = roaming->u8();
        if (!roaming->failed())
            serving.roaming = indicator == 0;
    }
    if (auto plmn = reader_for(message, 0x12)) {
        Plmn current;
        current.mcc = plmn->u16();
        current.mnc = plmn->u16();
        current.description = plmn->string_u8();
        if (!plmn->failed())
            serving.plmn = std::move(current);
    }
    bool indication = message.type == MessageType::Indication;
    serving.lac = optional_u16(message, indication ? 0x1d : 0x1c);
    serving.cell_id = optional_u32(message, indication ? 0x1e : 0x1d);
    serving.tac = optional_u16(message, indication ? 0x25 : 0x24);
    return serving;
}

std::string_view to_string(PlmnNameEncoding encoding)
{
    switch (encoding) {
    case PlmnNameEncoding::Gsm7Packed:
        return "gsm7-packed";
    case PlmnNameEncoding::Ucs2LittleEndian:
        return "ucs2-le";
    }
    return "unknown";
}

std::optional<std::string> decode_plmn_name(
    std::uint8_t encoding, std::uint8_t spare_bits, std::span<const std::uint8_t> bytes)
{
    switch (static_cast<PlmnNameEncoding>(encoding)) {
    case PlmnNameEncoding::Gsm7Packed: {
        // 24.008 §10.5.3.5a: the spare bits of the last octet are padding. When the modem
        // says "unknown" (0) and the septets end on an octet boundary, a last septet of 0
        // is the 7 bits of padding, not an "@".
        auto bits = bytes.size() * 8;
        if (spare_bits >= 1 && spare_bits <= 7 && bits >= spare_bits)
            bits -= spare_bits;
        auto septets = unpack_gsm7(bytes, bits / 7);
        if (spare_bits == 0 && bits % 7 == 0 && !septets.empty() && septets.back() == 0)
            septets.pop_back();
        return utf8_from_gsm7(septets);
    }
    case PlmnNameEncoding::Ucs2LittleEndian:
        return utf8_from_ucs2(bytes, ByteOrder::LittleEndian);
    }
    return std::nullopt;
}

namespace {

// {u8 encoding, u8 country initials, u8 long spare bits, u8 short spare bits, array[u8] long,
// array[u8] short}: one element of 0x12, or the whole of 0x14.
std::optional<NetworkName> read_network_name(TlvReader& reader)
{
    auto encoding = reader.u8();
    reader.u8();
    auto long_spare = reader.u8();
    auto short_spare = reader.u8();
    auto long_bytes = reader.bytes(reader.u8());
    auto short_bytes = reader.bytes(reader.u8());
    if (reader.failed())
        return std::nullopt;
    auto long_name = decode_plmn_name(encoding, long_spare, long_bytes);
    auto short_name = decode_plmn_name(encoding, short_spare, short_bytes);
    if (!long_name || !short_name)
        return std::nullopt;
    return NetworkName {std::move(*long_name), std::move(*short_name)};
}

} // namespace

Message nas_get_operator_name(std::uint8_t client)
{
    return request(Service::Nas, client, nas::get_operator_name);
}

Result<OperatorName> parse_nas_operator_name(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    OperatorName name;
    if (auto spn = reader_for(response, 0x10)) {
        spn->u8();
        auto text = spn->string_u8();
        if (!spn->failed())
            name.service_provider = std::move(text);
    }
    if (auto plmn = reader_for(response, 0x12)) {
        auto count = plmn->u8();
        for (unsigned i = 0; i < count && !plmn->failed(); ++i)
            if (auto element = read_network_name(*plmn))
                name.plmn_names.push_back(std::move(*element));
    }
    if (auto text = reader_for(response, 0x13))
        name.operator_string = text->string_rest();
    if (auto nitz = reader_for(response, 0x14))
        name.nitz = read_network_name(*nitz);
    return name;
}

// 0x12 GSM i8 RSSI; 0x13 WCDMA {i8 RSSI, i16 ECIO}; 0x14 LTE {i8 RSSI, i8 RSRQ, i16 RSRP,
// i16 SNR in 0.1 dB}; 0x17 5G {i16 RSRP, i16 SNR in 0.1 dB}; 0x8000 is "not available".
// A TLV of the wrong size is skipped, as libqmi does.
Result<SignalInfo> parse_nas_signal_info(const Message& response_or_indication)
{
    const auto& message = response_or_indication;
    if (auto error = check_response(message))
        return error;
    constexpr std::int16_t not_available = -32768;
    SignalInfo info;
    if (auto gsm = reader_for(message, 0x12); gsm && gsm->remaining() == 1)
        info.gsm_rssi_dbm = gsm->i8();
    if (auto wcdma = reader_for(message, 0x13); wcdma && wcdma->remaining() == 3)
        info.wcdma_rssi_dbm = wcdma->i8();
    if (auto lte = reader_for(message, 0x14); lte && lte->remaining() == 6) {
        LteSignal signal;
        signal.rssi_dbm = lte->i8();
        signal.rsrq_db = lte->i8();
        signal.rsrp_dbm = lte->i16();
        signal.snr_db = lte->i16() / 10.0;
        info.lte = signal;
    }
    if (auto nr = reader_for(message, 0x17); nr && nr->remaining() == 4) {
        NrSignal signal;
        auto rsrp = nr->i16();
        auto snr = nr->i16();
        if (rsrp != not_available)
            signal.rsrp_dbm = rsrp;
        if (snr != not_available)
            signal.snr_db = snr / 10.0;
        info.nr = signal;
    }
    return info;
}

Message nas_register_indications(std::uint8_t client)
{
    auto message = request(Service::Nas, client, nas::register_indications);
    message.add(0x13, {1}); // serving system events
    message.add(0x19, {1}); // signal info
    return message;
}

// TLV 0x01 u8 action: 1 automatic, 2 manual; manual adds 0x10 {u16 MCC, u16 MNC, i8 radio}.
Message nas_register_automatic(std::uint8_t client)
{
    auto message = request(Service::Nas, client, nas::initiate_network_register);
    message.add(0x01, {1});
    return message;
}

Message nas_register_manual(std::uint8_t client, std::uint16_t mcc, std::uint16_t mnc)
{
    auto message = request(Service::Nas, client, nas::initiate_network_register);
    message.add(0x01, {2});
    message.add(0x10, TlvWriter().u16(mcc).u16(mnc).i8(static_cast<std::int8_t>(RadioInterface::Lte)).take());
    return message;
}

Message nas_get_system_selection(std::uint8_t client)
{
    return request(Service::Nas, client, nas::get_system_selection_preference);
}

Message nas_set_system_selection(std::uint8_t client, const SystemSelection& selection)
{
    constexpr std::uint8_t permanent = 1;
    auto message = request(Service::Nas, client, nas::set_system_selection_preference);
    if (selection.mode_preference)
        message.add(0x11, TlvWriter().u16(*selection.mode_preference).take());
    if (selection.lte_bands)
        message.add(0x15, TlvWriter().u64(*selection.lte_bands).take());
    message.add(0x17, {permanent});
    return message;
}

Result<SystemSelection> parse_nas_system_selection(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    SystemSelection selection;
    if (auto mode = reader_for(response, 0x11)) {
        auto value = mode->u16();
        if (auto ok = mode->finish(); !ok)
            return ok.error();
        selection.mode_preference = value;
    }
    if (auto bands = reader_for(response, 0x15)) {
        auto value = bands->u64();
        if (auto ok = bands->finish(); !ok)
            return ok.error();
        selection.lte_bands = value;
    }
    return selection;
}

std::string_view to_string(ServiceStatus status)
{
    switch (status) {
    case ServiceStatus::None: return "none";
    case ServiceStatus::Limited: return "limited";
    case ServiceStatus::Available: return "available";
    case ServiceStatus::LimitedRegional: return "limited-regional";
    case ServiceStatus::PowerSave: return "power-save";
    }
    return "unknown";
}

namespace {

// MCC/MNC as fixed 3-byte strings; a 2-digit MNC is padded with 0xFF (libqmi's test vector).
std::string digits_of(const std::string& fixed)
{
    std::string digits;
    for (char c : fixed)
        if (c >= '0' && c <= '9')
            digits += c;
    return digits;
}

// 0x19 LTE System Info v2: {valid, domain}, {valid, service capability}, {valid, roaming},
// {valid, forbidden}, {valid, u16 LAC}, {valid, u32 cell id}, {valid, reject domain, reject
// cause}, {valid, char[3] MCC, char[3] MNC}, {valid, u16 TAC}: each value counts only when its
// valid byte is set.
void read_lte_system_info(TlvReader& reader, LteSystemInfo& info)
{
    reader.bytes(4);                               // domain, service capability
    auto roaming_valid = reader.u8();
    auto roaming = reader.u8();
    reader.bytes(2);                               // forbidden
    reader.u8();                                   // LAC valid: a 3G field, not LTE's
    reader.u16();
    auto cell_valid = reader.u8();
    auto cell = reader.u32();
    auto reject_valid = reader.u8();
    reader.u8();                                   // reject domain
    auto reject_cause = reader.u8();
    auto network_valid = reader.u8();
    auto mcc = reader.fixed_string(3);
    auto mnc = reader.fixed_string(3);
    auto tac_valid = reader.u8();
    auto tac = reader.u16();
    if (reader.failed())
        return;
    if (roaming_valid)
        info.roaming = roaming == 1;
    if (cell_valid)
        info.cell_id = cell;
    if (reject_valid)
        info.reject_cause = reject_cause;
    if (network_valid) {
        info.mcc = digits_of(mcc);
        info.mnc = digits_of(mnc);
    }
    if (tac_valid)
        info.tac = tac;
}

} // namespace

Result<std::optional<LteSystemInfo>> parse_nas_system_info(const Message& response_or_indication)
{
    const auto& message = response_or_indication;
    if (auto error = check_response(message))
        return error;
    auto status = reader_for(message, 0x14);
    if (!status)
        return std::optional<LteSystemInfo> {}; // the modem has no LTE service to tell of
    LteSystemInfo info;
    info.status = static_cast<ServiceStatus>(status->u8());
    if (auto ok = status->finish(); !ok)
        return ok.error();
    if (auto system = reader_for(message, 0x19)) {
        read_lte_system_info(*system, info);
        if (auto ok = system->finish(); !ok)
            return ok.error();
    }
    return std::optional<LteSystemInfo> {std::move(info)};
}

} // namespace uplink::qmi
