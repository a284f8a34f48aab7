#include <poll.h>

#include <signal.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <forkline/pool.hpp>
#include <optional>
#include <system_error>

#include "segment.hpp"
#include "spawn.hpp"
#include "supervisor_queue.hpp"

namespace forkline {

namespace {

constexpr std::chrono::milliseconds kSupervisorNap{10};  // also bounds death detection
constexpr int kSegmentFdInWorker = 3;
constexpr unsigned kMaxEarlyCrashes = 3;
constexpr std::chrono::milliseconds kExitCheckInterval{5};

std::uint32_t round_up_to_power_of_two(std::size_t n) {
    std::uint32_t power = 1;
    while (power < n) power <<= 1;
    return power;
}

PoolOptions validated(PoolOptions options) {
    if (options.worker_program.empty()) throw Error("pool: worker_program is required");
    if (options.workers == 0) options.workers = available_cores();
    if (options.workers > layout::kMaxWorkers) {
        throw Error("pool: at most " + std::to_string(layout::kMaxWorkers) + " workers");
    }
    if (options.queue_slots == 0) options.queue_slots = 16384;
    if (options.queue_slots > (1u << 24)) throw Error("pool: queue_slots is at most 16777216");
    options.queue_slots = round_up_to_power_of_two(options.queue_slots);
    if (options.max_job_size == 0) options.max_job_size = 256;
    if (options.max_result_size == 0) options.max_result_size = 256;
    if (options.max_job_size > (1u << 30) || options.max_result_size > (1u << 30)) {
        throw Error("pool: max_job_size and max_result_size are at most 1 GiB");
    }
    if (options.max_attempts == 0) options.max_attempts = 3;
    return options;
}

}  // namespace

const char* to_string(JobStatus status) {
    switch (status) {
        case JobStatus::ok:
            return "ok";
        case JobStatus::failed:
            return "failed";
        case JobStatus::worker_died:
            return "worker_died";
    }
    return "unknown";
}

struct Pool::Impl {
    struct Worker {
        std::optional<Child> child;  // empty once reaped
        bool answered_sentinel = false;
    };

    PoolOptions options;
    ResultCallback on_result;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    OwnedSegment segment;
    SupervisorQueue queue;
    std::vector<Worker> workers;
    FinishedSink sink;
    PoolSummary summary;
    JobId next_id = 0;
    bool closed = false;
    std::uint64_t sentinels_pushed = 0;
    unsigned early_crashes = 0;  // worker crashes before attaching, since the last result
    std::chrono::steady_clock::time_point last_exit_check;
    // Inside on_result, submit() queues here instead of pumping again (re-entrance would
    // deliver the current slot twice); pump() moves them into the queue, in order.
    bool delivering = false;
    std::deque<std::pair<JobId, std::vector<std::byte>>> pending;
    // An exception from on_result, rethrown once the bookkeeping around it is done.
    std::exception_ptr callback_error;

    Impl(PoolOptions opts, ResultCallback callback)
        : options(validated(std::move(opts))),
          on_result(std::move(callback)),
          segment(OwnedSegment::create({static_cast<std::uint32_t>(options.queue_slots),
                                        options.workers,
                                        static_cast<std::uint32_t>(options.max_job_size),
                                        static_cast<std::uint32_t>(options.max_result_size)})),
          queue(segment.view(), options.max_attempts),
          workers(options.workers) {
        segment.view().header().claim_batch.store(options.claim_batch, std::memory_order_relaxed);
        sink = [this](const FinishedSlot& slot) { finished(slot); };
        // Workers receive the segment as an fd, never by name: the name can go now, so a
        // crash from here on leaves nothing in /dev/shm.
        segment.remove_name();
        for (std::uint32_t i = 0; i < workers.size(); ++i) spawn_worker(i);
    }

