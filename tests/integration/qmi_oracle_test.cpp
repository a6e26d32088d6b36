// libqmi as an oracle for our QMI codec. uplink-sim decodes what uplinkd writes with the same
// src/qmi that encoded it, so a mistake shared by both would never show. Here every frame of a
// whole session, both ways, goes through libqmi (tests/oracle/qmi_oracle reads uplink-sim's
// --qmi-capture file), which must frame it, name the message uplinkd meant and read each TLV
// value without error, as our own decode() reads it.
#include "harness.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <qmi/qmi.hpp>
#include <set>
#include <sstream>

namespace uplink::testing {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------- the oracle's report
struct OracleTlv {
    std::uint8_t type = 0;
    std::vector<std::uint8_t> value;
    std::string name, translated; // libqmi's
};

struct OracleFrame {
    std::string modem, sender; // sender: "host" (uplinkd) or "modem" (uplink-sim)
    std::vector<std::uint8_t> bytes;
    unsigned service = 0, client = 0, transaction = 0, id = 0;
    std::string type, name;
    std::vector<OracleTlv> tlvs;
};

struct OracleReport {
    int exit_code = -1;
    std::string errors;
    std::vector<OracleFrame> frames;
    std::vector<std::string> refusals; // "refused …" and "incomplete …" lines as printed
    std::string summary;
};

std::vector<std::uint8_t> from_hex(std::string_view hex)
{
    std::vector<std::uint8_t> bytes;
    for (std::size_t index = 0; index + 1 < hex.size(); index += 2)
        bytes.push_back(
            static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(index, 2)), nullptr, 16)));
    return bytes;
}

std::string to_hex(std::span<const std::uint8_t> bytes)
{
    std::string hex;
    for (auto byte : bytes)
        hex += fmt::format("{:02x}", byte);
    return hex;
}

std::vector<std::string> split_tabs(const std::string& line)
{
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        auto tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos)
            return fields;
        start = tab + 1;
    }
}

std::string unescape(std::string_view text)
{
    std::string plain;
    for (std::size_t index = 0; index < text.size(); ++index) {
        if (text[index] != '\\' || index + 1 == text.size()) {
            plain += text[index];
            continue;
        }
        char next = text[++index];
        plain += next == 't' ? '\t' : next == 'n' ? '\n' : next;
    }
    return plain;
}

std::filesystem::path oracle_program()
{
    return UPLINK_QMI_ORACLE;
}

// Runs the oracle on a capture file; the test fails (not skips) when libqmi is missing.
OracleReport run_oracle(const std::filesystem::path& capture)
{
    OracleReport report;
    auto program = oracle_program();
    if (program.empty() || !std::filesystem::exists(program)) {
        ADD_FAILURE()
            << "tests/oracle/qmi_oracle was not built: libqmi-glib is missing. Run scripts/deps "
               "(it installs libqmi-glib-dev and libmbim-glib-dev), then configure again.";
        return report;
    }
    auto result = run_command({program.string(), capture.string()});
    report.exit_code = result.exit_code;
    report.errors = result.err;
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
        auto fields = split_tabs(line);
        const auto& kind = fields[0];
        if (kind == "frame" && fields.size() == 4) {
            auto& frame = report.frames.emplace_back();
            frame.modem = fields[1];
            frame.sender = fields[2];
            frame.bytes = from_hex(fields[3]);
        } else if (kind == "message" && fields.size() == 7 && !report.frames.empty()) {
            auto& frame = report.frames.back();
            frame.service = static_cast<unsigned>(std::stoul(fields[1]));
            frame.client = static_cast<unsigned>(std::stoul(fields[2]));
            frame.type = fields[3];
            frame.transaction = static_cast<unsigned>(std::stoul(fields[4]));
            frame.id = static_cast<unsigned>(std::stoul(fields[5]));
            frame.name = fields[6];
        } else if (kind == "tlv" && fields.size() == 5 && !report.frames.empty()) {
            report.frames.back().tlvs.push_back({static_cast<std::uint8_t>(std::stoul(fields[1])),
                from_hex(fields[2]), unescape(fields[3]), unescape(fields[4])});
        } else if (kind == "refused" || kind == "incomplete") {
            report.refusals.push_back(line);
        } else if (kind == "summary") {
            report.summary = line;
        } else if (kind != "end") {
            ADD_FAILURE() << "qmi_oracle printed an unexpected line: " << line;
        }
    }
    return report;
}

