#include "auth/encoding.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

namespace uplink::auth {

namespace {

constexpr std::string_view standard_characters
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_characters
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view characters_of(Base64Alphabet alphabet)
{
    return alphabet == Base64Alphabet::Url ? url_characters : standard_characters;
}

} // namespace

std::string encode_base64(std::string_view bytes, Base64Alphabet alphabet)
{
    auto characters = characters_of(alphabet);
    std::string text;
    text.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16
            | static_cast<unsigned char>(bytes[i + 1]) << 8
            | static_cast<unsigned char>(bytes[i + 2]);
        text += characters[group >> 18];
        text += characters[(group >> 12) & 63];
        text += characters[(group >> 6) & 63];
        text += characters[group & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16;
        text += characters[group >> 18];
        text += characters[(group >> 12) & 63];
    } else if (rest == 2) {
        std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16
            | static_cast<unsigned char>(bytes[i + 1]) << 8;
        text += characters[group >> 18];
        text += characters[(group >> 12) & 63];
        text += characters[(group >> 6) & 63];
    }
    return text;
}

std::optional<std::string> decode_base64(std::string_view text, Base64Alphabet alphabet)
{
    if (text.size() % 4 == 1)
        return std::nullopt;
    auto characters = characters_of(alphabet);
    std::string bytes;
    bytes.reserve(text.size() * 3 / 4);
    std::uint32_t group = 0;
    int bits = 0;
    for (char character : text) {
        auto value = characters.find(character);
        if (value == std::string_view::npos)
            return std::nullopt;
        group = (group << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes += static_cast<char>((group >> bits) & 0xff);
        }
    }
    // RFC 4648 §3.5: the bits left over must be zero, so every value has one encoding.
    if ((group & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return bytes;
}

std::string to_hex(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (unsigned char byte : bytes) {
        text += digits[byte >> 4];
        text += digits[byte & 0xf];
    }
    return text;
}

bool is_lower_hex(std::string_view text, std::size_t size)
{
    return text.size() == size
        && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Result<std::string> random_bytes(std::size_t count)
{
    std::string bytes(count, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1)
        return make_error_code(Errc::RandomFailure);
    return bytes;
}

std::string sha256(std::string_view bytes)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest {};
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

bool equal_in_constant_time(std::string_view left, std::string_view right)
{
    if (left.size() != right.size())
        return false;
    return CRYPTO_memcmp(left.data(), right.data(), left.size()) == 0;
}

Result<void> write_private_file(const std::string& path, std::string_view text)
{
    std::error_code ec;
    auto directory = std::filesystem::path(path).parent_path();
    if (!directory.empty() && !std::filesystem::exists(directory, ec)) {
        std::filesystem::create_directories(directory, ec);
        if (ec)
            return Error(ec.value(), boost::system::system_category());
        std::filesystem::permissions(directory, std::filesystem::perms::owner_all, ec);
    }
    // write_file_atomically() keeps the mode of the file it replaces: make that 0600 first.
    if (::chmod(path.c_str(), 0600) != 0 && errno != ENOENT)
        return Error(errno, boost::system::system_category());
    return write_file_atomically(path, text);
}

} // namespace uplink::auth
