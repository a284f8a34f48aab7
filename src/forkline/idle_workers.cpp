#include "idle_workers.hpp"

namespace forkline {

namespace {

std::atomic<std::uint64_t>& word_of(layout::SegmentHeader& header, std::uint32_t worker) {
    return header.idle_workers[worker / 64];
}

std::uint64_t bit_of(std::uint32_t worker) {
    return std::uint64_t{1} << (worker % 64);
}

}  // namespace

void mark_idle(layout::SegmentHeader& header, std::uint32_t worker) {
    word_of(header, worker).fetch_or(bit_of(worker), std::memory_order_seq_cst);
}

void mark_busy(layout::SegmentHeader& header, std::uint32_t worker) {
    word_of(header, worker).fetch_and(~bit_of(worker), std::memory_order_seq_cst);
}

void wake_idle_workers(layout::SegmentHeader& header) {
    // Pairs with WorkerQueue::wait_for_jobs(): either the worker sees the new work after
    // marking itself idle, or we see its bit here.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const std::uint32_t words = (header.worker_count + 63) / 64;
    for (std::uint32_t i = 0; i < words; ++i) {
        if (header.idle_workers[i].load(std::memory_order_relaxed) != 0) {
            header.jobs_published.fetch_add(1, std::memory_order_release);
            wake_sleepers(header);
            return;
        }
    }
}

}  // namespace forkline