std::string_view type_name(qmi::MessageType type)
{
    switch (type) {
    case qmi::MessageType::Request:
        return "request";
    case qmi::MessageType::Response:
        return "response";
    case qmi::MessageType::Indication:
        return "indication";
    }
    return "?";
}

// Where libqmi and our decode() part ways on a frame, or libqmi has a complaint; empty when
// they agree. libqmi's translation says "ERROR" when a TLV is shorter than its fields and
// "Additional unexpected 'n' bytes" when it is longer.
std::vector<std::string> disagreements(const OracleFrame& frame)
{
    std::vector<std::string> found;
    auto where = fmt::format("{} {} {}: ", frame.modem, frame.sender, to_hex(frame.bytes));
    auto ours = qmi::decode(frame.bytes);
    if (!ours)
        return {where + "libqmi took it, our decode() did not: " + ours.error().message()};
    if (frame.name.empty())
        found.push_back(where
            + fmt::format(
                "libqmi does not know message 0x{:04x} of service {}", frame.id, frame.service));
    if (frame.service != static_cast<unsigned>(ours->service) || frame.client != ours->client
        || frame.transaction != ours->transaction || frame.id != ours->id
        || frame.type != type_name(ours->type))
        found.push_back(where
            + fmt::format("libqmi reads service {} client {} {} tid {} id 0x{:04x}; we read {}",
                frame.service, frame.client, frame.type, frame.transaction, frame.id,
                qmi::describe(*ours)));
    // Requests come from the host, responses and indications from the modem.
    if ((frame.sender == "host") != (frame.type == "request"))
        found.push_back(where + "a " + frame.type + " sent by the " + frame.sender);
    if (frame.tlvs.size() != ours->tlvs.size()) {
        found.push_back(where
            + fmt::format(
                "libqmi reads {} TLVs, we read {}", frame.tlvs.size(), ours->tlvs.size()));
        return found;
    }
    for (std::size_t index = 0; index < frame.tlvs.size(); ++index) {
        const auto& theirs = frame.tlvs[index];
        const auto& mine = ours->tlvs[index];
        if (theirs.type != mine.type || theirs.value != mine.value)
            found.push_back(where
                + fmt::format("TLV {}: libqmi 0x{:02x} {}, we 0x{:02x} {}", index, theirs.type,
                    to_hex(theirs.value), mine.type, to_hex(mine.value)));
        if (theirs.translated.find("ERROR") != std::string::npos
            || theirs.translated.find("unexpected") != std::string::npos)
            found.push_back(where
                + fmt::format("TLV 0x{:02x} ({}): libqmi reads \"{}\"", theirs.type, theirs.name,
                    theirs.translated));
    }
    return found;
}

std::vector<std::string> disagreements(const OracleReport& report)
{
    std::vector<std::string> found = report.refusals;
    if (report.exit_code != 0)
        found.push_back(
            fmt::format("qmi_oracle exited with {}: {}", report.exit_code, report.errors));
    for (const auto& frame : report.frames)
        for (auto& problem : disagreements(frame))
            found.push_back(std::move(problem));
    return found;
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string text;
    for (const auto& line : lines)
        text += line + "\n";
    return text;
}

const OracleTlv* find_tlv(const OracleFrame& frame, std::uint8_t type)
{
    for (const auto& tlv : frame.tlvs)
        if (tlv.type == type)
            return &tlv;
    return nullptr;
}

