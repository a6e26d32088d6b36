#include "cli/archive.hpp"

#include <algorithm>
#include <boost/system/errc.hpp>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <numeric>
#include <unistd.h>
#include <zlib.h>

namespace uplink::cli {

namespace {

constexpr std::size_t block_size = 512;
constexpr std::size_t record_size = 20 * block_size; // tar's default blocking factor

// One ustar header field: its offset and width in the 512-byte header block.
struct Field {
    std::size_t offset, width;
};
constexpr Field name_field {0, 100}, mode_field {100, 8}, uid_field {108, 8}, gid_field {116, 8},
    size_field {124, 12}, mtime_field {136, 12}, checksum_field {148, 8}, type_field {156, 1},
    magic_field {257, 6}, version_field {263, 2}, user_field {265, 32}, group_field {297, 32};

void put(std::string& header, Field field, std::string_view value)
{
    assert(value.size() <= field.width);
    header.replace(field.offset, value.size(), value);
}

// Numbers are octal, zero-padded, and NUL-terminated within their field.
void put_octal(std::string& header, Field field, std::uint64_t value)
{
    auto digits = fmt::format("{:0{}o}", value, field.width - 1);
    assert(digits.size() == field.width - 1);
    put(header, field, digits);
}

std::string header_of(const ArchiveFile& file, std::int64_t modified_seconds)
{
    std::string header(block_size, '\0');
    put(header, name_field, file.name);
    put_octal(header, mode_field, 0644);
    put_octal(header, uid_field, 0);
    put_octal(header, gid_field, 0);
    put_octal(header, size_field, file.content.size());
    put_octal(header, mtime_field,
        static_cast<std::uint64_t>(std::max<std::int64_t>(modified_seconds, 0)));
    put(header, type_field, "0");
    put(header, magic_field, std::string_view("ustar\0", 6));
    put(header, version_field, "00");
    put(header, user_field, "root");
    put(header, group_field, "root");
    // The checksum is the sum of the header's bytes with its own field read as spaces.
    put(header, checksum_field, std::string(checksum_field.width, ' '));
    auto sum = std::accumulate(header.begin(), header.end(), 0u,
        [](unsigned total, char byte) { return total + static_cast<unsigned char>(byte); });
    put(header, checksum_field, fmt::format("{:06o}", sum));
    header[checksum_field.offset + 6] = '\0';
    return header;
}

void pad_to(std::string& archive, std::size_t multiple)
{
    archive.append((multiple - archive.size() % multiple) % multiple, '\0');
}

Error system_error(int number)
{
    return Error(number, boost::system::system_category());
}

Result<void> write_all(int fd, std::string_view bytes)
{
    while (!bytes.empty()) {
        auto written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0)
            return system_error(errno);
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    if (::fsync(fd) != 0)
        return system_error(errno);
    return {};
}

} // namespace

std::string tar_archive(
    const std::vector<ArchiveFile>& files, std::chrono::system_clock::time_point modified)
{
    auto seconds
        = std::chrono::duration_cast<std::chrono::seconds>(modified.time_since_epoch()).count();
    std::string archive;
    for (const auto& file : files) {
        archive += header_of(file, seconds);
        archive += file.content;
        pad_to(archive, block_size);
    }
    archive.append(2 * block_size, '\0'); // the end-of-archive marker: two zero blocks
    pad_to(archive, record_size);
    return archive;
}

// zlib fails only for want of memory here: the parameters are fixed and valid.
Result<std::string> gzip(std::string_view data)
{
    z_stream stream {};
    // windowBits 15 + 16: a gzip wrapper rather than zlib's own.
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
        != Z_OK)
        return make_error_code(boost::system::errc::not_enough_memory);
    std::string compressed(deflateBound(&stream, data.size()), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
    stream.avail_out = static_cast<uInt>(compressed.size());
    // deflateBound() leaves room for all of it: one call finishes the stream.
    int finished = deflate(&stream, Z_FINISH);
    compressed.resize(stream.total_out);
    deflateEnd(&stream);
    if (finished != Z_STREAM_END)
        return make_error_code(boost::system::errc::not_enough_memory);
    return compressed;
}

Result<void> write_file_replacing(const std::string& path, std::string_view bytes)
{
    std::string temporary = path + ".XXXXXX";
    int fd = ::mkstemp(temporary.data());
    if (fd < 0)
        return system_error(errno);
    auto written = write_all(fd, bytes);
    if (::close(fd) != 0 && written)
        written = system_error(errno);
    if (written && ::rename(temporary.c_str(), path.c_str()) != 0)
        written = system_error(errno);
    if (!written)
        ::unlink(temporary.c_str());
    return written;
}

} // namespace uplink::cli
