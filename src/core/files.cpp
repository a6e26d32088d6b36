// Files of the state directory: read without following links, and the directory checked before
// uplinkd trusts what it holds (the admin password's hash, the API tokens, the TLS key, the PINs
// a SIM refused).
#include "core/core.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace uplink {

namespace {

Error errno_error(int number)
{
    return Error(number, boost::system::system_category());
}

// Why the entry at `path` may not be trusted, or "" when it may be. `status` is its lstat().
std::string untrusted_entry(const std::string& path, const struct stat& status, uid_t owner)
{
    if (S_ISLNK(status.st_mode))
        return fmt::format("{} is a symbolic link", path);
    if (!S_ISREG(status.st_mode) && !S_ISDIR(status.st_mode))
        return fmt::format("{} is neither a file nor a directory", path);
    if (status.st_uid != owner)
        return fmt::format("{} belongs to user {}, not {}", path, status.st_uid, owner);
    if (status.st_mode & (S_IWGRP | S_IWOTH))
        return fmt::format("{} is writable by {} (mode {:04o})", path,
                           status.st_mode & S_IWOTH ? "every user" : "its group", status.st_mode & 07777);
    return "";
}

struct DirectoryCloser {
    void operator()(DIR* directory) const { ::closedir(directory); }
};

// Depth-first, to `levels` below `directory`, which has been checked itself.
std::string first_untrusted_below(const std::string& directory, uid_t owner, int levels)
{
    std::unique_ptr<DIR, DirectoryCloser> listing(::opendir(directory.c_str()));
    if (!listing)
        return fmt::format("cannot list {}: {}", directory, errno_error(errno).message());
    // An entry that cannot be listed or read is not trusted: readdir() returns null at the end
    // and on a failure alike, and only errno tells them apart.
    for (errno = 0; const dirent* entry = ::readdir(listing.get()); errno = 0) {
        std::string_view name = entry->d_name;
        if (name == "." || name == "..")
            continue;
        auto path = directory + "/" + std::string(name);
        struct stat status {};
        if (::lstat(path.c_str(), &status) != 0) {
            if (errno == ENOENT)
                continue;   // gone since it was listed
            return fmt::format("cannot read {}: {}", path, errno_error(errno).message());
        }
        if (auto problem = untrusted_entry(path, status, owner); !problem.empty())
            return problem;
        if (S_ISDIR(status.st_mode)) {
            if (levels == 0)
                return fmt::format("{} is nested deeper than uplinkd puts anything", path);
            if (auto problem = first_untrusted_below(path, owner, levels - 1); !problem.empty())
                return problem;
        }
    }
    if (errno != 0)
        return fmt::format("cannot list {}: {}", directory, errno_error(errno).message());
    return "";
}

} // namespace

std::string untrusted_state_directory(const std::string& directory, uid_t owner)
{
    struct stat status {};
    if (::stat(directory.c_str(), &status) != 0)
        return fmt::format("cannot read {}: {}", directory, errno_error(errno).message());
    if (!S_ISDIR(status.st_mode))
        return fmt::format("{} is not a directory", directory);
    if (auto problem = untrusted_entry(directory, status, owner); !problem.empty())
        return problem;
    constexpr int levels_below = 2;   // state_dir/web/key.pem is the deepest uplinkd writes
    return first_untrusted_below(directory, owner, levels_below);
}

Result<std::optional<std::string>> read_small_file(const std::string& path, std::size_t maximum_bytes)
{
    // O_NOFOLLOW: a link put where a state file belongs would make uplinkd read (and trust) what
    // it points at. O_NONBLOCK: a FIFO put there must not hang the open; it is refused below.
    int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (descriptor < 0) {
        if (errno == ENOENT)
            return std::optional<std::string>();
        return errno_error(errno);
    }
    std::string text;
    int error = 0;
    struct stat status {};
    if (::fstat(descriptor, &status) != 0)
        error = errno;
    else if (!S_ISREG(status.st_mode))
        error = EINVAL;
    std::array<char, 4096> buffer {};
    while (error == 0) {
        auto count = ::read(descriptor, buffer.data(), buffer.size());
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            error = errno;
        if (count <= 0)
            break;
        text.append(buffer.data(), static_cast<std::size_t>(count));
        if (text.size() > maximum_bytes)
            error = EFBIG;
    }
    ::close(descriptor);
    if (error != 0)
        return errno_error(error);
    return std::optional<std::string>(std::move(text));
}

} // namespace uplink
