#include "fault.hpp"

#ifdef FORKLINE_FAULT_HOOKS

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>

namespace forkline {

namespace {

struct FaultPlan {
    std::unordered_map<std::string, double> probability;  // by step; "*" for all
    std::uint64_t state;

    FaultPlan()
        : state(static_cast<std::uint64_t>(::getpid()) * 0x9e3779b97f4a7c15ull ^
                static_cast<std::uint64_t>(
                    std::chrono::steady_clock::now().time_since_epoch().count())) {
        const char* text = std::getenv("FORKLINE_FAULT");
        std::string_view rest = text != nullptr ? text : "";
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto item = rest.substr(0, comma);
            const auto colon = item.find(':');
            if (colon != std::string_view::npos) {
                probability[std::string(item.substr(0, colon))] =
                    std::strtod(std::string(item.substr(colon + 1)).c_str(), nullptr);
            }
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }

    double uniform() {  // xorshift64*: cheap, and independent of the program's own RNGs
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return static_cast<double>((state * 0x2545F4914F6CDD1Dull) >> 11) /
               static_cast<double>(1ull << 53);
    }
};

}  // namespace

void fault_point(const char* step) {
    static FaultPlan plan;
    if (plan.probability.empty()) return;
    auto it = plan.probability.find(step);
    if (it == plan.probability.end()) it = plan.probability.find("*");
    if (it != plan.probability.end() && plan.uniform() < it->second) ::kill(::getpid(), SIGKILL);
}

}  // namespace forkline

#endif
