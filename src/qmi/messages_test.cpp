// Typed messages against whole frames. Responses are the frames qmicli 1.32.2 decoded and
// printed with the values named in each test (recorded against a pty responder); requests
// are compared with the bytes qmicli itself sends for the same action.
#include "qmi/qmi.hpp"

#include <gtest/gtest.h>

namespace uplink::qmi {
namespace {

std::vector<std::uint8_t> hex(std::string_view text)
{
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < text.size();) {
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
        i += 2;
    }
    return out;
}

Message frame(std::string_view text)
{
    auto message = decode(hex(text));
    EXPECT_TRUE(message) << text;
    return message ? *message : Message {};
}

std::vector<std::uint8_t> tlv_bytes(const Message& message, std::uint8_t type)
{
    const auto* tlv = message.find(type);
    return tlv ? tlv->value : std::vector<std::uint8_t> {};
}

TEST(QmiMessages, CardStatusReadyUsimPinVerified)
{
    // qmicli: "Primary GW: slot '1', application '1'", application ready, PIN1 enabled-verified,
    // 3 PIN and 10 PUK retries.
    auto response = frame("01 43 00 80 0b 01 02 01 00 2f 00 37 00 02 04 00 00 00 00 00 10 2d 00 00 00 ff ff ff ff "
                          "ff ff 01 01 00 00 00 00 01 02 07 00 00 00 00 10 a0 00 00 00 87 10 02 ff 49 ff 05 89 00 "
                          "00 01 ff 00 02 03 0a 02 03 0a");
    auto status = parse_uim_card_status(response);
    ASSERT_TRUE(status) << status.error().message();
    EXPECT_EQ(status->card, CardState::Present);
    EXPECT_EQ(status->application, ApplicationState::Ready);
    EXPECT_EQ(status->pin1, PinState::EnabledVerified);
    EXPECT_EQ(status->pin1_retries, 3);
    EXPECT_EQ(status->puk1_retries, 10);
}

TEST(QmiMessages, CardStatusWithoutAnApplicationOrTruncated)
{
    Message response {Service::Uim, 1, MessageType::Response, 1, uim::get_card_status, {}};
    response.add(0x02, result_value());
    // No GW session (0xFFFF), one absent card without applications.
    response.add(0x10, hex("ff ff ff ff ff ff ff ff 01 00 00 00 00 00 00"));
    auto absent = parse_uim_card_status(response);
    ASSERT_TRUE(absent);
    EXPECT_EQ(absent->card, CardState::Absent);
    EXPECT_FALSE(absent->application);
    response.tlvs[1].value.resize(12);
    EXPECT_EQ(parse_uim_card_status(response).error(), Errc::Truncated);
    response.tlvs.pop_back();
    EXPECT_EQ(parse_uim_card_status(response).error(), Errc::MissingTlv);
}

TEST(QmiMessages, SignalInfoLte)
{
    // qmicli: RSSI '-65 dBm', RSRQ '-9 dB', RSRP '-95 dBm', SNR '12.3 dB'.
    auto info = parse_nas_signal_info(frame("01 1c 00 80 03 01 02 01 00 4f 00 10 00 02 04 00 00 00 00 00 14 06 00 bf "
                                            "f7 a1 ff 7b 00"));
    ASSERT_TRUE(info);
    ASSERT_TRUE(info->lte);
    EXPECT_EQ(info->lte->rssi_dbm, -65);
    EXPECT_EQ(info->lte->rsrq_db, -9);
    EXPECT_EQ(info->lte->rsrp_dbm, -95);
    EXPECT_DOUBLE_EQ(info->lte->snr_db, 12.3);
    EXPECT_FALSE(info->nr);
}

TEST(QmiMessages, SignalInfoSkipsATlvOfTheWrongSize)
{
    Message indication {Service::Nas, 1, MessageType::Indication, 0, nas::signal_info_indication, {}};
    indication.add(0x14, hex("bf f7 a1 ff 7b")); // 5 bytes: libqmi drops it silently too
    indication.add(0x17, hex("9c ff 00 80"));    // 5G: RSRP -100, SNR not available
    auto info = parse_nas_signal_info(indication);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->lte);
    ASSERT_TRUE(info->nr);
    EXPECT_EQ(info->nr->rsrp_dbm, -100);
    EXPECT_FALSE(info->nr->snr_db);
}

