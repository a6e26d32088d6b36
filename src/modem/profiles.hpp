// Profiles bound to the SIM: which profile a modem uses (the first matching rule, else the
// default), its APN filled from the operator table when blank, and what a change of policy does
// to a modem. Pure functions: the Modem applies them, Manager::preview shows them beforehand,
// so a preview says exactly what applying does.
#pragma once

#include "modem/modem.hpp"

namespace uplink::modem {

// The parts of a modem a policy change acts on.
struct ModemCondition {
    State state = State::Unknown;
    FailedReason failed_reason = FailedReason::None;
    ConnectionState connection = ConnectionState::Disconnected;
    bool wanted = true;                       // autoconnect, or `uplink connect`
    unsigned wan_number = 1;
    LinkOwner link_owner = LinkOwner::Uplinkd;
};

// What applying `after` in place of `before` does to a modem with this SIM and identity. With
// SecretComparison::Hidden, PINs and passwords count only as set or not: neither the differences
// nor the action depend on their values.
PlannedChange plan_change(const ProfilePolicy& before, const ProfilePolicy& after, const Sim& sim,
    const Identity& identity, const ModemCondition& condition,
    SecretComparison secrets = SecretComparison::Compared);

// Whether two connection settings need a new call (APN, credentials, IP families), as opposed
// to a change of the link alone (MTU, route metric) or of autoconnect.
bool same_call(const ConnectionSettings& a, const ConnectionSettings& b);

} // namespace uplink::modem
