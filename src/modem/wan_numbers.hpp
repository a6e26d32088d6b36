// WAN numbers by USB port path: a modem in slot 2 stays WAN2 across replugs and reboots, even
// when slot 1 is empty. Remembered in <state_dir>/wans, one "<number> <usb path>" per line.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace uplink::modem {

std::string wan_name(unsigned number); // "wan1"

// Far more WANs than a router has USB ports, and few enough that the default route metric
// (200 + 10 per WAN after the first) stays within the config's metric range (0 to 65535).
inline constexpr unsigned max_wan_number = 999;

// The file's text read: the numbers by USB path, and the lines left out, each with its number
// (from 1) and why: not "<number> <usb path>", a number that is not 1 to max_wan_number in
// decimal digits, or a number or a path given again.
struct WanNumbersFile {
    struct BadLine {
        int line = 0;
        std::string problem;
    };
    std::map<std::string, unsigned, std::less<>> numbers;
    std::vector<BadLine> bad_lines;
};
WanNumbersFile parse_wan_numbers(std::string_view text);
std::string wan_numbers_text(const std::map<std::string, unsigned, std::less<>>& numbers);

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