std::vector<const OracleFrame*> frames_of(
    const OracleReport& report, qmi::Service service, std::uint16_t id, std::string_view type)
{
    std::vector<const OracleFrame*> found;
    for (const auto& frame : report.frames)
        if (frame.service == static_cast<unsigned>(service) && frame.id == id && frame.type == type)
            found.push_back(&frame);
    return found;
}

void write_capture(const std::filesystem::path& path, const std::vector<std::string>& lines)
{
    std::ofstream file(path);
    for (const auto& line : lines)
        file << line << '\n';
}

std::string capture_line(std::string_view sender, const qmi::Message& message)
{
    auto frame = qmi::encode(message);
    EXPECT_TRUE(frame) << qmi::describe(message);
    return fmt::format("ec25 {} {}", sender, frame ? to_hex(*frame) : "");
}

// ---------------------------------------------------------------- the oracle itself
// The checks can fail: libqmi refuses a frame whose TLV runs past its end, and flags a TLV
// longer than its fields; a good frame beside them passes.
TEST(QmiOracle, RefusesABrokenFrameAndFlagsAnOverlongTlv)
{
    TemporaryDirectory directory;
    auto good = capture_line("host", qmi::nas_get_operator_name(1));
    auto broken = qmi::encode(qmi::dms_set_operating_mode(1, qmi::OperatingMode::LowPower));
    ASSERT_TRUE(broken);
    ASSERT_EQ(to_hex(*broken).substr(to_hex(*broken).size() - 8), "01010001"); // TLV 0x01, 1 byte
    (*broken)[broken->size() - 3] = 0x20; // its length: 32, past the frame's end
    auto overlong = qmi::wds_set_ip_family(2, qmi::IpFamily::Ipv4);
    overlong.tlvs.at(0).value.push_back(0); // the IP family is one byte
    write_capture(directory.path() / "good.capture", {good});
    write_capture(directory.path() / "bad.capture",
        {good, "ec25 host " + to_hex(*broken), capture_line("host", overlong)});

    auto passed = run_oracle(directory.path() / "good.capture");
    EXPECT_EQ(passed.exit_code, 0) << passed.errors;
    ASSERT_EQ(passed.frames.size(), 1u);
    EXPECT_EQ(passed.frames[0].name, "Get Operator Name");
    EXPECT_TRUE(disagreements(passed).empty()) << joined(disagreements(passed));

    auto failed = run_oracle(directory.path() / "bad.capture");
    EXPECT_EQ(failed.exit_code, 1);
    ASSERT_EQ(failed.refusals.size(), 1u);
    EXPECT_TRUE(failed.refusals[0].starts_with("refused\tec25\thost\t" + to_hex(*broken)))
        << failed.refusals[0];
    auto problems = disagreements(failed);
    ASSERT_EQ(problems.size(), 3u) << joined(problems); // the refusal, the exit code, the TLV
    EXPECT_NE(problems[2].find(
                  "TLV 0x01 (Preference): libqmi reads \"ipv4Additional unexpected '1' bytes\""),
        std::string::npos)
        << problems[2];
}

// ---------------------------------------------------------------- a whole session
class QmiOracleSession : public ::testing::Test {
protected:
    std::filesystem::path capture() const { return directory_.path() / "qmi.capture"; }

    TemporaryDirectory directory_;
};

