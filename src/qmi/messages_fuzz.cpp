// libFuzzer: any TLV bytes through every typed parser, as response and as indication.
// The first input byte picks the TLV type the rest is filed under, so the mandatory TLVs
// (0x01, 0x10, 0x14…) are reached.
#include "qmi/qmi.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace uplink::qmi;
    if (size < 2)
        return 0;
    for (auto type : {MessageType::Response, MessageType::Indication}) {
        Message message {Service::Wds, 1, type, 1, 0, {}};
        message.add(0x02, result_value(data[1] & 1 ? ProtocolError::CallFailed : ProtocolError::None));
        message.add(data[0], std::vector<std::uint8_t>(data + 2, data + size));
        message.add(0x11, std::vector<std::uint8_t>(data + 2, data + size));
        (void)parse_dms_get_ids(message);
        (void)parse_string_response(message);
        (void)parse_dms_get_operating_mode(message);
        (void)parse_uim_card_status(message);
        (void)parse_uim_verify_pin_retries(message);
        (void)parse_nas_serving_system(message);
        (void)parse_nas_signal_info(message);
        (void)parse_nas_operator_name(message);
        (void)parse_wda_data_format(message);
        auto outcome = parse_wds_start_network(message);
        (void)describe(outcome.end);
        (void)parse_wds_current_settings(message);
        (void)parse_wds_packet_service_status(message);
        (void)parse_ctl_version_info(message);
        (void)parse_nas_system_info(message);
        (void)parse_wds_profile_list(message);
        (void)parse_wds_profile_settings(message);
    }
    // The PLMN name decoder alone: encoding and spare bits from the first bytes.
    (void)decode_plmn_name(
        data[0] & 3, data[1] & 7, std::span<const std::uint8_t>(data + 2, size - 2));
    return 0;
}
