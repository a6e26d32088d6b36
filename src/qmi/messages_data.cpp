// WDA and WDS: the data format and the data call (start, settings, status, stop).
#include "qmi/message_util.hpp"

#include <fmt/format.h>

namespace uplink::qmi {

using detail::check_response;
using detail::reader_for;
using detail::request;

Message wda_set_data_format_raw_ip(std::uint8_t client)
{
    auto message = request(Service::Wda, client, wda::set_data_format);
    message.add(0x10, {0});                                  // QoS format: no QoS header
    message.add(0x11, TlvWriter().u32(static_cast<std::uint32_t>(LinkProtocol::RawIp)).take());
    message.add(0x12, TlvWriter().u32(0).take());            // uplink aggregation disabled
    message.add(0x13, TlvWriter().u32(0).take());            // downlink aggregation disabled
    return message;
}

Result<LinkProtocol> parse_wda_data_format(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    auto reader = reader_for(response, 0x11);
    if (!reader)
        return make_error_code(Errc::MissingTlv);
    auto protocol = reader->u32();
    if (auto ok = reader->finish(); !ok)
        return ok.error();
    return static_cast<LinkProtocol>(protocol);
}

std::string_view to_string(IpFamily family)
{
    switch (family) {
    case IpFamily::Ipv4: return "ipv4";
    case IpFamily::Ipv6: return "ipv6";
    case IpFamily::Unspecified: return "unspecified";
    }
    return "unknown";
}

Message wds_get_profile_list(std::uint8_t client)
{
    auto message = request(Service::Wds, client, wds::get_profile_list);
    message.add(0x10, {0}); // 3GPP
    return message;
}

// TLV 0x01: array[u8] of {u8 type, u8 index, string[u8] name}.
Result<std::vector<ProfileSummary>> parse_wds_profile_list(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    auto reader = reader_for(response, 0x01);
    if (!reader)
        return make_error_code(Errc::MissingTlv);
    std::vector<ProfileSummary> profiles;
    auto count = reader->u8();
    for (unsigned i = 0; i < count && !reader->failed(); ++i) {
        reader->u8();
        ProfileSummary profile;
        profile.index = reader->u8();
        profile.name = reader->string_u8();
        profiles.push_back(std::move(profile));
    }
    if (auto ok = reader->finish(); !ok)
        return ok.error();
    return profiles;
}

Message wds_get_profile_settings(std::uint8_t client, std::uint8_t index)
{
    auto message = request(Service::Wds, client, wds::get_profile_settings);
    message.add(0x01, {0, index});
    return message;
}

// 0x10 name, 0x14 APN, 0x1B username (whole-TLV strings); 0x11 u8 PDP type; 0x1D u8 auth.
Result<ProfileSettings> parse_wds_profile_settings(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    ProfileSettings settings;
    settings.name = string_tlv(response, 0x10).value_or("");
    settings.apn = string_tlv(response, 0x14).value_or("");
    settings.username = string_tlv(response, 0x1b).value_or("");
    if (auto pdp = reader_for(response, 0x11); pdp && pdp->remaining() == 1)
        settings.pdp_type = pdp->u8();
    if (auto auth = reader_for(response, 0x1d); auth && auth->remaining() == 1)
        settings.authentication = auth->u8();
    return settings;
}

// Request TLVs: 0x14 APN, 0x16 u8 authentication mask, 0x17 user, 0x18 password (strings
// without a length prefix), 0x19 u8 IP family preference. Credentials go only with an
// authentication method, as ModemManager sends them.
Message wds_start_network(std::uint8_t client, const StartNetwork& settings)
{
    auto message = request(Service::Wds, client, wds::start_network);
    if (!settings.apn.empty())
        message.add(0x14, TlvWriter().string_rest(settings.apn).take());
    message.add(0x16, {static_cast<std::uint8_t>(settings.authentication)});
    if (settings.authentication != Authentication::None) {
        message.add(0x17, TlvWriter().string_rest(settings.username).take());
        message.add(0x18, TlvWriter().string_rest(settings.password).take());
    }
    message.add(0x19, {static_cast<std::uint8_t>(settings.family)});
    return message;
}

namespace {

CallEnd read_call_end(const Message& message)
{
    CallEnd end;
    if (auto reason = reader_for(message, 0x10)) {
        auto value = reason->u16();
        if (!reason->failed())
            end.reason = value;
    }
    if (auto verbose = reader_for(message, 0x11)) {
        auto type = verbose->u16();
        auto reason = verbose->i16();
        if (!verbose->failed()) {
            end.verbose_type = type;
            end.verbose_reason = reason;
        }
    }
    return end;
}

// 3GPP TS 24.008 §10.5.6.6 SM causes, the ones a data call meets.
std::string_view cause_text(int cause)
{
    switch (cause) {
    case 8: return "operator determined barring";
    case 26: return "insufficient resources";
    case 27: return "unknown APN";
    case 28: return "unknown PDP address or type";
    case 29: return "user authentication failed";
    case 30: return "activation rejected by the gateway";
    case 31: return "activation rejected";
    case 32: return "service option not supported";
    case 33: return "service option not subscribed";
    case 34: return "service option temporarily out of order";
    case 36: return "regular deactivation";
    case 38: return "network failure";
    case 50: return "only IPv4 allowed";
    case 51: return "only IPv6 allowed";
    default: return "";
    }
}

} // namespace

std::string describe(const CallEnd& end)
{
    constexpr std::uint16_t verbose_3gpp = 6;
    if (end.verbose_type == verbose_3gpp && end.verbose_reason) {
        auto text = cause_text(*end.verbose_reason);
        return text.empty() ? fmt::format("3GPP cause {}", *end.verbose_reason)
                            : fmt::format("3GPP cause {} ({})", *end.verbose_reason, text);
    }
    if (end.verbose_type && end.verbose_reason)
        return fmt::format("call end reason {} (type {})", *end.verbose_reason, *end.verbose_type);
    if (end.reason)
        return fmt::format("call end reason {}", *end.reason);
    return "no reason given";
}

StartNetworkOutcome parse_wds_start_network(const Message& response)
{
    StartNetworkOutcome outcome;
    auto error = check_response(response);
    if (error == ProtocolError::NoEffect) {
        outcome.handle = global_packet_data_handle;
        return outcome;
    }
    if (error) {
        outcome.error = error;
        outcome.end = read_call_end(response);
        return outcome;
    }
    auto reader = reader_for(response, 0x01);
    if (!reader) {
        outcome.error = make_error_code(Errc::MissingTlv);
        return outcome;
    }
    outcome.handle = reader->u32();
    if (reader->failed())
        outcome.error = make_error_code(Errc::Truncated);
    return outcome;
}

Message wds_stop_network(std::uint8_t client, std::uint32_t handle)
{
    auto message = request(Service::Wds, client, wds::stop_network);
    message.add(0x01, TlvWriter().u32(handle).take());
    return message;
}

Message wds_set_ip_family(std::uint8_t client, IpFamily family)
{
    auto message = request(Service::Wds, client, wds::set_ip_family);
    message.add(0x01, {static_cast<std::uint8_t>(family)});
    return message;
}

Message wds_get_current_settings(std::uint8_t client)
{
    // QmiWdsRequestedSettings bits: 4 DNS, 8 IP address, 9 gateway, 13 MTU, 15 IP family.
    constexpr std::uint32_t mask = (1u << 4) | (1u << 8) | (1u << 9) | (1u << 13) | (1u << 15);
    auto message = request(Service::Wds, client, wds::get_current_settings);
    message.add(0x10, TlvWriter().u32(mask).take());
    return message;
}

namespace {

std::optional<std::uint32_t> ipv4_tlv(const Message& message, std::uint8_t type)
{
    auto reader = reader_for(message, type);
    if (!reader || reader->remaining() != 4)
        return std::nullopt;
    return reader->u32();
}

// IPv6 addresses are eight big-endian u16 groups ("endian": "network").
std::optional<std::array<std::uint8_t, 16>> read_ipv6(TlvReader& reader)
{
    std::array<std::uint8_t, 16> address {};
    for (std::size_t group = 0; group < 8; ++group) {
        auto value = reader.u16_big_endian();
        address[group * 2] = static_cast<std::uint8_t>(value >> 8);
        address[group * 2 + 1] = static_cast<std::uint8_t>(value & 0xff);
    }
    if (reader.failed())
        return std::nullopt;
    return address;
}

std::optional<Ipv6Address> ipv6_with_prefix(const Message& message, std::uint8_t type)
{
    auto reader = reader_for(message, type);
    if (!reader)
        return std::nullopt;
    auto address = read_ipv6(*reader);
    auto prefix = reader->u8();
    if (!address || reader->failed() || prefix > 128)
        return std::nullopt;
    return Ipv6Address {*address, prefix};
}

} // namespace

// 0x15/0x16 IPv4 DNS, 0x1E address, 0x20 gateway, 0x21 subnet mask: u32 whose value is the
// address (10.0.0.1 = 0x0A000001, sent little-endian); 0x25/0x26 IPv6 address and gateway
// {u16be[8], u8 prefix}; 0x27/0x28 IPv6 DNS u16be[8]; 0x29 MTU u32; 0x2B IP family u8.
Result<CurrentSettings> parse_wds_current_settings(const Message& response)
{
    if (auto error = check_response(response))
        return error;
    CurrentSettings settings;
    settings.ipv4_address = ipv4_tlv(response, 0x1e);
    settings.ipv4_gateway = ipv4_tlv(response, 0x20);
    settings.ipv4_subnet_mask = ipv4_tlv(response, 0x21);
    for (std::uint8_t type : {0x15, 0x16})
        if (auto dns = ipv4_tlv(response, type))
            settings.ipv4_dns.push_back(*dns);
    settings.ipv6_address = ipv6_with_prefix(response, 0x25);
    settings.ipv6_gateway = ipv6_with_prefix(response, 0x26);
    for (std::uint8_t type : {0x27, 0x28})
        if (auto reader = reader_for(response, type))
            if (auto dns = read_ipv6(*reader))
                settings.ipv6_dns.push_back(*dns);
    if (auto mtu = ipv4_tlv(response, 0x29))
        settings.mtu = *mtu;
    if (auto family = reader_for(response, 0x2b); family && family->remaining() == 1)
        settings.family = static_cast<IpFamily>(family->u8());
    return settings;
}

std::string_view to_string(ConnectionStatus status)
{
    switch (status) {
    case ConnectionStatus::Unknown: return "unknown";
    case ConnectionStatus::Disconnected: return "disconnected";
    case ConnectionStatus::Connected: return "connected";
    case ConnectionStatus::Suspended: return "suspended";
    case ConnectionStatus::Authenticating: return "authenticating";
    }
    return "unknown";
}

// 0x01 {u8 status, u8 reconfiguration required}, 0x10/0x11 call end reasons, 0x12 IP family.
Result<PacketServiceStatus> parse_wds_packet_service_status(const Message& indication)
{
    auto reader = reader_for(indication, 0x01);
    if (!reader)
        return make_error_code(Errc::MissingTlv);
    PacketServiceStatus status;
    status.status = static_cast<ConnectionStatus>(reader->u8());
    status.reconfiguration_required = reader->u8() != 0;
    if (auto ok = reader->finish(); !ok)
        return ok.error();
    status.end = read_call_end(indication);
    if (auto family = reader_for(indication, 0x12); family && family->remaining() == 1)
        status.family = static_cast<IpFamily>(family->u8());
    return status;
}

} // namespace uplink::qmi
