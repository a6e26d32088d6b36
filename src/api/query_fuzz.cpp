// libFuzzer target for what a request target carries besides its route: the query
// ("since=-3600&points=500"), percent escapes and the path's segments. The query is written
// again with every byte escaped, and that text parses to the same names and values.
#include "api/router.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace uplink::api;

[[noreturn]] void fail(const char* what, std::string_view text)
{
    (void)std::fprintf(stderr, "api query fuzz: %s\n--- input ---\n%.*s\n---\n", what,
        static_cast<int>(text.size()), text.data());
    std::abort();
}

std::string escaped(std::string_view text)
{
    constexpr std::string_view digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char byte : text) {
        out += '%';
        out += digits[byte >> 4];
        out += digits[byte & 0xF];
    }
    return out;
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto decoded = percent_decode(text);
    if (decoded.size() > text.size())
        fail("a decoded text longer than the escaped one", text);
    if (percent_decode(escaped(text)) != text)
        fail("escaping every byte does not decode back", text);

    auto query = parse_query(text);
    std::string written;
    for (const auto& [name, value] : query)
        written += (written.empty() ? "" : "&") + escaped(name) + "=" + escaped(value);
    if (parse_query(written) != query)
        fail("a query written again parses to other names or values", text);

    auto slashes = static_cast<std::size_t>(std::count(text.begin(), text.end(), '/'));
    if (!text.empty() && text.front() == '/' && split_path(text).size() > slashes)
        fail("more path segments than slashes", text);
    return 0;
}
