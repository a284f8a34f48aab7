// One attached pool, looked at again and again: each look is a PoolSnapshot, its rates
// measured since the previous look.
#pragma once

#include <chrono>
#include <cstdint>

#include "attached_pool.hpp"
#include "process_usage.hpp"
#include "snapshot.hpp"

namespace top {

class PoolWatcher {
  public:
    explicit PoolWatcher(AttachedPool pool) : pool_(std::move(pool)) {}

    const AttachedPool& pool() const { return pool_; }

    // What the pool shows now; `processes` refreshed by the caller just before.
    PoolSnapshot look(const ProcessUsage& processes);

  private:
    using Clock = std::chrono::steady_clock;
    WorkerSnapshot look_at_worker(std::uint32_t index, Clock::time_point now,
                                  const ProcessUsage& processes, bool commands) const;

    std::uint64_t parked_jobs() const;

    AttachedPool pool_;
    std::optional<Clock::time_point> last_look_;
    std::uint64_t last_completed_ = 0;  // jobs the workers had finished then
};

}  // namespace top
