// Reverse lookups for the module's enums (text from the vendor table and the config).
#pragma once

#include "modem/modem.hpp"

#include <optional>
#include <string_view>

namespace uplink::modem {

std::optional<PortRole> port_role_from_string(std::string_view text);
std::optional<Protocol> protocol_from_string(std::string_view text);

} // namespace uplink::modem
