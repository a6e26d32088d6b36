#include "api/protocol.hpp"

#include "api/router.hpp"

#include <boost/json.hpp>

#include <exception>
#include <variant>

namespace uplink::api {

namespace json = boost::json;

namespace {

std::string reply_line(const Response& response)
{
    json::object line;
    line["status"] = response.status;
    if (response.status < 400)
        line["body"] = response.body;
    else
        line["error"] = response.error;
    auto text = json::serialize(line);
    text += '\n';
    return text;
}

constexpr std::string_view example = R"({"method":"GET","path":"/v1/status"})";

// A request line into a Request, or the 400 that says what is wrong with it.
std::variant<Request, Response> parse_request(std::string_view line, std::string client, PeerRights rights)
{
    json::error_code error;
    auto value = json::parse(line, error);
    if (error)
        return Response::failure(400, fmt::format("the request is not valid JSON ({}); send one object per "
                                                  "line, e.g. {}",
                                                  error.message(), example));
    auto* object = value.if_object();
    if (!object)
        return Response::failure(400, fmt::format("the request must be a JSON object, e.g. {}", example));

    Request request;
    request.caller = rights == PeerRights::Everything ? Caller::Root : Caller::ApiToken;
    request.console = rights == PeerRights::Everything ? ConsoleRight::Granted : ConsoleRight::Denied;
    request.client = std::move(client);
    auto* method = object->if_contains("method");
    if (!method)
        return Response::failure(400, "missing field 'method' (\"GET\" or \"POST\")");
    if (!method->is_string())
        return Response::failure(400, "field 'method' must be a string, \"GET\" or \"POST\"");
    request.method_text = std::string(method->get_string());
    request.method = method_from_string(request.method_text);

    auto* path = object->if_contains("path");
    if (!path)
        return Response::failure(400, "missing field 'path', e.g. \"/v1/status\"");
    if (!path->is_string())
        return Response::failure(400, "field 'path' must be a string, e.g. \"/v1/status\"");
    request.path = std::string(path->get_string());
    if (rights == PeerRights::ReadOnly && request.method != Method::Get)
        return Response::failure(403, fmt::format("{} may read, not change: run the command as root", request.client));

    if (auto* body = object->if_contains("body")) {
        if (!body->is_object() && !body->is_null())
            return Response::failure(400, "field 'body' must be a JSON object");
        request.body = *body;
    }
    return request;
}

bool blank(std::string_view line)
{
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

} // namespace

std::string_view to_string(PeerRights rights)
{
    switch (rights) {
    case PeerRights::Everything: return "everything";
    case PeerRights::ReadOnly: return "read-only";
    }
    return "unknown";
}

LineProtocol::LineProtocol(ModemSource& source, DaemonInfo info)
    : router_(std::make_shared<Router>(source, std::move(info)))
{
}

boost::asio::awaitable<Answer> LineProtocol::answer(std::string line, std::string client, PeerRights rights)
{
    Answer answer;
    if (blank(line))
        co_return answer;   // netcat users press enter; that is not a request
    if (line.size() > max_request_line) {
        answer.line = too_large_line();
        answer.then = Answer::Then::Close;
        co_return answer;
    }
    Response response;
    try {
        auto parsed = parse_request(line, std::move(client), rights);
        if (auto* failure = std::get_if<Response>(&parsed))
            response = std::move(*failure);
        else
            response = co_await router_->handle(std::get<Request>(std::move(parsed)));
    } catch (const std::exception& exception) {
        response = Response::failure(500, fmt::format("internal error: {}", exception.what()));
    }
    answer.line = reply_line(response);
    if (response.follow == Follow::Events && response.status == 200)
        answer.then = Answer::Then::FollowEvents;
    co_return answer;
}

TextApi::TextApi(ModemSource& source, DaemonInfo info)
    : source_(source), router_(std::make_shared<Router>(source, std::move(info)))
{
}

std::string TextApi::event_text(const modem::Event& event) const
{
    auto object = event_json(event).as_object();
    if (event.kind == modem::Event::Kind::SignalChanged)
        if (auto snapshot = source_.modem(event.modem_id))
            object["signal"] = signal_json(snapshot->signal, Clock::now());
    return json::serialize(object);
}

std::string TextApi::error_body(int status, std::string_view message)
{
    return json::serialize(json::object{{"status", status}, {"error", message}});
}

boost::asio::awaitable<TextReply> TextApi::answer(TextRequest text)
{
    Response response;
    try {
        Request request;
        request.caller = text.credential == Credential::Session ? Caller::Admin : Caller::ApiToken;
        request.console = text.console;
        request.client = std::move(text.client);
        request.method_text = std::move(text.method);
        request.method = method_from_string(request.method_text);
        request.path = std::move(text.path);
        if (!text.query.empty())
            request.path += "?" + text.query;
        json::error_code error;
        if (!text.body.empty())
            request.body = json::parse(text.body, error);
        if (error)
            response = Response::failure(400, fmt::format("the body is not valid JSON ({}); send an object, "
                                                          "e.g. {{\"command\":\"AT+CSQ\"}}",
                                                          error.message()));
        else if (!request.body.is_object() && !request.body.is_null())
            response = Response::failure(400, "the body must be a JSON object");
        else
            response = co_await router_->handle(std::move(request));
    } catch (const std::exception& exception) {
        response = Response::failure(500, fmt::format("internal error: {}", exception.what()));
    }
    TextReply reply;
    reply.status = response.status;
    if (response.status < 400)
        reply.body = json::serialize(response.body);
    else
        reply.body = error_body(response.status, response.error);
    reply.events_follow = response.follow == Follow::Events && response.status == 200;
    co_return reply;
}

std::string LineProtocol::event_line(const modem::Event& event)
{
    auto text = json::serialize(json::object{{"event", event_json(event)}});
    text += '\n';
    return text;
}

std::string LineProtocol::too_large_line()
{
    return reply_line(Response::failure(
        413, fmt::format("the request line is longer than {} bytes; the connection is closed", max_request_line)));
}

} // namespace uplink::api
