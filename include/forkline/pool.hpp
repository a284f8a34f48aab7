// A pool of worker processes sharing a job queue and a result queue in shared memory.
//
//   forkline::Pool pool({.worker_program = forkline::find_worker("prime_worker")},
//                       [](const forkline::JobResult& r) { ... });
//   for (auto n : numbers) pool.submit(n);
//   forkline::PoolSummary summary = pool.wait();
//
// Workers are separate executables that call forkline::serve() (serve.hpp), or an
// in-process handler run in a fork of this program (PoolOptions::worker_function). Each
// worker is a child of the thread that created the pool (or respawned it): it is SIGKILLed
// when that thread exits, so create a pool from a thread that outlives it (e.g. main).
//
// Crash promise: whatever worker is SIGKILLed at whatever instant, every submitted job gets
// exactly one result. A job whose worker died is run again (by a respawned worker if need
// be), up to `max_attempts` runs, then reported as JobStatus::worker_died.
//
// Processes a job starts do not outlive it. A pipeline (run_pipeline(), pipeline.hpp) ends
// when its stages have exited and the output it captures has been closed by every process
// holding it; then whatever is left of its process group gets SIGTERM, `grace`, SIGKILL.
// A worker records the process group of the pipeline its job runs in its own word of the
// segment; when a worker dies (SIGKILL, job_timeout, the pool's destruction) the pool
// SIGKILLs that group before the job runs again, so a dead worker's grandchildren die
// with it. A process that left the group (setsid) is caught only with adopt_orphans.
// The supervisor itself SIGKILLed: its workers and their direct children die by
// PR_SET_PDEATHSIG; the jobs' grandchildren die too with guard_jobs (a guardian process
// kills the recorded groups), else they are init's.
//
// Worker starts the kernel refuses (EAGAIN, ENOMEM) or that fail to exec are retried with
// a growing pause (10 ms to 0.5 s) instead of being thrown out of submit() or wait(); if
// no worker runs at all for 2 s, every waiting job is reported JobStatus::failed with
// "pool: no worker could be started: REASON" as its data. The constructor throws instead
// when it cannot start every worker: no job is waiting yet.
//
// Control: every pool listens on a control channel that only its own user (or root) may
// use, a Unix socket in the abstract namespace ("forkline-control-PID-…"), through which
// `forkline top PID --cancel JOB | --pause | --resume` cancel a job (as cancel() with
// kill_running) and pause or resume the pool (pause()). Requests are answered on the
// pool's thread inside submit(), try_submit(), poll(), next_result() and wait(): a program
// that does not call into its pool for a while answers when it next does.
//
// Not thread-safe: use one Pool from one thread (several pools on several threads are
// fine). Results are delivered on that thread, inside submit(), try_submit(), poll() and
// wait(), in completion order, or returned by next_result() when the pool has no callback.
// The callback may submit() more jobs (they are queued after the current delivery), cancel()
// and close(); an exception it throws propagates out of the submit() or wait() that delivered
// the result, after which the pool is still consistent and wait() can be called again.
#pragma once

#include <forkline/requires_cxx20.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <forkline/codec.hpp>
#include <forkline/error.hpp>
#include <forkline/native_handle.hpp>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace forkline {

using JobId = std::uint64_t;  // 0, 1, 2, … in submission order

enum class JobStatus {
    ok,           // the handler returned a result
    failed,       // the handler threw; `data` holds its message, `exception_type` its type
    worker_died,  // the worker of every attempt died; `data` is empty, `worker_exit` says how
    timed_out,    // it ran longer than its timeout (JobOptions, PoolOptions::job_timeout):
                  // its worker was killed (`worker_exit.signal` is SIGKILL)
    cancelled,    // cancel(): withdrawn before it ran, or its worker killed; `data` is empty
};

const char* to_string(JobStatus status);

// How a worker process ended: its exit code, or the signal that killed it.
struct WorkerExit {
    int code = 0;    // exit code when signal == 0
    int signal = 0;  // the signal that killed it (SIGKILL after a timeout), 0 if it exited
};

struct JobResult {
    JobId id;
    JobStatus status;
    unsigned attempts;                 // runs started, this one included (> 1 after a death)
    std::chrono::nanoseconds elapsed;  // time the worker's handler took, last attempt
    std::span<const std::byte> data;   // result bytes: valid only during the callback
    // worker_died, timed_out: how the worker of the last attempt ended; zero otherwise.
    WorkerExit worker_exit{};
    // failed: the type of what the handler threw, demangled ("std::invalid_argument"); empty
    // when the failure was not an exception (e.g. no worker could be started). Valid only
    // during the callback.
    std::string_view exception_type{};

