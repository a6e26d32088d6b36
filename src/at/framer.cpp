// Sans-I/O framing of an AT port: bytes in, lines, finals, URCs and garbage out.
// V.250 §5.7.1: information text and result codes are framed as <CR><LF>text<CR><LF>;
// real modems also send bare <CR> (echo "AT+CSQ\r") and bare <LF>, so either ends a line.
#include "at/at.hpp"
#include "at/parse_util.hpp"

#include <array>

namespace uplink::at {

namespace {

constexpr std::size_t garbage_preview = 48;

bool is_line_end(unsigned char c)
{
    return c == '\r' || c == '\n';
}

// Bytes that cannot start text: C0 controls except TAB, DEL, and bytes never valid as the
// first byte of a UTF-8 sequence.
bool is_junk_start(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c <= 0xc1) || c >= 0xf5;
}

bool is_valid_text(std::string_view line)
{
    std::size_t i = 0;
    while (i < line.size()) {
        auto c = static_cast<unsigned char>(line[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return false;
            ++i;
            continue;
        }
        std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (c < 0xc2 || c > 0xf4 || i + length > line.size())
            return false;
        for (std::size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(line[i + k]) & 0xc0) != 0x80)
                return false;
        i += length;
    }
    return true;
}

std::string describe_garbage(std::string_view bytes, std::size_t total)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (std::size_t i = 0; i < bytes.size() && i < garbage_preview; ++i) {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            text += static_cast<char>(c);
        } else {
            text += "\\x";
            text += digits[c >> 4];
            text += digits[c & 0xf];
        }
    }
    if (total > garbage_preview)
        text += "... (" + std::to_string(total) + " bytes)";
    return text;
}

FrameEvent garbage_event(std::string_view bytes, std::size_t total)
{
    FrameEvent event;
    event.kind = FrameEvent::Kind::Garbage;
    event.text = describe_garbage(bytes, total);
    return event;
}

// The prefix a command's own reply lines carry: "+CEREG" for "AT+CEREG?", "^ICCID" for
// "AT^ICCID?"; empty for basic commands (ATI, ATE0) whose replies have no prefix.
std::string reply_prefix(std::string_view command)
{
    command = trim(command);
    if (!starts_with_ignoring_case(command, "AT"))
        return {};
    command.remove_prefix(2);
    static constexpr std::string_view symbols = "+^$#!%*";
    if (command.empty() || symbols.find(command.front()) == std::string_view::npos)
        return {};
    std::size_t end = 1;
    while (end < command.size()) {
        char c = command[end];
        bool name = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!name)
            break;
        ++end;
    }
    if (end == 1)
        return {};
    return to_upper(command.substr(0, end));
}

bool has_reply_prefix(std::string_view line, std::string_view prefix)
{
    if (prefix.empty() || !starts_with_ignoring_case(line, prefix))
        return false;
    auto rest = line.substr(prefix.size());
    return rest.empty() || rest.front() == ':';
}

std::optional<Final> final_of(std::string_view line)
{
    struct Exact {
        std::string_view text;
        FinalKind kind;
    };
    static constexpr std::array exact {
        Exact {"OK", FinalKind::Ok},
        Exact {"ERROR", FinalKind::Error},
        Exact {"NO CARRIER", FinalKind::NoCarrier},
        Exact {"BUSY", FinalKind::Busy},
        Exact {"NO ANSWER", FinalKind::NoAnswer},
        Exact {"NO DIALTONE", FinalKind::NoDialtone},
        Exact {"NO DIAL TONE", FinalKind::NoDialtone},
        Exact {"CONNECT", FinalKind::Connect},
    };
    Final final;
    final.text = std::string(line);
    for (const auto& candidate : exact) {
        if (line == candidate.text) {
            final.kind = candidate.kind;
            return final;
        }
    }
    if (line.starts_with("CONNECT ")) {
        final.kind = FinalKind::Connect;
        return final;
    }
    for (auto [prefix, kind] : {std::pair {std::string_view("+CME ERROR:"), FinalKind::CmeError},
             std::pair {std::string_view("+CMS ERROR:"), FinalKind::CmsError}}) {
        if (line.starts_with(prefix)) {
            final.kind = kind;
            auto number = to_int(line.substr(prefix.size()));
            final.code = number && *number >= 0 ? *number : -1;
            return final;
        }
    }
    return std::nullopt;
}

} // namespace

