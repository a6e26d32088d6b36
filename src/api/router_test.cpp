#include "api/fake_source.hpp"
#include "api/router.hpp"
#include "api/router_test_fixture.hpp"
#include "api/test_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <set>

namespace uplink::api {
namespace {

namespace json = boost::json;
using testing::run_to_completion;

std::set<std::string> keys_of(const json::value& value)
{
    std::set<std::string> keys;
    for (const auto& entry : value.as_object())
        keys.insert(std::string(entry.key()));
    return keys;
}

const std::set<std::string> summary_keys{"id",         "state",    "model",   "manufacturer", "operator_name",
                                         "technology", "rsrp_dbm", "sinr_db", "rssi_dbm",     "connection",
                                         "address",    "message", "wan"};

TEST_F(RouterTest, StatusGivesVersionUptimeAndOneSummaryPerModem)
{
    auto response = get("/v1/status");
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(keys_of(response.body), (std::set<std::string>{"version", "uptime_s", "modems"}));
    EXPECT_EQ(response.body.at("version"), "0.1.0");
    auto uptime = response.body.at("uptime_s").as_int64();
    EXPECT_GE(uptime, 125);
    EXPECT_LE(uptime, 127);
    ASSERT_EQ(response.body.at("modems").as_array().size(), 2u);
    EXPECT_EQ(response.body.at("modems").at(0).at("id"), "1-1");
}

TEST_F(RouterTest, ModemsGivesSummaries)
{
    auto response = get("/v1/modems");
    ASSERT_EQ(response.status, 200) << response.error;
    const auto& modems = response.body.as_array();
    ASSERT_EQ(modems.size(), 2u);
    EXPECT_EQ(keys_of(modems[0]), summary_keys);
    auto expected = json::parse(R"json({"id":"1-1","wan":"wan1","state":"registered","model":"EC25","manufacturer":"Quectel",
        "operator_name":"Vodafone UK","technology":"lte","rsrp_dbm":-95,"sinr_db":12,"rssi_dbm":-65,
        "connection":"disconnected","address":"","message":"registered on Vodafone UK (LTE)"})json");
    EXPECT_EQ(modems[0], expected) << json::serialize(modems[0]);
    // A modem that knows nothing of the network: absent numbers are null, not 0.
    EXPECT_TRUE(modems[1].at("rsrp_dbm").is_null());
    EXPECT_EQ(modems[1].at("technology"), "unknown");
}

TEST_F(RouterTest, EmptyModemListIsAnEmptyArray)
{
    source.snapshots.clear();
    auto response = get("/v1/modems");
    ASSERT_EQ(response.status, 200);
    EXPECT_TRUE(response.body.as_array().empty());
}

TEST_F(RouterTest, ModemGivesTheFullSnapshot)
{
    auto response = get("/v1/modems/1-1");
    ASSERT_EQ(response.status, 200) << response.error;
    const auto& body = response.body;
    EXPECT_EQ(keys_of(body), (std::set<std::string>{"id", "wan", "state", "failed_reason", "message", "identity", "sim",
                                                    "registration", "signal", "connection", "settings", "radio", "recovery", "device", "usage"}));
    EXPECT_TRUE(body.at("failed_reason").is_null());
    EXPECT_EQ(body.at("identity"), json::parse(R"({"manufacturer":"Quectel","model":"EC25",
        "revision":"EC25EFAR06A06M4G","imei":"867698041234567"})"));
    EXPECT_EQ(body.at("sim"), json::parse(R"({"state":"ready","iccid":"8944110068256270054",
        "imsi":"234150123456789","operator_id":"23415","pin_retries":3,"puk_retries":10,"pin_enabled":null})"));
    EXPECT_EQ(body.at("registration"), json::parse(R"({"state":"home","technology":"lte",
        "operator_name":"Vodafone UK","operator_id":"23415","tac":6699,"tac_hex":"1A2B",
        "cell_id":27447297,"cell_id_hex":"1A2D001"})"));
    const auto& device = body.at("device");
    EXPECT_EQ(keys_of(device), (std::set<std::string>{"usb_path", "sysfs_path", "vendor_id", "product_id",
                                                      "vendor_entry", "protocol", "ports"}));
    EXPECT_EQ(device.at("protocol"), "qmi");
    EXPECT_EQ(device.at("ports").at(0), json::parse(R"({"name":"ttyUSB2","device_path":"/dev/ttyUSB2",
        "role":"at","interface":2,"driver":"option"})"));
}

TEST_F(RouterTest, ConnectionShowsTheGrantedAddresses)
{
    auto connected = testing::registered_ec25("1-1");
    connected.connection.state = modem::ConnectionState::Connected;
    connected.connection.interface = "wwan0";
    connected.connection.ipv4 = modem::IpSettings{"100.64.0.2", 30, "100.64.0.1", {"100.64.0.53"}};
    connected.connection.mtu = 1500;
    connected.connection.connected_since = std::chrono::system_clock::now() - std::chrono::seconds(90);
    connected.connection.traffic = modem::TrafficCounters{123456, 7890};
    source.snapshots = {connected};
    auto response = get("/v1/modems/1-1");
    ASSERT_EQ(response.status, 200) << response.error;
    const auto& connection = response.body.at("connection");
    EXPECT_EQ(connection.at("state"), "connected");
    EXPECT_EQ(connection.at("interface"), "wwan0");
    EXPECT_EQ(connection.at("ipv4"), json::parse(R"({"address":"100.64.0.2","prefix_length":30,
        "gateway":"100.64.0.1","dns":["100.64.0.53"]})"));
    EXPECT_TRUE(connection.at("ipv6").is_null());
    EXPECT_EQ(connection.at("mtu"), 1500);
    EXPECT_GE(connection.at("uptime_s").as_int64(), 89);
    EXPECT_EQ(connection.at("received_bytes"), 123456);
    EXPECT_EQ(connection.at("sent_bytes"), 7890);
    EXPECT_EQ(get("/v1/modems").body.at(0).at("address"), "100.64.0.2");
}

TEST_F(RouterTest, ConnectAndDisconnectArePostsThatNameTheModem)
{
    auto connect = request(Method::Post, "/v1/modems/1-1/connect");
    ASSERT_EQ(connect.status, 200) << connect.error;
    EXPECT_EQ(connect.body.at("requested"), "connect");
    EXPECT_EQ(connect.body.at("connection").at("state"), "disconnected");
    EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/disconnect").status, 200);
    EXPECT_EQ(source.connection_requests, (std::vector<std::string>{"1-1 connect", "1-1 disconnect"}));

    EXPECT_EQ(request(Method::Get, "/v1/modems/1-1/connect").status, 405);
    EXPECT_EQ(request(Method::Post, "/v1/modems/9-9/connect").status, 404);
    // The locked modem has only an AT port: nothing to connect with.
    auto no_data = request(Method::Post, "/v1/modems/1-2/connect");
    EXPECT_EQ(no_data.status, 409);
    EXPECT_NE(no_data.error.find("no data port"), std::string::npos) << no_data.error;
}

TEST_F(RouterTest, FailedModemNamesItsReasonAndHasNullsForTheUnknown)
{
    auto response = get("/v1/modems/1-2");
    ASSERT_EQ(response.status, 200) << response.error;
    const auto& body = response.body;
    EXPECT_EQ(body.at("state"), "failed");
    EXPECT_EQ(body.at("failed_reason"), "wrong-pin");
    EXPECT_TRUE(body.at("registration").at("tac").is_null());
    EXPECT_TRUE(body.at("registration").at("tac_hex").is_null());
    EXPECT_TRUE(body.at("registration").at("cell_id_hex").is_null());
    EXPECT_TRUE(body.at("sim").at("puk_retries").is_null());
    EXPECT_TRUE(body.at("signal").at("age_ms").is_null());
    EXPECT_TRUE(body.at("device").at("ports").at(0).at("interface").is_null());
}

TEST_F(RouterTest, SignalGivesTheSignalObjectWithCarriersAndAntennas)
{
    auto response = get("/v1/modems/1-1/signal");
    ASSERT_EQ(response.status, 200) << response.error;
    auto body = response.body.as_object();
    EXPECT_EQ(keys_of(body), (std::set<std::string>{"rssi_dbm", "rsrp_dbm", "rsrq_db", "sinr_db", "band", "earfcn",
                                                    "pci", "carriers", "antennas", "age_ms"}));
    EXPECT_GE(body.at("age_ms").as_int64(), 0);
    EXPECT_LT(body.at("age_ms").as_int64(), 60'000);
    body.erase("age_ms");
    EXPECT_EQ(json::value(body), json::parse(R"({"rssi_dbm":-65,"rsrp_dbm":-95,"rsrq_db":-10,"sinr_db":12,
        "band":3,"earfcn":1300,"pci":123,"carriers":[
        {"primary":true,"band":"LTE BAND 3","earfcn":1300,"bandwidth_rb":100,"pci":123,"rsrp_dbm":-95,
         "rsrq_db":-10,"sinr_db":12},
        {"primary":false,"band":"LTE BAND 20","earfcn":6300,"bandwidth_rb":50,"pci":45,"rsrp_dbm":-101,
         "rsrq_db":-12,"sinr_db":null}],
        "antennas":[{"chain":"prx","rsrp_dbm":-95},{"chain":"drx","rsrp_dbm":-98}]})"));
}

TEST_F(RouterTest, UnknownModemIs404NamingTheIdAndTheCommandThatListsThem)
{
    for (auto path : {"/v1/modems/9-9", "/v1/modems/9-9/signal"}) {
        auto response = get(path);
        EXPECT_EQ(response.status, 404) << path;
        EXPECT_NE(response.error.find("'9-9'"), std::string::npos) << response.error;
        EXPECT_NE(response.error.find("uplink modems"), std::string::npos) << response.error;
    }
}

TEST_F(RouterTest, UnknownPathIs404ListingTheResources)
{
    for (auto path : {"/", "/v2/status", "/v1", "/v1/nothing", "/v1/modems/1-1/nothing", "/v1/events/old",
                      "/v1/status/extra", "/v1/modems/1-1/signal/extra"}) {
        auto response = get(path);
        EXPECT_EQ(response.status, 404) << path;
        EXPECT_NE(response.error.find("/v1/status"), std::string::npos) << response.error;
    }
}

TEST_F(RouterTest, PathMustBeAbsolute)
{
    auto response = get("v1/status");
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.error.find("must start with '/'"), std::string::npos) << response.error;
}

TEST_F(RouterTest, TrailingSlashAndPercentEscapesAreAccepted)
{
    EXPECT_EQ(get("/v1/modems/").status, 200);
    EXPECT_EQ(get("/v1/modems/1%2D1").status, 200);
    EXPECT_EQ(get("/v1/modems/1-1%").status, 404);
}

TEST_F(RouterTest, WrongMethodIs405SayingWhichOneToUse)
{
    struct Case {
        Method method;
        const char* path;
        const char* allowed;
    };
    for (auto [method, path, allowed] : {Case{Method::Post, "/v1/status", "GET"}, Case{Method::Post, "/v1/modems", "GET"},
                                         Case{Method::Post, "/v1/modems/1-1", "GET"},
                                         Case{Method::Post, "/v1/modems/1-1/signal", "GET"},
                                         Case{Method::Get, "/v1/modems/1-1/at", "POST"},
                                         Case{Method::Post, "/v1/events", "GET"},
                                         Case{Method::Post, "/v1/events/recent", "GET"}}) {
        auto response = request(method, path);
        EXPECT_EQ(response.status, 405) << path;
        EXPECT_NE(response.error.find(std::string("use ") + allowed), std::string::npos) << response.error;
    }
}

TEST_F(RouterTest, UnknownMethodIs405)
{
    Router router(source, DaemonInfo{"0.1.0", Clock::now()});
    Request request;
    request.method = Method::Other;
    request.method_text = "DELETE";
    request.path = "/v1/modems/1-1";
    auto response = run_to_completion(router.handle(request));
    EXPECT_EQ(response.status, 405);
    EXPECT_NE(response.error.find("DELETE"), std::string::npos) << response.error;
}

TEST_F(RouterTest, RecentEventsAreListedOldestFirst)
{
    using namespace std::chrono;
    auto time = system_clock::time_point(milliseconds(1714564800123));   // 2024-05-01T12:00:00.123Z
    source.events = {{modem::Event::Kind::Added, "1-1", "Quectel EC25 on 1-1", time, {}},
                     {modem::Event::Kind::StateChanged, "1-1", "searching -> registered", time + seconds(5), {}},
                     {modem::Event::Kind::WanChanged, "", "up -> dead: link down (netlink)", time + seconds(6), "fibre"}};
    auto response = get("/v1/events/recent");
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(response.body, json::parse(R"json([
        {"kind":"added","modem_id":"1-1","message":"Quectel EC25 on 1-1","time":"2024-05-01T12:00:00.123Z"},
        {"kind":"state-changed","modem_id":"1-1","message":"searching -> registered",
         "time":"2024-05-01T12:00:05.123Z"},
        {"kind":"wan-changed","modem_id":null,"wan":"fibre","message":"up -> dead: link down (netlink)",
         "time":"2024-05-01T12:00:06.123Z"}])json"));
}

TEST_F(RouterTest, EventsStartsAStream)
{
    auto response = get("/v1/events");
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(response.body, json::parse(R"({"stream":"events"})"));
    EXPECT_EQ(response.follow, Follow::Events);
    EXPECT_EQ(get("/v1/events/recent").follow, Follow::None);
}

TEST(UtcTime, FormatsMillisecondsAndTimesBeforeTheEpoch)
{
    using namespace std::chrono;
    EXPECT_EQ(format_utc_time(system_clock::time_point(milliseconds(0))), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(format_utc_time(system_clock::time_point(milliseconds(-1))), "1969-12-31T23:59:59.999Z");
}

TEST(Method, RoundTrips)
{
    for (auto method : {Method::Get, Method::Post})
        EXPECT_EQ(method_from_string(to_string(method)), method);
    EXPECT_EQ(method_from_string("get"), Method::Other);
}

} // namespace
} // namespace uplink::api

