// The shared-memory segment, byte by byte. Every process maps the same layout:
//
//   SegmentHeader | Slot[slot_count] | (RingHeader + positions[slot_count]) per worker | data
//
// A job lives in a Slot, found from its position (a 64-bit counter that only grows):
// slot = position % slot_count, lap = position / slot_count. The slot's state word is the
// single source of truth about who owns it; it changes only by atomic stores and CAS, so a
// process killed at any instant leaves every slot in a state another process can act on:
//
//   FREE(lap) --supervisor writes job--> READY(lap) --worker CAS--> CLAIMED(lap, w)
//     ^                                    ^                               |
//     |                                    +--- supervisor requeues -------+ (w died)
//     +---- supervisor drains result ---- DONE(lap, w) <---- worker stores --+
//
// While the pool is paused (Pool::pause()) the supervisor parks every READY slot, and
// writes new and requeued jobs parked: READY(lap, kParkedOwner), which no worker's claim
// (a CAS from READY(lap, 0)) matches; resuming turns them back into READY(lap, 0).
//
// Each worker also has a single-producer/single-consumer ring of finished positions (it
// publishes with a release store of `tail`), so the supervisor finds results in completion
// order without scanning. Nothing here is protected by a mutex: a lock held by a killed
// process would poison the queue (design.md §2).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace forkline::layout {

inline constexpr std::uint64_t kMagic = 0x656e696c6b726f66;  // "forkline"
// 6: per-job timeouts, cancel; SlotStatus::failed_with_type. 7: PoolCounters,
// WorkerActivity (what `forkline top` reads); parked READY slots (kParkedOwner).
inline constexpr std::uint32_t kVersion = 8;
inline constexpr std::size_t kCacheLine = 64;
inline constexpr std::uint32_t kMaxWorkers = 4096;

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);

enum class Phase : std::uint8_t { free = 0, ready = 1, claimed = 2, done = 3 };

// A slot state word: lap (32 bits) | phase (8 bits) | owner worker index (16 bits).
struct SlotState {
    std::uint32_t lap;
    Phase phase;
    std::uint16_t owner;

    static constexpr SlotState decode(std::uint64_t word) {
        return {static_cast<std::uint32_t>(word >> 32), static_cast<Phase>((word >> 16) & 0xff),
                static_cast<std::uint16_t>(word & 0xffff)};
    }
    constexpr std::uint64_t encode() const {
        return (std::uint64_t{lap} << 32) |
               (std::uint64_t{static_cast<std::uint8_t>(phase)} << 16) | owner;
    }
};

// The owner of a parked READY slot (see the diagram above): never a worker's index.
inline constexpr std::uint16_t kParkedOwner = 0xffff;

enum class SlotKind : std::uint32_t { job = 0, sentinel = 1 };

// Outcome a worker writes beside the result bytes. failed: the bytes are a message;
// failed_with_type: the exception's type name, a NUL, then its message.
enum class SlotStatus : std::uint32_t { ok = 0, failed = 1, failed_with_type = 2 };

struct alignas(kCacheLine) Slot {
    std::atomic<std::uint64_t> state;
    // Written by the supervisor before READY, read by the claiming worker.
    std::uint64_t job_id;
    std::uint32_t kind;  // SlotKind
    std::uint32_t job_size;
    std::uint32_t attempts;  // runs started so far, counted by the supervisor on requeue
    // The job's timeout (0: none): its worker wakes a sleeping supervisor when it starts it.
    std::int64_t timeout_ns;
    // When the claiming worker started it (steady clock), stamped for a job with a timeout
    // only; 0 until then. Reset by the supervisor before READY, so a requeued job never
    // shows its last run's start.
    std::atomic<std::int64_t> started_ns;
    // Written by the worker before DONE, read by the supervisor.
    std::uint32_t result_size;
    std::uint32_t status;     // SlotStatus
    std::int64_t elapsed_ns;  // time the handler took
};

// What `forkline top` shows (src/top/), kept where an observer can read it without asking
// anyone: each word has one writer, which stores it relaxed, on a cache line of its own so
// the job path never shares a line with it. Readers load the words one by one, racily: what
// they see is a snapshot, each word recent, not all from the same instant. Times are
// CLOCK_MONOTONIC nanoseconds (std::chrono::steady_clock): one clock for every process on
// the machine, which no clock setting moves.
inline constexpr std::size_t kKindSize = 32;

// Written by the supervisor only: at each step of supervision (publish_counters()), and
// `submitted` at each submit. Mirrors PoolSummary, plus what only the supervisor knows.
struct alignas(kCacheLine) PoolCounters {
    std::atomic<std::uint64_t> submitted;
    std::atomic<std::uint64_t> succeeded;
    std::atomic<std::uint64_t> failed;
    std::atomic<std::uint64_t> worker_died;
    std::atomic<std::uint64_t> timed_out;
    std::atomic<std::uint64_t> cancelled;
    std::atomic<std::uint64_t> requeued;       // jobs put back after their worker died
    std::atomic<std::uint64_t> worker_deaths;  // workers that died instead of answering
    std::atomic<std::uint64_t> respawns;       // workers started in a dead or retired one's place
    std::atomic<std::uint64_t> total_jobs;     // jobs the run will submit in all; 0: unknown
    std::atomic<std::int64_t> started_ns;      // when the pool was made
    // Written once, before any worker starts: what runs the pool ("procs", "run", a
    // program's name), NUL-terminated.
    char kind[kKindSize];
};

