// The admin password (scrypt through OpenSSL 3's EVP_KDF) and the first-run setup code.
#include "auth/encoding.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace uplink::auth {

namespace {

constexpr std::size_t salt_bytes = 16;
constexpr std::size_t hash_bytes = 32;
// Bounds for a stored line, so that a damaged or planted file cannot make a login allocate
// gigabytes or spin for minutes.
constexpr unsigned minimum_log2_cost = 10, maximum_log2_cost = 20;
constexpr unsigned maximum_block_size = 32, maximum_parallelism = 16;
constexpr std::uint64_t maximum_kdf_memory = std::uint64_t(256) << 20;

struct StoredHash {
    KdfParameters parameters;
    std::string salt;
    std::string hash;
};

std::uint64_t kdf_memory(const KdfParameters& parameters)
{
    return std::uint64_t(128) * parameters.block_size * (std::uint64_t(1) << parameters.log2_cost);
}

bool parameters_in_bounds(const KdfParameters& parameters)
{
    return parameters.log2_cost >= minimum_log2_cost && parameters.log2_cost <= maximum_log2_cost
        && parameters.block_size >= 1 && parameters.block_size <= maximum_block_size
        && parameters.parallelism >= 1 && parameters.parallelism <= maximum_parallelism
        && kdf_memory(parameters) <= maximum_kdf_memory;
}

// "<name>=<1 to 3 digits>" at the front of `text`, consumed.
std::optional<unsigned> take_parameter(std::string_view& text, std::string_view name)
{
    if (text.substr(0, name.size()) != name || text.substr(name.size(), 1) != "=")
        return std::nullopt;
    text.remove_prefix(name.size() + 1);
    auto digits = text.substr(0, text.find(','));
    unsigned value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || digits.size() > 3)
        return std::nullopt;
    text.remove_prefix(digits.size());
    return value;
}

// "$scrypt$ln=14,r=8,p=1$<salt>$<hash>"
std::optional<StoredHash> parse_stored_hash(std::string_view line)
{
    constexpr std::string_view prefix = "$scrypt$";
    if (line.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    line.remove_prefix(prefix.size());
    auto dollar = line.find('$');
    if (dollar == std::string_view::npos)
        return std::nullopt;
    auto text = line.substr(0, dollar);
    StoredHash stored;
    auto log2_cost = take_parameter(text, "ln");
    if (!log2_cost || text.substr(0, 1) != ",")
        return std::nullopt;
    text.remove_prefix(1);
    auto block_size = take_parameter(text, "r");
    if (!block_size || text.substr(0, 1) != ",")
        return std::nullopt;
    text.remove_prefix(1);
    auto parallelism = take_parameter(text, "p");
    if (!parallelism || !text.empty())
        return std::nullopt;
    stored.parameters = {*log2_cost, *block_size, *parallelism};
    if (!parameters_in_bounds(stored.parameters))
        return std::nullopt;

    line.remove_prefix(dollar + 1);
    dollar = line.find('$');
    if (dollar == std::string_view::npos)
        return std::nullopt;
    auto salt = decode_base64(line.substr(0, dollar), Base64Alphabet::Standard);
    auto hash = decode_base64(line.substr(dollar + 1), Base64Alphabet::Standard);
    if (!salt || !hash || salt->size() < 8 || salt->size() > 64 || hash->size() < 16
        || hash->size() > 64)
        return std::nullopt;
    stored.salt = std::move(*salt);
    stored.hash = std::move(*hash);
    return stored;
}

Result<std::string> scrypt(std::string_view password, std::string_view salt,
    const KdfParameters& parameters, std::size_t size)
{
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
    if (!kdf)
        return make_error_code(Errc::KdfFailure);
    EVP_KDF_CTX* context = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!context)
        return make_error_code(Errc::KdfFailure);

    std::uint64_t cost = std::uint64_t(1) << parameters.log2_cost;
    std::uint32_t block_size = parameters.block_size;
    std::uint32_t parallelism = parameters.parallelism;
    // OpenSSL refuses to allocate more than maxmem; ours is above anything parameters_in_bounds()
    // lets through (its own count adds a little to 128 * r * N).
    std::uint64_t maximum_memory = 2 * maximum_kdf_memory;
    std::string password_copy(password), salt_copy(salt);
    OSSL_PARAM parameter_list[] = {
        OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_PASSWORD, password_copy.data(), password_copy.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_copy.data(), salt_copy.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &cost),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &block_size),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &parallelism),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maximum_memory),
        OSSL_PARAM_construct_end(),
    };
    std::string output(size, '\0');
    int derived = EVP_KDF_derive(
        context, reinterpret_cast<unsigned char*>(output.data()), output.size(), parameter_list);
    EVP_KDF_CTX_free(context);
    OPENSSL_cleanse(password_copy.data(), password_copy.size());
    if (derived != 1)
        return make_error_code(Errc::KdfFailure);
    return output;
}

std::size_t count_code_points(std::string_view text)
{
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(),
        [](char byte) { return (static_cast<unsigned char>(byte) & 0xc0) != 0x80; }));
}

std::string password_file_problem(const std::string& path, std::string_view why)
{
    return fmt::format("{}: {}", path, why);
}

