// Blocks SIGPIPE in this thread for a scope, so a write to a closed pipe or socket fails
// with EPIPE instead of killing the process (used around pipeline input and Redis writes).
#pragma once

#include <signal.h>

namespace forkline {

// Writing to a pipe or socket whose reader is gone raises SIGPIPE in the writing thread:
// blocked here so the write fails with EPIPE instead; a pending one is consumed before
// unblocking.
class SigpipeBlocked {
  public:
    SigpipeBlocked() {
        ::sigemptyset(&pipe_only_);
        ::sigaddset(&pipe_only_, SIGPIPE);
        ::pthread_sigmask(SIG_BLOCK, &pipe_only_, &saved_);
    }
    ~SigpipeBlocked() {
        if (::sigismember(&saved_, SIGPIPE) == 0) {
            const timespec now{0, 0};
            while (::sigtimedwait(&pipe_only_, nullptr, &now) == SIGPIPE) {
            }
        }
        ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
    }
    SigpipeBlocked(const SigpipeBlocked&) = delete;
    SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

  private:
    sigset_t pipe_only_{};
    sigset_t saved_{};
};

}  // namespace forkline
