// The Redis transport: a pool whose job queue lives in a Redis server, so workers on other
// hosts take jobs from it (docs/redis.md has the protocol and the key schema).
//
//   forkline::RedisPool pool({.url = "redis://host:6379/0", .queue = "primes"},
//                            [](const forkline::JobResult& r) { ... });
//   for (auto n : numbers) pool.submit(n);
//   forkline::PoolSummary summary = pool.wait();
//
// and on each worker host (what `forkline worker --redis URL --queue primes prime_worker` runs):
//
//   forkline::serve_redis({.url = "redis://host:6379/0", .queue = "primes",
//                          .worker_program = forkline::find_worker("prime_worker")});
//
// Each RedisPool is one *run*, with its own random run id: its keys are
// forkline:{QUEUE}:{RUN}:…, so concurrent runs on one queue name never mix, and they are
// deleted when the run ends (those of a crashed run expire). Workers serve the oldest open
// run of their queue, then the next one.
//
// Crash promise, as Pool's: every submitted job gets exactly one result. A worker host that
// dies (its heartbeat expires) has its jobs moved back to the queue and run again, up to
// max_attempts runs (then JobStatus::worker_died); results are deduplicated by job id. A
// lost connection is retried with exponential backoff for `give_up`, then Error is thrown.
//
// Not thread-safe: use one RedisPool from one thread. Results are delivered on that thread,
// inside submit(), poll() and wait(), or returned by next_result() without a callback.
// Call into the pool at least every few seconds while it runs (that is its heartbeat).
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <chrono>
#include <forkline/pool.hpp>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace forkline {

// Every field's zero value is its default.
struct RedisPoolOptions {
    std::string url{};    // redis://[user:password@]host[:port][/db]; required
    std::string queue{};  // queue name shared with the workers; "": "forkline"
    // Worker processes this pool runs itself, on this host, beside the remote ones (0:
    // none, remote workers only). They take jobs through Redis like any other worker.
    unsigned local_workers = 0;
    std::filesystem::path worker_program{};  // for local_workers; as PoolOptions
    std::vector<std::string> worker_args{};
    unsigned local_prefetch = 0;      // jobs the local workers hold at most; as
                                      // RedisWorkerOptions::prefetch
    std::size_t max_job_size = 0;     // bytes; 0: 64 KiB; submit() refuses larger jobs
    std::size_t max_result_size = 0;  // bytes, of the local workers' results; 0: 64 KiB
    unsigned max_attempts = 0;        // runs of a job whose worker hosts keep dying; 0: 3
    std::chrono::seconds give_up{};   // retrying a lost connection this long; 0: 15 s
};

class RedisPool {
  public:
    using ResultCallback = std::function<void(const JobResult&)>;

    // Connects, opens the run and starts the local workers. Throws Error (bad URL, server
    // unreachable for `give_up`, worker program missing).
    RedisPool(RedisPoolOptions options, ResultCallback on_result = {});
    // Stops the local workers and deletes the run's keys.
    ~RedisPool();
    RedisPool(RedisPool&&) noexcept;
    RedisPool& operator=(RedisPool&&) noexcept;

    // Queues one job (sent in batches: poll(), wait() and full batches flush them).
    JobId submit(std::span<const std::byte> job);
    // A typed job, encoded by codec<T> as Pool::submit() does (codec.hpp).
    template <typename T>
    JobId submit(const T& job) {
        std::vector<std::byte> scratch;
        return submit(forkline::encode(job, scratch));
    }

    // Delivers the results that are ready; if none, waits up to `timeout` for one.
    std::size_t poll(std::chrono::milliseconds timeout);
    std::uint64_t in_flight() const;
    std::optional<OwnedJobResult> next_result();

    // Every result delivered, then one sentinel per registered worker; returns when each
    // has answered or died. Throws Error on connection loss past `give_up`.
    PoolSummary wait();

    const std::string& run_id() const;

    // Workers (hosts, and this pool's own local workers) that had joined the run at its
    // last heartbeat (every 0.5 s while the pool is called): 0 tells a supervisor that it
    // is waiting for workers nobody has started.
    std::size_t workers_joined() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Throws Error saying what is wrong unless `url` is redis://[user:password@]host[:port][/db]
// (for tools that check their options before starting anything).
void check_redis_url(std::string_view url);

// `url` as messages may show it: the user and password replaced by "…"
// (redis://…@host:6379/0).
std::string redis_url_without_password(std::string_view url);

// Every field's zero value is its default.
struct RedisWorkerOptions {
    std::string url{};                       // as RedisPoolOptions
    std::string queue{};                     // "": "forkline"
    std::filesystem::path worker_program{};  // run in a local Pool, as PoolOptions
    std::vector<std::string> worker_args{};
    unsigned workers = 0;          // local worker processes; 0: one per core
    unsigned prefetch = 0;         // jobs held from Redis at most; 0: 2 × workers. Larger batches
                                   // suit tiny jobs, smaller ones balance long jobs across hosts
    std::size_t max_job_size = 0;  // bytes; 0: 64 KiB (a larger job fails)
    std::size_t max_result_size = 0;  // bytes; 0: 64 KiB
    bool once = false;                // leave after the first run instead of waiting for the next
    std::string run_id{};             // serve only this run (implies once)
    std::chrono::seconds give_up{};   // as RedisPoolOptions; 0: 15 s
};

// Takes jobs of `queue` from Redis, runs them on a local Pool and pushes their results,
// run after run, until `stop` is requested (or after one run with `once`). Answers each
// run's sentinel. Throws Error (bad URL, connection lost for `give_up`, worker program).
void serve_redis(const RedisWorkerOptions& options, std::stop_token stop = {});

}  // namespace forkline
