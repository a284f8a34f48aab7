// This process as a child subreaper (PR_SET_CHILD_SUBREAPER): a process orphaned anywhere
// below it (its parent died: a job's stage, a killed worker) is reparented to it instead
// of to init, so what a job started cannot escape its job by losing its parent. The price:
// every such orphan becomes our child and must be reaped, which
// kill_and_reap_children() and end_process_group() (leftover_processes.hpp) do.
// Windows (subreaper_windows.cpp): both are no-ops; a Job Object keeps a job's tree instead.
#pragma once

#include <sys/types.h>

#include <functional>

namespace forkline {

// Makes this process a child subreaper for the object's lifetime. The flag is
// process-wide: nested and concurrent holders are counted, and the state found before
// the first one is restored after the last.
class ChildSubreaper {
  public:
    ChildSubreaper();
    ~ChildSubreaper();
    ChildSubreaper(const ChildSubreaper&) = delete;
    ChildSubreaper& operator=(const ChildSubreaper&) = delete;
};

// SIGKILLs and reaps every child of this process that `keep` does not claim (all of them
// without `keep`), then the orphans that arrive as those die, until none is left (bounded).
// A child that leads its own process group (one that called setsid) takes its group with
// it. Costs one waitid(2) when this process has no child at all.
void kill_and_reap_children(const std::function<bool(pid_t)>& keep = {});

}  // namespace forkline
