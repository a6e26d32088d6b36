// The AT responder, sans-I/O: exact reply bytes for every command, driven by a fake clock.
// Expected lines follow the EC25 forms in modem-protocols.md §4 (captured replies from real
// EC25 firmware, e.g. EC25EFAR06A06M4G).
#include "sim/modem.hpp"
#include "sim/tests/at_replies.hpp"

#include <functional>
#include <gtest/gtest.h>

namespace uplink::sim {
namespace {

using uplink::sim::testing::lines;
using uplink::sim::testing::ok;

constexpr std::string_view scenario_text = R"({
  "operators": [
    {"mcc": "001", "mnc": "01", "long_name": "Uplink Test UK", "short_name": "UPLINK", "apns": ["internet"]},
    {"mcc": "001", "mnc": "02", "long_name": "Other Test Network", "short_name": "OTHER"}
  ],
  "sims": [{"id": "card", "iccid": "8944001000000000012F", "imsi": "001010000000001",
            "pin": "1234", "puk": "12345678", "pin_enabled": true}],
  "modems": [{
    "id": "ec25", "revision": "EC25EFAR06A06M4G", "imei": "866758040112340",
    "usb": {"path": "1-1"}, "sim": "card",
    "radio": {"band": 3, "earfcn": 1575, "pci": 248, "bandwidth_mhz": 20, "cell_id": "1A2B3C4", "tac": "D6E7",
              "rsrp": -85, "rsrq": -8, "rssi": -58, "sinr": 18,
              "secondary": {"band": 20, "earfcn": 6300, "pci": 17, "bandwidth_mhz": 10,
                            "rsrp": -95, "rsrq": -11, "rssi": -67, "sinr": 9}},
    "timeline": [{"after_ms": 60000, "set": {"cell_id": "1A2B3C5", "rsrp": -99}}],
    "timings": {"boot_ms": 100, "latency_ms": 10, "attach_ms": 500, "sim_init_ms": 20, "scan_ms": 1000}
  }]
})";

// URCs: each framed on its own.
std::string urcs(std::initializer_list<std::string_view> texts)
{
    std::string out;
    for (auto text : texts)
        out += frame(text);
    return out;
}

// One modem on a fake clock: send() answers a line at once and lets the reply latency pass;
// every URC that came out meanwhile is collected in `urcs`.
class Bench {
public:
    explicit Bench(const std::function<void(Scenario&)>& adjust = {})
    {
        std::string message;
        auto parsed = parse_scenario(scenario_text, message);
        EXPECT_TRUE(parsed) << message;
        scenario_ = *parsed;
        if (adjust)
            adjust(scenario_);
        const auto& spec = scenario_.modems.front();
        std::optional<SimCard> card;
        if (spec.sim)
            card = SimCard(*scenario_.find_sim(*spec.sim));
        modem = std::make_unique<Modem>(
            spec, scenario_.operators, std::move(card), initial_surroundings(spec), now, now);
    }

    void run_for(Duration duration)
    {
        now += duration;
        for (const auto& urc : modem->advance(now))
            urcs += urc;
    }

    // The reply, and the URCs it caused (they follow it by 1 ms).
    std::string send(std::string_view line, int interface = 2)
    {
        auto answer = modem->command(interface, line, now);
        if (!answer)
            return "(no answer)";
        run_for(answer->delay + Duration(1));
        return answer->echo + answer->reply;
    }

    // Without echo, so tables read as the reply alone.
    std::string ask(std::string_view line)
    {
        auto answer = modem->command(2, line, now);
        if (!answer)
            return "(no answer)";
        run_for(answer->delay + Duration(1));
        return answer->reply;
    }

    void boot()
    {
        run_for(Duration(100 + 20 + 20));
        urcs.clear();
        EXPECT_EQ(send("ATE0"), "ATE0\r" + ok);
    }

    void register_with_pin()
    {
        boot();
        EXPECT_EQ(ask("AT+CPIN=1234"), ok);
        run_for(Duration(600));
        urcs.clear();
        ASSERT_TRUE(modem->registration() == RegistrationStatus::Home
            || modem->registration() == RegistrationStatus::Roaming);
    }

    std::string take_urcs() { return std::exchange(urcs, {}); }

    Scenario scenario_;
    Clock::time_point now = Clock::time_point {} + std::chrono::hours(1);
    std::unique_ptr<Modem> modem;
    std::string urcs;
};

void disable_pin(Scenario& scenario)
{
    scenario.sims.front().pin_enabled = false;
}

