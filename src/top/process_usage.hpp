// CPU% and resident memory of processes from /proc, between two looks at the process table:
// CPU% is the CPU time a process used since the previous look (its whole life at the first
// look), per core.
#pragma once

#include <sys/types.h>

#include <unordered_map>
#include <vector>

#include "process_table.hpp"
#include "snapshot.hpp"

namespace top {

class ProcessUsage {
  public:
    // Reads the process table once; every question until the next refresh() is answered
    // from it.
    void refresh();

    // Usage of one process; `processes` is 0 when it is gone.
    Usage of_process(pid_t pid) const;
    // Usage of every process of group `group` (0: none).
    Usage of_group(pid_t group) const;
    // The processes of group `group`, lowest pid first.
    std::vector<pid_t> members(pid_t group) const;
    // A process that exists and is not a zombie.
    bool alive(pid_t pid) const;

  private:
    struct Sample {
        unsigned long long start_time;
        unsigned long long cpu_ticks;
    };
    void add(Usage& usage, const forkline::ProcessEntry& entry) const;

    double now_s_ = 0;   // seconds since boot at this refresh (CLOCK_BOOTTIME, as /proc)
    double last_s_ = 0;  // at the previous one
    std::unordered_map<pid_t, forkline::ProcessEntry> processes_;
    std::unordered_multimap<pid_t, pid_t> groups_;  // group -> member
    std::unordered_map<pid_t, Sample> previous_;
};

}  // namespace top
