// Where `forkline run`'s jobs run, as the scheduler (scheduler.cpp) sees it: command
// workers on this host (forkline::Pool, local_run_pool.hpp) or on worker hosts through
// Redis (forkline::RedisPool, redis_run_pool.hpp: --redis). The scheduler knows only this.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <forkline/native_handle.hpp>
#include <forkline/pool.hpp>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace run {

class RemoteRun;

class RunPool {
  public:
    // Called with each result, on the scheduler's thread, inside poll() and wait().
    using ResultCallback = std::function<void(const forkline::JobResult&)>;

    virtual ~RunPool() = default;

    // As in forkline::JobPool (job_pool.hpp): deliver the results that are ready (waiting
    // up to `timeout` for one); the handle to wait on; jobs submitted and not delivered;
    // queue a job if there is room now (else nullopt); deliver every result and let the
    // workers finish (a Redis run's keys are removed then too).
    virtual std::size_t poll(std::chrono::milliseconds timeout) = 0;
    virtual forkline::NativeHandle fd() = 0;
    virtual std::uint64_t in_flight() const = 0;
    virtual std::optional<forkline::JobId> try_submit(std::span<const std::byte> job) = 0;
    virtual void wait() = 0;

    // Asks every running job to end: its worker ends the command's whole process group
    // (SIGTERM, SIGKILL after its grace). A worker drops a cancel that reaches it between
    // two jobs: repeat it every cancel_repeat() while jobs run.
    virtual void cancel_running() = 0;
    virtual std::chrono::milliseconds cancel_repeat() const = 0;
    // Ends job `id` at once, for a cancel its worker did not carry out: the worker is
    // killed, with whatever the job started, and the job is reported JobStatus::cancelled
    // (attempts 0 if it had not started) unless it ended first. False when the job is not
    // running or waiting here, or the pool cannot (Redis: the job is on another host).
    virtual bool kill(forkline::JobId id) = 0;

    // `forkline top --pause`: no job starts until --resume (a Redis run has no control
    // channel: never paused).
    virtual bool paused() const = 0;
    // The number of jobs in all, once known (`forkline top` shows the progress).
    virtual void set_total_jobs(std::uint64_t total) = 0;
    // The run stops: takes back those of `submitted` that would wait for ever (parked in a
    // paused pool; with Redis, not taken by any host yet: with no host left they would not
    // be). Returns their ids: each is reported JobStatus::cancelled with 0 attempts, never
    // inside this call. Called while the run stops and jobs are in flight, as often as the
    // scheduler loops: a Redis pool asks every cancel_repeat() at most.
    virtual std::vector<forkline::JobId> withdraw_waiting(
        std::span<const forkline::JobId> submitted) = 0;

    // --redis: the run's outputs and stop flag in Redis; nullptr for a local pool.
    virtual RemoteRun* remote() = 0;
};

// What a run on worker hosts (--redis) keeps in Redis beside its jobs: larger outputs sent
// in chunks, and the stop flag; removed by RunPool::wait(), or by the pool's destruction
// when the run stops on an error (best effort: they expire anyway).
class RemoteRun {
  public:
    virtual ~RemoteRun() = default;

    // The run's key base (forkline:{QUEUE}:{RUN}:), CommandJob::output_key of every job.
    virtual const std::string& output_key() const = 0;
    // No new starts, on any host: a job a host takes from now on comes back not_started.
    // Sent once; later calls do nothing.
    virtual void stop_new_starts() = 0;
    // Writes the output a host sent in chunks under `output_id` into `out` and `err`.
    virtual void receive_output(std::string_view output_id, std::uint64_t stdout_bytes, int out,
                                std::uint64_t stderr_bytes, int err) = 0;
};

}  // namespace run
