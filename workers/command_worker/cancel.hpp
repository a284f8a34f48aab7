// How forkline run cancels a job: Pool::signal_workers(SIGTERM), which is SIGTERM on POSIX
// and CTRL_BREAK on Windows. It must never end the worker itself: while a command runs,
// run_pipeline forwards it to the command (kCancelSignals); between commands it is held
// (POSIX: SIGTERM stays blocked, and one that came for nobody is dropped before the next
// command) or ignored (Windows: a console control handler of the worker's whole life).
#pragma once

#include <vector>

namespace command_worker {

// For the worker's lifetime (once, in main).
class CancelHeld {
  public:
    CancelHeld();
    CancelHeld(const CancelHeld&) = delete;
    CancelHeld& operator=(const CancelHeld&) = delete;
};

// What PipelineOptions::forward_signals gets: SIGTERM; Windows: SIGBREAK (CTRL_BREAK).
std::vector<int> cancel_signals();

// A cancel that arrived while no command ran is for nobody: dropped before the next one.
void forget_pending_cancel();

}  // namespace command_worker