    // The result decoded by codec<T> (codec.hpp): e.g. as<std::uint64_t>(), as<std::string>().
    // Throws Error if the bytes are not a T (a plain value of another size). A pointer, view
    // or span of non-bytes does not compile. as<std::string_view>() and byte spans point into
    // `data`: valid only during the callback.
    template <typename T>
    T as() const;
};

// A job handler, as a worker runs it: reads the job, writes the result into `out`
// (max_result_size bytes) and returns the result's size. An exception makes the job
// JobStatus::failed with its message as the data.
using JobHandler =
    std::function<std::size_t(std::span<const std::byte> job, std::span<std::byte> out)>;

// A JobHandler from a function of typed values: the job is decoded by codec<Job>, the result
// encoded by codec<Result> (codec.hpp), as submit() and as<T>() do on the pool's side. A job
// its codec refuses, or a result larger than `out`, makes the job JobStatus::failed. A Job
// of std::string_view (or a byte span) views the job in shared memory: valid during the call.
// For PoolOptions::worker_function, and what serve_typed() (serve.hpp) serves.
template <typename Job, typename Result, typename F>
requires std::is_invocable_r_v<Result, F, const Job&> JobHandler typed_handler(F handler) {
    return [handler = std::move(handler), scratch = std::vector<std::byte>()](
               std::span<const std::byte> job, std::span<std::byte> out) mutable -> std::size_t {
        const Result result = handler(forkline::decode<Job>(job));
        const auto bytes = forkline::encode(result, scratch);
        if (bytes.size() > out.size()) {
            throw Error("result of " + std::to_string(bytes.size()) +
                        " bytes exceeds max_result_size " + std::to_string(out.size()));
        }
        if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
        return bytes.size();
    };
}

// Run once in each in-process worker (PoolOptions::worker_init) with its index.
using WorkerInit = std::function<void(unsigned worker_index)>;

// Every field's zero value is its default.
struct PoolOptions {
    // The workers: an executable that calls serve() (fork + exec), or else an in-process
    // handler (fork without exec: the child runs it on a copy of this program; only safe
    // when no other thread of the program holds a lock the handler needs).
    // A relative worker_program is taken from the current directory at construction (made
    // absolute then: a later chdir does not move it); it is never looked up in PATH. Prefer
    // find_worker("name"). A worker learns its index with worker_index() (serve.hpp).
    std::filesystem::path worker_program{};
    std::vector<std::string> worker_args{};  // argv[1..] of every worker_program
    JobHandler worker_function{};
    unsigned workers = 0;                    // 0: one per available core
    std::size_t queue_slots = 0;             // jobs in flight at most (any number up to
                                             // 16777216; submit() blocks beyond); 0: 1024
    std::size_t max_job_size = 0;            // bytes; 0: 64 KiB; larger jobs are refused
    std::size_t max_result_size = 0;         // bytes; 0: 64 KiB
    unsigned max_attempts = 0;               // runs of a job whose workers keep dying; 0: 3
    std::chrono::nanoseconds job_timeout{};  // 0: none; else the worker of a job running
                                             // longer is killed (JobStatus::timed_out)
    unsigned claim_batch = 0;  // jobs a worker takes at once; 0: adaptive (1…64); 1 suits
                               // long jobs (best load balance)
    // Makes this process a child subreaper (PR_SET_CHILD_SUBREAPER) while the pool lives,
    // so that processes a dead worker's job left behind come to it instead of init; the
    // pool kills and reaps every child of this process that is not one of its workers
    // when a worker dies and when the pool is destroyed. Set it only in a program that has
    // no children of its own while the pool lives (forkline's tools set it). Without it,
    // a dead worker's job is still ended by its process group (see "Processes a job
    // starts" above); only a process that left that group (setsid) can escape.
    bool adopt_orphans = false;
    // A guardian process (named forkline-guard) that SIGKILLs the recorded process groups
    // of the running jobs if this supervisor dies, even by SIGKILL: without it a job's
    // grandchildren outlive a killed supervisor (its workers and their direct children die
    // with it). Costs one fork() at construction; the guardian is reaped by the pool.
    bool guard_jobs = false;
    // Worker lifecycle. With worker_function: run in each worker process before it serves
    // any job (at its first start, and again in every respawned or recycled worker), with
    // the worker's index (0 … workers-1): e.g. to open what the handler reuses. If it
    // throws, the worker prints "forkline worker: WHAT" on stderr and exits 1 without
    // serving, and the pool throws Error from the submit(), poll() or wait() that notices.
    // With worker_program it is an Error: that program's main() does its own set-up.
    WorkerInit worker_init{};
    // Recycling (multiprocessing's maxtasksperchild), for handlers that leak: a worker
    // exits cleanly after this many jobs and a fresh process takes its place (worker_init
    // runs again). Its results are all delivered, and the jobs it had taken but not started
    // go to the other workers: no job is lost or run twice. 0: workers live until close().
    unsigned max_jobs_per_worker = 0;
    // What `forkline top` calls this pool ("run", "files", …), at most 31 bytes; empty:
    // this program's name.
    std::string label{};
};

