// What the k and p keys of `forkline top` ask of a pool: to cancel a running job (its whole
// process group) or to pause / resume starting new jobs. They go through the pool's control
// channel (src/forkline/control_client.hpp), never into its segment, which top only reads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

namespace top {

class PoolActions {
  public:
    virtual ~PoolActions() = default;
    // Each returns the one line to show in the status line: done, or why not. `segment`
    // ("forkline-PID-RANDOM") tells which pool of the process.
    virtual std::string cancel(pid_t supervisor, const std::string& segment,
                               std::uint64_t job_id) = 0;
    virtual std::string pause_or_resume(pid_t supervisor, const std::string& segment) = 0;
};

// Through the pools' control channels.
std::unique_ptr<PoolActions> make_pool_actions();

}  // namespace top
