// What the OS tells about one process: /proc on Linux (process_info_posix.cpp), OpenProcess
// and its queries on Windows (process_info_windows.cpp). Fields another user's process hides
// from us (without root or elevation) are nullopt: the report shows them as "-".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ports {

struct ProcessInfo {
    pid_t pid = 0;
    std::string name;                 // /proc/PID/comm; Windows: the image's file name
    std::string command_line;         // argv joined by spaces, at most 4 KiB; Windows: as the
                                      // process got it, else the image's full path
    std::optional<std::string> user;  // effective user; Windows: DOMAIN\user of its token
    std::string state;                // R running, S sleeping, Z zombie, …; Windows: empty
    std::optional<std::uint64_t> rss_bytes;
    std::optional<unsigned> threads;
    std::optional<double> cpu_seconds;       // user + system
    std::optional<std::int64_t> start_time;  // Unix time, seconds
    std::optional<unsigned> open_fds;        // Windows: its handles
};

// The process's open descriptors: how many, and the inodes of those that are sockets
// (Windows: how many handles, and no inodes: the socket tables name owners instead).
struct FdScan {
    unsigned count = 0;
    std::vector<std::uint64_t> socket_inodes;
};

// nullopt if the descriptors cannot be listed: another user's process, or it has exited.
std::optional<FdScan> scan_fds(pid_t pid);

// nullopt if the process has exited (or exits while it is read). On Windows, a process we may
// not open still gives its pid (the socket table named it), with every other field unknown.
std::optional<ProcessInfo> read_process_info(pid_t pid, std::optional<unsigned> open_fds);

// Every process's pid, in the OS's order.
std::vector<pid_t> list_pids();

}  // namespace ports
