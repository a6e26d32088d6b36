#include "cli/netifd_session.hpp"

#include "cli/session.hpp"

#include <core/core.hpp>

#include <boost/json.hpp>
#include <boost/system/errc.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ostream>
#include <sstream>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace uplink::cli {

namespace json = boost::json;

namespace {

// How often the session looks for uplinkd's socket while uplinkd is not there (netifd may start
// first at boot, and uplinkd restarts after an upgrade).
constexpr int socket_retry_ms = 1000;
constexpr int failed_setup_pause_ms = 5000;

bool is_address(int family, const std::string& text)
{
    unsigned char bytes[16];
    return ::inet_pton(family, text.c_str(), bytes) == 1;
}

std::string string_of(const json::object& object, std::string_view key)
{
    const auto* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// One family's part of the report; false with `why` set when the modem's words are not addresses.
bool add_family(NetifdReport& report, std::vector<std::string>& dns, const json::value* ip, int family,
    std::string_view prefix, std::string& why)
{
    if (!ip || ip->is_null())
        return true;
    const auto* object = ip->if_object();
    const auto* length = object ? object->if_contains("prefix_length") : nullptr;
    int largest = family == AF_INET ? 32 : 128;
    auto address = object ? string_of(*object, "address") : std::string();
    if (!is_address(family, address) || !length || !length->is_int64() || length->as_int64() < 1
        || length->as_int64() > largest) {
        why = fmt::format("the {} settings are not an address and prefix length", prefix);
        return false;
    }
    report.environment.push_back(fmt::format("{}_ADDRESS={}", prefix, address));
    report.environment.push_back(fmt::format("{}_PREFIX={}", prefix, length->as_int64()));
    if (auto gateway = string_of(*object, "gateway"); is_address(family, gateway))
        report.environment.push_back(fmt::format("{}_GATEWAY={}", prefix, gateway));
    if (const auto* servers = object->if_contains("dns"); servers && servers->is_array())
        for (const auto& server : servers->as_array())
            if (server.is_string() && is_address(family, std::string(server.as_string())))
                dns.emplace_back(server.as_string());
    return true;
}

// SIGTERM (netifd's teardown), SIGINT and SIGHUP, read from a descriptor so that the wait for
// uplinkd's events can also wait for them.
class StopSignals {
public:
    StopSignals()
    {
        sigemptyset(&set_);
        for (int number : {SIGTERM, SIGINT, SIGHUP})
            sigaddset(&set_, number);
        ::sigprocmask(SIG_BLOCK, &set_, nullptr);
        fd_ = ::signalfd(-1, &set_, SFD_CLOEXEC);
    }
    ~StopSignals()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    bool valid() const { return fd_ >= 0; }
    // Waits up to `timeout_ms` (-1: for ever) for a stop signal or for `other` (-1: none) to be
    // readable: true when a stop signal came.
    bool wait(int other, int timeout_ms) const
    {
        pollfd fds[2] {{fd_, POLLIN, 0}, {other, POLLIN, 0}};
        int ready = ::poll(fds, other >= 0 ? 2 : 1, timeout_ms);
        return ready > 0 && (fds[0].revents & POLLIN);
    }
    // The children the report script runs get the signals back as they were.
    void unblock_in_child() const { ::sigprocmask(SIG_UNBLOCK, &set_, nullptr); }

private:
    sigset_t set_ {};
    int fd_ = -1;
};

class NetifdSession {
public:
    NetifdSession(const Invocation& invocation, std::ostream& errors, const StopSignals& stop)
        : invocation_(invocation), errors_(errors), stop_(stop), interface_(invocation.operands.at(0)),
          modem_(invocation.operands.at(1))
    {
    }

    int run()
    {
        int status = follow();
        // netifd sets the interface up again the moment its task ends: a session that never got
        // the modem online (uplinkd refused it, or went away) waits first, so that a modem that
        // cannot connect is not asked forty times a second.
        if (status != 0 && !reported_) {
            errors_ << fmt::format("modem {}: trying again in {} s\n", modem_, failed_setup_pause_ms / 1000);
            stop_.wait(-1, failed_setup_pause_ms);
        }
        return status;
    }

private:
    int follow()
    {
        auto events = open_when_there();
        if (!events)
            return 0; // stopped while waiting
        auto control = open_when_there();
        if (!control)
            return 0;
        // Subscribed before the connect request, so that no change after it is missed.
        Session event_session {invocation_, errors_, errors_, *events};
        if (!request(event_session, "GET", "/v1/events"))
            return 1;
        if (auto checked = check(*control))
            return *checked;
        for (;;) {
            if (!events->has_line() && stop_.wait(events->native_handle(), -1))
                return stop(*control);
            auto line = events->read_line(reply_timeout);
            if (!line) {
                errors_ << (line.error() == boost::system::errc::connection_aborted
                        ? std::string("uplinkd closed the event stream (it stopped or restarted): the link is lost\n")
                        : read_failure(invocation_, line.error()) + '\n');
                return 1;
            }
            if (concerns_this_modem(*line))
                if (auto checked = check(*control))
                    return *checked;
        }
    }

    std::optional<Connection> open_when_there()
    {
        bool said = false;
        for (;;) {
            auto connection = Connection::open(invocation_.socket_path);
            if (connection)
                return std::move(*connection);
            if (connection.error() != boost::system::errc::no_such_file_or_directory
                && connection.error() != boost::system::errc::connection_refused) {
                errors_ << connect_failure(invocation_.socket_path, connection.error()) << '\n';
                return std::nullopt;
            }
            if (!std::exchange(said, true))
                errors_ << connect_failure(invocation_.socket_path, connection.error()) << ": waiting for it\n";
            if (stop_.wait(-1, socket_retry_ms))
                return std::nullopt;
        }
    }

    // An event of this modem that can change its connection, or any modem's arrival while this
    // one is not known yet.
    bool concerns_this_modem(const std::string& line) const
    {
        json::error_code error;
        auto parsed = json::parse(line, error);
        const auto* event = !error && parsed.is_object() ? parsed.as_object().if_contains("event") : nullptr;
        if (!event || !event->is_object())
            return false;
        auto kind = string_of(event->as_object(), "kind");
        if (kind == "added")
            return !id_;
        return (kind == "connection-changed" || kind == "removed")
            && id_ && string_of(event->as_object(), "modem_id") == *id_;
    }

    // Where the modem is now: asks for its connection once it is there, reports it when it is up
    // or changed; the exit status when the session ends, else nullopt.
    std::optional<int> check(Connection& connection)
    {
        std::ostringstream refusal; // what uplinkd said no with, told once and only when it matters
        Session session {invocation_, refusal, refusal, connection};
        if (!id_)
            id_ = resolve_modem(session, modem_);
        auto path = id_ ? "/v1/modems/" + path_segment(*id_) : std::string();
        if (id_ && !asked_) {
            asked_ = request(session, "POST", path + "/connect").has_value();
            if (asked_)
                errors_ << fmt::format("modem {} ({}): connecting\n", modem_, *id_);
        }
        auto modem = asked_ ? request(session, "GET", path) : std::nullopt;
        if (!modem) {
            if (reported_) {
                errors_ << fmt::format("modem {}: gone: {}", modem_, refusal.str());
                return 1;
            }
            // Not plugged in yet, or gone between two requests: wait for it from the start.
            if (!std::exchange(said_absent_, true))
                errors_ << fmt::format("modem {}: waiting for it: {}", modem_, refusal.str());
            id_.reset();
            asked_ = false;
            return std::nullopt;
        }
        const auto* state = modem->is_object() ? modem->as_object().if_contains("connection") : nullptr;
        std::string why;
        auto report = state ? netifd_report(interface_, *state, why) : std::nullopt;
        if (!report) {
            if (reported_) {
                errors_ << fmt::format("modem {}: the connection dropped{}\n", modem_, why.empty() ? "" : ": " + why);
                return 1;
            }
            if (!why.empty())
                errors_ << fmt::format("modem {}: {}\n", modem_, why);
            return std::nullopt;
        }
        if (reported_ && *report == *reported_)
            return std::nullopt;
        if (!send(*report))
            return 1;
        reported_ = std::move(report);
        return std::nullopt;
    }

    bool send(const NetifdReport& report)
    {
        std::vector<std::string> environment;
        for (char** variable = environ; *variable; ++variable)
            environment.emplace_back(*variable);
        environment.insert(environment.end(), report.environment.begin(), report.environment.end());
        std::vector<char*> envp;
        for (auto& variable : environment)
            envp.push_back(variable.data());
        envp.push_back(nullptr);
        char* argv[] {const_cast<char*>(netifd_report_script), nullptr};
        pid_t child = ::fork();
        if (child == 0) {
            stop_.unblock_in_child();
            ::execve(netifd_report_script, argv, envp.data());
            ::_exit(127);
        }
        int status = 0;
        if (child < 0 || ::waitpid(child, &status, 0) < 0) {
            errors_ << fmt::format("cannot run {}: {}\n", netifd_report_script, std::strerror(errno));
            return false;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            errors_ << fmt::format("{} failed (status {}): netifd has not taken the connection\n",
                netifd_report_script, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            return false;
        }
        return true;
    }

    int stop(Connection& connection)
    {
        if (!id_ || !asked_)
            return 0;
        std::ostringstream refusal;
        Session session {invocation_, refusal, refusal, connection};
        if (!request(session, "POST", "/v1/modems/" + path_segment(*id_) + "/disconnect")) {
            errors_ << fmt::format("modem {}: could not disconnect it: {}", modem_, refusal.str());
            return 1;
        }
        errors_ << fmt::format("modem {}: disconnected\n", modem_);
        return 0;
    }

    const Invocation& invocation_;
    std::ostream& errors_;
    const StopSignals& stop_;
    std::string interface_, modem_;
    std::optional<std::string> id_;           // the modem's USB path, once it is there
    bool asked_ = false;                      // the connect request was taken
    bool said_absent_ = false;
    std::optional<NetifdReport> reported_;    // what netifd was last given
};

} // namespace

std::optional<NetifdReport> netifd_report(
    const std::string& interface, const json::value& connection, std::string& why)
{
    const auto* object = connection.if_object();
    if (!object || string_of(*object, "state") != "connected")
        return std::nullopt;
    auto device = string_of(*object, "interface");
    if (!is_interface_name(device)) {
        why = "its connection has no network interface netifd could configure";
        return std::nullopt;
    }
    NetifdReport report;
    report.environment = {"INTERFACE=" + interface, "IFNAME=" + device};
    std::vector<std::string> dns;
    if (!add_family(report, dns, object->if_contains("ipv4"), AF_INET, "IPV4", why)
        || !add_family(report, dns, object->if_contains("ipv6"), AF_INET6, "IPV6", why))
        return std::nullopt;
    if (report.environment.size() == 2) {
        why = "connected with no address";
        return std::nullopt;
    }
    if (!dns.empty())
        report.environment.push_back(fmt::format("DNS={}", fmt::join(dns, " ")));
    if (const auto* mtu = object->if_contains("mtu"); mtu && mtu->is_int64())
        report.environment.push_back(fmt::format("MTU={}", mtu->as_int64()));
    return report;
}

int run_netifd_session(const Invocation& invocation, std::ostream& errors)
{
    StopSignals stop;
    if (!stop.valid()) {
        errors << "cannot watch for signals: " << std::strerror(errno) << '\n';
        return 1;
    }
    return NetifdSession(invocation, errors, stop).run();
}

} // namespace uplink::cli
