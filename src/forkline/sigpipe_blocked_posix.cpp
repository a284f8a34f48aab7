#include "pending_signal.hpp"
#include "sigpipe_blocked.hpp"

namespace forkline {

SigpipeBlocked::SigpipeBlocked() {
    const sigset_t pipe = signal_set(SIGPIPE);
    sigset_t saved;
    ::pthread_sigmask(SIG_BLOCK, &pipe, &saved);
    was_blocked_ = ::sigismember(&saved, SIGPIPE) == 1;
}

SigpipeBlocked::~SigpipeBlocked() {
    if (was_blocked_) return;
    drop_pending(SIGPIPE);
    const sigset_t pipe = signal_set(SIGPIPE);
    ::pthread_sigmask(SIG_UNBLOCK, &pipe, nullptr);
}

}  // namespace forkline
