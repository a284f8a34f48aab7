#include "job_slots.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "option_numbers.hpp"
#include "tool.hpp"
#include "usage_error.hpp"

namespace run {

namespace {

constexpr unsigned kFdsPerSlot = 2;
constexpr rlim_t kReservedFds = 64;  // stdio, the joblog, the segment, the guardian, …
constexpr unsigned kProcessesPerSlot = 2;

// This user's processes now (RLIMIT_NPROC counts them all, not only ours).
unsigned long processes_of_this_user() {
    unsigned long count = 0;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ignored)) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        struct ::stat status {};
        if (::stat(entry.path().c_str(), &status) == 0 && status.st_uid == ::getuid()) ++count;
    }
    return count;
}

}  // namespace

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

unsigned max_job_slots() {
    rlim_t slots = cli::kMaxWorkers;
    struct ::rlimit files {};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
        slots = std::min(slots, files.rlim_cur > kReservedFds
                                    ? (files.rlim_cur - kReservedFds) / kFdsPerSlot
                                    : rlim_t{1});
    struct ::rlimit processes {};
    // root is not held to RLIMIT_NPROC.
    if (::geteuid() != 0 && ::getrlimit(RLIMIT_NPROC, &processes) == 0 &&
        processes.rlim_cur != RLIM_INFINITY) {
        const rlim_t running = processes_of_this_user();
        slots = std::min(slots, processes.rlim_cur > running
                                    ? (processes.rlim_cur - running) / kProcessesPerSlot
                                    : rlim_t{1});
    }
    return static_cast<unsigned>(std::max(slots, rlim_t{1}));
}

}  // namespace run
