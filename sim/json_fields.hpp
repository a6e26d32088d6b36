// Reading one JSON object field by field with messages that name the field
// ("modems[0].timings.boot_ms: expected an integer 0..600000"). Private to sim/.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace uplink::sim {

class Fields {
public:
    // `message` is shared by every reader of one document: the first failure wins.
    Fields(const boost::json::object& object, std::string where, std::string& message);

    std::optional<std::string> string(std::string_view key);
    std::optional<std::int64_t> integer(
        std::string_view key, std::int64_t minimum, std::int64_t maximum);
    std::optional<bool> boolean(std::string_view key);
    // A number written as an integer or as a hex string ("844D92A").
    std::optional<std::uint32_t> hex_or_integer(std::string_view key, std::uint32_t maximum);
    const boost::json::object* object(std::string_view key);
    const boost::json::array* array(std::string_view key);
    const boost::json::value* value(std::string_view key); // any type; null counts as present
    bool has(std::string_view key) const;

    bool require(std::string_view key); // fails when the key is absent
    void fail(std::string_view key, std::string_view text); // "<where>.<key>: <text>"
    void fail_here(std::string_view text); // "<where>: <text>"
    // Fails on keys no getter asked for; returns true when no failure was recorded at all.
    bool finish();
    bool failed() const { return !message_.empty(); }

    std::string path(std::string_view key) const;

private:
    const boost::json::value* lookup(std::string_view key);

    const boost::json::object& object_;
    std::string where_;
    std::string& message_;
    std::set<std::string, std::less<>> known_;
};

// "[3]" appended to a path.
std::string indexed(std::string_view where, std::size_t index);

} // namespace uplink::sim
