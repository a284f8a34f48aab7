// Which workers sleep waiting for jobs, and waking them: one bit per worker in the
// segment header, each changed by a single fetch_or / fetch_and.
#pragma once

#include <cstdint>

#include "layout.hpp"

namespace forkline {

void mark_idle(layout::SegmentHeader& header, std::uint32_t worker);
void mark_busy(layout::SegmentHeader& header, std::uint32_t worker);

// After publishing work (new jobs, a requeue, a rewound cursor): wakes the sleepers, if
// any. Costs one fence and a load per 64 workers when none sleeps.
void wake_idle_workers(layout::SegmentHeader& header);

}  // namespace forkline
