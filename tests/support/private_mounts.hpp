// Root ignores file modes, so a test of "the file or directory cannot be written" needs something
// that stops root too: a read-only bind mount. It is made in a forked child with its own mount
// namespace (mount propagation made private first), so the test process's mounts, and the
// machine's, stay untouched; the mounts vanish when the child exits.
#pragma once

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <sched.h>
#include <string>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace uplink::testing {

enum class Access { ReadOnly, ReadWrite };

// `path` bound over itself with `access`, with the mounts below it (MS_REC), so that a file bound
// read-write keeps that inside a directory bound read-only after it.
struct BindMount {
    std::string path;
    Access access;
};

struct ChildResult {
    int status = -1; // what the body returned (0 to 255); -1 when it did not run to the end
    std::string failure; // why the child could not set up its mounts or did not exit
};

// Runs `body` in a child process in which `mounts` are applied in order; its value is the child's
// exit status, so a body returns a small number (an error code's value) to the test. Needs root
// (CAP_SYS_ADMIN). The body must not use gtest assertions: their results stay in the child.
inline ChildResult in_private_mounts(const std::vector<BindMount>& mounts,
    const std::function<int()>& body)
{
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0)
        return {.failure = std::string("pipe: ") + std::strerror(errno)};
    pid_t child = ::fork();
    if (child < 0) {
        ::close(report[0]);
        ::close(report[1]);
        return {.failure = std::string("fork: ") + std::strerror(errno)};
    }
    if (child == 0) {
        ::close(report[0]);
        auto fail = [&](const std::string& step) {
            auto message = step + ": " + std::strerror(errno);
            [[maybe_unused]] auto written = ::write(report[1], message.data(), message.size());
            ::_exit(255);
        };
        if (::unshare(CLONE_NEWNS) != 0)
            fail("unshare(CLONE_NEWNS)");
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            fail("mount --make-rprivate /");
        for (const auto& mount : mounts) {
            if (::mount(mount.path.c_str(), mount.path.c_str(), nullptr, MS_BIND | MS_REC, nullptr)
                != 0)
                fail("mount --rbind " + mount.path);
            unsigned long flags = MS_REMOUNT | MS_BIND;
            if (mount.access == Access::ReadOnly)
                flags |= MS_RDONLY;
            if (::mount(nullptr, mount.path.c_str(), nullptr, flags, nullptr) != 0)
                fail("mount -o remount,bind " + mount.path);
        }
        ::close(report[1]);
        ::_exit(body());
    }
    ::close(report[1]);
    std::string failure;
    char chunk[256];
    for (ssize_t size; (size = ::read(report[0], chunk, sizeof chunk)) != 0;) {
        if (size < 0 && errno == EINTR)
            continue;
        if (size < 0)
            break;
        failure.append(chunk, static_cast<std::size_t>(size));
    }
    ::close(report[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) { }
    if (!failure.empty())
        return {.failure = failure};
    if (!WIFEXITED(status))
        return {.failure = "the child did not exit (signal " + std::to_string(WTERMSIG(status)) + ")"};
    return {.status = WEXITSTATUS(status), .failure = {}};
}

} // namespace uplink::testing
