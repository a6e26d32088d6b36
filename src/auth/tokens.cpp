// API tokens for scripts: made once, stored as SHA-256, listed without the secret, revoked.
#include "auth/encoding.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <sstream>
#include <sys/stat.h>

namespace uplink::auth {

namespace {

constexpr std::string_view token_prefix = "upl_";
constexpr std::size_t token_random_bytes = 32;
constexpr std::size_t token_length = 4 + 43; // "upl_" and 32 bytes of base64url
constexpr std::size_t maximum_name_length = 64;
constexpr std::size_t maximum_file_bytes = 64 * 1024;

// Version 1 had no scopes; it is read as tokens without any, and written over as version 2.
constexpr std::string_view header_version_1 = "uplink-api-tokens 1";
constexpr std::string_view header = "uplink-api-tokens 2";
constexpr std::string_view preamble
    = "# uplink: API tokens for scripts. Only a SHA-256 of each token is kept: a token is shown\n"
      "# once, when it is made. Delete a line to revoke that token.\n"
      "# Format: <name> <created, Unix seconds> <last used, Unix seconds, or -> <scopes, comma-separated, or -> "
      "<sha256>\n";

bool is_token_name(std::string_view name)
{
    return !name.empty() && name.size() <= maximum_name_length
        && name.find_first_not_of(
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
        == std::string_view::npos;
}

bool is_token(std::string_view token)
{
    if (token.size() != token_length || token.substr(0, token_prefix.size()) != token_prefix)
        return false;
    auto bytes = decode_base64(token.substr(token_prefix.size()), Base64Alphabet::Url);
    return bytes && bytes->size() == token_random_bytes;
}

WallClock::time_point whole_seconds(WallClock::time_point when)
{
    return std::chrono::floor<std::chrono::seconds>(when);
}

std::int64_t unix_seconds(WallClock::time_point when)
{
    return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}

std::optional<WallClock::time_point> parse_unix_seconds(std::string_view text)
{
    // The clock counts nanoseconds in 64 bits: past 2262 a time would overflow it, and come out
    // as another time (found by auth_token_file_fuzz with 710000000000).
    constexpr auto latest
        = std::chrono::duration_cast<std::chrono::seconds>(WallClock::duration::max()).count();
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 0 || value > latest)
        return std::nullopt;
    return WallClock::time_point(std::chrono::seconds(value));
}

// "console,..." or "-": each scope once, in TokenScope's order; none when a word is unknown.
std::optional<std::vector<TokenScope>> parse_scopes(std::string_view text)
{
    std::vector<TokenScope> scopes;
    if (text == "-")
        return scopes;
    while (true) {
        auto comma = text.find(',');
        auto scope = token_scope_from_string(text.substr(0, comma));
        if (!scope || std::find(scopes.begin(), scopes.end(), *scope) != scopes.end())
            return std::nullopt;
        scopes.push_back(*scope);
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    std::sort(scopes.begin(), scopes.end());
    return scopes;
}

std::string scopes_text(const std::vector<TokenScope>& scopes)
{
    if (scopes.empty())
        return "-";
    std::string text;
    for (auto scope : scopes)
        text += (text.empty() ? "" : ",") + std::string(to_string(scope));
    return text;
}

} // namespace

std::string_view to_string(TokenScope scope)
{
    switch (scope) {
    case TokenScope::Console:
        return "console";
    }
    return "console";
}

std::optional<TokenScope> token_scope_from_string(std::string_view text)
{
    if (text == "console")
        return TokenScope::Console;
    return std::nullopt;
}

bool TokenInfo::has(TokenScope scope) const
{
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

TokenStore::TokenStore(std::string path, WallTimeSource now)
    : path_(std::move(path))
    , now_(std::move(now))
{
}

TokenStore::FileStamp TokenStore::stamp() const
{
    struct stat status {};
    if (::stat(path_.c_str(), &status) != 0)
        return {};
    return {true, static_cast<std::uint64_t>(status.st_dev), static_cast<std::uint64_t>(status.st_ino),
            static_cast<std::uint64_t>(status.st_size),
            static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec};
}

Result<std::vector<TokenFileEntry>> parse_token_file(
    std::string_view text, std::string_view path, std::string* problem)
{
    auto corrupt = [&](int line_number, std::string why) -> Result<std::vector<TokenFileEntry>> {
        if (problem)
            *problem = line_number > 0 ? fmt::format("{}:{}: {}", path, line_number, why)
                                       : fmt::format("{}: {}", path, why);
        return make_error_code(Errc::TokenFileCorrupt);
    };
    std::vector<TokenFileEntry> entries;
    std::istringstream lines {std::string(text)};
    std::string line;
    int number = 0;
    bool seen_header = false;
    bool with_scopes = true;
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty() || line.front() == '#')
            continue;
        if (!seen_header) {
            if (line != header && line != header_version_1)
                return corrupt(number, fmt::format("expected '{}'", header));
            with_scopes = line == header;
            seen_header = true;
            continue;
        }
        std::istringstream fields(line);
        std::string name, created, last_used, scopes = "-", hash, extra;
        bool read = with_scopes ? bool(fields >> name >> created >> last_used >> scopes >> hash)
                                : bool(fields >> name >> created >> last_used >> hash);
        if (!read || (fields >> extra))
            return corrupt(number, with_scopes ? "expected '<name> <created> <last used|-> <scopes|-> <sha256>'"
                                               : "expected '<name> <created> <last used|-> <sha256>'");
        TokenFileEntry entry;
        entry.info.name = name;
        auto parsed_scopes = parse_scopes(scopes);
        if (!parsed_scopes)
            return corrupt(number, fmt::format("'{}' is not a list of scopes (console)", scopes));
        entry.info.scopes = std::move(*parsed_scopes);
        auto created_time = parse_unix_seconds(created);
        std::optional<WallClock::time_point> last_used_time;
        if (last_used != "-" && !(last_used_time = parse_unix_seconds(last_used)))
            return corrupt(number, fmt::format("'{}' is not a time in Unix seconds", last_used));
        if (!created_time)
            return corrupt(number, fmt::format("'{}' is not a time in Unix seconds", created));
        if (!is_token_name(name))
            return corrupt(number, fmt::format("'{}' is not a token name", name));
        if (!is_lower_hex(hash, 64))
            return corrupt(number, "the hash is not 64 hex digits");
        for (const auto& other : entries)
            if (other.info.name == name || other.hash == hash)
                return corrupt(number, fmt::format("token '{}' is listed twice", name));
        if (entries.size() >= TokenStore::maximum_tokens)
            return corrupt(number, fmt::format("more than {} tokens", TokenStore::maximum_tokens));
        entry.info.created = *created_time;
        entry.info.last_used = last_used_time;
        entry.last_used_saved = last_used_time;
        entry.hash = hash;
        entries.push_back(std::move(entry));
    }
    if (!seen_header)
        return corrupt(0, fmt::format("no '{}' line", header));
    return entries;
}

std::string token_file_text(const std::vector<TokenFileEntry>& entries)
{
    std::string text(preamble);
    text += header;
    text += '\n';
    for (const auto& entry : entries) {
        auto last_used
            = entry.info.last_used ? std::to_string(unix_seconds(*entry.info.last_used)) : "-";
        text += fmt::format("{} {} {} {} {}\n", entry.info.name, unix_seconds(entry.info.created),
            last_used, scopes_text(entry.info.scopes), entry.hash);
    }
    return text;
}

Result<void> TokenStore::load(std::string* problem)
{
    auto now_on_disk = stamp();
    if (entries_ && now_on_disk == loaded_)
        return {};
    entries_.reset();
    auto text = read_small_file(path_, maximum_file_bytes);
    if (!text) {
        if (problem)
            *problem = fmt::format("{}: cannot be read: {}", path_, text.error().message());
        return make_error_code(Errc::TokenFileCorrupt);
    }
    if (!*text) {
        entries_.emplace();
        loaded_ = now_on_disk;
        return {};
    }
    auto entries = parse_token_file(**text, path_, problem);
    if (!entries)
        return entries.error();
    entries_ = std::move(*entries);
    loaded_ = now_on_disk;
    return {};
}

Result<void> TokenStore::save()
{
    assert(entries_);
    auto written = write_private_file(path_, token_file_text(*entries_));
    if (written) {
        for (auto& entry : *entries_)
            entry.last_used_saved = entry.info.last_used;
        loaded_ = stamp();
    }
    return written;
}

Result<void> TokenStore::revoke_all()
{
    auto loaded = load(nullptr);
    if (loaded && entries_->empty())
        return {};
    // A corrupt file accepts no token already; it is replaced by an empty one all the same.
    entries_.emplace();
    return save();
}

Result<std::string> TokenStore::create(std::string_view name, std::vector<TokenScope> scopes)
{
    std::sort(scopes.begin(), scopes.end());
    scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
    if (!is_token_name(name))
        return make_error_code(Errc::BadTokenName);
    if (auto loaded = load(nullptr); !loaded)
        return loaded.error();
    for (const auto& entry : *entries_)
        if (entry.info.name == name)
            return make_error_code(Errc::TokenNameTaken);
    if (entries_->size() >= maximum_tokens)
        return make_error_code(Errc::TooManyTokens);
    auto bytes = random_bytes(token_random_bytes);
    if (!bytes)
        return bytes.error();
    std::string token = std::string(token_prefix) + encode_base64(*bytes, Base64Alphabet::Url);
    Entry entry;
    entry.info = {std::string(name), whole_seconds(now_()), std::nullopt, std::move(scopes)};
    entry.hash = to_hex(sha256(token));
    entries_->push_back(std::move(entry));
    if (auto saved = save(); !saved) {
        entries_->pop_back(); // never shown, so never usable
        return saved.error();
    }
    return token;
}

Result<std::vector<TokenInfo>> TokenStore::list(std::string* problem)
{
    if (auto loaded = load(problem); !loaded)
        return loaded.error();
    std::vector<TokenInfo> infos;
    for (const auto& entry : *entries_)
        infos.push_back(entry.info);
    return infos;
}

Result<void> TokenStore::revoke(std::string_view name)
{
    if (auto loaded = load(nullptr); !loaded)
        return loaded.error();
    auto found = std::find_if(entries_->begin(), entries_->end(),
        [&](const Entry& entry) { return entry.info.name == name; });
    if (found == entries_->end())
        return make_error_code(Errc::UnknownToken);
    // Gone from memory even if the file cannot be written: it stops working now, and the error
    // says the file still has it (until the next successful write).
    entries_->erase(found);
    return save();
}

Result<TokenInfo> TokenStore::verify(std::string_view token)
{
    if (!is_token(token))
        return make_error_code(Errc::MalformedToken);
    if (auto loaded = load(nullptr); !loaded)
        return loaded.error();
    auto hash = to_hex(sha256(token));
    Entry* match = nullptr;
    for (auto& entry : *entries_)
        if (equal_in_constant_time(hash, entry.hash))
            match = &entry;
    if (!match)
        return make_error_code(Errc::UnknownToken);
    auto now = whole_seconds(now_());
    match->info.last_used = now;
    if (!match->last_used_saved || now - *match->last_used_saved >= last_used_resolution)
        (void)save(); // only the "last used" figure is at stake: the token is good either way
    return match->info;
}

Result<std::string> bearer_token_from_authorization_header(std::string_view header)
{
    auto first = header.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return make_error_code(Errc::NoSession);
    header.remove_prefix(first);
    // RFC 9110 §11.1: the scheme is case-insensitive.
    constexpr std::string_view scheme = "bearer";
    if (header.size() <= scheme.size()
        || (header[scheme.size()] != ' ' && header[scheme.size()] != '\t'))
        return make_error_code(Errc::NoSession);
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (static_cast<char>(std::tolower(static_cast<unsigned char>(header[i]))) != scheme[i])
            return make_error_code(Errc::NoSession);
    header.remove_prefix(scheme.size());
    auto start = header.find_first_not_of(" \t");
    auto end = header.find_last_not_of(" \t");
    if (start == std::string_view::npos)
        return make_error_code(Errc::MalformedToken);
    auto token = header.substr(start, end - start + 1);
    if (!is_token(token))
        return make_error_code(Errc::MalformedToken);
    return std::string(token);
}

} // namespace uplink::auth
