#include "job_slots.hpp"

#include <algorithm>
#include <cmath>

#include "option_numbers.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace run {

unsigned parse_job_slots(const std::string& option, const std::string& text, unsigned cores) {
    const auto too_many = [&](double slots) {
        return cli::UsageError(option + " " + cli::quoted(text) + " means " +
                               std::to_string(static_cast<unsigned long long>(slots)) +
                               " jobs at once: at most " + std::to_string(cli::kMaxWorkers));
    };
    const auto bad = [&] {
        return cli::UsageError(option + " needs N (1 to " + std::to_string(cli::kMaxWorkers) +
                               ", 0: as many as possible), N% of the cores, +N or -N (the "
                               "cores plus or minus N); not " +
                               cli::quoted(text) +
                               (option == "--jobs" ? " (JSON job files: --json-jobs FILE)" : ""));
    };
    if (text.empty()) throw bad();
    if (text.ends_with('%')) {
        const double percent =
            cli::parse_real(option, text.substr(0, text.size() - 1), 0, 100.0 * cli::kMaxWorkers);
        const double slots = std::ceil(cores * percent / 100);
        if (slots > cli::kMaxWorkers) throw too_many(slots);
        return std::max(1u, static_cast<unsigned>(slots));
    }
    if (text[0] == '+' || text[0] == '-') {
        if (text.size() < 2 || text.find_first_not_of("0123456789", 1) != std::string::npos)
            throw bad();
        const auto n = cli::parse_count(option, text.substr(1), 0, cli::kMaxWorkers);
        if (text[0] == '-') return n >= cores ? 1u : cores - static_cast<unsigned>(n);
        if (cores + n > cli::kMaxWorkers) throw too_many(static_cast<double>(cores + n));
        return cores + static_cast<unsigned>(n);
    }
    if (text.find_first_not_of("0123456789") != std::string::npos) throw bad();
    const auto n = cli::parse_count(option, text, 0, cli::kMaxWorkers);
    return n == 0 ? max_job_slots() : static_cast<unsigned>(n);
}

}  // namespace run
