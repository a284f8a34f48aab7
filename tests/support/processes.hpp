// For tests that check that nothing outlived its job: is a process still running, the
// pids a job wrote down. Every wait is bounded (10 s).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "run_command.hpp"  // shell_quoted

namespace test_support {

// The children of a `forkline run` that are its workers: all but its job guardian
// (src/forkline/job_guardian.hpp, named forkline-guard). The guardian names itself, and a
// worker execs, a moment after the fork: until then the child bears its supervisor's name
// and is neither, so this waits (up to 10 s) until no child bears it.
inline std::vector<pid_t> workers_of(pid_t supervisor) {
    const auto name_of = [](pid_t pid) {
        std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
        std::string name;
        std::getline(comm, name);
        return name;
    };
    const std::string supervisor_name = name_of(supervisor);
    std::vector<pid_t> workers;
    for (int i = 0; i < 1000; ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        workers.clear();
        bool settled = true;
        for (const pid_t child : children_of(supervisor)) {
            const std::string name = name_of(child);
            settled = settled && name != supervisor_name;
            if (!name.empty() && name != "forkline-guard") workers.push_back(child);
        }
        if (settled) break;
    }
    return workers;
}

// Exists and is not a zombie (a zombie has ended; only its parent's reaping is left).
inline bool process_running(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text)) return false;
    const auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

// The pids written into `path` (whitespace-separated), once it holds `count` of them.
inline std::vector<pid_t> wait_for_pids(const std::filesystem::path& path, std::size_t count) {
    std::vector<pid_t> pids;
    for (int i = 0; i < 1000 && pids.size() < count; ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        pids.clear();
        std::ifstream in(path);
        for (pid_t pid = 0; in >> pid;) pids.push_back(pid);
    }
    return pids;
}

// True once none of `pids` runs.
inline bool none_running_soon(const std::vector<pid_t>& pids) {
    for (int i = 0; i < 1000; ++i) {
        if (std::none_of(pids.begin(), pids.end(), process_running)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

// Test hygiene on failure: never leave a process the test started running.
inline void kill_all(const std::vector<pid_t>& pids) {
    for (const pid_t pid : pids) {
        if (pid > 0 && process_running(pid)) ::kill(pid, SIGKILL);
    }
}

}  // namespace test_support
