#include "core/core.hpp"

#include <atomic>
#include <cstdio>

namespace uplink {

namespace {
std::atomic<LogLevel> threshold{LogLevel::Info};
}

std::string_view to_string(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    }
    return "unknown";
}

std::optional<LogLevel> log_level_from_string(std::string_view text)
{
    for (auto level : {LogLevel::Debug, LogLevel::Info, LogLevel::Warning, LogLevel::Error})
        if (to_string(level) == text)
            return level;
    return std::nullopt;
}

void set_log_level(LogLevel level) { threshold = level; }

bool log_enabled(LogLevel level) { return level >= threshold.load(); }

std::string what_of(std::exception_ptr exception)
{
    if (!exception)
        return "";
    try {
        std::rethrow_exception(exception);
    } catch (const std::exception& caught) {
        return caught.what();
    } catch (...) {
        return "an unknown exception";
    }
}

void LogFailure::operator()(std::exception_ptr exception) const
{
    if (exception)
        log(LogLevel::Error, component, "{}: {}", what, what_of(exception));
}

void log_line(LogLevel level, std::string_view component, std::string_view message)
{
    // One fwrite per line so lines from the daemon and its children never interleave mid-line.
    auto line = fmt::format("{} {}: {}\n", to_string(level), component, message);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace uplink
