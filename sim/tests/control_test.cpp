// Control requests: every command parses, every bad request is refused with a clear message.
#include "sim/control.hpp"

#include <gtest/gtest.h>

namespace uplink::sim {
namespace {

ControlRequest parse(std::string_view line)
{
    std::string message;
    auto request = parse_control_request(line, message);
    EXPECT_TRUE(request) << line << ": " << message;
    return request ? *request : ControlRequest {};
}

std::string refusal(std::string_view line)
{
    std::string message;
    auto request = parse_control_request(line, message);
    EXPECT_FALSE(request) << line;
    EXPECT_FALSE(message.empty()) << line;
    return message;
}

TEST(ControlRequest, Commands)
{
    EXPECT_EQ(parse(R"({"cmd":"status"})").command, ControlCommand::Status);
    auto unplug = parse(R"({"cmd":"unplug","modem":"ec25"})");
    EXPECT_EQ(unplug.command, ControlCommand::Unplug);
    EXPECT_EQ(unplug.modem, "ec25");
    EXPECT_FALSE(parse(R"({"cmd":"replug"})").modem);
    EXPECT_EQ(parse(R"({"cmd":"sim-remove"})").command, ControlCommand::SimRemove);
    EXPECT_EQ(parse(R"({"cmd":"sim-insert","sim":"card2"})").sim, "card2");
    EXPECT_EQ(parse(R"({"cmd":"detach"})").command, ControlCommand::Detach);
    EXPECT_EQ(parse(R"({"cmd":"attach"})").command, ControlCommand::Attach);
    EXPECT_EQ(parse(R"({"cmd":"clear-overrides"})").command, ControlCommand::ClearOverrides);
    EXPECT_EQ(parse(R"({"cmd":"counters","modem":"ec25"})").command, ControlCommand::Counters);
    auto drop = parse(R"({"cmd":"bearer-drop","modem":"ec25"})");
    EXPECT_EQ(drop.command, ControlCommand::BearerDrop);
    EXPECT_EQ(drop.cause, 36); // regular deactivation
    EXPECT_EQ(parse(R"({"cmd":"bearer-drop","cause":38})").cause, 38);
}

TEST(ControlRequest, SetSignalTakesAnySubset)
{
    auto request = parse(
        R"({"cmd":"set-signal","modem":"ec25","rsrp":-100,"rsrq":-12,"sinr":5,"rssi":-70})");
    EXPECT_EQ(request.signal.rsrp, -100);
    EXPECT_EQ(request.signal.rsrq, -12);
    EXPECT_EQ(request.signal.sinr, 5);
    EXPECT_EQ(request.signal.rssi, -70);
    request = parse(R"({"cmd":"set-signal","sinr":-3})");
    EXPECT_EQ(request.signal.sinr, -3);
    EXPECT_FALSE(request.signal.rsrp);
    request = parse(R"({"cmd":"set-signal","cell_id":"1A2B3C5","secondary":null})");
    EXPECT_EQ(request.signal.cell_id, 0x1A2B3C5u);
    ASSERT_TRUE(request.signal.secondary);
    EXPECT_FALSE(*request.signal.secondary);
}

TEST(ControlRequest, PortCommands)
{
    auto hang = parse(R"({"cmd":"hang","modem":"ec25","port":"ttyUSB2"})");
    EXPECT_EQ(hang.command, ControlCommand::Hang);
    EXPECT_EQ(hang.port, "ttyUSB2");
    EXPECT_EQ(parse(R"({"cmd":"unhang","port":"ttyUSB3"})").port, "ttyUSB3");
    EXPECT_EQ(parse(R"({"cmd":"garbage","port":"ttyUSB2","hex":"00ff1B0d"})").bytes,
        std::string("\x00\xff\x1b\r", 4));
    EXPECT_EQ(parse(R"({"cmd":"garbage","port":"ttyUSB2","text":"+CEREG: 9\r\n"})").bytes,
        "+CEREG: 9\r\n");
}

TEST(ControlRequest, LatencyAndOverride)
{
    EXPECT_EQ(parse(R"({"cmd":"latency","ms":800})").latency, Duration(800));
    EXPECT_FALSE(parse(R"({"cmd":"latency","ms":null})").latency);
    auto entry = parse(
        R"({"cmd":"override","match":"AT+QENG=\"servingcell\"","lines":["+QENG: x"],"final":"ERROR"})")
                     .override_entry;
    EXPECT_EQ(entry.match, "AT+QENG=\"servingcell\"");
    EXPECT_EQ(entry.lines, std::vector<std::string> {"+QENG: x"});
    EXPECT_EQ(entry.final, "ERROR");
    EXPECT_EQ(parse(R"({"cmd":"override","match":"AT+CSQ*"})").override_entry.final, "OK");
}

TEST(ControlRequest, BadRequestsAreRefusedClearly)
{
    EXPECT_NE(refusal("not json").find("not JSON"), std::string::npos);
    EXPECT_EQ(refusal("[1,2]"), "a request is a JSON object");
    EXPECT_EQ(refusal("{}"), "cmd: missing");
    EXPECT_EQ(refusal(R"({"cmd":5})"), "cmd: expected a string");
    EXPECT_EQ(refusal(R"({"cmd":"explode"})"), "unknown cmd \"explode\"");
    EXPECT_EQ(refusal(R"({"cmd":"status","verbose":true})"), "verbose: unknown field");
    EXPECT_EQ(refusal(R"({"cmd":"unplug","modem":7})"), "modem: expected a string");
    EXPECT_EQ(refusal(R"({"cmd":"hang"})"), "port: missing");
    EXPECT_EQ(refusal(R"({"cmd":"garbage","port":"ttyUSB2","hex":"abc"})"),
        "hex: expected an even number of hex digits");
    EXPECT_EQ(refusal(R"({"cmd":"garbage","port":"ttyUSB2"})"),
        "give exactly one of \"hex\" and \"text\"");
    EXPECT_EQ(refusal(R"({"cmd":"garbage","port":"ttyUSB2","hex":"00","text":"x"})"),
        "give exactly one of \"hex\" and \"text\"");
    EXPECT_EQ(refusal(R"({"cmd":"latency"})"), "ms: missing");
    EXPECT_EQ(refusal(R"({"cmd":"latency","ms":-1})"), "ms: expected an integer 0..600000");
    EXPECT_EQ(refusal(R"({"cmd":"override","lines":[]})"), "match: missing");
    EXPECT_EQ(refusal(R"({"cmd":"override","match":"AT","lines":[1]})"),
        "lines: expected an array of strings");
    EXPECT_NE(refusal(R"({"cmd":"set-signal"})").find("give at least one"), std::string::npos);
    EXPECT_EQ(refusal(R"({"cmd":"set-signal","rsrp":0})"), "rsrp: expected an integer -140..-44");
    EXPECT_EQ(refusal(R"({"cmd":"set-signal","rspr":-90})"), "rspr: unknown field");
    EXPECT_EQ(refusal(std::string(70000, ' ')), "request too long");
    EXPECT_EQ(refusal(R"({"cmd":"bearer-drop","cause":256})"), "cause: expected an integer 0..255");
    EXPECT_EQ(refusal(R"({"cmd":"bearer-drop","reason":1})"), "reason: unknown field");
}

TEST(ControlRequest, LinkOverridesAnySubset)
{
    auto link = parse(R"({"cmd":"link","downlink_kbit":2000,"delay_ms":40,"loss_percent":20})").link;
    EXPECT_EQ(link.downlink_kbit, 2000u);
    EXPECT_FALSE(link.uplink_kbit);
    EXPECT_EQ(link.delay, Duration(40));
    EXPECT_EQ(link.loss_percent, 20.0);
    EXPECT_TRUE(parse(R"({"cmd":"link"})").link.empty());
    EXPECT_EQ(refusal(R"({"cmd":"link","loss_percent":101})"), "loss_percent: expected an integer 0..100");
}

TEST(ControlRequest, ErrorReplyAndNames)
{
    EXPECT_EQ(
        control_error("unknown modem \"x\""), R"({"ok":false,"error":"unknown modem \"x\""})");
    for (auto name : {"status", "unplug", "replug", "sim-remove", "sim-insert", "set-signal",
             "detach", "attach", "hang", "unhang", "garbage", "latency", "override",
             "clear-overrides", "counters", "bearer-drop", "link"}) {
        auto command = control_command_from_string(name);
        ASSERT_TRUE(command) << name;
        EXPECT_EQ(to_string(*command), name);
    }
}

} // namespace
} // namespace uplink::sim
