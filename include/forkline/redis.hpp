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
// RedisPool satisfies forkline::JobPool (job_pool.hpp) as Pool does: code written against
// the concept runs on either. RedisPoolOptions::workers runs local workers beside the
// remote ones (they take jobs through Redis too).
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
// The run's heartbeat and the reaping of dead worker hosts run on a thread of the pool with
// its own connection: a caller busy elsewhere for minutes does not lose its run.
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <chrono>
#include <forkline/job_pool.hpp>
#include <forkline/pool.hpp>
#include <forkline/pool_defaults.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace forkline {

// Every field's zero value is its default (pool_defaults.hpp names them). The names mean
// what PoolOptions' do.
struct RedisPoolOptions {
    std::string url{};    // redis://[user:password@]host[:port][/db]; required
    std::string queue{};  // queue name shared with the workers; "": "forkline"
    // Worker processes this pool runs itself, on this host, beside the remote ones (0:
    // none, remote workers only), as PoolOptions::workers. They take jobs through Redis
    // like any other worker.
    unsigned workers = 0;
    std::filesystem::path worker_program{};  // for `workers`; as PoolOptions
    std::vector<std::string> worker_args{};
    unsigned prefetch = 0;            // jobs the local workers hold at most; as
                                      // RedisWorkerOptions::prefetch (0: adaptive)
    std::size_t max_job_size = 0;     // bytes; 0: 64 KiB; submit() refuses larger jobs
    std::size_t max_result_size = 0;  // bytes, of the local workers' results; 0: 64 KiB
    unsigned max_attempts = 0;        // runs of a job whose worker hosts keep dying; 0: 3
    std::chrono::seconds give_up{};   // retrying a lost connection this long; 0: 15 s
    // The first connection: an unreachable host or a refused port fails this soon with
    // Error (no retries past it); 0: 2 s. Later losses are retried for give_up.
    std::chrono::milliseconds connect_timeout{};
    // Called (on the pool's thread, from submit(), poll(), next_result() or wait()) with a
    // one-line warning: today, jobs are waiting and no worker has joined the run after
    // no_workers_warning. Empty: the line goes to stderr as "forkline: warning: WHAT (start
    // one with: forkline worker --redis URL --queue QUEUE PROGRAM)".
    std::function<void(const std::string&)> on_warning{};
    std::chrono::seconds no_workers_warning{};  // 0: 5 s
};

class RedisPool {
  public:
    using ResultCallback = std::function<void(const JobResult&)>;

    // Connects, opens the run, starts its heartbeat thread and the local workers. Throws
    // Error (bad URL, server unreachable for `connect_timeout`, worker program missing).
    RedisPool(RedisPoolOptions options, ResultCallback on_result = {});
    // Stops the local workers and the heartbeat, and deletes the run's keys.
    ~RedisPool();
    RedisPool(RedisPool&&) noexcept;
    RedisPool& operator=(RedisPool&&) noexcept;

    // Queues one job (sent in batches: poll(), wait() and full batches flush them). Blocks
    // only while more than a million results are left unread, delivering them. Throws Error
    // if the job exceeds max_job_size or the pool is closed.
    JobId submit(std::span<const std::byte> job);
    // A typed job, encoded by codec<T> as Pool::submit() does (codec.hpp).
    template <typename T>
    JobId submit(const T& job) {
        std::vector<std::byte> scratch;
        return submit(forkline::encode(job, scratch));
    }
    // As submit(), never blocking: nullopt while the unread backlog is full.
    std::optional<JobId> try_submit(std::span<const std::byte> job);
    template <typename T>
    std::optional<JobId> try_submit(const T& job) {
        std::vector<std::byte> scratch;
        return try_submit(forkline::encode(job, scratch));
    }

    // Delivers the results that are ready; if none, waits up to `timeout` for one.
    std::size_t poll(std::chrono::milliseconds timeout);
    std::uint64_t in_flight() const;
    std::optional<OwnedJobResult> next_result();

    // Readable when poll(0) has something to do: results have arrived, or the heartbeat
    // thread has news (a worker reaped, an error, a warning). Owned by the pool.
    int fd();

    // Sends `signal` to every worker process of the run, on every worker host (and this
    // pool's local workers): a request stored in Redis that each host's serve_redis
    // forwards to its local Pool::signal_workers within a fraction of a second. Workers
    // that join the run later do not get it.
    void signal_workers(int signal);

    // Takes back the jobs no worker has claimed yet (those still in the run's queue, a
    // dead host's jobs once the reaper requeued them): each is reported
    // JobStatus::cancelled with 0 attempts by the next poll(), wait() or next_result(),
    // never inside this call. Returns their ids. A run that stops early calls it (again
    // every fraction of a second while results are awaited): with no worker host left
    // those jobs would otherwise be waited for forever. Not from a result callback.
    std::vector<JobId> withdraw_queued();

    // No more jobs: submit() throws from now on. The sentinels go out once every result
    // is in (wait() does that).
    void close();

    // Every result delivered, then one sentinel per registered worker; returns when each
    // has answered or died. Throws Error on connection loss past `give_up`.
    PoolSummary wait();
    // As wait(), for at most `timeout`: nullopt if the run is not over by then (results
    // delivered meanwhile; call it again, or destroy the pool to abandon the run).
    std::optional<PoolSummary> wait_for(std::chrono::milliseconds timeout);

    const std::string& run_id() const;

    // Workers (hosts, and this pool's own local workers) that had joined the run at its
    // last heartbeat (every 0.5 s, on the pool's own thread): 0 tells a supervisor that
    // it is waiting for workers nobody has started.
    std::size_t workers_joined() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

static_assert(JobPool<RedisPool>);

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
    unsigned workers = 0;  // local worker processes; 0: one per core
    // Jobs held from Redis at most. 0: adaptive, about 50 ms of this host's work (at least
    // 2 × workers, at most 1024): tiny jobs come in large batches, long ones few at a time.
    // A fixed number: larger suits tiny jobs, smaller balances long jobs across hosts.
    unsigned prefetch = 0;
    std::size_t max_job_size = 0;     // bytes; 0: 64 KiB (a larger job fails)
    std::size_t max_result_size = 0;  // bytes; 0: 64 KiB
    bool once = false;                // leave after the first run instead of waiting for the next
    std::string run_id{};             // serve only this run (implies once)
    std::chrono::seconds give_up{};   // as RedisPoolOptions; 0: 15 s
    std::chrono::milliseconds connect_timeout{};  // as RedisPoolOptions; 0: 2 s
    // As PoolOptions: for jobs that start processes, so that a host SIGKILLed mid-job
    // takes the jobs' process groups (grandchildren too) with it.
    bool adopt_orphans = false;
    bool guard_jobs = false;
};

// Takes jobs of `queue` from Redis, runs them on a local Pool and pushes their results,
// run after run, until `stop` is requested (or after one run with `once`). Answers each
// run's sentinel. Throws Error (bad URL, connection lost for `give_up`, worker program).
void serve_redis(const RedisWorkerOptions& options, std::stop_token stop = {});

}  // namespace forkline
