// The defaults of the pools' options, named once: what a zero field of PoolOptions,
// RedisPoolOptions and RedisWorkerOptions means.
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <chrono>
#include <cstddef>

namespace forkline {

// max_job_size, max_result_size: bytes a job or a result may have at most.
inline constexpr std::size_t kDefaultMaxJobSize = 64 * 1024;
inline constexpr std::size_t kDefaultMaxResultSize = 64 * 1024;
// max_attempts: runs of a job whose workers (or worker hosts) keep dying.
inline constexpr unsigned kDefaultMaxAttempts = 3;
// PoolOptions::queue_slots: jobs in flight at most in a local pool.
inline constexpr std::size_t kDefaultQueueSlots = 1024;

// Redis: how long a connection that keeps failing is retried before Error (give_up), and
// how long the first connection may take (connect_timeout: an unreachable host or a
// refused port fails this soon).
inline constexpr std::chrono::seconds kDefaultRedisGiveUp{15};
inline constexpr std::chrono::milliseconds kDefaultRedisConnectTimeout{2'000};
// Redis: a run with jobs waiting and no worker joined says so (RedisPoolOptions::on_warning)
// after this long.
inline constexpr std::chrono::seconds kDefaultNoWorkersWarning{5};

}  // namespace forkline
