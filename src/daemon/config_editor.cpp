#include "daemon/config_editor.hpp"

#include <cerrno>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

namespace uplink::daemon {

namespace {

// The secret options (the schema's `secret`: PINs, passwords) among those an edit sets.
std::vector<std::string> secret_options(const api::ConfigEdit& edit)
{
    std::vector<std::string> secrets;
    for (const auto& section : settings_schema())
        if (section.type == edit.type)
            for (const auto& option : section.options)
                if (option.secret && edit.options.contains(option.name))
                    secrets.push_back(option.name);
    return secrets;
}

modem::SecretComparison comparison_for(api::SecretAccess access)
{
    return access == api::SecretAccess::Full ? modem::SecretComparison::Compared : modem::SecretComparison::Hidden;
}

std::vector<std::string> messages_of(const std::vector<ConfigDiagnostic>& diagnostics)
{
    std::vector<std::string> messages;
    for (const auto& diagnostic : diagnostics)
        messages.push_back(diagnostic.message);
    return messages;
}

// What still names a profile, each as a reason not to remove it (docs/api.md: a 409). Asked of
// the file before the removal, because the settings check after it takes a missing 'default'
// for the built-in profile: the profile, its PIN with it, would be gone without a word.
std::vector<std::string> uses_of_profile(const Config& config, std::string_view name)
{
    std::vector<std::string> uses;
    ConfigSection defaults;   // without a main section, default_profile has its default
    defaults.type = "uplink";
    const ConfigSection* main_section = config.section("uplink", "");
    if (config.get(main_section ? *main_section : defaults, "default_profile") == name)
        uses.push_back(fmt::format("profile '{}' is the default profile (option 'default_profile'), the one of "
                                   "every SIM no rule matches; change its options instead, or make another "
                                   "profile the default first",
            name));
    for (const auto* rule : config.sections_of("rule")) {
        if (config.get(*rule, "profile") != name)
            continue;
        auto which = rule->name.empty() ? fmt::format("the rule on line {}", rule->line)
                                        : fmt::format("rule '{}'", rule->name);
        uses.push_back(fmt::format("{} uses profile '{}'; change or delete the rule first", which, name));
    }
    return uses;
}

// The edit's options and lists set on `config`, or the problems that refuse it. A list option
// given as one value (`uplink wan set fibre track_ip=192.0.2.1`) is a list of that value.
void set_options(Config& config, const api::ConfigEdit& edit, std::vector<std::string>& problems)
{
    auto schema = settings_schema();
    auto is_list = [&](const std::string& name) {
        for (const auto& section : schema)
            if (section.type == edit.type)
                for (const auto& option : section.options)
                    if (option.name == name)
                        return option.type == OptionType::List;
        return false;
    };
    auto options = edit.options;
    auto lists = edit.lists;
    for (auto option = options.begin(); option != options.end();) {
        if (!is_list(option->first)) {
            ++option;
            continue;
        }
        lists[option->first] = option->second.empty() ? std::vector<std::string> {} : std::vector {option->second};
        option = options.erase(option);
    }
    std::vector<ConfigDiagnostic> diagnostics;
    if (!config.set_options(edit.type, edit.name, options, diagnostics)) {
        problems = messages_of(diagnostics);
        return;
    }
    for (const auto& [option, values] : lists)
        if (!config.set_list(edit.type, edit.name, option, values, diagnostics)) {
            auto messages = messages_of(diagnostics);
            problems.insert(problems.end(), messages.begin(), messages.end());
        }
}

} // namespace

ConfigEditor::ConfigEditor(std::string path, const modem::Manager& manager, Apply apply)
    : path_(std::move(path)), manager_(manager), apply_(std::move(apply))
{
}

Result<api::ConfigEditOutcome> ConfigEditor::edit(const api::ConfigEdit& edit, const Settings& running)
{
    api::ConfigEditOutcome outcome;
    if (edit.secrets == api::SecretAccess::None) {
        outcome.forbidden = secret_options(edit);
        if (!outcome.forbidden.empty())
            return outcome;
    }
    std::vector<ConfigDiagnostic> diagnostics;
    struct stat status {};
    bool exists = ::stat(path_.c_str(), &status) == 0 || errno != ENOENT;
    auto config = exists ? Config::load(path_, settings_schema(), diagnostics)
                         : Config::parse("", settings_schema(), diagnostics);
    if (!config) {
        for (const auto& diagnostic : diagnostics)
            outcome.problems.push_back(fmt::format("{} has a problem of its own, fix it first: {}", path_,
                to_string(diagnostic)));
        return outcome;
    }
    if (edit.kind == api::ConfigEdit::Kind::Remove) {
        if (edit.type == "profile" && config->section("profile", edit.name))
            outcome.problems = uses_of_profile(*config, edit.name);
        if (outcome.problems.empty() && !config->remove_section(edit.type, edit.name))
            outcome.problems.push_back(fmt::format("there is no {} '{}'", edit.type, edit.name));
    } else if (edit.name.empty()) {
        outcome.problems.push_back(fmt::format("a {} edited here needs a name", edit.type));
    } else {
        set_options(*config, edit, outcome.problems);
    }
    if (!outcome.problems.empty())
        return outcome;
    auto settings = settings_from(*config, diagnostics);
    if (!settings) {
        outcome.problems = messages_of(diagnostics);
        return outcome;
    }
    return take(std::move(*settings), config->serialize(), edit.mode, comparison_for(edit.secrets), running);
}

Result<api::ConfigEditOutcome> ConfigEditor::restore(const api::ConfigRestore& restore, const Settings& running)
{
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = parse_settings(restore.text, diagnostics);
    if (!settings) {
        api::ConfigEditOutcome outcome;
        for (const auto& diagnostic : diagnostics)
            outcome.problems.push_back(to_string(diagnostic));   // "line 7: option 'poll_interval': ..."
        return outcome;
    }
    return take(std::move(*settings), restore.text, restore.mode, modem::SecretComparison::Compared, running);
}

Result<api::ConfigEditOutcome> ConfigEditor::take(Settings settings, std::string_view text,
    api::ConfigEdit::Mode mode, modem::SecretComparison secrets, const Settings& running)
{
    api::ConfigEditOutcome outcome;
    // An edit of uplink's file leaves the network file as it was read at the last load or reload:
    // read again only when the edit points uplinkd at another one (its warnings are logged then).
    if (settings.netifd_network == running.netifd_network)
        settings.modem.netifd_modems = running.modem.netifd_modems;
    else
        for (const auto& warning : read_netifd_network(settings))
            log(LogLevel::Warning, "uplinkd", "{}", warning);
    outcome.changes = manager_.preview(settings.modem, secrets);
    outcome.changed = changed_settings(running, settings);
    outcome.restart_required = restart_required(running, settings);
    if (mode == api::ConfigEdit::Mode::Preview)
        return outcome;
    if (auto saved = write_file_atomically(path_, text); !saved)
        return saved.error();
    apply_(std::move(settings), outcome.changed);
    outcome.applied = true;
    return outcome;
}

Result<api::ConfigFile> ConfigEditor::read() const
{
    api::ConfigFile file {path_, {}};
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        if (errno == ENOENT)
            return file;
        return Error(errno, boost::system::system_category());
    }
    file.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad())
        return Error(EIO, boost::system::system_category());
    return file;
}

} // namespace uplink::daemon
