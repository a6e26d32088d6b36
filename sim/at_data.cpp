// Data-call commands: AT+CGACT and AT+CGPADDR (3GPP TS 27.007 §10.1.10, §10.1.14), over the
// same bearers WDS Start/Stop Network makes (sim/bearer.cpp).
#include "sim/modem.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace uplink::sim {

namespace {

std::optional<int> cid_number(std::string_view text)
{
    if (text.empty() || text.size() > 2
        || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    int value = std::stoi(std::string(text));
    return value >= 1 && value <= 24 ? std::optional<int>(value) : std::nullopt;
}

// TS 27.007 §9.2.2: a network refusal with ESM cause N is +CME ERROR 100+N (127 missing or
// unknown APN, 150 IPv4 only allowed; ModemManager's MMMobileEquipmentError agrees); no network
// is 30.
int cme_code(const CallEnd& why)
{
    if (why.verbose_type == call_end::type_3gpp)
        return 100 + why.verbose_reason;
    return 30;
}

} // namespace

// Read: +CGACT: <cid>,<state> per defined context. Set: <state>[,<cid>...] (no cid: all
// contexts). Activating an IPV4V6 context opens an IPv4 and an IPv6 bearer where the APN allows.
Modem::Response Modem::context_activation(const AtCommand& command, PortSettings&)
{
    const auto& contexts = surroundings_.nv.contexts;
    auto active = [&](int cid) {
        return std::any_of(bearers_.begin(), bearers_.end(),
            [&](const Bearer& bearer) { return bearer.cid == cid; });
    };
    if (command.form == CommandForm::Test)
        return ok({"+CGACT: (0,1)"});
    if (command.form == CommandForm::Read) {
        std::vector<std::string> lines;
        for (const auto& context : contexts)
            lines.push_back(fmt::format("+CGACT: {},{}", context.cid, active(context.cid) ? 1 : 0));
        return ok(std::move(lines));
    }
    auto arguments = split_arguments(command.arguments);
    if (command.form != CommandForm::Set || !arguments || arguments->empty()
        || ((*arguments)[0] != "0" && (*arguments)[0] != "1"))
        return cme(50);
    std::vector<int> cids;
    for (std::size_t index = 1; index < arguments->size(); ++index) {
        auto cid = cid_number((*arguments)[index]);
        if (!cid || std::none_of(contexts.begin(), contexts.end(), [&](const auto& context) {
                return context.cid == *cid;
            }))
            return cme(50);
        cids.push_back(*cid);
    }
    if (cids.empty())
        for (const auto& context : contexts)
            cids.push_back(context.cid);
    if ((*arguments)[0] == "0") {
        const CallEnd why {call_end::client_end, call_end::type_cm, call_end::cm_client_end};
        for (std::size_t index = bearers_.size(); index-- > 0;)
            if (std::find(cids.begin(), cids.end(), bearers_[index].cid) != cids.end())
                end_bearer(index, why, Notify::Owner);
        return ok();
    }
    if (auto code = sim_error())
        return cme(*code);
    for (int cid : cids)
        if (auto code = activate_context(cid))
            return cme(*code);
    return ok();
}

// AT+CGACT=1,<cid>: nothing when active; else the +CME code of the refusal, if every family
// of the context was refused.
std::optional<int> Modem::activate_context(int cid)
{
    if (std::any_of(bearers_.begin(), bearers_.end(),
            [&](const Bearer& bearer) { return bearer.cid == cid; }))
        return std::nullopt;
    const auto& contexts = surroundings_.nv.contexts;
    auto context = std::find_if(
        contexts.begin(), contexts.end(), [&](const auto& entry) { return entry.cid == cid; });
    std::vector<IpFamily> families {IpFamily::V4};
    if (context != contexts.end() && context->pdp_type == "IPV6")
        families = {IpFamily::V6};
    else if (context != contexts.end() && context->pdp_type == "IPV4V6")
        families = {IpFamily::V4, IpFamily::V6};
    std::optional<CallEnd> first_refusal;
    bool opened = false;
    for (auto family : families) {
        BearerRequest wanted;
        wanted.family = family;
        wanted.cid = cid;
        if (auto refusal = bearer_refusal(wanted)) {
            first_refusal = first_refusal.value_or(*refusal);
            continue;
        }
        open_bearer(std::move(wanted));
        opened = true;
    }
    if (!opened && first_refusal)
        return cme_code(*first_refusal);
    return std::nullopt;
}

// Execute: +CGPADDR: <cid>[,"<address>"[,"<address>"]] per defined context; Set: the cids
// given. IPv6 in the 16-octet form of AT+CGPIAF=0 (the default). The quotes follow captured
// Quectel replies (+CGPADDR: 1,"10.7.76.34").
Modem::Response Modem::context_address(const AtCommand& command, PortSettings&)
{
    const auto& contexts = surroundings_.nv.contexts;
    if (command.form == CommandForm::Test) {
        std::string list;
        for (const auto& context : contexts)
            list += fmt::format("{}{}", list.empty() ? "" : ",", context.cid);
        return ok({fmt::format("+CGPADDR: ({})", list)});
    }
    std::vector<int> cids;
    if (command.form == CommandForm::Set) {
        auto arguments = split_arguments(command.arguments);
        if (!arguments)
            return cme(50);
        for (const auto& text : *arguments) {
            auto cid = cid_number(text);
            if (!cid)
                return cme(50);
            cids.push_back(*cid);
        }
    } else if (command.form == CommandForm::Execute) {
        for (const auto& context : contexts)
            cids.push_back(context.cid);
    } else {
        return error();
    }
    std::vector<std::string> lines;
    for (int cid : cids) {
        auto line = fmt::format("+CGPADDR: {}", cid);
        for (auto family : {IpFamily::V4, IpFamily::V6})
            for (const auto& bearer : bearers_)
                if (bearer.cid == cid && bearer.family == family)
                    line += fmt::format(",\"{}\"",
                        family == IpFamily::V4 ? format_ipv4(bearer.addresses.ipv4)
                                               : format_ipv6_octets(bearer.addresses.ipv6));
        lines.push_back(std::move(line));
    }
    return ok(std::move(lines));
}

} // namespace uplink::sim