bool is_urc(std::string_view line)
{
    line = trim(line);
    static constexpr std::array<std::string_view, 4> exact {
        "RDY", "RING", "POWERED DOWN", "NORMAL POWER DOWN"};
    for (auto text : exact)
        if (line == text)
            return true;
    static constexpr std::array<std::string_view, 16> prefixes {
        "+CPIN:",
        "+QUSIM:",
        "+QIND:",
        "+CREG:",
        "+CGREG:",
        "+CEREG:",
        "+C5GREG:",
        "+CFUN:",
        "+QSTAT",
        "+CMTI:",
        "+CUSD:",
        "+CRING:",
        "+CGEV:",
        "+QIURC:",
        "+QGPSURC:",
        "+CDSI:",
    };
    for (auto prefix : prefixes)
        if (line.starts_with(prefix))
            return true;
    return false;
}

void Framer::begin_command(std::string command)
{
    command_prefix_ = reply_prefix(command);
    command_ = std::string(trim(command));
    in_flight_ = true;
}

void Framer::reset()
{
    buffer_.clear();
    command_.clear();
    command_prefix_.clear();
    in_flight_ = false;
    discarding_ = false;
}

std::vector<FrameEvent> Framer::feed(std::string_view bytes)
{
    std::vector<FrameEvent> events;
    for (char byte : bytes) {
        auto c = static_cast<unsigned char>(byte);
        if (is_line_end(c)) {
            if (discarding_)
                discarding_ = false;
            else if (!buffer_.empty())
                take_line(std::move(buffer_), events);
            buffer_.clear();
            continue;
        }
        if (discarding_)
            continue;
        // A run of junk at the start of a line (NULs after a modem reset, noise on the UART)
        // is reported on its own, so the text right after it still frames as a line.
        bool junk_run = !buffer_.empty() && is_junk_start(static_cast<unsigned char>(buffer_[0]));
        if (junk_run && !is_junk_start(c)) {
            events.push_back(garbage_event(buffer_, buffer_.size()));
            buffer_.clear();
        }
        buffer_ += byte;
        if (buffer_.size() > max_line_length) {
            events.push_back(garbage_event(buffer_, buffer_.size()));
            buffer_.clear();
            // An over-long text line is dropped up to its end; a junk run ends by itself at
            // the first text byte, so nothing after it needs discarding.
            discarding_ = !junk_run;
        }
    }
    return events;
}

void Framer::take_line(std::string line, std::vector<FrameEvent>& events)
{
    if (!is_valid_text(line)) {
        events.push_back(garbage_event(line, line.size()));
        return;
    }
    auto text = trim(line);
    if (text.empty())
        return;
    FrameEvent event;
    event.text = std::string(text);
    if (!in_flight_) {
        event.kind = FrameEvent::Kind::Urc;
        events.push_back(std::move(event));
        return;
    }
    if (!command_.empty() && equals_ignoring_case(text, command_)) {
        command_.clear(); // the echo comes once; a later identical line is a reply
        return;
    }
    if (auto final = final_of(text)) {
        in_flight_ = false;
        command_.clear();
        command_prefix_.clear();
        event.kind = FrameEvent::Kind::Final;
        event.final = std::move(final);
        events.push_back(std::move(event));
        return;
    }
    if (has_reply_prefix(text, command_prefix_))
        event.kind = FrameEvent::Kind::Line;
    else
        event.kind = is_urc(text) ? FrameEvent::Kind::Urc : FrameEvent::Kind::Line;
    events.push_back(std::move(event));
}

} // namespace uplink::at