namespace uplink::api {
namespace {

// `uplink passwd`: root through the unix socket, never a request over HTTPS.
TEST_F(RouterTest, TheAdminPasswordIsResetThroughTheUnixSocketAlone)
{
    auto body = json::parse(R"({"password":"a new admin password"})");
    auto over_https = request(Method::Post, "/v1/admin-password", body, Caller::Admin);
    EXPECT_EQ(over_https.status, 403);
    EXPECT_NE(over_https.error.find("uplink passwd"), std::string::npos) << over_https.error;
    EXPECT_TRUE(source.admin_passwords.empty());
    auto reset = request(Method::Post, "/v1/admin-password", body);
    ASSERT_EQ(reset.status, 200) << reset.error;
    EXPECT_EQ(source.admin_passwords, std::vector<std::string> {"a new admin password"});
    EXPECT_EQ(json::serialize(reset.body).find("a new admin password"), std::string::npos);
    EXPECT_EQ(request(Method::Post, "/v1/admin-password", json::parse(R"({"password":"short"})")).status, 400);
    EXPECT_EQ(request(Method::Post, "/v1/admin-password", json::parse(R"({"password":7})")).status, 400);
    // One KDF at a time: `uplink passwd` during a login's is told to try again.
    source.admin_password_busy = true;
    EXPECT_EQ(request(Method::Post, "/v1/admin-password", json::parse(R"({"password":"another new one"})")).status, 503);
    EXPECT_EQ(source.admin_passwords.size(), 1u);
    EXPECT_EQ(get("/v1/admin-password").status, 405);
}

class ProfileRoutesTest : public RouterTest {};

TEST_F(ProfileRoutesTest, TheEffectiveSettingsShowNoSecret)
{
    auto response = get("/v1/modems/1-1");
    ASSERT_EQ(response.status, 200) << response.error;
    auto expected = json::parse(R"json({"profile":"home","rule":"vodafone","reason":"MCC-MNC is 23415",
        "provisional":false,"apn_source":"operator-table","apn_entry":"23415 Vodafone",
        "connection":{"apn":"internet","auth":"pap-chap","username":"web","password_set":true,
        "ip_family":"ipv4","autoconnect":true,"mtu":null,"metric":200,"ttl":null},"link_owner":"uplinkd",
        "watchdog":{"probe_hosts":[],"probe_interval_s":60,"probe_bytes_per_month":0,"recovery_backoff_s":15,
        "usb_power_cycle":false},"radio":{"rat":"auto","lte_bands":[],"nr_bands":[],"operator":null},"pin_set":true})json");
    EXPECT_EQ(response.body.at("settings"), expected) << json::serialize(response.body.at("settings"));
    EXPECT_EQ(json::serialize(response.body).find("web-secret"), std::string::npos);
}

TEST_F(ProfileRoutesTest, TheSimPinIsChangedAndARefusalSaysSo)
{
    auto response = request(Method::Post, "/v1/modems/1-1/sim/pin",
        json::parse(R"({"operation":"change","pin":"1234","new_pin":"4321"})"));
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body.at("accepted"), true);
    ASSERT_EQ(source.pin_requests.size(), 1u);
    EXPECT_EQ(source.pin_requests[0].operation, modem::PinOperation::Change);
    EXPECT_EQ(source.pin_requests[0].new_pin, "4321");
    response = request(Method::Post, "/v1/modems/1-1/sim/pin", json::parse(R"({"operation":"disable","pin":"9999"})"));
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body.at("accepted"), false);
    EXPECT_EQ(json::serialize(response.body).find("9999"), std::string::npos);
    EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/sim/pin", json::parse(R"({"operation":"swap","pin":"1"})")).status, 400);
    EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/sim/pin", json::parse(R"({"operation":"change","pin":"1234"})")).status, 400);
    EXPECT_EQ(request(Method::Post, "/v1/modems/9-9/sim/pin", json::parse(R"({"operation":"enable","pin":"1234"})")).status, 404);
    EXPECT_EQ(get("/v1/modems/1-1/sim/pin").status, 405);
}

