// The Manager against a scripted EC25 on a pty: the test plays the modem on the master side,
// answering from a table (replies as modem-protocols.md §4 shows them), and discovery reads a
// fixture tree whose dev/ttyUSB2 points at the pty's slave. No sleeps: the loop runs until a
// condition holds, with a deadline as the watchdog.
#include "modem/fake_sysfs.hpp"
#include "modem/modem.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

namespace uplink::modem {
namespace {

namespace asio = boost::asio;
using testing::FakeSysfs;

constexpr std::string_view iccid = "89440000000000001234";

// A minimal EC25: enough of the AT dialogue for init, unlock and one poll.
class ScriptedEc25 {
public:
    explicit ScriptedEc25(asio::io_context& context)
        : master_(context)
    {
        int master = -1;
        int slave = -1;
        if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
            throw std::runtime_error("openpty failed");
        termios settings {};
        ::tcgetattr(slave, &settings);
        ::cfmakeraw(&settings);
        ::tcsetattr(slave, TCSANOW, &settings);
        slave_path_ = ::ttyname(slave);
        slave_ = slave; // held open so the master never reads EIO between two Managers
        master_.assign(master);
        asio::co_spawn(context, serve(this), [](std::exception_ptr) {});
    }
    ~ScriptedEc25()
    {
        boost::system::error_code ignored;
        master_.close(ignored);
        ::close(slave_);
    }

    const std::string& slave_path() const { return slave_path_; }

    bool sim_locked = false;
    bool sim_present = true;
    // As a Huawei that another program left in UCS2: AT+CSCS="IRA" refused, names in UCS2 hex.
    bool ucs2 = false;
    std::string right_pin = "1234";
    int pin_attempts_left = 3;
    std::vector<std::string> pins_tried;
    std::vector<std::string> commands;

