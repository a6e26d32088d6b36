#include "modem/wan_numbers.hpp"

#include <core/core.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
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

namespace {

// Decimal digits alone, as wan_numbers_text() writes them: no sign (a stream's `>> unsigned`
// reads "-1" as 4294967295), no base prefix, nothing after.
std::optional<unsigned> parse_wan_number(std::string_view text)
{
    unsigned number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc {} || end != text.data() + text.size() || number < 1 || number > max_wan_number)
        return std::nullopt;
    return number;
}

} // namespace

WanNumbersFile parse_wan_numbers(std::string_view text)
{
    WanNumbersFile file;
    std::istringstream lines {std::string(text)};
    std::string line;
    int line_number = 0;
    std::map<unsigned, int> number_lines;
    std::map<std::string, int, std::less<>> path_lines;
    while (std::getline(lines, line)) {
        ++line_number;
        std::istringstream fields(line);
        std::string number_text, usb_path, rest;
        auto refuse = [&](std::string problem) { file.bad_lines.push_back({line_number, std::move(problem)}); };
        if (!(fields >> number_text >> usb_path) || (fields >> rest)) {
            refuse("not '<number> <usb path>'");
            continue;
        }
        auto number = parse_wan_number(number_text);
        if (!number) {
            refuse(fmt::format("'{}' is not a WAN number (1 to {})", number_text, max_wan_number));
        } else if (auto given = number_lines.find(*number); given != number_lines.end()) {
            refuse(fmt::format("WAN number {} is given on line {} already", *number, given->second));
        } else if (auto given = path_lines.find(usb_path); given != path_lines.end()) {
            refuse(fmt::format("USB path {} is given on line {} already", usb_path, given->second));
        } else {
            number_lines.emplace(*number, line_number);
            path_lines.emplace(usb_path, line_number);
            file.numbers.emplace(usb_path, *number);
        }
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
    for (const auto& bad : parsed.bad_lines) {
        log(LogLevel::Error, "modem",
            "{}:{}: {}; the line is left out (its USB port gets a free number), the other lines "
            "are kept, and numbers given now last until uplinkd stops: the file is left as it is",
            path_, bad.line, bad.problem);
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