// "accepted" says whether a guessed PIN is right: a token without the console scope sends none.
TEST_F(ProfileRoutesTest, ATokenSendsTheSimAPinOnlyWithTheConsoleScope)
{
    auto body = json::parse(R"({"operation":"disable","pin":"1234"})");
    auto refused = request(Method::Post, "/v1/modems/1-1/sim/pin", body, Caller::ApiToken);
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.error.find("\"console\" scope"), std::string::npos) << refused.error;
    EXPECT_TRUE(source.pin_requests.empty());
    EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/sim/pin", body, Caller::ApiToken, ConsoleRight::Granted).status, 200);
    EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/sim/pin", body, Caller::Admin).status, 200);
    EXPECT_EQ(source.pin_requests.size(), 2u);
}

TEST_F(ProfileRoutesTest, TheRadioShowsWhatTheModemReports)
{
    EXPECT_EQ(get("/v1/modems/1-1").body.at("radio"),
        json::parse(R"({"rat":null,"lte_bands":null,"nr_bands":null,"nsa_nr_bands":null,"selection":null,
            "operator":null,"error":null})"));
    auto& radio = source.snapshots[0].radio;
    radio.rat = modem::RatPreference::Lte;
    radio.lte_bands = std::vector<int> {3, 20};
    radio.nr_bands = std::vector<int> {78};
    radio.nsa_nr_bands = std::vector<int> {28, 78};
    radio.selection = "manual";
    radio.network = "23415";
    radio.error = "the modem lacks LTE band 42";
    EXPECT_EQ(get("/v1/modems/1-1").body.at("radio"), json::parse(R"({"rat":"lte","lte_bands":[3,20],"nr_bands":[78],
        "nsa_nr_bands":[28,78],"selection":"manual","operator":"23415","error":"the modem lacks LTE band 42"})"));
}

