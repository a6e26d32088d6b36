// The command processor: one line in, echo and reply bytes out; overrides, counters, result
// codes, and the general commands (identity, echo, CMEE, CFUN).
#include "sim/modem.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace uplink::sim {

namespace {

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n'))
        text.remove_suffix(1);
    return text;
}

bool override_matches(std::string_view pattern, std::string_view text)
{
    if (pattern.ends_with('*')) {
        pattern.remove_suffix(1);
        return text.size() >= pattern.size()
            && equals_ignoring_case(text.substr(0, pattern.size()), pattern);
    }
    return equals_ignoring_case(pattern, text);
}

std::optional<int> single_number(std::string_view text, int minimum, int maximum)
{
    if (text.empty() || text.size() > 6
        || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    int value = std::stoi(std::string(text));
    if (value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

} // namespace

std::string information(const std::vector<std::string>& lines)
{
    if (lines.empty())
        return {};
    std::string out = "\r\n";
    for (const auto& line : lines)
        out += line + "\r\n";
    return out;
}

std::string_view cme_text(int code)
{
    // 3GPP TS 27.007 §9.2.1 verbose forms, as Quectel prints them with AT+CMEE=2.
    switch (code) {
    case 0:
        return "phone failure";
    case 3:
        return "operation not allowed";
    case 4:
        return "operation not supported";
    case 10:
        return "SIM not inserted";
    case 11:
        return "SIM PIN required";
    case 12:
        return "SIM PUK required";
    case 13:
        return "SIM failure";
    case 14:
        return "SIM busy";
    case 16:
        return "incorrect password";
    case 30:
        return "no network service";
    case 32:
        return "network not allowed - emergency calls only";
    case 50:
        return "incorrect parameters";
    case 126:
        return "insufficient resources";
    case 127:
        return "missing or unknown APN";
    case 150:
        return "PDP type IPv4 only allowed";
    case 151:
        return "PDP type IPv6 only allowed";
    default:
        return "unknown";
    }
}

Modem::Response Modem::ok(std::vector<std::string> lines)
{
    return Response {std::move(lines), {}, Duration {0}};
}

Modem::Response Modem::error()
{
    return Response {{}, Final {Final::Kind::Error, 0, {}}, Duration {0}};
}

Modem::Response Modem::cme(int code)
{
    return Response {{}, Final {Final::Kind::Cme, code, {}}, Duration {0}};
}

std::string Modem::render_final(const Final& final, ErrorMode mode)
{
    switch (final.kind) {
    case Final::Kind::Ok:
        return frame("OK");
    case Final::Kind::Error:
        return frame("ERROR");
    case Final::Kind::Raw:
        return frame(final.text);
    case Final::Kind::Cme:
        if (mode == ErrorMode::Plain)
            return frame("ERROR");
        if (mode == ErrorMode::Verbose)
            return frame(fmt::format("+CME ERROR: {}", cme_text(final.code)));
        return frame(fmt::format("+CME ERROR: {}", final.code));
    }
    return frame("ERROR");
}

std::optional<int> Modem::sim_error() const
{
    switch (sim_state()) {
    case SimState::Absent:
        return 10;
    case SimState::Initializing:
        return 14;
    case SimState::PinRequired:
        return 11;
    case SimState::PukRequired:
        return 12;
    case SimState::Blocked:
        return 13;
    case SimState::Ready:
        return std::nullopt;
    }
    return 0;
}

Duration Modem::latency() const
{
    return surroundings_.latency.value_or(spec_.timings.latency);
}

Modem::PortSettings& Modem::port(int interface)
{
    return ports_[interface];
}

// ---------------------------------------------------------------- one line
std::optional<Answer> Modem::command(int interface, std::string_view line, Clock::time_point now)
{
    now_ = std::max(now_, now);
    if (!booted_)
        return std::nullopt;
    auto& settings = port(interface);
    Answer answer;
    if (settings.echo == Echo::On)
        answer.echo = std::string(line) + "\r";
    auto text = trim(line);
    // V.250 §5.2.1: characters before "AT" and lines without it are ignored.
    if (text.size() < 2 || !equals_ignoring_case(text.substr(0, 2), "AT"))
        return answer;
    // The command takes effect when its reply goes out: what it schedules counts from then.
    auto current = now_;
    now_ = now + latency();
    Duration extra {0};
    answer.reply = execute_line(text, settings, extra);
    answer.delay = latency() + extra;
    now_ = current;
    queue_emitted(now + answer.delay + Duration(1));
    return answer;
}

std::optional<std::string> Modem::execute_override(
    std::string_view text, bool& complete, bool& failed) const
{
    const auto& overrides = surroundings_.overrides;
    auto found = std::find_if(overrides.rbegin(), overrides.rend(),
        [&](const auto& entry) { return override_matches(entry.match, text); });
    if (found == overrides.rend())
        return std::nullopt;
    auto out = information(found->lines);
    complete = !found->final.empty();
    failed = found->final != "OK";
    if (complete && failed)
        out += frame(found->final);
    return out;
}

std::string Modem::execute_line(std::string_view line, PortSettings& settings, Duration& extra)
{
    auto& counters = surroundings_.counters;
    auto commands = parse_command_line(line);
    bool complete = true, failed = false;
    if (!commands || commands->size() > 1) {
        if (auto canned = execute_override(line, complete, failed)) {
            ++counters.commands;
            ++counters.commands_by_name[commands ? counter_name(commands->front()) : "(invalid)"];
            return *canned + (complete && !failed ? frame("OK") : "");
        }
    }
    if (!commands) {
        ++counters.commands;
        ++counters.commands_by_name["(invalid)"];
        return frame("ERROR");
    }
    std::string out;
    for (const auto& command : *commands) {
        ++counters.commands;
        ++counters.commands_by_name[counter_name(command)];
        if (auto canned = execute_override(command.text, complete, failed)) {
            out += *canned;
            if (!complete || failed)
                return out;
            continue;
        }
        auto response = dispatch(command, settings);
        extra += response.extra;
        out += information(response.lines);
        if (response.final.kind != Final::Kind::Ok)
            return out + render_final(response.final, settings.errors);
    }
    return out + frame("OK");
}

Modem::Response Modem::dispatch(const AtCommand& command, PortSettings& settings)
{
    static const std::map<std::string, Handler, std::less<>> handlers {
        {"", &Modem::basic_accept},
        {"E", &Modem::basic_echo},
        {"I", &Modem::basic_identity},
        {"Z", &Modem::basic_reset},
        {"&F", &Modem::basic_reset},
        {"V", &Modem::basic_accept},
        {"Q", &Modem::basic_accept},
        {"&W", &Modem::basic_accept},
        {"&C", &Modem::basic_accept},
        {"&D", &Modem::basic_accept},
        {"X", &Modem::basic_accept},
        {"D", &Modem::basic_dial},
        {"+CGMI", &Modem::manufacturer},
        {"+GMI", &Modem::manufacturer},
        {"+CGMM", &Modem::model},
        {"+GMM", &Modem::model},
        {"+CGMR", &Modem::revision},
        {"+GMR", &Modem::revision},
        {"+CGSN", &Modem::imei},
        {"+GSN", &Modem::imei},
        {"+CMEE", &Modem::error_mode},
        {"+CSCS", &Modem::character_set},
        {"+CFUN", &Modem::functionality},
        {"+CPIN", &Modem::pin},
        {"+CLCK", &Modem::facility_lock},
        {"+CPWD", &Modem::change_password},
        {"+CRSM", &Modem::restricted_sim_access},
        {"+CIMI", &Modem::imsi},
        {"+COPS", &Modem::operator_selection},
        {"+CREG", &Modem::registration_creg},
        {"+CGREG", &Modem::registration_cgreg},
        {"+CEREG", &Modem::registration_cereg},
        {"+CSQ", &Modem::signal_quality},
        {"+CESQ", &Modem::extended_signal_quality},
        {"+CGDCONT", &Modem::pdp_context},
        {"+CGACT", &Modem::context_activation},
        {"+CGPADDR", &Modem::context_address},
    };
    // Vendor commands: each model answers those its dialect lists (model_profile.cpp), and
    // ERROR to the others, as a modem answers a command it does not know.
    static const std::map<std::string, Handler, std::less<>> vendor_handlers {
        {"+QPINC", &Modem::pin_counters},
        {"+QCCID", &Modem::iccid},
        {"+QENG", &Modem::engineering},
        {"+QNWINFO", &Modem::network_info},
        {"+QCAINFO", &Modem::carrier_info},
        {"+QRSRP", &Modem::antenna_rsrp},
        {"+QCFG", &Modem::quectel_config},
        {"+QNWPREFCFG", &Modem::network_preference},
        {"!ICCID", &Modem::iccid},
        {"+ICCID", &Modem::iccid},
        {"+CPINC", &Modem::pin_counters_cpinc},
    };
    if (command.name.size() > 1 && command.name.front() == 'S')
        return basic_accept(command, settings); // S-registers: accepted, not modelled
    if (auto found = handlers.find(command.name); found != handlers.end())
        return (this->*(found->second))(command, settings);
    auto vendor = vendor_handlers.find(command.name);
    if (vendor == vendor_handlers.end() || !spec_.profile->dialect.answers(command.name))
        return error();
    return (this->*(vendor->second))(command, settings);
}

// ---------------------------------------------------------------- basic commands
Modem::Response Modem::basic_accept(const AtCommand& command, PortSettings&)
{
    // Numeric result codes (ATV0) and quiet mode (ATQ1) are not emulated.
    if ((command.name == "V" && command.arguments == "0")
        || (command.name == "Q" && command.arguments == "1"))
        return error();
    return ok();
}

Modem::Response Modem::basic_echo(const AtCommand& command, PortSettings& settings)
{
    if (command.arguments.empty() || command.arguments == "0")
        settings.echo = Echo::Off;
    else if (command.arguments == "1")
        settings.echo = Echo::On;
    else
        return error();
    return ok();
}

// ATI: the model's own lines (EC25: manufacturer, model, "Revision: …"; MC7455: "Manufacturer:
// …", "Model: …", "Revision: …", IMEI, FSN, +GCAP).
Modem::Response Modem::basic_identity(const AtCommand& command, PortSettings&)
{
    if (!command.arguments.empty() && command.arguments != "0")
        return error();
    std::vector<std::string> lines;
    for (auto line : spec_.profile->dialect.identity_lines) {
        if (spec_.usb.serial.empty() && line.find("{serial}") != std::string_view::npos)
            continue;
        lines.push_back(
            fmt::format(fmt::runtime(line), fmt::arg("manufacturer", spec_.manufacturer),
                fmt::arg("model", spec_.model), fmt::arg("revision", spec_.revision),
                fmt::arg("imei", spec_.imei), fmt::arg("serial", spec_.usb.serial)));
    }
    return ok(std::move(lines));
}

Modem::Response Modem::basic_reset(const AtCommand&, PortSettings& settings)
{
    settings = PortSettings {};
    return ok();
}

Modem::Response Modem::basic_dial(const AtCommand&, PortSettings&)
{
    // The PPP data path is not emulated yet: the call fails the way a modem says it.
    return Response {{}, Final {Final::Kind::Raw, 0, "NO CARRIER"}, Duration {0}};
}

// ---------------------------------------------------------------- identity
Modem::Response Modem::manufacturer(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    return command.form == CommandForm::Execute ? ok({spec_.manufacturer}) : error();
}

Modem::Response Modem::model(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    return command.form == CommandForm::Execute ? ok({spec_.model}) : error();
}

Modem::Response Modem::revision(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    return command.form == CommandForm::Execute ? ok({spec_.revision}) : error();
}

Modem::Response Modem::imei(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    return command.form == CommandForm::Execute ? ok({spec_.imei}) : error();
}

// ---------------------------------------------------------------- settings
Modem::Response Modem::error_mode(const AtCommand& command, PortSettings& settings)
{
    switch (command.form) {
    case CommandForm::Read:
        return ok({fmt::format("+CMEE: {}", static_cast<int>(settings.errors))});
    case CommandForm::Test:
        return ok({"+CMEE: (0-2)"});
    case CommandForm::Set:
        if (auto mode = single_number(command.arguments, 0, 2)) {
            settings.errors = static_cast<ErrorMode>(*mode);
            return ok();
        }
        return cme(50);
    case CommandForm::Execute:
        break;
    }
    return error();
}

Modem::Response Modem::character_set(const AtCommand& command, PortSettings& settings)
{
    static constexpr std::array<std::pair<std::string_view, CharacterSet>, 3> sets {
        {{"IRA", CharacterSet::Ira}, {"GSM", CharacterSet::Gsm}, {"UCS2", CharacterSet::Ucs2}}};
    switch (command.form) {
    case CommandForm::Read:
        for (auto [name, set] : sets)
            if (set == settings.character_set)
                return ok({fmt::format("+CSCS: \"{}\"", name)});
        break;
    case CommandForm::Test:
        return ok({"+CSCS: (\"IRA\",\"GSM\",\"UCS2\")"});
    case CommandForm::Set:
        if (auto arguments = split_arguments(command.arguments);
            arguments && arguments->size() == 1)
            for (auto [name, set] : sets)
                if ((*arguments)[0] == name) {
                    settings.character_set = set;
                    return ok();
                }
        return cme(4); // 27.007 §9.2.1: operation not supported
    case CommandForm::Execute:
        break;
    }
    return error();
}

Modem::Response Modem::functionality(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Read)
        return ok({fmt::format("+CFUN: {}", static_cast<int>(functionality_))});
    if (command.form == CommandForm::Test)
        return ok({"+CFUN: (0,1,4),(0-1)"});
    if (command.form != CommandForm::Set)
        return error();
    auto arguments = split_arguments(command.arguments);
    if (!arguments || arguments->empty() || arguments->size() > 2)
        return cme(50);
    auto fun = single_number((*arguments)[0], 0, 4);
    auto reset
        = arguments->size() == 2 ? single_number((*arguments)[1], 0, 1) : std::optional<int>(0);
    if (!fun || *fun == 2 || *fun == 3 || !reset)
        return cme(50);
    if (*reset == 1) {
        // AT+CFUN=1,1: the module resets and comes back with RDY (modem-protocols.md §4.1).
        reboot(Duration {0});
        return ok();
    }
    functionality_ = static_cast<Functionality>(*fun);
    update_registration();
    return ok();
}

} // namespace uplink::sim
