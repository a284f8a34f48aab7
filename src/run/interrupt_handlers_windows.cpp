// The C runtime's signal(): ^C (SIGINT) and CTRL_BREAK (SIGBREAK) run the handler on a
// thread of their own, and reset it to SIG_DFL first, so it installs itself again. The
// loop sees the flags within its longest wait (no EINTR on Windows).
#include "interrupt_handlers.hpp"

namespace run {

volatile std::sig_atomic_t interrupts_received = 0;
volatile std::sig_atomic_t terminate_received = 0;

namespace {

using Handler = void (*)(int);
Handler saved_int = SIG_DFL;
Handler saved_break = SIG_DFL;

void count(int signal) {
    if (signal == SIGINT) interrupts_received = interrupts_received + 1;
    if (signal == SIGBREAK) terminate_received = 1;
    std::signal(signal, count);
}

}  // namespace

void install_interrupt_handlers() {
    saved_int = std::signal(SIGINT, count);
    saved_break = std::signal(SIGBREAK, count);
}

void restore_interrupt_handlers() {
    std::signal(SIGINT, saved_int);
    std::signal(SIGBREAK, saved_break);
}

}  // namespace run
