// libFuzzer target for the Framer. The first byte chooses whether a command is in flight and
// how the rest is cut into pieces; the command line itself comes from the input, so echo
// matching and reply prefixes are exercised too. Feeding whole and in pieces must agree.
#include "at/at.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using uplink::at::FrameEvent;
using uplink::at::Framer;

bool same(const std::vector<FrameEvent>& a, const std::vector<FrameEvent>& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].text != b[i].text
            || a[i].final.has_value() != b[i].final.has_value())
            return false;
        if (a[i].final
            && (a[i].final->kind != b[i].final->kind || a[i].final->code != b[i].final->code))
            return false;
    }
    return true;
}

// Like the Channel: bytes are fed up to each line end, and a new command begins each time
// the previous one ends, so what one line does applies to the next.
std::vector<FrameEvent> run(std::string_view command, std::string_view bytes, std::size_t piece)
{
    Framer framer;
    if (!command.empty())
        framer.begin_command(std::string(command));
    std::vector<FrameEvent> events;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        auto chunk = bytes.substr(at, piece);
        while (!chunk.empty()) {
            auto end = chunk.find_first_of("\r\n");
            auto line = chunk.substr(0, end == std::string_view::npos ? chunk.size() : end + 1);
            chunk.remove_prefix(line.size());
            for (auto& event : framer.feed(line)) {
                if (event.kind == FrameEvent::Kind::Line && !framer.command_in_flight())
                    __builtin_trap();
                if (event.kind == FrameEvent::Kind::Final && !command.empty())
                    framer.begin_command(std::string(command));
                events.push_back(std::move(event));
            }
        }
    }
    return events;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    auto control = data[0];
    std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string_view command;
    if (control & 0x80) {
        auto end = input.find('\r');
        if (end != std::string_view::npos && end <= 64) {
            command = input.substr(0, end);
            input.remove_prefix(end + 1);
        }
    }
    std::size_t piece = (control & 0x3f) + 1;
    auto whole = run(command, input, input.size() + 1);
    auto pieces = run(command, input, piece);
    if (!same(whole, pieces))
        __builtin_trap();
    for (const auto& event : whole)
        if (event.text.size() > Framer::max_line_length + 64)
            __builtin_trap();
    return 0;
}
