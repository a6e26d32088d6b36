// Edits of profiles and rules, and restores of a whole file from a backup, from the API and the
// CLI: made on the config file as it is now (or on the backup's text), checked whole as a reload
// checks it, previewed against the running modems, and when applied saved atomically (temp file,
// fsync, rename) and taken live the way SIGHUP takes a reload.
#pragma once

#include "daemon/settings.hpp"

#include <api/api.hpp>
#include <modem/modem.hpp>

#include <functional>
#include <string>

namespace uplink::daemon {

class ConfigEditor {
public:
    using Apply = std::function<void(Settings settings, std::vector<std::string> changed)>;
    ConfigEditor(std::string path, const modem::Manager& manager, Apply apply);

    // A refused edit (a bad value, an unknown profile, a config file that has problems of its
    // own) is an outcome with problems, and changes nothing; an error means the save failed.
    // Without SecretAccess::Full, an edit that sets a secret option is an outcome with that
    // option `forbidden`, and a preview compares secrets only as set or not.
    Result<api::ConfigEditOutcome> edit(const api::ConfigEdit& edit, const Settings& running);
    // A restored text is saved as it is, comments and all, so that a backup comes back unchanged.
    Result<api::ConfigEditOutcome> restore(const api::ConfigRestore& restore, const Settings& running);
    Result<api::ConfigFile> read() const;

private:
    // What `settings` (checked whole already) would change; with Mode::Apply, `text` replaces the
    // file and the settings are applied.
    Result<api::ConfigEditOutcome> take(Settings settings, std::string_view text, api::ConfigEdit::Mode mode,
        modem::SecretComparison secrets, const Settings& running);

    std::string path_;
    const modem::Manager& manager_;
    Apply apply_;
};

} // namespace uplink::daemon