    void send_urc(const std::string& line) { write("\r\n" + line + "\r\n"); }

private:
    static asio::awaitable<void> serve(ScriptedEc25* self)
    {
        std::string buffer;
        std::array<char, 512> chunk {};
        for (;;) {
            auto [error, size] = co_await self->master_.async_read_some(
                asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
            if (error)
                co_return;
            buffer.append(chunk.data(), size);
            for (auto end = buffer.find('\r'); end != std::string::npos; end = buffer.find('\r')) {
                auto command = buffer.substr(0, end);
                buffer.erase(0, end + 1);
                while (!command.empty() && command.front() == '\n')
                    command.erase(0, 1);
                if (!command.empty())
                    self->write(self->answer(command));
            }
        }
    }

    void write(std::string text)
    {
        boost::system::error_code ignored;
        asio::write(master_, asio::buffer(text), ignored);
    }

    static std::string reply(
        std::initializer_list<std::string> lines, std::string_view final = "OK")
    {
        std::string text;
        for (const auto& line : lines)
            text += "\r\n" + line + "\r\n";
        return text + "\r\n" + std::string(final) + "\r\n";
    }

    std::string answer(const std::string& command)
    {
        commands.push_back(command);
        if (command.starts_with("AT+CPIN=\""))
            return check_pin(command.substr(9, command.size() - 10));
        if (command == "AT+CPIN?") {
            if (!sim_present)
                return reply({}, "+CME ERROR: 10");
            if (pin_attempts_left == 0)
                return reply({"+CPIN: SIM PUK"});
            return reply({sim_locked ? "+CPIN: SIM PIN" : "+CPIN: READY"});
        }
        if (command == "AT+QCCID")
            return sim_present ? reply({"+QCCID: " + std::string(iccid)})
                               : reply({}, "+CME ERROR: 10");
        if (command == "AT+QPINC?")
            return reply({"+QPINC: \"SC\"," + std::to_string(pin_attempts_left) + ",10",
                "+QPINC: \"P2\",3,10"});
        if (command == "AT+CIMI")
            return sim_locked ? reply({}, "+CME ERROR: 11") : reply({"234150000000001"});
        if (command.starts_with("AT+COPS=3,"))
            cops_format_ = command.substr(10);
        if (command == "AT+CSCS=\"IRA\"")
            return ucs2 ? reply({}, "+CME ERROR: 4") : reply({});
        if (command == "AT+CSCS?")
            return reply({ucs2 ? "+CSCS: \"UCS2\"" : "+CSCS: \"IRA\""});
        if (command == "AT+COPS?" && ucs2)
            return reply({cops_format_ == "2"
                    ? "+COPS: 0,2,\"00320033003400310035\",7"
                    : "+COPS: 0,0,\"0056006F006400610066006F006E006500200055004B\",7"});
        if (command == "AT+COPS?")
            return reply(
                {cops_format_ == "2" ? "+COPS: 0,2,\"23415\",7" : "+COPS: 0,0,\"Vodafone UK\",7"});
        static const std::map<std::string, std::string, std::less<>> table {
            {"AT", reply({})},
            {"ATE0", reply({})},
            {"AT+CMEE=1", reply({})},
            {"AT+CGMI", reply({"Quectel"})},
            {"AT+CGMM", reply({"EC25"})},
            {"AT+CGMR", reply({"EC25EFAR06A06M4G"})},
            {"AT+CGSN", reply({"867698040000001"})},
            {"AT+CFUN?", reply({"+CFUN: 1"})},
            {"AT+CREG=2", reply({})},
            {"AT+CGREG=2", reply({})},
            {"AT+CEREG=2", reply({})},
            {"AT+QINDCFG=\"csq\",1", reply({})},
            {"AT+CREG?", reply({"+CREG: 2,1,\"D6E7\",\"844D92A\",7"})},
            {"AT+CGREG?", reply({"+CGREG: 2,1,\"D6E7\",\"844D92A\",7"})},
            {"AT+CEREG?", reply({"+CEREG: 2,1,\"D6E7\",\"844D92A\",7"})},
            {"AT+CSQ", reply({"+CSQ: 17,99"})},
            {"AT+QENG=\"servingcell\"",
                reply({"+QENG: "
                       "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",234,15,844D92A,248,900,2,5,5,"
                       "D6E7,-89,-8,"
                       "-61,17,38"})},
        };
        auto it = table.find(command);
        if (it != table.end())
            return it->second;
        if (command.starts_with("AT+COPS=3,"))
            return reply({});
        return reply({}, "ERROR");
    }

    std::string check_pin(const std::string& pin)
    {
        pins_tried.push_back(pin);
        if (!sim_locked)
            return reply({}, "+CME ERROR: 3");
        if (pin == right_pin) {
            sim_locked = false;
            pin_attempts_left = 3;
            return reply({});
        }
        --pin_attempts_left;
        return reply({}, pin_attempts_left == 0 ? "+CME ERROR: 12" : "+CME ERROR: 16");
    }

    asio::posix::stream_descriptor master_;
    std::string slave_path_;
    int slave_ = -1;
    std::string cops_format_ = "0";
};

class ManagerWithPty : public ::testing::Test {
protected:
    void SetUp() override
    {
        testing::add_quectel_ec25(tree_, "1-1");
        tree_.link_dev("ttyUSB2", modem_.slave_path());
        state_dir_ = tree_.root() + "/state";
    }

    // A default profile with `pin`; with an ICCID prefix, a rule that picks it for those SIMs.
    Options options(std::string pin = {}, std::string iccid_prefix = {}) const
    {
        Options result;
        result.sysfs_root = tree_.sysfs_root();
        result.dev_root = tree_.dev_root();
        result.state_dir = state_dir_;
        result.poll_interval
            = 60s; // the first poll runs right after init; the test needs no second
        result.command_timeout = 2s;
        if (!pin.empty()) {
            Profile profile;
            profile.name = "default";
            profile.pin = std::move(pin);
            result.policy.profiles.push_back(std::move(profile));
        }
        if (!iccid_prefix.empty()) {
            SimRule rule;
            rule.name = "sims";
            rule.profile = "default";
            rule.iccid_prefix = std::move(iccid_prefix);
            result.policy.rules.push_back(std::move(rule));
        }
        return result;
    }

    // Runs the loop until `done` holds; the deadline only guards against a hang.
    bool run_until(const std::function<bool()>& done, Duration deadline = 10s)
    {
        auto end = Clock::now() + deadline;
        while (!done() && Clock::now() < end)
            context_.run_one_for(std::chrono::milliseconds(20));
        return done();
    }

    // Runs the loop for a while, for what must not happen meanwhile (or must, at a rate).
    void run_for(Duration duration)
    {
        run_until([] { return false; }, duration);
    }

    bool in_state(
        const Manager& manager, State state, FailedReason reason = FailedReason::None) const
    {
        auto snapshot = manager.modem("1-1");
        return snapshot && snapshot->state == state && snapshot->failed_reason == reason;
    }

