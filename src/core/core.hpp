// core: what every module shares. Errors as values, logging, the clock, and the
// configuration file (UCI syntax, checked against a schema table).
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <fmt/format.h>
#include <map>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace uplink {

// Expected failures are values (STYLE.md "Errors"). Each module has its own
// error enum and category; Result<T> carries either a T or an error_code.
template <typename T>
using Result = boost::system::result<T, boost::system::error_code>;
using Error = boost::system::error_code;

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

// An enum's names for logs, the API and the config: a table of {value, "name"} pairs, read both
// ways. A value missing from the table is "unknown"; a name missing from it, nullopt.
template <typename Enum, std::size_t Size>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, Size>& names, Enum value)
{
    for (const auto& [candidate, name] : names)
        if (candidate == value)
            return name;
    return "unknown";
}

template <typename Enum, std::size_t Size>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, Size>& names, std::string_view text)
{
    for (const auto& [value, name] : names)
        if (name == text)
            return value;
    return std::nullopt;
}

// ---------------------------------------------------------------- logging
enum class LogLevel { Debug, Info, Warning, Error };
std::string_view to_string(LogLevel level);
std::optional<LogLevel> log_level_from_string(std::string_view text);

// Lines go to stderr as "<level> <component>: <message>"; under systemd or procd
// the timestamp comes from the journal.
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view component, std::string_view message);

template <typename... Args>
void log(LogLevel level, std::string_view component, fmt::format_string<Args...> format, Args&&... args)
{
    if (log_enabled(level))
        log_line(level, component, fmt::format(format, std::forward<Args>(args)...));
}

// The message of the exception `exception` holds: "" for none, "an unknown exception" for one
// that is not a std::exception.
std::string what_of(std::exception_ptr exception);

// A co_spawn completion handler (STYLE.md: spawn with a handler that logs the exception): a
// coroutine that ended with an exception is logged as an error, "<what>: <its message>".
struct LogFailure {
    std::string component;
    std::string what; // "link watcher stopped", "1-1: data connection stopped"
    void operator()(std::exception_ptr exception) const;
};

// ---------------------------------------------------------------- configuration
// One file in UCI syntax (OpenWrt's `config`/`option`/`list`), so `uci` and
// OpenWrt backups work with it. See docs/config.md and docs/config-syntax.md.

enum class ConfigErrc {
    Syntax = 1,        // the file does not parse as UCI
    UnknownSection,    // a section type the schema does not know
    UnknownOption,     // an option its section type does not have
    BadValue,          // a value outside its type or limits
    Missing,           // a required option is absent
    Duplicate,         // a named section or a single option given twice
    Io,                // the file could not be read or written
};
const boost::system::error_category& config_category();
Error make_error_code(ConfigErrc code);

enum class OptionType { String, Integer, Boolean, Enum, List };

struct OptionSchema {
    std::string name;
    OptionType type = OptionType::String;
    std::string default_value;              // empty: no default
    bool required = false;
    std::int64_t minimum = 0;               // Integer only; both 0: no limits
    std::int64_t maximum = 0;               // Integer only
    std::vector<std::string> choices;       // Enum only
    bool secret = false;                    // redacted wherever it is shown (PINs, passwords)
    std::string description;
};

struct SectionSchema {
    std::string type;                       // `config <type> ['name']`
    bool single = false;                    // at most one section of this type
    std::vector<OptionSchema> options;
};

using Schema = std::vector<SectionSchema>;

// How a section was laid out in its file, so that a save keeps what the person wrote: comment
// and blank lines as they were, and the order of options and list values. Filled by the reader,
// read by serialize(); a section an edit adds has none. Other code reads options and lists.
struct ConfigLayout {
    struct Line {                           // an `option` or `list` line
        std::string name;
        std::string value;                  // as read: tells the lines of a list apart
        std::vector<std::string> lines_above; // the comment and blank lines just above it
        std::string comment;                // at the end of the line: "  # the work APN"
    };
    std::vector<std::string> lines_above;   // above the `config` line (a `package` line too)
    std::string comment;                    // at the end of the `config` line
    std::vector<Line> lines;                // in file order
};

struct ConfigSection {
    std::string type;
    std::string name;                       // '' for an anonymous section
    int line = 0;                           // where `config` stood, for messages (0: an edit's)
    std::map<std::string, std::string> options;
    std::map<std::string, std::vector<std::string>> lists;
    ConfigLayout layout;
};

// A diagnostic names the line: to_string() gives
// "line 12: option 'poll_interval': 0 is below the minimum 1" (line 0: not tied to a line of
// the file, as for an I/O error or a value refused by set()).
struct ConfigDiagnostic {
    int line = 0;
    std::string message;
};
std::string to_string(const ConfigDiagnostic& diagnostic);

class Config {
public:
    // Parse and validate the whole text; on failure nothing is returned and
    // every problem found is in `diagnostics` (the caller keeps its running config).
    // Every call replaces the contents of `diagnostics`. The Config keeps a pointer to
    // `schema`, which must outlive it.
    static Result<Config> parse(std::string_view text, const Schema& schema,
                                std::vector<ConfigDiagnostic>& diagnostics);
    static Result<Config> load(const std::string& path, const Schema& schema,
                               std::vector<ConfigDiagnostic>& diagnostics);

