// The QMI responder, sans-I/O: CTL, DMS and UIM, on a fake clock. Golden frames are the ones
// qmicli 1.32.2 sent and accepted (qmicli-spec.md §1, §3), with this scenario's values.
#include "tests/qmi_bench.hpp"

namespace uplink::sim {
namespace {

using namespace testing;
using qmi::ProtocolError;
using qmi::Service;

std::vector<std::uint8_t> hex(std::string_view text)
{
    std::vector<std::uint8_t> bytes;
    int high = -1;
    for (char c : text) {
        int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (digit < 0)
            continue;
        if (high < 0) {
            high = digit;
        } else {
            bytes.push_back(static_cast<std::uint8_t>(high * 16 + digit));
            high = -1;
        }
    }
    return bytes;
}

// The frame qmicli wrote, through the model, to the frame the model answers.
std::vector<std::uint8_t> answer_frame(QmiBench& bench, std::string_view request_hex)
{
    auto request = qmi::decode(hex(request_hex));
    EXPECT_TRUE(request);
    if (!request)
        return {};
    auto answer = bench.modem->qmi_request(*request, bench.now);
    EXPECT_TRUE(answer);
    if (!answer)
        return {};
    bench.run_for(answer->delay + Duration(1));
    return qmi::encode(answer->response).value();
}

TEST(QmiResponder, SilentWhileBootingAndAfterwardsAnswersWithTheLatency)
{
    QmiBench bench;
    qmi::Message request;
    request.service = Service::Ctl;
    request.id = qmi::ctl::allocate_cid;
    request.add(0x01, {2});
    EXPECT_FALSE(bench.modem->qmi_request(request, bench.now)); // like the AT ports
    bench.boot();
    auto answer = bench.modem->qmi_request(request, bench.now);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->delay, Duration(10));
    bench.modem->set_latency(Duration(250)); // the control socket's "latency"
    EXPECT_EQ(bench.modem->qmi_request(request, bench.now)->delay, Duration(250));
    request.type = qmi::MessageType::Response; // not a request: nothing to answer
    EXPECT_FALSE(bench.modem->qmi_request(request, bench.now));
}

TEST(QmiResponder, GoldenFramesOfQmicli)
{
    QmiBench bench;
    bench.boot();
    // CTL Allocate CID for DMS, tid 1 -> CID 1 (qmicli-spec.md §1).
    EXPECT_EQ(answer_frame(bench, "01 0f 00 00 00 00 00 01 22 00 04 00 01 01 00 02"),
        hex("01 17 00 80 00 00 01 01 22 00 0c 00 02 04 00 00 00 00 00 01 02 00 02 01"));
    // DMS Get Revision, tid 1.
    auto revision = answer_frame(bench, "01 0c 00 00 02 01 00 01 00 23 00 00 00");
    EXPECT_EQ(revision,
        hex("01 26 00 80 02 01 02 01 00 23 00 1a 00 02 04 00 00 00 00 00 01 10 00"
            "45 43 32 35 45 46 41 52 30 36 41 30 36 4d 34 47")); // EC25EFAR06A06M4G
    // CTL Release CID {DMS, 1}, tid 2.
    EXPECT_EQ(answer_frame(bench, "01 10 00 00 00 00 00 02 23 00 05 00 01 02 00 02 01"),
        hex("01 17 00 80 00 00 01 02 23 00 0c 00 02 04 00 00 00 00 00 01 02 00 02 01"));
}

TEST(QmiResponder, ClientIdsAreAllocatedReleasedAndRunOut)
{
    QmiBench bench;
    bench.boot();
    EXPECT_EQ(bench.allocate(Service::Wds), 1);
    EXPECT_EQ(bench.allocate(Service::Wds), 2);
    EXPECT_EQ(bench.allocate(Service::Dms), 1); // CIDs count per service
    auto released = bench.ask(Service::Ctl, 0, qmi::ctl::release_cid, {{0x01, {0x01, 1}}});
    EXPECT_EQ(error_code(released), 0);
    EXPECT_EQ(value_of(released, 0x01), (std::vector<std::uint8_t> {0x01, 1}));
    EXPECT_EQ(error_code(bench.ask(Service::Ctl, 0, qmi::ctl::release_cid, {{0x01, {0x01, 1}}})),
        code(ProtocolError::InvalidClientId));
    EXPECT_EQ(bench.allocate(Service::Wds), 1); // the lowest free one again
    // A request on a CID nobody allocated.
    EXPECT_EQ(error_code(bench.ask(Service::Nas, 7, qmi::nas::get_serving_system)),
        code(ProtocolError::InvalidClientId));
    for (int count = 0; count < 32; ++count)
        EXPECT_EQ(bench.allocate(Service::Nas), count + 1);
    auto exhausted = bench.ask(Service::Ctl, 0, qmi::ctl::allocate_cid, {{0x01, {0x03}}});
    EXPECT_EQ(error_code(exhausted), code(ProtocolError::ClientIdsExhausted));
}

TEST(QmiResponder, CtlRefusesBadRequests)
{
    QmiBench bench;
    bench.boot();
    // WMS (5) is not emulated: libqmi's InvalidServiceType (31).
    EXPECT_EQ(error_code(bench.ask(Service::Ctl, 0, qmi::ctl::allocate_cid, {{0x01, {0x05}}})), 31);
    EXPECT_EQ(error_code(bench.ask(Service::Ctl, 0, qmi::ctl::allocate_cid)),
        code(ProtocolError::MissingArgument));
    EXPECT_EQ(error_code(bench.ask(Service::Ctl, 0, qmi::ctl::allocate_cid, {{0x01, {}}})),
        code(ProtocolError::MalformedMessage));
    EXPECT_EQ(error_code(bench.ask(Service::Ctl, 0, qmi::ctl::release_cid, {{0x01, {0x01}}})),
        code(ProtocolError::MalformedMessage));
    EXPECT_EQ(
        error_code(bench.ask(Service::Ctl, 0, 0x00ff)), code(ProtocolError::InvalidQmiCommand));
}

TEST(QmiResponder, VersionInfoAndDataFormat)
{
    QmiBench bench;
    bench.boot();
    // quectel-CM adds TLV 0x01 = 0xFF, which the modem ignores (modem-protocols.md §1.3).
    auto versions = bench.ask(Service::Ctl, 0, qmi::ctl::get_version_info, {{0x01, {0xff}}});
    auto list = value_of(versions, 0x01);
    ASSERT_EQ(list.size(), 1u + 6 * 5);
    EXPECT_EQ(list[0], 6);
    EXPECT_EQ(std::vector<std::uint8_t>(list.end() - 5, list.end()),
        (std::vector<std::uint8_t> {0x1a, 1, 0, 16, 0})); // WDA 1.16
    // qmicli --device-open-net=net-raw-ip (qmicli-spec.md §1): 0x10 = 2, 0x01 = 0.
    auto raw = bench.ask(Service::Ctl, 0, qmi::ctl::set_data_format, {{0x10, {2, 0}}, {0x01, {0}}});
    EXPECT_EQ(value_of(raw, 0x10), (std::vector<std::uint8_t> {2, 0}));
    auto ethernet = bench.ask(Service::Ctl, 0, qmi::ctl::set_data_format, {{0x10, {1, 0}}});
    EXPECT_EQ(value_of(ethernet, 0x10), (std::vector<std::uint8_t> {2, 0})); // raw-ip only
    EXPECT_EQ(error_code(bench.ask(Service::Ctl, 0, qmi::ctl::set_data_format, {{0x10, {9, 0}}})),
        code(ProtocolError::InvalidArgument));
}

TEST(QmiResponder, SyncReleasesEveryClient)
{
    QmiBench bench;
    bench.boot();
    auto dms = bench.allocate(Service::Dms);
    EXPECT_EQ(error_code(bench.ask(Service::Ctl, 0, qmi::ctl::sync)), 0);
    EXPECT_EQ(error_code(bench.ask(Service::Dms, dms, qmi::dms::get_model)),
        code(ProtocolError::InvalidClientId));
}

TEST(QmiResponder, CountersNameEachRequest)
{
    QmiBench bench;
    bench.boot();
    auto dms = bench.allocate(Service::Dms);
    bench.ask(Service::Dms, dms, qmi::dms::get_ids);
    bench.ask(Service::Dms, dms, 0x00ee);
    const auto& counters = bench.modem->counters();
    EXPECT_EQ(counters.qmi_requests, 3);
    EXPECT_EQ(counters.qmi_requests_by_name.at("CTL Allocate CID"), 1);
    EXPECT_EQ(counters.qmi_requests_by_name.at("DMS Get IDs"), 1);
    EXPECT_EQ(counters.qmi_requests_by_name.at("service 0x02 0x00ee"), 1);
    EXPECT_EQ(counters.commands, 1); // ATE0 only: QMI requests are counted apart
}

// ---------------------------------------------------------------- DMS
TEST(QmiDms, Identity)
{
    QmiBench bench;
    bench.boot();
    auto dms = bench.allocate(Service::Dms);
    EXPECT_EQ(value_of(bench.ask(Service::Dms, dms, qmi::dms::get_manufacturer), 0x01),
        bytes_of("Quectel"));
    EXPECT_EQ(value_of(bench.ask(Service::Dms, dms, qmi::dms::get_model), 0x01), bytes_of("EC25"));
    auto ids = bench.ask(Service::Dms, dms, qmi::dms::get_ids);
    EXPECT_EQ(value_of(ids, 0x11), bytes_of("866758040112340"));
    EXPECT_EQ(ids.find(0x10), nullptr); // no ESN or MEID on an LTE/UMTS module
    EXPECT_EQ(ids.find(0x12), nullptr);
}

TEST(QmiDms, OperatingModeIsCfun)
{
    QmiBench bench;
    bench.register_with_pin();
    auto dms = bench.allocate(Service::Dms);
    auto mode = [&] {
        return value_of(bench.ask(Service::Dms, dms, qmi::dms::get_operating_mode), 0x01);
    };
    EXPECT_EQ(mode(), std::vector<std::uint8_t> {0}); // online
    EXPECT_EQ(bench.at("AT+CFUN=4"), "\r\nOK\r\n");
    EXPECT_EQ(mode(), std::vector<std::uint8_t> {1}); // low power
    EXPECT_EQ(bench.at("AT+CFUN=0"), "\r\nOK\r\n");
    EXPECT_EQ(mode(), std::vector<std::uint8_t> {6}); // persistent low power
    EXPECT_EQ(
        error_code(bench.ask(Service::Dms, dms, qmi::dms::set_operating_mode, {{0x01, {0}}})), 0);
    EXPECT_EQ(bench.at("AT+CFUN?"), "\r\n+CFUN: 1\r\n\r\nOK\r\n");
    bench.run_for(Duration(600));
    EXPECT_EQ(bench.modem->registration(), RegistrationStatus::Home);
    EXPECT_EQ(
        error_code(bench.ask(Service::Dms, dms, qmi::dms::set_operating_mode, {{0x01, {1}}})), 0);
    EXPECT_EQ(bench.at("AT+CFUN?"), "\r\n+CFUN: 4\r\n\r\nOK\r\n");
    EXPECT_EQ(bench.modem->registration(), RegistrationStatus::NotRegistered);
    EXPECT_EQ(error_code(bench.ask(Service::Dms, dms, qmi::dms::set_operating_mode, {{0x01, {3}}})),
        code(ProtocolError::InvalidArgument)); // offline is not emulated
    EXPECT_EQ(error_code(bench.ask(Service::Dms, dms, qmi::dms::set_operating_mode)),
        code(ProtocolError::MissingArgument));
}

TEST(QmiDms, ResetRebootsAndSyncsTheClients)
{
    QmiBench bench;
    bench.boot();
    auto dms = bench.allocate(Service::Dms);
    EXPECT_EQ(
        error_code(bench.ask(Service::Dms, dms, qmi::dms::set_operating_mode, {{0x01, {4}}})), 0);
    EXPECT_FALSE(bench.modem->booted());
    bench.run_for(Duration(100));
    EXPECT_NE(bench.urcs.find("RDY"), std::string::npos);
    auto syncs = bench.take(Service::Ctl, qmi::ctl::sync);
    ASSERT_EQ(syncs.size(), 1u);
    EXPECT_EQ(syncs[0].type, qmi::MessageType::Indication);
    EXPECT_EQ(error_code(bench.ask(Service::Dms, dms, qmi::dms::get_model)),
        code(ProtocolError::InvalidClientId)); // the modem forgot its clients
}

TEST(QmiDms, PinStatusAndVerifySpendTheSameTriesAsAt)
{
    QmiBench bench;
    bench.boot();
    auto dms = bench.allocate(Service::Dms);
    auto status = bench.ask(Service::Dms, dms, qmi::dms::uim_get_pin_status);
    EXPECT_EQ(value_of(status, 0x11), (std::vector<std::uint8_t> {1, 3, 10})); // not verified
    EXPECT_EQ(value_of(status, 0x12), (std::vector<std::uint8_t> {1, 3, 10}));
    auto wrong = bench.ask(
        Service::Dms, dms, qmi::dms::uim_verify_pin, {{0x01, {1, 4, '0', '0', '0', '0'}}});
    EXPECT_EQ(error_code(wrong), code(ProtocolError::IncorrectPin));
    EXPECT_EQ(value_of(wrong, 0x10), (std::vector<std::uint8_t> {2, 10}));
    EXPECT_EQ(bench.at("AT+QPINC=\"SC\""), "\r\n+QPINC: \"SC\",2,10\r\n\r\nOK\r\n");
    EXPECT_EQ(bench.modem->counters().pin_attempts, 1);
    EXPECT_EQ(bench.modem->card()->spec().pin_retries, 2);
    auto right = bench.ask(
        Service::Dms, dms, qmi::dms::uim_verify_pin, {{0x01, {1, 4, '1', '2', '3', '4'}}});
    EXPECT_EQ(error_code(right), 0);
    EXPECT_EQ(value_of(right, 0x10), (std::vector<std::uint8_t> {3, 10}));
    EXPECT_NE(bench.urcs.find("\r\n+CPIN: READY\r\n"), std::string::npos); // AT sees it too
    EXPECT_EQ(bench.at("AT+CPIN?"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
    EXPECT_EQ(value_of(bench.ask(Service::Dms, dms, qmi::dms::uim_get_pin_status), 0x11),
        (std::vector<std::uint8_t> {2, 3, 10})); // enabled, verified
}

TEST(QmiDms, VerifyPinRefusals)
{
    QmiBench bench;
    bench.boot();
    auto dms = bench.allocate(Service::Dms);
    auto verify = [&](std::vector<std::uint8_t> info) {
        return error_code(bench.ask(Service::Dms, dms, qmi::dms::uim_verify_pin, {{0x01, info}}));
    };
    EXPECT_EQ(verify({1, 9, '1'}), code(ProtocolError::MalformedMessage)); // string too short
    EXPECT_EQ(verify({2, 4, '1', '2', '3', '4'}), code(ProtocolError::InvalidPinId)); // PIN2
    EXPECT_EQ(verify({1, 2, '1', '2'}), code(ProtocolError::InvalidArgument)); // not 4-8 digits
    EXPECT_EQ(bench.modem->counters().pin_attempts, 0); // none reached the card
    EXPECT_EQ(error_code(bench.ask(Service::Dms, dms, qmi::dms::uim_verify_pin)),
        code(ProtocolError::MissingArgument));
    for (int attempt = 0; attempt < 3; ++attempt)
        verify({1, 4, '9', '9', '9', '9'});
    auto blocked = bench.ask(
        Service::Dms, dms, qmi::dms::uim_verify_pin, {{0x01, {1, 4, '1', '2', '3', '4'}}});
    EXPECT_EQ(error_code(blocked), code(ProtocolError::PinBlocked));
    EXPECT_EQ(value_of(blocked, 0x10), (std::vector<std::uint8_t> {0, 10}));
    EXPECT_EQ(bench.at("AT+CPIN?"), "\r\n+CPIN: SIM PUK\r\n\r\nOK\r\n");
    EXPECT_EQ(value_of(bench.ask(Service::Dms, dms, qmi::dms::uim_get_pin_status), 0x11),
        (std::vector<std::uint8_t> {4, 0, 10}));
}

TEST(QmiDms, IccidAndImsi)
{
    QmiBench bench;
    bench.boot();
    auto dms = bench.allocate(Service::Dms);
    EXPECT_EQ(value_of(bench.ask(Service::Dms, dms, qmi::dms::uim_get_iccid), 0x01),
        bytes_of("8944001000000000012F")); // readable before the PIN
    EXPECT_EQ(error_code(bench.ask(Service::Dms, dms, qmi::dms::uim_get_imsi)), 82); // AccessDenied
    EXPECT_EQ(bench.at("AT+CPIN=1234"), "\r\nOK\r\n");
    EXPECT_EQ(value_of(bench.ask(Service::Dms, dms, qmi::dms::uim_get_imsi), 0x01),
        bytes_of("001010000000001"));
}

TEST(QmiDms, WithoutSimTheUimIsUninitialized)
{
    QmiBench bench([](Scenario& scenario) { scenario.modems.front().sim.reset(); });
    bench.boot();
    auto dms = bench.allocate(Service::Dms);
    for (auto id : {qmi::dms::uim_get_pin_status, qmi::dms::uim_get_iccid, qmi::dms::uim_get_imsi})
        EXPECT_EQ(
            error_code(bench.ask(Service::Dms, dms, id)), code(ProtocolError::UimUninitialized));
}

// ---------------------------------------------------------------- UIM
TEST(QmiUim, CardStatusFollowsTheSim)
{
    QmiBench bench;
    bench.boot();
    auto uim = bench.allocate(Service::Uim);
    auto status = value_of(bench.ask(Service::Uim, uim, qmi::uim::get_card_status), 0x10);
    std::vector<std::uint8_t> expected {0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // sessions
        1, 1, 0, 0, 0, 0, // one card, present, no UPIN
        1, 2, 2, 2, 0, 0, 0, // one USIM app: PIN1 required, personalization ready
        16, 0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xff, 0xff, 0xff, 0xff, 0x89, 0x00, 0x00,
        0x01, 0x00, // AID
        0, 1, 3, 10, 1, 3, 10}; // PIN1 enabled-not-verified 3/10, PIN2
    EXPECT_EQ(status, expected);
    EXPECT_EQ(bench.at("AT+CPIN=1234"), "\r\nOK\r\n");
    status = value_of(bench.ask(Service::Uim, uim, qmi::uim::get_card_status), 0x10);
    ASSERT_EQ(status.size(), expected.size());
    EXPECT_EQ(status[16], 7); // application ready
    EXPECT_EQ(status[39], 2); // PIN1 enabled, verified

    bench.modem->remove_sim(bench.now);
    status = value_of(bench.ask(Service::Uim, uim, qmi::uim::get_card_status), 0x10);
    EXPECT_EQ(status,
        (std::vector<std::uint8_t> {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0,
            0, 0})); // absent, no application
}

TEST(QmiUim, VerifyPinAndCardStatusIndications)
{
    QmiBench bench;
    bench.boot();
    auto uim = bench.allocate(Service::Uim);
    auto other = bench.allocate(Service::Uim);
    auto registered
        = bench.ask(Service::Uim, uim, qmi::uim::register_events, {{0x01, {0x07, 0, 0, 0}}});
    EXPECT_EQ(value_of(registered, 0x10), (std::vector<std::uint8_t> {1, 0, 0, 0})); // card status
    auto verify = [&](std::string_view pin) {
        std::vector<std::uint8_t> info {1, static_cast<std::uint8_t>(pin.size())};
        info.insert(info.end(), pin.begin(), pin.end());
        return bench.ask(Service::Uim, other, qmi::uim::verify_pin, {{0x01, {0, 0}}, {0x02, info}});
    };
    auto wrong = verify("4321");
    EXPECT_EQ(error_code(wrong), code(ProtocolError::IncorrectPin));
    EXPECT_EQ(value_of(wrong, 0x10), (std::vector<std::uint8_t> {2, 10}));
    EXPECT_EQ(bench.modem->counters().pin_attempts, 1);
    EXPECT_EQ(error_code(verify("1234")), 0);
    auto cards = bench.take(Service::Uim, qmi::uim::card_status_indication);
    ASSERT_EQ(cards.size(), 2u); // the wrong try and the unlock, to the registered client only
    EXPECT_EQ(cards[1].client, uim);
    EXPECT_EQ(value_of(cards[1], 0x10).at(16), 7);
    EXPECT_EQ(error_code(bench.ask(Service::Uim, other, qmi::uim::verify_pin, {{0x02, {1, 0}}})),
        code(ProtocolError::MissingArgument)); // no session TLV
}

TEST(QmiUim, AtPinEntryIsIndicatedToo)
{
    QmiBench bench;
    bench.boot();
    auto uim = bench.allocate(Service::Uim);
    bench.ask(Service::Uim, uim, qmi::uim::register_events, {{0x01, {0x01, 0, 0, 0}}});
    EXPECT_EQ(bench.at("AT+CPIN=9999"), "\r\n+CME ERROR: 16\r\n");
    auto cards = bench.take(Service::Uim, qmi::uim::card_status_indication);
    ASSERT_EQ(cards.size(), 1u);
    EXPECT_EQ(value_of(cards[0], 0x10).at(40), 2); // PIN1 tries left
    EXPECT_EQ(bench.at("AT+CPIN=1234"), "\r\nOK\r\n");
    cards = bench.take(Service::Uim, qmi::uim::card_status_indication);
    ASSERT_EQ(cards.size(), 1u);
    EXPECT_EQ(value_of(cards[0], 0x10).at(16), 7); // ready
}

TEST(QmiUim, ReadTransparentIccidAndImsi)
{
    QmiBench bench;
    bench.boot();
    auto uim = bench.allocate(Service::Uim);
    auto read = [&](std::uint16_t file, std::vector<std::uint8_t> range = {0, 0, 0, 0}) {
        // qmicli --uim-read-transparent=0x3F00,<file> (qmicli-spec.md §3).
        return bench.ask(Service::Uim, uim, qmi::uim::read_transparent,
            {{0x03, range},
                {0x02,
                    {static_cast<std::uint8_t>(file & 0xff), static_cast<std::uint8_t>(file >> 8),
                        2, 0x00, 0x3f}},
                {0x01, {0, 0}}});
    };
    auto iccid = read(0x2fe2);
    EXPECT_EQ(value_of(iccid, 0x10), (std::vector<std::uint8_t> {0x90, 0x00}));
    // 8944001000000000012F, digits swapped in each byte (TS 102 221 §13.2).
    EXPECT_EQ(value_of(iccid, 0x11),
        (std::vector<std::uint8_t> {
            10, 0, 0x98, 0x44, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0xf2}));
    EXPECT_EQ(value_of(read(0x2fe2, {2, 0, 3, 0}), 0x11),
        (std::vector<std::uint8_t> {3, 0, 0x00, 0x01, 0x00}));
    auto locked = read(0x6f07);
    EXPECT_EQ(error_code(locked), 82); // AccessDenied: EF_IMSI needs the PIN
    EXPECT_EQ(value_of(locked, 0x10), (std::vector<std::uint8_t> {0x69, 0x82}));
    EXPECT_EQ(bench.at("AT+CPIN=1234"), "\r\nOK\r\n");
    // 001010000000001: length 8, 0x09 (digit 0, odd, IMSI), then swapped pairs (TS 31.102 §4.2.2).
    EXPECT_EQ(value_of(read(0x6f07), 0x11),
        (std::vector<std::uint8_t> {9, 0, 0x08, 0x09, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x10}));
    auto missing = read(0x6fad);
    EXPECT_EQ(error_code(missing), 80); // SimFileNotFound
    EXPECT_EQ(value_of(missing, 0x10), (std::vector<std::uint8_t> {0x6a, 0x82}));
    EXPECT_EQ(error_code(read(0x2fe2, {11, 0, 0, 0})), code(ProtocolError::InvalidArgument));
    EXPECT_EQ(error_code(read(0x2fe2, {0, 0})), code(ProtocolError::MalformedMessage));
    EXPECT_EQ(
        error_code(bench.ask(Service::Uim, uim, qmi::uim::read_transparent, {{0x01, {0, 0}}})),
        code(ProtocolError::MissingArgument));
}

} // namespace
} // namespace uplink::sim