    asio::io_context context_;
    FakeSysfs tree_;
    ScriptedEc25 modem_ {context_};
    std::string state_dir_;
};

TEST_F(ManagerWithPty, AnEc25ReachesRegisteredWithEverythingFilledIn)
{
    Manager manager(context_.get_executor(), options());
    std::vector<Event> events;
    auto subscription = manager.subscribe([&](const Event& event) { events.push_back(event); });
    manager.start();
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }))
        << to_string(manager.modem("1-1") ? manager.modem("1-1")->state : State::Unknown);

    auto snapshot = *manager.modem("1-1");
    EXPECT_EQ(snapshot.id, "1-1");
    EXPECT_EQ(snapshot.device.vendor_entry, "quectel_ec25");
    EXPECT_EQ(snapshot.device.protocol, Protocol::Qmi);
    EXPECT_EQ(snapshot.identity.manufacturer, "Quectel");
    EXPECT_EQ(snapshot.identity.model, "EC25");
    EXPECT_EQ(snapshot.identity.revision, "EC25EFAR06A06M4G");
    EXPECT_EQ(snapshot.identity.imei, "867698040000001");
    EXPECT_EQ(snapshot.sim.state, SimState::Ready);
    EXPECT_EQ(snapshot.sim.iccid, iccid);
    EXPECT_EQ(snapshot.sim.imsi, "234150000000001");
    EXPECT_EQ(snapshot.sim.operator_id, "23415");
    EXPECT_EQ(snapshot.sim.pin_retries, 3);
    EXPECT_EQ(snapshot.registration.state, RegistrationState::Home);
    EXPECT_EQ(snapshot.registration.technology, Technology::Lte);
    EXPECT_EQ(snapshot.registration.operator_name, "Vodafone UK");
    EXPECT_EQ(snapshot.registration.operator_id, "23415");
    EXPECT_EQ(snapshot.registration.tac, 0xD6E7u);
    EXPECT_EQ(snapshot.registration.cell_id, 0x844D92Au);
    ASSERT_TRUE(run_until([&] { return manager.modem("1-1")->signal.updated.has_value(); }));
    snapshot = *manager.modem("1-1");
    EXPECT_EQ(snapshot.signal.rsrp_dbm, -89);
    EXPECT_EQ(snapshot.signal.rsrq_db, -8);
    EXPECT_EQ(snapshot.signal.sinr_db, 17);
    EXPECT_EQ(snapshot.signal.band, 2);
    EXPECT_EQ(snapshot.signal.pci, 248);
    EXPECT_EQ(snapshot.signal.rssi_dbm, -61); // QENG's RSSI is the LTE one, after CSQ's -79

    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front().kind, Event::Kind::Added);
    auto has = [&](Event::Kind kind, std::string_view message) {
        return std::any_of(events.begin(), events.end(),
            [&](const Event& event) { return event.kind == kind && event.message == message; });
    };
    EXPECT_TRUE(has(Event::Kind::StateChanged, "enabled -> registered"));
    EXPECT_TRUE(has(Event::Kind::RegistrationChanged, "home, lte, Vodafone UK"));
    EXPECT_EQ(manager.recent_events().size(), events.size());

    // A URC changes the registration at once, without waiting for a poll.
    modem_.send_urc("+CEREG: 2,\"D6E7\",\"844D92A\",7");
    modem_.send_urc("+CREG: 2");
    modem_.send_urc("+CGREG: 2");
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Searching); }));
    EXPECT_TRUE(has(Event::Kind::StateChanged, "registered -> searching"));

    // An administrator's command goes through the same channel.
    std::optional<Result<at::Reply>> raw;
    asio::co_spawn(context_, manager.send_at("1-1", "AT+CSQ"),
        [&](std::exception_ptr, Result<at::Reply> reply) { raw = std::move(reply); });
    ASSERT_TRUE(run_until([&] { return raw.has_value(); }));
    ASSERT_TRUE(*raw);
    EXPECT_EQ((*raw)->lines, std::vector<std::string> {"+CSQ: 17,99"});

    std::optional<Result<at::Reply>> missing;
    asio::co_spawn(context_, manager.send_at("9-9", "AT"),
        [&](std::exception_ptr, Result<at::Reply> reply) { missing = std::move(reply); });
    ASSERT_TRUE(run_until([&] { return missing.has_value(); }));
    EXPECT_EQ(missing->error(), Errc::NoSuchModem);
}

