#include "local_run_pool.hpp"

#include <algorithm>
#include <bit>
#include <csignal>

#include "command_job.hpp"
#include "platform.hpp"
#include "utf8_path.hpp"

namespace run {

namespace {

// Slots are reused in queue order: a job still running holds back the start of every job
// submitted queue_slots() after it, so the ring is far longer than -j. Its pages are only
// touched when used: a slot costs its job's and result's bytes, not kMaxJobBytes.
constexpr unsigned kMinQueueSlots = 128;
unsigned queue_slots(unsigned workers) {
    return std::bit_ceil(std::max(kMinQueueSlots, 2 * workers));
}

class LocalRunPool final : public RunPool {
  public:
    LocalRunPool(unsigned workers, const std::filesystem::path& directory, ResultCallback on_result)
        : pool_({.worker_program = forkline::find_worker("command_worker"),
                 .worker_args = {forkline::utf8_string(directory)},
                 .workers = workers,
                 .queue_slots = queue_slots(workers),
                 .max_job_size = kMaxJobBytes,
                 .max_result_size = kMaxResultBytes,
                 .claim_batch = 1,
                 // forkline run starts no other child. Windows has neither option: there
                 // every worker's job runs in a Job Object that dies with the worker and
                 // with the pool (pool_processes_windows.cpp).
                 .adopt_orphans = !forkline::kWindows,
                 .guard_jobs = !forkline::kWindows,
                 .label = "run"},
                std::move(on_result)) {}

    std::size_t poll(std::chrono::milliseconds timeout) override { return pool_.poll(timeout); }
    forkline::NativeHandle fd() override { return pool_.fd(); }
    std::uint64_t in_flight() const override { return pool_.in_flight(); }
    std::optional<forkline::JobId> try_submit(std::span<const std::byte> job) override {
        return pool_.try_submit(job);
    }
    void wait() override { pool_.wait(); }

    // Windows: SIGTERM reaches a worker as CTRL_BREAK (Child::interrupt()), which needs a
    // console shared with it; where there is none, kill() ends the jobs.
    void cancel_running() override { pool_.signal_workers(SIGTERM); }
    std::chrono::milliseconds cancel_repeat() const override {
        return std::chrono::milliseconds(50);
    }
    bool kill(forkline::JobId id) override {
        return pool_.cancel(id, forkline::CancelMode::kill_running);
    }

    bool paused() const override { return pool_.paused(); }
    void set_total_jobs(std::uint64_t total) override { pool_.set_total_jobs(total); }
    // Only a paused pool holds jobs back (a running one gives each a worker in turn).
    std::vector<forkline::JobId> withdraw_waiting(
        std::span<const forkline::JobId> submitted) override {
        std::vector<forkline::JobId> withdrawn;
        if (!pool_.paused()) return withdrawn;
        for (const auto id : submitted) {
            if (pool_.cancel(id)) withdrawn.push_back(id);
        }
        return withdrawn;
    }

    RemoteRun* remote() override { return nullptr; }

  private:
    forkline::Pool pool_;
};

}  // namespace

std::unique_ptr<RunPool> make_local_run_pool(unsigned workers,
                                             const std::filesystem::path& directory,
                                             RunPool::ResultCallback on_result) {
    return std::make_unique<LocalRunPool>(workers, directory, std::move(on_result));
}

}  // namespace run
