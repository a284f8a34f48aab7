// The supervisor behind forkline::Pool: its state and the steps of supervision.
// pool.cpp holds the public methods, pool_workers.cpp the worker processes' lifecycle.
#pragma once

#include <chrono>
#include <deque>
#include <exception>
#include <forkline/pool.hpp>
#include <future>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "control_protocol.hpp"
#include "exit_status.hpp"
#include "pool_events.hpp"
#include "segment.hpp"
#include "spawn.hpp"
#include "supervisor_queue.hpp"
#ifndef _WIN32  // job groups, the subreaper and the control channel are Linux-only
#include "control_channel.hpp"
#include "job_guardian.hpp"
#include "subreaper.hpp"
#endif

namespace forkline {

// pool_processes_{posix,windows}.cpp: refuses what this OS cannot do (Windows:
// worker_function, guard_jobs, adopt_orphans) with an Error naming the option.
void check_platform_options(const PoolOptions& options);

struct Pool::Impl {
    using Clock = std::chrono::steady_clock;

    struct Worker {
        std::optional<Child> child;  // empty once reaped, or while its start is retried
        bool answered_sentinel = false;
        // A start the kernel refused (EAGAIN, ENOMEM…) is retried at this time, after a
        // pause that doubles each time (kFirstRetryPause…kLongestRetryPause).
        std::optional<Clock::time_point> retry_start_at;
        Clock::duration retry_pause{};
    };

    Impl(PoolOptions options, ResultCallback on_result);
    // Kills the workers still running, then what their jobs started (README: "Processes a
    // job starts").
    ~Impl();

    // A job submitted from a callback, waiting for pump() to queue it.
    struct PendingJob {
        JobId id;
        std::vector<std::byte> data;
        std::chrono::nanoseconds timeout;
    };

    // pool.cpp: results and the supervision loop.
    // `death`: how the worker that held the slot ended, when a death ends the job.
    void finished(const FinishedSlot& slot, const ExitStatus* death = nullptr);
    bool fulfil_promise(const JobResult& result);  // pool_futures.cpp
    void push_job(JobId id, std::span<const std::byte> job, std::chrono::nanoseconds timeout);
    std::chrono::nanoseconds timeout_of(const JobOptions& job_options) const;
    void check_submittable(std::span<const std::byte> job) const;
    void flush_pending();
    // One step of supervision; sleeps (if `may_sleep` and nothing happened) until an event
    // or `until`.
    void pump(bool may_sleep, Clock::time_point until = Clock::time_point::max());
    void rethrow_callback_error();
    std::uint64_t delivered() const;
    std::uint64_t unfinished_jobs() const { return summary.submitted - delivered(); }

    // pool_events.cpp's users, in pool_wakeups.cpp: sleeping until something happens,
    // arming fd() for an event loop, and cancelled jobs.
    void sleep_until_event(Clock::time_point until);
    void arm_for_event_loop();
    std::optional<Clock::time_point> next_deadline() const;
    bool cancel(JobId id, CancelMode mode);
    bool deliver_cancelled();

    // pool_control.cpp: the control channel (`forkline top --cancel/--pause/--resume`).
    void open_control_channel();
    // Answers the requests that came: those epoll reported, or with `look` all that wait
    // (a pool busy with results, or not about to sleep, does not reach epoll). Whether any
    // was answered.
    bool answer_control(bool look);
    control::Reply answer(const control::Request& request);

    // pool_workers.cpp: spawning, reaping, respawning, timeouts, sentinels.
    void spawn_worker(std::uint32_t index);
    void retry_refused_starts();
    void fail_jobs_without_workers();
    void worker_exited(std::uint32_t index, const ExitStatus& status);
    bool worker_retired(std::uint32_t index, const ExitStatus& status);
    void kill_overdue_jobs();
    void top_up_sentinels();
    bool any_worker_running() const;

