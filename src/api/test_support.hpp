// Running one coroutine to completion in a test, without sleeps.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace uplink::api::testing {

template <typename T>
T run_to_completion(boost::asio::awaitable<T> work)
{
    boost::asio::io_context io;
    std::optional<T> result;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr exception, T value) {
        failure = exception;
        if (!exception)
            result = std::move(value);
    });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
    return std::move(*result);
}

} // namespace uplink::api::testing