TEST(QmiMessages, ServingSystemResponseRegisteredOnLte)
{
    // qmicli: registered, CS and PS attached, LTE, roaming off, MCC 262 MNC 1 "Telekom.de".
    auto serving = parse_nas_serving_system(frame(
        "01 48 00 80 03 01 02 01 00 24 00 3c 00 02 04 00 00 00 00 00 01 06 00 01 01 01 02 01 08 10 01 00 01 11 02 00 "
        "01 0b 12 0f 00 06 01 01 00 0a 54 65 6c 65 6b 6f 6d 2e 64 65 1c 02 00 34 12 1d 04 00 3c 2b 1a 00 24 02 00 67 "
        "2b"));
    ASSERT_TRUE(serving) << serving.error().message();
    EXPECT_EQ(serving->registration, NasRegistration::Registered);
    EXPECT_EQ(serving->ps_attach, AttachState::Attached);
    EXPECT_EQ(serving->radio_interfaces, std::vector<RadioInterface> {RadioInterface::Lte});
    EXPECT_EQ(serving->roaming, false);
    ASSERT_TRUE(serving->plmn);
    EXPECT_EQ(serving->plmn->mcc, 262);
    EXPECT_EQ(serving->plmn->mnc, 1);
    EXPECT_EQ(serving->plmn->description, "Telekom.de");
    EXPECT_EQ(serving->lac, 0x1234);
    EXPECT_EQ(serving->cell_id, 0x1a2b3cu);
    EXPECT_EQ(serving->tac, 0x2b67);
}

TEST(QmiMessages, ServingSystemIndicationUsesItsOwnTlvIds)
{
    Message indication {Service::Nas, 1, MessageType::Indication, 0, nas::serving_system_indication, {}};
    indication.add(0x01, hex("02 00 02 02 00"));   // searching, PS detached, no radio
    indication.add(0x1d, hex("34 12"));            // LAC in the indication
    indication.add(0x1e, hex("3c 2b 1a 00"));      // cell id in the indication
    indication.add(0x25, hex("67 2b"));            // TAC in the indication
    auto serving = parse_nas_serving_system(indication);
    ASSERT_TRUE(serving);
    EXPECT_EQ(serving->registration, NasRegistration::Searching);
    EXPECT_EQ(serving->ps_attach, AttachState::Detached);
    EXPECT_TRUE(serving->radio_interfaces.empty());
    EXPECT_EQ(serving->lac, 0x1234);
    EXPECT_EQ(serving->cell_id, 0x1a2b3cu);
    EXPECT_EQ(serving->tac, 0x2b67);
}

// NAS Get Operator Name 0x0039. No capture of this message was at hand: the TLVs follow
// libqmi's qmi-service-nas.json and the names were packed by 3GPP TS 23.038 §6.1.2.1.1's rule.
Message operator_name_response()
{
    Message response {Service::Nas, 1, MessageType::Response, 1, nas::get_operator_name, {}};
    response.add(0x02, hex("00 00 00 00"));
    return response;
}