// ---------------------------------------------------------------- boot and echo
TEST(Responder, DoesNotAnswerBeforeBoot)
{
    Bench bench;
    EXPECT_EQ(bench.send("AT"), "(no answer)");
    bench.run_for(Duration(99));
    EXPECT_EQ(bench.send("AT"), "(no answer)");
    EXPECT_EQ(bench.urcs, "");
    bench.run_for(Duration(1));
    EXPECT_EQ(bench.urcs, "\r\nRDY\r\n");
    EXPECT_EQ(bench.send("AT"), "AT\r" + ok);
}

TEST(Responder, BootSequenceWithPinLockedSim)
{
    Bench bench;
    bench.run_for(Duration(100));
    EXPECT_EQ(bench.take_urcs(), urcs({"RDY"}));
    EXPECT_EQ(bench.send("AT+CPIN?"),
        "AT+CPIN?\r\r\n+CME ERROR: 14\r\n"); // SIM busy while it initializes
    bench.run_for(Duration(20));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CPIN: SIM PIN", "+QUSIM: 1"}));
    bench.run_for(Duration(1000));
    EXPECT_EQ(bench.take_urcs(), ""); // SMS and phonebook wait for the PIN
}

TEST(Responder, BootSequenceWithoutPin)
{
    Bench bench(disable_pin);
    bench.run_for(Duration(100 + 20 + 20));
    EXPECT_EQ(bench.take_urcs(),
        urcs({"RDY", "+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE"}));
}

TEST(Responder, EchoOnByDefaultThenOff)
{
    Bench bench;
    bench.run_for(Duration(140));
    EXPECT_EQ(
        bench.send("ATI"), "ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n");
    EXPECT_EQ(bench.send("ATE0"), "ATE0\r\r\nOK\r\n");
    EXPECT_EQ(bench.send("ATI"), "\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n");
    EXPECT_EQ(bench.send("ATE1"), "\r\nOK\r\n");
    EXPECT_EQ(bench.send("at"), "at\r" + ok);
    // Echo is per port: ttyUSB3 still echoes after ATE0 on ttyUSB2, and so does a connection
    // on the AT socket (the emulator numbers them from 16) until it sends ATE0 itself.
    bench.send("ATE0");
    EXPECT_EQ(bench.send("AT", 3), "AT\r" + ok);
    EXPECT_EQ(bench.send("AT", 16), "AT\r" + ok);
    EXPECT_EQ(bench.send("ATE0", 16), "ATE0\r" + ok);
    EXPECT_EQ(bench.send("AT", 16), ok);
    EXPECT_EQ(bench.send("AT", 3), "AT\r" + ok);
    bench.modem->forget_port(16); // the connection closed: the next one starts with ATE1
    EXPECT_EQ(bench.send("AT", 16), "AT\r" + ok);
}

TEST(Responder, LinesWithoutAtGetNoAnswer)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.send("hello"), "");
    EXPECT_EQ(bench.send(""), "");
    EXPECT_EQ(bench.ask("AT+NOSUCH"), "\r\nERROR\r\n");
    EXPECT_EQ(bench.ask("AT+CSQ junk"), "\r\nERROR\r\n");
}

