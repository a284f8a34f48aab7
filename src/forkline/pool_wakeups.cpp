// What makes a Pool wake up: sleeping on its events (pool_events.hpp) instead of napping,
// keeping fd() armed for an event loop, and cancelling jobs.
#include <algorithm>

#include "pool_impl.hpp"

namespace forkline {

namespace {

// A sleeping supervisor is woken once a worker has this many unread results (or runs out
// of work): one wake per batch while a backlog drains, one per result when idle.
std::uint32_t wake_threshold(const SupervisorQueue& queue, std::size_t worker_count) {
    const auto backlog = queue.in_flight() / (16 * worker_count);
    return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(backlog, 1, 4096));
}

}  // namespace

void Pool::Impl::sleep_until_event(Clock::time_point until) {
    if (queue.arm_wake(wake_threshold(queue, workers.size()))) {
        // After arming: a job started from now on wakes us (WorkerQueue::starting()); the
        // ones started before are seen here and set the timer.
        if (jobs_have_timeouts) kill_overdue_jobs();
        events.set_deadline(next_deadline());
        look_around |= events.wait(until);
    }
    queue.disarm_wake();
}

// Leaves the workers asked to write the eventfd at the first result, and makes fd()
// readable at once when there is something to do already.
void Pool::Impl::arm_for_event_loop() {
    const bool nothing_unread = queue.arm_wake(1);
    if (jobs_have_timeouts) kill_overdue_jobs();
    events.set_deadline(next_deadline());
    if (!nothing_unread || !cancelled_jobs.empty()) events.signal();
}

bool Pool::Impl::cancel(JobId id, CancelMode mode) {
    const auto report = [&](std::uint32_t attempts) {
        cancelled_jobs.emplace_back(id, attempts);
        if (event_loop) events.signal();
        return true;
    };
    const auto waiting = std::find_if(pending.begin(), pending.end(),
                                      [&](const PendingJob& j) { return j.id == id; });
    if (waiting != pending.end()) {
        pending.erase(waiting);
        return report(0);
    }
    auto place = queue.find_job(id);
    if (place && !place->running) {
        const auto attempts = segment.view().slot(place->position).attempts;
        if (queue.withdraw(place->position)) return report(attempts);
        place = queue.find_job(id);  // a worker claimed it first
    }
    if (!place || !place->running || mode != CancelMode::kill_running) return false;
    auto& worker = workers[place->worker];
    if (!worker.child) return false;
    // Reported cancelled when the worker is reaped (worker_exited()), unless the job
    // finished first.
    cancel_kills.emplace(place->position, place->worker);
    kill_worker(place->worker);
    return true;
}

bool Pool::Impl::deliver_cancelled() {
    if (cancelled_jobs.empty()) return false;
    while (!cancelled_jobs.empty()) {
        const auto [id, attempts] = cancelled_jobs.front();
        cancelled_jobs.pop_front();
        finished(FinishedSlot{id,
                              layout::SlotKind::job,
                              false,
                              false,
                              true,
                              layout::SlotStatus::failed,
                              attempts,
                              0,
                              0,
                              {}});
    }
    return true;
}

}  // namespace forkline
