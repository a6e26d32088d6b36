// libFuzzer: the AT responder takes any command line without crashing; the input is split
// into lines, each answered and followed by some time passing.
#include "sim/modem.hpp"

#include <cstddef>
#include <cstdint>

namespace {

using namespace uplink;
using namespace uplink::sim;

Scenario make_scenario()
{
    std::string message;
    auto scenario = parse_scenario(R"({
      "operators": [{"mcc": "001", "mnc": "01", "long_name": "Uplink Test UK"}],
      "sims": [{"id": "card", "iccid": "8944001000000000012F", "imsi": "001010000000001",
                "pin": "1234", "pin_enabled": true}],
      "modems": [{"id": "ec25", "imei": "866758040112340", "usb": {"path": "1-1"}, "sim": "card",
                  "radio": {"band": 3, "earfcn": 1575},
                  "timings": {"boot_ms": 0, "latency_ms": 1, "attach_ms": 5, "sim_init_ms": 1, "scan_ms": 5}}]
    })",
        message);
    if (!scenario)
        __builtin_trap();
    return *scenario;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const Scenario scenario = make_scenario();
    const auto& spec = scenario.modems.front();
    auto now = Clock::time_point {} + std::chrono::hours(1);
    Modem modem(spec, scenario.operators, SimCard(scenario.sims.front()),
        initial_surroundings(spec), now, now);
    now += Duration(10);
    modem.advance(now);
    std::string_view input(reinterpret_cast<const char*>(data), size);
    while (!input.empty()) {
        auto end = input.find('\r');
        auto line = input.substr(0, end);
        input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
        auto answer = modem.command(line.size() % 2 == 0 ? 2 : 3, line, now);
        now += answer ? answer->delay + Duration(1) : Duration(3);
        modem.advance(now);
    }
    return 0;
}
