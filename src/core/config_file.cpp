// Reading the configuration file, and replacing it atomically.
#include "core/core.hpp"

#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace uplink {

namespace {

// No configuration is anywhere near this; a bigger file is a mistake (a log, a firmware image).
constexpr std::size_t maximum_file_size = std::size_t{1024} * 1024;

// Closes the descriptor it holds when it goes out of scope.
class FileDescriptor {
public:
    explicit FileDescriptor(int descriptor)
        : descriptor_(descriptor)
    {
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor()
    {
        if (descriptor_ >= 0)
            ::close(descriptor_);
    }

    int get() const { return descriptor_; }
    bool valid() const { return descriptor_ >= 0; }

    // close(2) can report a failed write-back (NFS, a full disk); saving must see it.
    int close()
    {
        int result = ::close(descriptor_);
        descriptor_ = -1;
        return result;
    }

private:
    int descriptor_;
};

Error last_error()
{
    return {errno, boost::system::system_category()};
}

// Reads the whole file into `text`; on failure, says why.
std::optional<std::string> read_file(const std::string& path, std::string& text)
{
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!file.valid())
        return last_error().message();
    struct stat status { };
    if (::fstat(file.get(), &status) != 0)
        return last_error().message();
    // A fifo or a device could block or never end.
    if (!S_ISREG(status.st_mode))
        return "not a regular file";

    char buffer[16 * 1024];
    for (;;) {
        auto count = ::read(file.get(), buffer, sizeof buffer);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return last_error().message();
        if (count == 0)
            return std::nullopt;
        text.append(buffer, static_cast<std::size_t>(count));
        if (text.size() > maximum_file_size)
            return fmt::format(
                "larger than {} bytes, too big for a configuration", maximum_file_size);
    }
}

bool write_all(int descriptor, std::string_view data)
{
    while (!data.empty()) {
        auto count = ::write(descriptor, data.data(), data.size());
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(count));
    }
    return true;
}

std::string directory_of(const std::string& path)
{
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

// The rename is durable only once the directory entry is on disk too.
Result<void> sync_directory(const std::string& directory)
{
    FileDescriptor handle(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!handle.valid() || ::fsync(handle.get()) != 0)
        return last_error();
    return {};
}

} // namespace

Result<Config> Config::load(
    const std::string& path, const Schema& schema, std::vector<ConfigDiagnostic>& diagnostics)
{
    std::string text;
    if (auto reason = read_file(path, text)) {
        diagnostics.clear();
        diagnostics.push_back({0, fmt::format("cannot read {}: {}", path, *reason)});
        return make_error_code(ConfigErrc::Io);
    }
    return parse(text, schema, diagnostics);
}

Result<void> Config::save(const std::string& path) const
{
    return write_file_atomically(path, serialize());
}

Result<void> write_file_atomically(const std::string& path, std::string_view text, unsigned new_file_mode)
{
    mode_t mode = new_file_mode;
    struct stat original { };
    if (::stat(path.c_str(), &original) == 0)
        mode = original.st_mode & 07777;

    // The temp file must be in the same directory: rename(2) is atomic only within a filesystem.
    std::string temporary = path + ".tmp-XXXXXX";
    FileDescriptor file(::mkostemp(temporary.data(), O_CLOEXEC));
    if (!file.valid())
        return last_error();
    auto discard = [&]() {
        auto error = last_error();
        if (file.valid())
            file.close();
        ::unlink(temporary.c_str());
        return Result<void>(error);
    };
    if (::fchmod(file.get(), mode) != 0)
        return discard();
    if (!write_all(file.get(), text))
        return discard();
    if (::fsync(file.get()) != 0)
        return discard();
    if (file.close() != 0)
        return discard();
    if (::rename(temporary.c_str(), path.c_str()) != 0)
        return discard();
    return sync_directory(directory_of(path));
}

} // namespace uplink
