// WDA, wireless data administration (service 0x1A): the data format of the network port
// (modem-protocols.md §2.5).
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

namespace uplink::sim {

// Get (0x0021) and Set (0x0020) Data Format. Set takes 0x11 link layer protocol (1 802.3, 2
// raw-ip), 0x12/0x13 UL/DL aggregation; both answer with what the modem uses: raw-ip without
// aggregation. Newer EC25 firmware accepts only raw-ip, and clients read the answer's 0x11
// (quectel-CM flips to raw-ip on it, uqmi sets qmi/raw_ip). QMAP is not emulated.
qmi::Message Modem::wda_data_format(const qmi::Message& request, QmiClient&)
{
    Arguments arguments(request);
    auto link = arguments.u32(0x11);
    arguments.u32(0x12);
    arguments.u32(0x13);
    if (!arguments.ok())
        return response_to(request, arguments.error());
    if (request.id == qmi::wda::set_data_format && link && *link != 1 && *link != 2)
        return response_to(request, qmi::ProtocolError::InvalidArgument);
    auto response = response_to(request);
    response.add(0x11, u32_value(2));
    response.add(0x12, u32_value(0));
    response.add(0x13, u32_value(0));
    return response;
}

} // namespace uplink::sim