TEST(QmiMessages, OperatorNameInGsm7PackedAndUcs2)
{
    auto response = operator_name_response();
    response.add(0x10, hex("01 08 63 6f 6e 67 73 74 61 72")); // condition 1, SPN "congstar"
    response.add(0x12,
        hex("02"
            // GSM-7 packed: long "T-Mobile" (8 septets, no spare bits), short "TMO" (3 spare)
            "00 00 00 03 07 d4 56 f3 2d 4e b3 cb 03 d4 e6 13"
            // UCS-2 little-endian: long "Vodafone", short 中国 (China)
            "01 00 00 00 10 56 00 6f 00 64 00 61 00 66 00 6f 00 6e 00 65 00 04 2d 4e fd 56"));
    response.add(0x13, hex("54 65 6c 65 6b 6f 6d 2e 64 65")); // "Telekom.de"
    // NITZ, GSM-7 packed: "O2 - UK" (7 spare bits: the last octet is one bit of text),
    // short "Telekom.de" (2 spare bits).
    response.add(0x14, hex("00 00 07 02 07 4f 19 a8 05 aa 2e 01 09 d4 32 bb bc 7e b7 5d e4 32"));
    auto name = parse_nas_operator_name(response);
    ASSERT_TRUE(name) << name.error().message();
    EXPECT_EQ(name->service_provider, "congstar");
    ASSERT_EQ(name->plmn_names.size(), 2u);
    EXPECT_EQ(name->plmn_names[0].long_name, "T-Mobile");
    EXPECT_EQ(name->plmn_names[0].short_name, "TMO");
    EXPECT_EQ(name->plmn_names[1].long_name, "Vodafone");
    EXPECT_EQ(name->plmn_names[1].short_name, "中国");
    EXPECT_EQ(name->operator_string, "Telekom.de");
    ASSERT_TRUE(name->nitz);
    EXPECT_EQ(name->nitz->long_name, "O2 - UK");
    EXPECT_EQ(name->nitz->short_name, "Telekom.de");
}

TEST(QmiMessages, PlmnNameSpareBits)
{
    // "O2 - UK" is 49 bits in 7 octets: with the spare bits unknown (0), the 7 padding bits
    // would read as an eighth septet, "@"; they are dropped.
    const std::uint8_t o2[] = {0x4f, 0x19, 0xa8, 0x05, 0xaa, 0x2e, 0x01};
    EXPECT_EQ(decode_plmn_name(0, 7, o2), "O2 - UK");
    EXPECT_EQ(decode_plmn_name(0, 0, o2), "O2 - UK");
    // A real "@" at the end is kept when the spare bits say there is no padding.
    const std::uint8_t at_sign[] = {0x41, 0x00}; // "A@": 14 bits, 2 spare
    EXPECT_EQ(decode_plmn_name(0, 2, at_sign), "A@");
    EXPECT_EQ(decode_plmn_name(0, 0, {}), "");
    EXPECT_EQ(decode_plmn_name(7, 0, o2), std::nullopt); // an encoding past libqmi's two
}

TEST(QmiMessages, OperatorNameWithoutOptionalTlvsOrBroken)
{
    auto bare = parse_nas_operator_name(operator_name_response());
    ASSERT_TRUE(bare) << bare.error().message();
    EXPECT_FALSE(bare->service_provider);
    EXPECT_TRUE(bare->plmn_names.empty());
    EXPECT_FALSE(bare->operator_string);
    EXPECT_FALSE(bare->nitz);

    auto broken = operator_name_response();
    broken.add(0x10, hex("00 09 41")); // SPN shorter than its length
    broken.add(0x12,
        hex("03 00 00 00 00 01 41 00" // "A", empty short name
            "05 00 00 00 01 41 00" // unknown encoding 5: left out
            "01 00 00 00 04 41")); // cut short: left out
    broken.add(0x14, hex("01 00 00")); // NITZ cut short
    auto name = parse_nas_operator_name(broken);
    ASSERT_TRUE(name) << name.error().message();
    EXPECT_FALSE(name->service_provider);
    ASSERT_EQ(name->plmn_names.size(), 1u);
    EXPECT_EQ(name->plmn_names[0].long_name, "A");
    EXPECT_FALSE(name->nitz);

    auto failed = operator_name_response();
    failed.tlvs.clear();
    failed.add(0x02, hex("01 00 03 00")); // QMI_ERR_INTERNAL
    EXPECT_FALSE(parse_nas_operator_name(failed));
    EXPECT_EQ(nas_get_operator_name(1).id, nas::get_operator_name);
}

