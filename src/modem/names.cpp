#include "modem/names.hpp"

#include <array>

namespace uplink::modem {

namespace {

class ModemCategory : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "modem"; }
    std::string message(int value) const override
    {
        switch (static_cast<Errc>(value)) {
        case Errc::NoSuchModem:
            return "no modem with that id";
        case Errc::NoAtPort:
            return "the modem has no AT port";
        case Errc::NoDataPort:
            return "the modem has no data port uplink can connect with (QMI)";
        case Errc::NotReady:
            return "the modem is not ready for this";
        case Errc::WrongPinRemembered:
            return "this SIM refused this PIN before; it will not be tried again";
        case Errc::PinStoreUnreadable:
            return "the record of refused PINs is unreadable";
        case Errc::BadPin:
            return "a PIN is 4 to 8 digits";
        case Errc::OnePinPerLine:
            return "a command line may carry one PIN or PUK: send each PIN command on its own line";
        case Errc::Unsupported:
            return "the modem's interface cannot express this setting (QMI's LTE band preference ends at band 64)";
        }
        return "unknown modem error";
    }
};

} // namespace

const boost::system::error_category& modem_category()
{
    static const ModemCategory category;
    return category;
}

Error make_error_code(Errc code)
{
    return {static_cast<int>(code), modem_category()};
}

std::string_view to_string(State state)
{
    switch (state) {
    case State::Failed:
        return "failed";
    case State::Unknown:
        return "unknown";
    case State::Initializing:
        return "initializing";
    case State::Locked:
        return "locked";
    case State::Disabled:
        return "disabled";
    case State::Enabling:
        return "enabling";
    case State::Enabled:
        return "enabled";
    case State::Searching:
        return "searching";
    case State::Registered:
        return "registered";
    }
    return "unknown";
}

std::string_view to_string(FailedReason reason)
{
    switch (reason) {
    case FailedReason::None:
        return "none";
    case FailedReason::SimMissing:
        return "sim-missing";
    case FailedReason::SimError:
        return "sim-error";
    case FailedReason::WrongPin:
        return "wrong-pin";
    case FailedReason::PukRequired:
        return "puk-required";
    case FailedReason::PortHung:
        return "port-hung";
    case FailedReason::Unsupported:
        return "unsupported";
    }
    return "unknown";
}

std::string_view to_string(SimState state)
{
    switch (state) {
    case SimState::Unknown:
        return "unknown";
    case SimState::Missing:
        return "missing";
    case SimState::Ready:
        return "ready";
    case SimState::PinRequired:
        return "pin-required";
    case SimState::PukRequired:
        return "puk-required";
    case SimState::Error:
        return "error";
    }
    return "unknown";
}

std::string_view to_string(RegistrationState state)
{
    switch (state) {
    case RegistrationState::Idle:
        return "idle";
    case RegistrationState::Home:
        return "home";
    case RegistrationState::Searching:
        return "searching";
    case RegistrationState::Denied:
        return "denied";
    case RegistrationState::Unknown:
        return "unknown";
    case RegistrationState::Roaming:
        return "roaming";
    }
    return "unknown";
}

std::string_view to_string(Technology technology)
{
    switch (technology) {
    case Technology::Unknown:
        return "unknown";
    case Technology::Gsm:
        return "gsm";
    case Technology::Umts:
        return "umts";
    case Technology::Lte:
        return "lte";
    case Technology::Nr5gNsa:
        return "5g-nsa";
    case Technology::Nr5gSa:
        return "5g-sa";
    }
    return "unknown";
}

std::string_view to_string(Protocol protocol)
{
    switch (protocol) {
    case Protocol::Unknown:
        return "unknown";
    case Protocol::At:
        return "at";
    case Protocol::Qmi:
        return "qmi";
    case Protocol::Mbim:
        return "mbim";
    case Protocol::Ncm:
        return "ncm";
    case Protocol::Ecm:
        return "ecm";
    }
    return "unknown";
}

std::string_view to_string(PortRole role)
{
    switch (role) {
    case PortRole::Unknown:
        return "unknown";
    case PortRole::At:
        return "at";
    case PortRole::Modem:
        return "modem";
    case PortRole::Diag:
        return "diag";
    case PortRole::Nmea:
        return "nmea";
    case PortRole::Qmi:
        return "qmi";
    case PortRole::Mbim:
        return "mbim";
    case PortRole::Net:
        return "net";
    }
    return "unknown";
}

