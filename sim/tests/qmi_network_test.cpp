// The QMI responder, sans-I/O: NAS, WDA and WDS, and the bearers as AT+CGACT/AT+CGPADDR and
// the control socket see them. TLV layouts: modem-protocols.md §2.4-2.6 and qmicli-spec.md §3.
#include "tests/qmi_bench.hpp"

namespace uplink::sim {
namespace {

using namespace testing;
using qmi::ProtocolError;
using qmi::Service;

std::uint32_t u32_of(const std::vector<std::uint8_t>& value)
{
    qmi::TlvReader reader(value);
    auto number = reader.u32();
    EXPECT_FALSE(reader.failed());
    return number;
}

// TLV 0x11 verbose call end reason {u16 type, i16 reason}.
std::vector<std::uint8_t> verbose(std::uint16_t type, std::int16_t reason)
{
    return qmi::TlvWriter().u16(type).i16(reason).take();
}

std::vector<std::uint8_t> u16_bytes(std::uint16_t value)
{
    return qmi::TlvWriter().u16(value).take();
}

std::vector<std::uint8_t> u32_bytes(std::uint32_t value)
{
    return qmi::TlvWriter().u32(value).take();
}

// qmicli --wds-get-current-settings asks for DNS, granted QoS, address, gateway, MTU, domain
// list and IP family (0xE330, qmicli-spec.md §3).
constexpr std::uint32_t qmicli_settings = 0x0000e330;

// ---------------------------------------------------------------- NAS
TEST(QmiNas, ServingSystemFollowsRegistration)
{
    QmiBench bench;
    bench.boot();
    auto nas = bench.allocate(Service::Nas);
    auto serving = bench.ask(Service::Nas, nas, qmi::nas::get_serving_system);
    EXPECT_EQ(value_of(serving, 0x01), (std::vector<std::uint8_t> {0, 2, 2, 0, 0})); // PIN wanted
    EXPECT_EQ(serving.find(0x12), nullptr);
    EXPECT_EQ(bench.at("AT+CPIN=1234"), "\r\nOK\r\n");
    EXPECT_EQ(value_of(bench.ask(Service::Nas, nas, qmi::nas::get_serving_system), 0x01)[0], 2);
    bench.run_for(Duration(600));
    serving = bench.ask(Service::Nas, nas, qmi::nas::get_serving_system);
    EXPECT_EQ(value_of(serving, 0x01), (std::vector<std::uint8_t> {1, 1, 1, 2, 1, 8})); // LTE
    EXPECT_EQ(value_of(serving, 0x10), std::vector<std::uint8_t> {1}); // roaming off
    EXPECT_EQ(value_of(serving, 0x11), (std::vector<std::uint8_t> {1, 11}));
    auto plmn = qmi::TlvWriter().u16(1).u16(1).string_u8("Uplink Test UK").take();
    EXPECT_EQ(value_of(serving, 0x12), plmn);
    EXPECT_EQ(u32_of(value_of(serving, 0x1d)), 0x1A2B3C4u);
    EXPECT_EQ(value_of(serving, 0x24), u16_bytes(0xD6E7));
    EXPECT_EQ(bench.at("AT+CEREG?"), "\r\n+CEREG: 0,1\r\n\r\nOK\r\n"); // the same registration
}

TEST(QmiNas, SystemInfoAndSignalInfo)
{
    QmiBench bench;
    bench.boot();
    auto nas = bench.allocate(Service::Nas);
    EXPECT_EQ(error_code(bench.ask(Service::Nas, nas, qmi::nas::get_signal_info)),
        code(ProtocolError::InformationUnavailable)); // no cell yet
    auto info = bench.ask(Service::Nas, nas, qmi::nas::get_system_info);
    EXPECT_EQ(value_of(info, 0x14), (std::vector<std::uint8_t> {0, 0, 0}));
    EXPECT_EQ(info.find(0x19), nullptr);
    EXPECT_EQ(bench.at("AT+CPIN=1234"), "\r\nOK\r\n");
    bench.run_for(Duration(600));
    info = bench.ask(Service::Nas, nas, qmi::nas::get_system_info);
    EXPECT_EQ(value_of(info, 0x14), (std::vector<std::uint8_t> {2, 2, 1}));
    std::vector<std::uint8_t> lte {1, 2, 1, 3, 1, 0, 1, 0, 0, 0, 0, 1, 0xC4, 0xB3, 0xA2, 0x01, 0, 0,
        0, 1, '0', '0', '1', '0', '1', 0xff, 1, 0xE7, 0xD6};
    EXPECT_EQ(value_of(info, 0x19), lte);
    auto signal = bench.ask(Service::Nas, nas, qmi::nas::get_signal_info);
    // RSSI -58, RSRQ -8, RSRP -85, SNR 18.0 dB in 0.1 dB.
    EXPECT_EQ(value_of(signal, 0x14), qmi::TlvWriter().i8(-58).i8(-8).i16(-85).i16(180).take());
}

// The emulator packs the names in GSM-7 and uplink's codec reads them back; before the modem
// is on a network the response has no optional TLV and still decodes.
TEST(QmiNas, OperatorNameInGsm7Packed)
{
    QmiBench bench;
    bench.boot();
    auto nas = bench.allocate(Service::Nas);
    auto none
        = qmi::parse_nas_operator_name(bench.ask(Service::Nas, nas, qmi::nas::get_operator_name));
    ASSERT_TRUE(none) << none.error().message();
    EXPECT_TRUE(none->plmn_names.empty());
    EXPECT_FALSE(none->operator_string);
    EXPECT_EQ(bench.at("AT+CPIN=1234"), "\r\nOK\r\n");
    bench.run_for(Duration(600));
    auto response = bench.ask(Service::Nas, nas, qmi::nas::get_operator_name);
    // "UPLINK": 6 septets in 6 octets, 6 spare bits; the element's bytes as sent.
    EXPECT_EQ(value_of(response, 0x12).size(), 1u + 4 + 1 + 13 + 1 + 6);
    auto name = qmi::parse_nas_operator_name(response);
    ASSERT_TRUE(name) << name.error().message();
    ASSERT_EQ(name->plmn_names.size(), 1u);
    EXPECT_EQ(name->plmn_names[0].long_name, "Uplink Test UK");
    EXPECT_EQ(name->plmn_names[0].short_name, "UPLINK");
    EXPECT_EQ(name->operator_string, "Uplink Test UK");
}

TEST(QmiNas, IndicationsGoToClientsThatRegistered)
{
    QmiBench bench;
    bench.register_with_pin();
    auto watcher = bench.allocate(Service::Nas);
    auto other = bench.allocate(Service::Nas);
    EXPECT_EQ(error_code(bench.ask(Service::Nas, watcher, qmi::nas::register_indications,
                  {{0x13, {1}}, {0x18, {1}}, {0x19, {1}}, {0x10, {0}}})),
        0);
    RadioPatch patch;
    patch.rsrp = -101;
    bench.modem->change_radio(patch, bench.now);
    bench.run_for(Duration(1));
    auto signals = bench.take(Service::Nas, qmi::nas::signal_info_indication);
    ASSERT_EQ(signals.size(), 1u);
    EXPECT_EQ(signals[0].client, watcher);
    EXPECT_EQ(
        value_of(signals[0], 0x14), qmi::TlvWriter().i8(-58).i8(-8).i16(-101).i16(180).take());

    bench.modem->set_network_access(NetworkAccess::Detached, bench.now);
    bench.run_for(Duration(1));
    auto serving = bench.take(Service::Nas, qmi::nas::serving_system_indication);
    ASSERT_EQ(serving.size(), 1u);
    EXPECT_EQ(value_of(serving[0], 0x01), (std::vector<std::uint8_t> {2, 2, 2, 0, 0})); // searching
    EXPECT_EQ(bench.take(Service::Nas, qmi::nas::system_info_indication).size(), 1u);
    bench.modem->set_network_access(NetworkAccess::Allowed, bench.now);
    bench.run_for(Duration(600));
    serving = bench.take(Service::Nas, qmi::nas::serving_system_indication);
    ASSERT_EQ(serving.size(), 1u);
    // The indication numbers cell id and TAC one higher than the response.
    EXPECT_EQ(u32_of(value_of(serving[0], 0x1e)), 0x1A2B3C4u);
    EXPECT_EQ(value_of(serving[0], 0x25), u16_bytes(0xD6E7));
    for (const auto& message : bench.indications)
        EXPECT_NE(message.client, other) << qmi::describe(message);
}

TEST(QmiNas, InitiateNetworkRegister)
{
    QmiBench bench;
    bench.register_with_pin();
    auto nas = bench.allocate(Service::Nas);
    auto manual = [](std::uint16_t mcc, std::uint16_t mnc) {
        return qmi::TlvWriter().u16(mcc).u16(mnc).i8(8).take();
    };
    EXPECT_EQ(error_code(bench.ask(Service::Nas, nas, qmi::nas::initiate_network_register,
                  {{0x01, {2}}, {0x10, manual(1, 2)}})),
        code(ProtocolError::NoNetworkFound)); // 001-02 has no cell here
    EXPECT_EQ(error_code(bench.ask(Service::Nas, nas, qmi::nas::initiate_network_register,
                  {{0x01, {2}}, {0x10, manual(1, 1)}})),
        0);
    EXPECT_EQ(bench.at("AT+COPS?"), "\r\n+COPS: 1,0,\"Uplink Test UK\",7\r\n\r\nOK\r\n");
    EXPECT_EQ(error_code(
                  bench.ask(Service::Nas, nas, qmi::nas::initiate_network_register, {{0x01, {1}}})),
        0);
    EXPECT_EQ(bench.at("AT+COPS?"), "\r\n+COPS: 0,0,\"Uplink Test UK\",7\r\n\r\nOK\r\n");
    EXPECT_EQ(error_code(
                  bench.ask(Service::Nas, nas, qmi::nas::initiate_network_register, {{0x01, {2}}})),
        code(ProtocolError::MissingArgument));
    EXPECT_EQ(error_code(
                  bench.ask(Service::Nas, nas, qmi::nas::initiate_network_register, {{0x01, {9}}})),
        32); // InvalidRegisterAction
    EXPECT_EQ(error_code(bench.ask(Service::Nas, nas, qmi::nas::initiate_network_register,
                  {{0x01, {2}}, {0x10, {1, 0}}})),
        code(ProtocolError::MalformedMessage));
}

// ---------------------------------------------------------------- WDA
TEST(QmiWda, DataFormatIsRawIp)
{
    QmiBench bench;
    bench.boot();
    auto wda = bench.allocate(Service::Wda);
    auto format = bench.ask(Service::Wda, wda, qmi::wda::get_data_format);
    EXPECT_EQ(value_of(format, 0x11), u32_bytes(2));
    EXPECT_EQ(value_of(format, 0x12), u32_bytes(0));
    EXPECT_EQ(value_of(format, 0x13), u32_bytes(0));
    // uqmi asks for 802.3 and reads back raw-ip (modem-protocols.md §2.5).
    auto set = bench.ask(Service::Wda, wda, qmi::wda::set_data_format,
        {{0x13, u32_bytes(0)}, {0x12, u32_bytes(0)}, {0x11, u32_bytes(1)}});
    EXPECT_EQ(error_code(set), 0);
    EXPECT_EQ(value_of(set, 0x11), u32_bytes(2));
    EXPECT_EQ(
        error_code(bench.ask(Service::Wda, wda, qmi::wda::set_data_format, {{0x11, u32_bytes(7)}})),
        code(ProtocolError::InvalidArgument));
    EXPECT_EQ(error_code(bench.ask(Service::Wda, wda, qmi::wda::set_data_format, {{0x11, {2}}})),
        code(ProtocolError::MalformedMessage));
}

// ---------------------------------------------------------------- WDS
// The APN's MTU from the scenario (TLV 0x29), as a network that grants less than 1500 gives it.
TEST(QmiWds, CurrentSettingsGrantTheApnsMtu)
{
    QmiBench bench([](Scenario& scenario) { scenario.operators.front().apns.front().mtu = 1430; });
    bench.register_with_pin();
    auto wds = bench.allocate(Service::Wds);
    ASSERT_EQ(error_code(bench.ask(Service::Wds, wds, qmi::wds::start_network, {{0x14, bytes_of("internet")}})), 0);
    auto settings = bench.ask(
        Service::Wds, wds, qmi::wds::get_current_settings, {{0x10, u32_bytes(qmicli_settings)}});
    EXPECT_EQ(u32_of(value_of(settings, 0x29)), 1430u);
}

TEST(QmiWds, StartNetworkGivesAnAddressTheAtFaceSees)
{
    QmiBench bench;
    bench.register_with_pin();
    auto wds = bench.allocate(Service::Wds);
    // qmicli --wds-start-network=apn=internet,ip-type=4: 0x19 then 0x14 (qmicli-spec.md §3).
    auto started = bench.ask(
        Service::Wds, wds, qmi::wds::start_network, {{0x19, {4}}, {0x14, bytes_of("internet")}});
    ASSERT_EQ(error_code(started), 0);
    auto handle = u32_of(value_of(started, 0x01));
    EXPECT_EQ(handle & 0xff000000u, 0x87000000u);
    ASSERT_EQ(bench.modem->bearers().size(), 1u);
    const auto& bearer = bench.modem->bearers().front();
    EXPECT_EQ(bearer.handle, handle);
    auto connected = bench.take(Service::Wds, qmi::wds::packet_service_status_indication);
    ASSERT_EQ(connected.size(), 1u);
    EXPECT_EQ(value_of(connected[0], 0x01), (std::vector<std::uint8_t> {2, 0}));

    auto settings = bench.ask(
        Service::Wds, wds, qmi::wds::get_current_settings, {{0x10, u32_bytes(qmicli_settings)}});
    auto address = u32_of(value_of(settings, 0x1e));
    EXPECT_EQ(address >> 22, 0x64400000u >> 22); // 100.64.0.0/10
    EXPECT_GE(address, 0x64400100u); // not in the carrier's own first /24
    EXPECT_EQ(address, bearer.addresses.ipv4);
    EXPECT_EQ(u32_of(value_of(settings, 0x20)), address - 1);
    EXPECT_EQ(u32_of(value_of(settings, 0x21)), 0xfffffffcu);
    EXPECT_EQ(u32_of(value_of(settings, 0x15)), 0x64400035u); // 100.64.0.53
    EXPECT_EQ(u32_of(value_of(settings, 0x16)), 0x64400036u);
    EXPECT_EQ(u32_of(value_of(settings, 0x29)), 1500u);
    EXPECT_EQ(value_of(settings, 0x2b), std::vector<std::uint8_t> {4});
    EXPECT_EQ(settings.find(0x14), nullptr); // APN not asked for
    EXPECT_EQ(value_of(bench.ask(Service::Wds, wds, qmi::wds::get_current_settings,
                           {{0x10, u32_bytes(0x0000000c)}}),
                  0x14),
        bytes_of("internet"));

    EXPECT_EQ(bench.at("AT+CGACT?"), "\r\n+CGACT: 1,1\r\n\r\nOK\r\n");
    EXPECT_EQ(
        bench.at("AT+CGPADDR=1"), "\r\n+CGPADDR: 1,\"" + format_ipv4(address) + "\"\r\n\r\nOK\r\n");
    EXPECT_EQ(value_of(bench.ask(Service::Wds, wds, qmi::wds::get_packet_service_status), 0x01),
        std::vector<std::uint8_t> {2});
}

TEST(QmiWds, StartNetworkIsNoEffectWhenConnected)
{
    QmiBench bench;
    bench.register_with_pin();
    auto first = bench.allocate(Service::Wds);
    auto second = bench.allocate(Service::Wds);
    auto third = bench.allocate(Service::Wds);
    EXPECT_EQ(error_code(bench.ask(
                  Service::Wds, first, qmi::wds::start_network, {{0x14, bytes_of("internet")}})),
        0);
    EXPECT_EQ(error_code(bench.ask(
                  Service::Wds, first, qmi::wds::start_network, {{0x14, bytes_of("internet")}})),
        code(ProtocolError::NoEffect));
    // Another client on the same APN and family: the modem keeps one call (MM then uses the
    // global handle, modem-protocols.md §3.2). APNs compare without case (TS 23.003 §9.1).
    EXPECT_EQ(error_code(bench.ask(Service::Wds, second, qmi::wds::start_network,
                  {{0x14, bytes_of("INTERNET")}, {0x19, {4}}})),
        code(ProtocolError::NoEffect));
    EXPECT_EQ(value_of(bench.ask(Service::Wds, second, qmi::wds::get_packet_service_status), 0x01),
        std::vector<std::uint8_t> {2});
    // IPv6 on the dual-stack APN, chosen with Set IP Family: a second bearer.
    EXPECT_EQ(
        error_code(bench.ask(Service::Wds, third, qmi::wds::set_ip_family, {{0x01, {6}}})), 0);
    EXPECT_EQ(error_code(bench.ask(
                  Service::Wds, third, qmi::wds::start_network, {{0x14, bytes_of("internet")}})),
        0);
    auto settings = bench.ask(
        Service::Wds, third, qmi::wds::get_current_settings, {{0x10, u32_bytes(qmicli_settings)}});
    auto address = value_of(settings, 0x25);
    ASSERT_EQ(address.size(), 17u);
    EXPECT_EQ(std::vector<std::uint8_t>(address.begin(), address.begin() + 4),
        (std::vector<std::uint8_t> {0x20, 0x01, 0x0d, 0xb8})); // 2001:db8::/32, network order
    EXPECT_EQ(address[16], 64);
    EXPECT_EQ(value_of(settings, 0x2b), std::vector<std::uint8_t> {6});
    EXPECT_EQ(settings.find(0x1e), nullptr);
    EXPECT_EQ(value_of(settings, 0x27).size(), 16u);
    EXPECT_EQ(bench.modem->bearers().size(), 2u);
    auto lines = bench.at("AT+CGPADDR=1");
    EXPECT_NE(lines.find(",\"32.1.13.184."), std::string::npos) << lines; // TS 27.007 §10.1.14
}

TEST(QmiWds, RefusalsCarryTheCallEndReason)
{
    QmiBench bench;
    bench.boot();
    auto wds = bench.allocate(Service::Wds);
    auto start = [&](std::string_view apn, std::uint8_t family) {
        return bench.ask(
            Service::Wds, wds, qmi::wds::start_network, {{0x19, {family}}, {0x14, bytes_of(apn)}});
    };
    auto unregistered = start("internet", 4);
    EXPECT_EQ(error_code(unregistered), code(ProtocolError::CallFailed));
    EXPECT_EQ(value_of(unregistered, 0x10), u16_bytes(3)); // generic no-service
    EXPECT_EQ(value_of(unregistered, 0x11), verbose(3, 2001)); // CM no-service
    EXPECT_EQ(bench.at("AT+CPIN=1234"), "\r\nOK\r\n");
    bench.run_for(Duration(600));
    auto unknown = start("nosuch", 4);
    EXPECT_EQ(error_code(unknown), code(ProtocolError::CallFailed));
    EXPECT_EQ(value_of(unknown, 0x10), u16_bytes(1013)); // gsm-wcdma-unknown-apn
    EXPECT_EQ(value_of(unknown, 0x11), verbose(6, 27)); // 3GPP TS 24.301 cause 27
    EXPECT_EQ(value_of(start("v4only", 6), 0x11), verbose(6, 50)); // IPv4 only allowed
    EXPECT_EQ(value_of(start("v6only", 4), 0x11), verbose(6, 51)); // IPv6 only allowed
    EXPECT_EQ(value_of(start("web", 4), 0x11), verbose(6, 27)); // another network's APN
    EXPECT_EQ(error_code(start("internet", 5)), 64); // InvalidIpFamilyPreference
    EXPECT_EQ(error_code(bench.ask(Service::Wds, wds, qmi::wds::start_network, {{0x31, {9}}})),
        code(ProtocolError::InvalidProfile));
    EXPECT_EQ(error_code(bench.ask(Service::Wds, wds, qmi::wds::start_network, {{0x19, {}}})),
        code(ProtocolError::MalformedMessage));
    EXPECT_TRUE(bench.modem->bearers().empty());
    // Unknown TLVs are skipped; no APN at all means the network's default APN.
    auto chosen = bench.ask(Service::Wds, wds, qmi::wds::start_network, {{0x99, {1, 2, 3}}});
    EXPECT_EQ(error_code(chosen), 0);
    ASSERT_EQ(bench.modem->bearers().size(), 1u);
    EXPECT_EQ(bench.modem->bearers().front().apn, "internet");
}

TEST(QmiWds, StopNetwork)
{
    QmiBench bench;
    bench.register_with_pin();
    auto wds = bench.allocate(Service::Wds);
    auto other = bench.allocate(Service::Wds);
    auto started
        = bench.ask(Service::Wds, wds, qmi::wds::start_network, {{0x14, bytes_of("internet")}});
    auto handle = value_of(started, 0x01);
    bench.indications.clear();
    EXPECT_EQ(error_code(bench.ask(
                  Service::Wds, wds, qmi::wds::stop_network, {{0x01, u32_bytes(0x1234)}})),
        code(ProtocolError::InvalidHandle));
    EXPECT_EQ(error_code(bench.ask(Service::Wds, other, qmi::wds::stop_network, {{0x01, handle}})),
        code(ProtocolError::InvalidHandle)); // not that client's call
    EXPECT_EQ(
        error_code(bench.ask(Service::Wds, wds, qmi::wds::stop_network, {{0x01, handle}})), 0);
    auto ended = bench.take(Service::Wds, qmi::wds::packet_service_status_indication);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].client, wds);
    EXPECT_EQ(value_of(ended[0], 0x01), (std::vector<std::uint8_t> {1, 0}));
    EXPECT_EQ(value_of(ended[0], 0x10), u16_bytes(2)); // client end
    EXPECT_EQ(value_of(ended[0], 0x12), std::vector<std::uint8_t> {4});
    EXPECT_EQ(bench.at("AT+CGACT?"), "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
    EXPECT_EQ(error_code(bench.ask(Service::Wds, wds, qmi::wds::get_current_settings,
                  {{0x10, u32_bytes(qmicli_settings)}})),
        code(ProtocolError::OutOfCall));
    // The global handle stops the calls of the client's family, whoever started them.
    auto global = u32_bytes(qmi::global_packet_data_handle);
    EXPECT_EQ(error_code(bench.ask(Service::Wds, other, qmi::wds::stop_network, {{0x01, global}})),
        code(ProtocolError::NoEffect));
    bench.ask(Service::Wds, wds, qmi::wds::start_network, {{0x14, bytes_of("internet")}});
    EXPECT_EQ(error_code(bench.ask(
                  Service::Wds, other, qmi::wds::stop_network, {{0x10, {1}}, {0x01, global}})),
        0);
    EXPECT_TRUE(bench.modem->bearers().empty());
    EXPECT_EQ(error_code(bench.ask(Service::Wds, wds, qmi::wds::stop_network)),
        code(ProtocolError::MissingArgument));
}

TEST(QmiWds, CallsEndWithTheNetworkOrTheClient)
{
    QmiBench bench;
    bench.register_with_pin();
    auto wds = bench.allocate(Service::Wds);
    auto start = [&] {
        EXPECT_EQ(error_code(bench.ask(
                      Service::Wds, wds, qmi::wds::start_network, {{0x14, bytes_of("internet")}})),
            0);
        bench.indications.clear();
    };
    start();
    EXPECT_EQ(bench.modem->drop_bearers(38, bench.now), 1u); // control socket "bearer-drop"
    bench.run_for(Duration(1));
    auto dropped = bench.take(Service::Wds, qmi::wds::packet_service_status_indication);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(value_of(dropped[0], 0x01), (std::vector<std::uint8_t> {1, 0}));
    EXPECT_EQ(value_of(dropped[0], 0x10), u16_bytes(1003)); // network end
    EXPECT_EQ(value_of(dropped[0], 0x11), verbose(6, 38)); // network failure
    EXPECT_EQ(bench.at("AT+CGACT?"), "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");

    start();
    bench.modem->set_network_access(NetworkAccess::Detached, bench.now); // control "detach"
    bench.run_for(Duration(1));
    dropped = bench.take(Service::Wds, qmi::wds::packet_service_status_indication);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(value_of(dropped[0], 0x10), u16_bytes(3)); // no service
    EXPECT_TRUE(bench.modem->bearers().empty());
    bench.modem->set_network_access(NetworkAccess::Allowed, bench.now);
    bench.run_for(Duration(600));

    start();
    EXPECT_EQ(bench.at("AT+CFUN=4"), "\r\nOK\r\n"); // radio off: the call goes too
    EXPECT_TRUE(bench.modem->bearers().empty());
    EXPECT_EQ(bench.take(Service::Wds, qmi::wds::packet_service_status_indication).size(), 1u);
    EXPECT_EQ(bench.at("AT+CFUN=1"), "\r\nOK\r\n");
    bench.run_for(Duration(600));

    start();
    bench.ask(Service::Ctl, 0, qmi::ctl::release_cid, {{0x01, {0x01, wds}}}); // owner gone
    EXPECT_TRUE(bench.modem->bearers().empty());
}

TEST(QmiWds, AtActivationIsSharedWithQmi)
{
    QmiBench bench;
    bench.register_with_pin();
    auto wds = bench.allocate(Service::Wds);
    EXPECT_EQ(bench.at("AT+CGDCONT=1,\"IPV4V6\",\"internet\""), "\r\nOK\r\n");
    EXPECT_EQ(bench.at("AT+CGACT=1,1"), "\r\nOK\r\n");
    EXPECT_EQ(bench.modem->bearers().size(), 2u); // IPv4 and IPv6
    EXPECT_EQ(value_of(bench.ask(Service::Wds, wds, qmi::wds::get_packet_service_status), 0x01),
        std::vector<std::uint8_t> {2});
    EXPECT_EQ(error_code(bench.ask(
                  Service::Wds, wds, qmi::wds::start_network, {{0x14, bytes_of("internet")}})),
        code(ProtocolError::NoEffect));
    EXPECT_EQ(bench.at("AT+CGACT=0,1"), "\r\nOK\r\n");
    EXPECT_TRUE(bench.modem->bearers().empty());
    EXPECT_EQ(bench.at("AT+CGDCONT=2,\"IP\",\"nosuch\""), "\r\nOK\r\n");
    EXPECT_EQ(bench.at("AT+CGACT=1,2"), "\r\n+CME ERROR: 127\r\n"); // missing or unknown APN
    EXPECT_EQ(bench.at("AT+CGACT=1,7"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.at("AT+CGPADDR"), "\r\n+CGPADDR: 1\r\n+CGPADDR: 2\r\n\r\nOK\r\n");
    EXPECT_EQ(bench.at("AT+CGPADDR=?"), "\r\n+CGPADDR: (1,2)\r\n\r\nOK\r\n");
}

TEST(QmiWds, ProfilesAreTheCgdcontContexts)
{
    QmiBench bench;
    bench.boot();
    auto wds = bench.allocate(Service::Wds);
    auto modified = bench.ask(Service::Wds, wds, qmi::wds::modify_profile,
        {{0x01, {0, 1}}, {0x11, {0}}, {0x14, bytes_of("internet")}});
    EXPECT_EQ(error_code(modified), 0);
    EXPECT_EQ(bench.at("AT+CGDCONT?"),
        "\r\n+CGDCONT: 1,\"IP\",\"internet\",\"0.0.0.0\",0,0,0,0\r\n\r\nOK\r\n");
    EXPECT_EQ(bench.at("AT+CGDCONT=3,\"IPV6\",\"ims\""), "\r\nOK\r\n");
    auto list
        = value_of(bench.ask(Service::Wds, wds, qmi::wds::get_profile_list, {{0x10, {0}}}), 0x01);
    EXPECT_EQ(list, (std::vector<std::uint8_t> {2, 0, 1, 0, 0, 3, 0}));
    auto settings = bench.ask(Service::Wds, wds, qmi::wds::get_profile_settings, {{0x01, {0, 3}}});
    EXPECT_EQ(value_of(settings, 0x11), std::vector<std::uint8_t> {2});
    EXPECT_EQ(value_of(settings, 0x14), bytes_of("ims"));
    EXPECT_EQ(
        error_code(bench.ask(Service::Wds, wds, qmi::wds::get_profile_settings, {{0x01, {0, 9}}})),
        code(ProtocolError::InvalidProfile));
    EXPECT_EQ(
        error_code(bench.ask(Service::Wds, wds, qmi::wds::get_profile_settings, {{0x01, {1, 1}}})),
        30); // InvalidProfileType: no 3GPP2 profiles
    EXPECT_EQ(error_code(bench.ask(
                  Service::Wds, wds, qmi::wds::modify_profile, {{0x01, {0, 1}}, {0x11, {9}}})),
        code(ProtocolError::InvalidPdpType));
    EXPECT_EQ(value_of(bench.ask(Service::Wds, wds, qmi::wds::get_default_profile_number,
                           {{0x01, {0, 0}}}),
                  0x01),
        std::vector<std::uint8_t> {1});
    EXPECT_EQ(error_code(bench.ask(Service::Wds, wds, qmi::wds::set_ip_family, {{0x01, {5}}})), 64);
}

TEST(QmiWds, CallsForgetTheRebootedModem)
{
    QmiBench bench;
    bench.register_with_pin();
    auto wds = bench.allocate(Service::Wds);
    bench.ask(Service::Wds, wds, qmi::wds::start_network, {{0x14, bytes_of("internet")}});
    EXPECT_EQ(bench.at("AT+CFUN=1,1"), "\r\nOK\r\n");
    EXPECT_TRUE(bench.modem->bearers().empty());
}

// ---------------------------------------------------------------- the carrier
TEST(Carrier, AddressesComeFromThePoolsAndStay)
{
    auto first = carrier_addresses("00101", "001010000000001", "INTERNET", 0);
    EXPECT_EQ(first.ipv4 & 0xffc00000u, 0x64400000u);
    EXPECT_GE(first.ipv4, 0x64400100u);
    EXPECT_EQ(first.ipv4_gateway + 1, first.ipv4);
    EXPECT_EQ(first.ipv6[0], 0x2001);
    EXPECT_EQ(first.ipv6[1], 0x0db8);
    EXPECT_NE(first.ipv6[2], 0); // 2001:db8::/48 is the carrier's own
    auto again = carrier_addresses("00101", "001010000000001", "INTERNET", 0);
    EXPECT_EQ(again.ipv4, first.ipv4);
    EXPECT_NE(carrier_addresses("00101", "001010000000001", "INTERNET", 1).ipv4, first.ipv4);
    EXPECT_NE(carrier_addresses("00101", "001010000000002", "INTERNET", 0).ipv4, first.ipv4);
}

TEST(Carrier, AddressFormats)
{
    EXPECT_EQ(format_ipv4(0x64400035), "100.64.0.53");
    EXPECT_EQ(format_ipv6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53}), "2001:db8::53");
    EXPECT_EQ(format_ipv6({0x2001, 0xdb8, 0x12, 0x3456, 0, 0, 0, 2}), "2001:db8:12:3456::2");
    EXPECT_EQ(format_ipv6({0, 0, 0, 0, 0, 0, 0, 1}), "::1");
    EXPECT_EQ(format_ipv6({1, 0, 2, 0, 0, 3, 0, 0}), "1:0:2::3:0:0");
    EXPECT_EQ(format_ipv6({0, 0, 0, 0, 0, 0, 0, 0}), "::");
    EXPECT_EQ(format_ipv6_octets({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53}),
        "32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.83");
    EXPECT_EQ(to_string(IpFamily::V4), "ipv4");
    EXPECT_EQ(to_string(IpFamily::V6), "ipv6");
}

} // namespace
} // namespace uplink::sim
