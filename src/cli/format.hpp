// Human output of the `uplink` CLI: pure functions from the API's JSON bodies (docs/api.md)
// to text. Missing or mistyped fields are shown as absent, never a crash.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>

namespace uplink::cli {

// A member of a JSON object; null (or "") when it is absent or the value is no object (or string).
const boost::json::value& field(const boost::json::value& object, std::string_view key);
std::string text(const boost::json::value& object, std::string_view key);

std::string format_status(const boost::json::value& body);        // GET /v1/status
std::string format_modems(const boost::json::value& body);        // GET /v1/modems
std::string format_modem(const boost::json::value& body);         // GET /v1/modems/<id>
std::string format_device(const boost::json::value& device);      // its "device": USB ids and ports
std::string format_dialogue(const boost::json::value& body);      // GET /v1/modems/<id>/dialogue
std::string format_signal(const boost::json::value& body);        // GET /v1/modems/<id>/signal
std::string format_at_reply(const boost::json::value& body);      // POST /v1/modems/<id>/at
std::string format_profiles(const boost::json::value& body);             // GET /v1/profiles
std::string format_pin_outcome(const boost::json::value& body);          // POST /v1/modems/<id>/sim/pin
std::string format_config_change(const boost::json::value& body);        // POST /v1/profiles/…, /v1/rules/…
std::string format_connection_request(const boost::json::value& body);   // POST …/connect, …/disconnect
std::string format_networks(const boost::json::value& body);             // POST /v1/modems/<id>/scan
std::string format_tokens(const boost::json::value& body);               // GET /v1/tokens
std::string format_wans(const boost::json::value& body);                 // GET /v1/wans
std::string format_token_made(const boost::json::value& body);           // POST /v1/tokens
std::string format_token_revoked(const boost::json::value& body);        // POST /v1/tokens/<name>/delete
std::string format_event(const boost::json::value& event);        // one {"event":...} of the stream
std::string format_events(const boost::json::value& body);        // GET /v1/events/recent

// Indented two spaces a level, for files people read (the debug bundle).
std::string format_json(const boost::json::value& value);

std::string format_uptime(std::int64_t seconds);                   // "3d 4h", "2h 5m", "42s"
std::string format_technology(std::string_view technology);       // "lte" -> "LTE"

} // namespace uplink::cli
