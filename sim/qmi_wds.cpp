// WDS, wireless data service (service 1): start and stop a data call, its status and settings,
// the IP family (modem-protocols.md §2.6, §3.2-3.4; libqmi data/qmi-service-wds.json; the
// request and response bytes qmicli uses are in qmicli-spec.md §3-4).
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

#include <algorithm>

namespace uplink::sim {

namespace {

constexpr auto invalid_ip_family = static_cast<qmi::ProtocolError>(64); // qmi-errors.h

// QmiWdsIpFamily: 4, 6, or 8 "unspecified", which the modem takes as IPv4.
std::optional<IpFamily> ip_family(std::uint8_t value)
{
    if (value == 4 || value == 8)
        return IpFamily::V4;
    if (value == 6)
        return IpFamily::V6;
    return std::nullopt;
}

std::vector<std::uint8_t> ipv6_value(const Ipv6Address& address)
{
    qmi::TlvWriter writer;
    for (auto group : address)
        writer.u16_big_endian(group); // "endian": "network"
    return writer.take();
}

std::vector<std::uint8_t> ipv6_with_prefix(const Ipv6Address& address, std::uint8_t length)
{
    auto value = ipv6_value(address);
    value.push_back(length);
    return value;
}

void add_call_end(qmi::Message& response, const CallEnd& why)
{
    response.add(0x10, u16_value(why.reason));
    if (why.verbose_type != 0)
        response.add(0x11, qmi::TlvWriter().u16(why.verbose_type).i16(why.verbose_reason).take());
}

} // namespace

// The call a client sees: its own, or one of its IP family that another client (or AT+CGACT)
// holds; the modem keeps a connection up while anyone holds it (modem-protocols.md §3.2).
const Bearer* Modem::client_bearer(const QmiClient& client) const
{
    auto own = std::find_if(bearers_.begin(), bearers_.end(),
        [&](const Bearer& bearer) { return bearer.owner == client.id; });
    if (own != bearers_.end())
        return &*own;
    auto shared = std::find_if(bearers_.begin(), bearers_.end(),
        [&](const Bearer& bearer) { return bearer.family == client.family; });
    return shared == bearers_.end() ? nullptr : &*shared;
}

// Start Network (0x0020): 0x14 APN, 0x16 auth, 0x17 user, 0x18 password, 0x19 IP family,
// 0x31 3GPP profile (the AT+CGDCONT cid, default 1) -> 0x01 u32 packet data handle. NoEffect
// when the client, or a call on the same APN and family, is already connected; CallFailed with
// 0x10 call end reason and 0x11 verbose reason when the network refuses.
qmi::Message Modem::wds_start_network(const qmi::Message& request, QmiClient& client)
{
    Arguments arguments(request);
    auto apn = arguments.text(0x14);
    auto authentication = arguments.u8(0x16);
    auto username = arguments.text(0x17);
    auto family = arguments.u8(0x19);
    auto profile = arguments.u8(0x31);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    BearerRequest wanted;
    wanted.owner = client.id;
    wanted.family = client.family;
    if (family) {
        auto chosen = ip_family(*family);
        if (!chosen)
            return response_to(request, invalid_ip_family);
        wanted.family = *chosen;
    }
    wanted.cid = profile.value_or(1);
    const auto& contexts = surroundings_.nv.contexts;
    if (std::none_of(contexts.begin(), contexts.end(),
            [&](const auto& context) { return context.cid == wanted.cid; }))
        return response_to(request, qmi::ProtocolError::InvalidProfile);
    wanted.apn = apn.value_or("");
    wanted.username = username.value_or("");
    wanted.authentication = authentication.value_or(0);
    auto own = std::any_of(bearers_.begin(), bearers_.end(),
        [&](const Bearer& bearer) { return bearer.owner == client.id; });
    if (own)
        return response_to(request, qmi::ProtocolError::NoEffect);
    if (auto refusal = bearer_refusal(wanted)) {
        auto response = response_to(request, qmi::ProtocolError::CallFailed);
        add_call_end(response, *refusal);
        return response;
    }
    if (std::any_of(bearers_.begin(), bearers_.end(), [&](const Bearer& bearer) {
            return bearer.family == wanted.family && equals_ignoring_case(bearer.apn, wanted.apn);
        }))
        return response_to(request, qmi::ProtocolError::NoEffect);
    const auto& bearer = open_bearer(std::move(wanted));
    auto response = response_to(request);
    response.add(0x01, u32_value(bearer.handle));
    return response;
}

// Stop Network (0x0021): 0x01 u32 handle (0xFFFFFFFF: every call of the client's IP family,
// libqmi's global handle), 0x10 disable autoconnect (nothing to disable here). InvalidHandle
// for a handle the client does not hold, NoEffect when the global handle finds no call.
qmi::Message Modem::wds_stop_network(const qmi::Message& request, QmiClient& client)
{
    Arguments arguments(request);
    auto handle = arguments.u32(0x01, Need::Mandatory);
    arguments.u8(0x10);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    const CallEnd why {call_end::client_end, call_end::type_cm, call_end::cm_client_end};
    if (*handle == qmi::global_packet_data_handle) {
        bool any = false;
        for (std::size_t index = bearers_.size(); index-- > 0;) {
            if (bearers_[index].family == client.family) {
                end_bearer(index, why, Notify::Owner);
                any = true;
            }
        }
        return response_to(request, any ? qmi::ProtocolError::None : qmi::ProtocolError::NoEffect);
    }
    auto found = std::find_if(bearers_.begin(), bearers_.end(), [&](const Bearer& bearer) {
        return bearer.handle == *handle && bearer.owner == client.id;
    });
    if (found == bearers_.end())
        return response_to(request, qmi::ProtocolError::InvalidHandle);
    end_bearer(static_cast<std::size_t>(found - bearers_.begin()), why, Notify::Owner);
    return response_to(request);
}

// Get Packet Service Status (0x0022): 0x01 u8 (1 disconnected, 2 connected).
qmi::Message Modem::wds_packet_service_status(const qmi::Message& request, QmiClient& client)
{
    auto response = response_to(request);
    response.add(0x01, u8_value(client_bearer(client) != nullptr ? 2 : 1));
    return response;
}

// Get Current Settings (0x002D): 0x10 u32 requested-settings mask (mandatory); the TLVs of the
// bits asked for (QmiWdsRequestedSettings): 0 profile id 0x1F, 2 PDP type 0x11, 3 APN 0x14,
// 4 DNS 0x15/0x16 (IPv6 0x27/0x28), 6 username 0x1B, 7 auth 0x1D, 8 address 0x1E (IPv6 0x25),
// 9 gateway 0x20 (IPv6 0x26) with mask 0x21, 13 MTU 0x29, 15 IP family 0x2B. OutOfCall without
// a call.
qmi::Message Modem::wds_current_settings(const qmi::Message& request, QmiClient& client)
{
    Arguments arguments(request);
    auto mask = arguments.u32(0x10, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    const auto* bearer = client_bearer(client);
    if (bearer == nullptr)
        return response_to(request, qmi::ProtocolError::OutOfCall);
    auto asked = [&](int bit) { return (*mask >> bit) & 1; };
    const auto& addresses = bearer->addresses;
    bool v6 = bearer->family == IpFamily::V6;
    auto response = response_to(request);
    if (asked(0))
        response.add(0x1f, {0, static_cast<std::uint8_t>(bearer->cid)});
    if (asked(2))
        response.add(0x11, u8_value(v6 ? 2 : 0)); // QmiWdsPdpType: 0 IPv4, 2 IPv6
    if (asked(3))
        response.add(0x14, text_value(bearer->apn));
    if (asked(4) && !v6) {
        response.add(0x15, u32_value(addresses.ipv4_dns[0]));
        response.add(0x16, u32_value(addresses.ipv4_dns[1]));
    }
    if (asked(4) && v6) {
        response.add(0x27, ipv6_value(addresses.ipv6_dns[0]));
        response.add(0x28, ipv6_value(addresses.ipv6_dns[1]));
    }
    if (asked(6) && !bearer->username.empty())
        response.add(0x1b, text_value(bearer->username));
    if (asked(7))
        response.add(0x1d, u8_value(bearer->authentication));
    if (asked(8))
        response.add(v6 ? 0x25 : 0x1e,
            v6 ? ipv6_with_prefix(addresses.ipv6, addresses.ipv6_prefix_length)
               : u32_value(addresses.ipv4));
    if (asked(9))
        response.add(v6 ? 0x26 : 0x20,
            v6 ? ipv6_with_prefix(addresses.ipv6_gateway, addresses.ipv6_prefix_length)
               : u32_value(addresses.ipv4_gateway));
    if ((asked(8) || asked(9)) && !v6)
        response.add(0x21, u32_value(addresses.ipv4_netmask));
    if (asked(13))
        response.add(0x29, u32_value(addresses.mtu));
    if (asked(15))
        response.add(0x2b, u8_value(static_cast<std::uint8_t>(bearer->family)));
    return response;
}

// Set IP Family (0x004D): 0x01 u8 4 or 6 (8 unspecified: IPv4), for this client.
qmi::Message Modem::wds_set_ip_family(const qmi::Message& request, QmiClient& client)
{
    Arguments arguments(request);
    auto value = arguments.u8(0x01, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    auto family = ip_family(*value);
    if (!family)
        return response_to(request, invalid_ip_family);
    client.family = *family;
    return response_to(request);
}

} // namespace uplink::sim
