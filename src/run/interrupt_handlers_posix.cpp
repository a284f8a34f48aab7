// sigaction without SA_RESTART: a signal also ends the loop's poll(2) at once (EINTR).
#include <signal.h>

#include "interrupt_handlers.hpp"

namespace run {

volatile std::sig_atomic_t interrupts_received = 0;
volatile std::sig_atomic_t terminate_received = 0;

namespace {

struct sigaction saved_int {};
struct sigaction saved_term {};

}  // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = [](int signal) {
        if (signal == SIGINT) interrupts_received = interrupts_received + 1;
        if (signal == SIGTERM) terminate_received = 1;
    };
    ::sigaction(SIGINT, &action, &saved_int);
    ::sigaction(SIGTERM, &action, &saved_term);
}

void restore_interrupt_handlers() {
    ::sigaction(SIGINT, &saved_int, nullptr);
    ::sigaction(SIGTERM, &saved_term, nullptr);
}

}  // namespace run