// 3GPP TS 27.007 §5.5: a modem that stays in UCS2 sends the operator's name and MCC+MNC in UCS2
// hex; uplink reads the character set back and decodes them.
TEST_F(ManagerWithPty, AModemLeftInUcs2HasItsOperatorNameDecoded)
{
    modem_.ucs2 = true;
    Manager manager(context_.get_executor(), options());
    manager.start();
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }));
    ASSERT_TRUE(run_until([&] {
        return manager.modem("1-1")->registration.operator_name == "Vodafone UK";
    })) << manager.modem("1-1")->registration.operator_name;
    EXPECT_EQ(manager.modem("1-1")->registration.operator_id, "23415");
    EXPECT_EQ(std::ranges::count(modem_.commands, "AT+CSCS?"), 1);
}

TEST_F(ManagerWithPty, UnpluggingRemovesTheModem)
{
    Manager manager(context_.get_executor(), options());
    std::vector<Event> events;
    auto subscription = manager.subscribe([&](const Event& event) { events.push_back(event); });
    manager.start();
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }));
    tree_.remove_device("1-1");
    ASSERT_TRUE(run_until([&] { return manager.modems().empty(); }));
    EXPECT_EQ(events.back().kind, Event::Kind::Removed);
    EXPECT_EQ(events.back().message, "unplugged");

    testing::add_quectel_ec25(tree_, "1-1");
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }));
}

TEST_F(ManagerWithPty, AWrongPinIsSentOnceEvenAcrossRestarts)
{
    modem_.sim_locked = true;
    {
        Manager manager(context_.get_executor(), options("0000"));
        manager.start();
        ASSERT_TRUE(
            run_until([&] { return in_state(manager, State::Failed, FailedReason::WrongPin); }));
        auto message = manager.modem("1-1")->message;
        EXPECT_NE(message.find("SIM 8944…1234 refused the configured PIN; 2 attempts left"),
            std::string::npos)
            << message;
        EXPECT_NE(message.find("will not try this one again"), std::string::npos) << message;
        EXPECT_EQ(manager.modem("1-1")->sim.pin_retries, 2);
    }
    EXPECT_EQ(modem_.pins_tried, std::vector<std::string> {"0000"});
    {
        // A daemon restart (same state directory): the PIN is known to be wrong and is not sent.
        Manager manager(context_.get_executor(), options("0000", "8944"));
        manager.start();
        ASSERT_TRUE(
            run_until([&] { return in_state(manager, State::Failed, FailedReason::WrongPin); }));
        EXPECT_EQ(modem_.pins_tried, std::vector<std::string> {"0000"});
        // The right PIN arrives with a config reload: tried once, at once.
        manager.apply(options("1234", "8944"));
        ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }));
        EXPECT_EQ(modem_.pins_tried, (std::vector<std::string> {"0000", "1234"}));
    }
    EXPECT_EQ(modem_.pin_attempts_left, 3);
}

// An administrator's console line keeps the one-try rule of uplink's own PINs: the store is asked
// first, and a PIN the SIM refused is recorded, so that neither the console nor uplink sends it
// again.
TEST_F(ManagerWithPty, AConsolePinIsOneTryAsUplinksOwn)
{
    modem_.sim_locked = true;
    Manager manager(context_.get_executor(), options());
    manager.start();
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Locked); }));
    auto send = [&](std::string line) {
        std::optional<Result<at::Reply>> reply;
        asio::co_spawn(context_, manager.send_at("1-1", std::move(line)),
            [&](std::exception_ptr, Result<at::Reply> answer) { reply = std::move(answer); });
        EXPECT_TRUE(run_until([&] { return reply.has_value(); }));
        return reply.value_or(make_error_code(at::Errc::Timeout));
    };
    auto refused = send("AT+CPIN=\"0000\"");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->final.text, "+CME ERROR: 16");
    EXPECT_EQ(send("AT+CPIN=\"0000\"").error(), Errc::WrongPinRemembered);
    EXPECT_EQ(send("AT+CMEE=1;+CPIN=0000").error(), Errc::WrongPinRemembered);
    EXPECT_EQ(send("AT+CPIN=\"1111\";+CPIN=\"2222\"").error(), Errc::OnePinPerLine);
    EXPECT_EQ(modem_.pins_tried, std::vector<std::string> {"0000"});
    // uplink itself, given that PIN, does not send it either.
    manager.apply(options("0000"));
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Failed, FailedReason::WrongPin); }));
    EXPECT_EQ(modem_.pins_tried, std::vector<std::string> {"0000"});
    // The right one, through the console: sent, and forgotten as it worked.
    auto accepted = send("AT+CPIN=\"1234\"");
    ASSERT_TRUE(accepted);
    EXPECT_EQ(accepted->final.text, "OK");
    EXPECT_EQ(modem_.pins_tried, (std::vector<std::string> {"0000", "1234"}));
    std::ifstream record(state_dir_ + "/pin-failures");
    std::vector<std::string> records;
    for (std::string line; std::getline(record, line);)
        if (line.starts_with(iccid))
            records.push_back(line.substr(0, line.find(' ', iccid.size() + 1)));
    EXPECT_EQ(records, std::vector<std::string> {std::string(iccid) + " refused"});
}

