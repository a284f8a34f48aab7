// The worker processes of a Pool: spawned (exec'd or forked), reaped, respawned after a
// death, killed when their job runs past job_timeout, and sent their sentinels. The OS
// calls are in pool_processes_{posix,windows}.cpp.
#include <algorithm>
#include <cerrno>

#include "os_error.hpp"
#include "pool_impl.hpp"
#include "worker_start_fault.hpp"

namespace forkline {

namespace {

constexpr unsigned kMaxEarlyCrashes = 3;
// SIGKILL's number, which a worker killed on Windows (its job terminated) reports too
// (exit_status.hpp); mingw's <csignal> has no SIGKILL.
constexpr int kKillSignal = 9;
constexpr std::chrono::milliseconds kFirstRetryPause{10};
constexpr std::chrono::milliseconds kLongestRetryPause{500};
// How long jobs wait for a worker when none runs and none can be started: long enough
// for a passing shortage (a burst of forks elsewhere), short enough not to look hung.
constexpr std::chrono::seconds kWorkerlessPatience{2};

}  // namespace

// A start the kernel refuses (EAGAIN, ENOMEM) or an exec that fails is not thrown out of
// submit() or wait(): the slot stays empty and the start is retried with a growing pause;
// if no worker runs at all for kWorkerlessPatience, the waiting jobs are reported failed
// (fail_jobs_without_workers). The constructor throws instead: no job is waiting yet.
void Pool::Impl::spawn_worker(std::uint32_t index) {
    auto& ring = segment.view().ring(index);
    ring.pid.store(0, std::memory_order_relaxed);
    ring.job_group.store(0, std::memory_order_relaxed);  // no worker of this index is alive
    ring.retired.store(0, std::memory_order_relaxed);
    auto& worker = workers[index];
    try {
        if (worker_start_refused_for_testing()) {
            throw_os_error("failed to start " + options.worker_program.string(), EAGAIN);
        }
        launch_worker(index);
        ++worker_starts;
        worker.answered_sentinel = false;
        worker.retry_start_at.reset();
        worker.retry_pause = {};
        workerless_since.reset();
    } catch (const OsError& e) {
        start_error = e.what();
        worker.retry_pause = std::clamp<Clock::duration>(worker.retry_pause * 2, kFirstRetryPause,
                                                         kLongestRetryPause);
        worker.retry_start_at = Clock::now() + worker.retry_pause;
        if (!any_worker_running() && !workerless_since) workerless_since = Clock::now();
    }
}

void Pool::Impl::retry_refused_starts() {
    const auto now = Clock::now();
    for (std::uint32_t i = 0; i < workers.size(); ++i) {
        auto& worker = workers[i];
        if (worker.child || !worker.retry_start_at || *worker.retry_start_at > now) continue;
        if (closed && unfinished_jobs() == 0) {  // no work left for it
            worker.retry_start_at.reset();
            continue;
        }
        spawn_worker(i);
    }
}

void Pool::Impl::fail_jobs_without_workers() {
    if (any_worker_running() || !workerless_since ||
        Clock::now() - *workerless_since < kWorkerlessPatience)
        return;
    const auto reason = "pool: no worker could be started: " + start_error;
    queue.fail_ready_jobs(sink, reason);
    const std::span<const std::byte> data(reinterpret_cast<const std::byte*>(reason.data()),
                                          reason.size());
    while (!pending.empty()) {  // submitted from a callback: never reached the queue
        const auto id = pending.front().id;
        pending.pop_front();
        finished(FinishedSlot{id, layout::SlotKind::job, false, false, false,
                              layout::SlotStatus::failed, 0, 0, 0, data});
    }
}

bool Pool::Impl::any_worker_running() const {
    return std::any_of(workers.begin(), workers.end(),
                       [](const Worker& w) { return w.child.has_value(); });
}

void Pool::Impl::worker_exited(std::uint32_t index, const ExitStatus& status) {
    end_jobs_of_dead_worker(index);
    // Results it published before exiting (its sentinel's answer among them).
    queue.collect(sink);
    // Answered, then killed before it could exit: its work is done all the same.
    if (workers[index].answered_sentinel || worker_retired(index, status)) return;
    const auto program =
        options.worker_function ? std::string("(in-process)") : options.worker_program.string();
    const bool attached = segment.view().ring(index).pid.load(std::memory_order_acquire) != 0;
    // A program that exits by itself before attaching is not a forkline worker (or
    // refused the segment and said why on stderr). One that crashes that early again and
    // again is broken; a SIGKILL is someone else's doing and is simply retried.
    if (!attached && (status.signal == 0 ||
                      (status.signal != kKillSignal && ++early_crashes > kMaxEarlyCrashes))) {
        throw Error("worker " + program + " " + status.describe() +
                    " before attaching to its segment");
    }
    if (status.success())
        throw Error("worker " + program + " exited with code 0 without answering its sentinel");
    ++summary.worker_deaths;
    // Its jobs given up on (worker_died, timed_out) say how it ended.
    queue.recover_worker(
        index, [this, &status](const FinishedSlot& slot) { finished(slot, &status); },
        [this](std::uint64_t position) {
            if (overdue.erase(position) != 0) return KilledFor::timeout;
            if (cancel_kills.erase(position) != 0) return KilledFor::cancel;
            return KilledFor::nothing;
        });
    // A job cancelled while it finished: reported with its own result, nothing to keep.
    std::erase_if(cancel_kills, [&](const auto& kill) { return kill.second == index; });
    if (unfinished_jobs() > 0 || !closed) spawn_worker(index);
}

// A worker that reached max_jobs_per_worker published every result and gave back what it
// had reserved before setting its flag; recover_worker() still runs, as after a death, for
// the instants in between (a kill there is a death: the flag is not set). Its place goes
// to a fresh worker while there is work.
bool Pool::Impl::worker_retired(std::uint32_t index, const ExitStatus& status) {
    if (!status.success() ||
        segment.view().ring(index).retired.load(std::memory_order_acquire) == 0)
        return false;
    ++summary.workers_recycled;
    queue.recover_worker(index, sink, {});
    if (unfinished_jobs() > 0 || !closed) spawn_worker(index);
    return true;
}

// A job that runs past its timeout takes its worker with it: the worker is killed, and
// recover_worker() reports the job timed_out instead of running it again. Its deadline
// counts from the start its worker stamped in the slot (or, for the instant before the
// stamp, from when the job was first seen claimed); the nearest one arms the timer.
void Pool::Impl::kill_overdue_jobs() {
    const auto now = Clock::now();
    const auto view = segment.view();
    next_job_deadline.reset();
    std::unordered_map<std::uint64_t, Clock::time_point> still_unstamped;
    std::unordered_set<std::uint64_t> running;
    for (const auto& [worker, position] : queue.claimed_jobs()) {
        running.insert(position);
        const auto& slot = view.slot(position);
        if (slot.timeout_ns == 0) continue;
        auto since = Clock::time_point(
            std::chrono::nanoseconds(slot.started_ns.load(std::memory_order_relaxed)));
        if (since == Clock::time_point{}) {
            const auto seen = unstamped_since.find(position);
            since = seen != unstamped_since.end() ? seen->second : now;
            still_unstamped.emplace(position, since);
        }
        const auto deadline = since + std::chrono::nanoseconds(slot.timeout_ns);
        if (deadline > now) {
            next_job_deadline = std::min(next_job_deadline.value_or(deadline), deadline);
        } else if (overdue.insert(position).second && workers[worker].child) {
            kill_worker(worker);
        }
    }
    unstamped_since = std::move(still_unstamped);
    // Positions are never reused: an entry whose job ended before its worker was killed
    // can simply go.
    std::erase_if(overdue, [&](std::uint64_t position) { return !running.contains(position); });
}

// The next time something is due without any process telling us: a job's deadline, a
// retried worker start, giving up on starting workers.
std::optional<Pool::Impl::Clock::time_point> Pool::Impl::next_deadline() const {
    auto next = next_job_deadline;
    const auto consider = [&](Clock::time_point t) { next = std::min(next.value_or(t), t); };
    for (const auto& worker : workers) {
        if (!worker.child && worker.retry_start_at) consider(*worker.retry_start_at);
    }
    if (workerless_since) consider(*workerless_since + kWorkerlessPatience);
    return next;
}

// After close() and the last job: one sentinel for every running worker that has not
// answered yet.
void Pool::Impl::top_up_sentinels() {
    if (!closed || !pending.empty()) return;
    const auto waiting = static_cast<std::uint64_t>(
        std::count_if(workers.begin(), workers.end(),
                      [](const Worker& w) { return w.child && !w.answered_sentinel; }));
    while (sentinels_pushed - summary.sentinels_answered < waiting && !queue.full()) {
        queue.push(next_id, layout::SlotKind::sentinel, {});
        ++sentinels_pushed;
    }
    // Paused, sentinels wait behind the parked jobs; with no job left they may go.
    if (queue.parking() && unfinished_jobs() == 0) queue.unpark_sentinels();
}

}  // namespace forkline
