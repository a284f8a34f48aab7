// Reading the process table (/proc): who is alive, in which group, child of whom. For
// the rare questions the kernel answers no other way (is any process of this group
// still running, not merely a zombie?); never on a per-job fast path.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace forkline {

struct ProcessEntry {
    pid_t pid;
    char state;  // 'R', 'S', 'D', 'T', 'Z', …
    pid_t parent;
    pid_t group;
    unsigned long long start_time;  // clock ticks after boot: tells a reused pid apart
    unsigned long long cpu_ticks;   // user + system time, clock ticks
    unsigned long long rss_pages;   // resident set size, pages
};

// What /proc says of process `pid`; nullopt if it is gone (or /proc is not there).
std::optional<ProcessEntry> read_process(pid_t pid);

// Every process visible in /proc; one that exits while it is read is left out.
std::vector<ProcessEntry> list_processes();

// The children of this process (of all its threads), from /proc/self/task/*/children,
// or from list_processes() on a kernel without that file.
std::vector<pid_t> children_of_this_process();

}  // namespace forkline
