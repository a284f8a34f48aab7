#include <signal.h>
#include <stdio_ext.h>
#include <unistd.h>

#include "output_failure.hpp"

namespace cli {

void die_of_sigpipe() {
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t pipe_only;
    ::sigemptyset(&pipe_only);
    ::sigaddset(&pipe_only, SIGPIPE);
    ::pthread_sigmask(SIG_UNBLOCK, &pipe_only, nullptr);
    ::raise(SIGPIPE);
    ::_exit(128 + SIGPIPE);  // not reached: SIGPIPE's default action ends the process
}

void drop_unwritten(std::FILE* file) {
    ::__fpurge(file);
    std::clearerr(file);
}

}  // namespace cli
