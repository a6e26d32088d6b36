#include "modem/pin_store.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace uplink::modem {

namespace {

constexpr std::string_view header = "uplink-pin-failures 1";
constexpr std::string_view preamble
    = "# uplink: PINs that SIM cards refused. uplink never sends a PIN listed here to that SIM "
      "again.\n"
      "# Delete a line (or this file) to allow one more try. The PIN itself is not stored, only\n"
      "# a salted SHA-256 of it. Format: <sim> <refused|interrupted> <salt> <hash>\n";

using Line = PinFailureLine;

std::string to_hex(const unsigned char* data, std::size_t size)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (std::size_t i = 0; i < size; ++i) {
        text += digits[data[i] >> 4];
        text += digits[data[i] & 0xf];
    }
    return text;
}

bool is_hex(std::string_view text, std::size_t size)
{
    return text.size() == size
        && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// SHA-256 over salt, SIM and PIN: the hash binds the PIN to the SIM it failed on.
std::string pin_hash(std::string_view salt, std::string_view sim_key, std::string_view pin)
{
    std::string input;
    input.append(salt).append(1, '\0').append(sim_key).append(1, '\0').append(pin);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest {};
    unsigned int size = 0;
    EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha256(), nullptr);
    return to_hex(digest.data(), size);
}

std::string new_salt()
{
    std::array<unsigned char, 16> bytes {};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        // No entropy source: a salt that repeats only weakens the hash, never the one-try rule.
        auto now = std::chrono::steady_clock::now().time_since_epoch().count();
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = static_cast<unsigned char>(now >> (8 * (i % 8)));
    }
    return to_hex(bytes.data(), bytes.size());
}

Result<std::vector<Line>> read_lines(const std::string& path, std::string* problem)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec)
        return std::vector<Line> {};
    auto unreadable = [&](std::string_view why) -> Result<std::vector<Line>> {
        if (problem)
            *problem = fmt::format("{}: {}", path, why);
        return make_error_code(Errc::PinStoreUnreadable);
    };
    std::ifstream file(path);
    if (!file)
        return unreadable("cannot be read");
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad())
        return unreadable("read error");
    return parse_pin_failures(text.str(), path, problem);
}

} // namespace

Result<std::vector<PinFailureLine>> parse_pin_failures(
    std::string_view text, std::string_view path, std::string* problem)
{
    auto fail = [&](int line_number, std::string message) -> Result<std::vector<Line>> {
        if (problem)
            *problem = fmt::format("{}:{}: {}", path, line_number, message);
        return make_error_code(Errc::PinStoreUnreadable);
    };
    std::istringstream file {std::string(text)};
    std::vector<Line> lines;
    std::string line_text;
    int number = 0;
    bool seen_header = false;
    while (std::getline(file, line_text)) {
        ++number;
        if (line_text.empty() || line_text.front() == '#')
            continue;
        if (!seen_header) {
            if (line_text != header)
                return fail(number, fmt::format("expected '{}'", header));
            seen_header = true;
            continue;
        }
        std::istringstream fields(line_text);
        Line line;
        std::string state, extra;
        if (!(fields >> line.sim_key >> state >> line.salt >> line.hash) || (fields >> extra))
            return fail(number, "expected '<sim> <refused|interrupted> <salt> <hash>'");
        if (state == "refused")
            line.record = PinRecord::Refused;
        else if (state == "interrupted")
            line.record = PinRecord::Interrupted;
        else
            return fail(number, fmt::format("unknown state '{}'", state));
        if (!is_hex(line.salt, 32) || !is_hex(line.hash, 64))
            return fail(number, "salt or hash is not hex of the right length");
        // " #x refused ..." parses, but written again it is a comment: the refusal would be lost.
        if (line.sim_key.front() == '#')
            return fail(number, fmt::format("a SIM that starts with '#' ('{}')", line.sim_key));
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string pin_failures_text(const std::vector<PinFailureLine>& lines)
{
    std::string content(preamble);
    content += header;
    content += '\n';
    for (const auto& line : lines)
        content += fmt::format(
            "{} {} {} {}\n", line.sim_key, to_string(line.record), line.salt, line.hash);
    return content;
}

std::string_view to_string(PinRecord record)
{
    switch (record) {
    case PinRecord::None:
        return "none";
    case PinRecord::Refused:
        return "refused";
    case PinRecord::Interrupted:
        return "interrupted";
    }
    return "unknown";
}

PinFailureStore::PinFailureStore(std::string path)
    : path_(std::move(path))
{
}

Result<PinRecord> PinFailureStore::lookup(
    std::string_view sim_key, std::string_view pin, std::string* problem) const
{
    auto lines = read_lines(path_, problem);
    if (!lines)
        return lines.error();
    for (const auto& line : *lines)
        if (line.sim_key == sim_key && line.hash == pin_hash(line.salt, sim_key, pin))
            return line.record;
    return PinRecord::None;
}

Result<void> PinFailureStore::record_attempt(std::string_view sim_key, std::string_view pin)
{
    return update(sim_key, pin, PinRecord::Interrupted);
}

Result<void> PinFailureStore::record_refused(std::string_view sim_key, std::string_view pin)
{
    return update(sim_key, pin, PinRecord::Refused);
}

Result<void> PinFailureStore::record_accepted(std::string_view sim_key, std::string_view pin)
{
    return update(sim_key, pin, PinRecord::None);
}

Result<void> PinFailureStore::update(
    std::string_view sim_key, std::string_view pin, PinRecord record)
{
    auto lines = read_lines(path_, nullptr);
    if (!lines)
        return lines.error();
    std::erase_if(*lines, [&](const Line& line) {
        return line.sim_key == sim_key && line.hash == pin_hash(line.salt, sim_key, pin);
    });
    if (record != PinRecord::None) {
        Line line {std::string(sim_key), record, new_salt(), {}};
        line.hash = pin_hash(line.salt, sim_key, pin);
        lines->push_back(std::move(line));
    }
    auto content = pin_failures_text(*lines);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    if (ec)
        return Error(ec.value(), boost::system::system_category());
    return write_file_atomically(path_, content);
}

} // namespace uplink::modem