// Replies that carry only their mandatory TLVs decode, with every optional value absent.
TEST(QmiMessages, NasRepliesWithoutOptionalTlvs)
{
    Message serving {Service::Nas, 1, MessageType::Response, 1, nas::get_serving_system, {}};
    serving.add(0x02, hex("00 00 00 00"));
    serving.add(0x01, hex("01 01 01 02 01 08"));
    auto system = parse_nas_serving_system(serving);
    ASSERT_TRUE(system) << system.error().message();
    EXPECT_FALSE(system->roaming);
    EXPECT_FALSE(system->plmn);
    EXPECT_FALSE(system->lac);
    EXPECT_FALSE(system->tac);
    EXPECT_FALSE(system->cell_id);

    Message signal {Service::Nas, 1, MessageType::Response, 1, nas::get_signal_info, {}};
    signal.add(0x02, hex("00 00 00 00"));
    auto info = parse_nas_signal_info(signal);
    ASSERT_TRUE(info) << info.error().message();

    Message system_info {Service::Nas, 1, MessageType::Response, 1, nas::get_system_info, {}};
    system_info.add(0x02, hex("00 00 00 00"));
    auto lte = parse_nas_system_info(system_info);
    ASSERT_TRUE(lte) << lte.error().message();
    EXPECT_FALSE(*lte);
}

TEST(QmiMessages, CurrentSettingsIpv4)
{
    // qmicli: IPv4 10.20.30.40/255.255.255.252, gateway 10.20.30.41, DNS 10.0.0.53 and .54, MTU 1500.
    auto settings = parse_wds_current_settings(frame(
        "01 50 00 80 01 01 02 01 00 2d 00 44 00 02 04 00 00 00 00 00 11 01 00 00 14 08 00 69 6e 74 65 72 6e 65 74 15 "
        "04 00 35 00 00 0a 16 04 00 36 00 00 0a 1e 04 00 28 1e 14 0a 20 04 00 29 1e 14 0a 21 04 00 fc ff ff ff 29 04 "
        "00 dc 05 00 00 2b 01 00 04"));
    ASSERT_TRUE(settings);
    EXPECT_EQ(settings->ipv4_address, 0x0a141e28u);
    EXPECT_EQ(settings->ipv4_gateway, 0x0a141e29u);
    EXPECT_EQ(settings->ipv4_subnet_mask, 0xfffffffcu);
    EXPECT_EQ(settings->ipv4_dns, (std::vector<std::uint32_t> {0x0a000035, 0x0a000036}));
    EXPECT_EQ(settings->mtu, 1500u);
    EXPECT_EQ(settings->family, IpFamily::Ipv4);
    EXPECT_FALSE(settings->ipv6_address);
}

TEST(QmiMessages, CurrentSettingsIpv6)
{
    Message response {Service::Wds, 1, MessageType::Response, 1, wds::get_current_settings, {}};
    response.add(0x02, result_value());
    // 2001:db8::1/64, gateway 2001:db8::2/64, DNS 2001:db8::53.
    response.add(0x25, hex("20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 40"));
    response.add(0x26, hex("20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 40"));
    response.add(0x27, hex("20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 53"));
    response.add(0x2b, {6});
    auto settings = parse_wds_current_settings(response);
    ASSERT_TRUE(settings);
    ASSERT_TRUE(settings->ipv6_address);
    EXPECT_EQ(settings->ipv6_address->bytes[0], 0x20);
    EXPECT_EQ(settings->ipv6_address->bytes[15], 0x01);
    EXPECT_EQ(settings->ipv6_address->prefix_length, 64);
    ASSERT_EQ(settings->ipv6_dns.size(), 1u);
    EXPECT_EQ(settings->ipv6_dns[0][15], 0x53);
    EXPECT_EQ(settings->family, IpFamily::Ipv6);
}

