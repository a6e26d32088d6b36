// The radio part of a Modem: the profile's RAT preference, band locks and operator selection,
// applied when the modem starts and whenever the profile changes, each only when the modem's own
// setting differs, then read back so that the snapshot shows what the modem really uses.
#include "modem/mapping.hpp"
#include "modem/modem_instance.hpp"
#include "modem/radio.hpp"

#include <charconv>

namespace uplink::modem {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

// "lte, LTE bands 3 20, operator 23415"
std::string describe(const RadioState& radio)
{
    std::vector<std::string> parts;
    if (radio.rat)
        parts.push_back(fmt::format("rat {}", to_string(*radio.rat)));
    if (radio.lte_bands)
        parts.push_back(fmt::format("LTE bands {}", describe_bands(*radio.lte_bands)));
    if (radio.nr_bands)
        parts.push_back(fmt::format("5G NR bands {}", describe_bands(*radio.nr_bands)));
    if (radio.nsa_nr_bands)
        parts.push_back(fmt::format("5G NR bands with LTE {}", describe_bands(*radio.nsa_nr_bands)));
    parts.push_back(radio.network.empty() ? std::string("operator automatic")
                                          : fmt::format("operator {}", radio.network));
    return fmt::format("{}", fmt::join(parts, ", "));
}

struct BandSettingNames {
    std::string_view label; // in messages
    std::string_view memory; // RadioMemory's setting
    std::string_view qnwprefcfg; // Quectel's 5G modules' item
};

// By Modem::BandSetting: LTE, NR standalone, NR with LTE.
constexpr BandSettingNames band_setting_names[] {
    {"LTE bands", "lte-bands", "lte_band"},
    {"5G NR bands", "nr5g-bands", "nr5g_band"},
    {"5G NR bands with LTE", "nsa-nr5g-bands", "nsa_nr5g_band"},
};

} // namespace

awaitable<Modem::Next> Modem::apply_radio()
{
    radio_work_ = RadioWork::None;
    auto wanted = effective_.radio;
    RadioState radio;
    std::vector<std::string> problems;
    if (radio_dialect() != RadioDialect::None) {
        auto next = co_await apply_rat(wanted.rat, radio, problems);
        if (next == Next::Proceed)
            next = co_await apply_bands(BandSetting::Lte, wanted.lte_bands, radio.lte_bands, problems);
        if (next == Next::Proceed)
            next = co_await apply_bands(BandSetting::Nr, wanted.nr_bands, radio.nr_bands, problems);
        if (next == Next::Proceed)
            next = co_await apply_bands(BandSetting::NsaNr, wanted.nr_bands, radio.nsa_nr_bands, problems);
        if (next != Next::Proceed)
            co_return next;
    } else if (wanted.rat != RatPreference::Auto || !wanted.lte_bands.empty() || !wanted.nr_bands.empty()) {
        problems.push_back(fmt::format("{} has no RAT or band control uplink knows (Quectel's AT+QCFG or "
                                       "AT+QNWPREFCFG, or QMI's NAS system selection)", model_name()));
    }
    auto next = co_await apply_network(wanted.network, radio, problems);
    if (next != Next::Proceed)
        co_return next;
    radio.error = fmt::format("{}", fmt::join(problems, "; "));
    if (radio != radio_) {
        auto message = fmt::format("radio: {}{}", describe(radio), radio.error.empty() ? "" : "; " + radio.error);
        log(radio.error.empty() ? LogLevel::Info : LogLevel::Warning, "modem", "{}: {}", device_.usb_path, message);
        radio_ = std::move(radio);
        callbacks_.event(Event::Kind::SettingsChanged, std::move(message));
    }
    co_return Next::Proceed;
}

// Quectel's own commands where the vendor table says the model has them (AT+QNWPREFCFG on its 5G
// modules, AT+QCFG on its LTE ones), else QMI's where uplink talks QMI to the modem (a Sierra
// MC7455), else none.
Modem::RadioDialect Modem::radio_dialect() const
{
    if (has_quirk("qnwprefcfg"))
        return RadioDialect::QuectelNwPref;
    if (has_quirk("qcfg-radio"))
        return RadioDialect::QuectelAt;
    return data_ ? RadioDialect::QmiNas : RadioDialect::None;
}

