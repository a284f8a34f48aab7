#include <signal.h>

#include "cancel.hpp"

namespace command_worker {

namespace {

sigset_t only_sigterm() {
    sigset_t term;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    return term;
}

}  // namespace

// Blocked: run_pipeline reads it through a signalfd while a command runs.
CancelHeld::CancelHeld() {
    const auto term = only_sigterm();
    ::sigprocmask(SIG_BLOCK, &term, nullptr);
}

std::vector<int> cancel_signals() {
    return {SIGTERM};
}

void forget_pending_cancel() {
    const auto term = only_sigterm();
    const timespec now{0, 0};
    while (::sigtimedwait(&term, nullptr, &now) == SIGTERM) {
    }
}

}  // namespace command_worker
