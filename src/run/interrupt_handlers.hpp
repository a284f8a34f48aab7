// forkline run's SIGINT and SIGTERM while a run lasts: counted by a handler, acted on by the
// run's loop (scheduler.cpp: the first SIGINT stops new starts, a second one or SIGTERM
// cancels the running jobs). Windows: ^C is SIGINT, CTRL_BREAK (SIGBREAK) counts as SIGTERM.
#pragma once

#include <csignal>

namespace run {

extern volatile std::sig_atomic_t interrupts_received;  // SIGINT count
extern volatile std::sig_atomic_t terminate_received;   // SIGTERM seen

// The handlers, and the ones they replaced put back (one run at a time).
void install_interrupt_handlers();
void restore_interrupt_handlers();

class InterruptHandlers {
  public:
    InterruptHandlers() { install_interrupt_handlers(); }
    ~InterruptHandlers() { restore_interrupt_handlers(); }
    InterruptHandlers(const InterruptHandlers&) = delete;
    InterruptHandlers& operator=(const InterruptHandlers&) = delete;
};

}  // namespace run
