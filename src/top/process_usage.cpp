#include "process_usage.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>

namespace top {

namespace {

double boot_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_BOOTTIME, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

const double kTicks = static_cast<double>(::sysconf(_SC_CLK_TCK));
const auto kPage = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

}  // namespace

void ProcessUsage::refresh() {
    previous_.clear();
    for (const auto& [pid, entry] : processes_)
        previous_[pid] = {entry.start_time, entry.cpu_ticks};
    last_s_ = now_s_;
    now_s_ = boot_seconds();
    processes_.clear();
    groups_.clear();
    for (const auto& entry : forkline::list_processes()) {
        processes_.emplace(entry.pid, entry);
        groups_.emplace(entry.group, entry.pid);
    }
}

void ProcessUsage::add(Usage& usage, const forkline::ProcessEntry& entry) const {
    const auto before = previous_.find(entry.pid);
    const bool seen = before != previous_.end() && before->second.start_time == entry.start_time;
    const double since = seen ? last_s_ : static_cast<double>(entry.start_time) / kTicks;
    const auto ticks =
        entry.cpu_ticks - (seen ? std::min(before->second.cpu_ticks, entry.cpu_ticks) : 0);
    const double interval = now_s_ - since;
    if (interval > 0) usage.cpu_percent += 100.0 * static_cast<double>(ticks) / kTicks / interval;
    usage.rss_bytes += entry.rss_pages * kPage;
    ++usage.processes;
}

Usage ProcessUsage::of_process(pid_t pid) const {
    Usage usage;
    const auto found = processes_.find(pid);
    if (found != processes_.end() && found->second.state != 'Z') add(usage, found->second);
    return usage;
}

Usage ProcessUsage::of_group(pid_t group) const {
    Usage usage;
    if (group <= 0) return usage;
    const auto [begin, end] = groups_.equal_range(group);
    for (auto member = begin; member != end; ++member) {
        const auto& entry = processes_.at(member->second);
        if (entry.state != 'Z') add(usage, entry);
    }
    return usage;
}

std::vector<pid_t> ProcessUsage::members(pid_t group) const {
    std::vector<pid_t> pids;
    if (group <= 0) return pids;
    const auto [begin, end] = groups_.equal_range(group);
    for (auto member = begin; member != end; ++member) pids.push_back(member->second);
    std::sort(pids.begin(), pids.end());
    return pids;
}

bool ProcessUsage::alive(pid_t pid) const {
    const auto found = processes_.find(pid);
    return found != processes_.end() && found->second.state != 'Z';
}

}  // namespace top
