// WDS profiles: the 3GPP profiles are the PDP contexts of AT+CGDCONT (NVRAM), so a profile
// changed over QMI shows in AT+CGDCONT? and the other way round (modem-protocols.md §2.6).
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

#include <algorithm>

namespace uplink::sim {

namespace {

constexpr std::uint8_t profile_3gpp = 0; // QmiWdsProfileType

// QmiWdsPdpType: 0 IPv4, 1 PPP, 2 IPv6, 3 IPv4v6; AT+CGDCONT <PDP_type> strings.
constexpr std::pair<std::uint8_t, std::string_view> pdp_types[] {
    {0, "IP"}, {1, "PPP"}, {2, "IPV6"}, {3, "IPV4V6"}};

std::optional<std::uint8_t> pdp_type_value(std::string_view text)
{
    for (const auto& [value, name] : pdp_types)
        if (name == text)
            return value;
    return std::nullopt;
}

std::optional<std::string_view> pdp_type_name(std::uint8_t value)
{
    for (const auto& [number, name] : pdp_types)
        if (number == value)
            return name;
    return std::nullopt;
}

} // namespace

// Get Profile List (0x002A): 0x10 u8 profile type -> 0x01 array[u8] {u8 type, u8 index,
// string[u8] name}. EC25 profiles carry no names.
qmi::Message Modem::wds_profile_list(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto type = arguments.u8(0x10);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    qmi::TlvWriter list;
    if (type.value_or(profile_3gpp) != profile_3gpp) {
        list.u8(0); // no 3GPP2 profiles
    } else {
        const auto& contexts = surroundings_.nv.contexts;
        list.u8(static_cast<std::uint8_t>(contexts.size()));
        for (const auto& context : contexts)
            list.u8(profile_3gpp).u8(static_cast<std::uint8_t>(context.cid)).string_u8("");
    }
    auto response = response_to(request);
    response.add(0x01, list.take());
    return response;
}

// Get Profile Settings (0x002B): 0x01 {u8 type, u8 index} -> 0x10 name, 0x11 PDP type, 0x14
// APN, 0x1D auth (none: AT+CGDCONT keeps no credentials).
qmi::Message Modem::wds_profile_settings(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto identifier = arguments.u16(0x01, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    if ((*identifier & 0xff) != profile_3gpp)
        return response_to(request, protocol_error::invalid_profile_type);
    int cid = *identifier >> 8;
    const auto& contexts = surroundings_.nv.contexts;
    auto context = std::find_if(
        contexts.begin(), contexts.end(), [&](const auto& entry) { return entry.cid == cid; });
    if (context == contexts.end())
        return response_to(request, qmi::ProtocolError::InvalidProfile);
    auto response = response_to(request);
    response.add(0x10, {});
    if (auto type = pdp_type_value(context->pdp_type))
        response.add(0x11, u8_value(*type));
    response.add(0x14, text_value(context->apn));
    response.add(0x1d, u8_value(0));
    return response;
}

// Modify Profile (0x0028): 0x01 {u8 type, u8 index}, 0x11 PDP type, 0x14 APN (what uqmi's
// qmi.sh sends before connecting). Other settings are accepted and not kept.
qmi::Message Modem::wds_modify_profile(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto identifier = arguments.u16(0x01, Need::Mandatory);
    auto type = arguments.u8(0x11);
    auto apn = arguments.text(0x14);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    if ((*identifier & 0xff) != profile_3gpp)
        return response_to(request, protocol_error::invalid_profile_type);
    int cid = *identifier >> 8;
    auto& contexts = surroundings_.nv.contexts;
    auto context = std::find_if(
        contexts.begin(), contexts.end(), [&](const auto& entry) { return entry.cid == cid; });
    if (context == contexts.end())
        return response_to(request, qmi::ProtocolError::InvalidProfile);
    std::optional<std::string_view> pdp_type;
    if (type && !(pdp_type = pdp_type_name(*type)))
        return response_to(request, qmi::ProtocolError::InvalidPdpType);
    if (pdp_type)
        context->pdp_type = std::string(*pdp_type);
    if (apn)
        context->apn = *apn;
    return response_to(request);
}

// Get Default Profile Number (0x0049): 0x01 {u8 type, u8 family} -> 0x01 u8 index: profile 1,
// the one Start Network uses without 0x31.
qmi::Message Modem::wds_default_profile(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto identifier = arguments.u16(0x01, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    if ((*identifier & 0xff) != profile_3gpp)
        return response_to(request, protocol_error::invalid_profile_type);
    auto response = response_to(request);
    response.add(0x01, u8_value(1));
    return response;
}

} // namespace uplink::sim
