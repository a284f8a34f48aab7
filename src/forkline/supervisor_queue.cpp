#include "supervisor_queue.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "idle_workers.hpp"

namespace forkline {

using layout::Phase;
using layout::SlotKind;
using layout::SlotState;

SupervisorQueue::SupervisorQueue(const SegmentView& view, std::uint32_t max_attempts,
                                 std::uint32_t capacity)
    : view_(view),
      header_(view.header()),
      max_attempts_(max_attempts),
      capacity_(capacity != 0 ? std::min(capacity, view.geometry().slot_count)
                              : view.geometry().slot_count) {}

void SupervisorQueue::push(std::uint64_t job_id, SlotKind kind, std::span<const std::byte> data,
                           std::chrono::nanoseconds timeout) {
    auto& slot = view_.slot(tail_);
    slot.job_id = job_id;
    slot.kind = static_cast<std::uint32_t>(kind);
    slot.job_size = static_cast<std::uint32_t>(data.size());
    slot.attempts = 0;
    slot.timeout_ns = timeout.count();
    slot.started_ns.store(0, std::memory_order_relaxed);  // published by the READY store
    if (!data.empty()) std::memcpy(view_.job_data(tail_), data.data(), data.size());
    slot.state.store(SlotState{view_.lap(tail_), Phase::ready, ready_owner_}.encode(),
                     std::memory_order_release);
    ++tail_;
    header_.tail.store(tail_, std::memory_order_release);
    wake_idle_workers(header_);
}

std::size_t SupervisorQueue::collect(const FinishedSink& sink) {
    std::size_t delivered = 0;
    for (std::uint32_t w = 0; w < view_.geometry().worker_count; ++w)
        delivered += collect_ring(w, sink);
    if (delivered != 0) advance_reuse();
    return delivered;
}

std::size_t SupervisorQueue::collect_ring(std::uint32_t worker, const FinishedSink& sink) {
    auto& ring = view_.ring(worker);
    const auto* entries = view_.ring_entries(worker);
    const auto mask = view_.geometry().slot_count - 1;
    const auto tail = ring.tail.load(std::memory_order_acquire);
    auto head = ring.head.load(std::memory_order_relaxed);
    std::size_t delivered = 0;
    for (; head != tail; ++head) delivered += deliver_done(entries[head & mask], sink) ? 1 : 0;
    ring.head.store(head, std::memory_order_release);
    return delivered;
}

bool SupervisorQueue::deliver_done(std::uint64_t position, const FinishedSink& sink) {
    auto& slot = view_.slot(position);
    const auto state = SlotState::decode(slot.state.load(std::memory_order_acquire));
    // Already handed over by recover_worker() (finished but not yet published when its
    // worker died): never twice.
    if (state.lap != view_.lap(position) || state.phase != Phase::done) return false;
    const auto size = std::min<std::uint32_t>(slot.result_size, view_.geometry().max_result_size);
    sink(FinishedSlot{slot.job_id,
                      static_cast<SlotKind>(slot.kind),
                      false,
                      false,
                      false,
                      static_cast<layout::SlotStatus>(slot.status),
                      slot.attempts + 1,
                      state.owner,
                      slot.elapsed_ns,
                      {view_.result_data(position), size}});
    free_slot(position);
    return true;
}

void SupervisorQueue::free_slot(std::uint64_t position) {
    view_.slot(position).state.store(SlotState{view_.lap(position), Phase::free, 0}.encode(),
                                     std::memory_order_release);
}

void SupervisorQueue::advance_reuse() {
    while (reuse_ < tail_) {
        const auto state =
            SlotState::decode(view_.slot(reuse_).state.load(std::memory_order_acquire));
        if (state.phase != Phase::free || state.lap != view_.lap(reuse_)) break;
        ++reuse_;
    }
}

void SupervisorQueue::recover_worker(std::uint32_t worker, const FinishedSink& sink,
                                     const std::function<KilledFor(std::uint64_t)>& killed_for) {
    mark_busy(header_, worker);  // killed in its sleep: its idle bit would stay set
    collect_ring(worker, sink);
    auto lowest_ready = std::numeric_limits<std::uint64_t>::max();
    for (auto position = reuse_; position < tail_; ++position) {
        auto& slot = view_.slot(position);
        const auto state = SlotState::decode(slot.state.load(std::memory_order_acquire));
        if (state.lap != view_.lap(position)) continue;
        if (state.phase == Phase::ready) {
            lowest_ready = std::min(lowest_ready, position);  // maybe stranded behind the cursor
            continue;
        }
        if (state.owner != worker) continue;
        if (state.phase == Phase::done) {  // finished, died before publishing it
            deliver_done(position, sink);
        } else if (state.phase == Phase::claimed) {
            const bool sentinel = static_cast<SlotKind>(slot.kind) == SlotKind::sentinel;
            const auto why = !sentinel && killed_for ? killed_for(position) : KilledFor::nothing;
            if (!sentinel && (++slot.attempts >= max_attempts_ || why != KilledFor::nothing)) {
                sink(FinishedSlot{slot.job_id,
                                  SlotKind::job,
                                  true,
                                  why == KilledFor::timeout,
                                  why == KilledFor::cancel,
                                  layout::SlotStatus::failed,
                                  slot.attempts,
                                  worker,
                                  0,
                                  {}});
                free_slot(position);
            } else {
                if (!sentinel) ++requeued_;
                slot.started_ns.store(0, std::memory_order_relaxed);
                slot.state.store(SlotState{state.lap, Phase::ready, ready_owner_}.encode(),
                                 std::memory_order_release);
                lowest_ready = std::min(lowest_ready, position);
            }
        }
    }
    if (lowest_ready != std::numeric_limits<std::uint64_t>::max()) rewind_cursor(lowest_ready);
    advance_reuse();
    wake_idle_workers(header_);
}

void SupervisorQueue::fail_ready_jobs(const FinishedSink& sink, std::string_view reason) {
    const std::span<const std::byte> data(reinterpret_cast<const std::byte*>(reason.data()),
                                          reason.size());
    for (auto position = reuse_; position < tail_; ++position) {
        auto& slot = view_.slot(position);
        const auto state = SlotState::decode(slot.state.load(std::memory_order_acquire));
        if (state.lap != view_.lap(position) || state.phase != Phase::ready ||
            static_cast<SlotKind>(slot.kind) != SlotKind::job)
            continue;
        sink(FinishedSlot{slot.job_id, SlotKind::job, false, false, false,
                          layout::SlotStatus::failed, slot.attempts, 0, 0, data});
        free_slot(position);
    }
    advance_reuse();
}

void SupervisorQueue::rewind_cursor(std::uint64_t position) {
    auto cursor = header_.cursor.load(std::memory_order_acquire);
    while (position < cursor &&
           !header_.cursor.compare_exchange_weak(cursor, position, std::memory_order_acq_rel)) {
    }
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> SupervisorQueue::claimed_jobs() const {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> claimed;
    for (auto position = reuse_; position < tail_; ++position) {
        const auto& slot = view_.slot(position);
        const auto state = SlotState::decode(slot.state.load(std::memory_order_acquire));
        if (state.lap == view_.lap(position) && state.phase == Phase::claimed &&
            static_cast<SlotKind>(slot.kind) == SlotKind::job) {
            claimed.emplace_back(state.owner, position);
        }
    }
    return claimed;
}

bool SupervisorQueue::any_unread() const {
    for (std::uint32_t w = 0; w < view_.geometry().worker_count; ++w) {
        const auto& ring = view_.ring(w);
        if (ring.tail.load(std::memory_order_acquire) !=
            ring.head.load(std::memory_order_relaxed)) {
            return true;
        }
    }
    return false;
}

std::optional<JobPlace> SupervisorQueue::find_job(std::uint64_t job_id) const {
    for (auto position = reuse_; position < tail_; ++position) {
        const auto& slot = view_.slot(position);
        const auto state = SlotState::decode(slot.state.load(std::memory_order_acquire));
        if (state.lap != view_.lap(position) || slot.job_id != job_id ||
            static_cast<SlotKind>(slot.kind) != SlotKind::job)
            continue;
        if (state.phase == Phase::ready) return JobPlace{position, false, 0};
        if (state.phase == Phase::claimed) return JobPlace{position, true, state.owner};
        return std::nullopt;  // DONE: its result is on the way
    }
    return std::nullopt;
}

bool SupervisorQueue::withdraw(std::uint64_t position) {
    auto& state = view_.slot(position).state;
    const auto free = SlotState{view_.lap(position), Phase::free, 0}.encode();
    auto expected = SlotState{view_.lap(position), Phase::ready, 0}.encode();
    // A worker that reserved this position finds it FREE and skips it, as one taken. A
    // parked slot no worker can claim: only the supervisor changes it.
    const auto parked = SlotState{view_.lap(position), Phase::ready, layout::kParkedOwner};
    const bool won = state.compare_exchange_strong(expected, free, std::memory_order_acq_rel) ||
                     (expected == parked.encode() &&
                      state.compare_exchange_strong(expected, free, std::memory_order_acq_rel));
    if (won) advance_reuse();
    return won;
}

bool SupervisorQueue::arm_wake(std::uint32_t wake_threshold) {
    header_.wake_threshold.store(wake_threshold, std::memory_order_relaxed);
    header_.supervisor_sleeping.store(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with WorkerQueue::wake_supervisor
    return !any_unread();
}

void SupervisorQueue::disarm_wake() {
    header_.supervisor_sleeping.store(0, std::memory_order_relaxed);
}

}  // namespace forkline
