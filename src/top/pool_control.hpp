// What the k and p keys of `forkline top` ask of a pool: to cancel a running job (its whole
// process group) or to pause / resume starting new jobs. They go through the pool's control
// channel, never into its segment, which top only reads. The channel's client is built
// apart (src/top/control_client.*); until it is part of this build, the keys say so.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

namespace top {

class PoolControl {
  public:
    virtual ~PoolControl() = default;
    // Each returns the one line to show in the status line: done, or why not.
    virtual std::string cancel(pid_t supervisor, std::uint64_t job_id) = 0;
    virtual std::string pause_or_resume(pid_t supervisor) = 0;
};

// The control of this build.
std::unique_ptr<PoolControl> make_pool_control();

}  // namespace top
