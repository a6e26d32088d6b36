#include "harness.hpp"

#include "support/sanitizer_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace uplink::testing {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

int milliseconds_until(Deadline deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Waits for a child's exit through a pidfd, so there is no polling loop.
bool wait_exit(pid_t pid, int& status, Deadline deadline)
{
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
        pollfd descriptor{pidfd, POLLIN, 0};
        ::poll(&descriptor, 1, milliseconds_until(deadline));
        ::close(pidfd);
    }
    return ::waitpid(pid, &status, WNOHANG) == pid;
}

// Ours by name (uplinkd, not the `ip netns exec` that launches it), for failure messages.
std::string program_name(const std::vector<std::string>& arguments)
{
    for (const auto& argument : arguments)
        if (fs::path(argument).parent_path() == fs::path(UPLINK_BIN_DIR))
            return fs::path(argument).filename().string();
    return arguments.empty() ? std::string() : arguments.front();
}

} // namespace

fs::path binary_path(const std::string& name) { return fs::path(UPLINK_BIN_DIR) / name; }
fs::path scenario_path(const std::string& name) { return fs::path(UPLINK_SOURCE_DIR) / "scenarios" / name; }

fs::path openwrt_prefix()
{
    const char* given = std::getenv("UPLINK_OPENWRT_PREFIX");
    return given && *given ? fs::path(given) : fs::path("/usr/local/lib/uplink-test/openwrt");
}

json::value read_json_file(const fs::path& path) { return json::parse(read_file(path)); }

// ---------------------------------------------------------------- Process
Process::Process(std::vector<std::string> arguments, fs::path stdout_path, fs::path stderr_path)
    : name_(program_name(arguments))
    , stdout_path_(std::move(stdout_path)), stderr_path_(std::move(stderr_path))
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<char*> argv;
    for (auto& argument : arguments)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    // posix_spawnp: a launcher such as `ip netns exec` is found on PATH.
    int result = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (result != 0) {
        pid_ = -1;
        ADD_FAILURE() << "cannot start " << arguments[0] << ": " << std::strerror(result);
    }
    started_ = pid_;
}

Process::~Process()
{
    stop();
    // Also for a process that exited by itself (wait()): its report counts as much.
    if (auto report = sanitizer_report(errors()); !report.empty())
        ADD_FAILURE() << name_ << " (pid " << started_ << ") reported, in " << stderr_path_.string()
                      << ":\n" << report;
}

