#include "modem/names.hpp"
#include "modem/pin_store.hpp"

#include <gtest/gtest.h>
#include <set>

namespace uplink::modem {
namespace {

// Every value has its own name, and names that are read back (roles, protocols) round-trip.
template <typename Enum> void expect_distinct_names(std::initializer_list<Enum> values)
{
    std::set<std::string_view> names;
    for (auto value : values) {
        auto name = to_string(value);
        EXPECT_FALSE(name.empty());
        EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    }
}

TEST(ModemNames, StatesHaveDistinctNames)
{
    expect_distinct_names({State::Failed, State::Unknown, State::Initializing, State::Locked,
        State::Disabled, State::Enabling, State::Enabled, State::Searching, State::Registered});
    EXPECT_EQ(to_string(State::Registered), "registered");
    EXPECT_EQ(to_string(State::Searching), "searching");
}

TEST(ModemNames, ReasonsAndSimStatesHaveDistinctNames)
{
    expect_distinct_names({FailedReason::None, FailedReason::SimMissing, FailedReason::SimError,
        FailedReason::WrongPin, FailedReason::PukRequired, FailedReason::PortHung,
        FailedReason::Unsupported});
    EXPECT_EQ(to_string(FailedReason::SimMissing), "sim-missing");
    EXPECT_EQ(to_string(FailedReason::WrongPin), "wrong-pin");
    expect_distinct_names({SimState::Unknown, SimState::Missing, SimState::Ready,
        SimState::PinRequired, SimState::PukRequired, SimState::Error});
    expect_distinct_names({PinRecord::None, PinRecord::Refused, PinRecord::Interrupted});
}

TEST(ModemNames, RegistrationAndTechnologyHaveDistinctNames)
{
    expect_distinct_names(
        {RegistrationState::Idle, RegistrationState::Home, RegistrationState::Searching,
            RegistrationState::Denied, RegistrationState::Unknown, RegistrationState::Roaming});
    expect_distinct_names({Technology::Unknown, Technology::Gsm, Technology::Umts, Technology::Lte,
        Technology::Nr5gNsa, Technology::Nr5gSa});
    expect_distinct_names({Event::Kind::Added, Event::Kind::Removed, Event::Kind::StateChanged,
        Event::Kind::SimChanged, Event::Kind::RegistrationChanged, Event::Kind::SignalChanged,
        Event::Kind::ConnectionChanged, Event::Kind::SettingsChanged, Event::Kind::Recovery, Event::Kind::WanChanged});
    expect_distinct_names({ConnectionState::Disconnected, ConnectionState::Connecting,
        ConnectionState::Connected, ConnectionState::Disconnecting});
    expect_distinct_names({Authentication::None, Authentication::Pap, Authentication::Chap,
        Authentication::PapOrChap});
    expect_distinct_names({IpFamilies::Ipv4, IpFamilies::Ipv6, IpFamilies::Both});
    expect_distinct_names({ApnSource::Profile, ApnSource::OperatorTable, ApnSource::Network});
    expect_distinct_names({PinOperation::Change, PinOperation::Enable, PinOperation::Disable});
    expect_distinct_names({PlannedChange::Action::None, PlannedChange::Action::Reconfigure,
        PlannedChange::Action::Reconnect, PlannedChange::Action::Connect,
        PlannedChange::Action::Disconnect, PlannedChange::Action::RetryPin});
    expect_distinct_names({PlannedChange::RadioAction::Keep, PlannedChange::RadioAction::Apply});
    expect_distinct_names({RatPreference::Auto, RatPreference::Lte, RatPreference::Umts, RatPreference::Gsm});
}

TEST(ModemNames, RolesAndProtocolsRoundTrip)
{
    for (auto role : {PortRole::Unknown, PortRole::At, PortRole::Modem, PortRole::Diag,
             PortRole::Nmea, PortRole::Qmi, PortRole::Mbim, PortRole::Net})
        EXPECT_EQ(port_role_from_string(to_string(role)), role);
    for (auto protocol : {Protocol::Unknown, Protocol::At, Protocol::Qmi, Protocol::Mbim,
             Protocol::Ncm, Protocol::Ecm})
        EXPECT_EQ(protocol_from_string(to_string(protocol)), protocol);
    EXPECT_FALSE(port_role_from_string("modulator"));
    EXPECT_FALSE(protocol_from_string(""));
}

TEST(ModemNames, ErrorsHaveTheModemCategoryAndAMessage)
{
    for (auto code : {Errc::NoSuchModem, Errc::NoAtPort, Errc::NoDataPort, Errc::NotReady,
             Errc::WrongPinRemembered, Errc::PinStoreUnreadable, Errc::BadPin}) {
        Error error = code;
        EXPECT_EQ(&error.category(), &modem_category());
        EXPECT_STREQ(error.category().name(), "modem");
        EXPECT_NE(error.message(), "unknown modem error");
        EXPECT_TRUE(error == code);
    }
}

} // namespace
} // namespace uplink::modem
