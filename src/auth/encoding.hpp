// Byte encodings, randomness, SHA-256 and constant-time comparison: what every part of auth needs.
#pragma once

#include "auth/auth.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace uplink::auth {

enum class Base64Alphabet { Standard, Url }; // RFC 4648 §4 and §5

// Without padding. decode_base64() takes only the canonical form: no padding, no whitespace,
// no stray bits in the last character.
std::string encode_base64(std::string_view bytes, Base64Alphabet alphabet);
std::optional<std::string> decode_base64(std::string_view text, Base64Alphabet alphabet);

std::string to_hex(std::string_view bytes);
bool is_lower_hex(std::string_view text, std::size_t size);

// RAND_bytes (OpenSSL's CSPRNG, seeded by getrandom(2)); RandomFailure rather than anything weaker.
Result<std::string> random_bytes(std::size_t count);

std::string sha256(std::string_view bytes); // 32 bytes

// CRYPTO_memcmp: the time depends on the length only, which is public for everything compared here.
bool equal_in_constant_time(std::string_view left, std::string_view right);

// mode 0600 even when the file was there with another mode; the parent directory is made (0700)
// when missing. Errors are errno values.
Result<void> write_private_file(const std::string& path, std::string_view text);

} // namespace uplink::auth
