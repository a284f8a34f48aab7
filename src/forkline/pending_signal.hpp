// One blocked signal, and the instances of it that arrived while it was blocked (POSIX):
// what a scope that blocks a signal for its own reasons drops before unblocking it, or
// before it starts caring again.
#pragma once

#include <signal.h>

namespace forkline {

// The set holding `signal` alone (for sigprocmask, pthread_sigmask, sigtimedwait).
inline sigset_t signal_set(int signal) {
    sigset_t set;
    ::sigemptyset(&set);
    ::sigaddset(&set, signal);
    return set;
}

// Consumes every pending `signal` (which must be blocked) without waiting.
inline void drop_pending(int signal) {
    const sigset_t set = signal_set(signal);
    const timespec now{0, 0};
    while (::sigtimedwait(&set, nullptr, &now) == signal) {
    }
}

}  // namespace forkline