std::string Modem::model_name() const
{
    return entry_ ? entry_->name : identity_.model;
}

// Quectel: AT+QNWPREFCFG="mode_pref",<RAT> on 5G modules; AT+QCFG="nwscanmode",<mode>,1 (the 1
// applies it at once) on LTE ones, which have no 5G mode. QMI: the mode preference, one RAT's bit.
awaitable<Modem::Next> Modem::apply_rat(RatPreference wanted, RadioState& radio, std::vector<std::string>& problems)
{
    if (radio_dialect() == RadioDialect::QmiNas)
        co_return co_await apply_qmi_rat(wanted, radio, problems);
    auto current = co_await read_quectel_rat();
    if (!current) {
        if (auto failure = transport_failure(current.error()))
            co_return *failure;
        if (wanted != RatPreference::Auto)
            problems.push_back(fmt::format("RAT: the modem's mode is unreadable ({})", current.error().message()));
        co_return Next::Proceed;
    }
    if (*current != wanted) {
        bool five_g = radio_dialect() == RadioDialect::QuectelNwPref;
        auto scanmode = nwscanmode_of(wanted);
        if (!five_g && !scanmode) {
            problems.push_back(fmt::format("RAT {}: the {} has no such mode", to_string(wanted), model_name()));
        } else {
            auto line = five_g ? fmt::format("AT+QNWPREFCFG=\"mode_pref\",{}", mode_pref_of(wanted))
                               : fmt::format("AT+QCFG=\"nwscanmode\",{},1", *scanmode);
            auto set = co_await command(std::move(line));
            if (auto failure = failure_of(set))
                co_return *failure;
            if (!set)
                problems.push_back(fmt::format("RAT {}: {}", to_string(wanted), set.error().message()));
            else
                *current = wanted;
        }
    }
    radio.rat = *current;
    co_return Next::Proceed;
}

awaitable<Result<std::optional<RatPreference>>> Modem::read_quectel_rat()
{
    if (radio_dialect() == RadioDialect::QuectelNwPref) {
        auto reply = co_await command("AT+QNWPREFCFG=\"mode_pref\"");
        if (!reply)
            co_return reply.error();
        auto mode = at::parse_qnwprefcfg(reply->lines, "mode_pref");
        if (!mode)
            co_return mode.error();
        co_return rat_of_mode_pref(*mode);
    }
    auto reply = co_await command("AT+QCFG=\"nwscanmode\"");
    if (!reply)
        co_return reply.error();
    auto mode = at::parse_qcfg_nwscanmode(reply->lines);
    if (!mode)
        co_return mode.error();
    co_return rat_of_nwscanmode(*mode);
}