TEST(Responder, IdentityCommands)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CGMI"), lines({"Quectel"}) + ok);
    EXPECT_EQ(bench.ask("AT+GMI"), lines({"Quectel"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGMM"), lines({"EC25"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGMR"), lines({"EC25EFAR06A06M4G"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGSN"), lines({"866758040112340"}) + ok);
    EXPECT_EQ(bench.ask("AT+GSN"), lines({"866758040112340"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGSN=?"), ok);
}

// ---------------------------------------------------------------- errors
TEST(Responder, CmeErrorForms)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CMEE?"), lines({"+CMEE: 1"}) + ok);
    EXPECT_EQ(bench.ask("AT+CIMI"), "\r\n+CME ERROR: 11\r\n");
    EXPECT_EQ(bench.ask("AT+CMEE=2"), ok);
    EXPECT_EQ(bench.ask("AT+CIMI"), "\r\n+CME ERROR: SIM PIN required\r\n");
    EXPECT_EQ(bench.ask("AT+COPS=?"), "\r\n+CME ERROR: SIM PIN required\r\n");
    EXPECT_EQ(bench.ask("AT+CFUN=7"), "\r\n+CME ERROR: incorrect parameters\r\n");
    EXPECT_EQ(bench.ask("AT+CMEE=0"), ok);
    EXPECT_EQ(bench.ask("AT+CIMI"), "\r\nERROR\r\n");
    EXPECT_EQ(bench.ask("AT+CMEE=3"), "\r\nERROR\r\n");
    EXPECT_EQ(bench.ask("AT+CMEE=?"), lines({"+CMEE: (0-2)"}) + ok);
}

TEST(Responder, NoSimGivesError10)
{
    Bench bench([](Scenario& scenario) { scenario.modems.front().sim.reset(); });
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CPIN?"), "\r\n+CME ERROR: 10\r\n");
    EXPECT_EQ(bench.ask("AT+QCCID"), "\r\n+CME ERROR: 10\r\n");
    EXPECT_EQ(bench.ask("AT+CIMI"), "\r\n+CME ERROR: 10\r\n");
    EXPECT_EQ(bench.ask("AT+CMEE=2"), ok);
    EXPECT_EQ(bench.ask("AT+CPIN?"), "\r\n+CME ERROR: SIM not inserted\r\n");
    EXPECT_EQ(bench.ask("AT+CEREG?"), lines({"+CEREG: 0,0"}) + ok);
}

// ---------------------------------------------------------------- SIM
TEST(Responder, CorrectPinUnlocksAndReportsReady)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CPIN?"), lines({"+CPIN: SIM PIN"}) + ok);
    EXPECT_EQ(bench.ask("AT+QCCID"),
        lines({"+QCCID: 8944001000000000012F"}) + ok); // readable while locked
    EXPECT_EQ(bench.ask("AT+CLCK=\"SC\",2"), lines({"+CLCK: 1"}) + ok);
    EXPECT_EQ(bench.ask("AT+CPIN=\"1234\""), ok);
    EXPECT_EQ(bench.take_urcs(), urcs({"+CPIN: READY"}));
    EXPECT_EQ(bench.ask("AT+CPIN?"), lines({"+CPIN: READY"}) + ok);
    EXPECT_EQ(bench.ask("AT+CIMI"), lines({"001010000000001"}) + ok);
    bench.run_for(Duration(20));
    EXPECT_EQ(bench.take_urcs(), urcs({"+QIND: SMS DONE", "+QIND: PB DONE"}));
    EXPECT_EQ(bench.ask("AT+CPIN=1234"), "\r\n+CME ERROR: 3\r\n"); // nothing to unlock
    EXPECT_EQ(bench.modem->counters().pin_attempts, 1);
}

// EF_ICCID and EF_IMSI as the card stores them (BCD, digits swapped in each byte), the way
// ModemManager's generic SIM reads them; the ICCID needs no PIN, the IMSI does.
TEST(Responder, RestrictedSimAccessReadsIccidAndImsi)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CRSM=176,12258,0,0,10"),
        lines({"+CRSM: 144,0,\"984400010000000010F2\""}) + ok);
    EXPECT_EQ(bench.ask("AT+CRSM=176,12258,0,8,2"), lines({"+CRSM: 144,0,\"10F2\""}) + ok);
    EXPECT_EQ(bench.ask("AT+CRSM=176,12258,0,0,11"), lines({"+CRSM: 107,0"}) + ok);
    EXPECT_EQ(bench.ask("AT+CRSM=176,28423,0,0,9"), lines({"+CRSM: 105,130"}) + ok);
    EXPECT_EQ(bench.ask("AT+CRSM=176,28589,0,0,4"), lines({"+CRSM: 106,130"}) + ok); // EF_AD
    EXPECT_EQ(bench.ask("AT+CRSM=242"), lines({"+CRSM: 109,0"}) + ok); // STATUS
    EXPECT_EQ(bench.ask("AT+CRSM=176,12258,0"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.ask("AT+CRSM=176,12258,0,0,256"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.ask("AT+CPIN=1234"), ok);
    EXPECT_EQ(
        bench.ask("AT+CRSM=176,28423,0,0,9"), lines({"+CRSM: 144,0,\"080910100000000010\""}) + ok);
}

TEST(Responder, WrongPinDecrementsThenPukRequired)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+QPINC?"), lines({"+QPINC: \"SC\",3,10", "+QPINC: \"P2\",3,10"}) + ok);
    EXPECT_EQ(bench.ask("AT+CPIN=0000"), "\r\n+CME ERROR: 16\r\n");
    EXPECT_EQ(bench.ask("AT+QPINC=\"SC\""), lines({"+QPINC: \"SC\",2,10"}) + ok);
    EXPECT_EQ(bench.ask("AT+CPIN=1111"), "\r\n+CME ERROR: 16\r\n");
    EXPECT_EQ(bench.ask("AT+CPIN?"), lines({"+CPIN: SIM PIN"}) + ok);
    EXPECT_EQ(bench.ask("AT+CPIN=2222"), "\r\n+CME ERROR: 16\r\n");
    EXPECT_EQ(bench.ask("AT+CPIN?"), lines({"+CPIN: SIM PUK"}) + ok);
    EXPECT_EQ(bench.ask("AT+QPINC=\"SC\""), lines({"+QPINC: \"SC\",0,10"}) + ok);
    EXPECT_EQ(bench.ask("AT+CPIN=1234"), "\r\n+CME ERROR: 12\r\n"); // the right PIN is too late
    EXPECT_EQ(bench.ask("AT+CIMI"), "\r\n+CME ERROR: 12\r\n");
    EXPECT_EQ(bench.ask("AT+CPIN=12x4"), "\r\n+CME ERROR: 12\r\n");
    EXPECT_EQ(bench.modem->counters().pin_attempts, 3);
    EXPECT_EQ(bench.modem->card()->spec().pin_retries, 0);
}

