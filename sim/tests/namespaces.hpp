// Network namespaces for the data plane's netns test and benchmark (DESIGN.md "Test tiers").
// Tests may run `ip`; the emulator's own code may not. Every wait here has a deadline, and a
// namespace is deleted by its guard however the test ends.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <poll.h>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <csignal>
#include <spawn.h>
#include <sys/wait.h>
#include <vector>
#include <thread>
#include <unistd.h>
#include <utility>

namespace uplink::sim::testing {

struct CommandOutput {
    int status = -1; // the exit status; -1 when it did not run or did not exit
    std::string output; // stdout and stderr
};


inline bool wait_readable(int descriptor, std::chrono::steady_clock::time_point deadline)
{
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd entry {descriptor, POLLIN, 0};
        int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
        if (ready > 0)
            return true;
        if (ready < 0 && errno != EINTR)
            return false;
    }
}

// Runs a program, its arguments split on spaces (no shell: nothing is interpreted), with its
// stdout and stderr captured; killed after 20 seconds.
inline CommandOutput run_command(const std::string& command)
{
    CommandOutput result;
    std::vector<std::string> words;
    for (std::size_t at = 0; at < command.size();) {
        auto end = command.find(' ', at);
        if (end == std::string::npos)
            end = command.size();
        if (end > at)
            words.push_back(command.substr(at, end - at));
        at = end + 1;
    }
    if (words.empty())
        return result;
    std::vector<char*> argv;
    for (auto& word : words)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    int output[2];
    if (::pipe2(output, O_CLOEXEC) != 0)
        return result;
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, output[1], 1);
    ::posix_spawn_file_actions_adddup2(&actions, output[1], 2);
    pid_t pid = -1;
    int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(output[1]);
    if (spawned != 0) {
        ::close(output[0]);
        return result;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    char chunk[512];
    while (wait_readable(output[0], deadline)) {
        auto size = ::read(output[0], chunk, sizeof chunk);
        if (size <= 0)
            break;
        result.output.append(chunk, static_cast<std::size_t>(size));
    }
    ::close(output[0]);
    if (std::chrono::steady_clock::now() >= deadline)
        ::kill(pid, SIGKILL);
    int status = 0;
    if (::waitpid(pid, &status, 0) == pid && WIFEXITED(status))
        result.status = WEXITSTATUS(status);
    return result;
}

// Empty when namespaces can be made here, else why not.
inline std::string namespaces_unavailable()
{
    // capability.h: CAP_NET_ADMIN (12) for links and addresses, CAP_SYS_ADMIN (21) for setns().
    std::ifstream status("/proc/self/status");
    std::uint64_t capabilities = 0;
    for (std::string line; std::getline(status, line);)
        if (line.rfind("CapEff:", 0) == 0)
            capabilities = std::stoull(line.substr(7), nullptr, 16);
    if (!(capabilities & (std::uint64_t {1} << 12)))
        return "needs CAP_NET_ADMIN (run as root)";
    if (!(capabilities & (std::uint64_t {1} << 21)))
        return "needs CAP_SYS_ADMIN for setns()";
    if (::access("/dev/net/tun", R_OK | W_OK) != 0)
        return "needs /dev/net/tun";
    if (run_command("ip -V").status != 0)
        return "needs `ip` (iproute2)";
    return {};
}

// `ip netns add` on construction, `ip netns delete` on destruction.
class NetworkNamespace {
public:
    explicit NetworkNamespace(std::string name)
        : name_(std::move(name))
    {
        run_command("ip netns delete " + name_); // a leftover of a crashed run with this pid
        auto added = run_command("ip netns add " + name_);
        if (added.status != 0)
            throw std::runtime_error("ip netns add " + name_ + ": " + added.output);
        run_command("ip -n " + name_ + " link set lo up");
    }
    NetworkNamespace(const NetworkNamespace&) = delete;
    NetworkNamespace& operator=(const NetworkNamespace&) = delete;
    ~NetworkNamespace() { run_command("ip netns delete " + name_); }

    const std::string& name() const { return name_; }

private:
    std::string name_;
};

// A descriptor closed when it goes out of scope.
class Socket {
public:
    Socket() = default;
    explicit Socket(int descriptor)
        : descriptor_(descriptor)
    {
    }
    Socket(Socket&& other) noexcept
        : descriptor_(std::exchange(other.descriptor_, -1))
    {
    }
    Socket& operator=(Socket&& other) noexcept
    {
        std::swap(descriptor_, other.descriptor_);
        return *this;
    }
    ~Socket()
    {
        if (descriptor_ >= 0)
            ::close(descriptor_);
    }
    int get() const { return descriptor_; }
    explicit operator bool() const { return descriptor_ >= 0; }

private:
    int descriptor_ = -1;
};

// Runs `body` on a thread of its own inside the namespace (setns() moves only that thread):
// sockets and /proc/sys/net files opened there belong to it, wherever they are used afterwards.
// Throws when the namespace cannot be entered.
inline void in_namespace(const std::string& namespace_name, const std::function<void()>& body)
{
    std::string problem;
    std::thread thread([&] {
        int file = ::open(("/run/netns/" + namespace_name).c_str(), O_RDONLY | O_CLOEXEC);
        if (file < 0 || ::setns(file, CLONE_NEWNET) != 0) {
            problem = std::strerror(errno);
            if (file >= 0)
                ::close(file);
            return;
        }
        ::close(file);
        body();
    });
    thread.join();
    if (!problem.empty())
        throw std::runtime_error("cannot enter namespace " + namespace_name + ": " + problem);
}

// A socket made inside a namespace; it stays in that namespace wherever it is used.
inline Socket socket_in(const std::string& namespace_name, int type, int family = AF_INET)
{
    int descriptor = -1;
    in_namespace(namespace_name, [&] { descriptor = ::socket(family, type | SOCK_CLOEXEC, 0); });
    if (descriptor < 0)
        throw std::runtime_error("cannot make a socket in namespace " + namespace_name);
    return Socket(descriptor);
}

// An io_context on a thread of its own; call() runs a function there and waits for it,
// at most 10 seconds.
class LoopThread {
public:
    LoopThread()
        : guard_(boost::asio::make_work_guard(context_))
        , thread_([this] { context_.run(); })
    {
    }
    LoopThread(const LoopThread&) = delete;
    LoopThread& operator=(const LoopThread&) = delete;
    ~LoopThread()
    {
        guard_.reset();
        context_.stop();
        thread_.join();
    }

    boost::asio::io_context& context() { return context_; }

    template <typename Function> auto call(Function function) -> decltype(function())
    {
        using Value = decltype(function());
        auto task = std::make_shared<std::packaged_task<Value()>>(std::move(function));
        auto future = task->get_future();
        boost::asio::post(context_, [task] { (*task)(); });
        if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
            throw std::runtime_error("the event loop did not answer within 10 s");
        return future.get();
    }

private:
    boost::asio::io_context context_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::thread thread_;
};

} // namespace uplink::sim::testing