TEST(QmiMessages, StartNetworkRequestMatchesQmicli)
{
    // qmicli --wds-start-network="apn=internet,ip-type=4,auth=chap,username=u,password=p" sends
    // 0x14 "internet", 0x16 0x02, 0x17 "u", 0x18 "p", 0x19 4 (in descending order on the wire).
    auto request = wds_start_network(1, {"internet", Authentication::Chap, "u", "p", IpFamily::Ipv4});
    EXPECT_EQ(string_tlv(request, 0x14), "internet");
    EXPECT_EQ(tlv_bytes(request, 0x16), hex("02"));
    EXPECT_EQ(string_tlv(request, 0x17), "u");
    EXPECT_EQ(string_tlv(request, 0x18), "p");
    EXPECT_EQ(tlv_bytes(request, 0x19), hex("04"));
    // Without authentication no credentials go out, even if some are configured.
    auto plain = wds_start_network(1, {"internet", Authentication::None, "u", "p", IpFamily::Ipv6});
    EXPECT_EQ(plain.find(0x17), nullptr);
    EXPECT_EQ(plain.find(0x18), nullptr);
    EXPECT_EQ(tlv_bytes(plain, 0x19), hex("06"));
}

TEST(QmiMessages, StartNetworkOutcomes)
{
    Message response {Service::Wds, 1, MessageType::Response, 1, wds::start_network, {}};
    response.add(0x02, result_value());
    response.add(0x01, hex("a0 e7 77 87")); // a handle as quectel-CM logs show them: 0x8777e7a0
    auto connected = parse_wds_start_network(response);
    EXPECT_FALSE(connected.error);
    EXPECT_EQ(connected.handle, 0x8777e7a0u);

    // qmicli: "call end reason (1): generic-unspecified", "verbose call end reason (6,27): [3gpp] unknown-apn".
    Message failed {Service::Wds, 1, MessageType::Response, 2, wds::start_network, {}};
    failed.add(0x02, result_value(ProtocolError::CallFailed));
    failed.add(0x10, hex("01 00"));
    failed.add(0x11, hex("06 00 1b 00"));
    auto refused = parse_wds_start_network(failed);
    EXPECT_EQ(refused.error, ProtocolError::CallFailed);
    EXPECT_EQ(refused.end.reason, 1);
    EXPECT_EQ(describe(refused.end), "3GPP cause 27 (unknown APN)");

    Message no_effect {Service::Wds, 1, MessageType::Response, 3, wds::start_network, {}};
    no_effect.add(0x02, result_value(ProtocolError::NoEffect));
    auto already = parse_wds_start_network(no_effect);
    EXPECT_FALSE(already.error);
    EXPECT_EQ(already.handle, global_packet_data_handle);
}

TEST(QmiMessages, PacketServiceStatusIndication)
{
    Message indication {Service::Wds, 1, MessageType::Indication, 0, wds::packet_service_status_indication, {}};
    indication.add(0x01, hex("01 00"));
    indication.add(0x10, hex("02 00"));
    indication.add(0x11, hex("06 00 24 00")); // 3GPP cause 36: regular deactivation
    indication.add(0x12, {4});
    auto status = parse_wds_packet_service_status(indication);
    ASSERT_TRUE(status);
    EXPECT_EQ(status->status, ConnectionStatus::Disconnected);
    EXPECT_EQ(describe(status->end), "3GPP cause 36 (regular deactivation)");
    EXPECT_EQ(status->family, IpFamily::Ipv4);
    indication.tlvs[0].value = hex("02");
    EXPECT_EQ(parse_wds_packet_service_status(indication).error(), Errc::Truncated);
}

TEST(QmiMessages, RequestsMatchQmicliBytes)
{
    // qmicli --wda-set-data-format=link-layer-protocol=raw-ip: 0x11 = 2, 0x12 = 0, 0x13 = 0.
    auto format = wda_set_data_format_raw_ip(1);
    EXPECT_EQ(tlv_bytes(format, 0x11), hex("02 00 00 00"));
    EXPECT_EQ(tlv_bytes(format, 0x12), hex("00 00 00 00"));
    EXPECT_EQ(tlv_bytes(format, 0x13), hex("00 00 00 00"));
    // qmicli --wds-stop-network=305419896: 0x01 = 78 56 34 12.
    EXPECT_EQ(tlv_bytes(wds_stop_network(1, 0x12345678), 0x01), hex("78 56 34 12"));
    auto verify = uim_verify_pin1(2, "1234");
    EXPECT_EQ(tlv_bytes(verify, 0x01), hex("00 00"));
    EXPECT_EQ(tlv_bytes(verify, 0x02), hex("01 04 31 32 33 34"));
    EXPECT_EQ(tlv_bytes(dms_set_operating_mode(1, OperatingMode::LowPower), 0x01), hex("01"));
}