// The stored line, nullopt when there is no file.
Result<std::optional<std::string>> read_stored_line(const std::string& path, std::string* problem)
{
    auto corrupt = [&](std::string why) -> Result<std::optional<std::string>> {
        if (problem)
            *problem = password_file_problem(path, why);
        return make_error_code(Errc::PasswordFileCorrupt);
    };
    auto text = read_small_file(path, 4096);
    if (!text)
        return corrupt(fmt::format("cannot be read: {}", text.error().message()));
    if (!*text)
        return std::optional<std::string>();
    std::string_view line = **text;
    if (!line.empty() && line.back() == '\n')
        line.remove_suffix(1);
    if (line.empty())
        return corrupt("is empty (delete it, or set a password with 'uplink passwd')");
    if (line.find_first_of("\r\n") != std::string_view::npos)
        return corrupt("has more than one line");
    if (!parse_stored_hash(line))
        return corrupt("expected one line '$scrypt$ln=<n>,r=<n>,p=<n>$<salt>$<hash>'");
    return std::optional<std::string>(std::string(line));
}

// Setup code alphabet: 32 characters, so one random byte gives one character without bias
// (256 is a multiple of 32).
constexpr std::string_view setup_alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
constexpr std::size_t setup_code_length = 10;

std::string normalize_setup_code(std::string_view entered)
{
    std::string code;
    for (char character : entered) {
        if (character == ' ' || character == '-')
            continue;
        if (character >= 'a' && character <= 'z')
            character = static_cast<char>(character - 'a' + 'A');
        code += character;
        if (code.size() > setup_code_length)
            break;
    }
    return code;
}

} // namespace

std::string_view to_string(PasswordState state)
{
    switch (state) {
    case PasswordState::NotSet:
        return "not-set";
    case PasswordState::Set:
        return "set";
    }
    return "unknown";
}

Result<void> check_password_input(std::string_view password)
{
    if (password.empty())
        return make_error_code(Errc::EmptyPassword);
    if (password.size() > maximum_password_bytes)
        return make_error_code(Errc::PasswordTooLong);
    return {};
}

Result<void> check_new_password(std::string_view password)
{
    if (auto checked = check_password_input(password); !checked)
        return checked;
    if (count_code_points(password) < minimum_new_password_characters)
        return make_error_code(Errc::PasswordTooShort);
    return {};
}

Result<std::string> hash_password(std::string_view password, const KdfParameters& parameters)
{
    if (auto checked = check_password_input(password); !checked)
        return checked.error();
    // A line outside the bounds would never verify: the password could not be used again.
    if (!parameters_in_bounds(parameters))
        return make_error_code(Errc::KdfFailure);
    auto salt = random_bytes(salt_bytes);
    if (!salt)
        return salt.error();
    auto hash = scrypt(password, *salt, parameters, hash_bytes);
    if (!hash)
        return hash.error();
    return fmt::format("$scrypt$ln={},r={},p={}${}${}", parameters.log2_cost, parameters.block_size,
        parameters.parallelism, encode_base64(*salt, Base64Alphabet::Standard),
        encode_base64(*hash, Base64Alphabet::Standard));
}

Result<void> verify_password(std::string_view encoded, std::string_view password)
{
    auto stored = parse_stored_hash(encoded);
    if (!stored)
        return make_error_code(Errc::PasswordFileCorrupt);
    if (auto checked = check_password_input(password); !checked)
        return checked;
    auto hash = scrypt(password, stored->salt, stored->parameters, stored->hash.size());
    if (!hash)
        return hash.error();
    if (!equal_in_constant_time(*hash, stored->hash))
        return make_error_code(Errc::WrongPassword);
    return {};
}

KdfOutcome run_kdf(const KdfWork& work)
{
    KdfOutcome outcome;
    if (work.stored_line)
        outcome.check = verify_password(*work.stored_line, work.presented);
    if (outcome.check && work.replacement)
        outcome.line = hash_password(*work.replacement, work.parameters);
    return outcome;
}

std::optional<KdfParameters> kdf_parameters_of(std::string_view encoded)
{
    auto stored = parse_stored_hash(encoded);
    if (!stored)
        return std::nullopt;
    return stored->parameters;
}

// ---------------------------------------------------------------- PasswordStore

PasswordStore::PasswordStore(std::string path, KdfParameters parameters)
    : path_(std::move(path))
    , parameters_(parameters)
{
}

Result<PasswordState> PasswordStore::state(std::string* problem) const
{
    auto line = read_stored_line(path_, problem);
    if (!line)
        return line.error();
    return *line ? PasswordState::Set : PasswordState::NotSet;
}

Result<std::optional<std::string>> PasswordStore::line(std::string* problem) const
{
    return read_stored_line(path_, problem);
}

Result<void> PasswordStore::store(std::string_view line)
{
    assert(parse_stored_hash(line));
    return write_private_file(path_, std::string(line) + "\n");
}

// ---------------------------------------------------------------- SetupCode

Result<SetupCode> SetupCode::generate()
{
    auto bytes = random_bytes(setup_code_length);
    if (!bytes)
        return bytes.error();
    std::string code;
    for (unsigned char byte : *bytes)
        code += setup_alphabet[byte % setup_alphabet.size()];
    return from_text(code);
}

SetupCode SetupCode::from_text(std::string_view text)
{
    SetupCode code;
    code.code_ = normalize_setup_code(text);
    code.display_ = code.code_.substr(0, 5);
    if (code.code_.size() > 5)
        code.display_ += "-" + code.code_.substr(5);
    return code;
}

bool SetupCode::matches(std::string_view entered) const
{
    return equal_in_constant_time(normalize_setup_code(entered), code_);
}

Result<void> SetupCode::redeem(std::string_view entered)
{
    if (spent_ || !matches(entered))
        return make_error_code(Errc::WrongSetupCode);
    spent_ = true;
    return {};
}

} // namespace uplink::auth
