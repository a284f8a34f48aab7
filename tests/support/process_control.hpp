// Killing a process as an outsider would, and watching one go, on every platform
// (process_control_posix.cpp, process_control_windows.cpp). Every wait is bounded (10 s).
#pragma once

#include <cstdint>
#include <vector>

namespace test_support {

// SIGKILL (Windows: TerminateProcess with exit code 1, as Task Manager does).
void kill_process(std::uint64_t pid);

// The running processes whose parent is `pid` (Windows: a Toolhelp snapshot).
std::vector<std::uint64_t> child_processes(std::uint64_t pid);

// Waits until no process `pid` runs; false if one still does after 10 s.
bool process_ends(std::uint64_t pid);

}  // namespace test_support
