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

WanNumbersFile parse_wan_numbers(std::string_view text)
{
    WanNumbersFile file;
    std::istringstream lines {std::string(text)};
    std::string line;
    int line_number = 0;
    std::set<unsigned> taken;
    while (std::getline(lines, line)) {
        ++line_number;
        std::istringstream fields(line);
        unsigned number = 0;
        std::string usb_path, rest;
        if (!(fields >> number >> usb_path) || (fields >> rest) || number == 0 || !taken.insert(number).second
            || file.numbers.contains(usb_path)) {
            file.bad_lines.push_back(line_number);
            continue;
        }
        file.numbers.emplace(usb_path, number);
    }
    return file;
}

std::string wan_numbers_text(const std::map<std::string, unsigned, std::less<>>& numbers)
{
    std::string text;
    for (const auto& [path, number] : numbers)
        text += fmt::format("{} {}\n", number, path);
    return text;
}

void WanNumbers::load()
{
    std::ifstream file(path_);
    if (!file)
        return; // none yet
    std::ostringstream text;
    text << file.rdbuf();
    auto parsed = parse_wan_numbers(text.str());
    for (int line_number : parsed.bad_lines) {
        log(LogLevel::Warning, "modem",
            "{}:{}: not '<number> <usb path>' (or a number or path given twice); WAN numbers given "
            "now last until uplinkd stops, and the file is left as it is",
            path_, line_number);
        writable_ = false;
    }
    numbers_ = std::move(parsed.numbers);
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
    if (auto written = write_file_atomically(path_, wan_numbers_text(numbers_)); !written)
        log(LogLevel::Warning, "modem", "cannot write {}: {}; WAN numbers are not remembered", path_,
            written.error().message());
}

} // namespace uplink::modem
