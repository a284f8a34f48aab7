// Ending what a finished job left running. A job's processes share its process group
// (run_pipeline() makes one per pipeline); when the job is over, whatever is still in that
// group gets SIGTERM (and SIGCONT, for a stopped one), `grace` to exit, then SIGKILL. The
// members that are this process's children (orphans reparented to it when it is a child
// subreaper, subreaper.hpp) are reaped, so no zombie is left either.
//
// Returns at once, at the cost of one kill(2), when the group is already empty: the
// common case.
#pragma once

#include <sys/types.h>

#include <chrono>

namespace forkline {

// Waits at most `grace` after the SIGTERM, then a bounded moment for the SIGKILLed ones
// that come to us to be reaped. `group` <= 0 is ignored.
void end_process_group(pid_t group, std::chrono::nanoseconds grace);

// A job whose worker died: SIGKILL at once, then reap as above.
inline void kill_process_group(pid_t group) {
    end_process_group(group, std::chrono::nanoseconds::zero());
}

}  // namespace forkline