    void spawn_worker(std::uint32_t index) {
        segment.view().ring(index).pid.store(0, std::memory_order_relaxed);
        SpawnOptions spawn_options{
            .program = options.worker_program,
            .args = options.worker_args,
            .extra_env = {"FORKLINE_SEGMENT_FD=" + std::to_string(kSegmentFdInWorker),
                          "FORKLINE_WORKER_INDEX=" + std::to_string(index)},
            .inherit = {{kSegmentFdInWorker, segment.fd()}},
        };
        try {
            workers[index] = Worker{spawn(spawn_options), false};
        } catch (const std::system_error& e) {
            throw Error(std::string("pool: ") + e.what());
        }
    }

    void finished(const FinishedSlot& slot) {
        if (slot.kind == layout::SlotKind::sentinel) {
            workers[slot.worker].answered_sentinel = true;
            ++summary.sentinels_answered;
            return;
        }
        const auto status = slot.lost                               ? JobStatus::worker_died
                            : slot.status == layout::SlotStatus::ok ? JobStatus::ok
                                                                    : JobStatus::failed;
        ++(status == JobStatus::ok       ? summary.succeeded
           : status == JobStatus::failed ? summary.failed
                                         : summary.lost);
        early_crashes = 0;
        delivering = true;
        try {
            on_result(JobResult{slot.job_id, status, slot.attempts,
                                std::chrono::nanoseconds(slot.elapsed_ns), slot.result});
        } catch (...) {
            if (!callback_error) callback_error = std::current_exception();
        }
        delivering = false;
    }

    void push_job(JobId id, std::span<const std::byte> job) {
        queue.push(id, layout::SlotKind::job, job);
    }

    void flush_pending() {
        while (!pending.empty() && !queue.full()) {
            push_job(pending.front().first, pending.front().second);
            pending.pop_front();
        }
    }

    void rethrow_callback_error() {
        if (callback_error) std::rethrow_exception(std::exchange(callback_error, nullptr));
    }

    std::uint64_t unfinished_jobs() const {
        return summary.submitted - summary.succeeded - summary.failed - summary.lost;
    }

    bool any_worker_running() const {
        return std::any_of(workers.begin(), workers.end(),
                           [](const Worker& w) { return w.child.has_value(); });
    }

    // One step of supervision: results, exits, sentinels, then a nap if nothing happened.
    // Exits are checked when results stop flowing, and at least every kExitCheckInterval.
    void pump(bool may_sleep) {
        flush_pending();
        bool progress = queue.collect(sink) != 0;
        const auto now = std::chrono::steady_clock::now();
        if (!progress || now - last_exit_check >= kExitCheckInterval) {
            last_exit_check = now;
            progress |= reap_exited_workers();
        }
        top_up_sentinels();
        if (!progress && may_sleep && !callback_error) {
            const auto backlog = queue.in_flight() / (16 * workers.size());
            queue.sleep(kSupervisorNap,
                        static_cast<std::uint32_t>(std::clamp<std::uint64_t>(backlog, 1, 4096)));
        }
        rethrow_callback_error();
    }

    bool reap_exited_workers() {
        std::vector<pollfd> fds;
        std::vector<std::uint32_t> indexes;
        for (std::uint32_t i = 0; i < workers.size(); ++i) {
            if (workers[i].child) {
                fds.push_back({workers[i].child->pidfd(), POLLIN, 0});
                indexes.push_back(i);
            }
        }
        if (fds.empty() || ::poll(fds.data(), fds.size(), 0) <= 0) return false;
        bool reaped = false;
        for (std::size_t k = 0; k < fds.size(); ++k) {
            if ((fds[k].revents & POLLIN) == 0) continue;
            const auto index = indexes[k];
            if (const auto status = workers[index].child->try_wait()) {
                workers[index].child.reset();
                worker_exited(index, *status);
                reaped = true;
            }
        }
        return reaped;
    }

