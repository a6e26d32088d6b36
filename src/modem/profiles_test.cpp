#include "modem/profiles.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace uplink::modem {
namespace {

Profile profile(std::string name, std::string apn, std::string pin = {})
{
    Profile result;
    result.name = std::move(name);
    result.connection.apn = std::move(apn);
    result.pin = std::move(pin);
    return result;
}

SimRule rule(std::string name, std::string profile_name)
{
    SimRule result;
    result.name = std::move(name);
    result.profile = std::move(profile_name);
    return result;
}

// Vodafone UK test values: the ICCID and IMSI ranges are Vodafone's (8944 10, 234 15).
Sim vodafone_sim()
{
    Sim sim;
    sim.state = SimState::Ready;
    sim.iccid = "8944100000000000001";
    sim.imsi = "234150000000001";
    sim.operator_id = "23415";
    return sim;
}

Identity ec25()
{
    return {"Quectel", "EC25", "EC25EFAR06A06M4G", "867698040000001"};
}

ProfilePolicy policy_with_rules()
{
    ProfilePolicy policy;
    policy.profiles = {profile("work", "work.example", "4321"), profile("home", "home.example"),
        profile("default", "fallback.example")};
    SimRule by_iccid = rule("work-sims", "work");
    by_iccid.iccid_prefix = "894411";
    SimRule by_operator = rule("vodafone", "home");
    by_operator.mcc_mnc = "23415";
    policy.rules = {by_iccid, by_operator};
    return policy;
}

TEST(ModemProfiles, TheFirstMatchingRuleWinsAndSaysWhy)
{
    auto policy = policy_with_rules();
    auto sim = vodafone_sim();
    auto chosen = choose_settings(policy, sim, ec25(), 1);
    EXPECT_EQ(chosen.profile, "home");
    EXPECT_EQ(chosen.rule, "vodafone");
    EXPECT_EQ(chosen.reason, "MCC-MNC is 23415");
    EXPECT_EQ(chosen.connection.apn, "home.example");
    EXPECT_EQ(chosen.apn_source, ApnSource::Profile);
    EXPECT_FALSE(chosen.provisional);

    sim.iccid = "8944110000000000002"; // now the first rule matches too, and comes first
    chosen = choose_settings(policy, sim, ec25(), 1);
    EXPECT_EQ(chosen.profile, "work");
    EXPECT_EQ(chosen.reason, "ICCID starts with 894411");
    EXPECT_TRUE(chosen.has_pin);
    EXPECT_EQ(pin_of(policy, chosen), "4321");
}

TEST(ModemProfiles, EveryCriterionOfARuleMustHold)
{
    auto policy = policy_with_rules();
    SimRule narrow = rule("ec25-on-vodafone", "work");
    narrow.imsi_prefix = "23415";
    narrow.model = "ec25"; // models compare without case
    narrow.imei = "867698040000001";
    policy.rules.insert(policy.rules.begin(), narrow);
    auto chosen = choose_settings(policy, vodafone_sim(), ec25(), 1);
    EXPECT_EQ(chosen.rule, "ec25-on-vodafone");
    EXPECT_EQ(chosen.reason, "IMEI is 867698040000001 and model is EC25 and IMSI starts with 23415");

    auto other = ec25();
    other.imei = "867698040000002";
    EXPECT_EQ(choose_settings(policy, vodafone_sim(), other, 1).rule, "vodafone");
}

TEST(ModemProfiles, NoMatchingRuleTakesTheDefaultProfile)
{
    auto policy = policy_with_rules();
    auto sim = vodafone_sim();
    sim.imsi = "310260000000001";
    sim.operator_id = "310260";
    auto chosen = choose_settings(policy, sim, ec25(), 1);
    EXPECT_EQ(chosen.profile, "default");
    EXPECT_EQ(chosen.rule, "");
    EXPECT_EQ(chosen.reason, "no rule matched: the default profile");
    EXPECT_EQ(chosen.connection.apn, "fallback.example");
}

TEST(ModemProfiles, WithNoProfilesTheBuiltInDefaultUsesTheNetworksDefaults)
{
    auto sim = vodafone_sim();
    sim.operator_id = "00101"; // the 3GPP test network: in no operator table
    sim.imsi = "001010000000001";
    auto chosen = choose_settings(ProfilePolicy {}, sim, ec25(), 1);
    EXPECT_EQ(chosen.profile, "default");
    EXPECT_EQ(chosen.reason, "no rules: the default profile");
    EXPECT_EQ(chosen.connection.apn, "");
    EXPECT_EQ(chosen.apn_source, ApnSource::Network);
    EXPECT_FALSE(chosen.has_pin);
}

// The APN and its credentials come from operators.tsv (its Vodafone UK row: internet, web/web).
TEST(ModemProfiles, ABlankApnIsFilledFromTheOperatorTable)
{
    ProfilePolicy policy;
    policy.profiles = {profile("default", "")};
    auto chosen = choose_settings(policy, vodafone_sim(), ec25(), 1);
    EXPECT_EQ(chosen.apn_source, ApnSource::OperatorTable);
    EXPECT_EQ(chosen.apn_entry, "23415 Vodafone");
    EXPECT_EQ(chosen.connection.apn, "internet");
    EXPECT_EQ(chosen.connection.username, "web");
    EXPECT_EQ(chosen.connection.password, "web");
    EXPECT_EQ(chosen.connection.authentication, Authentication::PapOrChap);

    // A profile's own username is kept: only the APN comes from the table.
    policy.profiles[0].connection.username = "me";
    chosen = choose_settings(policy, vodafone_sim(), ec25(), 1);
    EXPECT_EQ(chosen.connection.apn, "internet");
    EXPECT_EQ(chosen.connection.username, "me");
    EXPECT_EQ(chosen.connection.password, "");
}

TEST(ModemProfiles, RulesOnTheImsiWaitForALockedSimToOpen)
{
    auto policy = policy_with_rules();
    SimRule by_imsi = rule("imsi", "work");
    by_imsi.imsi_prefix = "23415";
    policy.rules = {by_imsi};
    auto locked = vodafone_sim();
    locked.state = SimState::PinRequired;
    locked.imsi.clear();
    locked.operator_id.clear();
    auto chosen = choose_settings(policy, locked, ec25(), 1);
    EXPECT_TRUE(chosen.provisional);
    EXPECT_EQ(chosen.profile, "default");
    EXPECT_NE(chosen.reason.find("imsi needs the IMSI"), std::string::npos) << chosen.reason;
    // Its PIN comes from a rule it can decide: the ICCID.
    SimRule by_iccid = rule("iccid", "work");
    by_iccid.iccid_prefix = "8944";
    policy.rules.push_back(by_iccid);
    chosen = choose_settings(policy, locked, ec25(), 1);
    EXPECT_EQ(chosen.rule, "iccid");
    EXPECT_EQ(pin_of(policy, chosen), "4321");
}

TEST(ModemProfiles, TheRouteMetricIsTheProfilesOrOnePerWan)
{
    ProfilePolicy policy;
    EXPECT_EQ(choose_settings(policy, vodafone_sim(), ec25(), 1).connection.route_metric, 200u);
    EXPECT_EQ(choose_settings(policy, vodafone_sim(), ec25(), 2).connection.route_metric, 210u);
    policy.profiles = {profile("default", "x")};
    policy.profiles[0].connection.route_metric = 50;
    EXPECT_EQ(choose_settings(policy, vodafone_sim(), ec25(), 2).connection.route_metric, 50u);
}

ModemCondition condition(ConnectionState connection, State state = State::Registered)
{
    ModemCondition result;
    result.state = state;
    result.connection = connection;
    return result;
}

TEST(ModemProfiles, ANewApnReconnectsFromAnyStateThatIsTrying)
{
    auto before = policy_with_rules();
    auto after = before;
    after.profiles[1].connection.apn = "new.example";
    for (auto state : {ConnectionState::Connected, ConnectionState::Connecting}) {
        auto plan = plan_change(before, after, vodafone_sim(), ec25(), condition(state));
        EXPECT_EQ(plan.action, PlannedChange::Action::Reconnect) << to_string(state);
        EXPECT_EQ(plan.differences, std::vector<std::string> {"apn: home.example -> new.example"});
    }
    // Between attempts after a failure: disconnected, but registered and wanted.
    auto plan = plan_change(before, after, vodafone_sim(), ec25(), condition(ConnectionState::Disconnected));
    EXPECT_EQ(plan.action, PlannedChange::Action::Reconnect);
    // Not registered: the next call uses it, nothing to do now.
    plan = plan_change(before, after, vodafone_sim(), ec25(), condition(ConnectionState::Disconnected, State::Searching));
    EXPECT_EQ(plan.action, PlannedChange::Action::None);
    EXPECT_EQ(plan.after->connection.apn, "new.example");
}

TEST(ModemProfiles, MtuAndMetricChangeTheLinkInPlace)
{
    auto before = policy_with_rules();
    auto after = before;
    after.profiles[1].connection.mtu = 1400;
    after.profiles[1].connection.route_metric = 300;
    auto plan = plan_change(before, after, vodafone_sim(), ec25(), condition(ConnectionState::Connected));
    EXPECT_EQ(plan.action, PlannedChange::Action::Reconfigure);
    EXPECT_EQ(plan.differences, (std::vector<std::string> {"mtu: the network's -> 1400", "metric: 200 -> 300"}));
    auto with_ttl = after;
    with_ttl.profiles[1].connection.ttl = 65;
    plan = plan_change(after, with_ttl, vodafone_sim(), ec25(), condition(ConnectionState::Connected));
    EXPECT_EQ(plan.action, PlannedChange::Action::Reconfigure);
    EXPECT_EQ(plan.differences, std::vector<std::string> {"ttl: as routed -> 65"});
}

TEST(ModemProfiles, RadioSettingsApplyWithoutANewCall)
{
    auto before = policy_with_rules();
    auto after = before;
    after.profiles[1].radio = {RatPreference::Lte, {3, 20}, {78}, "23415"};
    auto plan = plan_change(before, after, vodafone_sim(), ec25(), condition(ConnectionState::Connected));
    EXPECT_EQ(plan.action, PlannedChange::Action::None);
    EXPECT_EQ(plan.radio, PlannedChange::RadioAction::Apply);
    EXPECT_EQ(plan.differences, (std::vector<std::string> {"rat: auto -> lte", "lte_bands: all -> 3 20",
                                    "nr_bands: all -> 78", "operator: automatic -> 23415"}));
    EXPECT_EQ(plan_change(after, after, vodafone_sim(), ec25(), condition(ConnectionState::Connected)).radio,
        PlannedChange::RadioAction::Keep);
}

TEST(ModemProfiles, APinChangeRetriesOnlyWhereThePinIsAwaited)
{
    auto before = policy_with_rules();
    auto after = before;
    after.profiles[0].pin = "1111";
    auto sim = vodafone_sim();
    sim.iccid = "8944110000000000002";
    auto locked = condition(ConnectionState::Disconnected, State::Locked);
    auto plan = plan_change(before, after, sim, ec25(), locked);
    EXPECT_EQ(plan.action, PlannedChange::Action::RetryPin);
    EXPECT_EQ(plan.differences, std::vector<std::string> {"pin: changed"}); // never the PIN itself
    plan = plan_change(before, after, sim, ec25(), condition(ConnectionState::Connected));
    EXPECT_EQ(plan.action, PlannedChange::Action::None);
}

// A preview for an API token: a guessed PIN or password, right or wrong, plans the same, so that
// the preview cannot confirm it; only a PIN set or cleared shows (as "pin_set" does anyway).
TEST(ModemProfiles, HiddenSecretsAreComparedOnlyAsSetOrNot)
{
    auto sim = vodafone_sim();
    sim.iccid = "8944110000000000002";   // the work profile, PIN 4321
    auto locked = condition(ConnectionState::Disconnected, State::Locked);
    auto before = policy_with_rules();
    before.profiles[0].connection.password = "secret";
    for (auto guess : {"4321", "1111"}) {
        auto after = before;
        after.profiles[0].pin = guess;
        after.profiles[0].connection.password = guess;
        auto plan = plan_change(before, after, sim, ec25(), locked, SecretComparison::Hidden);
        EXPECT_EQ(plan.action, PlannedChange::Action::None) << guess;
        EXPECT_TRUE(plan.differences.empty()) << guess;
    }
    auto cleared = before;
    cleared.profiles[0].pin.clear();
    auto plan = plan_change(before, cleared, sim, ec25(), locked, SecretComparison::Hidden);
    EXPECT_EQ(plan.differences, std::vector<std::string> {"pin: changed"});
    // A SIM moved to a profile with another PIN: the two PINs are not compared either.
    auto moved = before;
    moved.rules[0].profile = "home";
    moved.profiles[1].pin = "9999";
    plan = plan_change(before, moved, sim, ec25(), condition(ConnectionState::Connected), SecretComparison::Hidden);
    EXPECT_EQ(std::ranges::count(plan.differences, std::string("pin: changed")), 0);
    // Compared, the same edit says what it does.
    auto wrong = before;
    wrong.profiles[0].pin = "1111";
    EXPECT_EQ(plan_change(before, wrong, sim, ec25(), locked).action, PlannedChange::Action::RetryPin);
}

TEST(ModemProfiles, ASimMovedToAnotherProfileSaysSo)
{
    auto before = policy_with_rules();
    auto after = before;
    after.rules[1].profile = "work";
    auto plan = plan_change(before, after, vodafone_sim(), ec25(), condition(ConnectionState::Connected));
    EXPECT_EQ(plan.action, PlannedChange::Action::Reconnect);
    EXPECT_EQ(plan.differences,
        (std::vector<std::string> {"profile: home -> work", "apn: home.example -> work.example", "pin: changed"}));
    EXPECT_EQ(plan.before->profile, "home");
    EXPECT_EQ(plan.after->profile, "work");
}

TEST(ModemProfiles, TurningAutoconnectOffDisconnects)
{
    auto before = policy_with_rules();
    auto after = before;
    after.profiles[1].connection.autoconnect = false;
    auto plan = plan_change(before, after, vodafone_sim(), ec25(), condition(ConnectionState::Connected));
    EXPECT_EQ(plan.action, PlannedChange::Action::Disconnect);
    plan = plan_change(after, before, vodafone_sim(), ec25(), condition(ConnectionState::Disconnected));
    EXPECT_EQ(plan.action, PlannedChange::Action::Connect);
}

TEST(ModemProfiles, ANetifdModemNeverConnectsByItself)
{
    auto settings = choose_settings(policy_with_rules(), vodafone_sim(), ec25(), 1, LinkOwner::Netifd);
    EXPECT_EQ(settings.connection.link_owner, LinkOwner::Netifd);
    EXPECT_FALSE(settings.connection.autoconnect);
    EXPECT_EQ(settings.connection.apn, "home.example"); // the call is still the profile's
    auto own = choose_settings(policy_with_rules(), vodafone_sim(), ec25(), 1);
    EXPECT_EQ(own.connection.link_owner, LinkOwner::Uplinkd);
    EXPECT_TRUE(own.connection.autoconnect);
}

} // namespace
} // namespace uplink::modem
