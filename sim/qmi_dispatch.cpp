// The QMI face's entry point: one request in, its response out after the modem's latency. The
// request goes to the handler of its (service, message id) in qmi_ctl.cpp ... qmi_wds.cpp.
// Message ids and TLVs: modem-protocols.md §2 (libqmi data/qmi-service-*.json).
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace uplink::sim {

namespace {

} // namespace

std::optional<QmiAnswer> Modem::qmi_request(const qmi::Message& request, Clock::time_point now)
{
    now_ = std::max(now_, now);
    if (!booted_ || request.type != qmi::MessageType::Request)
        return std::nullopt;
    // As with AT: the request takes effect when its response goes out.
    auto current = now_;
    now_ = now + latency();
    auto response = qmi_execute(request);
    now_ = current;
    // Indications it caused follow the response.
    queue_emitted(now + latency() + Duration(1));
    return QmiAnswer {std::move(response), latency()};
}

// The messages the emulated EC25 answers; anything else gets InvalidQmiCommand.
const Modem::QmiRoute* Modem::qmi_route(qmi::Service service, std::uint16_t id)
{
    using qmi::Service;
    static const QmiRoute routes[] {
        {Service::Ctl, qmi::ctl::allocate_cid, "CTL Allocate CID", &Modem::ctl_allocate_cid},
        {Service::Ctl, qmi::ctl::release_cid, "CTL Release CID", &Modem::ctl_release_cid},
        {Service::Ctl, qmi::ctl::get_version_info, "CTL Get Version Info",
            &Modem::ctl_version_info},
        {Service::Ctl, qmi::ctl::set_data_format, "CTL Set Data Format", &Modem::ctl_data_format},
        {Service::Ctl, qmi::ctl::sync, "CTL Sync", &Modem::ctl_sync},
        {Service::Dms, qmi::dms::set_event_report, "DMS Set Event Report", &Modem::qmi_accept},
        {Service::Dms, qmi::dms::get_manufacturer, "DMS Get Manufacturer",
            &Modem::dms_manufacturer},
        {Service::Dms, qmi::dms::get_model, "DMS Get Model", &Modem::dms_model},
        {Service::Dms, qmi::dms::get_revision, "DMS Get Revision", &Modem::dms_revision},
        {Service::Dms, qmi::dms::get_ids, "DMS Get IDs", &Modem::dms_ids},
        {Service::Dms, qmi::dms::get_operating_mode, "DMS Get Operating Mode",
            &Modem::dms_operating_mode},
        {Service::Dms, qmi::dms::set_operating_mode, "DMS Set Operating Mode",
            &Modem::dms_set_operating_mode},
        {Service::Dms, qmi::dms::uim_get_pin_status, "DMS UIM Get PIN Status",
            &Modem::dms_pin_status},
        {Service::Dms, qmi::dms::uim_verify_pin, "DMS UIM Verify PIN", &Modem::dms_verify_pin},
        {Service::Dms, qmi::dms::uim_get_iccid, "DMS UIM Get ICCID", &Modem::dms_iccid},
        {Service::Dms, qmi::dms::uim_get_imsi, "DMS UIM Get IMSI", &Modem::dms_imsi},
        {Service::Uim, qmi::uim::get_card_status, "UIM Get Card Status", &Modem::uim_card_status},
        {Service::Uim, qmi::uim::verify_pin, "UIM Verify PIN", &Modem::uim_verify_pin},
        {Service::Uim, qmi::uim::read_transparent, "UIM Read Transparent",
            &Modem::uim_read_transparent},
        {Service::Uim, qmi::uim::register_events, "UIM Register Events",
            &Modem::uim_register_events},
        {Service::Nas, qmi::nas::register_indications, "NAS Register Indications",
            &Modem::nas_register_indications},
        {Service::Nas, qmi::nas::get_serving_system, "NAS Get Serving System",
            &Modem::nas_serving_system},
        {Service::Nas, qmi::nas::get_system_info, "NAS Get System Info", &Modem::nas_system_info},
        {Service::Nas, qmi::nas::get_signal_info, "NAS Get Signal Info", &Modem::nas_signal_info},
        {Service::Nas, qmi::nas::get_operator_name, "NAS Get Operator Name",
            &Modem::nas_operator_name},
        {Service::Nas, qmi::nas::initiate_network_register, "NAS Initiate Network Register",
            &Modem::nas_network_register},
        {Service::Nas, qmi::nas::set_system_selection_preference,
            "NAS Set System Selection Preference", &Modem::nas_set_system_selection},
        {Service::Nas, qmi::nas::get_system_selection_preference,
            "NAS Get System Selection Preference", &Modem::nas_get_system_selection},
        {Service::Wda, qmi::wda::get_data_format, "WDA Get Data Format", &Modem::wda_data_format},
        {Service::Wda, qmi::wda::set_data_format, "WDA Set Data Format", &Modem::wda_data_format},
        {Service::Wds, qmi::wds::set_event_report, "WDS Set Event Report", &Modem::qmi_accept},
        {Service::Wds, qmi::wds::indication_register, "WDS Indication Register",
            &Modem::qmi_accept},
        {Service::Wds, qmi::wds::start_network, "WDS Start Network", &Modem::wds_start_network},
        {Service::Wds, qmi::wds::stop_network, "WDS Stop Network", &Modem::wds_stop_network},
        {Service::Wds, qmi::wds::get_packet_service_status, "WDS Get Packet Service Status",
            &Modem::wds_packet_service_status},
        {Service::Wds, qmi::wds::get_current_settings, "WDS Get Current Settings",
            &Modem::wds_current_settings},
        {Service::Wds, qmi::wds::set_ip_family, "WDS Set IP Family", &Modem::wds_set_ip_family},
        {Service::Wds, qmi::wds::get_profile_list, "WDS Get Profile List",
            &Modem::wds_profile_list},
        {Service::Wds, qmi::wds::get_profile_settings, "WDS Get Profile Settings",
            &Modem::wds_profile_settings},
        {Service::Wds, qmi::wds::modify_profile, "WDS Modify Profile", &Modem::wds_modify_profile},
        {Service::Wds, qmi::wds::get_default_profile_number, "WDS Get Default Profile Number",
            &Modem::wds_default_profile},
        {Service::Wds, qmi::wds::set_autoconnect_settings, "WDS Set Autoconnect Settings",
            &Modem::qmi_accept},
    };
    const auto* found = std::find_if(std::begin(routes), std::end(routes),
        [&](const QmiRoute& entry) { return entry.service == service && entry.id == id; });
    return found == std::end(routes) ? nullptr : found;
}

qmi::Message Modem::qmi_execute(const qmi::Message& request)
{
    const auto* route = qmi_route(request.service, request.id);
    bool known = route != nullptr;
    auto& counters = surroundings_.counters;
    ++counters.qmi_requests;
    ++counters.qmi_requests_by_name[known ? std::string(route->name)
                                          : fmt::format("service 0x{:02x} 0x{:04x}",
                                              static_cast<int>(request.service), request.id)];

    auto* client = request.service == qmi::Service::Ctl
        ? &ctl_endpoint_
        : qmi_client(request.service, request.client);
    if (client == nullptr)
        return response_to(request, qmi::ProtocolError::InvalidClientId);
    if (!known) // libqmi QMI_PROTOCOL_ERROR_INVALID_QMI_COMMAND, what uqmi's qmi.sh greps for
        return response_to(request, qmi::ProtocolError::InvalidQmiCommand);
    return (this->*(route->handler))(request, *client);
}

qmi::Message Modem::qmi_accept(const qmi::Message& request, QmiClient&)
{
    return response_to(request);
}

QmiClient* Modem::qmi_client(qmi::Service service, std::uint8_t id)
{
    auto found = qmi_clients_.find({service, id});
    return found == qmi_clients_.end() ? nullptr : &found->second;
}

// A modem ends the calls of a WDS client that is released (CTL Release CID, CTL Sync): nobody
// is left to be told.
void Modem::release_client(qmi::Service service, std::uint8_t id)
{
    for (std::size_t index = bearers_.size(); index-- > 0;)
        if (service == qmi::Service::Wds && bearers_[index].owner == id)
            end_bearer(index, CallEnd {call_end::client_end, 0, 0}, Notify::Nobody);
    qmi_clients_.erase({service, id});
}

// A reboot: the client table and the calls are gone with the modem's memory.
void Modem::reset_qmi()
{
    qmi_clients_.clear();
    bearers_.clear();
}

} // namespace uplink::sim
