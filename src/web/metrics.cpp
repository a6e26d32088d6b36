#include "web/metrics.hpp"

#include <fmt/format.h>

#include <array>
#include <map>
#include <optional>
#include <vector>

namespace uplink::web {

namespace {

using modem::ConnectionState;
using modem::RegistrationState;
using modem::State;

// A label value as the format wants it: \, " and newline escaped.
std::string escaped(std::string_view value)
{
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    return out;
}

// One metric family: its HELP and TYPE lines once, then its samples.
class Family {
public:
    Family(std::string name, std::string_view type, std::string_view help) : name_(std::move(name))
    {
        text_ = fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help, name_, type);
    }

    void add(const std::map<std::string, std::string>& labels, double value)
    {
        std::string label_text;
        for (const auto& [name, label] : labels)
            label_text += fmt::format("{}{}=\"{}\"", label_text.empty() ? "" : ",", name, escaped(label));
        text_ += label_text.empty() ? fmt::format("{} {}\n", name_, value)
                                    : fmt::format("{}{{{}}} {}\n", name_, label_text, value);
        ++samples_;
    }

    // A family with no sample is left out, as Prometheus's own clients do.
    void append_to(std::string& out) const
    {
        if (samples_ > 0)
            out += text_;
    }

private:
    std::string name_;
    std::string text_;
    int samples_ = 0;
};

// The WANs of `config wan` (docs/failover.md): their state, link, round trip, loss and probes.
class WanFamilies {
public:
    void add(const wan::WanStatus& wan)
    {
        std::map<std::string, std::string> labels {{"wan", wan.name}};
        const auto& health = wan.health;
        for (auto each : {health::WanState::Up, health::WanState::Degraded, health::WanState::Dead}) {
            auto with_state = labels;
            with_state["state"] = std::string(health::to_string(each));
            state_.add(with_state, health.state == each ? 1 : 0);
        }
        link_.add(labels, wan.link ? 1 : 0);
        if (health.smoothed_rtt)
            rtt_.add(labels, std::chrono::duration<double>(*health.smoothed_rtt).count());
        if (health.loss)
            loss_.add(labels, *health.loss);
        for (auto [outcome, count] : {std::pair {"sent", health.probes_sent},
                 std::pair {"answered", health.probes_answered}, std::pair {"lost", health.probes_lost}}) {
            auto with_outcome = labels;
            with_outcome["outcome"] = outcome;
            probes_.add(with_outcome, static_cast<double>(count));
        }
        probe_bytes_.add(labels, static_cast<double>(health.bytes_sent));
    }

    std::vector<const Family*> families() const { return {&state_, &link_, &rtt_, &loss_, &probes_, &probe_bytes_}; }

private:
    Family state_ {"uplink_wan_state", "gauge", "1 for the state the WAN is in (up, degraded, dead), 0 for the others"};
    Family link_ {"uplink_wan_link", "gauge", "1 while the WAN's interface is there, up and with carrier"};
    Family rtt_ {"uplink_wan_rtt_seconds", "gauge", "the WAN's probes' smoothed round trip, seconds"};
    Family loss_ {"uplink_wan_loss_ratio", "gauge", "the WAN's probe loss averaged over about a minute (5 metered), 0..1"};
    Family probes_ {"uplink_wan_probes_total", "counter", "the WAN's health probes by outcome, since its health engine started"};
    Family probe_bytes_ {"uplink_wan_probe_bytes_total", "counter", "bytes of the WAN's health probes, since its health engine started"};
};

constexpr std::array all_states {State::Failed, State::Unknown, State::Initializing, State::Locked, State::Disabled,
    State::Enabling, State::Enabled, State::Searching, State::Registered};

} // namespace

std::string prometheus_metrics(const api::ModemSource& source, const api::DaemonInfo& info, Clock::time_point now)
{
    Family build("uplink_build_info", "gauge", "uplinkd's version, as a label");
    build.add({{"version", info.version}}, 1);
    Family uptime("uplink_uptime_seconds", "gauge", "seconds since uplinkd started");
    uptime.add({}, static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now - info.started).count()));

    Family state("uplink_modem_state", "gauge", "1 for the state the modem is in, 0 for the others");
    Family registered("uplink_modem_registered", "gauge", "1 when registered on a network, at home or roaming");
    Family roaming("uplink_modem_roaming", "gauge", "1 when registered on a network other than the SIM's own");
    Family connected("uplink_modem_connected", "gauge", "1 while the data connection is up");
    Family connected_seconds("uplink_modem_connected_seconds", "gauge", "seconds the data connection has been up");
    Family rssi("uplink_signal_rssi_dbm", "gauge", "received signal strength indicator, dBm");
    Family rsrp("uplink_signal_rsrp_dbm", "gauge", "LTE reference signal received power, dBm");
    Family rsrq("uplink_signal_rsrq_db", "gauge", "LTE reference signal received quality, dB");
    Family sinr("uplink_signal_sinr_db", "gauge", "signal to interference and noise ratio, dB");
    Family usage("uplink_wan_usage_bytes", "gauge",
        "bytes through the WAN's interface today and this billing period (which restart at their start)");

    auto wall_now = std::chrono::system_clock::now();
    auto modems = source.modems();
    for (const auto& modem : modems) {
        std::map<std::string, std::string> labels {{"modem", modem.id}, {"wan", modem.wan}};
        for (auto each : all_states) {
            auto with_state = labels;
            with_state["state"] = std::string(to_string(each));
            state.add(with_state, modem.state == each ? 1 : 0);
        }
        auto registration = modem.registration.state;
        registered.add(labels, registration == RegistrationState::Home || registration == RegistrationState::Roaming);
        roaming.add(labels, registration == RegistrationState::Roaming);
        bool up = modem.connection.state == ConnectionState::Connected;
        connected.add(labels, up);
        if (up && modem.connection.connected_since)
            connected_seconds.add(labels, static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                wall_now - *modem.connection.connected_since).count()));
        const auto& signal = modem.signal;
        for (auto [family, value] : {std::pair {&rssi, signal.rssi_dbm}, std::pair {&rsrp, signal.rsrp_dbm},
                 std::pair {&rsrq, signal.rsrq_db}, std::pair {&sinr, signal.sinr_db}})
            if (value)
                family->add(labels, *value);
        if (modem.wan.empty())
            continue;
        if (auto used = source.usage(modem.wan)) {
            for (auto [period, received, sent] : {std::tuple {"today", used->today_received, used->today_sent},
                     std::tuple {"billing_period", used->period_received, used->period_sent}}) {
                usage.add({{"wan", modem.wan}, {"period", period}, {"direction", "received"}}, static_cast<double>(received));
                usage.add({{"wan", modem.wan}, {"period", period}, {"direction", "sent"}}, static_cast<double>(sent));
            }
        }
    }
    Family count("uplink_modems", "gauge", "modems uplinkd knows");
    count.add({}, static_cast<double>(modems.size()));
    WanFamilies wans;
    for (const auto& wan : source.wans())
        wans.add(wan);

    std::string out;
    for (const auto* family : {&build, &uptime, &count, &state, &registered, &roaming, &connected, &connected_seconds,
             &rssi, &rsrp, &rsrq, &sinr, &usage})
        family->append_to(out);
    for (const auto* family : wans.families())
        family->append_to(out);
    return out;
}

} // namespace uplink::web
