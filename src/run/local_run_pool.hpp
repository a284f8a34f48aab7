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

}  // namespace run