TEST_F(ProfileRoutesTest, AScanListsTheNetworksOrSaysWhyNot)
{
    source.networks = {{"23415", "Vodafone UK", "voda UK", "current", modem::Technology::Lte},
        {"23410", "O2 - UK", "O2", "forbidden", modem::Technology::Lte}};
    auto response = request(Method::Post, "/v1/modems/1-1/scan");
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body, json::parse(R"json({"modem_id":"1-1","networks":[
        {"mcc_mnc":"23415","long_name":"Vodafone UK","short_name":"voda UK","status":"current","technology":"lte"},
        {"mcc_mnc":"23410","long_name":"O2 - UK","short_name":"O2","status":"forbidden","technology":"lte"}]})json"));
    EXPECT_EQ(request(Method::Post, "/v1/modems/9-9/scan").status, 404);
    EXPECT_EQ(get("/v1/modems/1-1/scan").status, 405);
    source.scan_error = make_error_code(modem::Errc::NotReady);
    EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/scan").status, 409);
    source.scan_error = make_error_code(at::Errc::Timeout);
    response = request(Method::Post, "/v1/modems/1-1/scan");
    EXPECT_EQ(response.status, 502);
    EXPECT_NE(response.error.find("the operator scan failed"), std::string::npos) << response.error;
}

TEST_F(ProfileRoutesTest, TheDialogueIsListedOldestFirst)
{
    auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1764547200));
    source.lines = {{at, "ttyUSB2", ">", "AT+CSQ"}, {at, "ttyUSB2", "<", "+CSQ: 24,99"}};
    auto response = get("/v1/modems/1-1/dialogue");
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body, json::parse(R"json([
        {"time":"2025-12-01T00:00:00.000Z","port":"ttyUSB2","direction":">","text":"AT+CSQ"},
        {"time":"2025-12-01T00:00:00.000Z","port":"ttyUSB2","direction":"<","text":"+CSQ: 24,99"}])json"));
    EXPECT_EQ(get("/v1/modems/9-9/dialogue").status, 404);
}

