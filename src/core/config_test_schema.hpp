// A small schema with every option type, shaped like the daemon's, for the config tests
// and the fuzzer. Private to core.
#pragma once

#include "core/core.hpp"

#include <utility>

namespace uplink::config_testing {

// Built field by field: g++ 12 with -Wextra warns about designated initializers that leave
// members out (-Wmissing-field-initializers).
inline OptionSchema option(std::string name, OptionType type, std::string default_value = {})
{
    OptionSchema option;
    option.name = std::move(name);
    option.type = type;
    option.default_value = std::move(default_value);
    return option;
}

inline OptionSchema integer(
    std::string name, std::string default_value, std::int64_t minimum, std::int64_t maximum)
{
    auto result = option(std::move(name), OptionType::Integer, std::move(default_value));
    result.minimum = minimum;
    result.maximum = maximum;
    return result;
}

inline OptionSchema choice(
    std::string name, std::string default_value, std::vector<std::string> choices)
{
    auto result = option(std::move(name), OptionType::Enum, std::move(default_value));
    result.choices = std::move(choices);
    return result;
}

inline OptionSchema required(OptionSchema option)
{
    option.required = true;
    return option;
}

inline OptionSchema secret(OptionSchema option)
{
    option.secret = true;
    return option;
}

inline const Schema& test_schema()
{
    static const Schema schema {
        {"globals", true,
            {
                choice("log_level", "info", {"debug", "info", "warning", "error"}),
                integer("poll_interval", "10", 1, 3600),
                option("web", OptionType::Boolean, "1"),
                option("hostname", OptionType::String, "uplink"),
            }},
        {"modem", false,
            {
                required(option("device", OptionType::String)),
                option("apn", OptionType::String),
                secret(option("pin", OptionType::String)),
                secret(integer("puk", "", 0, 99999999)),
                option("enabled", OptionType::Boolean, "yes"),
                integer("mtu", "1500", 576, 9000),
                choice("mode", "auto", {"auto", "lte", "nr"}),
                option("dns", OptionType::List),
            }},
        {"wan", false,
            {
                required(option("interface", OptionType::String)),
                integer("metric", "", 0, 0), // no limits
                required(option("track", OptionType::List)),
            }},
    };
    return schema;
}

} // namespace uplink::config_testing