// Written by its worker only, per job: two stores when it starts one, two when it ends.
struct alignas(kCacheLine) WorkerActivity {
    std::atomic<std::uint64_t> job;            // position + 1 of the job it runs; 0: none
    std::atomic<std::int64_t> job_started_ns;  // when that job started
    std::atomic<std::uint64_t> jobs_done;      // by every process that held this index
};

struct alignas(kCacheLine) SegmentHeader {
    // Immutable after creation; validated by every worker before use.
    std::uint64_t magic;
    std::uint32_t version;
    std::uint32_t header_size;
    std::uint64_t total_size;
    std::uint32_t slot_count;  // a power of two
    std::uint32_t worker_count;
    std::uint32_t max_job_size;
    std::uint32_t max_result_size;
    std::uint32_t owner_uid;
    std::int32_t creator_pid;
    // Windows: random, part of the names of the workers' wake events (idle_workers.hpp);
    // POSIX: 0.
    std::uint64_t wake_nonce;

    // Published positions are [0, tail): written by the supervisor only.
    alignas(kCacheLine) std::atomic<std::uint64_t> tail;
    // Next position to claim. Only a hint shared by workers: a slot's state CAS decides.
    // The supervisor lowers it when it requeues a job.
    alignas(kCacheLine) std::atomic<std::uint64_t> cursor;
    // Bumped when jobs are published; idle workers sleep on it.
    alignas(kCacheLine) std::atomic<std::uint32_t> jobs_published;
    // One bit per worker asleep on jobs_published (idle_workers.hpp). A bit, not a count:
    // a worker killed in its sleep leaves only its own bit set, which recovery clears.
    alignas(kCacheLine) std::atomic<std::uint64_t> idle_workers[kMaxWorkers / 64];
    // Set while the supervisor sleeps (or an event loop waits on Pool::fd()): the first
    // worker to clear it writes the supervisor's eventfd, handed to every worker.
    alignas(kCacheLine) std::atomic<std::uint32_t> supervisor_sleeping;
    // A worker wakes a sleeping supervisor once this many of its results are unread (or when
    // it runs out of work): one wake per batch, not per job.
    std::atomic<std::uint32_t> wake_threshold;
    // Max positions a worker reserves at once; 0: adaptive. Set before workers start.
    alignas(kCacheLine) std::atomic<std::uint32_t> claim_batch;
    // Jobs after which a worker retires (exits 0, see RingHeader::retired); 0: never.
    // Set before workers start.
    std::atomic<std::uint32_t> max_jobs_per_worker;
    PoolCounters counters;
};

struct alignas(kCacheLine) RingHeader {
    alignas(kCacheLine) std::atomic<std::uint64_t> tail;  // written by the worker
    alignas(kCacheLine) std::atomic<std::uint64_t> head;  // written by the supervisor
    std::atomic<std::int32_t> pid;                        // set by the worker once attached
    // The process group of the job the worker is running (a pipeline's), 0 when none.
    // Written by the worker only (job_group_record.hpp); the supervisor reads it when the
    // worker died, to kill what the job started, and clears it before a respawn.
    std::atomic<std::int32_t> job_group;
    // Set by a worker that reached max_jobs_per_worker, after its last result is published
    // and its reserved positions are given back, just before it exits 0: the supervisor
    // respawns it instead of taking the exit for a broken protocol. Cleared before a respawn.
    std::atomic<std::uint32_t> retired;
    WorkerActivity activity;
};

// Where each part lies inside a segment; the same arithmetic in every process.
struct Geometry {
    std::uint32_t slot_count;
    std::uint32_t worker_count;
    std::uint32_t max_job_size;
    std::uint32_t max_result_size;

    static constexpr std::size_t round_up(std::size_t n, std::size_t to) {
        return (n + to - 1) / to * to;
    }
    std::size_t slots_offset() const { return round_up(sizeof(SegmentHeader), kCacheLine); }
    std::size_t ring_stride() const {
        return round_up(sizeof(RingHeader) + std::size_t{slot_count} * sizeof(std::uint64_t),
                        kCacheLine);
    }
    std::size_t rings_offset() const {
        return slots_offset() + std::size_t{slot_count} * sizeof(Slot);
    }
    std::size_t data_stride() const {
        return round_up(std::size_t{max_job_size} + max_result_size, 16);
    }
    std::size_t data_offset() const {
        return round_up(rings_offset() + std::size_t{worker_count} * ring_stride(), kCacheLine);
    }
    std::size_t total_size() const {
        return round_up(data_offset() + std::size_t{slot_count} * data_stride(), 4096);
    }
};

}  // namespace forkline::layout
