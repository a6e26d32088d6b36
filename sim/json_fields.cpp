#include "sim/json_fields.hpp"

#include <boost/json/array.hpp>
#include <charconv>
#include <fmt/format.h>

namespace uplink::sim {

Fields::Fields(const boost::json::object& object, std::string where, std::string& message)
    : object_(object)
    , where_(std::move(where))
    , message_(message)
{
}

std::string Fields::path(std::string_view key) const
{
    return where_.empty() ? std::string(key) : fmt::format("{}.{}", where_, key);
}

void Fields::fail(std::string_view key, std::string_view text)
{
    if (message_.empty())
        message_ = fmt::format("{}: {}", path(key), text);
}

void Fields::fail_here(std::string_view text)
{
    if (message_.empty())
        message_ = where_.empty() ? std::string(text) : fmt::format("{}: {}", where_, text);
}

const boost::json::value* Fields::lookup(std::string_view key)
{
    known_.emplace(key);
    return object_.if_contains(key);
}

bool Fields::has(std::string_view key) const
{
    return object_.contains(key);
}

const boost::json::value* Fields::value(std::string_view key)
{
    return lookup(key);
}

bool Fields::require(std::string_view key)
{
    known_.emplace(key);
    if (object_.contains(key))
        return true;
    fail(key, "missing");
    return false;
}

std::optional<std::string> Fields::string(std::string_view key)
{
    const auto* value = lookup(key);
    if (value == nullptr)
        return std::nullopt;
    if (!value->is_string()) {
        fail(key, "expected a string");
        return std::nullopt;
    }
    return std::string(value->get_string());
}

std::optional<std::int64_t> Fields::integer(
    std::string_view key, std::int64_t minimum, std::int64_t maximum)
{
    const auto* value = lookup(key);
    if (value == nullptr)
        return std::nullopt;
    std::optional<std::int64_t> number;
    if (value->is_int64())
        number = value->get_int64();
    else if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(maximum))
        number = static_cast<std::int64_t>(value->get_uint64());
    if (!number || *number < minimum || *number > maximum) {
        fail(key, fmt::format("expected an integer {}..{}", minimum, maximum));
        return std::nullopt;
    }
    return number;
}

std::optional<bool> Fields::boolean(std::string_view key)
{
    const auto* value = lookup(key);
    if (value == nullptr)
        return std::nullopt;
    if (!value->is_bool()) {
        fail(key, "expected true or false");
        return std::nullopt;
    }
    return value->get_bool();
}

std::optional<std::uint32_t> Fields::hex_or_integer(std::string_view key, std::uint32_t maximum)
{
    const auto* value = lookup(key);
    if (value == nullptr)
        return std::nullopt;
    auto bad = [&] {
        fail(key, fmt::format("expected an integer or a hex string up to {:X}", maximum));
        return std::nullopt;
    };
    if (value->is_int64() || value->is_uint64()) {
        auto number = value->is_int64() ? value->get_int64() : -1;
        if (value->is_uint64() || number < 0 || static_cast<std::uint64_t>(number) > maximum)
            return bad();
        return static_cast<std::uint32_t>(number);
    }
    if (!value->is_string())
        return bad();
    std::string_view text = value->get_string();
    if (text.starts_with("0x") || text.starts_with("0X"))
        text.remove_prefix(2);
    std::uint64_t number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number, 16);
    if (text.empty() || error != std::errc {} || end != text.data() + text.size()
        || number > maximum)
        return bad();
    return static_cast<std::uint32_t>(number);
}

const boost::json::object* Fields::object(std::string_view key)
{
    const auto* value = lookup(key);
    if (value == nullptr)
        return nullptr;
    if (!value->is_object()) {
        fail(key, "expected an object");
        return nullptr;
    }
    return &value->get_object();
}

const boost::json::array* Fields::array(std::string_view key)
{
    const auto* value = lookup(key);
    if (value == nullptr)
        return nullptr;
    if (!value->is_array()) {
        fail(key, "expected an array");
        return nullptr;
    }
    return &value->get_array();
}

bool Fields::finish()
{
    for (const auto& entry : object_) {
        if (!known_.contains(std::string_view(entry.key()))) {
            fail(entry.key(), "unknown field");
            break;
        }
    }
    return message_.empty();
}

std::string indexed(std::string_view where, std::size_t index)
{
    return fmt::format("{}[{}]", where, index);
}

} // namespace uplink::sim
