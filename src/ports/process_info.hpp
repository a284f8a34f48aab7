// What /proc tells about one process. Fields another user's process hides from us (without
// root) are nullopt: the report shows them as "-".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ports {

struct ProcessInfo {
    pid_t pid = 0;
    std::string name;                 // /proc/PID/comm
    std::string command_line;         // argv joined by spaces, at most 4 KiB
    std::optional<std::string> user;  // effective user
    std::string state;                // R running, S sleeping, Z zombie, …
    std::optional<std::uint64_t> rss_bytes;
    std::optional<unsigned> threads;
    std::optional<double> cpu_seconds;       // user + system
    std::optional<std::int64_t> start_time;  // Unix time, seconds
    std::optional<unsigned> open_fds;
};

// The process's open descriptors: how many, and the inodes of those that are sockets.
struct FdScan {
    unsigned count = 0;
    std::vector<std::uint64_t> socket_inodes;
};

// nullopt if the descriptors cannot be listed: another user's process, or it has exited.
std::optional<FdScan> scan_fds(pid_t pid);

// nullopt if the process has exited (or exits while it is read).
std::optional<ProcessInfo> read_process_info(pid_t pid, std::optional<unsigned> open_fds);

}  // namespace ports
