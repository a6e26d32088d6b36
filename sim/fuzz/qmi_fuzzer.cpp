// libFuzzer: the QMI face takes any request without crashing. The input is read two ways:
// as raw bytes through qmi::Framer (what the cdc-wdm port reads), and as a list of requests
// whose header and TLVs come straight from the input, so that every handler sees arbitrary
// TLV values (a frame with a bad length never reaches a handler). Clients of every service are
// allocated first, and time passes between requests.
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
      "operators": [{"mcc": "001", "mnc": "01", "long_name": "Uplink Test UK",
                     "apns": [{"name": "internet", "type": "IPV4V6"}, {"name": "v4", "type": "IP"}]}],
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

constexpr qmi::Service services[] {qmi::Service::Ctl, qmi::Service::Wds, qmi::Service::Dms,
    qmi::Service::Nas, qmi::Service::Uim, qmi::Service::Wda};

// <service index> <client> <id lo> <id hi> <tlv count>, then per TLV <type> <length> <value>.
std::optional<qmi::Message> next_request(std::string_view& input)
{
    if (input.size() < 5)
        return std::nullopt;
    auto byte = [&](std::size_t at) { return static_cast<std::uint8_t>(input[at]); };
    qmi::Message request;
    request.service = services[byte(0) % std::size(services)];
    request.client = static_cast<std::uint8_t>(byte(1) % 4);
    request.id = static_cast<std::uint16_t>(byte(2) | (byte(3) << 8));
    int count = byte(4) % 6;
    input.remove_prefix(5);
    for (int index = 0; index < count && input.size() >= 2; ++index) {
        auto type = byte(0);
        std::size_t length = std::min<std::size_t>(byte(1), input.size() - 2);
        request.add(
            type, {input.begin() + 2, input.begin() + 2 + static_cast<std::ptrdiff_t>(length)});
        input.remove_prefix(2 + length);
    }
    return request;
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
    auto step = [&](const qmi::Message& request) {
        auto answer = modem.qmi_request(request, now);
        now += answer ? answer->delay + Duration(1) : Duration(3);
        modem.advance(now);
        modem.take_indications();
    };
    for (auto service : services) {
        qmi::Message allocate;
        allocate.id = qmi::ctl::allocate_cid;
        allocate.add(0x01, {static_cast<std::uint8_t>(service)});
        step(allocate);
    }

    qmi::Framer framer;
    for (auto& event : framer.feed(std::span(data, size)))
        if (event.message)
            step(*event.message);

    std::string_view input(reinterpret_cast<const char*>(data), size);
    while (auto request = next_request(input)) {
        step(*request);
        if (request->id % 7 == 0) // now and then a registration or a bearer changes under it
            modem.drop_bearers(request->client, now);
    }
    return 0;
}