TEST(Responder, PukFlowSetsNewPin)
{
    Bench bench([](Scenario& scenario) { scenario.sims.front().pin_retries = 0; });
    bench.run_for(Duration(120));
    EXPECT_EQ(bench.take_urcs(), urcs({"RDY", "+CPIN: SIM PUK", "+QUSIM: 1"}));
    bench.send("ATE0");
    EXPECT_EQ(bench.ask("AT+CPIN=\"87654321\",\"4321\""), "\r\n+CME ERROR: 16\r\n");
    EXPECT_EQ(bench.ask("AT+QPINC=\"SC\""), lines({"+QPINC: \"SC\",0,9"}) + ok);
    EXPECT_EQ(
        bench.ask("AT+CPIN=\"1234\",\"4321\""), "\r\n+CME ERROR: 50\r\n"); // a PUK has 8 digits
    EXPECT_EQ(bench.ask("AT+CPIN=\"12345678\",\"4321\""), ok);
    EXPECT_EQ(bench.take_urcs(), urcs({"+CPIN: READY"}));
    EXPECT_EQ(bench.ask("AT+QPINC=\"SC\""), lines({"+QPINC: \"SC\",3,10"}) + ok);
    EXPECT_EQ(bench.modem->card()->spec().pin, "4321");
    EXPECT_EQ(bench.modem->counters().puk_attempts, 2);
}

TEST(Responder, WrongPukAtZeroBlocksTheSim)
{
    Bench bench([](Scenario& scenario) {
        scenario.sims.front().pin_retries = 0;
        scenario.sims.front().puk_retries = 1;
    });
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CPIN=00000000,1111"), "\r\n+CME ERROR: 16\r\n");
    EXPECT_EQ(bench.ask("AT+CPIN?"), "\r\n+CME ERROR: 13\r\n");
    EXPECT_EQ(bench.ask("AT+CPIN=12345678,1111"), "\r\n+CME ERROR: 13\r\n");
    EXPECT_EQ(bench.ask("AT+QPINC=\"SC\""), lines({"+QPINC: \"SC\",0,0"}) + ok);
    EXPECT_EQ(bench.ask("AT+CMEE=2"), ok);
    EXPECT_EQ(bench.ask("AT+CIMI"), "\r\n+CME ERROR: SIM failure\r\n");
}

