#include <csignal>
#include <forkline/redis.hpp>

#include "command_job.hpp"
#include "keys.hpp"
#include "output_chunks.hpp"
#include "redis_run_pool.hpp"

namespace run {

namespace {

class RedisRunPool final : public RunPool, public RemoteRun {
  public:
    RedisRunPool(const RunOptions& options, const std::filesystem::path& directory,
                 ResultCallback on_result, std::function<void(const std::string&)> warn)
        : pool_({.url = options.redis_url,
                 .queue = options.queue,
                 .workers = options.jobs,
                 .worker_program = forkline::find_worker("command_worker"),
                 .worker_args = {directory.string(), options.redis_url, this_host_name()},
                 .max_job_size = kMaxJobBytes,
                 .max_result_size = kMaxResultBytes,
                 .on_warning =
                     [warn = std::move(warn), queue = forkline::redis::checked_queue_name(
                                                  options.queue)](const std::string& warning) {
                         // Command jobs need no PROGRAM on the hosts (forkline worker's
                         // command mode).
                         warn(warning + " (start one with: forkline worker --redis URL --queue " +
                              queue + ")");
                     }},
                std::move(on_result)),
          base_(forkline::redis::RunKeys(forkline::redis::checked_queue_name(options.queue),
                                         pool_.run_id())
                    .base),
          chunks_(options.redis_url) {}

    ~RedisRunPool() override {
        try {
            remove_keys();
        } catch (const std::exception&) {
            // Redis is gone: the keys expire on their own.
        }
    }
    RedisRunPool(const RedisRunPool&) = delete;
    RedisRunPool& operator=(const RedisRunPool&) = delete;

    std::size_t poll(std::chrono::milliseconds timeout) override { return pool_.poll(timeout); }
    forkline::NativeHandle fd() override { return pool_.fd(); }
    std::uint64_t in_flight() const override { return pool_.in_flight(); }
    std::optional<forkline::JobId> try_submit(std::span<const std::byte> job) override {
        return pool_.try_submit(job);
    }
    void wait() override {
        pool_.wait();
        remove_keys();
    }

    // Each cancel is a request every host reads: fewer than a local pool's.
    void cancel_running() override { pool_.signal_workers(SIGTERM); }
    std::chrono::milliseconds cancel_repeat() const override {
        return std::chrono::milliseconds(500);
    }
    bool kill(forkline::JobId) override { return false; }  // its host's worker ends it

    bool paused() const override { return false; }
    void set_total_jobs(std::uint64_t) override {}  // `forkline top` sees local pools only
    // Again every cancel_repeat() while results are awaited: a dead host's jobs come back
    // to the queue.
    std::vector<forkline::JobId> withdraw_waiting(std::span<const forkline::JobId>) override {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_withdrawal_ < cancel_repeat()) return {};
        last_withdrawal_ = now;
        return pool_.withdraw_queued();
    }

    RemoteRun* remote() override { return this; }

    const std::string& output_key() const override { return base_; }
    void stop_new_starts() override {
        if (stop_sent_) return;
        stop_sent_ = true;
        chunks_.request_stop(base_);
    }
    void receive_output(std::string_view output_id, std::uint64_t stdout_bytes, int out,
                        std::uint64_t stderr_bytes, int err) override {
        chunks_.receive(base_, output_id, stdout_bytes, out, stderr_bytes, err);
    }

  private:
    // The run's outputs (chunks of large ones, the stop flag), once.
    void remove_keys() {
        if (removed_) return;
        removed_ = true;
        chunks_.remove_all(base_);
    }

    forkline::RedisPool pool_;
    std::string base_;  // the run's keys: forkline:{QUEUE}:{RUN}:
    forkline::redis::OutputChunks chunks_;
    bool stop_sent_ = false;
    bool removed_ = false;
    std::chrono::steady_clock::time_point last_withdrawal_{};
};

}  // namespace

std::unique_ptr<RunPool> make_redis_run_pool(const RunOptions& options,
                                             const std::filesystem::path& directory,
                                             RunPool::ResultCallback on_result,
                                             std::function<void(const std::string&)> warn) {
    return std::make_unique<RedisRunPool>(options, directory, std::move(on_result),
                                          std::move(warn));
}

}  // namespace run
