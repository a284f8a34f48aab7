#include "pool_discovery.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <forkline/error.hpp>
#include <fstream>
#include <string_view>
#include <tuple>

#include "proc_files.hpp"
#include "process_info.hpp"
#include "text_fields.hpp"

namespace top {

namespace {

constexpr std::string_view kSegmentPath = "/dev/shm/forkline-";

// The segment name in a /proc link or maps path, and its creator's pid; nullopt for any
// other file.
std::optional<FoundPool> segment_of(std::string_view path) {
    if (!path.starts_with(kSegmentPath)) return std::nullopt;
    path.remove_prefix(std::string_view("/dev/shm/").size());
    path = path.substr(0, path.find(' '));  // " (deleted)"
    const auto digits = path.substr(std::string_view("forkline-").size());
    pid_t pid = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (error != std::errc{} || end == digits.data() + digits.size() || *end != '-' || pid <= 0)
        return std::nullopt;
    return FoundPool{pid, std::string(path), 0, -1};
}

// The segments process `pid` holds open; nullopt with errno when /proc refuses the listing.
std::optional<std::vector<FoundPool>> segments_held_by(pid_t pid) {
    const auto directory = "/proc/" + std::to_string(pid) + "/fd";
    const ports::UniqueDir dir(::opendir(directory.c_str()));
    if (!dir) return std::nullopt;
    std::vector<FoundPool> found;
    char target[256];
    while (const auto* entry = ::readdir(dir.get())) {
        if (entry->d_name[0] == '.') continue;
        const auto length = ::readlinkat(::dirfd(dir.get()), entry->d_name, target, sizeof target);
        if (length <= 0) continue;  // closed meanwhile
        auto pool = segment_of(std::string_view(target, static_cast<std::size_t>(length)));
        const auto fd = ports::parse_number<int>(entry->d_name);
        if (!pool || !fd) continue;
        pool->holder = pid;
        pool->fd = *fd;
        found.push_back(std::move(*pool));
    }
    return found;
}

bool owned_by_me(const FoundPool& pool) {
    struct stat info {};
    const auto path = "/proc/" + std::to_string(pool.holder) + "/fd/" + std::to_string(pool.fd);
    return ::stat(path.c_str(), &info) == 0 && info.st_uid == ::geteuid();
}

// One entry per segment, the supervisor's own descriptor preferred as the way in.
std::vector<FoundPool> one_per_segment(std::vector<FoundPool> found) {
    const auto key = [](const FoundPool& pool) {
        return std::tuple(pool.supervisor, std::string_view(pool.segment),
                          pool.holder != pool.supervisor);
    };
    std::sort(found.begin(), found.end(),
              [&](const FoundPool& a, const FoundPool& b) { return key(a) < key(b); });
    found.erase(
        std::unique(found.begin(), found.end(),
                    [](const FoundPool& a, const FoundPool& b) { return a.segment == b.segment; }),
        found.end());
    return found;
}

// The segment a worker maps (it closed its descriptor after attaching).
std::optional<FoundPool> segment_mapped_by(pid_t pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::string line;
    while (std::getline(maps, line)) {
        const auto at = line.find(kSegmentPath);
        if (at != std::string::npos) {
            if (auto pool = segment_of(std::string_view(line).substr(at))) return pool;
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<FoundPool> find_pools() {
    std::vector<FoundPool> found;
    for (const auto pid : ports::list_pids()) {
        for (auto& pool : segments_held_by(pid).value_or(std::vector<FoundPool>{})) {
            if (owned_by_me(pool)) found.push_back(std::move(pool));
        }
    }
    return one_per_segment(std::move(found));
}

std::vector<FoundPool> find_pools_of(pid_t pid) {
    const auto held = segments_held_by(pid);
    if (!held) {
        if (errno == ENOENT) throw forkline::Error("no process " + std::to_string(pid));
        throw forkline::OsError("cannot read the descriptors of process " + std::to_string(pid),
                                errno);
    }
    std::vector<FoundPool> found;
    for (const auto& pool : *held) {
        if (pool.supervisor == pid) found.push_back(pool);
    }
    // Holding a pool it does not supervise: its job guardian (job_guardian.hpp).
    if (found.empty()) found = *held;
    if (found.empty()) {
        // A worker: its pool is the one its supervisor holds.
        const auto mapped = segment_mapped_by(pid);
        if (!mapped || mapped->supervisor == pid) return {};
        for (const auto& pool :
             segments_held_by(mapped->supervisor).value_or(std::vector<FoundPool>{})) {
            if (pool.segment == mapped->segment) found.push_back(pool);
        }
    }
    return one_per_segment(std::move(found));
}

}  // namespace top