awaitable<Modem::Next> Modem::apply_qmi_rat(RatPreference wanted, RadioState& radio, std::vector<std::string>& problems)
{
    constexpr std::string_view setting = "mode-preference";
    auto current = co_await read_system_selection();
    if (!current)
        retry_radio_if_not_ready(current.error());
    if (!current || !current->mode_preference) {
        if (wanted != RatPreference::Auto || has_radio_default(setting))
            problems.push_back(fmt::format("RAT: the modem's mode preference is unreadable ({})",
                current ? "no mode preference TLV" : current.error().message()));
        co_return Next::Proceed;
    }
    RadioMemory memory(settings_.radio_memory_path);
    auto original = memory.original(identity_.imei, setting);
    if (!original) {
        problems.push_back(fmt::format("RAT: {} is unreadable ({}): fix or delete it", memory.path(), original.error().message()));
        co_return Next::Proceed;
    }
    std::optional<std::uint16_t> own_mode;
    if (!original->empty()) {
        std::uint16_t mode = 0;
        auto [end, error] = std::from_chars(original->data(), original->data() + original->size(), mode, 16);
        if (error != std::errc {} || end != original->data() + original->size()) {
            problems.push_back(fmt::format("RAT: {} has no mode preference but '{}': fix or delete it", memory.path(), *original));
            co_return Next::Proceed;
        }
        own_mode = mode;
    }
    auto target = wanted == RatPreference::Auto ? own_mode : qmi_mode_of(wanted);
    if (target && target != current->mode_preference) {
        if (!own_mode)
            if (auto saved = memory.remember(identity_.imei, setting, fmt::format("{:x}", *current->mode_preference)); !saved) {
                problems.push_back(fmt::format("RAT: cannot remember the modem's own mode in {} ({}), so it is left as it is",
                    memory.path(), saved.error().message()));
                radio.rat = rat_of_qmi_mode(*current->mode_preference);
                co_return Next::Proceed;
            }
        auto set = co_await data_->call_nas(qmi::nas_set_system_selection(0, {target, std::nullopt}));
        if (!set)
            problems.push_back(fmt::format("RAT {}: {}", to_string(wanted), set.error().message()));
        current = co_await read_system_selection();
        if (!current || !current->mode_preference) {
            problems.push_back("RAT: the modem's mode preference is unreadable after the change");
            co_return Next::Proceed;
        }
    }
    if (wanted == RatPreference::Auto && own_mode && current->mode_preference == own_mode)
        if (auto forgotten = memory.forget(identity_.imei, setting); !forgotten)
            problems.push_back(fmt::format("RAT: cannot update {} ({})", memory.path(), forgotten.error().message()));
    radio.rat = rat_of_qmi_mode(*current->mode_preference);
    co_return Next::Proceed;
}

// Before the first lock the modem's own bands are remembered; clearing the lock restores them.
awaitable<Modem::Next> Modem::apply_bands(BandSetting setting, const std::vector<int>& wanted,
    std::optional<std::vector<int>>& enabled_bands, std::vector<std::string>& problems)
{
    const auto& name = band_setting_names[static_cast<int>(setting)];
    if (setting != BandSetting::Lte && radio_dialect() != RadioDialect::QuectelNwPref) {
        if (setting == BandSetting::Nr && !wanted.empty())
            problems.push_back(fmt::format("5G NR bands: the {} has no 5G NR band control uplink knows "
                                           "(Quectel's AT+QNWPREFCFG)", model_name()));
        co_return Next::Proceed;
    }
    auto current = co_await read_band_mask(setting);
    if (!current) {
        if (auto failure = transport_failure(current.error()))
            co_return *failure;
        // Firmware with one NR setting for both (an early RM500Q) has no "nsa_nr5g_band".
        if (setting == BandSetting::NsaNr && is_refusal(current.error()))
            co_return Next::Proceed;
        retry_radio_if_not_ready(current.error());
        if (!wanted.empty() || has_radio_default(name.memory))
            problems.push_back(fmt::format("{}: the modem's setting is unreadable ({})", name.label, current.error().message()));
        co_return Next::Proceed;
    }
    RadioMemory memory(settings_.radio_memory_path);
    auto original = memory.original(identity_.imei, name.memory);
    if (!original) {
        problems.push_back(fmt::format("{}: {} is unreadable ({}): fix or delete it", name.label, memory.path(),
            original.error().message()));
        enabled_bands = at::bands_of_mask(*current);
        co_return Next::Proceed;
    }
    std::string target;
    if (!wanted.empty()) {
        target = band_mask_of(wanted);
        if (original->empty())
            if (auto saved = memory.remember(identity_.imei, name.memory, *current); !saved) {
                problems.push_back(fmt::format("{}: cannot remember the modem's own bands in {} ({}), "
                                               "so no lock is set", name.label, memory.path(), saved.error().message()));
                enabled_bands = at::bands_of_mask(*current);
                co_return Next::Proceed;
            }
    } else {
        target = *original; // "" when uplink never locked it: nothing to undo
    }
    if (!target.empty() && at::bands_of_mask(target) != at::bands_of_mask(*current)) {
        auto set = co_await write_band_mask(setting, target);
        if (!set) {
            if (auto failure = transport_failure(set.error()))
                co_return *failure;
            problems.push_back(fmt::format("{} {}: {}", name.label, describe_bands(wanted), set.error().message()));
        }
        current = co_await read_band_mask(setting);
        if (!current) {
            if (auto failure = transport_failure(current.error()))
                co_return *failure;
            problems.push_back(fmt::format("{}: the modem's setting is unreadable ({})", name.label, current.error().message()));
            co_return Next::Proceed;
        }
    }
    auto enabled = at::bands_of_mask(*current);
    if (wanted.empty() && !original->empty() && at::bands_of_mask(*original) == enabled)
        if (auto forgotten = memory.forget(identity_.imei, name.memory); !forgotten)
            problems.push_back(fmt::format("{}: cannot update {} ({})", name.label, memory.path(), forgotten.error().message()));
    std::vector<int> missing;
    std::set_difference(wanted.begin(), wanted.end(), enabled.begin(), enabled.end(), std::back_inserter(missing));
    if (!missing.empty())
        problems.push_back(fmt::format("the modem lacks {} {}", name.label, describe_bands(missing)));
    enabled_bands = std::move(enabled);
    co_return Next::Proceed;
}

