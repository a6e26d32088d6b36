// A password operation's KDF on a worker thread, so that scrypt (hundreds of milliseconds on a
// router) does not stall the event loop that serves the modems, the API and the event streams.
#include "auth/auth.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace uplink::auth {

namespace asio = boost::asio;

namespace {

// `work` is a copy: the worker shares nothing with the Authenticator.
asio::awaitable<KdfOutcome> kdf_on_worker(KdfWork work)
{
    auto outcome = run_kdf(work);
#if defined(__GLIBC__)
    // scrypt's buffer is 16 MB at the default cost. Once glibc has freed one such block, it raises
    // its mmap threshold past that size, and the next buffers come from the worker's arena, which
    // keeps them resident after they are freed: 16 MB of RSS for nothing, after any second login.
    // Trimming gives them back. (musl, OpenWrt's libc, unmaps large blocks when they are freed.)
    ::malloc_trim(0);
#endif
    co_return outcome;
}

} // namespace

asio::awaitable<Result<std::optional<Session>>> complete(
    Authenticator& authenticator, PasswordOperation operation, asio::any_io_executor kdf_executor)
{
    // co_spawn resumes this coroutine on its own executor (the loop) once the worker is done.
    auto outcome = co_await asio::co_spawn(
        std::move(kdf_executor), kdf_on_worker(operation.work()), asio::use_awaitable);
    co_return authenticator.finish(std::move(operation), std::move(outcome));
}

} // namespace uplink::auth