// The configured profile of the fixture's modem (settings.profile "home", rule "vodafone"), and
// another profile and rule that did not match, each with secrets.
modem::ProfilePolicy policy_with_secrets()
{
    modem::Profile home;
    home.name = "home";
    home.connection.password = "hunter2-secret";
    home.pin = "73914628";
    modem::Profile office;
    office.name = "office";
    office.connection.password = "office-secret";
    modem::SimRule vodafone {"vodafone", "home", "", "", "23415", "", ""};
    modem::SimRule offices {"offices", "office", "8944", "", "", "", ""};
    return {{office, home}, {offices, vodafone}, "default"};
}

TEST_F(ProfileRoutesTest, DebugGathersTheModemItsProfileRuleEventsAndDialogue)
{
    auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1764547200));
    source.fake_policy = policy_with_secrets();
    source.lines = {{at, "ttyUSB2", ">", "AT+CPIN=***"}, {at, "ttyUSB2", "<", "OK"}};
    source.events = {{modem::Event::Kind::Added, "1-1", "Quectel EC25 on 1-1", at, {}},
                     {modem::Event::Kind::Added, "1-2", "Quectel EC25 on 1-2", at, {}}};
    auto response = get("/v1/modems/1-1/debug");
    ASSERT_EQ(response.status, 200) << response.error;
    const auto& body = response.body;
    EXPECT_EQ(keys_of(body),
        (std::set<std::string>{"uplink_version", "generated", "modem", "profile", "rule", "events", "dialogue"}));
    EXPECT_EQ(body.at("uplink_version"), "0.1.0");
    EXPECT_EQ(body.at("modem").at("id"), "1-1");
    EXPECT_EQ(body.at("modem").at("settings"), get("/v1/modems/1-1").body.at("settings"));
    EXPECT_EQ(body.at("modem").at("device").at("ports").at(1), json::parse(R"json(
        {"name":"cdc-wdm0","device_path":"/dev/cdc-wdm0","role":"qmi","interface":4,"driver":"qmi_wwan"})json"));
    EXPECT_TRUE(body.at("modem").as_object().contains("usage"));
    EXPECT_EQ(body.at("profile").at("name"), "home");
    EXPECT_EQ(body.at("profile").at("password_set"), true);
    EXPECT_EQ(body.at("profile").at("pin_set"), true);
    EXPECT_EQ(body.at("rule").at("name"), "vodafone");
    EXPECT_EQ(body.at("events"), json::parse(R"json([{"kind":"added","modem_id":"1-1",
        "message":"Quectel EC25 on 1-1","time":"2025-12-01T00:00:00.000Z"}])json"));
    EXPECT_EQ(body.at("dialogue"), get("/v1/modems/1-1/dialogue").body);
    auto text = json::serialize(body);
    for (const auto* secret : {"hunter2-secret", "73914628", "office-secret", "web-secret"})
        EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
}

TEST_F(ProfileRoutesTest, DebugOfAModemWithoutSettingsHasNoProfileOrRule)
{
    source.fake_policy = policy_with_secrets();
    auto response = get("/v1/modems/1-2/debug");
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body.at("profile"), nullptr);
    EXPECT_EQ(response.body.at("rule"), nullptr);
    EXPECT_EQ(response.body.at("events"), json::array());
    EXPECT_EQ(get("/v1/modems/9-9/debug").status, 404);
    EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/debug").status, 405);
}

TEST_F(ProfileRoutesTest, UsageIsShownWhereItIsKnown)
{
    EXPECT_TRUE(get("/v1/modems/1-1").body.at("usage").is_null());
    source.usages["wan1"] = {100, 200, 1000, 2000, std::chrono::system_clock::time_point(std::chrono::seconds(1764547200))};
    auto usage = get("/v1/modems/1-1").body.at("usage");
    EXPECT_EQ(usage, json::parse(R"json({"today":{"received_bytes":100,"sent_bytes":200},
        "this_period":{"received_bytes":1000,"sent_bytes":2000},"period_start":"2025-12-01T00:00:00.000Z"})json"))
        << json::serialize(usage);
}

TEST_F(ProfileRoutesTest, ProfilesAndRulesAreListedWithoutSecrets)
{
    modem::Profile home;
    home.name = "home";
    home.connection.apn = "internet";
    home.connection.password = "hunter2";
    home.pin = "1234";
    modem::SimRule rule;
    rule.name = "rule 1";
    rule.profile = "home";
    rule.mcc_mnc = "23415";
    source.fake_policy = {{home}, {rule}, "home"};
    auto response = get("/v1/profiles");
    ASSERT_EQ(response.status, 200) << response.error;
    auto text = json::serialize(response.body);
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
    EXPECT_EQ(text.find("1234"), std::string::npos) << text;
    EXPECT_EQ(response.body.at("default_profile"), "home");
    EXPECT_EQ(response.body.at("profiles").at(0).at("password_set"), true);
    EXPECT_EQ(response.body.at("profiles").at(0).at("pin_set"), true);
    EXPECT_EQ(response.body.at("profiles").at(0).at("metric"), nullptr); // by WAN number
    EXPECT_EQ(response.body.at("rules").at(0).at("mcc_mnc"), "23415");
}