    // pool_processes_{posix,windows}.cpp: the OS half of the workers' lifecycle.
    void start_process_guards();  // adopt_orphans, guard_jobs (POSIX)
    void stop_process_guards();   // once the workers' jobs are ended
    // Starts worker `index` (workers[index].child) and watches for its exit; throws OsError.
    void launch_worker(std::uint32_t index);
    void end_jobs_of_dead_worker(std::uint32_t index);
    bool reap_exited_workers();
    void kill_worker(std::uint32_t index);  // SIGKILL (Windows: its job terminated)

    // pool_counters.cpp: what forkline top reads (layout::PoolCounters).
    void init_counters();
    void publish_counters();

    PoolOptions options;
    ResultCallback on_result;
    Clock::time_point started = Clock::now();
#ifndef _WIN32
    // With adopt_orphans; declared before the workers so that it outlives their cleanup.
    std::optional<ChildSubreaper> subreaper;
#endif
    OwnedSegment segment;
    PoolEvents events;  // before the workers: they receive its eventfd
#ifndef _WIN32
    // With guard_jobs; reset last in ~Impl, once the workers' jobs are ended.
    std::optional<JobGuardian> guardian;
#endif
    SupervisorQueue queue;
    std::vector<Worker> workers;
    FinishedSink sink;
    PoolSummary summary;
    JobId next_id = 0;
    bool closed = false;
    std::uint64_t sentinels_pushed = 0;
    unsigned early_crashes = 0;  // worker crashes before attaching, since the last result
    std::string start_error;     // why the last refused worker start was refused
    // Since when no worker runs while some start is being retried; after
    // kWorkerlessPatience the waiting jobs are reported failed with start_error.
    std::optional<Clock::time_point> workerless_since;
    Clock::time_point last_exit_check;
    // Inside on_result, submit() queues here instead of pumping again (re-entrance would
    // deliver the current slot twice); pump() moves them into the queue, in order.
    bool delivering = false;
    std::deque<PendingJob> pending;
    // An exception from on_result, rethrown once the bookkeeping around it is done.
    std::exception_ptr callback_error;
    // Without a callback: results waiting for next_result().
    std::deque<OwnedJobResult> results;
    // Jobs submitted by submit_future(): their results go here, not to on_result.
    std::unordered_map<JobId, std::promise<OwnedJobResult>> promises;
    // Once a job with a timeout was submitted: running jobs are checked against their
    // deadlines (started_ns in their slot), the nearest one arms the timer.
    bool jobs_have_timeouts = false;
    std::optional<Clock::time_point> next_job_deadline;
    // Running jobs whose worker has not stamped started_ns yet: when first seen claimed.
    std::unordered_map<std::uint64_t, Clock::time_point> unstamped_since;
    // Positions whose worker was killed for running too long, or to cancel the job (with
    // the worker's index, to forget the ones that finished before the kill).
    std::unordered_set<std::uint64_t> overdue;
    std::unordered_map<std::uint64_t, std::uint32_t> cancel_kills;
    // Jobs cancelled while waiting, reported by the next pump(): id and runs started (more
    // than 0 for a job waiting to run again after its worker died).
    std::deque<std::pair<JobId, std::uint32_t>> cancelled_jobs;
    // fd() was asked for: the descriptor is re-armed whenever the pool returns.
    bool event_loop = false;
    // A worker exit or a deadline woke the last wait: look at exits and deadlines now.
    bool look_around = false;
#ifndef _WIN32
    // Where `forkline top` sends its commands (control_channel.hpp). Opened last in the
    // constructor: the job guardian, forked before, does not inherit it.
    std::optional<control::ControlChannel> control;
#endif
    // Workers started since construction, the first ones included (respawns: the rest).
    std::uint64_t worker_starts = 0;
    std::uint64_t total_jobs = 0;  // set_total_jobs(); 0: unknown
    layout::PoolCounters& counters = segment.view().header().counters;
};

}  // namespace forkline
