// libFuzzer: any bytes as a request line through the parser and the router, against fixed modems.
// Every answer must be one line of valid JSON with a status.
#include "api/fake_source.hpp"
#include "api/protocol.hpp"
#include "api/test_support.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace uplink;
    api::testing::FakeModemSource source;
    source.snapshots = {api::testing::registered_ec25("1-1"), api::testing::locked_ec25("1-2")};
    source.events = {{modem::Event::Kind::Added, "1-1", "added", std::chrono::system_clock::now(), {}}};
    source.at_handler = [](const std::string&, const std::string& command) -> Result<at::Reply> {
        switch (command.size() % 4) {
        case 0: return at::Reply{{"+CSQ: 24,99"}, {at::FinalKind::Ok, -1, "OK"}};
        case 1: return at::Reply{{}, {at::FinalKind::CmeError, static_cast<int>(command.size()), "+CME ERROR: 3"}};
        case 2: return Error(at::Errc::Timeout);
        default: return at::cme_error(static_cast<int>(command.size()));
        }
    };
    api::LineProtocol protocol(source, api::DaemonInfo{"fuzz", uplink::Clock::now()});
    std::string line(reinterpret_cast<const char*>(data), size);
    auto answer = api::testing::run_to_completion(protocol.answer(line));
    if (answer.line.empty())
        return 0;
    if (answer.line.back() != '\n' || answer.line.find('\n') != answer.line.size() - 1)
        std::abort();
    boost::json::error_code error;
    auto reply = boost::json::parse(answer.line, error);
    if (error || !reply.is_object() || !reply.as_object().contains("status"))
        std::abort();
    return 0;
}
