// The `uplink debug --bundle` archive: a POSIX ustar tar (IEEE Std 1003.1-2001, "pax" without
// extended headers), gzip-compressed (RFC 1952) with zlib, written whole or not at all.
// Readable by `tar -xzf` everywhere, no other tool needed.
#pragma once

#include <chrono>
#include <core/core.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::cli {

struct ArchiveFile {
    std::string name; // "uplink-debug-1-1/modem.json": at most 100 bytes
    std::string content;
};

// Regular files, mode 0644, owned by uid 0; padded to whole 10240-byte records as tar writes.
std::string tar_archive(
    const std::vector<ArchiveFile>& files, std::chrono::system_clock::time_point modified);
Result<std::string> gzip(std::string_view data);

// Writes a temporary file beside `path`, mode 0600, then renames it over `path`: a reader sees
// the old file or the whole new one, never a part, and a failure leaves no temporary behind.
Result<void> write_file_replacing(const std::string& path, std::string_view bytes);

} // namespace uplink::cli
