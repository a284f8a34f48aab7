#include "cancel.hpp"
#include "pending_signal.hpp"

namespace command_worker {

// Blocked: run_pipeline reads it through a signalfd while a command runs.
CancelHeld::CancelHeld() {
    const sigset_t term = forkline::signal_set(SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, nullptr);
}

std::vector<int> cancel_signals() {
    return {SIGTERM};
}

void forget_pending_cancel() {
    forkline::drop_pending(SIGTERM);
}

}  // namespace command_worker
