// Figures for the admin password's KDF (printed, not asserted): how long one scrypt hash takes
// at each cost around the default (N = 2^14, r = 8, p = 1), and the memory it needs. A login
// runs it once; docs/auth.md quotes the default's time.
// Run: ninja -C build/release auth_bench && build/release/bin/auth_bench [rounds]
#include <algorithm>
#include <auth/auth.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv)
{
    using namespace uplink::auth;
    int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    for (unsigned log2_cost : {12u, 13u, 14u, 15u, 16u}) {
        KdfParameters parameters {log2_cost, 8, 1};
        auto line = hash_password("correct horse battery staple", parameters);
        if (!line) {
            std::fprintf(
                stderr, "scrypt ln=%u failed: %s\n", log2_cost, line.error().message().c_str());
            return 1;
        }
        std::vector<double> milliseconds;
        for (int round = 0; round < rounds; ++round) {
            auto start = std::chrono::steady_clock::now();
            auto verified = verify_password(*line, "correct horse battery staple");
            auto elapsed = std::chrono::steady_clock::now() - start;
            if (!verified)
                return 1;
            milliseconds.push_back(std::chrono::duration<double, std::milli>(elapsed).count());
        }
        std::sort(milliseconds.begin(), milliseconds.end());
        std::printf("scrypt N=2^%u r=8 p=1 (%3u MiB): median %6.1f ms, min %6.1f ms over %d%s\n",
            log2_cost, (128u * 8u << log2_cost) >> 20, milliseconds[milliseconds.size() / 2],
            milliseconds.front(), rounds, parameters == KdfParameters {} ? "  <- default" : "");
    }
    return 0;
}