    // UCI text as `uci commit` writes it (a tab, values in single quotes), laid out as the file
    // was: its comments and blank lines where they stood, options and list values in its order.
    // What an edit added comes in the schema's order: an option after the section's others, a
    // section after the last of its type, set off by a blank line. An unedited config written by
    // uplink or by `uci commit` gives its text back byte for byte. (config_layout.cpp)
    // save() writes to a temp file, fsync, rename; it fails with the errno of the step that
    // failed (system category), the original file untouched; the caller adds the path when it
    // reports it.
    std::string serialize() const;
    Result<void> save(const std::string& path) const;

    const std::vector<ConfigSection>& sections() const { return sections_; }
    std::vector<const ConfigSection*> sections_of(std::string_view type) const;
    // An empty name finds the first section of the type, named or not (for single sections).
    const ConfigSection* section(std::string_view type, std::string_view name) const;

    // Typed access with the schema's default applied.
    std::string get(const ConfigSection& section, std::string_view option) const;
    std::int64_t get_integer(const ConfigSection& section, std::string_view option) const;
    bool get_boolean(const ConfigSection& section, std::string_view option) const;

    // Edits keep the config valid or fail with the same messages a load gives.
    // The section is found as section() finds it, else created (anonymous for an empty name).
    Result<void> set(std::string_view type, std::string_view name, std::string_view option,
                     std::string_view value, std::vector<ConfigDiagnostic>& diagnostics);
    // Several options of one section at once, checked together (so a new section can get its
    // required options in the same call); an empty value removes the option (its default applies).
    Result<void> set_options(std::string_view type, std::string_view name,
                             const std::map<std::string, std::string>& changes,
                             std::vector<ConfigDiagnostic>& diagnostics);
    // Removes the section of that type and name, with the comment lines directly above it;
    // false when there is none.
    bool remove_section(std::string_view type, std::string_view name);
    // Replaces a List option's values; no values removes it.
    Result<void> set_list(std::string_view type, std::string_view name, std::string_view option,
                          const std::vector<std::string>& values,
                          std::vector<ConfigDiagnostic>& diagnostics);

private:
    const Schema* schema_ = nullptr;
    std::vector<ConfigSection> sections_;
    std::vector<std::string> lines_after_;  // comment and blank lines after the last section
};

// Another program's UCI file (OpenWrt's /etc/config/network, mwan3's): the same syntax and the
// same checks as Config::parse, without a schema. Any section type and option name is taken;
// `option` lines give options and `list` lines lists. On failure every problem found is in
// `diagnostics` (which every call replaces).
Result<std::vector<ConfigSection>> parse_uci_sections(
    std::string_view text, std::vector<ConfigDiagnostic>& diagnostics);

// uci's booleans: 1/0, true/false, yes/no, on/off, enabled/disabled; nothing for another word.
std::optional<bool> parse_uci_boolean(std::string_view text);

// A value as uci writes it: in single quotes, each ' written as '\''.
std::string quote_uci_value(std::string_view value);

// A name the kernel takes for a network interface (its dev_valid_name()): 1 to 15 bytes, not "."
// or "..", no '/', ':' or white space. The options that name an interface are checked by it.
bool is_interface_name(std::string_view name);

// Temp file in the same directory, fsync, rename, fsync of the directory: a crash leaves the old
// file or the new one. A replaced file keeps its mode; a new one gets `new_file_mode` (0600 by
// default: configs hold PINs). Errors are errno values.
Result<void> write_file_atomically(const std::string& path, std::string_view text, unsigned new_file_mode = 0600);

// The whole file, when it is there and at most `maximum_bytes` long; nullopt when it is not
// there. Errors are errno values: ELOOP for a symbolic link (never followed), EINVAL for what is
// not a regular file (a FIFO, a device), EFBIG when it is longer.
Result<std::optional<std::string>> read_small_file(const std::string& path, std::size_t maximum_bytes);

// Why the state directory may not be trusted, or "" when it may: it, or anything in it, is not
// owned by `owner`, is writable by its group or by every user, or is a symbolic link or neither a
// file nor a directory. Whoever could write there could plant an admin password or an API token.
std::string untrusted_state_directory(const std::string& directory, uid_t owner);

// ---------------------------------------------------------------- text from modems
// Operator names reach us in the encodings of 3GPP TS 23.038 (the GSM 7-bit default alphabet,
// UCS-2); these give UTF-8. A unit that does not decode becomes U+FFFD, never an error.

// Septets (one a byte, values 0..127) of the GSM 7-bit default alphabet, 23.038 §6.2.1, with
// the extension table after 0x1B (§6.2.1.1): "@" is 0x00, "€" is 0x1B 0x65.
std::string utf8_from_gsm7(std::span<const std::uint8_t> septets);
// Packed septets, 23.038 §6.1.2.1.1: `count` of them from the start of `packed` (fewer if it
// runs out).
std::vector<std::uint8_t> unpack_gsm7(std::span<const std::uint8_t> packed, std::size_t count);
enum class ByteOrder { BigEndian, LittleEndian };
// UCS-2 (23.038 §6.2.3; UTF-16 surrogate pairs are decoded too). An odd last byte is dropped.
std::string utf8_from_ucs2(std::span<const std::uint8_t> bytes, ByteOrder order);

} // namespace uplink

namespace boost::system {
template <>
struct is_error_code_enum<uplink::ConfigErrc> : std::true_type {};
} // namespace boost::system
