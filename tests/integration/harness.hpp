// The integration harness: runs the real `uplink-sim` and `uplinkd` binaries in a private
// directory and talks to them over their sockets, as a user's tools would.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace uplink::testing {

using namespace std::chrono_literals;
using Deadline = std::chrono::steady_clock::time_point;
inline Deadline deadline_in(std::chrono::milliseconds duration)
{
    return std::chrono::steady_clock::now() + duration;
}

std::filesystem::path binary_path(const std::string& name);    // build/<preset>/bin/<name>
std::filesystem::path scenario_path(const std::string& name);  // scenarios/<name>
// OpenWrt's userspace as scripts/openwrt-userspace builds it (scripts/deps runs it):
// $UPLINK_OPENWRT_PREFIX, else /usr/local/lib/uplink-test/openwrt.
std::filesystem::path openwrt_prefix();
boost::json::value read_json_file(const std::filesystem::path& path);

// A child process with its output in files; stopped when destroyed. A sanitizer's report in its
// stderr fails the test, however the process ended.
class Process {
public:
    Process(std::vector<std::string> arguments, std::filesystem::path stdout_path,
            std::filesystem::path stderr_path);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    bool running();
    std::optional<int> wait(Deadline deadline);  // the exit status, if it exited before the deadline
    // SIGTERM, wait up to 10 s, then SIGKILL; the exit status. Fails the test unless the process
    // exits 0 (a process that already exited, seen by wait(), is not checked again).
    int stop();
    pid_t pid() const { return pid_; }
    std::string output() const;              // stdout so far
    std::string errors() const;              // stderr so far

private:
    std::string name_;
    pid_t pid_ = -1;
    pid_t started_ = -1;
    int status_ = -1;
    std::filesystem::path stdout_path_, stderr_path_;
};

// One JSON-lines connection to a unix socket (the emulator's control socket or uplinkd's API).
class JsonLineClient {
public:
    explicit JsonLineClient(const std::filesystem::path& socket_path);
    ~JsonLineClient();
    JsonLineClient(const JsonLineClient&) = delete;
    JsonLineClient& operator=(const JsonLineClient&) = delete;

    bool connected() const { return fd_ >= 0; }
    void send(const boost::json::value& message);
    // The next line as JSON, or nothing if none came before the deadline (or the peer closed).
    std::optional<boost::json::value> receive(Deadline deadline);
    boost::json::value call(const boost::json::value& message, Deadline deadline);

private:
    int fd_ = -1;
    std::string buffer_;
};

// uplink-sim with a scenario, in its own root directory.
class Emulator {
public:
    // `more_arguments` go to uplink-sim's command line as they are ({"--qmi-capture", path}).
    // With UPLINK_QMI_CAPTURE_DIR set, every test's QMI dialogue goes to <dir>/<Suite.Test>.capture
    // for tests/oracle/qmi_oracle to read.
    Emulator(std::filesystem::path directory, std::filesystem::path scenario,
             std::vector<std::string> more_arguments = {});
    // A control request; fails the test if the emulator says ok:false.
    boost::json::object control(boost::json::object request);
    std::filesystem::path root() const { return directory_ / "root"; }
    const boost::json::value& scenario() const { return scenario_; }
    Process& process() { return *process_; }

private:
    std::filesystem::path directory_;
    boost::json::value scenario_;
    std::unique_ptr<Process> process_;
    std::unique_ptr<JsonLineClient> control_;
};

// uplinkd with a config written for the emulator's tree.
class Daemon {
public:
    struct Settings {
        std::string pin;                     // the default profile's PIN, "" = none
        int poll_interval_s = 1;
        int at_timeout_s = 1;
        std::string connection {};           // more options of `config profile 'default'`
        std::vector<std::string> launcher {}; // run uplinkd through it: {"ip", "netns", "exec", "router"}
        std::string extra_config {};         // appended to the config as is: more sections
        std::string main_options {};         // more options of `config uplink 'main'`
    };
    Daemon(std::filesystem::path directory, const Emulator& emulator, Settings settings);
    void start();
    int stop();
    void restart() { stop(); start(); }

    // A request to the API; the whole reply object ({"status":...,"body":...}).
    boost::json::object request(std::string method, std::string path, boost::json::value body = nullptr);
    boost::json::value get(const std::string& path);       // body of a 200, else fails the test

    // Waits until predicate(modem snapshot) holds, re-checking on every API event.
    // Returns the last snapshot seen; fails the test with `what` at the deadline.
    boost::json::value wait_for_modem(const std::string& id, const std::string& what,
                                      const std::function<bool(const boost::json::value&)>& predicate,
                                      std::chrono::milliseconds timeout = 15s);
    // Waits until the modem is absent from /v1/modems.
    void wait_for_absence(const std::string& id, std::chrono::milliseconds timeout = 15s);

    std::filesystem::path socket() const { return directory_ / "uplink.sock"; }
    // In a folder of its own named as on OpenWrt, so that `uci -c <folder>` reads it as `uplink`.
    std::filesystem::path config() const { return directory_ / "config" / "uplink"; }
    // Where it writes the WANs' DNS servers in use (docs/failover.md "DNS"), not /run/uplink.
    std::filesystem::path resolv_file() const { return directory_ / "resolv.conf"; }
    Process& process() { return *process_; }

private:
    std::optional<boost::json::value> find_modem(const std::string& id);
    void wait_for(const std::string& what, const std::function<bool()>& condition,
                  std::chrono::milliseconds timeout);

    std::filesystem::path directory_;
    std::vector<std::string> launcher_;
    std::unique_ptr<Process> process_;
    std::unique_ptr<JsonLineClient> api_;
};

// A fresh directory under the system's temp dir, removed when the test ends.
class TemporaryDirectory {
public:
    TemporaryDirectory();
    ~TemporaryDirectory();
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// A string field of a JSON object; "" when it is absent or not a string.
std::string text(const boost::json::value& value, std::string_view key);

// Runs a program to completion; its stdout, stderr and exit code.
struct CommandResult {
    int exit_code = -1;
    std::string out, err;
};
CommandResult run_command(std::vector<std::string> arguments, std::chrono::milliseconds timeout = 30s);

// A port free now on 127.0.0.1 (the kernel's choice), for uplinkd to bind a moment later.
std::uint16_t free_port();

} // namespace uplink::testing