TEST(Responder, FacilityLockEnablesAndDisablesThePin)
{
    Bench bench(disable_pin);
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CLCK=\"SC\",2"), lines({"+CLCK: 0"}) + ok);
    EXPECT_EQ(bench.ask("AT+CLCK=\"SC\",1,\"9999\""), "\r\n+CME ERROR: 16\r\n");
    EXPECT_EQ(bench.ask("AT+CLCK=\"SC\",1,\"1234\""), ok);
    EXPECT_EQ(bench.ask("AT+CLCK=\"SC\",2"), lines({"+CLCK: 1"}) + ok);
    EXPECT_EQ(bench.ask("AT+CLCK=\"SC\",0,\"1234\""), ok);
    EXPECT_EQ(bench.ask("AT+CLCK=\"SC\",2"), lines({"+CLCK: 0"}) + ok);
    EXPECT_EQ(bench.ask("AT+CLCK=\"SC\",1"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.ask("AT+CLCK=\"PN\",2"), lines({"+CLCK: 0"}) + ok);
    EXPECT_EQ(bench.ask("AT+CLCK=\"XX\",2"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.modem->counters().pin_attempts, 3);
}

TEST(Responder, SimRemovalAndInsertion)
{
    Bench bench;
    bench.register_with_pin();
    auto card = bench.modem->remove_sim(bench.now);
    ASSERT_TRUE(card);
    bench.run_for(Duration(0));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CPIN: NOT READY"}));
    EXPECT_EQ(bench.ask("AT+CPIN?"), "\r\n+CME ERROR: 10\r\n");
    EXPECT_EQ(bench.modem->registration(), RegistrationStatus::NotRegistered);
    bench.modem->insert_sim(std::move(*card), bench.now);
    bench.run_for(Duration(20));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CPIN: SIM PIN", "+QUSIM: 1"})); // a new session: PIN again
}

// ---------------------------------------------------------------- registration
TEST(Responder, RegistrationUrcsFollowTheMode)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CEREG=2"), ok);
    EXPECT_EQ(bench.ask("AT+CREG=1"), ok);
    EXPECT_EQ(bench.ask("AT+CEREG?"), lines({"+CEREG: 2,0"}) + ok);
    EXPECT_EQ(bench.ask("AT+CPIN=1234"), ok);
    EXPECT_EQ(bench.take_urcs(), urcs({"+CPIN: READY", "+CREG: 2", "+CEREG: 2"}));
    bench.run_for(Duration(498)); // the attach completes 500 ms after the reply to the PIN
    EXPECT_EQ(bench.take_urcs(), urcs({"+QIND: SMS DONE", "+QIND: PB DONE"}));
    bench.run_for(Duration(1));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CREG: 1", "+CEREG: 1,\"D6E7\",\"1A2B3C4\",7"}));
    EXPECT_EQ(bench.ask("AT+CEREG?"), lines({"+CEREG: 2,1,\"D6E7\",\"1A2B3C4\",7"}) + ok);
    EXPECT_EQ(bench.ask("AT+CREG?"), lines({"+CREG: 1,1"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGREG?"), lines({"+CGREG: 0,1"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGREG=2"), ok);
    EXPECT_EQ(bench.ask("AT+CGREG?"), lines({"+CGREG: 2,1,\"D6E7\",\"1A2B3C4\",7"}) + ok);
    EXPECT_EQ(bench.ask("AT+CEREG=5"), "\r\n+CME ERROR: 50\r\n");
}

TEST(Responder, FunctionalityTakesTheModemOffAndOn)
{
    Bench bench;
    bench.register_with_pin();
    EXPECT_EQ(bench.ask("AT+CEREG=1"), ok);
    EXPECT_EQ(bench.ask("AT+CFUN?"), lines({"+CFUN: 1"}) + ok);
    EXPECT_EQ(bench.ask("AT+CFUN=4"), ok);
    EXPECT_EQ(bench.take_urcs(), urcs({"+CEREG: 0"}));
    EXPECT_EQ(bench.ask("AT+CFUN?"), lines({"+CFUN: 4"}) + ok);
    EXPECT_EQ(bench.ask("AT+COPS=?"), "\r\n+CME ERROR: 3\r\n");
    EXPECT_EQ(bench.ask("AT+CFUN=1"), ok);
    EXPECT_EQ(bench.take_urcs(), urcs({"+CEREG: 2"}));
    bench.run_for(Duration(500));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CEREG: 1"}));
}

TEST(Responder, ResetRebootsWithRdy)
{
    Bench bench;
    bench.register_with_pin();
    EXPECT_EQ(bench.ask("AT+CFUN=1,1"), ok);
    EXPECT_FALSE(bench.modem->booted());
    EXPECT_EQ(bench.send("AT"), "(no answer)");
    bench.run_for(Duration(100));
    EXPECT_EQ(bench.take_urcs(), urcs({"RDY"}));
    bench.run_for(Duration(20));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CPIN: SIM PIN", "+QUSIM: 1"}));
    EXPECT_EQ(bench.send("AT"), "AT\r" + ok); // echo back on: settings reset
}

TEST(Responder, DetachAndAttach)
{
    Bench bench;
    bench.register_with_pin();
    bench.ask("AT+CEREG=1");
    bench.modem->set_network_access(NetworkAccess::Detached, bench.now);
    bench.run_for(Duration(0));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CEREG: 2"}));
    EXPECT_EQ(
        bench.ask("AT+QENG=\"servingcell\""), lines({"+QENG: \"servingcell\",\"SEARCH\""}) + ok);
    bench.modem->set_network_access(NetworkAccess::Allowed, bench.now);
    bench.run_for(Duration(500));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CEREG: 1"}));
}

