// The unix socket's JSON-lines protocol over the Router: one request object per line in,
// one reply object per line out. JSON-free on purpose, so the socket code does not pay for
// Boost.JSON's headers.
#pragma once

#include "api/api.hpp"

#include <string>
#include <string_view>

namespace uplink::api {

class Router;
struct Answer {
    enum class Then { Continue, FollowEvents, Close };
    std::string line;            // the reply line, '\n' included; empty for a blank request line
    Then then = Then::Continue;
};

class LineProtocol {
public:
    LineProtocol(ModemSource& source, DaemonInfo info);

    // `line` without its '\n'; `client` says who sent it, for the audit log ("unix socket, uid 0").
    // A ReadOnly peer gets a 403 for anything but GET, and an API token's view of the rest.
    // Never throws on any input.
    boost::asio::awaitable<Answer> answer(std::string line, std::string client = "unix socket",
                                          PeerRights rights = PeerRights::Everything);

    static std::string event_line(const modem::Event& event);
    static std::string too_large_line();

private:
    std::shared_ptr<Router> router_;   // shared_ptr: Router stays an incomplete type here
};

} // namespace uplink::api
