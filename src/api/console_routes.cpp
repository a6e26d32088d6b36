// POST /v1/modems/<id>/at: the AT console (docs/api.md). Its own file: what reaches a modem raw,
// who may send it, how its answer and its failures read.
#include "api/router.hpp"

#include <boost/json.hpp>

namespace uplink::api {

namespace json = boost::json;

namespace {

// Longest command an administrator may send; modems' own line buffers are smaller.
constexpr std::size_t max_command_length = 1024;

bool starts_with_at(std::string_view command)
{
    return command.size() >= 2 && (command[0] == 'A' || command[0] == 'a') && (command[1] == 'T' || command[1] == 't');
}

std::string final_text(const at::Final& final)
{
    if (!final.text.empty())
        return final.text;
    return std::string(to_string(final.kind));
}

// What the modem meant by a final result other than OK.
std::string final_error(const at::Final& final)
{
    constexpr std::string_view cme_prefix = "+CME ERROR:";
    constexpr std::string_view cms_prefix = "+CMS ERROR:";
    if (final.code < 0 && (final.kind == at::FinalKind::CmeError || final.kind == at::FinalKind::CmsError)) {
        // Verbose form (AT+CMEE=2): the text is the message.
        std::string_view text = final.text;
        for (auto prefix : {cme_prefix, cms_prefix})
            if (text.substr(0, prefix.size()) == prefix)
                text.remove_prefix(prefix.size());
        while (!text.empty() && text.front() == ' ')
            text.remove_prefix(1);
        if (!text.empty())
            return std::string(text);
    }
    if (final.kind == at::FinalKind::Error)
        return "the modem refused the command without saying why (AT+CMEE=2 makes it give reasons)";
    auto error = at::error_of(final);
    if (error)
        return error.message();
    return fmt::format("the modem answered {}", final_text(final));
}

json::value at_reply_json(const at::Reply& reply)
{
    json::array lines;
    for (const auto& line : reply.lines)
        lines.emplace_back(line);
    json::object body{{"lines", std::move(lines)}, {"final", final_text(reply.final)}};
    if (reply.final.kind != at::FinalKind::Ok && reply.final.kind != at::FinalKind::Connect)
        body["error"] = final_error(reply.final);
    return body;
}

Response at_failure(const std::string& id, const std::string& command, const Error& error)
{
    if (error == at::Errc::Timeout)
        return Response::failure(504, fmt::format("modem {} did not answer {} in time; it may be busy or "
                                                  "hung (try again, or see `uplink modem {}`)",
                                                  id, command, id));
    if (error == at::Errc::PortHung)
        return Response::failure(504, fmt::format("the AT port of modem {} is not answering; uplinkd is "
                                                  "recovering it, try again shortly",
                                                  id));
    if (error == at::Errc::PortClosed || error == at::Errc::Cancelled)
        return Response::failure(503, fmt::format("the AT port of modem {} closed before it answered "
                                                  "(unplugged or resetting?): {}",
                                                  id, error.message()));
    if (error == modem::Errc::NoSuchModem)
        return not_found_modem(id);
    if (error == modem::Errc::NoAtPort)
        return Response::failure(409, fmt::format("modem {} has no AT port to send {} on", id, command));
    if (error == modem::Errc::NotReady)
        return Response::failure(409, fmt::format("modem {} cannot take commands in its present state ({}); "
                                                  "see `uplink modem {}`",
                                                  id, error.message(), id));
    if (error == modem::Errc::WrongPinRemembered)
        return Response::failure(409, fmt::format("{} was not sent: this SIM refused this PIN before (or its answer "
                                                  "was lost), and uplink never sends it again", command));
    if (error == modem::Errc::PinStoreUnreadable)
        return Response::failure(409, fmt::format("{} was not sent: {}, so uplink sends no PIN until it is fixed",
                                                  command, error.message()));
    if (error == modem::Errc::OnePinPerLine)
        return Response::failure(400, fmt::format("{} was not sent: {}", command, error.message()));
    // A modem-reported error given as an error code rather than a reply.
    if (error.category() == at::cme_category() || error.category() == at::cms_category() ||
        error.category() == at::at_category()) {
        at::Reply reply;
        reply.final.kind = error.category() == at::cme_category()   ? at::FinalKind::CmeError
                           : error.category() == at::cms_category() ? at::FinalKind::CmsError
                                                                     : at::FinalKind::Error;
        reply.final.code = error.category() == at::at_category() ? -1 : error.value();
        reply.final.text = error.category() == at::cme_category()   ? fmt::format("+CME ERROR: {}", error.value())
                           : error.category() == at::cms_category() ? fmt::format("+CMS ERROR: {}", error.value())
                                                                     : std::string("ERROR");
        json::object body{{"lines", json::array{}}, {"final", reply.final.text}, {"error", error.message()}};
        return Response::ok(std::move(body));
    }
    return Response::failure(500, fmt::format("{} on modem {} failed: {}", command, id, error.message()));
}

} // namespace

// The AT console. It can send the SIM a PIN and read credentials back from the modem, so it is
// root's and the admin's, and an API token's only with the "console" scope; every command is
// logged with who sent it and from where, its secrets redacted.
boost::asio::awaitable<Response> Router::send_at(std::string id, Request request)
{
    if (request.caller == Caller::ApiToken && request.console != ConsoleRight::Granted) {
        log(LogLevel::Warning, "api", "AT console: refused {} on modem {}: it lacks the console scope",
            request.client, id);
        co_return Response::failure(403, "this API token has no right to the AT console: the admin makes a token "
                                         "with the \"console\" scope for that (docs/auth.md), or logs in");
    }
    if (!source_.modem(id))
        co_return not_found_modem(id);
    const auto& body = request.body;
    const auto* object = body.if_object();
    const json::value* command_value = object ? object->if_contains("command") : nullptr;
    if (!command_value)
        co_return Response::failure(400, "missing field 'command' in the body, e.g. {\"command\":\"AT+CSQ\"}");
    const auto* command_string = command_value->if_string();
    if (!command_string)
        co_return Response::failure(400, "field 'command' must be a string, e.g. \"AT+CSQ\"");
    std::string command(command_string->data(), command_string->size());
    if (!starts_with_at(command))
        co_return Response::failure(400, fmt::format("command '{}' must start with AT, e.g. AT+CSQ", command));
    if (command.size() > max_command_length)
        co_return Response::failure(400, fmt::format("command is {} characters long; the limit is {}",
                                                     command.size(), max_command_length));
    for (unsigned char c : command)
        if (c < 0x20 || c == 0x7f)
            co_return Response::failure(400, "command must be one line without control characters "
                                             "(send one command per request)");

    log(LogLevel::Info, "api", "AT console: {} on modem {}: {}", request.client, id, at::redact_secrets(command));
    auto reply = co_await source_.send_at(id, command);
    if (!reply)
        co_return at_failure(id, at::redact_secrets(command), reply.error());
    // A token's script sees credentials that a reply gives back (AT+QICSGP=1) redacted, as the
    // dialogue shows them; root and the admin, who can read the config file, see them.
    if (request.caller == Caller::ApiToken)
        for (auto& line : reply->lines)
            line = at::redact_secrets(line);
    co_return Response::ok(at_reply_json(*reply));
}

} // namespace uplink::api
