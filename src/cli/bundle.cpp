#include "cli/bundle.hpp"

#include "cli/format.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <fmt/format.h>

namespace uplink::cli {

namespace json = boost::json;

namespace {

// Modem ids are USB paths ("1-1.2"); anything else the daemon sends is kept out of the file
// names, and the length bounded by the tar header's 100-byte name.
std::string directory_name(const std::string& modem_id)
{
    std::string name = "uplink-debug-";
    for (unsigned char c : modem_id.substr(0, 48))
        name += std::isalnum(c) || c == '-' || c == '.' || c == '_' ? static_cast<char>(c) : '_';
    return name + '/';
}

std::string readme(const json::value& debug)
{
    const auto& modem = field(debug, "modem");
    return fmt::format(
        "uplink debug bundle of modem {} ({}), made by uplinkd {} at {}.\n"
        "\n"
        "PINs, PUKs and passwords are not in it: AT commands that carry one show *** in its "
        "place,\n"
        "QMI messages show only their ids and field sizes, and profiles say only whether a PIN or\n"
        "password is set. It does hold the modem's IMEI and the SIM's ICCID and IMSI.\n"
        "\n"
        "modem.txt     the modem as `uplink modem` shows it\n"
        "modem.json    all of it (GET /v1/modems/<id> in docs/api.md): state, SIM, registration,\n"
        "              signal, connection, and the effective settings with the profile, the rule\n"
        "              and why they were chosen\n"
        "profile.json  that profile and rule as configured (null: the built-in default, no rule)\n"
        "usb.txt       the USB device and its ports: role, device, interface number, driver\n"
        "events.txt    the modem's recent events, oldest first\n"
        "dialogue.txt  the last AT lines and QMI messages on its ports, oldest first: time (UTC),\n"
        "              port, direction (> sent, < received, urc, ind...) and text\n",
        text(modem, "id"), text(modem, "wan"), text(debug, "uplink_version"),
        text(debug, "generated"));
}

} // namespace

std::vector<ArchiveFile> bundle_files(const json::value& debug)
{
    const auto& modem = field(debug, "modem");
    auto directory = directory_name(text(modem, "id"));
    json::object chosen {{"profile", field(debug, "profile")}, {"rule", field(debug, "rule")}};
    return {
        {directory + "README.txt", readme(debug)},
        {directory + "modem.txt", format_modem(modem)},
        {directory + "modem.json", format_json(modem)},
        {directory + "profile.json", format_json(chosen)},
        {directory + "usb.txt", format_device(field(modem, "device"))},
        {directory + "events.txt", format_events(field(debug, "events"))},
        {directory + "dialogue.txt", format_dialogue(field(debug, "dialogue"))},
    };
}

} // namespace uplink::cli
