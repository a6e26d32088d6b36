// The CLI's side of a conversation with uplinkd: requests, replies and what a person reads.
#include "cli/session.hpp"

#include <boost/json.hpp>
#include <boost/system/errc.hpp>
#include <fmt/format.h>

#include <cctype>

namespace uplink::cli {

namespace json = boost::json;

std::string connect_failure(const std::string& path, const Error& error)
{
    if (error == boost::system::errc::no_such_file_or_directory)
        return fmt::format("uplinkd is not running (no socket at {})", path);
    if (error == boost::system::errc::connection_refused)
        return fmt::format("uplinkd is not running (nothing answers on {}, left from an earlier run)", path);
    if (error == boost::system::errc::permission_denied)
        return fmt::format("cannot connect to {}: permission denied (run as root or as a member of the "
                           "socket's group)",
                           path);
    return fmt::format("cannot connect to {}: {}", path, error.message());
}

std::string read_failure(const Invocation& invocation, const Error& error)
{
    if (error == boost::system::errc::connection_aborted)
        return "uplinkd closed the connection without answering (did it stop? see its log)";
    if (error == boost::system::errc::timed_out)
        return fmt::format("uplinkd did not answer within {} s", reply_timeout.count());
    return fmt::format("reading from {} failed: {}", invocation.socket_path, error.message());
}

std::optional<json::value> request(Session& session, std::string_view method, const std::string& path, json::value body)
{
    json::object line{{"method", method}, {"path", path}};
    if (!body.is_null())
        line["body"] = std::move(body);
    if (auto written = session.connection.write_line(json::serialize(line)); !written) {
        session.errors << fmt::format("sending to {} failed: {}\n", session.invocation.socket_path,
                                      written.error().message());
        return std::nullopt;
    }
    auto reply_line = session.connection.read_line(reply_timeout);
    if (!reply_line) {
        session.errors << read_failure(session.invocation, reply_line.error()) << '\n';
        return std::nullopt;
    }
    json::error_code error;
    auto reply = json::parse(*reply_line, error);
    const auto* status = reply.is_object() ? reply.as_object().if_contains("status") : nullptr;
    if (error || !status || !status->is_int64()) {
        session.errors << "uplinkd sent a reply that is not the API's JSON: " << reply_line->substr(0, 200) << '\n';
        return std::nullopt;
    }
    if (status->as_int64() >= 400) {
        const auto* message = reply.as_object().if_contains("error");
        if (message && message->is_string())
            session.errors << std::string_view(message->as_string()) << '\n';
        else
            session.errors << "uplinkd answered with status " << status->as_int64() << '\n';
        return std::nullopt;
    }
    const auto* reply_body = reply.as_object().if_contains("body");
    return reply_body ? *reply_body : json::value(nullptr);
}

namespace {

bool all_digits(std::string_view text)
{
    return !text.empty() && text.size() < 6 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string lower_case(std::string text)
{
    for (auto& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The id of the modem whose `field` is `value`, if one's is.
std::optional<std::string> id_where(const json::array& modems, std::string_view field, std::string_view value)
{
    for (const auto& modem : modems) {
        const auto* object = modem.if_object();
        const auto* id = object ? object->if_contains("id") : nullptr;
        const auto* candidate = object ? object->if_contains(field) : nullptr;
        if (id && id->is_string() && candidate && candidate->is_string() && candidate->as_string() == value)
            return std::string(id->as_string());
    }
    return std::nullopt;
}

} // namespace

// A real id always contains '-' (a USB path), so a plain number or a WAN name is never ambiguous
// unless a modem has it as its id.
std::optional<std::string> resolve_modem(Session& session, const std::string& given)
{
    auto wan = lower_case(given);
    bool wan_name = wan.starts_with("wan") && all_digits(std::string_view(wan).substr(3));
    if (!all_digits(given) && !wan_name)
        return given;
    auto modems = request(session, "GET", "/v1/modems");
    if (!modems)
        return std::nullopt;
    const auto* list = modems->if_array();
    if (!list)
        return given;
    if (auto id = id_where(*list, "id", given))
        return id;
    if (wan_name) {
        if (auto id = id_where(*list, "wan", wan))
            return id;
        session.errors << fmt::format("no modem is {}: `uplink modems` lists {}\n", wan, list->size());
        return std::nullopt;
    }
    auto number = std::stoul(given);
    if (number >= 1 && number <= list->size()) {
        const auto& modem = (*list)[number - 1];
        const auto* id = modem.is_object() ? modem.as_object().if_contains("id") : nullptr;
        if (id && id->is_string())
            return std::string(id->as_string());
    }
    session.errors << fmt::format("no modem number {}: `uplink modems` lists {}\n", given, list->size());
    return std::nullopt;
}

std::string path_segment(const std::string& id)
{
    // Ids are USB paths ("1-1.2"); escape anything else so it stays one path segment.
    std::string escaped;
    for (unsigned char c : id) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
            escaped.push_back(static_cast<char>(c));
        else
            escaped += fmt::format("%{:02X}", c);
    }
    return escaped;
}


} // namespace uplink::cli
