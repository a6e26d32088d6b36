// libFuzzer target for what auth reads from outside: the Cookie and Authorization headers, a
// client address, an entered setup code, and the stored password line. No crash on any input;
// whatever is accepted has the one form it must have.
#include "auth/auth.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

using namespace uplink::auth;

[[noreturn]] void fail(const char* what, std::string_view text)
{
    (void)std::fprintf(stderr, "auth headers_fuzzer: %s\n--- input ---\n%.*s\n---\n", what,
        static_cast<int>(text.size()), text.data());
    std::abort();
}

bool is_lower_hex_64(std::string_view text)
{
    return text.size() == 64
        && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);

    if (auto id = session_id_from_cookie_header(text); id && !is_lower_hex_64(*id))
        fail("a session id that is not 64 hex digits", text);
    if (auto token = bearer_token_from_authorization_header(text);
        token && (token->size() != 47 || token->rfind("upl_", 0) != 0))
        fail("a token that is not upl_ and 43 characters", text);
    if (client_key(text).size() > 64)
        fail("a client key longer than 64", text);
    (void)SetupCode::from_text("ABCDE-FGHJK").matches(text);
    (void)request_kind(text);
    // Only lines that parse reach scrypt, at the cost their parameters name (bounded at 256 MiB).
    if (auto parameters = kdf_parameters_of(text); parameters && parameters->log2_cost <= 12)
        (void)verify_password(text, "fuzz");
    return 0;
}