bool Process::running()
{
    if (pid_ < 0)
        return false;
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

std::optional<int> Process::wait(Deadline deadline)
{
    if (pid_ >= 0 && wait_exit(pid_, status_, deadline))
        pid_ = -1;
    if (pid_ >= 0)
        return std::nullopt;
    return status_;
}

int Process::stop()
{
    if (pid_ < 0)
        return status_;
    ::kill(pid_, SIGTERM);
    // The deadline is generous: under the sanitizers the exit runs LeakSanitizer's scan.
    if (!wait_exit(pid_, status_, deadline_in(10s))) {
        ADD_FAILURE() << name_ << " (pid " << pid_ << ") ignored SIGTERM for 10 s";
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
    } else if (!WIFEXITED(status_) || WEXITSTATUS(status_) != 0) {
        // Our programs exit 0 on SIGTERM; anything else is a crash, a sanitizer's exit code or
        // a failed shutdown.
        auto log = errors();
        ADD_FAILURE() << name_ << " (pid " << pid_ << ") did not exit cleanly on SIGTERM: "
                      << (WIFEXITED(status_) ? "exit status " + std::to_string(WEXITSTATUS(status_))
                                             : "signal " + std::to_string(WTERMSIG(status_)))
                      << "\n--- " << stderr_path_.string() << " (tail) ---\n"
                      << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
    }
    pid_ = -1;
    return status_;
}

std::string Process::output() const { return read_file(stdout_path_); }
std::string Process::errors() const { return read_file(stderr_path_); }

// ---------------------------------------------------------------- JsonLineClient
JsonLineClient::JsonLineClient(const fs::path& socket_path)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

JsonLineClient::~JsonLineClient()
{
    if (fd_ >= 0)
        ::close(fd_);
}

void JsonLineClient::send(const json::value& message)
{
    auto line = json::serialize(message) + "\n";
    std::size_t written = 0;
    while (fd_ >= 0 && written < line.size()) {
        auto n = ::send(fd_, line.data() + written, line.size() - written, MSG_NOSIGNAL);
        if (n <= 0) {
            ADD_FAILURE() << "send failed: " << std::strerror(errno);
            return;
        }
        written += static_cast<std::size_t>(n);
    }
}

std::optional<json::value> JsonLineClient::receive(Deadline deadline)
{
    while (fd_ >= 0) {
        if (auto end = buffer_.find('\n'); end != std::string::npos) {
            auto line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            boost::system::error_code error;
            auto value = json::parse(line, error);
            if (error) {
                ADD_FAILURE() << "not JSON: " << line;
                return std::nullopt;
            }
            return value;
        }
        pollfd descriptor{fd_, POLLIN, 0};
        if (::poll(&descriptor, 1, milliseconds_until(deadline)) <= 0)
            return std::nullopt;
        char chunk[4096];
        auto n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n <= 0)
            return std::nullopt;
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    return std::nullopt;
}

json::value JsonLineClient::call(const json::value& message, Deadline deadline)
{
    send(message);
    auto reply = receive(deadline);
    if (!reply) {
        ADD_FAILURE() << "no reply to " << json::serialize(message);
        return nullptr;
    }
    return *reply;
}

// ---------------------------------------------------------------- Emulator
Emulator::Emulator(fs::path directory, fs::path scenario, std::vector<std::string> more_arguments)
    : directory_(std::move(directory)), scenario_(read_json_file(scenario))
{
    fs::create_directories(directory_);
    auto out = directory_ / "sim.out";
    std::vector<std::string> arguments{
        binary_path("uplink-sim"), "--scenario", scenario.string(), "--root", root().string()};
    arguments.insert(arguments.end(), more_arguments.begin(), more_arguments.end());
    const char* capture_directory = std::getenv("UPLINK_QMI_CAPTURE_DIR");
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    if (capture_directory && *capture_directory && test
        && std::ranges::find(more_arguments, "--qmi-capture") == more_arguments.end()) {
        // One file per test, appended to by each emulator the test starts.
        auto name = std::string(test->test_suite_name()) + "." + test->name();
        std::replace(name.begin(), name.end(), '/', '_');
        auto capture = fs::path(capture_directory) / (name + ".capture");
        arguments.insert(arguments.end(), {"--qmi-capture", capture.string()});
    }
    process_ = std::make_unique<Process>(std::move(arguments), out, directory_ / "sim.log");
    // uplink-sim prints its ready line once the tree and the control socket exist.
    auto deadline = deadline_in(10s);
    while (process_->output().find("uplink-sim ready") == std::string::npos) {
        if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "uplink-sim did not become ready:\n" << process_->errors();
            return;
        }
        ::poll(nullptr, 0, 10);
    }
    control_ = std::make_unique<JsonLineClient>(root() / "control.sock");
    EXPECT_TRUE(control_->connected()) << "cannot connect to the emulator's control socket";
}

json::object Emulator::control(json::object request)
{
    if (!control_)
        return {};
    auto reply = control_->call(request, deadline_in(10s));
    if (!reply.is_object() || !reply.as_object().contains("ok") || !reply.at("ok").as_bool())
        ADD_FAILURE() << "emulator refused " << json::serialize(request) << ": " << json::serialize(reply);
    return reply.is_object() ? reply.as_object() : json::object{};
}

// ---------------------------------------------------------------- Daemon
Daemon::Daemon(fs::path directory, const Emulator& emulator, Settings settings)
    : directory_(std::move(directory))
    , launcher_(settings.launcher)
{
    fs::create_directories(this->config().parent_path());
    std::ofstream config(this->config());
    config << "config uplink 'main'\n"
           << "\toption log_level 'debug'\n"
           << "\toption sysfs_root '" << (emulator.root() / "sys").string() << "'\n"
           << "\toption dev_root '" << (emulator.root() / "dev").string() << "'\n"
           << "\toption state_dir '" << (directory_ / "state").string() << "'\n"
           << "\toption socket '" << socket().string() << "'\n"
           << "\toption resolv_file '" << resolv_file().string() << "'\n"
           << "\toption poll_interval '" << settings.poll_interval_s << "'\n"
           << "\toption at_timeout '" << settings.at_timeout_s << "'\n"
           << settings.main_options;
    config << "\nconfig profile 'default'\n";
    if (!settings.pin.empty())
        config << "\toption pin '" << settings.pin << "'\n";
    config << settings.connection;
    if (!settings.extra_config.empty())
        config << "\n" << settings.extra_config;
    // The web server is on by default, on ports 443 and 80: only the tests of it turn it on, on
    // ports of their own.
    if (settings.extra_config.find("config web") == std::string::npos)
        config << "\nconfig web\n\toption enabled '0'\n";
    config.close();
    start();
}

