// SIM commands: AT+CPIN, AT+CLCK, AT+CRSM, AT+CIMI (3GPP TS 27.007 §8.3, §7.4, §8.18) and the
// vendors' PIN counters and ICCID: AT+QPINC and AT+QCCID (Quectel AT manual), AT+CPINC,
// AT!ICCID? and AT+ICCID (Sierra Wireless).
#include "sim/modem.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fmt/format.h>

namespace uplink::sim {

namespace {

// TS 31.101 §9.5: PINs are 4 to 8 digits, the PUK 8 digits.
bool valid_secret(std::string_view text, std::size_t minimum, std::size_t maximum)
{
    return text.size() >= minimum && text.size() <= maximum
        && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_pin(std::string_view text)
{
    return valid_secret(text, 4, 8);
}
bool is_puk(std::string_view text)
{
    return valid_secret(text, 8, 8);
}

// Personalisation and dialling facilities: reported as not locked, not changeable here.
bool other_facility(std::string_view facility)
{
    for (auto name : {"PN", "PU", "PP", "PC", "PS", "PF", "FD"})
        if (equals_ignoring_case(facility, name))
            return true;
    return false;
}

constexpr int pin2_tries = 3;
constexpr int puk2_tries = 10;

// How each vendor's ICCID command is asked and answered.
struct IccidCommand {
    std::string_view name;
    CommandForm form;
    std::string_view prefix;
    bool needs_pin; // answers only once the SIM is unlocked
};
constexpr std::array<IccidCommand, 3> iccid_commands {{
    // Quectel AT manual: AT+QCCID -> +QCCID: <iccid> (modem-protocols.md §4.1).
    {"+QCCID", CommandForm::Execute, "+QCCID: ", false},
    // Sierra's own ('!') query: ModemManager's Sierra plugin (src/plugins/sierra/mm-sim-sierra.c)
    // sends AT!ICCID? and strips "!ICCID:" from the answer, "!ICCID: <iccid>". It fails before
    // the PIN is entered (networkmanager-list, 2013-07, "AT!ICCID before PIN-entry fails").
    {"!ICCID", CommandForm::Read, "!ICCID: ", true},
    // The same thread: Sierra firmware also answers the undocumented AT+ICCID, before the PIN
    // too, with "ICCID: <iccid>" (no '+' in the answer).
    {"+ICCID", CommandForm::Execute, "ICCID: ", false},
}};

} // namespace

Modem::Response Modem::pin(const AtCommand& command, PortSettings&)
{
    switch (command.form) {
    case CommandForm::Test:
        return ok();
    case CommandForm::Execute:
        return error();
    case CommandForm::Set: {
        auto arguments = split_arguments(command.arguments);
        if (!arguments)
            return cme(50);
        return pin_enter(*arguments);
    }
    case CommandForm::Read:
        break;
    }
    switch (sim_state()) {
    case SimState::Ready:
        return ok({"+CPIN: READY"});
    case SimState::PinRequired:
        return ok({"+CPIN: SIM PIN"});
    case SimState::PukRequired:
        return ok({"+CPIN: SIM PUK"});
    default:
        return cme(*sim_error());
    }
}

Modem::Response Modem::pin_enter(const std::vector<std::string>& arguments)
{
    auto state = sim_state();
    if (state == SimState::Absent || state == SimState::Initializing || state == SimState::Blocked)
        return cme(*sim_error());
    if (arguments.empty() || arguments.size() > 2)
        return cme(50);
    auto& counters = surroundings_.counters;
    switch (state) {
    case SimState::Ready:
        return cme(3);
    case SimState::PinRequired:
        if (arguments.size() != 1 || !is_pin(arguments[0]))
            return cme(50);
        ++counters.pin_attempts;
        if (card_->verify_pin(arguments[0]) == SimCard::Check::Wrong) {
            card_status_changed(); // UIM clients see the tries left
            return cme(16);
        }
        unlock_sim();
        return ok();
    case SimState::PukRequired:
        // 27.007 §8.3: with SIM PUK the new PIN is mandatory.
        if (arguments.size() != 2)
            return cme(12);
        if (!is_puk(arguments[0]) || !is_pin(arguments[1]))
            return cme(50);
        ++counters.puk_attempts;
        if (card_->unblock(arguments[0], arguments[1]) == SimCard::Check::Wrong) {
            card_status_changed();
            return cme(16);
        }
        unlock_sim();
        return ok();
    default:
        break;
    }
    return cme(*sim_error());
}

Modem::Response Modem::facility_lock(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok({"+CLCK: (\"SC\",\"FD\",\"PN\",\"PU\",\"PP\",\"PC\")"});
    if (command.form != CommandForm::Set)
        return error();
    auto arguments = split_arguments(command.arguments);
    if (!arguments || arguments->size() < 2 || arguments->size() > 4)
        return cme(50);
    const auto& facility = (*arguments)[0];
    const auto& mode = (*arguments)[1];
    if (mode != "0" && mode != "1" && mode != "2")
        return cme(50);
    if (other_facility(facility))
        return mode == "2" ? ok({"+CLCK: 0"}) : cme(3);
    if (!equals_ignoring_case(facility, "SC"))
        return cme(50);
    auto state = sim_state();
    if (state != SimState::Ready && state != SimState::PinRequired)
        return cme(*sim_error());
    if (mode == "2")
        return ok({fmt::format("+CLCK: {}", card_->spec().pin_enabled ? 1 : 0)});
    if (state == SimState::PinRequired)
        return cme(11);
    if (arguments->size() < 3 || !is_pin((*arguments)[2]))
        return cme(50);
    ++surroundings_.counters.pin_attempts;
    if (card_->verify_pin((*arguments)[2]) == SimCard::Check::Wrong) {
        update_registration(); // three wrong tries lock the SIM: the modem loses the network
        card_status_changed();
        return cme(16);
    }
    card_->set_pin_enabled(mode == "1");
    sim_unlocked_ = true; // the PIN was just verified: this session stays unlocked
    card_status_changed(); // PIN1 enabled or disabled
    return ok();
}

// 3GPP TS 27.007 §7.5: AT+CPWD=<fac>,<oldpwd>,<newpwd>; only "SC" (PIN1) here. A wrong old PIN
// costs a try as AT+CPIN does, and the last one blocks the SIM.
Modem::Response Modem::change_password(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok({"+CPWD: (\"SC\",8)"});
    if (command.form != CommandForm::Set)
        return error();
    auto arguments = split_arguments(command.arguments);
    if (!arguments || arguments->size() != 3)
        return cme(50);
    if (!equals_ignoring_case((*arguments)[0], "SC"))
        return cme(other_facility((*arguments)[0]) ? 3 : 50);
    auto state = sim_state();
    if (state != SimState::Ready)
        return cme(state == SimState::PinRequired ? 11 : *sim_error());
    if (!is_pin((*arguments)[1]) || !is_pin((*arguments)[2]))
        return cme(50);
    ++surroundings_.counters.pin_attempts;
    if (card_->change_pin((*arguments)[1], (*arguments)[2]) == SimCard::Check::Wrong) {
        update_registration();
        card_status_changed();
        return cme(16);
    }
    return ok();
}

// Quectel: +QPINC: <facility>,<pin tries left>,<puk tries left>; "SC" is PIN1, "P2" PIN2.
Modem::Response Modem::pin_counters(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok({"+QPINC: (\"SC\",\"P2\")"});
    if (command.form == CommandForm::Execute)
        return error();
    auto state = sim_state();
    if (state == SimState::Absent || state == SimState::Initializing)
        return cme(*sim_error());
    const auto& spec = card_->spec();
    auto sc = fmt::format("+QPINC: \"SC\",{},{}", spec.pin_retries, spec.puk_retries);
    auto p2 = fmt::format("+QPINC: \"P2\",{},{}", pin2_tries, puk2_tries);
    if (command.form == CommandForm::Read)
        return ok({sc, p2});
    auto arguments = split_arguments(command.arguments);
    if (!arguments || arguments->size() != 1)
        return cme(50);
    if (equals_ignoring_case((*arguments)[0], "SC"))
        return ok({sc});
    if (equals_ignoring_case((*arguments)[0], "P2"))
        return ok({p2});
    return cme(50);
}

// +QCCID: <iccid> (Quectel), !ICCID: <iccid> and ICCID: <iccid> (Sierra), as the scenario
// writes the ICCID.
// Sierra: AT+CPINC? -> +CPINC: <pin1>,<pin2>,<puk1>,<puk2>, the tries left (GNOME bug 697282,
// from an MC7710: "+CPINC: 3,2,10,10").
Modem::Response Modem::pin_counters_cpinc(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    if (command.form != CommandForm::Read)
        return error();
    auto state = sim_state();
    if (state == SimState::Absent || state == SimState::Initializing)
        return cme(*sim_error());
    const auto& spec = card_->spec();
    return ok({fmt::format(
        "+CPINC: {},{},{},{}", spec.pin_retries, pin2_tries, spec.puk_retries, puk2_tries)});
}

Modem::Response Modem::iccid(const AtCommand& command, PortSettings&)
{
    const auto* found = std::find_if(iccid_commands.begin(), iccid_commands.end(),
        [&](const auto& entry) { return entry.name == command.name; });
    if (found == iccid_commands.end())
        return error();
    if (command.form == CommandForm::Test)
        return ok();
    if (command.form != found->form)
        return error();
    // EF_ICCID is readable without the PIN (TS 31.101 §13.2), though not every command asks it.
    auto state = sim_state();
    if (state == SimState::Absent || state == SimState::Initializing
        || (found->needs_pin && state != SimState::Ready))
        return cme(*sim_error());
    return ok({std::string(found->prefix) + card_->spec().iccid});
}

// AT+CRSM=<command>,<fileid>[,<P1>,<P2>,<P3>] (27.007 §8.18) -> +CRSM: <sw1>,<sw2>[,"<hex>"].
// READ BINARY (176) of EF_ICCID and EF_IMSI, with the card's status words (TS 102 221
// §10.2.1): 144,0 done; 105,130 (6982) security status not satisfied, EF_IMSI before the PIN;
// 106,130 (6A82) file not found, every other file; 107,0 (6B00) offset or length past the end;
// 109,0 (6D00) any other command. ModemManager reads the ICCID so: AT+CRSM=176,12258,0,0,10.
Modem::Response Modem::restricted_sim_access(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    if (command.form != CommandForm::Set)
        return error();
    auto state = sim_state();
    if (state == SimState::Absent || state == SimState::Initializing)
        return cme(*sim_error());
    auto arguments = split_arguments(command.arguments);
    if (!arguments || arguments->empty() || arguments->size() == 3 || arguments->size() == 4)
        return cme(50);
    std::vector<int> numbers; // command, file id, P1, P2, P3
    for (std::size_t index = 0; index < arguments->size() && index < 5; ++index) {
        const auto& text = (*arguments)[index];
        int value = 0;
        auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
        auto maximum = index < 2 ? 0xffff : 0xff; // P1, P2, P3 are bytes
        if (failure != std::errc() || end != text.data() + text.size() || value < 0
            || value > maximum)
            return cme(50);
        numbers.push_back(value);
    }
    numbers.resize(5, 0);
    if (numbers[0] != 176)
        return ok({"+CRSM: 109,0"});
    std::vector<std::uint8_t> content;
    if (numbers[1] == ef_iccid)
        content = iccid_file(card_->spec().iccid);
    else if (numbers[1] == ef_imsi && state == SimState::Ready)
        content = imsi_file(card_->spec().imsi);
    else if (numbers[1] == ef_imsi)
        return ok({"+CRSM: 105,130"});
    else
        return ok({"+CRSM: 106,130"});
    // P1 and P2 are the offset's high and low byte; P3 the length, 0 for the rest of the file.
    auto offset = static_cast<std::size_t>(numbers[2] * 256 + numbers[3]);
    auto length = static_cast<std::size_t>(numbers[4]);
    if (offset > content.size() || offset + length > content.size())
        return ok({"+CRSM: 107,0"});
    std::string hex;
    for (auto index = offset; index < (length == 0 ? content.size() : offset + length); ++index)
        hex += fmt::format("{:02X}", content[index]);
    return ok({fmt::format("+CRSM: 144,0,\"{}\"", hex)});
}

Modem::Response Modem::imsi(const AtCommand& command, PortSettings&)
{
    if (command.form == CommandForm::Test)
        return ok();
    if (command.form != CommandForm::Execute)
        return error();
    if (auto code = sim_error())
        return cme(*code);
    return ok({card_->spec().imsi});
}

} // namespace uplink::sim
