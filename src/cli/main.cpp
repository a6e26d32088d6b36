// uplink: the command-line client of uplinkd (docs/cli.md).
#include "cli/cli.hpp"

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv)
{
    std::vector<std::string> arguments(argv + 1, argv + argc);
    auto parsed = uplink::cli::parse_arguments(arguments, std::getenv("UPLINK_SOCKET"));
    if (auto* error = std::get_if<uplink::cli::UsageError>(&parsed)) {
        std::cerr << "uplink: " << error->message << "\n\n" << uplink::cli::usage();
        return 2;
    }
    return uplink::cli::run(std::get<uplink::cli::Invocation>(parsed), std::cout, std::cerr);
}
