// The worker's half of the job protocol (layout.hpp): reserve a run of positions, claim each
// slot with one CAS, publish its result, sleep when there is nothing to do.
//
// Every step is a single atomic store or CAS, so a worker SIGKILLed between any two of them
// leaves a state the supervisor repairs (supervisor_queue.hpp, recover_worker()).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "segment.hpp"

namespace forkline {

class WorkerQueue {
  public:
    // `wake_fd`: the supervisor's eventfd (Windows: event; pool_events.hpp), signalled to
    // wake it; kNoNativeHandle: none (a worker started by hand; nobody sleeps on it).
    WorkerQueue(const SegmentView& view, std::uint32_t worker_index,
                NativeHandle wake_fd = kNoNativeHandle);

    // The position of a slot this worker now owns (CLAIMED), or nullopt when no published
    // job is left to claim right now.
    std::optional<std::uint64_t> claim_next();

    // Marks the claimed slot DONE (its result bytes and status already written) and
    // publishes its position to the supervisor.
    void complete(std::uint64_t position);

    // Records that the claimed job (one with a timeout) starts running at `now`, and wakes
    // a sleeping supervisor so that it arms a timer for the job's deadline.
    void starting(std::uint64_t position, std::chrono::steady_clock::time_point now);

    // Returns reserved-but-unclaimed positions to the other workers (before exiting).
    void give_back_reserved();

    // Sleeps until jobs may have been published, at most `timeout`. Wakes the supervisor
    // first if it waits for this worker's unread results.
    void wait_for_jobs(std::chrono::nanoseconds timeout);

    const SegmentView& view() const { return view_; }
    std::uint32_t index() const { return index_; }

  private:
    bool reserve();
    bool try_claim(std::uint64_t position);
    void wake_supervisor(bool going_idle);
    void write_wake_fd();

    SegmentView view_;
    layout::SegmentHeader& header_;
    layout::RingHeader& ring_;
    std::uint64_t* ring_entries_;
    std::uint32_t index_;
    NativeHandle wake_fd_;
    std::uint64_t next_ = 0;  // reserved positions not yet tried: [next_, end_)
    std::uint64_t end_ = 0;
};

}  // namespace forkline
