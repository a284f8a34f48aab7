// Which workers sleep waiting for jobs, putting them to sleep and waking them: one bit per
// worker in the segment header, each changed by a single fetch_or / fetch_and.
//
// The sleep itself is the platform's (idle_workers_posix.cpp: a shared futex on
// jobs_published; idle_workers_windows.cpp: one auto-reset event per worker).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "layout.hpp"

namespace forkline {

void mark_idle(layout::SegmentHeader& header, std::uint32_t worker);
void mark_busy(layout::SegmentHeader& header, std::uint32_t worker);

// After publishing work (new jobs, a requeue, a rewound cursor): wakes the sleepers, if
// any. Costs one fence and a load per 64 workers when none sleeps.
void wake_idle_workers(layout::SegmentHeader& header);

// Worker `worker`, marked idle, having read `seen` from jobs_published and then found no
// work: sleeps until woken, at most `timeout`. Spurious returns are allowed (callers
// re-check); a wake_idle_workers() that saw the idle bit is never lost.
void sleep_while_idle(layout::SegmentHeader& header, std::uint32_t worker, std::uint32_t seen,
                      std::chrono::nanoseconds timeout);

// The kernel objects the above need, created by the segment's creator and kept while the
// result lives (POSIX: none, null; Windows: the workers' events).
std::shared_ptr<void> create_idle_wakes(layout::SegmentHeader& header);

// The platform's half of wake_idle_workers(), after its fence, once it saw an idle bit and
// bumped jobs_published: wakes every worker whose bit is set (bits read from here on are
// at least as new as the ones wake_idle_workers() saw).
void wake_sleepers(layout::SegmentHeader& header);

}  // namespace forkline
