// libFuzzer target for <state_dir>/api-tokens: parse_token_file() on any text. Whatever parses
// is at most TokenStore::maximum_tokens tokens with distinct names and hashes, and the text
// token_file_text() writes for them parses back to the same tokens.
#include "auth/auth.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace uplink::auth;

[[noreturn]] void fail(const char* what, std::string_view text)
{
    (void)std::fprintf(stderr, "auth token file fuzz: %s\n--- text ---\n%.*s\n---\n", what,
        static_cast<int>(text.size()), text.data());
    std::abort();
}

bool same(const TokenFileEntry& left, const TokenFileEntry& right)
{
    return left.info.name == right.info.name && left.info.created == right.info.created
        && left.info.last_used == right.info.last_used && left.info.scopes == right.info.scopes
        && left.hash == right.hash;
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string problem;
    auto entries = parse_token_file(text, "/tmp/api-tokens", &problem);
    if (!entries) {
        if (!problem.starts_with("/tmp/api-tokens"))
            fail("a corrupt file without a problem that names it", text);
        return 0;
    }
    if (entries->size() > TokenStore::maximum_tokens)
        fail("more tokens than a file may hold", text);
    auto written = token_file_text(*entries);
    auto again = parse_token_file(written, "/tmp/api-tokens", &problem);
    if (!again)
        fail(("the written file does not parse: " + problem).c_str(), written);
    if (again->size() != entries->size())
        fail("the written file has another number of tokens", written);
    for (std::size_t index = 0; index < entries->size(); ++index)
        if (!same((*entries)[index], (*again)[index]))
            fail("the written file gives another token", written);
    return 0;
}
