// The real uplink-sim binary as a test peer: the process, its AT ports, its control socket,
// temporary directories, reads bounded by a deadline, and client programs run to completion.
// Shared by the emulator-tier tests.
#pragma once

#include "support/eventually.hpp"
#include "support/sanitizer_report.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace uplink::sim::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline int remaining_ms(Clock::time_point deadline)
{
    auto left
        = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Reads what `fd` has until `done(bytes)` or the deadline; false on EOF, error or timeout.
inline bool read_until(int fd, std::string& bytes, Clock::time_point deadline,
    const std::function<bool(const std::string&)>& done)
{
    while (!done(bytes)) {
        pollfd entry {fd, POLLIN, 0};
        if (::poll(&entry, 1, remaining_ms(deadline)) <= 0)
            return false;
        char buffer[4096];
        auto count = ::read(fd, buffer, sizeof buffer);
        if (count <= 0)
            return false;
        bytes.append(buffer, static_cast<std::size_t>(count));
    }
    return true;
}

inline std::string slurp(const fs::path& path)
{
    std::ifstream file(path);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class TemporaryDirectory {
public:
    TemporaryDirectory()
    {
        char pattern[] = "/tmp/uplink-sim-test.XXXXXX";
        path_ = ::mkdtemp(pattern);
    }
    ~TemporaryDirectory()
    {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// uplink-sim as a child process: stdout through a pipe, stderr to a file. Destroyed while it
// runs, it gets SIGTERM and must exit 0; a sanitizer's report in its log fails the test, however
// it ended.
class Simulator {
public:
    Simulator(const fs::path& scenario, const fs::path& root, const fs::path& log,
        std::vector<std::string> more_arguments = {})
        : log_(log)
    {
        int pipe_fds[2];
        EXPECT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(
            &actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        std::vector<std::string> arguments {
            UPLINK_SIM_BINARY, "--scenario", scenario.string(), "--root", root.string()};
        arguments.insert(arguments.end(), more_arguments.begin(), more_arguments.end());
        std::vector<char*> argv;
        for (auto& argument : arguments)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        EXPECT_EQ(
            ::posix_spawn(&pid_, UPLINK_SIM_BINARY, &actions, nullptr, argv.data(), environ), 0);
        posix_spawn_file_actions_destroy(&actions);
        ::close(pipe_fds[1]);
        stdout_ = pipe_fds[0];
    }

    ~Simulator()
    {
        if (pid_ > 0) {
            // Generous: under the sanitizers the exit runs LeakSanitizer's scan.
            auto status = terminate(Clock::now() + 10s);
            if (pid_ > 0) {
                ADD_FAILURE() << "uplink-sim ignored SIGTERM for 10 s";
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, nullptr, 0);
            } else {
                EXPECT_EQ(status, 0) << "uplink-sim did not exit cleanly on SIGTERM:\n"
                                     << slurp(log_);
            }
        }
        ::close(stdout_);
        if (auto report = uplink::testing::sanitizer_report(slurp(log_)); !report.empty())
            ADD_FAILURE() << "uplink-sim reported, in " << log_.string() << ":\n" << report;
    }

    std::string ready_line(Clock::time_point deadline)
    {
        read_until(stdout_, output_, deadline,
            [](const std::string& bytes) { return bytes.find('\n') != std::string::npos; });
        return output_.substr(0, output_.find('\n'));
    }

    // SIGTERM, then the exit status once stdout closes (the process is gone).
    std::optional<int> terminate(Clock::time_point deadline)
    {
        ::kill(pid_, SIGTERM);
        if (read_until(stdout_, output_, deadline, [](const std::string&) { return false; })
            || Clock::now() >= deadline)
            return std::nullopt;
        int status = 0;
        ::waitpid(std::exchange(pid_, -1), &status, 0);
        return WIFEXITED(status) ? std::optional<int>(WEXITSTATUS(status)) : std::nullopt;
    }

    std::optional<int> wait_exit(Clock::time_point deadline)
    {
        if (read_until(stdout_, output_, deadline, [](const std::string&) { return false; })
            || Clock::now() >= deadline)
            return std::nullopt;
        int status = 0;
        ::waitpid(std::exchange(pid_, -1), &status, 0);
        return WIFEXITED(status) ? std::optional<int>(WEXITSTATUS(status)) : std::nullopt;
    }

private:
    fs::path log_;
    pid_t pid_ = -1;
    int stdout_ = -1;
    std::string output_;
};

// One AT port, opened like a client opens /dev/ttyUSB2.
class AtPort {
public:
    explicit AtPort(const fs::path& device)
        : fd_(::open(device.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC))
    {
    }
    ~AtPort()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int fd() const { return fd_; }

    // Everything read up to the command's final result code (URCs included).
    std::string command(const std::string& line, Clock::time_point deadline)
    {
        auto text = line + "\r";
        EXPECT_EQ(::write(fd_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        std::string bytes;
        read_until(fd_, bytes, deadline, [](const std::string& seen) {
            for (auto final : {"\r\nOK\r\n", "\r\nERROR\r\n"})
                if (seen.find(final) != std::string::npos)
                    return true;
            auto error = seen.find("+CME ERROR:");
            return error != std::string::npos && seen.find("\r\n", error) != std::string::npos;
        });
        return bytes;
    }

    // Repeats `line` until its reply contains `expected` (the modem boots, the SIM initializes).
    std::string until(
        const std::string& line, const std::string& expected, Clock::time_point deadline)
    {
        std::string reply;
        while (Clock::now() < deadline) {
            reply = command(line, std::min(deadline, Clock::now() + 300ms));
            if (reply.find(expected) != std::string::npos)
                return reply;
        }
        return reply;
    }

private:
    int fd_;
};

// The control socket: one JSON line out, one back.
class Control {
public:
    explicit Control(const fs::path& path)
        : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
        EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << path;
    }
    ~Control() { ::close(fd_); }

    std::string call(const std::string& request)
    {
        auto line = request + "\n";
        EXPECT_EQ(
            ::send(fd_, line.data(), line.size(), MSG_NOSIGNAL), static_cast<ssize_t>(line.size()));
        read_until(fd_, buffer_, Clock::now() + 5s,
            [](const std::string& bytes) { return bytes.find('\n') != std::string::npos; });
        auto end = buffer_.find('\n');
        auto reply = buffer_.substr(0, end);
        buffer_.erase(0, end == std::string::npos ? buffer_.size() : end + 1);
        return reply;
    }

private:
    int fd_;
    std::string buffer_;
};

struct Outcome {
    std::optional<int> status; // none: killed at the deadline, or not started
    std::string out, err;
};

inline std::string describe(const Outcome& run)
{
    return "status " + (run.status ? std::to_string(*run.status) : std::string("none"))
        + "\nstdout:\n" + run.out + "\nstderr:\n" + run.err;
}

// A program with stdout and stderr in pipes, killed if it outlives the deadline. Run as
// `env NAME=value program ...` to give it a variable.
inline Outcome run_program(const std::vector<std::string>& arguments, Clock::time_point deadline)
{
    Outcome result;
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        return result;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    std::vector<std::string> copies = arguments;
    std::vector<char*> argv;
    for (auto& argument : copies)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    if (spawned == 0) {
        // Both pipes to EOF (the program exited) or the deadline.
        std::vector<pollfd> open {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
        while (!open.empty() && ::poll(open.data(), open.size(), remaining_ms(deadline)) > 0) {
            for (std::size_t index = open.size(); index-- > 0;) {
                if (open[index].revents == 0)
                    continue;
                char buffer[4096];
                auto count = ::read(open[index].fd, buffer, sizeof buffer);
                if (count > 0)
                    (open[index].fd == out[0] ? result.out : result.err)
                        .append(buffer, static_cast<std::size_t>(count));
                else
                    open.erase(open.begin() + static_cast<std::ptrdiff_t>(index));
            }
        }
        if (!open.empty())
            ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (open.empty() && WIFEXITED(status))
            result.status = WEXITSTATUS(status);
    }
    ::close(out[0]);
    ::close(err[0]);
    return result;
}

inline std::optional<fs::path> find_program(const std::string& name)
{
    const char* path = std::getenv("PATH");
    std::string directories = path ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= directories.size();) {
        auto end = directories.find(':', start);
        auto candidate = fs::path(directories.substr(start, end - start)) / name;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return std::nullopt;
}

using uplink::testing::eventually;

inline bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace uplink::sim::testing