std::string_view to_string(Event::Kind kind)
{
    switch (kind) {
    case Event::Kind::Added:
        return "added";
    case Event::Kind::Removed:
        return "removed";
    case Event::Kind::StateChanged:
        return "state-changed";
    case Event::Kind::SimChanged:
        return "sim-changed";
    case Event::Kind::RegistrationChanged:
        return "registration-changed";
    case Event::Kind::SignalChanged:
        return "signal-changed";
    case Event::Kind::ConnectionChanged:
        return "connection-changed";
    case Event::Kind::SettingsChanged:
        return "settings-changed";
    case Event::Kind::Recovery:
        return "recovery";
    case Event::Kind::WanChanged:
        return "wan-changed";
    }
    return "unknown";
}

std::string_view to_string(LinkOwner owner)
{
    return owner == LinkOwner::Netifd ? "netifd" : "uplinkd";
}

std::string_view to_string(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Disconnected:
        return "disconnected";
    case ConnectionState::Connecting:
        return "connecting";
    case ConnectionState::Connected:
        return "connected";
    case ConnectionState::Disconnecting:
        return "disconnecting";
    }
    return "unknown";
}

std::string_view to_string(Authentication authentication)
{
    switch (authentication) {
    case Authentication::None:
        return "none";
    case Authentication::Pap:
        return "pap";
    case Authentication::Chap:
        return "chap";
    case Authentication::PapOrChap:
        return "pap-chap";
    }
    return "unknown";
}

std::string_view to_string(IpFamilies families)
{
    switch (families) {
    case IpFamilies::Ipv4:
        return "ipv4";
    case IpFamilies::Ipv6:
        return "ipv6";
    case IpFamilies::Both:
        return "ipv4v6";
    }
    return "unknown";
}

std::string_view to_string(PinOperation operation)
{
    switch (operation) {
    case PinOperation::Change:
        return "change";
    case PinOperation::Enable:
        return "enable";
    case PinOperation::Disable:
        return "disable";
    }
    return "unknown";
}

std::string_view to_string(ApnSource source)
{
    switch (source) {
    case ApnSource::Profile:
        return "profile";
    case ApnSource::OperatorTable:
        return "operator-table";
    case ApnSource::Network:
        return "network";
    }
    return "unknown";
}

std::string_view to_string(PlannedChange::Action action)
{
    switch (action) {
    case PlannedChange::Action::None:
        return "none";
    case PlannedChange::Action::Reconfigure:
        return "reconfigure";
    case PlannedChange::Action::Reconnect:
        return "reconnect";
    case PlannedChange::Action::Connect:
        return "connect";
    case PlannedChange::Action::Disconnect:
        return "disconnect";
    case PlannedChange::Action::RetryPin:
        return "retry-pin";
    }
    return "unknown";
}

std::string_view to_string(PlannedChange::RadioAction action)
{
    switch (action) {
    case PlannedChange::RadioAction::Keep:
        return "keep";
    case PlannedChange::RadioAction::Apply:
        return "apply";
    }
    return "unknown";
}

std::string_view to_string(RatPreference preference)
{
    switch (preference) {
    case RatPreference::Auto:
        return "auto";
    case RatPreference::Nr:
        return "5g";
    case RatPreference::Lte:
        return "lte";
    case RatPreference::Umts:
        return "3g";
    case RatPreference::Gsm:
        return "2g";
    }
    return "unknown";
}

std::optional<PortRole> port_role_from_string(std::string_view text)
{
    constexpr std::array roles {PortRole::Unknown, PortRole::At, PortRole::Modem, PortRole::Diag,
        PortRole::Nmea, PortRole::Qmi, PortRole::Mbim, PortRole::Net};
    for (auto role : roles)
        if (to_string(role) == text)
            return role;
    return std::nullopt;
}

std::optional<Protocol> protocol_from_string(std::string_view text)
{
    constexpr std::array protocols {Protocol::Unknown, Protocol::At, Protocol::Qmi, Protocol::Mbim,
        Protocol::Ncm, Protocol::Ecm};
    for (auto protocol : protocols)
        if (to_string(protocol) == text)
            return protocol;
    return std::nullopt;
}

} // namespace uplink::modem
