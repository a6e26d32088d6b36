// uplink-sim: the modem emulator (docs/scenario.md, docs/sim-control.md).
//   uplink-sim --scenario FILE --root DIR [--control SOCKET] [--qmi-capture FILE]
// Exit codes: 0 after SIGINT/SIGTERM (the tree is removed), 1 when it cannot start, 2 for bad
// arguments or a bad scenario.
#include "sim/emulator.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace uplink;

struct Arguments {
    std::string scenario;
    std::filesystem::path root;
    std::filesystem::path control;
    std::filesystem::path qmi_capture;
    LogLevel log_level = LogLevel::Info;
};

constexpr std::string_view usage = "usage: uplink-sim --scenario FILE --root DIR [--control "
                                   "SOCKET] [--qmi-capture FILE] [--log-level "
                                   "debug|info|warning|error]\n";

std::optional<Arguments> parse_arguments(int argc, char** argv)
{
    Arguments arguments;
    for (int index = 1; index < argc; ++index) {
        std::string_view name = argv[index];
        if (name == "--help" || name == "-h" || index + 1 >= argc)
            return std::nullopt;
        std::string value = argv[++index];
        if (name == "--scenario")
            arguments.scenario = value;
        else if (name == "--root")
            arguments.root = value;
        else if (name == "--control")
            arguments.control = value;
        else if (name == "--qmi-capture")
            arguments.qmi_capture = value;
        else if (name == "--log-level" && log_level_from_string(value))
            arguments.log_level = *log_level_from_string(value);
        else
            return std::nullopt;
    }
    if (arguments.scenario.empty() || arguments.root.empty())
        return std::nullopt;
    if (arguments.control.empty())
        arguments.control = arguments.root / "control.sock";
    return arguments;
}

} // namespace

int main(int argc, char** argv)
{
    auto arguments = parse_arguments(argc, argv);
    if (!arguments) {
        std::fputs(usage.data(), stderr);
        return 2;
    }
    set_log_level(arguments->log_level);
    std::string message;
    auto scenario = sim::load_scenario(arguments->scenario, message);
    if (!scenario) {
        std::fprintf(stderr, "uplink-sim: %s: %s\n", arguments->scenario.c_str(), message.c_str());
        return 2;
    }
    std::error_code error;
    std::filesystem::create_directories(arguments->root, error);
    auto root = std::filesystem::absolute(arguments->root, error);
    auto control = std::filesystem::absolute(arguments->control, error);

    // A client that closes an AT socket connection is a read error, not a SIGPIPE: the
    // connection is written through a descriptor (write(2)), which has no MSG_NOSIGNAL.
    std::signal(SIGPIPE, SIG_IGN);
    boost::asio::io_context context;
    sim::Emulator emulator(context, std::move(*scenario), root, control);
    if (!arguments->qmi_capture.empty())
        emulator.capture_qmi(std::filesystem::absolute(arguments->qmi_capture, error));
    if (auto started = emulator.start(); !started) {
        std::fprintf(stderr, "uplink-sim: cannot start in %s: %s\n", root.c_str(),
            started.error().message().c_str());
        return 1;
    }
    boost::asio::signal_set signals(context, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code failed, int number) {
        if (failed)
            return;
        log(LogLevel::Info, "uplink-sim", "signal {}: removing the tree", number);
        emulator.stop();
    });
    std::printf("uplink-sim ready root=%s control=%s\n", root.c_str(), control.c_str());
    std::fflush(stdout);
    context.run();
    return 0;
}