TEST(QmiMessages, StringResponsesAndIds)
{
    Message revision {Service::Dms, 1, MessageType::Response, 1, dms::get_revision, {}};
    revision.add(0x02, result_value());
    EXPECT_EQ(parse_string_response(revision).error(), Errc::MissingTlv);
    revision.add(0x01, TlvWriter().string_rest("EC25EFAR06A06M4G").take());
    EXPECT_EQ(parse_string_response(revision).value(), "EC25EFAR06A06M4G");

    Message ids {Service::Dms, 1, MessageType::Response, 2, dms::get_ids, {}};
    ids.add(0x02, result_value(ProtocolError::NotSupported));
    EXPECT_EQ(parse_dms_get_ids(ids).error(), ProtocolError::NotSupported);
}

TEST(QmiMessages, SystemInfoLte)
{
    // qmicli: LTE service available, roaming off, Cell ID '1715004', MCC '262', MNC '01', TAC '11111'.
    auto info = parse_nas_system_info(frame("01 39 00 80 03 01 02 01 00 4d 00 2d 00 02 04 00 00 00 00 00 14 03 00 02 02 01 19 "
                                            "1d 00 01 02 01 03 01 00 01 00 01 34 12 01 3c 2b 1a 00 00 00 00 01 32 36 32 30 31 "
                                            "ff 01 67 2b"));
    ASSERT_TRUE(info) << info.error().message();
    ASSERT_TRUE(*info);
    const auto& lte = **info;
    EXPECT_EQ(lte.status, ServiceStatus::Available);
    EXPECT_EQ(lte.roaming, false);
    EXPECT_EQ(lte.cell_id, 1715004u);
    EXPECT_EQ(lte.mcc, "262");
    EXPECT_EQ(lte.mnc, "01");
    EXPECT_EQ(lte.tac, 11111);
    EXPECT_FALSE(lte.reject_cause);

    Message no_lte {Service::Nas, 1, MessageType::Indication, 0, nas::system_info_indication, {}};
    auto none = parse_nas_system_info(no_lte);
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    no_lte.add(0x14, hex("01 01 00"));
    no_lte.add(0x19, hex("01 02 01"));          // cut short
    EXPECT_EQ(parse_nas_system_info(no_lte).error(), Errc::Truncated);
}

TEST(QmiMessages, VersionInfoAndSync)
{
    // qmicli --device-open-version-info sends 01 0b 00 00 00 00 00 01 21 00 00 00 (tid 1).
    auto request = ctl_get_version_info();
    request.transaction = 1;
    EXPECT_EQ(encode(request).value(), hex("01 0b 00 00 00 00 00 01 21 00 00 00"));
    auto sync = ctl_sync();
    sync.transaction = 1;
    EXPECT_EQ(encode(sync).value(), hex("01 0b 00 00 00 00 00 01 27 00 00 00"));

    Message response {Service::Ctl, 0, MessageType::Response, 1, ctl::get_version_info, {}};
    response.add(0x02, result_value());
    response.add(0x01, hex("02 1a 01 00 10 00 01 01 00 0c 00")); // WDA 1.16 (an EG25-G's), WDS 1.12
    auto services = parse_ctl_version_info(response);
    ASSERT_TRUE(services);
    ASSERT_EQ(services->size(), 2u);
    EXPECT_EQ((*services)[0].service, 0x1a);
    EXPECT_EQ((*services)[0].minor, 16);
    EXPECT_EQ((*services)[1].major, 1);
    response.tlvs[1].value.pop_back();
    EXPECT_EQ(parse_ctl_version_info(response).error(), Errc::Truncated);
}