void Daemon::start()
{
    auto arguments = launcher_;
    for (auto argument : {binary_path("uplinkd").string(), std::string("--config"), config().string()})
        arguments.push_back(argument);
    process_ = std::make_unique<Process>(std::move(arguments), directory_ / "uplinkd.out", directory_ / "uplinkd.log");
    // Ready once the API socket accepts a connection (it is created before it listens, so retry).
    auto deadline = deadline_in(10s);
    for (;;) {
        api_ = std::make_unique<JsonLineClient>(socket());
        if (api_->connected())
            return;
        if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "uplinkd did not start:\n" << process_->errors();
            return;
        }
        ::poll(nullptr, 0, 10);
    }
}

int Daemon::stop()
{
    api_.reset();
    return process_ ? process_->stop() : -1;
}

json::object Daemon::request(std::string method, std::string path, json::value body)
{
    json::object message{{"method", method}, {"path", path}};
    if (!body.is_null())
        message["body"] = std::move(body);
    auto reply = api_ ? api_->call(message, deadline_in(10s)) : json::value{};
    return reply.is_object() ? reply.as_object() : json::object{};
}

json::value Daemon::get(const std::string& path)
{
    auto reply = request("GET", path);
    if (!reply.contains("status") || reply.at("status").as_int64() != 200) {
        ADD_FAILURE() << "GET " << path << ": " << json::serialize(reply);
        return nullptr;
    }
    return reply.at("body");
}

std::optional<json::value> Daemon::find_modem(const std::string& id)
{
    auto reply = request("GET", "/v1/modems/" + id);
    if (reply.contains("status") && reply.at("status").as_int64() == 200)
        return reply.at("body");
    return std::nullopt;
}

void Daemon::wait_for(const std::string& what, const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout)
{
    // Subscribe first, then check: an event between the check and the wait is not lost.
    JsonLineClient events(socket());
    events.send(json::object{{"method", "GET"}, {"path", "/v1/events"}});
    auto deadline = deadline_in(timeout);
    while (!condition()) {
        if (!events.receive(deadline)) {
            if (condition())
                return;
            ADD_FAILURE() << "timed out after " << timeout.count() << " ms waiting for " << what
                          << "\n--- uplinkd log (tail) ---\n"
                          << process_->errors().substr(process_->errors().size() > 6000 ? process_->errors().size() - 6000 : 0);
            return;
        }
    }
}

json::value Daemon::wait_for_modem(const std::string& id, const std::string& what,
                                   const std::function<bool(const json::value&)>& predicate,
                                   std::chrono::milliseconds timeout)
{
    json::value last = nullptr;
    wait_for(
        what,
        [&] {
            auto modem = find_modem(id);
            if (!modem)
                return false;
            last = *modem;
            return predicate(last);
        },
        timeout);
    return last;
}

void Daemon::wait_for_absence(const std::string& id, std::chrono::milliseconds timeout)
{
    wait_for("modem " + id + " to leave", [&] { return !find_modem(id).has_value(); }, timeout);
}

// ---------------------------------------------------------------- helpers
TemporaryDirectory::TemporaryDirectory()
{
    std::string pattern = (fs::temp_directory_path() / "uplink-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
}

TemporaryDirectory::~TemporaryDirectory()
{
    std::error_code ignored;
    if (!::testing::Test::HasFailure())
        fs::remove_all(path_, ignored);
    else
        std::fprintf(stderr, "kept %s for inspection\n", path_.c_str());
}

CommandResult run_command(std::vector<std::string> arguments, std::chrono::milliseconds timeout)
{
    TemporaryDirectory directory;
    CommandResult result;
    {
        Process process(arguments, directory.path() / "out", directory.path() / "err");
        if (auto status = process.wait(deadline_in(timeout))) {
            result.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
            result.out = process.output();
            result.err = process.errors();
            return result;
        }
        ADD_FAILURE() << arguments[0] << " did not finish in " << timeout.count() << " ms";
    }
    return result;
}

std::uint16_t free_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t size = sizeof(address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string text(const json::value& value, std::string_view key)
{
    const auto* field = value.is_object() ? value.as_object().if_contains(key) : nullptr;
    return field && field->is_string() ? std::string(field->as_string()) : std::string();
}


} // namespace uplink::testing
