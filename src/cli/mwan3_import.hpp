// `uplink wan import-mwan3`: an mwan3 configuration (OpenWrt's multi-WAN package,
// /etc/config/mwan3) translated into uplink's `config wan`, `config policy` and `config traffic`
// sections (docs/failover.md, "Coming from mwan3"). Pure: text in, sections and findings out;
// the command reads the files and prints.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace uplink::cli {

enum class LineKind { Option, List };

struct UplinkLine {
    LineKind kind = LineKind::Option;
    std::string name;
    std::string value;
};

// One section of uplink's config, its lines in the order they are written.
struct UplinkSection {
    std::vector<std::string> notes; // comment lines above it: where it came from, what to check
    std::string type;
    std::string name;
    std::vector<UplinkLine> lines;
};

// Something in the mwan3 file that has no uplink equivalent, and why.
struct Mwan3Finding {
    std::string section; // "interface 'wan'"
    std::string option; // "interval '5'", or empty for the whole section
    std::string why;
};

struct Mwan3Import {
    std::vector<UplinkSection> sections;
    std::vector<Mwan3Finding> unmapped;
};

// Why nothing could be imported: the file is not UCI, or holds no mwan3 section.
struct Mwan3ImportRefusal {
    std::string message;
};

// `network` is OpenWrt's /etc/config/network when given: it turns netifd interface names into
// devices, and finds modems.
std::variant<Mwan3Import, Mwan3ImportRefusal> import_mwan3(
    std::string_view mwan3, std::optional<std::string_view> network);

// The sections as UCI text, with their notes as comments; uplink's parser reads it back.
std::string to_uci_text(const std::vector<UplinkSection>& sections);

// The whole printout: a header, the sections, and a comment block listing what was not mapped.
std::string to_printout(const Mwan3Import& imported);

} // namespace uplink::cli