TEST_F(ProfileRoutesTest, AnEditIsAPreviewUnlessSaidOtherwise)
{
    modem::PlannedChange change;
    change.modem_id = "1-1";
    change.wan = "wan1";
    change.action = modem::PlannedChange::Action::Reconnect;
    change.differences = {"apn: internet -> other"};
    source.edit_outcome.changes = {change};
    auto response = request(Method::Post, "/v1/profiles/home",
        json::parse(R"({"options":{"apn":"other","mtu":1400,"autoconnect":false,"username":null}})"));
    ASSERT_EQ(response.status, 200) << response.error;
    ASSERT_EQ(source.edits.size(), 1u);
    const auto& edit = source.edits[0];
    EXPECT_EQ(edit.type, "profile");
    EXPECT_EQ(edit.name, "home");
    EXPECT_EQ(edit.mode, ConfigEdit::Mode::Preview);
    EXPECT_EQ(edit.options, (std::map<std::string, std::string> {
                                {"apn", "other"}, {"mtu", "1400"}, {"autoconnect", "0"}, {"username", ""}}));
    EXPECT_EQ(response.body.at("applied"), false);
    EXPECT_EQ(response.body.at("changes").at(0).at("action"), "reconnect");
    EXPECT_EQ(response.body.at("changes").at(0).at("differences").at(0), "apn: internet -> other");

    response = request(Method::Post, "/v1/rules/vodafone/delete", json::parse(R"({"preview":false})"));
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(source.edits.back().type, "rule");
    EXPECT_EQ(source.edits.back().kind, ConfigEdit::Kind::Remove);
    EXPECT_EQ(response.body.at("applied"), true);
}

// The WANs, policies and traffic rules are edited as the profiles are (docs/api.md): a JSON array
// sets a list option whole.
TEST_F(ProfileRoutesTest, WansPoliciesAndTrafficRulesAreEditedLikeProfiles)
{
    auto response = request(Method::Post, "/v1/policies/failover",
        json::parse(R"({"options":{"tier":["lte","fibre:2"],"failback":"all"},"preview":false})"));
    ASSERT_EQ(response.status, 200) << response.error;
    auto edit = source.edits.back();
    EXPECT_EQ(edit.type, "policy");
    EXPECT_EQ(edit.name, "failover");
    EXPECT_EQ(edit.mode, ConfigEdit::Mode::Apply);
    EXPECT_EQ(edit.options, (std::map<std::string, std::string> {{"failback", "all"}}));
    EXPECT_EQ(edit.lists, (std::map<std::string, std::vector<std::string>> {{"tier", {"lte", "fibre:2"}}}));
    EXPECT_EQ(response.body.at("policy"), "failover");

    response = request(Method::Post, "/v1/wans/fibre", json::parse(R"({"options":{"interface":"eth1","dns":[]}})"));
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(source.edits.back().type, "wan");
    EXPECT_EQ(source.edits.back().lists.at("dns"), std::vector<std::string> {});
    ASSERT_EQ(request(Method::Post, "/v1/traffic/voip/delete", nullptr).status, 200);
    EXPECT_EQ(source.edits.back().type, "traffic");
    EXPECT_EQ(source.edits.back().kind, ConfigEdit::Kind::Remove);
    // GET /v1/wans is the WANs' state; a WAN's own path is for edits.
    EXPECT_EQ(get("/v1/wans/fibre").status, 405);
}

// A token's edit is made without secret access (the editor refuses secret options and hides
// secrets in the preview); a secret option it names is a 403 naming it.
TEST_F(ProfileRoutesTest, ATokensEditHasNoSecretAccess)
{
    auto body = json::parse(R"({"options":{"apn":"x"}})");
    EXPECT_EQ(request(Method::Post, "/v1/profiles/home", body, Caller::ApiToken).status, 200);
    EXPECT_EQ(source.edits.back().secrets, SecretAccess::None);
    EXPECT_EQ(request(Method::Post, "/v1/rules/vodafone/delete", nullptr, Caller::ApiToken).status, 200);
    EXPECT_EQ(source.edits.back().secrets, SecretAccess::None);
    for (auto caller : {Caller::Admin, Caller::Root}) {
        EXPECT_EQ(request(Method::Post, "/v1/profiles/home", body, caller).status, 200);
        EXPECT_EQ(source.edits.back().secrets, SecretAccess::Full);
    }
    source.edit_outcome.forbidden = {"pin"};
    auto refused = request(Method::Post, "/v1/profiles/home", json::parse(R"({"options":{"pin":"1234"}})"),
        Caller::ApiToken);
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.error.find("cannot set option 'pin'"), std::string::npos) << refused.error;
    EXPECT_EQ(refused.error.find("1234"), std::string::npos) << refused.error;
}

TEST_F(ProfileRoutesTest, BadEditsAreRefusedWithTheReason)
{
    auto response = request(Method::Post, "/v1/profiles/home", json::parse(R"({"options":{"apn":{"a":1}}})"));
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.error.find("option 'apn'"), std::string::npos) << response.error;
    response = request(Method::Post, "/v1/wans/fibre", json::parse(R"({"options":{"track_ip":["192.0.2.1",2]}})"));
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.error.find("list 'track_ip' must be an array of strings"), std::string::npos) << response.error;
    response = request(Method::Post, "/v1/profiles/home", json::parse(R"({"preview":"yes"})"));
    EXPECT_EQ(response.status, 400);
    response = request(Method::Post, "/v1/profiles/home", json::parse(R"({"colour":"blue"})"));
    EXPECT_EQ(response.status, 400);
    response = request(Method::Post, "/v1/profiles/home/delete", json::parse(R"({"options":{"apn":"x"}})"));
    EXPECT_EQ(response.status, 400);
    EXPECT_TRUE(source.edits.empty());

    source.edit_outcome.problems = {"option 'auth': 'kerberos' is not one of none, pap, chap, pap-chap"};
    response = request(Method::Post, "/v1/profiles/home", json::parse(R"({"options":{"auth":"kerberos"}})"));
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.error.find("kerberos"), std::string::npos);
    EXPECT_EQ(get("/v1/profiles/home").status, 405);
}

} // namespace
} // namespace uplink::api

