// The supervisor behind forkline::Pool: its state and the steps of supervision.
// pool.cpp holds the public methods, pool_workers.cpp the worker processes' lifecycle.
#pragma once

#include <chrono>
#include <deque>
#include <exception>
#include <forkline/pool.hpp>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "segment.hpp"
#include "spawn.hpp"
#include "supervisor_queue.hpp"

namespace forkline {

struct Pool::Impl {
    using Clock = std::chrono::steady_clock;

    struct Worker {
        std::optional<Child> child;  // empty once reaped
        bool answered_sentinel = false;
    };

    Impl(PoolOptions options, ResultCallback on_result);

    // pool.cpp: results and the supervision loop.
    void finished(const FinishedSlot& slot);
    void push_job(JobId id, std::span<const std::byte> job);
    void flush_pending();
    void pump(bool may_sleep);
    void rethrow_callback_error();
    std::uint64_t delivered() const;
    std::uint64_t unfinished_jobs() const { return summary.submitted - delivered(); }

    // pool_workers.cpp: spawning, reaping, respawning, timeouts, sentinels.
    void spawn_worker(std::uint32_t index);
    bool reap_exited_workers();
    void worker_exited(std::uint32_t index, const ExitStatus& status);
    void kill_overdue_jobs();
    void top_up_sentinels();
    bool any_worker_running() const;

    PoolOptions options;
    ResultCallback on_result;
    Clock::time_point started = Clock::now();
    OwnedSegment segment;
    SupervisorQueue queue;
    std::vector<Worker> workers;
    FinishedSink sink;
    PoolSummary summary;
    JobId next_id = 0;
    bool closed = false;
    std::uint64_t sentinels_pushed = 0;
    unsigned early_crashes = 0;  // worker crashes before attaching, since the last result
    Clock::time_point last_exit_check;
    // Inside on_result, submit() queues here instead of pumping again (re-entrance would
    // deliver the current slot twice); pump() moves them into the queue, in order.
    bool delivering = false;
    std::deque<std::pair<JobId, std::vector<std::byte>>> pending;
    // An exception from on_result, rethrown once the bookkeeping around it is done.
    std::exception_ptr callback_error;
    // Without a callback: results waiting for next_result().
    std::deque<OwnedJobResult> results;
    // With job_timeout: when each running job (by position) was first seen claimed, and
    // the ones whose worker was killed for running too long.
    std::unordered_map<std::uint64_t, Clock::time_point> running_since;
    std::unordered_set<std::uint64_t> overdue;
};

}  // namespace forkline