// Options of one job; every field's zero value is its default.
struct JobOptions {
    // This job's timeout, overriding PoolOptions::job_timeout: 0 keeps the pool's,
    // kNoTimeout runs it without one. Counted from when a worker starts it.
    std::chrono::nanoseconds timeout{};
    static constexpr std::chrono::nanoseconds kNoTimeout = std::chrono::nanoseconds::max();
};

// What cancel() may do to a job a worker is already running.
enum class CancelMode {
    if_queued,    // only a job no worker has taken yet is cancelled
    kill_running  // a running job's worker is SIGKILLed (and respawned): the job ends too
};

// A result that owns its bytes: what next_result() returns.
struct OwnedJobResult {
    JobId id;
    JobStatus status;
    unsigned attempts;
    std::chrono::nanoseconds elapsed;
    std::vector<std::byte> data;
    WorkerExit worker_exit{};
    std::string exception_type{};

    // As JobResult::as(); views point into `data`.
    template <typename T>
    T as() const;
};

namespace detail {
template <typename T>
T decode_result(JobId id, std::span<const std::byte> data) {
    try {
        return forkline::decode<T>(data);
    } catch (const Error& e) {
        throw Error("result of job " + std::to_string(id) + ": " + e.what());
    }
}
}  // namespace detail

template <typename T>
T JobResult::as() const {
    return detail::decode_result<T>(id, data);
}

template <typename T>
T OwnedJobResult::as() const {
    return detail::decode_result<T>(id, data);
}

struct PoolSummary {
    std::uint64_t submitted = 0;
    std::uint64_t succeeded = 0;           // JobStatus::ok
    std::uint64_t failed = 0;              // JobStatus::failed
    std::uint64_t worker_died = 0;         // JobStatus::worker_died
    std::uint64_t timed_out = 0;           // JobStatus::timed_out
    std::uint64_t cancelled = 0;           // JobStatus::cancelled
    std::uint64_t worker_deaths = 0;       // workers that died instead of answering a sentinel
                                           // (killed for a timeout or a cancel included)
    std::uint64_t sentinels_answered = 0;  // workers that finished cleanly
    std::uint64_t workers_recycled = 0;    // workers retired after max_jobs_per_worker
    std::chrono::nanoseconds wall{};       // from construction to the end of wait()
};

class Pool {
  public:
    using ResultCallback = std::function<void(const JobResult&)>;

    // Creates the segment and starts the workers. Throws Error (bad options, worker
    // program missing or not executable, segment cannot be created). Without a callback,
    // results are kept for next_result().
    Pool(PoolOptions options, ResultCallback on_result = {});
    // Kills any worker still running and removes the segment.
    ~Pool();
    Pool(Pool&&) noexcept;
    Pool& operator=(Pool&&) noexcept;

    // Queues one job. Blocks while the queue is full, delivering results meanwhile.
    // Throws Error if the job exceeds max_job_size or the pool is closed.
    JobId submit(std::span<const std::byte> job, const JobOptions& job_options = {});

    // Queues a typed job, encoded by codec<T> (codec.hpp): a plain value as its bytes,
    // std::string, std::string_view and byte spans as their contents, a vector of plain
    // values as its elements, a type with to_json/from_json as JSON (json_codec.hpp). A
    // pointer, reference_wrapper, view or span of non-bytes, or a struct holding one, does
    // not compile (it would send an address). The worker decodes it with serve_typed<T, …>.
    template <typename T>
    JobId submit(const T& job, const JobOptions& job_options = {}) {
        std::vector<std::byte> scratch;
        return submit(forkline::encode(job, scratch), job_options);
    }

