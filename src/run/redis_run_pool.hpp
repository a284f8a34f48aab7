// forkline run --redis: its jobs on worker hosts (forkline worker --redis URL), and -j
// command workers here beside them (run_pool.hpp). Windows has no Redis client (no hiredis
// for mingw): there check_redis_target() (redis_target.hpp) refuses --redis first, and
// make_redis_run_pool() throws too.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "run_options.hpp"
#include "run_pool.hpp"

namespace run {

// The pool of the run (options.redis_url, queue, jobs), its local workers given
// `directory`. `warn` gets a warning of the pool's (a whole sentence without a newline,
// e.g. no worker host has joined yet, with the command that starts one). Throws
// forkline::Error when Redis cannot be reached.
std::unique_ptr<RunPool> make_redis_run_pool(const RunOptions& options,
                                             const std::filesystem::path& directory,
                                             RunPool::ResultCallback on_result,
                                             std::function<void(const std::string&)> warn);

}  // namespace run
