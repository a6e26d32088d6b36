// GET /metrics: the Prometheus text exposition format (version 0.0.4) of what the API shows:
// each modem's state, registration, connection and signal, and each WAN's data usage. Names are
// uplink_..., in base units (dBm and dB as the radio reports them, bytes, seconds); labels are the
// modem's USB path and its WAN, never the SIM's ICCID or IMSI. Private to the web module.
#pragma once

#include <api/api.hpp>

#include <string>

namespace uplink::web {

inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_metrics(const api::ModemSource& source, const api::DaemonInfo& info, Clock::time_point now);

} // namespace uplink::web
