#include <signal.h>
#include <sys/wait.h>

#include <cstring>

#include "exit_status.hpp"

namespace forkline {

std::string signal_name(int signal) {
    const char* name = ::sigabbrev_np(signal);
    return name != nullptr ? std::string("SIG") + name : std::to_string(signal);
}

std::vector<int> termination_signals() {
    return {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
}

ExitStatus exit_status_from_wait(int status) {
    if (WIFSIGNALED(status)) return {0, WTERMSIG(status)};
    return {WEXITSTATUS(status), 0};
}

}  // namespace forkline
