// forkline run's jobs on this host: a forkline::Pool of command workers (run_pool.hpp).
#pragma once

#include <filesystem>
#include <memory>

#include "run_pool.hpp"

namespace run {

// `workers` command workers, each given `directory` (the run's private directory, where
// outputs too large for a result go). Throws forkline::Error when the pool cannot start.
std::unique_ptr<RunPool> make_local_run_pool(unsigned workers,
                                             const std::filesystem::path& directory,
                                             RunPool::ResultCallback on_result);

// Whether the pool adopts its jobs' orphans and guards their process groups against this
// process's death (PoolOptions::adopt_orphans, guard_jobs): Linux. Windows has neither
// option: there every worker's job runs in a Job Object that dies with the worker and with
// the pool (pool_processes_windows.cpp). local_run_pool_posix.cpp, _windows.cpp.
extern const bool kPoolGuardsJobs;

}  // namespace run