namespace uplink::api {
namespace {

// A backup is the file itself, secrets and all; a restore is a preview unless it says otherwise.
TEST_F(ProfileRoutesTest, TheConfigIsBackedUpAndRestored)
{
    auto backup = get("/v1/config");
    ASSERT_EQ(backup.status, 200) << backup.error;
    EXPECT_EQ(backup.body, json::parse(R"({"path":"/etc/config/uplink","text":"config profile 'home'\n\toption pin '1234'\n"})"));

    modem::PlannedChange change;
    change.modem_id = "1-1";
    change.action = modem::PlannedChange::Action::Reconnect;
    change.differences = {"apn: internet -> other"};
    source.edit_outcome.changes = {change};
    source.edit_outcome.changed = {"profiles", "socket"};
    source.edit_outcome.restart_required = {"socket"};
    auto preview = request(Method::Post, "/v1/config", json::parse(R"({"text":"config profile 'home'\n"})"));
    ASSERT_EQ(preview.status, 200) << preview.error;
    ASSERT_EQ(source.restores.size(), 1u);
    EXPECT_EQ(source.restores[0].text, "config profile 'home'\n");
    EXPECT_EQ(source.restores[0].mode, ConfigEdit::Mode::Preview);
    EXPECT_EQ(keys_of(preview.body), (std::set<std::string> {"applied", "changed", "restart_required", "changes"}));
    EXPECT_EQ(preview.body.at("applied"), false);
    EXPECT_EQ(preview.body.at("changed"), json::parse(R"(["profiles","socket"])"));
    EXPECT_EQ(preview.body.at("restart_required"), json::parse(R"(["socket"])"));
    EXPECT_EQ(preview.body.at("changes").at(0).at("action"), "reconnect");

    auto applied = request(Method::Post, "/v1/config", json::parse(R"({"text":"","preview":false})"));
    ASSERT_EQ(applied.status, 200) << applied.error;
    EXPECT_EQ(source.restores.back().mode, ConfigEdit::Mode::Apply);
    EXPECT_EQ(applied.body.at("applied"), true);
    EXPECT_EQ(request(Method::Other, "/v1/config").status, 405);

    // The admin's login over HTTPS may; a script's API token may not, even with a path the
    // router reads the same.
    EXPECT_EQ(request(Method::Get, "/v1/config", nullptr, Caller::Admin).status, 200);
    for (const auto* path : {"/v1/config", "/v1/config/", "/v1/%63onfig"}) {
        auto refused = request(Method::Get, path, nullptr, Caller::ApiToken);
        EXPECT_EQ(refused.status, 403) << path;
        EXPECT_NE(refused.error.find("log in with the password"), std::string::npos) << refused.error;
    }
    EXPECT_EQ(request(Method::Post, "/v1/config", json::parse(R"({"text":"","preview":false})"), Caller::ApiToken).status, 403);
    EXPECT_EQ(source.restores.size(), 2u);
}

TEST_F(ProfileRoutesTest, ABadRestoreIsRefusedWithTheReason)
{
    for (const auto* body : {R"(null)", R"({})", R"({"text":7})", R"({"text":"","preview":"no"})",
             R"({"text":"","colour":"blue"})"}) {
        auto response = request(Method::Post, "/v1/config", json::parse(body));
        EXPECT_EQ(response.status, 400) << body;
        EXPECT_FALSE(response.error.empty());
    }
    EXPECT_TRUE(source.restores.empty());

    source.edit_outcome.problems = {"line 2: option 'poll_interval': 0 is below the minimum 1"};
    auto response = request(Method::Post, "/v1/config",
        json::parse(R"({"text":"config uplink\n\toption poll_interval 0\n","preview":false})"));
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.error.find("nothing changed: line 2: option 'poll_interval'"), std::string::npos) << response.error;
}

using SystemTime = std::chrono::system_clock::time_point;
using namespace std::chrono_literals;

class SignalRoutesTest : public RouterTest {};

TEST_F(SignalRoutesTest, HistoryIsInColumnsWithNullsForTheUnknown)
{
    SystemTime noon{std::chrono::seconds{1714564800}};
    source.histories["1-1"] = {10s, {{noon, -65, -95, -10, 12}, {noon + 10s, std::nullopt, -97, -11, std::nullopt}}};
    auto response = get("/v1/modems/1-1/signal/history?since=1714564800");
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body, json::parse(R"({"modem_id":"1-1","wan":"wan1","since":1714564800,"bucket_s":10,
        "time":[1714564800,1714564810],"rssi_dbm":[-65,null],"rsrp_dbm":[-95,-97],"rsrq_db":[-10,-11],
        "sinr_db":[12,null]})"));
    ASSERT_EQ(source.history_requests.size(), 1u);
    EXPECT_EQ(source.history_requests[0].since, noon);
    EXPECT_EQ(source.history_requests[0].max_points, 2000u);
}