TEST_F(ManagerWithPty, WithoutAPinTheModemIsLockedAndSaysWhy)
{
    modem_.sim_locked = true;
    Manager manager(context_.get_executor(), options());
    manager.start();
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Locked); }));
    EXPECT_NE(manager.modem("1-1")->message.find("set one in the config"), std::string::npos);
    EXPECT_TRUE(modem_.pins_tried.empty());
    manager.apply(options("1234"));
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }));
    EXPECT_EQ(modem_.pins_tried, std::vector<std::string> {"1234"});
}

TEST_F(ManagerWithPty, APinIsNeverSentToAPukLockedSim)
{
    modem_.sim_locked = true;
    modem_.pin_attempts_left = 0;
    Manager manager(context_.get_executor(), options("1234"));
    manager.start();
    ASSERT_TRUE(
        run_until([&] { return in_state(manager, State::Failed, FailedReason::PukRequired); }));
    EXPECT_TRUE(modem_.pins_tried.empty());
    EXPECT_NE(manager.modem("1-1")->message.find("PUK"), std::string::npos);
}

TEST_F(ManagerWithPty, ACorruptPinRecordRefusesToUnlock)
{
    modem_.sim_locked = true;
    std::filesystem::create_directories(state_dir_);
    std::ofstream(state_dir_ + "/pin-failures") << "garbage\n";
    Manager manager(context_.get_executor(), options("1234"));
    manager.start();
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Locked); }));
    EXPECT_NE(manager.modem("1-1")->message.find("unreadable"), std::string::npos);
    EXPECT_TRUE(modem_.pins_tried.empty());
}

TEST_F(ManagerWithPty, SimRemovedAndReinserted)
{
    Manager manager(context_.get_executor(), options());
    manager.start();
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }));
    modem_.sim_present = false;
    modem_.send_urc("+CPIN: NOT INSERTED");
    ASSERT_TRUE(
        run_until([&] { return in_state(manager, State::Failed, FailedReason::SimMissing); }));
    EXPECT_EQ(manager.modem("1-1")->sim.state, SimState::Missing);
    modem_.sim_present = true;
    modem_.send_urc("+CPIN: READY");
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }));
    EXPECT_EQ(manager.modem("1-1")->sim.iccid, iccid);
}

// Not in the vendor table: its serial ports are probed with AT and the one that answers is used.
TEST_F(ManagerWithPty, AnUnknownModemIsProbedForItsAtPort)
{
    tree_.remove_device("1-1");
    tree_.add_device("1-2", "1e2d", "00b7");
    tree_.add_interface("1-2", 0, "02/02/01", "cdc_acm", {"tty/ttyACM0"}); // no /dev node: skipped
    tree_.add_interface("1-2", 2, "02/02/01", "cdc_acm", {"tty/ttyACM1"});
    tree_.add_interface("1-2", 4, "ff/ff/ff", "qmi_wwan", {"usbmisc/cdc-wdm0", "net/wwan0"});
    tree_.link_dev("ttyACM1", modem_.slave_path());
    Manager manager(context_.get_executor(), options());
    manager.start();
    ASSERT_TRUE(run_until([&] {
        auto snapshot = manager.modem("1-2");
        return snapshot && snapshot->state == State::Registered;
    }));
    auto snapshot = *manager.modem("1-2");
    EXPECT_EQ(snapshot.device.vendor_entry, "");
    EXPECT_EQ(snapshot.device.protocol, Protocol::Qmi);
    for (const auto& port : snapshot.device.ports)
        EXPECT_EQ(port.role == PortRole::At, port.name == "ttyACM1") << port.name;
    EXPECT_EQ(snapshot.sim.iccid, iccid); // found by trying the ICCID commands in turn
}

