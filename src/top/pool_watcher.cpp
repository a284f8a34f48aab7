#include "pool_watcher.hpp"

#include <cstring>
#include <string_view>

#include "job_details.hpp"

namespace top {

namespace {

std::uint64_t read(const std::atomic<std::uint64_t>& word) {
    return word.load(std::memory_order_relaxed);
}

std::chrono::steady_clock::time_point at(std::int64_t ns) {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

}  // namespace

WorkerSnapshot PoolWatcher::look_at_worker(std::uint32_t index, Clock::time_point now,
                                           const ProcessUsage& processes, bool commands) const {
    const auto& ring = pool_.view().ring(index);
    WorkerSnapshot worker;
    worker.index = index;
    worker.pid = ring.pid.load(std::memory_order_acquire);
    worker.jobs_done = read(ring.activity.jobs_done);
    if (worker.pid == 0) return worker;  // starting
    if (!processes.alive(worker.pid)) {
        worker.state = WorkerState::dead;
        return worker;
    }
    worker.worker = processes.of_process(worker.pid);
    const auto job = read(ring.activity.job);
    if (job == 0) {
        worker.state = WorkerState::idle;
        return worker;
    }
    const auto position = job - 1;
    worker.state = WorkerState::running;
    worker.job_id = pool_.view().slot(position).job_id;
    const auto started = ring.activity.job_started_ns.load(std::memory_order_relaxed);
    worker.elapsed_s = std::max(0.0, seconds(now - at(started)));
    worker.job_group = ring.job_group.load(std::memory_order_acquire);
    if (worker.job_group != 0) {
        worker.job = processes.of_group(worker.job_group);
        worker.last_line = last_output_line(processes.members(worker.job_group));
    }
    if (commands) worker.command = run_command_at(pool_.view(), position, index);
    return worker;
}

// Waiting jobs a pause holds back: READY slots of this lap owned by kParkedOwner
// (layout.hpp), among every published position still in the ring. Not only those past the
// cursor: idle workers move it past the parked slots they cannot claim.
std::uint64_t PoolWatcher::parked_jobs() const {
    using forkline::layout::SlotKind;
    using forkline::layout::SlotState;
    const auto& view = pool_.view();
    const auto tail = view.header().tail.load(std::memory_order_acquire);
    const std::uint64_t slots = view.geometry().slot_count;
    std::uint64_t parked = 0;
    for (auto position = tail > slots ? tail - slots : 0; position < tail; ++position) {
        const auto& slot = view.slot(position);
        const auto held = SlotState{view.lap(position), forkline::layout::Phase::ready,
                                    forkline::layout::kParkedOwner}
                              .encode();
        parked += slot.state.load(std::memory_order_relaxed) == held &&
                  static_cast<SlotKind>(slot.kind) == SlotKind::job;
    }
    return parked;
}

PoolSnapshot PoolWatcher::look(const ProcessUsage& processes) {
    const auto& header = pool_.view().header();
    const auto& counters = header.counters;
    const auto now = Clock::now();
    PoolSnapshot snapshot;
    snapshot.supervisor = pool_.supervisor();
    snapshot.segment = pool_.segment();
    snapshot.kind = std::string(counters.kind, strnlen(counters.kind, sizeof counters.kind));
    snapshot.uptime_s =
        std::max(0.0, seconds(now - at(counters.started_ns.load(std::memory_order_relaxed))));
    snapshot.submitted = read(counters.submitted);
    snapshot.succeeded = read(counters.succeeded);
    snapshot.failed = read(counters.failed) + read(counters.worker_died) + read(counters.timed_out);
    snapshot.cancelled = read(counters.cancelled);
    snapshot.requeued = read(counters.requeued);
    snapshot.worker_deaths = read(counters.worker_deaths);
    snapshot.respawns = read(counters.respawns);
    if (const auto total = read(counters.total_jobs); total != 0) snapshot.total = total;
    snapshot.supervisor_usage = processes.of_process(pool_.supervisor());
    const bool commands = snapshot.kind == "run";
    for (std::uint32_t i = 0; i < header.worker_count; ++i) {
        snapshot.workers.push_back(look_at_worker(i, now, processes, commands));
        if (snapshot.workers.back().state == WorkerState::running) ++snapshot.running;
    }
    std::uint64_t by_workers = 0;
    for (const auto& worker : snapshot.workers) by_workers += worker.jobs_done;
    const auto completed = std::max(snapshot.delivered(), by_workers);
    snapshot.done = completed;
    const auto unfinished = snapshot.submitted > completed ? snapshot.submitted - completed : 0;
    snapshot.queued = unfinished > snapshot.running ? unfinished - snapshot.running : 0;
    snapshot.parked = parked_jobs();
    if (snapshot.uptime_s > 0)
        snapshot.jobs_per_s_average = static_cast<double>(completed) / snapshot.uptime_s;
    snapshot.jobs_per_s_now = snapshot.jobs_per_s_average;
    if (last_look_ && now > *last_look_ && completed >= last_completed_) {
        snapshot.jobs_per_s_now =
            static_cast<double>(completed - last_completed_) / seconds(now - *last_look_);
    }
    last_look_ = now;
    last_completed_ = completed;
    const double rate =
        snapshot.jobs_per_s_now > 0 ? snapshot.jobs_per_s_now : snapshot.jobs_per_s_average;
    if (snapshot.total && rate > 0) {
        const auto left = *snapshot.total > completed ? *snapshot.total - completed : 0;
        snapshot.eta_s = static_cast<double>(left) / rate;
    }
    return snapshot;
}

}  // namespace top
