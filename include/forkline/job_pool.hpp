// What every pool of forkline offers, as a C++20 concept: code written against JobPool
// (a scheduler, a tool's main loop) runs its jobs on local workers (Pool, pool.hpp) or on
// worker hosts through Redis (RedisPool, redis.hpp) alike.
//
//   template <forkline::JobPool P>
//   void run_all(P& pool, const std::vector<std::string>& jobs) {
//       for (const auto& job : jobs) pool.submit(std::as_bytes(std::span(job)));
//       while (auto result = pool.next_result()) use(*result);
//       pool.wait();
//   }
//
// The members mean the same in every pool:
//   submit(job)         queues a job (blocks, delivering results, while the pool is full)
//   try_submit(job)     queues it if there is room now, never blocking; else nullopt
//   poll(timeout)       delivers the results that are ready, waiting up to timeout for one;
//                       returns how many
//   next_result()       (a pool made without a callback) the next result, waiting for it;
//                       nullopt when no job is in flight
//   in_flight()         jobs submitted and not yet delivered
//   fd()                readable (Windows: signalled) when poll(0) has something to do
//                       (deliver a result, run a housekeeping step); for event loops;
//                       owned by the pool; a NativeHandle (native_handle.hpp)
//   signal_workers(sig) sends sig to every worker process running this pool's jobs (with
//                       Redis: on every worker host of the run)
//   close()             no more jobs: submit() throws from now on
//   wait()              delivers every remaining result, lets the workers finish, returns
//                       the summary
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <forkline/native_handle.hpp>
#include <forkline/pool.hpp>
#include <optional>
#include <span>

namespace forkline {

template <typename P>
concept JobPool = requires(P& pool, const P& const_pool, std::span<const std::byte> job,
                           std::chrono::milliseconds timeout, int signal) {
    { pool.submit(job) } -> std::same_as<JobId>;
    { pool.try_submit(job) } -> std::same_as<std::optional<JobId>>;
    { pool.poll(timeout) } -> std::same_as<std::size_t>;
    { pool.next_result() } -> std::same_as<std::optional<OwnedJobResult>>;
    { const_pool.in_flight() } -> std::same_as<std::uint64_t>;
    { pool.fd() } -> std::same_as<NativeHandle>;
    pool.signal_workers(signal);
    pool.close();
    { pool.wait() } -> std::same_as<PoolSummary>;
};

static_assert(JobPool<Pool>);  // and JobPool<RedisPool> in redis.hpp

}  // namespace forkline
