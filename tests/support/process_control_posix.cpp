#include <signal.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "process_control.hpp"
#include "processes.hpp"

namespace test_support {

void kill_process(std::uint64_t pid) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
}

std::vector<std::uint64_t> child_processes(std::uint64_t pid) {
    std::vector<std::uint64_t> children;
    for (const pid_t child : children_of(static_cast<pid_t>(pid))) children.push_back(child);
    return children;
}

bool process_ends(std::uint64_t pid) {
    for (int i = 0; i < 1000; ++i) {
        if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

}  // namespace test_support