TEST(Responder, RoamingOnAForeignNetwork)
{
    Bench bench([](Scenario& scenario) { scenario.modems.front().radio.operator_plmn = "00102"; });
    bench.register_with_pin();
    EXPECT_EQ(bench.modem->registration(), RegistrationStatus::Roaming);
    EXPECT_EQ(bench.ask("AT+CEREG?"), lines({"+CEREG: 0,5"}) + ok);
    EXPECT_EQ(bench.ask("AT+COPS?"), lines({"+COPS: 0,0,\"Other Test Network\",7"}) + ok);
}

// ---------------------------------------------------------------- operator selection
TEST(Responder, OperatorSelection)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+COPS?"), lines({"+COPS: 0"}) + ok);
    bench.ask("AT+CPIN=1234");
    bench.run_for(Duration(500));
    EXPECT_EQ(bench.ask("AT+COPS?"), lines({"+COPS: 0,0,\"Uplink Test UK\",7"}) + ok);
    EXPECT_EQ(bench.ask("AT+COPS=3,2"), ok);
    EXPECT_EQ(bench.ask("AT+COPS?"), lines({"+COPS: 0,2,\"00101\",7"}) + ok);
    auto answer = bench.modem->command(2, "AT+COPS=?", bench.now);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->delay, Duration(1010)); // the scan takes a while
    EXPECT_EQ(answer->reply,
        lines({"+COPS: (2,\"Uplink Test UK\",\"UPLINK\",\"00101\",7),"
               "(1,\"Other Test Network\",\"OTHER\",\"00102\",7),,(0,1,2,3,4),(0,1,2)"})
            + ok);
    EXPECT_EQ(bench.ask("AT+COPS=2"), ok);
    EXPECT_EQ(bench.modem->registration(), RegistrationStatus::NotRegistered);
    EXPECT_EQ(bench.ask("AT+COPS?"), lines({"+COPS: 2"}) + ok);
    EXPECT_EQ(bench.ask("AT+COPS=1,2,\"00102\""), "\r\n+CME ERROR: 30\r\n");
    answer = bench.modem->command(2, "AT+COPS=1,2,\"00101\",7", bench.now);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->delay, Duration(510)); // the reply waits for the registration
    bench.run_for(answer->delay);
    EXPECT_EQ(bench.modem->registration(), RegistrationStatus::Home);
    EXPECT_EQ(bench.ask("AT+COPS?"), lines({"+COPS: 1,2,\"00101\",7"}) + ok);
    EXPECT_EQ(bench.ask("AT+COPS=0"), ok);
}

// 27.007 §5.5: in UCS2 (as a Huawei another program left so) names are hex, per port.
TEST(Responder, OperatorNamesInTheCharacterSetOfThePort)
{
    Bench bench;
    bench.register_with_pin();
    EXPECT_EQ(bench.ask("AT+CSCS?"), lines({"+CSCS: \"IRA\""}) + ok);
    EXPECT_EQ(bench.ask("AT+CSCS=\"UCS2\""), ok);
    EXPECT_EQ(bench.ask("AT+CSCS?"), lines({"+CSCS: \"UCS2\""}) + ok);
    EXPECT_EQ(bench.ask("AT+COPS?"),
        lines({"+COPS: 0,0,\"00550070006C0069006E006B0020005400650073007400200055004B\",7"}) + ok);
    EXPECT_EQ(bench.ask("AT+CSCS=\"KOI8-R\""), "\r\n+CME ERROR: 4\r\n");
    EXPECT_EQ(bench.ask("AT+CSCS=\"IRA\""), ok);
    EXPECT_EQ(bench.ask("AT+COPS?"), lines({"+COPS: 0,0,\"Uplink Test UK\",7"}) + ok);
}

// ---------------------------------------------------------------- signal
TEST(Responder, SignalWhenRegistered)
{
    Bench bench;
    bench.register_with_pin();
    // RSSI -58 dBm: (−58 + 113) / 2 = 27 (27.007 §8.5).
    EXPECT_EQ(bench.ask("AT+CSQ"), lines({"+CSQ: 27,99"}) + ok);
    // RSRQ -8 dB -> 24, RSRP -85 dBm -> 56 (27.007 §8.69).
    EXPECT_EQ(bench.ask("AT+CESQ"), lines({"+CESQ: 99,99,255,255,24,56"}) + ok);
    EXPECT_EQ(bench.ask("AT+QENG=\"servingcell\""),
        lines({"+QENG: "
               "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",001,01,1A2B3C4,248,1575,3,5,5,D6E7,-85,-"
               "8,-58,18,42"})
            + ok);
    EXPECT_EQ(bench.ask("AT+QNWINFO"),
        lines({"+QNWINFO: \"FDD LTE\",\"00101\",\"LTE BAND 3\",1575"}) + ok);
    EXPECT_EQ(bench.ask("AT+QCAINFO"),
        lines({"+QCAINFO: \"pcc\",1575,100,\"LTE BAND 3\",1,248,-85,-8,-58,18",
            "+QCAINFO: \"scc\",6300,50,\"LTE BAND 20\",2,17,-95,-11,-67,9"})
            + ok);
    EXPECT_EQ(bench.ask("AT+QRSRP"), lines({"+QRSRP: -85,-88,-32768,-32768,LTE"}) + ok);
    EXPECT_EQ(bench.ask("AT+QENG=\"neighbourcell\""), ok);
    EXPECT_EQ(bench.ask("AT+QENG=\"bogus\""), "\r\n+CME ERROR: 50\r\n");
}