// The ids uplinkd uses (qmi.hpp) are the messages libqmi knows by these names.
const std::map<std::pair<qmi::Service, std::uint16_t>, std::string_view> libqmi_names = {
    {{qmi::Service::Ctl, qmi::ctl::allocate_cid}, "Allocate CID"},
    {{qmi::Service::Ctl, qmi::ctl::release_cid}, "Release CID"},
    {{qmi::Service::Ctl, qmi::ctl::get_version_info}, "Get Version Info"},
    {{qmi::Service::Dms, qmi::dms::get_manufacturer}, "Get Manufacturer"},
    {{qmi::Service::Dms, qmi::dms::get_model}, "Get Model"},
    {{qmi::Service::Dms, qmi::dms::get_revision}, "Get Revision"},
    {{qmi::Service::Dms, qmi::dms::get_ids}, "Get IDs"},
    {{qmi::Service::Dms, qmi::dms::get_operating_mode}, "Get Operating Mode"},
    {{qmi::Service::Dms, qmi::dms::set_operating_mode}, "Set Operating Mode"},
    {{qmi::Service::Uim, qmi::uim::get_card_status}, "Get Card Status"},
    {{qmi::Service::Uim, qmi::uim::verify_pin}, "Verify PIN"},
    {{qmi::Service::Nas, qmi::nas::get_serving_system}, "Get Serving System"},
    {{qmi::Service::Nas, qmi::nas::get_signal_info}, "Get Signal Info"},
    {{qmi::Service::Nas, qmi::nas::register_indications}, "Register Indications"},
    {{qmi::Service::Nas, qmi::nas::get_system_selection_preference},
        "Get System Selection Preference"},
    {{qmi::Service::Nas, qmi::nas::set_system_selection_preference},
        "Set System Selection Preference"},
    {{qmi::Service::Wda, qmi::wda::set_data_format}, "Set Data Format"},
    {{qmi::Service::Wds, qmi::wds::start_network}, "Start Network"},
    {{qmi::Service::Wds, qmi::wds::stop_network}, "Stop Network"},
    {{qmi::Service::Wds, qmi::wds::get_current_settings}, "Get Current Settings"},
};

// The checks for every frame of a session: no disagreement, and libqmi's name for each message
// id uplinkd uses. The frames by sender and service ("host WDS"), also printed.
std::map<std::string, int> check_every_frame(const OracleReport& report)
{
    EXPECT_TRUE(disagreements(report).empty()) << joined(disagreements(report));
    std::map<std::string, int> by_service;
    for (const auto& frame : report.frames) {
        ++by_service[fmt::format(
            "{} {}", frame.sender, qmi::to_string(static_cast<qmi::Service>(frame.service)))];
        auto name = libqmi_names.find(
            {static_cast<qmi::Service>(frame.service), static_cast<std::uint16_t>(frame.id)});
        if (name != libqmi_names.end() && frame.type != "indication") {
            EXPECT_EQ(frame.name, name->second) << to_hex(frame.bytes);
        }
    }
    std::string counts;
    for (const auto& [service, count] : by_service)
        counts += fmt::format(" {}={}", service, count);
    std::cout << "libqmi decoded " << report.frames.size() << " frames:" << counts << "\n";
    return by_service;
}

