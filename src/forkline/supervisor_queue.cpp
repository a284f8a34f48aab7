#include "supervisor_queue.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "futex.hpp"
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

void SupervisorQueue::push(std::uint64_t job_id, SlotKind kind, std::span<const std::byte> data) {
    auto& slot = view_.slot(tail_);
    slot.job_id = job_id;
    slot.kind = static_cast<std::uint32_t>(kind);
    slot.job_size = static_cast<std::uint32_t>(data.size());
    slot.attempts = 0;
    if (!data.empty()) std::memcpy(view_.job_data(tail_), data.data(), data.size());
    slot.state.store(SlotState{view_.lap(tail_), Phase::ready, 0}.encode(),
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
                                     const std::function<bool(std::uint64_t)>& timed_out) {
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
            const bool expired = !sentinel && timed_out && timed_out(position);
            if (!sentinel && (++slot.attempts >= max_attempts_ || expired)) {
                sink(FinishedSlot{slot.job_id,
                                  SlotKind::job,
                                  true,
                                  expired,
                                  layout::SlotStatus::failed,
                                  slot.attempts,
                                  worker,
                                  0,
                                  {}});
                free_slot(position);
            } else {
                slot.state.store(SlotState{state.lap, Phase::ready, 0}.encode(),
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
        sink(FinishedSlot{slot.job_id, SlotKind::job, false, false, layout::SlotStatus::failed,
                          slot.attempts, 0, 0, data});
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

void SupervisorQueue::sleep(std::chrono::nanoseconds timeout, std::uint32_t wake_threshold) {
    header_.wake_threshold.store(wake_threshold, std::memory_order_relaxed);
    const auto seen = header_.results_published.load(std::memory_order_acquire);
    header_.supervisor_sleeping.store(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with WorkerQueue::wake_supervisor
    if (!any_unread()) futex_wait(header_.results_published, seen, timeout);
    header_.supervisor_sleeping.store(0, std::memory_order_relaxed);
}

}  // namespace forkline