// The bands as a mask in hex digits (band_mask_of's form), in any dialect.
awaitable<Result<std::string>> Modem::read_band_mask(BandSetting setting)
{
    switch (radio_dialect()) {
    case RadioDialect::QmiNas: {
        auto selection = co_await read_system_selection();
        if (!selection)
            co_return selection.error();
        if (!selection->lte_bands)
            co_return make_error_code(qmi::Errc::MissingTlv);
        co_return lte_mask_of_qmi_bands(*selection->lte_bands);
    }
    case RadioDialect::QuectelNwPref: {
        auto item = band_setting_names[static_cast<int>(setting)].qnwprefcfg;
        auto reply = co_await command(fmt::format("AT+QNWPREFCFG=\"{}\"", item));
        if (!reply)
            co_return reply.error();
        auto value = at::parse_qnwprefcfg(reply->lines, item);
        if (!value)
            co_return value.error();
        auto bands = at::parse_band_list(*value);
        if (!bands)
            co_return bands.error();
        co_return band_mask_of(*bands);
    }
    default: {
        auto masks = co_await read_band_masks();
        if (!masks)
            co_return masks.error();
        co_return masks->lte_mask;
    }
    }
}

// Quectel's LTE modules: AT+QCFG="band",<gw>,<lte>,<tds>,1 with the GSM/WCDMA and TD-SCDMA masks
// kept as they are; its 5G modules: AT+QNWPREFCFG="<item>",1:3:7. QMI: the LTE band preference.
awaitable<Result<void>> Modem::write_band_mask(BandSetting setting, std::string mask)
{
    std::string line;
    switch (radio_dialect()) {
    case RadioDialect::QmiNas: {
        auto bands = qmi_lte_bands_of(mask);
        if (!bands) // TLV 0x15 has 64 bits; the extended TLV for bands past 64 is not sent
            co_return make_error_code(Errc::Unsupported);
        auto set = co_await data_->call_nas(qmi::nas_set_system_selection(0, {std::nullopt, *bands}));
        if (!set)
            co_return set.error();
        co_return Result<void> {};
    }
    case RadioDialect::QuectelNwPref:
        line = fmt::format("AT+QNWPREFCFG=\"{}\",{}", band_setting_names[static_cast<int>(setting)].qnwprefcfg, fmt::join(at::bands_of_mask(mask), ":"));
        break;
    default: {
        auto masks = co_await read_band_masks();
        if (!masks)
            co_return masks.error();
        // Built apart from the co_await: g++ 12 destroys a ?: temporary in a co_await expression twice.
        auto tds_mask = masks->tds_mask.empty() ? std::string("0") : masks->tds_mask;
        line = fmt::format("AT+QCFG=\"band\",{},{},{},1", masks->gw_mask, mask, tds_mask);
    }
    }
    auto set = co_await command(std::move(line));
    if (!set)
        co_return set.error();
    co_return Result<void> {};
}

