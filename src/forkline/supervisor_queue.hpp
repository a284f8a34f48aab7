// The supervisor's half of the job protocol (layout.hpp): write jobs into free slots,
// collect finished ones from the workers' result rings, and repair the queue after a worker
// died at any instant.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "segment.hpp"

namespace forkline {

// One slot leaving the queue: a result, a sentinel's answer, or a job given up on.
struct FinishedSlot {
    std::uint64_t job_id;
    layout::SlotKind kind;
    bool worker_died;           // every attempt's worker died (or timed_out): no result bytes
    bool timed_out;             // its worker was killed for exceeding the job timeout
    bool cancelled;             // withdrawn before a worker took it, or its worker killed
    layout::SlotStatus status;  // meaningful when !lost
    std::uint32_t attempts;     // runs started, the last one included
    std::uint32_t worker;       // index of the worker that finished (or last held) it
    std::int64_t elapsed_ns;
    std::span<const std::byte> result;  // valid only during the callback
};

using FinishedSink = std::function<void(const FinishedSlot&)>;

// Why the supervisor killed the worker running a job, if it did: the job is then reported
// so instead of being run again.
enum class KilledFor { nothing, timeout, cancel };

// Where a job is, for cancel(): still waiting (READY) or being run (CLAIMED by `worker`).
struct JobPlace {
    std::uint64_t position;
    bool running;
    std::uint32_t worker;
};

class SupervisorQueue {
  public:
    // `max_attempts`: runs of one job before it is reported lost (>= 1). `capacity`: jobs
    // in flight at most, up to the segment's slot_count (0: slot_count).
    SupervisorQueue(const SegmentView& view, std::uint32_t max_attempts,
                    std::uint32_t capacity = 0);

    // No free slot: collect() must free some before the next push().
    bool full() const { return tail_ - reuse_ >= capacity_; }
    // Positions published and not yet drained.
    std::uint64_t in_flight() const { return tail_ - reuse_; }
    // Jobs recover_worker() put back in the queue to run again, so far.
    std::uint64_t requeued() const { return requeued_; }

    // Writes a job into the next free slot and makes it visible to workers; `timeout`
    // (0: none) makes its worker wake a sleeping supervisor when it starts the job.
    // Preconditions: !full(), data.size() <= max_job_size.
    void push(std::uint64_t job_id, layout::SlotKind kind, std::span<const std::byte> data,
              std::chrono::nanoseconds timeout = {});

    // Hands every result the workers have published to `sink` and frees those slots.
    // Returns how many were handed over.
    std::size_t collect(const FinishedSink& sink);

    // After worker `worker` was reaped: hands over its finished slots (published or not),
    // puts the jobs it held back in the queue (or reports them lost past max_attempts, or
    // timed out or cancelled when `killed_for(position)` says so), and rewinds the cursor so
    // no READY slot is stranded behind it.
    void recover_worker(std::uint32_t worker, const FinishedSink& sink,
                        const std::function<KilledFor(std::uint64_t position)>& killed_for = {});

    // The job `job_id` while it is waiting or running; nullopt once finished (or unknown).
    std::optional<JobPlace> find_job(std::uint64_t job_id) const;
    // Takes a waiting job back before any worker claims it (one CAS: READY -> FREE). False
    // when a worker claimed it first.
    bool withdraw(std::uint64_t position);

    // When no worker runs and none can be started: every job still waiting (READY) is
    // handed to `sink` as failed, `reason` as its data, and its slot freed. Precondition:
    // no worker process is alive (none can claim concurrently). Sentinels stay.
    void fail_ready_jobs(const FinishedSink& sink, std::string_view reason);

    // Jobs being run right now: {worker, position} of every CLAIMED job slot.
    std::vector<std::pair<std::uint32_t, std::uint64_t>> claimed_jobs() const;

    // Pausing (supervisor_queue_parking.cpp): park_all() parks every waiting slot
    // (READY(lap, layout::kParkedOwner), which no worker claims) and makes push() and the
    // requeue of recover_worker() write parked slots too, until unpark_all() turns them all
    // back into claimable READY slots and wakes the workers. A job already claimed runs on.
    // Sentinels are parked too, so that no worker leaves before the parked jobs are done;
    // unpark_sentinels() lets them go while parking goes on (when no job is left).
    void park_all();
    void unpark_all();
    void unpark_sentinels();
    bool parking() const { return ready_owner_ != 0; }

    // Asks the workers to write the wake eventfd once a worker has `wake_threshold` unread
    // results (or runs out of work), or starts a job that has a timeout. Returns false when
    // results are unread already: then nobody will write it, the caller must not sleep.
    bool arm_wake(std::uint32_t wake_threshold);
    void disarm_wake();

  private:
    std::size_t collect_ring(std::uint32_t worker, const FinishedSink& sink);
    bool deliver_done(std::uint64_t position, const FinishedSink& sink);
    void free_slot(std::uint64_t position);
    void advance_reuse();
    void rewind_cursor(std::uint64_t position);
    void unpark(bool jobs_too);
    bool any_unread() const;

    SegmentView view_;
    layout::SegmentHeader& header_;
    std::uint32_t max_attempts_;
    std::uint32_t capacity_;
    std::uint64_t tail_ = 0;         // next position to write
    std::uint64_t reuse_ = 0;        // oldest position not yet drained
    std::uint16_t ready_owner_ = 0;  // owner of a slot made READY: kParkedOwner while parking
    std::uint64_t requeued_ = 0;
};

}  // namespace forkline
