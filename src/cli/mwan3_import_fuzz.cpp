// libFuzzer target for import_mwan3: no crash and no hang on any mwan3 file (and network file,
// after a line "%%network"), a refusal always says why, and what it prints reads back as UCI.
#include "cli/mwan3_import.hpp"
#include "core/core.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

using namespace uplink;

[[noreturn]] void fail(const char* what, const std::string& text)
{
    (void)std::fprintf(stderr, "mwan3_import_fuzz: %s\n--- text ---\n%s\n---\n", what, text.c_str());
    std::abort();
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char*>(data), size);
    constexpr std::string_view separator = "\n%%network\n";
    std::optional<std::string_view> network;
    auto mwan3 = input;
    if (auto at = input.find(separator); at != std::string_view::npos) {
        mwan3 = input.substr(0, at);
        network = input.substr(at + separator.size());
    }
    auto result = cli::import_mwan3(mwan3, network);
    if (auto* refusal = std::get_if<cli::Mwan3ImportRefusal>(&result)) {
        if (refusal->message.empty())
            fail("refused without a reason", std::string(input));
        return 0;
    }
    const auto& imported = std::get<cli::Mwan3Import>(result);
    std::vector<ConfigDiagnostic> diagnostics;
    auto printout = cli::to_printout(imported);
    if (!parse_uci_sections(printout, diagnostics))
        fail(("the printout is not UCI: " + to_string(diagnostics.front())).c_str(), printout);
    auto sections = parse_uci_sections(cli::to_uci_text(imported.sections), diagnostics);
    if (!sections || sections->size() != imported.sections.size())
        fail("the sections do not read back as themselves", printout);
    return 0;
}
