// Pausing the queue (supervisor_queue.hpp, park_all / unpark_all): waiting slots are parked
// where they are, so no worker starts a job while the pool is paused, and nothing moves.
#include <limits>

#include "idle_workers.hpp"
#include "supervisor_queue.hpp"

namespace forkline {

using layout::Phase;
using layout::SlotState;

void SupervisorQueue::park_all() {
    ready_owner_ = layout::kParkedOwner;
    for (auto position = reuse_; position < tail_; ++position) {
        const auto lap = view_.lap(position);
        auto expected = SlotState{lap, Phase::ready, 0}.encode();
        // Fails when a worker claimed it first: that job started before the pause.
        view_.slot(position).state.compare_exchange_strong(
            expected, SlotState{lap, Phase::ready, layout::kParkedOwner}.encode(),
            std::memory_order_acq_rel);
    }
}

void SupervisorQueue::unpark_all() {
    ready_owner_ = 0;
    unpark(true);
}

void SupervisorQueue::unpark_sentinels() {
    unpark(false);
}

void SupervisorQueue::unpark(bool jobs_too) {
    auto lowest = std::numeric_limits<std::uint64_t>::max();
    for (auto position = reuse_; position < tail_; ++position) {
        const auto lap = view_.lap(position);
        auto& slot = view_.slot(position);
        // No worker changes a parked slot: a plain store, as push() publishes.
        if (slot.state.load(std::memory_order_acquire) !=
                SlotState{lap, Phase::ready, layout::kParkedOwner}.encode() ||
            (!jobs_too && static_cast<layout::SlotKind>(slot.kind) != layout::SlotKind::sentinel))
            continue;
        slot.state.store(SlotState{lap, Phase::ready, 0}.encode(), std::memory_order_release);
        if (lowest == std::numeric_limits<std::uint64_t>::max()) lowest = position;
    }
    if (lowest == std::numeric_limits<std::uint64_t>::max()) return;
    // Workers moved the cursor past the parked slots they could not claim.
    rewind_cursor(lowest);
    wake_idle_workers(header_);
}

}  // namespace forkline
