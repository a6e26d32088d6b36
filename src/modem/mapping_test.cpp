// Parsed AT values (from the at module's parsers, fed real replies) into Snapshot fields.
#include "modem/mapping.hpp"

#include <gtest/gtest.h>

namespace uplink::modem {
namespace {

TEST(ModemMapping, RegistrationStatusFollows27007)
{
    EXPECT_EQ(registration_state_of(at::RegistrationStatus::Home), RegistrationState::Home);
    EXPECT_EQ(registration_state_of(at::RegistrationStatus::Roaming), RegistrationState::Roaming);
    EXPECT_EQ(
        registration_state_of(at::RegistrationStatus::Searching), RegistrationState::Searching);
    EXPECT_EQ(registration_state_of(at::RegistrationStatus::Denied), RegistrationState::Denied);
    EXPECT_EQ(
        registration_state_of(at::RegistrationStatus::NotRegistered), RegistrationState::Idle);
    EXPECT_EQ(registration_state_of(at::RegistrationStatus::SmsOnlyHome), RegistrationState::Idle);
    EXPECT_EQ(registration_state_of(at::RegistrationStatus::Emergency), RegistrationState::Idle);
    EXPECT_EQ(registration_state_of(at::RegistrationStatus::CsfbNotPreferredHome),
        RegistrationState::Home);
    EXPECT_EQ(registration_state_of(at::RegistrationStatus::CsfbNotPreferredRoaming),
        RegistrationState::Roaming);
    EXPECT_EQ(registration_state_of(at::RegistrationStatus::RestrictedLocalServices),
        RegistrationState::Idle);
    EXPECT_EQ(state_of(RegistrationState::Home), State::Registered);
    EXPECT_EQ(state_of(RegistrationState::Roaming), State::Registered);
    EXPECT_EQ(state_of(RegistrationState::Searching), State::Searching);
    EXPECT_EQ(state_of(RegistrationState::Denied), State::Enabled);
}

TEST(ModemMapping, AccessTechnology)
{
    EXPECT_EQ(technology_of(at::AccessTechnology::Eutran), Technology::Lte);
    EXPECT_EQ(technology_of(at::AccessTechnology::UtranHspa), Technology::Umts);
    EXPECT_EQ(technology_of(at::AccessTechnology::GsmEgprs), Technology::Gsm);
    EXPECT_EQ(technology_of(at::AccessTechnology::EutranNrDual), Technology::Nr5gNsa);
    EXPECT_EQ(technology_of(at::AccessTechnology::Nr), Technology::Nr5gSa);
    EXPECT_EQ(technology_of(std::string_view("FDD LTE")), Technology::Lte);
    EXPECT_EQ(technology_of(std::string_view("NR5G-SA")), Technology::Nr5gSa);
    EXPECT_EQ(technology_of(std::string_view("NR5G-NSA")), Technology::Nr5gNsa);
    EXPECT_EQ(technology_of(std::string_view("WCDMA")), Technology::Umts);
    EXPECT_EQ(technology_of(std::string_view("")), Technology::Unknown);
}

TEST(ModemMapping, SimStatesAndErrors)
{
    EXPECT_EQ(sim_state_of(at::PinState::Ready), SimState::Ready);
    EXPECT_EQ(sim_state_of(at::PinState::SimPin), SimState::PinRequired);
    EXPECT_EQ(sim_state_of(at::PinState::SimPuk), SimState::PukRequired);
    EXPECT_EQ(sim_state_of(at::PinState::PhNetPin), SimState::Error);
    auto missing = sim_failure_of(at::cme_error(10));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->sim, SimState::Missing);
    EXPECT_EQ(missing->reason, FailedReason::SimMissing);
    EXPECT_EQ(sim_failure_of(at::cme_error(13))->reason, FailedReason::SimError);
    EXPECT_EQ(sim_failure_of(at::cme_error(15))->reason, FailedReason::SimError);
    EXPECT_EQ(sim_failure_of(at::cme_error(12))->reason, FailedReason::PukRequired);
    EXPECT_FALSE(sim_failure_of(at::cme_error(30)));
    EXPECT_FALSE(sim_failure_of(make_error_code(at::Errc::Timeout)));
    EXPECT_TRUE(is_cme(at::cme_error(16), 16));
    EXPECT_FALSE(is_cme(at::cme_error(16), 12));
}

TEST(ModemMapping, OperatorIdFromImsi)
{
    EXPECT_EQ(operator_id_from_imsi("234150000000001"), "23415"); // Vodafone UK: 2-digit MNC
    EXPECT_EQ(operator_id_from_imsi("460083265908345"), "46008"); // quectel-CM log capture
    EXPECT_EQ(operator_id_from_imsi("310260000000001"), "310260"); // US: 3-digit MNC
    EXPECT_EQ(operator_id_from_imsi(""), "");
    EXPECT_EQ(operator_id_from_imsi("ERROR"), "");
}

// EC25 replies from modem-protocols.md §4.1: "+CREG: 0,1", "+CEREG: 0,1"; EC200A read form with
// cell.
TEST(ModemMapping, TheBestRegistrationPrefersRegisteredThenEps)
{
    auto parse = [](std::string_view line) {
        auto parsed = at::parse_registration(line);
        EXPECT_TRUE(parsed) << line;
        return parsed ? std::optional<at::Registration>(*parsed) : std::nullopt;
    };
    std::vector<std::optional<at::Registration>> registrations {
        parse("+CREG: 2,1,\"00A8\",\"5355E8D\",7"), parse("+CGREG: 0,2"), parse("+CEREG: 0,1")};
    EXPECT_EQ(best_registration(registrations), 2u); // registered on both CS and EPS: EPS wins
    registrations[2] = parse("+CEREG: 0,2");
    EXPECT_EQ(best_registration(registrations), 0u); // only CS is registered
    EXPECT_FALSE(best_registration({std::nullopt, std::nullopt, std::nullopt}));

    auto registration = registration_from(*registrations[0], Technology::Unknown);
    EXPECT_EQ(registration.state, RegistrationState::Home);
    EXPECT_EQ(registration.technology, Technology::Lte);
    EXPECT_EQ(registration.tac, 0xA8u);
    EXPECT_EQ(registration.cell_id, 0x5355E8Du);
    auto without_act = registration_from(*parse("+CEREG: 0,5"), Technology::Lte);
    EXPECT_EQ(without_act.state, RegistrationState::Roaming);
    EXPECT_EQ(without_act.technology, Technology::Lte);
}

// EC25, modem-protocols.md §4.2: +QENG:
// "servingcell","NOCONN","LTE","FDD",302,610,844D92A,248,900,2,5,5,D6E7,-89,-8,-61,17,38
TEST(ModemMapping, ServingCellFillsTheLteSignal)
{
    auto cell = at::parse_qeng_servingcell({"+QENG: "
                                            "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",302,610,"
                                            "844D92A,248,900,2,5,5,D6E7,-89,-8,-61,17,38"});
    ASSERT_TRUE(cell);
    Signal signal;
    apply_serving_cell(*cell, signal);
    EXPECT_EQ(signal.rsrp_dbm, -89);
    EXPECT_EQ(signal.rsrq_db, -8);
    EXPECT_EQ(signal.rssi_dbm, -61);
    EXPECT_EQ(signal.sinr_db, 17);
    EXPECT_EQ(signal.pci, 248);
    EXPECT_EQ(signal.earfcn, 900);
    EXPECT_EQ(signal.band, 2);

    auto searching = at::parse_qeng_servingcell({"+QENG: \"servingcell\",\"SEARCH\""});
    ASSERT_TRUE(searching);
    apply_serving_cell(*searching, signal);
    EXPECT_FALSE(signal.rsrp_dbm);
    EXPECT_FALSE(signal.band);
}

// A value the modem stops reporting is cleared, not kept from the poll before. The first QENG
// line is the EC25 one above; the second is the same cell with SINR "-" (as EC25 R06 prints a
// value it has not measured, reference §4.2).
TEST(ModemMapping, ASignalValueTheModemStopsReportingIsCleared)
{
    auto first = at::parse_qeng_servingcell({"+QENG: "
                                             "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",302,610,"
                                             "844D92A,248,900,2,5,5,D6E7,-89,-8,-61,17,38"});
    auto second = at::parse_qeng_servingcell({"+QENG: "
                                              "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",302,610,"
                                              "844D92A,248,900,2,5,5,D6E7,-90,-9,-62,-,38"});
    auto csq = at::parse_csq({"+CSQ: 17,99"});
    ASSERT_TRUE(first && second && csq);
    SignalReplies poll;
    poll.csq = *csq;
    poll.serving_cell = *first;
    EXPECT_EQ(signal_from(poll).sinr_db, 17);
    poll.serving_cell = *second;
    auto signal = signal_from(poll);
    EXPECT_FALSE(signal.sinr_db);
    EXPECT_EQ(signal.rsrp_dbm, -90);

    // The next poll's QENG failed (ERROR, or a line that did not parse): nothing of the cell
    // is left; the CSQ of the same poll still gives the RSSI.
    poll.serving_cell.reset();
    signal = signal_from(poll);
    EXPECT_FALSE(signal.rsrp_dbm);
    EXPECT_FALSE(signal.rsrq_db);
    EXPECT_FALSE(signal.sinr_db);
    EXPECT_FALSE(signal.band);
    EXPECT_EQ(signal.rssi_dbm, -79);

    // No CSQ either (the modem answered +CSQ: 99,99): no RSSI.
    poll.csq = *at::parse_csq({"+CSQ: 99,99"});
    EXPECT_FALSE(signal_from(poll).rssi_dbm);

    // Carriers and per-antenna RSRP follow the same rule.
    poll.carriers
        = *at::parse_qcainfo({"+QCAINFO: \"pcc\",250,50,\"LTE BAND 1\",1,277,-97,-9,-71,15"});
    poll.antennas = *at::parse_qrsrp({"+QRSRP: -85,-86,-86,-83,LTE"});
    signal = signal_from(poll);
    EXPECT_EQ(signal.carriers.size(), 1u);
    EXPECT_FALSE(signal.antenna_rsrp_dbm.empty());
    poll.carriers.clear();
    poll.antennas.reset();
    signal = signal_from(poll);
    EXPECT_TRUE(signal.carriers.empty());
    EXPECT_TRUE(signal.antenna_rsrp_dbm.empty());
}

// 3GPP TS 27.007 §8.69: RSRP/RSRQ level 255 is "not known or not detectable".
TEST(ModemMapping, CesqWithoutRsrpClearsIt)
{
    Signal signal;
    auto measured = at::parse_cesq({"+CESQ: 99,99,255,255,20,50"});
    ASSERT_TRUE(measured);
    apply_extended_signal_quality(*measured, signal);
    EXPECT_EQ(signal.rsrp_dbm, -91);
    EXPECT_EQ(signal.rsrq_db, -10);
    auto lost = at::parse_cesq({"+CESQ: 99,99,255,255,255,255"});
    ASSERT_TRUE(lost);
    apply_extended_signal_quality(*lost, signal);
    EXPECT_FALSE(signal.rsrp_dbm);
    EXPECT_FALSE(signal.rsrq_db);
}

TEST(ModemMapping, CsqAndQindCsqGiveRssi)
{
    auto quality = at::parse_csq({"+CSQ: 17,99"}); // gsm-port.conf in ModemManager's tests
    ASSERT_TRUE(quality);
    Signal signal;
    apply_signal_quality(*quality, signal);
    EXPECT_EQ(signal.rssi_dbm, -79);
    auto urc = parse_qind_csq("+QIND: \"csq\",20,99");
    ASSERT_TRUE(urc);
    EXPECT_EQ(urc->rssi_dbm, -73);
    EXPECT_FALSE(parse_qind_csq("+QIND: \"act\",\"LTE\""));
    EXPECT_FALSE(parse_qind_csq("+QIND: SMS DONE"));
}

TEST(ModemMapping, CarrierAggregation)
{
    auto components
        = at::parse_qcainfo({"+QCAINFO: \"pcc\",250,50,\"LTE BAND 1\",1,277,-97,-9,-71,15"});
    ASSERT_TRUE(components);
    auto carriers = carriers_from(*components);
    ASSERT_EQ(carriers.size(), 1u);
    EXPECT_TRUE(carriers[0].primary);
    EXPECT_EQ(carriers[0].band, "LTE BAND 1");
    EXPECT_EQ(carriers[0].earfcn, 250);
    EXPECT_EQ(carriers[0].bandwidth_rb, 50);
    EXPECT_EQ(carriers[0].pci, 277);
    EXPECT_EQ(carriers[0].rsrp_dbm, -97);
}

TEST(ModemMapping, SignalComparisonIgnoresTheUpdateTime)
{
    Signal a;
    a.rsrp_dbm = -90;
    auto b = a;
    b.updated = Clock::now();
    EXPECT_TRUE(same_values(a, b));
    b.rsrp_dbm = -91;
    EXPECT_FALSE(same_values(a, b));
    b = a;
    b.carriers.push_back(Carrier {});
    EXPECT_FALSE(same_values(a, b));
}

TEST(ModemMapping, ShortIccidHidesTheMiddle)
{
    EXPECT_EQ(short_iccid("89440000000000001234"), "8944…1234");
    EXPECT_EQ(short_iccid("1234"), "1234");
}

} // namespace
} // namespace uplink::modem