TEST_F(QmiOracleSession, EveryFrameBothWaysIsTheMessageLibqmiReads)
{
    {
        Emulator emulator(directory_.path() / "sim", scenario_path("ec25-test.json"),
            {"--qmi-capture", capture().string()});
        Daemon::Settings settings;
        settings.pin = "1234";
        settings.connection = "\toption apn 'internet'\n";
        Daemon daemon(directory_.path() / "daemon", emulator, settings);
        // Without root there is no wwan0: the call is started, then stopped, and says why.
        daemon.wait_for_modem("1-1", "the call made and ended", [](const json::value& modem) {
            return text(modem.at("connection"), "last_error").find("cannot configure wwan0")
                != std::string::npos;
        });
        EXPECT_EQ(daemon.stop(), 0); // uplinkd releases its clients on the way out
    }

    auto report = run_oracle(capture());
    auto by_service = check_every_frame(report);
    // On an EC25 uplinkd talks AT for the rest, and QMI for the data call.
    for (auto service : {qmi::Service::Ctl, qmi::Service::Wda, qmi::Service::Wds})
        EXPECT_TRUE(by_service.contains(fmt::format("host {}", qmi::to_string(service))));

    // WDA Set Data Format asks for raw IP, and the modem says it uses it.
    auto formats = frames_of(report, qmi::Service::Wda, qmi::wda::set_data_format, "request");
    ASSERT_FALSE(formats.empty());
    const auto* asked = find_tlv(*formats[0], 0x11);
    ASSERT_TRUE(asked);
    EXPECT_EQ(asked->name, "Link Layer Protocol");
    EXPECT_EQ(asked->translated, "raw-ip");
    auto formatted = frames_of(report, qmi::Service::Wda, qmi::wda::set_data_format, "response");
    ASSERT_FALSE(formatted.empty());
    auto protocol = qmi::parse_wda_data_format(*qmi::decode(formatted[0]->bytes));
    EXPECT_TRUE(protocol && *protocol == qmi::LinkProtocol::RawIp);
    ASSERT_TRUE(find_tlv(*formatted[0], 0x11));
    EXPECT_EQ(find_tlv(*formatted[0], 0x11)->translated, "raw-ip");

    // WDS Start Network carries the profile's APN, as libqmi reads it.
    auto starts = frames_of(report, qmi::Service::Wds, qmi::wds::start_network, "request");
    ASSERT_FALSE(starts.empty());
    const auto* apn = find_tlv(*starts[0], 0x14);
    ASSERT_TRUE(apn);
    EXPECT_EQ(apn->name, "APN");
    EXPECT_EQ(apn->translated, "internet");
    EXPECT_EQ(qmi::string_tlv(*qmi::decode(starts[0]->bytes), 0x14), "internet");
    const auto* family = find_tlv(*starts[0], 0x19);
    ASSERT_TRUE(family);
    EXPECT_EQ(family->translated, "ipv4");

    // The call's handle, as libqmi reads it and as uplinkd did; the Stop Network for it.
    auto started = frames_of(report, qmi::Service::Wds, qmi::wds::start_network, "response");
    ASSERT_FALSE(started.empty());
    auto outcome = qmi::parse_wds_start_network(*qmi::decode(started[0]->bytes));
    ASSERT_FALSE(outcome.error) << outcome.error.message();
    const auto* handle = find_tlv(*started[0], 0x01);
    ASSERT_TRUE(handle);
    EXPECT_EQ(handle->translated, std::to_string(outcome.handle));
    auto stops = frames_of(report, qmi::Service::Wds, qmi::wds::stop_network, "request");
    ASSERT_FALSE(stops.empty());
    const auto* stopped = find_tlv(*stops[0], 0x01);
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->translated, std::to_string(outcome.handle));

    // The granted settings: libqmi's address, gateway and MTU are the ones uplinkd read.
    auto settings_frames
        = frames_of(report, qmi::Service::Wds, qmi::wds::get_current_settings, "response");
    ASSERT_FALSE(settings_frames.empty());
    auto granted = qmi::parse_wds_current_settings(*qmi::decode(settings_frames[0]->bytes));
    ASSERT_TRUE(granted && granted->ipv4_address && granted->ipv4_gateway && granted->mtu);
    for (auto [type, value] : {std::pair {0x1e, *granted->ipv4_address},
             {0x20, *granted->ipv4_gateway}, {0x29, *granted->mtu}}) {
        const auto* tlv = find_tlv(*settings_frames[0], static_cast<std::uint8_t>(type));
        ASSERT_TRUE(tlv) << type;
        EXPECT_EQ(tlv->translated, std::to_string(value)) << tlv->name;
    }

    // And the oracle still bites on this capture: one of uplinkd's frames with its QMUX length
    // cut by one is refused.
    std::ifstream file(capture());
    std::vector<std::string> lines;
    std::string line;
    bool corrupted = false;
    while (std::getline(file, line)) {
        if (!corrupted && line.starts_with("ec25 host 01") && line.size() > 16) {
            auto length = std::stoi(line.substr(12, 2), nullptr, 16);
            line.replace(12, 2, fmt::format("{:02x}", (length + 255) % 256));
            corrupted = true;
        }
        lines.push_back(line);
    }
    ASSERT_TRUE(corrupted);
    write_capture(directory_.path() / "corrupted.capture", lines);
    auto corrupted_report = run_oracle(directory_.path() / "corrupted.capture");
    EXPECT_EQ(corrupted_report.exit_code, 1);
    EXPECT_FALSE(disagreements(corrupted_report).empty());
}