TEST(Responder, SignalWhenNotRegistered)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CSQ"), lines({"+CSQ: 99,99"}) + ok);
    EXPECT_EQ(bench.ask("AT+CESQ"), lines({"+CESQ: 99,99,255,255,255,255"}) + ok);
    EXPECT_EQ(
        bench.ask("AT+QENG=\"servingcell\""), lines({"+QENG: \"servingcell\",\"SEARCH\""}) + ok);
    EXPECT_EQ(bench.ask("AT+QNWINFO"), lines({"+QNWINFO: No Service"}) + ok);
    EXPECT_EQ(bench.ask("AT+QCAINFO"), ok);
}

TEST(Responder, QrsrpCanAnswerError)
{
    Bench bench([](Scenario& scenario) { scenario.modems.front().qrsrp = QrsrpSupport::Error; });
    bench.register_with_pin();
    EXPECT_EQ(bench.ask("AT+QRSRP"), "\r\nERROR\r\n");
}

TEST(Responder, TimelineAndControlChangeTheRadio)
{
    Bench bench;
    bench.register_with_pin();
    bench.ask("AT+CEREG=2");
    RadioPatch patch;
    patch.rsrp = -100;
    patch.rssi = -70;
    bench.modem->change_radio(patch, bench.now);
    EXPECT_EQ(bench.ask("AT+CSQ"), lines({"+CSQ: 21,99"}) + ok);
    EXPECT_EQ(bench.take_urcs(), ""); // signal alone is not a registration change
    bench.run_for(std::chrono::seconds(60));
    EXPECT_EQ(
        bench.take_urcs(), urcs({"+CEREG: 1,\"D6E7\",\"1A2B3C5\",7"})); // the timeline's new cell
    EXPECT_EQ(bench.modem->radio().primary.rsrp, -99);
}

