#include <windows.h>

#include <csignal>

#include "cancel.hpp"

namespace command_worker {

namespace {

// Handlers run newest first: run_pipeline's own, installed while a command runs, takes
// CTRL_BREAK before this one, which takes it only between commands.
BOOL WINAPI ignore_break(DWORD event) {
    return event == CTRL_BREAK_EVENT ? TRUE : FALSE;
}

}  // namespace

CancelHeld::CancelHeld() {
    ::SetConsoleCtrlHandler(ignore_break, TRUE);
}

std::vector<int> cancel_signals() {
    return {SIGBREAK};
}

void forget_pending_cancel() {}  // nothing is pending: a CTRL_BREAK between commands is gone

}  // namespace command_worker