    // Queues one job if a slot is free, never blocking (results that are ready are
    // delivered first); nullopt when the queue is full: call poll() and try again, e.g. when
    // fd() is readable. Throws as submit().
    std::optional<JobId> try_submit(std::span<const std::byte> job,
                                    const JobOptions& job_options = {});

    // A typed job, encoded as submit(const T&) does.
    template <typename T>
    std::optional<JobId> try_submit(const T& job, const JobOptions& job_options = {}) {
        std::vector<std::byte> scratch;
        return try_submit(forkline::encode(job, scratch), job_options);
    }

    // Cancels job `id`: a job no worker has taken yet never runs; with kill_running, a
    // running job's worker is SIGKILLed (its job's processes with it) and a new worker
    // started. Returns true when the job will be reported JobStatus::cancelled (by the next
    // poll(), wait(), submit() or next_result(), never inside cancel() itself) — unless a
    // running job finished before its worker was killed, when its own result is reported
    // instead. False when it is running (if_queued), already finished, or unknown.
    bool cancel(JobId id, CancelMode mode = CancelMode::if_queued);

    // Pausing: while the pool is paused no job starts. The jobs waiting in the queue stay
    // there (parked: no worker takes them), submit() goes on queuing them (and blocks when
    // the queue is full, as ever), the jobs already running go on and their results are
    // delivered. wait() waits through a pause: it returns after resume() (or
    // `forkline top --resume`) once every job is done. cancel() works on parked jobs too.
    void pause();
    void resume();
    bool paused() const;

    // For an event loop (epoll, poll, Boost.Asio, libuv): a descriptor that is readable
    // while the pool has something to do — a result is ready, a worker died, a timeout
    // expired, a control request came (`forkline top`). When it is readable, call
    // poll(std::chrono::milliseconds(0)) (it delivers what is ready and re-arms the
    // descriptor), then try_submit() more jobs. Owned by the pool: do not read it or close
    // it; never readable again once wait() returned. On Windows it is an event HANDLE,
    // signalled instead of readable (native_handle.hpp).
    NativeHandle fd();

    // Queues one job whose result goes to the returned future instead of the callback or
    // next_result(). The pool fulfils it while it delivers results (inside submit(),
    // poll(), next_result() and wait()): on the pool's own thread, call wait() or poll()
    // before get(), or get() would wait for ever. A pool destroyed first leaves the future
    // holding std::future_error (broken_promise). Throws as submit().
    std::future<OwnedJobResult> submit_future(std::span<const std::byte> job);

    // A typed job, encoded by codec<T> as submit(const T&) does.
    template <typename T>
    std::future<OwnedJobResult> submit_future(const T& job) {
        std::vector<std::byte> scratch;
        return submit_future(forkline::encode(job, scratch));
    }

    // Delivers the results that are ready; if there are none, waits up to `timeout` for
    // one (woken by the result itself, not by a periodic check). Returns how many were
    // delivered. For schedulers that keep a bounded number of jobs in flight.
    std::size_t poll(std::chrono::milliseconds timeout);

    // Jobs submitted and not yet delivered.
    std::uint64_t in_flight() const;

    // Iteration, for a pool made without a callback: the next result in completion order,
    // waiting for it while jobs are in flight. nullopt means "no job in flight right now"
    // (every submitted job's result was returned), not "the pool is finished": submit more
    // and next_result() returns their results.
    std::optional<OwnedJobResult> next_result();

    // Sends `signal` to every running worker process (e.g. SIGTERM, which forkline's command
    // worker takes as "cancel the job you are running").
    void signal_workers(int signal) const;

    // No more jobs: sends one sentinel per worker. wait() calls it if needed.
    void close();

    // Delivers every remaining result (callbacks may still submit), then closes: waits
    // until every worker has answered its sentinel (or died, its jobs requeued) and reaps
    // them all. Throws Error if a worker breaks the
    // protocol (exits before attaching, or exits 0 without answering its sentinel).
    PoolSummary wait();

    unsigned worker_count() const;

    // How many jobs this run submits in all, once known (0: unknown): `forkline top` then
    // shows the progress and an ETA. Only displayed; nothing waits for that many.
    void set_total_jobs(std::uint64_t total);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Cores this process may run on (sched_getaffinity), at least 1.
unsigned available_cores();

// The path of worker executable `name`: beside the running program (/proc/self/exe),
// else in forkline's install libexecdir. Never looked up in the cwd or PATH.
// Throws Error naming the places tried.
std::filesystem::path find_worker(std::string_view name);

}  // namespace forkline