// ---------------------------------------------------------------- configuration
TEST(Responder, PdpContexts)
{
    Bench bench;
    bench.boot();
    EXPECT_EQ(bench.ask("AT+CGDCONT?"),
        lines({"+CGDCONT: 1,\"IPV4V6\",\"\",\"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0\",0,0,0,0"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGDCONT=1,\"IP\",\"internet\""), ok);
    EXPECT_EQ(bench.ask("AT+CGDCONT=3,\"ipv4v6\",\"ims\""), ok);
    EXPECT_EQ(bench.ask("AT+CGDCONT?"),
        lines({"+CGDCONT: 1,\"IP\",\"internet\",\"0.0.0.0\",0,0,0,0",
            "+CGDCONT: 3,\"IPV4V6\",\"ims\",\"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0\",0,0,0,0"})
            + ok);
    EXPECT_EQ(bench.ask("AT+CGDCONT=3"), ok);
    EXPECT_EQ(bench.ask("AT+CGDCONT?"),
        lines({"+CGDCONT: 1,\"IP\",\"internet\",\"0.0.0.0\",0,0,0,0"}) + ok);
    EXPECT_EQ(bench.ask("AT+CGDCONT=1,\"X25\",\"a\""), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.ask("AT+CGDCONT=99,\"IP\",\"a\""), "\r\n+CME ERROR: 50\r\n");
}

TEST(Responder, QuectelConfiguration)
{
    Bench bench;
    bench.register_with_pin();
    // EC25-E bands 1,3,5,7,8,20,38,40,41: bits 0,2,4,6,7,19,37,39,40.
    EXPECT_EQ(
        bench.ask("AT+QCFG=\"band\""), lines({"+QCFG: \"band\",0x93,0x1a0000800d5,0x0"}) + ok);
    EXPECT_EQ(bench.ask("AT+QCFG=\"usbnet\""), lines({"+QCFG: \"usbnet\",0"}) + ok);
    EXPECT_EQ(bench.ask("AT+QCFG=\"nwscanmode\""), lines({"+QCFG: \"nwscanmode\",0"}) + ok);
    bench.ask("AT+CEREG=1");
    // Band 20 only (bit 19): the band 3 cell is out of reach.
    EXPECT_EQ(bench.ask("AT+QCFG=\"band\",0,80000,0,1"), ok);
    EXPECT_EQ(bench.take_urcs(), urcs({"+CEREG: 2"}));
    EXPECT_EQ(bench.ask("AT+QCFG=\"band\""), lines({"+QCFG: \"band\",0x0,0x80000,0x0"}) + ok);
    EXPECT_EQ(bench.ask("AT+QCFG=\"band\",93,0x1a0000800d5,0"), ok);
    bench.run_for(Duration(500));
    EXPECT_EQ(bench.take_urcs(), urcs({"+CEREG: 1"}));
    EXPECT_EQ(bench.ask("AT+QCFG=\"band\",0,zz,0"), "\r\n+CME ERROR: 50\r\n");
    EXPECT_EQ(bench.ask("AT+QCFG=\"band\",0,100000000,0"),
        "\r\n+CME ERROR: 50\r\n"); // band 33 only: unsupported
    EXPECT_EQ(bench.ask("AT+QCFG=\"nosuch\""), "\r\nERROR\r\n");
}

// ---------------------------------------------------------------- command lines
TEST(Responder, SeveralCommandsOnOneLine)
{
    Bench bench;
    bench.register_with_pin();
    // Each command's information text has its own header and trailer (V.250 §5.7.1).
    EXPECT_EQ(bench.ask("AT+CSQ;+CREG?"), lines({"+CSQ: 27,99"}) + lines({"+CREG: 0,1"}) + ok);
    EXPECT_EQ(bench.ask("AT+CSQ;+NOSUCH;+CREG?"), lines({"+CSQ: 27,99"}) + "\r\nERROR\r\n");
    EXPECT_EQ(bench.ask("ATE0 V1 Q0"), ok);
}

TEST(Responder, OverridesAnswerInstead)
{
    Bench bench;
    bench.register_with_pin();
    bench.modem->add_override(
        {"at+qeng=\"servingcell\"", {"+QENG: \"servingcell\",\"LIMSRV\""}, "OK"});
    EXPECT_EQ(
        bench.ask("AT+QENG=\"servingcell\""), lines({"+QENG: \"servingcell\",\"LIMSRV\""}) + ok);
    bench.modem->add_override({"AT+CSQ*", {}, "+CME ERROR: 100"});
    EXPECT_EQ(bench.ask("AT+CSQ"), "\r\n+CME ERROR: 100\r\n");
    EXPECT_EQ(bench.ask("AT+CSQ=?"), "\r\n+CME ERROR: 100\r\n");
    bench.modem->add_override({"AT+CIMI", {"001019999999999"}, ""}); // never completes
    EXPECT_EQ(bench.ask("AT+CIMI"), lines({"001019999999999"}));
    bench.modem->clear_overrides();
    EXPECT_EQ(bench.ask("AT+CSQ"), lines({"+CSQ: 27,99"}) + ok);
}

TEST(Responder, CountersCountCommandsByName)
{
    Bench bench;
    bench.boot();
    bench.ask("AT+CPIN?");
    bench.ask("AT+CPIN=1234");
    bench.ask("AT+CSQ;+CREG?");
    bench.ask("ATI");
    const auto& counters = bench.modem->counters();
    EXPECT_EQ(counters.commands, 6); // ATE0 of boot() too
    EXPECT_EQ(counters.commands_by_name.at("AT+CPIN"), 2);
    EXPECT_EQ(counters.commands_by_name.at("AT+CSQ"), 1);
    EXPECT_EQ(counters.commands_by_name.at("ATI"), 1);
    EXPECT_EQ(counters.commands_by_name.at("ATE"), 1);
}

TEST(Responder, LatencyOverride)
{
    Bench bench;
    bench.boot();
    bench.modem->set_latency(Duration(800));
    auto answer = bench.modem->command(2, "AT", bench.now);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->delay, Duration(800));
}

TEST(Responder, EnumNames)
{
    EXPECT_EQ(to_string(SimState::PukRequired), "puk-required");
    EXPECT_EQ(to_string(RegistrationStatus::Roaming), "roaming");
    EXPECT_EQ(to_string(Functionality::Airplane), "airplane");
    EXPECT_EQ(to_string(CommandForm::Test), "test");
    EXPECT_EQ(cme_text(16), "incorrect password");
}

} // namespace
} // namespace uplink::sim
