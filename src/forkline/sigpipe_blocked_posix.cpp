#include <signal.h>

#include "sigpipe_blocked.hpp"

namespace forkline {

namespace {

sigset_t pipe_only() {
    sigset_t set;
    ::sigemptyset(&set);
    ::sigaddset(&set, SIGPIPE);
    return set;
}

}  // namespace

SigpipeBlocked::SigpipeBlocked() {
    const sigset_t pipe = pipe_only();
    sigset_t saved;
    ::pthread_sigmask(SIG_BLOCK, &pipe, &saved);
    was_blocked_ = ::sigismember(&saved, SIGPIPE) == 1;
}

SigpipeBlocked::~SigpipeBlocked() {
    if (was_blocked_) return;
    const sigset_t pipe = pipe_only();
    const timespec now{0, 0};
    while (::sigtimedwait(&pipe, nullptr, &now) == SIGPIPE) {
    }
    ::pthread_sigmask(SIG_UNBLOCK, &pipe, nullptr);
}

}  // namespace forkline
