// Where a job's stdout and stderr go when the worker does not capture them.
#pragma once

#include <string>

#include "unique_fd.hpp"

namespace command_worker {

struct JobOutputFiles {
    forkline::UniqueFd out;
    forkline::UniqueFd err;
};

// `path` opened for a job to write: a FIFO of live output that the supervisor reads (opened
// without blocking, so that a FIFO with no reader is an error instead of a hang; the job
// then gets a blocking descriptor), or a --results file, created or truncated. Windows has
// no live output: there it is always a file. Throws forkline::OsError.
forkline::UniqueFd open_job_output(const std::string& path);

}  // namespace command_worker
