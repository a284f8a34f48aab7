#include "worker_start_fault.hpp"

#include <atomic>

namespace forkline {

namespace {

std::atomic<int> refusals{0};

}  // namespace

void refuse_worker_starts_for_testing(int count) {
    refusals.store(count, std::memory_order_relaxed);
}

bool worker_start_refused_for_testing() {
    int left = refusals.load(std::memory_order_relaxed);
    while (left != 0) {
        if (left < 0) return true;
        if (refusals.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) return true;
    }
    return false;
}

}  // namespace forkline
