#include "daemon/config_editor.hpp"

#include <cerrno>
#include <sys/stat.h>

namespace uplink::daemon {

namespace {

std::vector<std::string> messages_of(const std::vector<ConfigDiagnostic>& diagnostics)
{
    std::vector<std::string> messages;
    for (const auto& diagnostic : diagnostics)
        messages.push_back(diagnostic.message);
    return messages;
}

} // namespace

ConfigEditor::ConfigEditor(std::string path, const modem::Manager& manager, Apply apply)
    : path_(std::move(path)), manager_(manager), apply_(std::move(apply))
{
}

Result<api::ConfigEditOutcome> ConfigEditor::edit(const api::ConfigEdit& edit, const Settings& running)
{
    api::ConfigEditOutcome outcome;
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
        if (!config->remove_section(edit.type, edit.name))
            outcome.problems.push_back(fmt::format("there is no {} '{}'", edit.type, edit.name));
    } else if (edit.name.empty()) {
        outcome.problems.push_back(fmt::format("a {} edited here needs a name", edit.type));
    } else if (!config->set_options(edit.type, edit.name, edit.options, diagnostics)) {
        outcome.problems = messages_of(diagnostics);
    }
    if (!outcome.problems.empty())
        return outcome;
    auto settings = settings_from(*config, diagnostics);
    if (!settings) {
        outcome.problems = messages_of(diagnostics);
        return outcome;
    }
    outcome.changes = manager_.preview(settings->modem);
    if (edit.mode == api::ConfigEdit::Mode::Preview)
        return outcome;
    if (auto saved = config->save(path_); !saved)
        return saved.error();
    auto changed = changed_settings(running, *settings);
    apply_(std::move(*settings), std::move(changed));
    outcome.applied = true;
    return outcome;
}

} // namespace uplink::daemon