// The MC7455: uplinkd locks its radio over QMI (NAS System Selection Preference) and makes an
// authenticated dual-stack call; the same checks, and the values libqmi reads in them.
TEST_F(QmiOracleSession, Mc7455RadioLockAndAuthenticatedDualStackCall)
{
    // two-modems-test.json's MC7455 alone, with its SIM.
    auto scenario = read_json_file(scenario_path("two-modems-test.json"));
    json::array modems;
    for (const auto& modem : scenario.at("modems").as_array())
        if (text(modem, "id") == "mc7455")
            modems.push_back(modem);
    ASSERT_EQ(modems.size(), 1u);
    scenario.as_object()["modems"] = modems;
    auto scenario_file = directory_.path() / "mc7455.json";
    std::ofstream(scenario_file) << json::serialize(scenario);
    {
        Emulator emulator(
            directory_.path() / "sim", scenario_file, {"--qmi-capture", capture().string()});
        Daemon::Settings settings;
        settings.pin = "4321";
        settings.connection
            = "\toption apn 'web'\n\toption auth 'pap-chap'\n\toption username 'user'\n"
              "\toption password 'secret'\n\toption ip_family 'ipv4v6'\n"
              "\toption rat 'lte'\n\toption lte_bands '3 7'\n";
        Daemon daemon(directory_.path() / "daemon", emulator, settings);
        daemon.wait_for_modem(
            "1-1.3", "the radio locked, the call made and ended", [](const json::value& modem) {
                const auto* radio = modem.as_object().if_contains("radio");
                return radio && text(*radio, "rat") == "lte"
                    && radio->at("lte_bands") == json::array {3, 7}
                && text(modem.at("connection"), "last_error").find("cannot configure wwan0")
                    != std::string::npos;
            });
        EXPECT_EQ(daemon.stop(), 0);
    }

    auto report = run_oracle(capture());
    auto by_service = check_every_frame(report);
    for (auto service :
        {qmi::Service::Ctl, qmi::Service::Nas, qmi::Service::Wda, qmi::Service::Wds})
        EXPECT_TRUE(by_service.contains(fmt::format("host {}", qmi::to_string(service))));

    // The lock: LTE alone, bands 3 and 7 (bits 2 and 6), in the TLVs libqmi names so.
    auto sets = frames_of(
        report, qmi::Service::Nas, qmi::nas::set_system_selection_preference, "request");
    ASSERT_FALSE(sets.empty());
    std::optional<std::string> mode, bands;
    for (const auto* frame : sets) {
        if (const auto* tlv = find_tlv(*frame, 0x11)) {
            EXPECT_EQ(tlv->name, "Mode Preference");
            mode = tlv->translated;
        }
        if (const auto* tlv = find_tlv(*frame, 0x15)) {
            EXPECT_EQ(tlv->name, "LTE Band Preference");
            EXPECT_EQ(qmi::TlvReader(tlv->value).u64(), 0x44u);
            bands = tlv->translated;
        }
    }
    EXPECT_EQ(mode, "lte");
    ASSERT_TRUE(bands);
    EXPECT_NE(bands->find("3"), std::string::npos) << *bands;
    EXPECT_NE(bands->find("7"), std::string::npos) << *bands;

    // The calls: APN, authentication, username and password as libqmi reads them; one per family.
    auto starts = frames_of(report, qmi::Service::Wds, qmi::wds::start_network, "request");
    ASSERT_EQ(starts.size(), 2u);
    std::set<std::string> families;
    for (const auto* start : starts) {
        std::map<std::uint8_t, std::string> read;
        for (const auto& tlv : start->tlvs)
            read[tlv.type] = tlv.translated;
        EXPECT_EQ(read[0x14], "web");
        EXPECT_EQ(read[0x16], "pap, chap");
        EXPECT_EQ(read[0x17], "user");
        EXPECT_EQ(read[0x18], "secret");
        families.insert(read[0x19]);
    }
    EXPECT_EQ(families, (std::set<std::string> {"ipv4", "ipv6"}));
}

} // namespace
} // namespace uplink::testing
