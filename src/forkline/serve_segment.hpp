// The worker loop on a segment descriptor: behind serve() (descriptor and index from the
// environment) and behind in-process workers, which a pool forks without exec.
#pragma once

#include <cstdint>
#include <forkline/serve.hpp>

namespace forkline {

// Runs `init` (if any) with the worker's index, attaches to the segment behind `segment_fd`
// (closing the fd), serves as worker `index` until the sentinel or its retirement
// (max_jobs_per_worker). Returns the worker's exit code; errors are printed on stderr.
int serve_segment(const JobHandler& handler, int segment_fd, std::uint32_t index,
                  const WorkerInit& init = {});

}  // namespace forkline