TEST_F(SignalRoutesTest, SinceIsUnixSecondsSecondsAgoOrAnIsoTime)
{
    SystemTime noon{std::chrono::seconds{1714564800}};
    for (const auto& [query, since] : std::vector<std::pair<std::string, SystemTime>>{
             {"since=2024-05-01T12:00:00Z", noon},
             {"since=2024-05-01T12:00:00.250Z", noon + 250ms},
             {"since=2024-05-01T14:00:00%2B02:00", noon},
             {"since=2024-05-01T08:30:00-03:30", noon},
             {"points=500&since=1714564800", noon},
         }) {
        source.history_requests.clear();
        auto response = get("/v1/modems/1-1/signal/history?" + query);
        ASSERT_EQ(response.status, 200) << query << ": " << response.error;
        ASSERT_EQ(source.history_requests.size(), 1u);
        EXPECT_EQ(source.history_requests[0].since, since) << query;
    }
    EXPECT_EQ(source.history_requests[0].max_points, 500u);

    for (const auto& [query, ago] : std::vector<std::pair<std::string, std::chrono::seconds>>{
             {"since=-3600", 1h}, {"", 24h}}) {
        source.history_requests.clear();
        auto before = std::chrono::system_clock::now();
        ASSERT_EQ(get("/v1/modems/1-1/signal/history?" + query).status, 200);
        auto after = std::chrono::system_clock::now();
        EXPECT_GE(source.history_requests.at(0).since, before - ago - 1s) << query;
        EXPECT_LE(source.history_requests[0].since, after - ago) << query;
    }
}

TEST_F(SignalRoutesTest, HistoryRefusesWhatItCannotRead)
{
    for (const auto* query : {"since=yesterday", "since=2024-13-01T00:00:00Z", "since=2024-05-01T12:00:00",
                              "since=2024-05-01", "since=12ab", "points=0", "points=2001", "points=many"}) {
        auto response = get(std::string("/v1/modems/1-1/signal/history?") + query);
        EXPECT_EQ(response.status, 400) << query;
    }
    EXPECT_TRUE(source.history_requests.empty());
    EXPECT_EQ(get("/v1/modems/9-9/signal/history").status, 404);
    EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/signal/history").status, 405);
    source.history_error = make_error_code(boost::system::errc::io_error);
    auto unavailable = get("/v1/modems/1-1/signal/history");
    EXPECT_EQ(unavailable.status, 503);
    EXPECT_NE(unavailable.error.find("no signal history"), std::string::npos) << unavailable.error;
}

// A number the clock cannot hold (nanoseconds since 1970 in 64 bits: up to 2262), a time before
// 1970 (written as seconds ago too) or a sign or field a strict reading refuses is a 400 saying
// what is taken, and never reaches the store as a time that wrapped around.
TEST_F(SignalRoutesTest, HistoryRefusesNumbersThatWouldWrap)
{
    for (const auto* query : {"since=9223372036854775807", "since=-9223372036854775808", "since=10000000000",
             "since=-10000000000", "since=99999999999999999999", "since=%2B1714564800", "since=", "since=-",
             "since=1714564800.5", "since=%201714564800", "since=9999-12-31T23:59:59Z",
             "since=1969-12-31T23:59:59Z", "since=-001-05-01T12:00:00Z", "since=2024-05-01T-1:00:00Z",
             "since=2024-05-01T12:-1:00Z", "since=2024-05-01T12:00:00%2B-1:00", "since=2024-05-01T12:00:00%2B24:00",
             "since=2024-05-01T12:00:00-00:60", "since=%2B024-05-01T12:00:00Z", "points=%2B5",
             "points=-1", "points=%205", "points=9223372036854775808", "points=18446744073709551617"}) {
        auto response = get(std::string("/v1/modems/1-1/signal/history?") + query);
        EXPECT_EQ(response.status, 400) << query;
        EXPECT_TRUE(response.error.find("'since'") != std::string::npos
                    || response.error.find("'points'") != std::string::npos)
            << query << ": " << response.error;
    }
    EXPECT_TRUE(source.history_requests.empty());
    auto refused = get("/v1/modems/1-1/signal/history?since=10000000000");
    EXPECT_NE(refused.error.find("from 1970 to 2262"), std::string::npos) << refused.error;

    // The ends of the range are taken.
    for (const auto* query : {"since=0", "since=1970-01-01T00:00:00Z", "since=2262-01-01T00:00:00Z",
             "since=9223372035", "since=-1", "points=1", "points=2000"})
        EXPECT_EQ(get(std::string("/v1/modems/1-1/signal/history?") + query).status, 200) << query;
}

TEST_F(SignalRoutesTest, AFastSignalLeaseIs30SecondsUnlessAskedOtherwise)
{
    auto response = request(Method::Post, "/v1/modems/1-1/signal/fast");
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body.at("modem_id"), "1-1");
    EXPECT_EQ(response.body.at("seconds"), 30);
    EXPECT_EQ(response.body.at("interval_ms"), 250);
    EXPECT_TRUE(response.body.at("until").as_string().ends_with("Z"));

    response = request(Method::Post, "/v1/modems/1-1/signal/fast", json::object{{"seconds", 120}});
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body.at("seconds"), 120);
    EXPECT_EQ(source.fast_leases, (std::vector<std::string>{"1-1 30000", "1-1 120000"}));

    for (const auto& body : {json::value(json::object{{"seconds", 0}}), json::value(json::object{{"seconds", 121}}),
                             json::value(json::object{{"seconds", "30"}}), json::value(json::object{{"seconds", 1.5}})})
        EXPECT_EQ(request(Method::Post, "/v1/modems/1-1/signal/fast", body).status, 400) << json::serialize(body);
    EXPECT_EQ(request(Method::Post, "/v1/modems/9-9/signal/fast").status, 404);
    EXPECT_EQ(get("/v1/modems/1-1/signal/fast").status, 405);
    EXPECT_EQ(source.fast_leases.size(), 2u);
}

} // namespace
} // namespace uplink::api
