// libFuzzer target for /etc/config/uplink as uplinkd reads it: the real schema (settings_schema())
// and the checks settings_from() adds. Any text gives settings or diagnostics, never a crash; a
// text that gives settings is written again by Config::serialize() and that text gives the
// same settings (changed_settings() finds nothing).
#include "daemon/settings.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace uplink;

[[noreturn]] void fail(const char* what, const std::string& text)
{
    (void)std::fprintf(
        stderr, "daemon settings fuzz: %s\n--- text ---\n%s\n---\n", what, text.c_str());
    std::abort();
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<ConfigDiagnostic> diagnostics;
    auto settings = daemon::parse_settings(text, diagnostics);
    if (!settings) {
        if (diagnostics.empty())
            fail("settings refused without a diagnostic", text);
        return 0;
    }
    (void)daemon::web_exposure_on_wan(settings->web, "wwan0", {"192.0.2.1", "2001:db8::1"});

    diagnostics.clear();
    auto config = Config::parse(text, daemon::settings_schema(), diagnostics);
    if (!config)
        fail("settings from a text the schema refuses", text);
    auto written = config->serialize();
    auto again = daemon::parse_settings(written, diagnostics);
    if (!again)
        fail("the serialized config gives no settings", written);
    if (auto changed = daemon::changed_settings(*settings, *again); !changed.empty())
        fail(("the serialized config changes " + changed.front()).c_str(), written);
    return 0;
}