TEST(QmiMessages, SystemSelectionPreference)
{
    // A Quectel BG96 after `mmcli --set-current-bands=eutran-8` (modemmanager-devel, 2020-07):
    // mode preference 0x0010 (LTE), LTE band preference 0x80 (band 8).
    Message reply {Service::Nas, 1, MessageType::Response, 0x4b, nas::get_system_selection_preference, {}};
    reply.add(0x02, result_value());
    reply.add(0x10, hex("00"));
    reply.add(0x11, hex("10 00"));
    reply.add(0x15, hex("80 00 00 00 00 00 00 00"));
    auto selection = parse_nas_system_selection(reply);
    ASSERT_TRUE(selection);
    EXPECT_EQ(selection->mode_preference, rat_mode::lte);
    EXPECT_EQ(selection->lte_bands, 0x80u);
    reply.tlvs.back().value.pop_back();
    EXPECT_EQ(parse_nas_system_selection(reply).error(), Errc::Truncated);

    auto set = nas_set_system_selection(1, {rat_mode::lte | rat_mode::umts, std::nullopt});
    EXPECT_EQ(tlv_bytes(set, 0x11), hex("18 00"));
    EXPECT_EQ(tlv_bytes(set, 0x17), hex("01"));
    EXPECT_EQ(set.find(0x15), nullptr);
    auto bands = nas_set_system_selection(1, {std::nullopt, (1u << 2) | (1u << 19)}); // bands 3 and 20
    EXPECT_EQ(tlv_bytes(bands, 0x15), hex("04 00 08 00 00 00 00 00"));
    EXPECT_EQ(bands.find(0x11), nullptr);
}

TEST(QmiMessages, NetworkRegisterAndProfiles)
{
    EXPECT_EQ(tlv_bytes(nas_register_automatic(3), 0x01), hex("01"));
    auto manual = nas_register_manual(3, 262, 1);
    EXPECT_EQ(tlv_bytes(manual, 0x01), hex("02"));
    EXPECT_EQ(tlv_bytes(manual, 0x10), hex("06 01 01 00 08"));

    EXPECT_EQ(tlv_bytes(wds_get_profile_list(2), 0x10), hex("00"));
    Message list {Service::Wds, 2, MessageType::Response, 1, wds::get_profile_list, {}};
    list.add(0x02, result_value());
    list.add(0x01, hex("02 00 01 00 00 02 03 69 6d 73"));  // profile 1 unnamed, profile 2 "ims"
    auto profiles = parse_wds_profile_list(list);
    ASSERT_TRUE(profiles);
    ASSERT_EQ(profiles->size(), 2u);
    EXPECT_EQ((*profiles)[1].index, 2);
    EXPECT_EQ((*profiles)[1].name, "ims");

    EXPECT_EQ(tlv_bytes(wds_get_profile_settings(2, 1), 0x01), hex("00 01"));
    Message settings {Service::Wds, 2, MessageType::Response, 2, wds::get_profile_settings, {}};
    settings.add(0x02, result_value());
    settings.add(0x14, TlvWriter().string_rest("internet").take());
    settings.add(0x11, {3});
    settings.add(0x1d, {2});
    auto profile = parse_wds_profile_settings(settings);
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->apn, "internet");
    EXPECT_EQ(profile->pdp_type, 3);
    EXPECT_EQ(profile->authentication, 2);
}

TEST(QmiMessages, EnumNames)
{
    EXPECT_EQ(to_string(OperatingMode::LowPower), "low-power");
    EXPECT_EQ(to_string(ApplicationState::PukRequired), "puk-required");
    EXPECT_EQ(to_string(PinState::EnabledNotVerified), "enabled-not-verified");
    EXPECT_EQ(to_string(CardState::Absent), "absent");
    EXPECT_EQ(to_string(NasRegistration::Denied), "denied");
    EXPECT_EQ(to_string(ConnectionStatus::Connected), "connected");
    EXPECT_EQ(to_string(IpFamily::Unspecified), "unspecified");
    EXPECT_EQ(to_string(ServiceStatus::LimitedRegional), "limited-regional");
    EXPECT_EQ(to_string(PlmnNameEncoding::Gsm7Packed), "gsm7-packed");
    EXPECT_EQ(to_string(PlmnNameEncoding::Ucs2LittleEndian), "ucs2-le");
}

} // namespace
} // namespace uplink::qmi
