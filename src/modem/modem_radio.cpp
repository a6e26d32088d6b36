// The radio part of a Modem: the profile's RAT preference, LTE band lock and operator selection,
// applied when the modem starts and whenever the profile changes, each only when the modem's own
// setting differs, then read back so that the snapshot shows what the modem really uses.
#include "modem/mapping.hpp"
#include "modem/modem_instance.hpp"
#include "modem/radio.hpp"

namespace uplink::modem {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

// "lte, bands 3 20, operator 23415"
std::string describe(const RadioState& radio)
{
    std::vector<std::string> parts;
    if (radio.rat)
        parts.push_back(fmt::format("rat {}", to_string(*radio.rat)));
    if (radio.lte_bands)
        parts.push_back(fmt::format("LTE bands {}", describe_lte_bands(*radio.lte_bands)));
    parts.push_back(radio.network.empty() ? std::string("operator automatic")
                                          : fmt::format("operator {}", radio.network));
    return fmt::format("{}", fmt::join(parts, ", "));
}

} // namespace

awaitable<Modem::Next> Modem::apply_radio()
{
    radio_pending_ = false;
    auto wanted = effective_.radio;
    RadioState radio;
    std::vector<std::string> problems;
    if (has_quirk("qcfg-radio")) {
        auto next = co_await apply_rat(wanted.rat, radio, problems);
        if (next == Next::Proceed)
            next = co_await apply_lte_bands(wanted.lte_bands, radio, problems);
        if (next != Next::Proceed)
            co_return next;
    } else if (wanted.rat != RatPreference::Auto || !wanted.lte_bands.empty()) {
        problems.push_back(fmt::format("{} has no RAT or band control uplink knows (it knows Quectel's "
                                       "AT+QCFG)", entry_ ? entry_->name : identity_.model));
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

// AT+QCFG="nwscanmode",<mode>,1: the 1 applies it at once, without a restart.
awaitable<Modem::Next> Modem::apply_rat(RatPreference wanted, RadioState& radio, std::vector<std::string>& problems)
{
    auto read = co_await command("AT+QCFG=\"nwscanmode\"");
    if (auto failure = failure_of(read))
        co_return *failure;
    auto mode = read ? at::parse_qcfg_nwscanmode(read->lines) : Result<int>(read.error());
    if (mode && *mode != nwscanmode_of(wanted)) {
        auto set = co_await command(fmt::format("AT+QCFG=\"nwscanmode\",{},1", nwscanmode_of(wanted)));
        if (auto failure = failure_of(set))
            co_return *failure;
        if (!set)
            problems.push_back(fmt::format("RAT {}: {}", to_string(wanted), set.error().message()));
        else
            mode = nwscanmode_of(wanted);
    }
    if (!mode)
        problems.push_back(fmt::format("RAT: the modem's mode is unreadable ({})", mode.error().message()));
    else
        radio.rat = rat_of_nwscanmode(*mode);
    co_return Next::Proceed;
}

// AT+QCFG="band",<gw>,<lte>,<tds>,1 with the GSM/WCDMA and TD-SCDMA masks kept as they are.
// Before the first lock the modem's own LTE mask is remembered; clearing the lock restores it.
awaitable<Modem::Next> Modem::apply_lte_bands(
    std::vector<int> wanted, RadioState& radio, std::vector<std::string>& problems)
{
    auto current = co_await read_band_masks();
    if (!current) {
        if (auto failure = transport_failure(current.error()))
            co_return *failure;
        problems.push_back(fmt::format("LTE bands: the modem's mask is unreadable ({})", current.error().message()));
        co_return Next::Proceed;
    }
    BandMemory memory(settings_.band_memory_path);
    auto original = memory.original(identity_.imei);
    if (!original) {
        problems.push_back(fmt::format("LTE bands: {} is unreadable ({}): fix or delete it", memory.path(),
            original.error().message()));
        radio.lte_bands = current->lte_bands;
        co_return Next::Proceed;
    }
    std::string target;
    if (!wanted.empty()) {
        target = lte_mask_of(wanted);
        if (original->empty())
            if (auto saved = memory.remember(identity_.imei, current->lte_mask); !saved) {
                problems.push_back(fmt::format("LTE bands: cannot remember the modem's own mask in {} ({}), "
                                               "so no lock is set", memory.path(), saved.error().message()));
                radio.lte_bands = current->lte_bands;
                co_return Next::Proceed;
            }
    } else {
        target = *original; // "" when uplink never locked it: nothing to undo
    }
    if (!target.empty() && at::lte_bands_of_mask(target) != current->lte_bands) {
        // Built apart from the co_await: g++ 12 destroys a ?: temporary in a co_await expression twice.
        auto tds_mask = current->tds_mask.empty() ? std::string("0") : current->tds_mask;
        auto line = fmt::format("AT+QCFG=\"band\",{},{},{},1", current->gw_mask, target, tds_mask);
        auto set = co_await command(std::move(line));
        if (auto failure = failure_of(set))
            co_return *failure;
        if (!set)
            problems.push_back(fmt::format("LTE bands {}: {}", describe_lte_bands(wanted), set.error().message()));
        current = co_await read_band_masks();
        if (!current) {
            if (auto failure = transport_failure(current.error()))
                co_return *failure;
            problems.push_back(fmt::format("LTE bands: the modem's mask is unreadable ({})", current.error().message()));
            co_return Next::Proceed;
        }
    }
    if (wanted.empty() && !original->empty() && at::lte_bands_of_mask(*original) == current->lte_bands)
        if (auto forgotten = memory.forget(identity_.imei); !forgotten)
            problems.push_back(fmt::format("LTE bands: cannot update {} ({})", memory.path(), forgotten.error().message()));
    std::vector<int> missing;
    std::set_difference(wanted.begin(), wanted.end(), current->lte_bands.begin(), current->lte_bands.end(),
        std::back_inserter(missing));
    if (!missing.empty())
        problems.push_back(fmt::format("the modem lacks LTE band {}", describe_lte_bands(missing)));
    radio.lte_bands = current->lte_bands;
    co_return Next::Proceed;
}

// 27.007 §7.3: AT+COPS=1,2,"<MCC+MNC>" picks a network by hand, AT+COPS=0 leaves it to the modem.
// Registration on a chosen network may take as long as a scan.
awaitable<Modem::Next> Modem::apply_network(std::string wanted, RadioState& radio, std::vector<std::string>& problems)
{
    auto selection = co_await read_operator_selection();
    if (!selection) {
        if (auto failure = transport_failure(selection.error()))
            co_return *failure;
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
    co_return at::parse_cops_read(reply->lines);
}

awaitable<Result<std::vector<NetworkEntry>>> Modem::scan_networks()
{
    if (!channel_ || sim_.state != SimState::Ready)
        co_return make_error_code(Errc::NotReady);
    auto reply = co_await command("AT+COPS=?", Manager::operator_scan_timeout);
    if (!reply)
        co_return reply.error();
    auto entries = at::parse_cops_test(reply->lines);
    if (!entries)
        co_return entries.error();
    std::vector<NetworkEntry> networks;
    for (const auto& entry : *entries)
        networks.push_back(network_entry_of(entry));
    co_return networks;
}

} // namespace uplink::modem
