// A modem on a fake clock, driven through its QMI face (and its AT face, to check that both
// agree). Shared by the QMI responder tests.
#pragma once

#include "sim/modem.hpp"

#include <functional>
#include <gtest/gtest.h>

namespace uplink::sim::testing {

// The EC25 of the AT tests, with APNs that restrict the IP family.
inline constexpr std::string_view qmi_scenario = R"({
  "operators": [
    {"mcc": "001", "mnc": "01", "long_name": "Uplink Test UK", "short_name": "UPLINK",
     "apns": [{"name": "internet", "type": "IPV4V6"}, {"name": "v4only", "type": "IP"},
              {"name": "v6only", "type": "IPV6"}]},
    {"mcc": "001", "mnc": "02", "long_name": "Other Test Network", "short_name": "OTHER", "apns": ["web"]}
  ],
  "sims": [{"id": "card", "iccid": "8944001000000000012F", "imsi": "001010000000001",
            "pin": "1234", "puk": "12345678", "pin_enabled": true}],
  "modems": [{
    "id": "ec25", "revision": "EC25EFAR06A06M4G", "imei": "866758040112340",
    "usb": {"path": "1-1"}, "sim": "card",
    "radio": {"band": 3, "earfcn": 1575, "pci": 248, "bandwidth_mhz": 20, "cell_id": "1A2B3C4", "tac": "D6E7",
              "rsrp": -85, "rsrq": -8, "rssi": -58, "sinr": 18},
    "timings": {"boot_ms": 100, "latency_ms": 10, "attach_ms": 500, "sim_init_ms": 20, "scan_ms": 1000}
  }]
})";

struct TlvSpec {
    std::uint8_t type;
    std::vector<std::uint8_t> value;
};

inline std::vector<std::uint8_t> bytes_of(std::string_view text)
{
    return {text.begin(), text.end()};
}

// The Result TLV's error code (0 for success), or -1 when there is none.
inline int error_code(const qmi::Message& response)
{
    const auto* result = response.find(0x02);
    if (result == nullptr || result->value.size() != 4)
        return -1;
    qmi::TlvReader reader(result->value);
    auto status = reader.u16();
    auto code = reader.u16();
    return status == 0 ? 0 : code;
}

inline int code(qmi::ProtocolError error)
{
    return static_cast<int>(error);
}

inline std::vector<std::uint8_t> value_of(const qmi::Message& message, std::uint8_t type)
{
    const auto* tlv = message.find(type);
    return tlv ? tlv->value : std::vector<std::uint8_t> {};
}

class QmiBench {
public:
    explicit QmiBench(const std::function<void(Scenario&)>& adjust = {})
    {
        std::string message;
        auto parsed = parse_scenario(qmi_scenario, message);
        EXPECT_TRUE(parsed) << message;
        scenario = *parsed;
        if (adjust)
            adjust(scenario);
        const auto& spec = scenario.modems.front();
        std::optional<SimCard> card;
        if (spec.sim)
            card = SimCard(*scenario.find_sim(*spec.sim));
        modem = std::make_unique<Modem>(
            spec, scenario.operators, std::move(card), initial_surroundings(spec), now, now);
    }

    void run_for(Duration duration)
    {
        now += duration;
        for (const auto& urc : modem->advance(now))
            urcs += urc;
        for (auto& message : modem->take_indications())
            indications.push_back(std::move(message));
    }

    void boot()
    {
        run_for(Duration(100 + 20 + 20));
        urcs.clear();
        EXPECT_EQ(at("ATE0"), "\r\nOK\r\n");
    }

    // A request as a client writes it; the response after the latency (and 1 ms more, so the
    // indications it caused are collected too).
    qmi::Message ask(
        qmi::Service service, std::uint8_t client, std::uint16_t id, std::vector<TlvSpec> tlvs = {})
    {
        qmi::Message request;
        request.service = service;
        request.client = client;
        request.transaction = ++transaction;
        request.id = id;
        for (auto& tlv : tlvs)
            request.add(tlv.type, std::move(tlv.value));
        auto answer = modem->qmi_request(request, now);
        if (!answer) {
            ADD_FAILURE() << "no answer to " << qmi::describe(request);
            return {};
        }
        EXPECT_EQ(answer->response.type, qmi::MessageType::Response);
        EXPECT_EQ(answer->response.transaction, request.transaction);
        EXPECT_EQ(answer->response.id, id);
        EXPECT_EQ(answer->response.client, client);
        run_for(answer->delay + Duration(1));
        return answer->response;
    }

    std::uint8_t allocate(qmi::Service service)
    {
        auto response = ask(qmi::Service::Ctl, 0, qmi::ctl::allocate_cid,
            {{0x01, {static_cast<std::uint8_t>(service)}}});
        auto value = value_of(response, 0x01);
        EXPECT_EQ(value.size(), 2u);
        return value.size() == 2 ? value[1] : 0;
    }

    // An AT command's reply without echo (boot() turns echo off).
    std::string at(std::string_view line)
    {
        auto answer = modem->command(2, line, now);
        if (!answer)
            return "(no answer)";
        run_for(answer->delay + Duration(1));
        return answer->reply;
    }

    // Booted, PIN entered over AT, registered; URCs and indications so far dropped.
    void register_with_pin()
    {
        boot();
        EXPECT_EQ(at("AT+CPIN=1234"), "\r\nOK\r\n");
        run_for(Duration(600));
        ASSERT_EQ(modem->registration(), RegistrationStatus::Home);
        urcs.clear();
        indications.clear();
    }

    // The indications of one kind collected so far, then forgotten.
    std::vector<qmi::Message> take(qmi::Service service, std::uint16_t id)
    {
        std::vector<qmi::Message> found, rest;
        for (auto& message : indications)
            (message.service == service && message.id == id ? found : rest)
                .push_back(std::move(message));
        indications = std::move(rest);
        return found;
    }

    Scenario scenario;
    Clock::time_point now = Clock::time_point {} + std::chrono::hours(1);
    std::unique_ptr<Modem> modem;
    std::uint16_t transaction = 0;
    std::string urcs;
    std::vector<qmi::Message> indications;
};

} // namespace uplink::sim::testing
