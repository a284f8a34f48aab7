// Test seam: makes a pool's next worker starts fail as the kernel fails them when the
// process table or memory is exhausted (EAGAIN), so that tests can drive respawn
// failures without exhausting the machine. Unused outside tests: one relaxed load per
// worker start.
#pragma once

namespace forkline {

// The next `count` worker starts fail; count < 0: every one until called with 0.
void refuse_worker_starts_for_testing(int count);

// Consumes one refusal if any is pending.
bool worker_start_refused_for_testing();

}  // namespace forkline