// The antenna alignment view: a lease polls the signal 4 times a second (the full poll stays at
// its 60 s), each sample an event even though the values repeat, and other commands go through.
TEST_F(ManagerWithPty, AFastSignalLeaseSamplesSeveralTimesASecondUntilItEnds)
{
    Manager manager(context_.get_executor(), options());
    manager.start();
    ASSERT_TRUE(
        run_until([&] { return manager.modem("1-1") && manager.modem("1-1")->signal.updated; }));
    auto count = [](const std::vector<Event>& events, Event::Kind kind) {
        return std::ranges::count(events, kind, &Event::kind);
    };
    auto kept_before = count(manager.recent_events(), Event::Kind::SignalChanged);
    std::vector<Event> events;
    auto subscription = manager.subscribe([&](const Event& event) { events.push_back(event); });
    auto registration_polls = std::ranges::count(modem_.commands, "AT+CREG?");

    auto until = manager.fast_signal("1-1", 2s);
    ASSERT_TRUE(until);
    EXPECT_EQ(manager.fast_signal("1-1", 1s).value(), *until)
        << "a shorter lease does not shorten it";
    // Meanwhile an administrator's command is not starved by the fast polls.
    std::optional<Result<at::Reply>> raw;
    asio::co_spawn(context_, manager.send_at("1-1", "AT+CGMI"),
        [&](std::exception_ptr, Result<at::Reply> reply) { raw = std::move(reply); });
    ASSERT_TRUE(run_until([&] { return raw.has_value(); }, 1s));
    ASSERT_TRUE(*raw);
    EXPECT_EQ((*raw)->lines, std::vector<std::string> {"Quectel"});

    run_for(2s); // the lease's time
    auto samples = count(events, Event::Kind::SignalChanged);
    EXPECT_GE(samples, 6) << "2 s at 4 a second";
    EXPECT_LE(samples, 10);
    EXPECT_EQ(count(manager.recent_events(), Event::Kind::SignalChanged), kept_before)
        << "repeated values are not kept among the recent events";
    EXPECT_LE(std::ranges::count(modem_.commands, "AT+CREG?"), registration_polls + 1)
        << "the lease starts with one full poll; the rest are signal polls alone";

    run_until([&] { return Clock::now() > *until + 100ms; });
    events.clear();
    run_for(1s);
    EXPECT_EQ(count(events, Event::Kind::SignalChanged), 0) << "the lease ended";

    EXPECT_EQ(manager.fast_signal("9-9", 1s).error(), Errc::NoSuchModem);
}

TEST_F(ManagerWithPty, FastSignalPollingEndsWithTheModem)
{
    Manager manager(context_.get_executor(), options());
    manager.start();
    ASSERT_TRUE(
        run_until([&] { return manager.modem("1-1") && manager.modem("1-1")->signal.updated; }));
    ASSERT_TRUE(manager.fast_signal("1-1", 60s));
    auto polls = [&] { return std::ranges::count(modem_.commands, "AT+CSQ"); };
    auto before = polls();
    ASSERT_TRUE(run_until([&] { return polls() >= before + 2; }, 2s));
    tree_.remove_device("1-1");
    ASSERT_TRUE(run_until([&] { return manager.modems().empty(); }));
    auto after_unplug = polls();
    run_for(1s);
    EXPECT_LE(polls(), after_unplug + 1) << "at most the command already on its way";
}

TEST_F(ManagerWithPty, AListenerMayUnsubscribeDuringItsCallback)
{
    Manager manager(context_.get_executor(), options());
    int first_calls = 0;
    int second_calls = 0;
    Manager::Subscription first;
    first = manager.subscribe([&](const Event&) {
        ++first_calls;
        first = Manager::Subscription();
    });
    auto second = manager.subscribe([&](const Event&) { ++second_calls; });
    manager.start();
    ASSERT_TRUE(run_until([&] { return in_state(manager, State::Registered); }));
    EXPECT_EQ(first_calls, 1);
    EXPECT_GT(second_calls, 1);
}

} // namespace
} // namespace uplink::modem
