// CTL, the QMI control service (service 0, one-byte transaction ids): the port's client table,
// version info, data format and sync (modem-protocols.md §2.1, §3.1).
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

namespace uplink::sim {

namespace {

// How many clients of one service a Qualcomm modem takes is not documented; libqmi issue #92
// shows leaked CIDs running out (ClientIdsExhausted), so the emulator has a limit too.
constexpr std::size_t max_clients_per_service = 32;

} // namespace

// Allocate CID (0x0022): TLV 0x01 u8 service -> 0x01 {u8 service, u8 cid}. The lowest free
// CID of the service, 1-based.
qmi::Message Modem::ctl_allocate_cid(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto service = arguments.u8(0x01, Need::Mandatory);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    auto wanted = static_cast<qmi::Service>(*service);
    using qmi::Service;
    if (wanted != Service::Wds && wanted != Service::Dms && wanted != Service::Nas
        && wanted != Service::Uim && wanted != Service::Wda)
        return response_to(request, protocol_error::invalid_service_type);
    std::size_t used = 0;
    std::uint8_t id = 1;
    for (const auto& [key, client] : qmi_clients_) {
        if (key.first != wanted)
            continue;
        ++used;
        if (key.second == id)
            ++id;
    }
    if (used >= max_clients_per_service)
        return response_to(request, qmi::ProtocolError::ClientIdsExhausted);
    QmiClient client;
    client.service = wanted;
    client.id = id;
    qmi_clients_[{wanted, id}] = client;
    auto response = response_to(request);
    response.add(0x01, {*service, id});
    return response;
}

// Release CID (0x0023): TLV 0x01 {u8 service, u8 cid}, echoed back.
qmi::Message Modem::ctl_release_cid(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    const auto* tlv = arguments.find(0x01, Need::Mandatory);
    if (tlv != nullptr && tlv->value.size() < 2)
        arguments.malformed();
    if (!arguments.ok())
        return response_to(request, arguments.error());
    auto service = static_cast<qmi::Service>(tlv->value[0]);
    auto id = tlv->value[1];
    if (service == qmi::Service::Ctl || qmi_client(service, id) == nullptr)
        return response_to(request, qmi::ProtocolError::InvalidClientId);
    release_client(service, id);
    auto response = response_to(request);
    response.add(0x01, {tlv->value[0], id});
    return response;
}

// Get Version Info (0x0021): 0x01 array[u8] {u8 service, u16 major, u16 minor}. Only WDA 1.16
// is from an EG25-G log (modem-protocols.md §8); the rest are plausible MDM9x07 values, high
// enough that libqmi's version checks pass every message emulated here.
qmi::Message Modem::ctl_version_info(const qmi::Message& request, QmiClient&)
{
    struct Version {
        qmi::Service service;
        std::uint16_t major, minor;
    };
    static constexpr Version versions[] {{qmi::Service::Ctl, 1, 5}, {qmi::Service::Wds, 1, 67},
        {qmi::Service::Dms, 1, 14}, {qmi::Service::Nas, 1, 25}, {qmi::Service::Uim, 1, 46},
        {qmi::Service::Wda, 1, 16}};
    qmi::TlvWriter list;
    list.u8(static_cast<std::uint8_t>(std::size(versions)));
    for (const auto& version : versions)
        list.u8(static_cast<std::uint8_t>(version.service)).u16(version.major).u16(version.minor);
    auto response = response_to(request);
    response.add(0x01, list.take());
    return response;
}

// Set Data Format (0x0026): 0x10 u16 link protocol (1 802.3, 2 raw-ip) -> 0x10 (mandatory in
// the response) with what the modem uses: raw-ip, like the EC25 firmware that accepts only
// raw-ip (modem-protocols.md §2.5).
qmi::Message Modem::ctl_data_format(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto protocol = arguments.u16(0x10);
    arguments.u8(0x01); // QoS header: absent or present, both accepted
    if (!arguments.ok())
        return response_to(request, arguments.error());
    if (protocol && *protocol != 1 && *protocol != 2)
        return response_to(request, qmi::ProtocolError::InvalidArgument);
    auto response = response_to(request);
    response.add(0x10, u16_value(2));
    return response;
}

// Sync (0x0027): libqmi QMI_DEVICE_OPEN_FLAGS_SYNC "will release any previously allocated
// client ID" (qmi-device.h).
qmi::Message Modem::ctl_sync(const qmi::Message& request, QmiClient&)
{
    while (!qmi_clients_.empty()) {
        auto key = qmi_clients_.begin()->first;
        release_client(key.first, key.second);
    }
    return response_to(request);
}

} // namespace uplink::sim
