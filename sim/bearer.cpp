// Bearers (PDN connections) in the model: what the network accepts, the addresses it gives,
// and how a bearer ends. WDS Start/Stop Network, AT+CGACT and the control socket all go
// through here, so the QMI and AT faces see the same bearers.
#include "sim/modem.hpp"
#include "sim/qmi_message.hpp"

#include <algorithm>

namespace uplink::sim {

namespace {

// An EC25 is a Cat-4 UE: a handful of PDN connections at most; 8 keeps a runaway client
// (or the fuzzer) bounded. TS 24.301 §9.9.4.4 cause 26 when exceeded.
constexpr std::size_t max_bearers = 8;

// TS 23.003 §9.1: APN labels are compared without regard to case.
bool same_apn(std::string_view left, std::string_view right)
{
    return equals_ignoring_case(left, right);
}

} // namespace

// An empty APN lets the network choose: the APN of the PDP context, else the network's first
// (default) APN, as with an attach that names none (TS 23.401 §5.3.2.1).
std::optional<CallEnd> Modem::bearer_refusal(BearerRequest& request) const
{
    const auto* network = serving_operator();
    if (!registered() || network == nullptr)
        return CallEnd {call_end::no_service, call_end::type_cm, call_end::cm_no_service};
    if (request.apn.empty()) {
        const auto& contexts = surroundings_.nv.contexts;
        auto context = std::find_if(contexts.begin(), contexts.end(),
            [&](const auto& entry) { return entry.cid == request.cid; });
        if (context != contexts.end())
            request.apn = context->apn;
    }
    if (request.apn.empty() && !network->apns.empty())
        request.apn = network->apns.front().name;
    auto apn = std::find_if(network->apns.begin(), network->apns.end(),
        [&](const Apn& entry) { return same_apn(entry.name, request.apn); });
    if (apn == network->apns.end())
        return CallEnd {call_end::unknown_apn, call_end::type_3gpp, call_end::unknown_apn_cause};
    if (apn->pdp_type == "IP" && request.family == IpFamily::V6)
        return CallEnd {call_end::unknown_pdp, call_end::type_3gpp, call_end::ipv4_only_allowed};
    if (apn->pdp_type == "IPV6" && request.family == IpFamily::V4)
        return CallEnd {call_end::unknown_pdp, call_end::type_3gpp, call_end::ipv6_only_allowed};
    if (bearers_.size() >= max_bearers)
        return CallEnd {call_end::insufficient_resources, call_end::type_3gpp,
            call_end::insufficient_resources_cause};
    request.apn = apn->name;
    return std::nullopt;
}

// Handles look like the EC25's (0x8777e7a0, modem-protocols.md §3.4), never the global one.
std::uint32_t Modem::next_handle()
{
    for (;;) {
        auto handle = 0x87000000u | (((++handles_issued_) * 2654435761u >> 8) & 0x00fffff0u);
        if (std::none_of(bearers_.begin(), bearers_.end(),
                [&](const Bearer& bearer) { return bearer.handle == handle; }))
            return handle;
    }
}

// After bearer_refusal() accepted the request.
const Bearer& Modem::open_bearer(BearerRequest request)
{
    Bearer bearer;
    bearer.handle = next_handle();
    bearer.owner = request.owner;
    bearer.family = request.family;
    bearer.cid = request.cid;
    bearer.apn = request.apn;
    bearer.username = request.username;
    bearer.authentication = request.authentication;
    auto in_use = [&](const BearerAddresses& addresses) {
        return std::any_of(bearers_.begin(), bearers_.end(), [&](const Bearer& other) {
            return other.addresses.ipv4 == addresses.ipv4 || other.addresses.ipv6 == addresses.ipv6;
        });
    };
    const auto& imsi = card_->spec().imsi;
    for (unsigned attempt = 0;; ++attempt) {
        bearer.addresses = carrier_addresses(
            surroundings_.radio.operator_plmn, imsi, to_upper(bearer.apn), attempt);
        if (!in_use(bearer.addresses))
            break;
    }
    if (const auto* network = serving_operator())
        for (const auto& apn : network->apns)
            if (same_apn(apn.name, bearer.apn))
                bearer.addresses.mtu = apn.mtu;
    bearers_.push_back(std::move(bearer));
    if (bearers_.back().owner)
        packet_service_indication(bearers_.back(), true, nullptr);
    return bearers_.back();
}

void Modem::end_bearer(std::size_t index, const CallEnd& why, Notify notify)
{
    auto bearer = std::move(bearers_[index]);
    bearers_.erase(bearers_.begin() + static_cast<std::ptrdiff_t>(index));
    if (notify == Notify::Owner)
        packet_service_indication(bearer, false, &why);
}

void Modem::end_bearers(const CallEnd& why)
{
    while (!bearers_.empty())
        end_bearer(bearers_.size() - 1, why, Notify::Owner);
}

std::size_t Modem::drop_bearers(int cause, Clock::time_point now)
{
    now_ = std::max(now_, now);
    auto count = bearers_.size();
    end_bearers(
        CallEnd {call_end::network_end, call_end::type_3gpp, static_cast<std::int16_t>(cause)});
    queue_emitted(now_);
    return count;
}

// WDS Packet Service Status indication (0x0022) to the bearer's owner: 0x01 {u8 status (1
// disconnected, 2 connected), u8 reconfiguration required}, 0x10 call end reason, 0x11 verbose
// {u16 type, i16 reason}, 0x12 u8 IP family.
void Modem::packet_service_indication(const Bearer& bearer, bool connected, const CallEnd* why)
{
    if (!bearer.owner || qmi_client(qmi::Service::Wds, *bearer.owner) == nullptr)
        return;
    auto message
        = indication(qmi::Service::Wds, *bearer.owner, qmi::wds::packet_service_status_indication);
    message.add(0x01, {static_cast<std::uint8_t>(connected ? 2 : 1), 0});
    if (why != nullptr) {
        message.add(0x10, u16_value(why->reason));
        if (why->verbose_type != 0)
            message.add(
                0x11, qmi::TlvWriter().u16(why->verbose_type).i16(why->verbose_reason).take());
    }
    message.add(0x12, u8_value(static_cast<std::uint8_t>(bearer.family)));
    indicate(std::move(message));
}

} // namespace uplink::sim
