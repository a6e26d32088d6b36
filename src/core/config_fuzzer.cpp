// libFuzzer target for Config::parse: no crash on any input, and whenever a text parses,
// what serialize() writes parses back to the same sections and is written the same again, with
// every comment kept; so does what it writes once a section is removed.
#include "core/config_test_schema.hpp"
#include "core/core.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

using namespace uplink;

[[noreturn]] void fail(const char* what, const std::string& text)
{
    (void)std::fprintf(stderr, "config_fuzzer: %s\n--- text ---\n%s\n---\n", what, text.c_str());
    std::abort();
}

bool same_sections(const Config& left, const Config& right)
{
    const auto& a = left.sections();
    const auto& b = right.sections();
    if (a.size() != b.size())
        return false;
    for (std::size_t index = 0; index < a.size(); ++index)
        if (a[index].type != b[index].type || a[index].name != b[index].name
            || a[index].options != b[index].options || a[index].lists != b[index].lists)
            return false;
    return true;
}

// Writes `config`, and checks that the text reads back as the same config and is written the
// same again.
std::string write_and_reread(const Config& config)
{
    const auto& schema = config_testing::test_schema();
    std::vector<ConfigDiagnostic> diagnostics;
    auto written = config.serialize();
    auto reread = Config::parse(written, schema, diagnostics);
    if (!reread)
        fail(
            ("serialized text does not parse: " + to_string(diagnostics.front())).c_str(), written);
    if (!same_sections(config, *reread))
        fail("serialized text parses to other sections", written);
    if (reread->serialize() != written)
        fail("serializing twice gives another text", written);
    return written;
}

int count_lines(std::string_view text)
{
    int lines = 1;
    for (char character : text)
        lines += character == '\n';
    return lines;
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string text(reinterpret_cast<const char*>(data), size);
    const auto& schema = config_testing::test_schema();
    std::vector<ConfigDiagnostic> diagnostics;
    auto config = Config::parse(text, schema, diagnostics);
    if (!config) {
        if (diagnostics.empty())
            fail("parse failed without a diagnostic", text);
        for (const auto& diagnostic : diagnostics)
            if (diagnostic.line < 1 || diagnostic.line > count_lines(text)
                || diagnostic.message.empty())
                fail("diagnostic outside the text", text);
        return 0;
    }
    if (!diagnostics.empty())
        fail("parse succeeded with diagnostics", text);

    auto written = write_and_reread(*config);
    // A '#' is in a comment or a quoted value, and both are written again.
    auto hashes = [](const std::string& of) { return std::count(of.begin(), of.end(), '#'); };
    if (hashes(text) != hashes(written))
        fail("serialized text lost a comment", text);

    if (config->sections().empty())
        return 0;
    const auto& removed = config->sections()[size % config->sections().size()];
    std::string type = removed.type;
    std::string name = removed.name;
    if (!config->remove_section(type, name))
        fail("a section of the config could not be removed", text);
    write_and_reread(*config);
    return 0;
}