    void worker_exited(std::uint32_t index, const ExitStatus& status) {
        // Results it published before exiting (its sentinel's answer among them).
        queue.collect(sink);
        // Answered, then killed before it could exit: its work is done all the same.
        if (workers[index].answered_sentinel) return;
        const auto program = options.worker_program.string();
        const bool attached = segment.view().ring(index).pid.load(std::memory_order_acquire) != 0;
        // A program that exits by itself before attaching is not a forkline worker (or
        // refused the segment and said why on stderr). One that crashes that early again and
        // again is broken; a SIGKILL is someone else's doing and is simply retried.
        if (!attached && (status.signal == 0 ||
                          (status.signal != SIGKILL && ++early_crashes > kMaxEarlyCrashes))) {
            throw Error("worker " + program + " " + status.describe() +
                        " before attaching to its segment");
        }
        if (status.success()) {
            throw Error("worker " + program + " exited with code 0 without answering its sentinel");
        }
        ++summary.worker_deaths;
        queue.recover_worker(index, sink);
        if (unfinished_jobs() > 0 || !closed) spawn_worker(index);
    }

    // After close() and the last job: one sentinel for every running worker that has not
    // answered yet.
    void top_up_sentinels() {
        if (!closed || !pending.empty()) return;
        const auto waiting = static_cast<std::uint64_t>(
            std::count_if(workers.begin(), workers.end(),
                          [](const Worker& w) { return w.child && !w.answered_sentinel; }));
        while (sentinels_pushed - summary.sentinels_answered < waiting && !queue.full()) {
            queue.push(next_id, layout::SlotKind::sentinel, {});
            ++sentinels_pushed;
        }
    }
};

Pool::Pool(PoolOptions options, ResultCallback on_result)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(on_result))) {}
Pool::~Pool() = default;
Pool::Pool(Pool&&) noexcept = default;
Pool& Pool::operator=(Pool&&) noexcept = default;

JobId Pool::submit(std::span<const std::byte> job) {
    auto& impl = *impl_;
    if (impl.closed) throw Error("pool: submit() after close()");
    if (job.size() > impl.options.max_job_size) {
        throw Error("pool: job of " + std::to_string(job.size()) + " bytes exceeds max_job_size " +
                    std::to_string(impl.options.max_job_size));
    }
    const auto id = impl.next_id++;
    ++impl.summary.submitted;
    if (impl.delivering || !impl.pending.empty()) {
        impl.pending.emplace_back(id, std::vector<std::byte>(job.begin(), job.end()));
        if (!impl.delivering) impl.flush_pending();
        return id;
    }
    while (impl.queue.full()) impl.pump(true);
    impl.push_job(id, job);
    return id;
}

std::size_t Pool::poll(std::chrono::milliseconds timeout) {
    auto& impl = *impl_;
    if (impl.delivering) throw Error("pool: poll() called from the result callback");
    const auto delivered = [&] {
        return impl.summary.succeeded + impl.summary.failed + impl.summary.lost;
    };
    const auto before = delivered();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    impl.pump(false);
    while (delivered() == before && impl.unfinished_jobs() > 0 &&
           std::chrono::steady_clock::now() < deadline) {
        impl.pump(true);
    }
    return delivered() - before;
}

std::uint64_t Pool::in_flight() const {
    return impl_->unfinished_jobs();
}

void Pool::signal_workers(int signal) const {
    for (const auto& worker : impl_->workers) {
        if (worker.child) ::kill(worker.child->pid(), signal);
    }
}

void Pool::close() {
    impl_->closed = true;
    if (!impl_->delivering) impl_->top_up_sentinels();
}

PoolSummary Pool::wait() {
    auto& impl = *impl_;
    if (impl.delivering) throw Error("pool: wait() called from the result callback");
    // Results first: callbacks may still submit (chains). Then the sentinels.
    while (impl.unfinished_jobs() > 0 && !impl.closed) impl.pump(true);
    close();
    while (impl.any_worker_running() || impl.unfinished_jobs() > 0) impl.pump(true);
    impl.summary.wall = std::chrono::steady_clock::now() - impl.started;
    return impl.summary;
}

unsigned Pool::worker_count() const {
    return static_cast<unsigned>(impl_->workers.size());
}

}  // namespace forkline
