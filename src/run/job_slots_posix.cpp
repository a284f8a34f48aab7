// max_job_slots() (job_slots.hpp) on POSIX: within RLIMIT_NOFILE and RLIMIT_NPROC.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "job_slots.hpp"
#include "option_numbers.hpp"

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
