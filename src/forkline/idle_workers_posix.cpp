// Idle workers on POSIX: they sleep on jobs_published, a shared futex.
#include "futex.hpp"
#include "idle_workers.hpp"

namespace forkline {

void sleep_while_idle(layout::SegmentHeader& header, std::uint32_t, std::uint32_t seen,
                      std::chrono::nanoseconds timeout) {
    futex_wait(header.jobs_published, seen, timeout);
}

std::shared_ptr<void> create_idle_wakes(layout::SegmentHeader&) {
    return nullptr;  // a futex is the shared word itself
}

void wake_sleepers(layout::SegmentHeader& header) {
    futex_wake_all(header.jobs_published);  // every sleeper sleeps on this one word
}

}  // namespace forkline
