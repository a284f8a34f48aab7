// Where workers live and how many cores there are.
#include <sched.h>
#include <unistd.h>

#include <forkline/pool.hpp>

#ifndef FORKLINE_LIBEXECDIR
#error "FORKLINE_LIBEXECDIR must be defined by the build"
#endif

namespace forkline {

unsigned available_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
}

std::filesystem::path find_worker(std::string_view name) {
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    std::vector<std::filesystem::path> candidates;
    if (!error) candidates.push_back(self.parent_path() / name);
    candidates.push_back(std::filesystem::path(FORKLINE_LIBEXECDIR) / name);
    for (const auto& candidate : candidates) {
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    std::string tried;
    for (const auto& candidate : candidates)
        tried += (tried.empty() ? "" : ", ") + candidate.string();
    throw Error("cannot find worker program '" + std::string(name) + "' (tried " + tried + ")");
}

}  // namespace forkline
