#include <signal.h>
#include <stdio_ext.h>
#include <unistd.h>

#include <cerrno>

#include "output_failure.hpp"
#include "pending_signal.hpp"

namespace cli {

int write_errno() {
    return errno;
}

void die_of_sigpipe() {
    ::signal(SIGPIPE, SIG_DFL);
    const sigset_t pipe_only = forkline::signal_set(SIGPIPE);
    ::pthread_sigmask(SIG_UNBLOCK, &pipe_only, nullptr);
    ::raise(SIGPIPE);
    ::_exit(128 + SIGPIPE);  // not reached: SIGPIPE's default action ends the process
}

void drop_unwritten(std::FILE* file) {
    ::__fpurge(file);
    std::clearerr(file);
}

}  // namespace cli
