#include "worker_queue.hpp"

#include <algorithm>

#include "fault.hpp"
#include "idle_workers.hpp"
#include "pool_events.hpp"

namespace forkline {

using layout::Phase;
using layout::SlotState;

WorkerQueue::WorkerQueue(const SegmentView& view, std::uint32_t worker_index, NativeHandle wake_fd)
    : view_(view),
      header_(view.header()),
      ring_(view.ring(worker_index)),
      ring_entries_(view.ring_entries(worker_index)),
      index_(worker_index),
      wake_fd_(wake_fd) {}

std::optional<std::uint64_t> WorkerQueue::claim_next() {
    for (;;) {
        while (next_ < end_) {
            const auto position = next_++;
            if (try_claim(position)) return position;
        }
        if (!reserve()) return std::nullopt;
    }
}

bool WorkerQueue::reserve() {
    auto cursor = header_.cursor.load(std::memory_order_acquire);
    for (;;) {
        const auto tail = header_.tail.load(std::memory_order_acquire);
        if (cursor >= tail) return false;
        const std::uint64_t available = tail - cursor;
        std::uint64_t batch = header_.claim_batch.load(std::memory_order_relaxed);
        if (batch == 0) {  // adaptive: leave work for the others, amortise the CAS when plenty
            batch =
                std::clamp<std::uint64_t>(available / (2 * view_.geometry().worker_count), 1, 64);
        }
        const auto end = cursor + std::min(batch, available);
        if (header_.cursor.compare_exchange_weak(cursor, end, std::memory_order_acq_rel)) {
            fault_point("reserved");  // positions reserved, none claimed: stranded if killed here
            next_ = cursor;
            end_ = end;
            return true;
        }
    }
}

bool WorkerQueue::try_claim(std::uint64_t position) {
    const auto lap = view_.lap(position);
    auto expected = SlotState{lap, Phase::ready, 0}.encode();
    const auto claimed =
        SlotState{lap, Phase::claimed, static_cast<std::uint16_t>(index_)}.encode();
    // Fails when another worker took it (after a requeue) or it belongs to another lap.
    const bool won = view_.slot(position).state.compare_exchange_strong(expected, claimed,
                                                                        std::memory_order_acq_rel);
    if (won) fault_point("claimed");
    return won;
}

void WorkerQueue::complete(std::uint64_t position) {
    fault_point("finishing");  // result written, slot still CLAIMED
    const auto lap = view_.lap(position);
    view_.slot(position).state.store(
        SlotState{lap, Phase::done, static_cast<std::uint16_t>(index_)}.encode(),
        std::memory_order_release);
    fault_point("done");  // DONE but not yet published on the ring
    const auto tail = ring_.tail.load(std::memory_order_relaxed);
    ring_entries_[tail & (view_.geometry().slot_count - 1)] = position;
    ring_.tail.store(tail + 1, std::memory_order_release);
    fault_point("published");
    wake_supervisor(false);
}

void WorkerQueue::give_back_reserved() {
    if (next_ >= end_) return;
    auto cursor = header_.cursor.load(std::memory_order_acquire);
    while (next_ < cursor &&
           !header_.cursor.compare_exchange_weak(cursor, next_, std::memory_order_acq_rel)) {
    }
    next_ = end_;
    wake_idle_workers(header_);  // the others may sleep, seeing nothing beyond the cursor
}

void WorkerQueue::wake_supervisor(bool going_idle) {
    // Pairs with the fence in SupervisorQueue::sleep(): either it sees our tail, or we see
    // its flag.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (header_.supervisor_sleeping.load(std::memory_order_relaxed) == 0) return;
    const auto unread =
        ring_.tail.load(std::memory_order_relaxed) - ring_.head.load(std::memory_order_relaxed);
    const bool enough = unread >= header_.wake_threshold.load(std::memory_order_relaxed);
    if (unread == 0 || (!enough && !going_idle)) return;
    if (header_.supervisor_sleeping.exchange(0, std::memory_order_acq_rel) != 0) write_wake_fd();
}

void WorkerQueue::write_wake_fd() {
    // Killed before this write: the supervisor still wakes, by this worker's pidfd.
    signal_supervisor(wake_fd_);
}

void WorkerQueue::starting(std::uint64_t position, std::chrono::steady_clock::time_point now) {
    auto& slot = view_.slot(position);
    slot.started_ns.store(std::chrono::nanoseconds(now.time_since_epoch()).count(),
                          std::memory_order_relaxed);
    // Pairs with SupervisorQueue::arm_wake(): either it sees started_ns, or we its flag.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (header_.supervisor_sleeping.load(std::memory_order_relaxed) != 0 &&
        header_.supervisor_sleeping.exchange(0, std::memory_order_acq_rel) != 0) {
        write_wake_fd();
    }
}

void WorkerQueue::wait_for_jobs(std::chrono::nanoseconds timeout) {
    wake_supervisor(true);
    mark_idle(header_, index_);
    const auto seen = header_.jobs_published.load(std::memory_order_seq_cst);
    const bool nothing = header_.cursor.load(std::memory_order_seq_cst) >=
                         header_.tail.load(std::memory_order_seq_cst);
    if (nothing) sleep_while_idle(header_, index_, seen, timeout);
    mark_busy(header_, index_);
}

}  // namespace forkline
