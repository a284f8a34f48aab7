// A guardian for the jobs of a supervisor that may be SIGKILLed. Workers and their direct
// children die with the supervisor (PR_SET_PDEATHSIG), but what a job's stages started
// (a shell's background `sleep`) has no such tie and would be left to init. The guardian
// is a forked copy of the supervisor that does nothing but wait on a pipe: when the
// supervisor dies without standing it down, the pipe closes and the guardian SIGKILLs the
// process groups the workers' records name (job_group_record.hpp), then exits. It maps
// the segment itself, read-only: the supervisor's mapping is MADV_DONTFORK.
#pragma once

#include <sys/types.h>

#include "layout.hpp"
#include "unique_fd.hpp"

namespace forkline {

class JobGuardian {
  public:
    // Forks the guardian (named "forkline-guard" in ps), which watches the job records of
    // the segment open as `segment_fd` with `geometry`. Throws OsError if it cannot.
    JobGuardian(int segment_fd, const layout::Geometry& geometry);
    // Stands the guardian down (a byte, then EOF: the jobs are the supervisor's to end)
    // and reaps it.
    ~JobGuardian();
    JobGuardian(const JobGuardian&) = delete;
    JobGuardian& operator=(const JobGuardian&) = delete;

    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
    UniqueFd stand_down_;  // the pipe's write end: only the supervisor holds it (CLOEXEC)
};

}  // namespace forkline