// Whether uplink changed this setting and has the modem's own value to give back (an unreadable
// record counts: it may hold one).
bool Modem::has_radio_default(std::string_view setting) const
{
    auto original = RadioMemory(settings_.radio_memory_path).original(identity_.imei, setting);
    return !original || !original->empty();
}

void Modem::retry_radio_if_not_ready(const Error& error)
{
    if (error == Errc::NotReady)
        radio_work_ = RadioWork::Retry;
}

awaitable<Result<qmi::SystemSelection>> Modem::read_system_selection()
{
    auto reply = co_await data_->call_nas(qmi::nas_get_system_selection(0));
    if (!reply)
        co_return reply.error();
    co_return qmi::parse_nas_system_selection(*reply);
}

// 27.007 §7.3: AT+COPS=1,2,"<MCC+MNC>" picks a network by hand, AT+COPS=0 leaves it to the modem.
// Registration on a chosen network may take as long as a scan.
awaitable<Modem::Next> Modem::apply_network(std::string wanted, RadioState& radio, std::vector<std::string>& problems)
{
    auto selection = co_await read_operator_selection();
    if (!selection) {
        if (auto failure = transport_failure(selection.error()))
            co_return *failure;
        if (!wanted.empty())
            problems.push_back(fmt::format("operator: the selection is unreadable ({})", selection.error().message()));
        co_return Next::Proceed;
    }
    constexpr int automatic = 0, manual = 1;
    bool is_manual = selection->mode == manual;
    bool differs = wanted.empty() ? is_manual : !is_manual || selection->name != wanted;
    if (differs) {
        auto line = wanted.empty() ? fmt::format("AT+COPS={}", automatic)
                                   : fmt::format("AT+COPS={},2,\"{}\"", manual, wanted);
        auto set = co_await command(std::move(line), Manager::operator_scan_timeout);
        if (auto failure = failure_of(set))
            co_return *failure;
        if (!set)
            problems.push_back(fmt::format("operator {}: {}", wanted.empty() ? "automatic" : wanted, set.error().message()));
        selection = co_await read_operator_selection();
        if (!selection) {
            if (auto failure = transport_failure(selection.error()))
                co_return *failure;
            problems.push_back(fmt::format("operator: the selection is unreadable ({})", selection.error().message()));
            co_return Next::Proceed;
        }
    }
    radio.selection = selection->mode == manual ? "manual" : "automatic";
    if (selection->mode == manual)
        radio.network = selection->name.empty() ? wanted : selection->name;
    co_return Next::Proceed;
}

awaitable<Result<at::BandConfiguration>> Modem::read_band_masks()
{
    auto reply = co_await command("AT+QCFG=\"band\"");
    if (!reply)
        co_return reply.error();
    co_return at::parse_qcfg_band(reply->lines);
}

// The selection mode, and the network by its MCC+MNC (format 2) when one is chosen.
awaitable<Result<at::OperatorSelection>> Modem::read_operator_selection()
{
    auto format = co_await command("AT+COPS=3,2");
    if (!format)
        co_return format.error();
    auto reply = co_await command("AT+COPS?");
    if (!reply)
        co_return reply.error();
    co_return at::parse_cops_read(reply->lines, character_set_);
}

awaitable<Result<std::vector<NetworkEntry>>> Modem::scan_networks()
{
    if (!channel_ || sim_.state != SimState::Ready)
        co_return make_error_code(Errc::NotReady);
    auto reply = co_await command("AT+COPS=?", Manager::operator_scan_timeout);
    if (!reply)
        co_return reply.error();
    auto entries = at::parse_cops_test(reply->lines, character_set_);
    if (!entries)
        co_return entries.error();
    std::vector<NetworkEntry> networks;
    for (const auto& entry : *entries)
        networks.push_back(network_entry_of(entry));
    co_return networks;
}

} // namespace uplink::modem
