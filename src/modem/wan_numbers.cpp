#include "modem/wan_numbers.hpp"

#include <core/core.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace uplink::modem {

std::string wan_name(unsigned number)
{
    return fmt::format("wan{}", number);
}

WanNumbers::WanNumbers(std::string path) : path_(std::move(path))
{
    load();
}

void WanNumbers::load()
{
    std::ifstream file(path_);
    if (!file)
        return; // none yet
    std::string line;
    int line_number = 0;
    std::set<unsigned> taken;
    while (std::getline(file, line)) {
        ++line_number;
        std::istringstream fields(line);
        unsigned number = 0;
        std::string usb_path, rest;
        if (!(fields >> number >> usb_path) || (fields >> rest) || number == 0 || !taken.insert(number).second
            || numbers_.contains(usb_path)) {
            log(LogLevel::Warning, "modem",
                "{}:{}: not '<number> <usb path>' (or a number or path given twice); WAN numbers given "
                "now last until uplinkd stops, and the file is left as it is",
                path_, line_number);
            writable_ = false;
            continue;
        }
        numbers_.emplace(usb_path, number);
    }
}

unsigned WanNumbers::number_for(std::string_view usb_path)
{
    if (auto found = numbers_.find(usb_path); found != numbers_.end())
        return found->second;
    std::set<unsigned> taken;
    for (const auto& [path, number] : numbers_)
        taken.insert(number);
    unsigned number = 1;
    while (taken.contains(number))
        ++number;
    numbers_.emplace(std::string(usb_path), number);
    save();
    return number;
}

void WanNumbers::save() const
{
    if (!writable_)
        return;
    std::error_code ignored; // a failure shows as the write's own error below
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ignored);
    std::string text;
    for (const auto& [path, number] : numbers_)
        text += fmt::format("{} {}\n", number, path);
    if (auto written = write_file_atomically(path_, text); !written)
        log(LogLevel::Warning, "modem", "cannot write {}: {}; WAN numbers are not remembered", path_,
            written.error().message());
}

} // namespace uplink::modem
