#include "exit_status.hpp"

#include <sys/wait.h>

#include <cstring>

namespace forkline {

std::string ExitStatus::describe() const {
    if (signal == 0) return "exit code " + std::to_string(code);
    const char* name = ::sigabbrev_np(signal);
    return std::string("killed by ") +
           (name != nullptr ? std::string("SIG") + name : std::to_string(signal));
}

ExitStatus exit_status_from_wait(int status) {
    if (WIFSIGNALED(status)) return {0, WTERMSIG(status)};
    return {WEXITSTATUS(status), 0};
}

}  // namespace forkline
