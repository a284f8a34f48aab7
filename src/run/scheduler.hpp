// Runs `forkline run` jobs on a pool of command_worker processes: at most -j at once, at
// the --rate / --delay pace, retried on failure, stopped by --halt or SIGINT/SIGTERM.
#pragma once

#include "job_source.hpp"
#include "run_options.hpp"

namespace run {

// Returns the exit status: 0 if every job succeeded, else the number of failed jobs
// (at most 101); 130 / 143 after SIGINT / SIGTERM. Throws forkline::Error when the pool
// cannot run at all. An error while reporting (cli::OutputError: the output or the joblog
// cannot be written, EPIPE included) stops the run: running jobs are cancelled, every
// worker is reaped, the private directory removed, and then the error is rethrown.
// A template job is expanded when it starts, in its job slot ({%}: 1 to -j, the slot of a
// finished job reused, as GNU parallel); its spec's command is then the expanded text.
// Jobs are taken from `jobs` as slots free up, so the input is read as it arrives.
int run_jobs(JobStream& jobs, const RunOptions& options);

}  // namespace run
