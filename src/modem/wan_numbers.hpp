// WAN numbers by USB port path: a modem in slot 2 stays WAN2 across replugs and reboots, even
// when slot 1 is empty. Remembered in <state_dir>/wans, one "<number> <usb path>" per line.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace uplink::modem {

std::string wan_name(unsigned number); // "wan1"

class WanNumbers {
public:
    explicit WanNumbers(std::string path);

    // The path's number; a new path gets the lowest free one, written to the file at once.
    unsigned number_for(std::string_view usb_path);

private:
    void load();
    void save() const;

    std::string path_;
    std::map<std::string, unsigned, std::less<>> numbers_;
    // A file that does not parse is never rewritten (that would lose what it holds): numbers
    // given meanwhile last until uplinkd stops, and the log says why.
    bool writable_ = true;
};

} // namespace uplink::modem
