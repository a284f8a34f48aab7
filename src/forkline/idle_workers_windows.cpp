// Idle workers on Windows: each sleeps on its own auto-reset event.
//
// WaitOnAddress/WakeByAddress are process-local, so the word alone cannot carry a wake to
// another process: each worker index has an unnamed kernel event, created by the
// supervisor with the segment, its handle value written in the worker's ring. Another
// process of the pool (a worker) duplicates the ones it needs out of the supervisor
// (OpenProcess(PROCESS_DUP_HANDLE) on the header's creator pid, then DuplicateHandle), once,
// and keeps them while it lives; the supervisor's own threads use the originals. No name
// exists anywhere: nothing to squat, and the events die with their last handle.
//
// Why no wake is lost (idle_workers.cpp's fence protocol): a worker sets its bit (seq_cst
// RMW), reads jobs_published and the cursor and tail (seq_cst), and only then waits on its
// event. The waker publishes work, issues a seq_cst fence, then reads the bits. In the
// single order of seq_cst operations either the worker's fetch_or comes first, and the
// waker sees the bit and SetEvent()s the worker's event; or the fence comes first, and the
// worker's loads see the new work and it does not wait. An event, unlike a futex, keeps a
// set that came before the wait: a SetEvent between the worker's check and its wait is
// not lost. Per worker, not one semaphore for all: a unit released for one sleeper could
// be taken by another worker that went idle later, leaving the first asleep.
// Spurious wakes: a set meant for an earlier sleep that the worker skipped (it saw work)
// stays latched and ends its next sleep at once; callers re-check.
#include <windows.h>

#include <forkline/error.hpp>
#include <map>
#include <utility>
#include <vector>

#include "idle_workers.hpp"
#include "segment.hpp"
#include "srw_lock.hpp"
#include "unique_handle.hpp"
#include "windows_error.hpp"

namespace forkline {

namespace {

// One pool's events as this process holds them: the supervisor's originals, or (in a
// worker) duplicates made on first use.
struct WakeEvents {
    SRWLOCK lock = SRWLOCK_INIT;
    UniqueHandle supervisor;  // PROCESS_DUP_HANDLE on the creator; null in the creator itself
    std::vector<UniqueHandle> events;
};

using PoolKey = std::pair<std::int32_t, std::uint64_t>;  // creator pid, wake_nonce

PoolKey key_of(const layout::SegmentHeader& header) {
    return {header.creator_pid, header.wake_nonce};
}

// This process's pools: the ones it created (weakly: they go with their segment) and the
// ones it serves as a worker (kept for its lifetime: a worker serves one pool).
struct Registry {
    SRWLOCK lock = SRWLOCK_INIT;
    std::map<PoolKey, std::weak_ptr<WakeEvents>> created;
    std::map<PoolKey, std::shared_ptr<WakeEvents>> served;
};

// At namespace scope, not a function's static: the guard of a function-local static is a
// winpthreads mutex too (srw_lock.hpp).
Registry the_registry;

Registry& registry() {
    return the_registry;
}

std::shared_ptr<WakeEvents> events_of(const layout::SegmentHeader& header) {
    auto& all = registry();
    const SrwLockGuard lock(all.lock);
    const auto key = key_of(header);
    if (const auto mine = all.created.find(key); mine != all.created.end()) {
        if (auto events = mine->second.lock()) return events;
    }
    auto& served = all.served[key];
    if (!served) {
        served = std::make_shared<WakeEvents>();
        served->events.resize(header.worker_count);
        served->supervisor.reset(
            ::OpenProcess(PROCESS_DUP_HANDLE, FALSE, static_cast<DWORD>(header.creator_pid)));
    }
    return served;
}

layout::RingHeader& ring_of(layout::SegmentHeader& header, std::uint32_t worker) {
    const SegmentView view(
        reinterpret_cast<std::byte*>(&header),
        {header.slot_count, header.worker_count, header.max_job_size, header.max_result_size});
    return view.ring(worker);
}

// The event of `worker`, or null if it cannot be had (the supervisor is gone: its Job
// Objects end this process too).
HANDLE event_of(layout::SegmentHeader& header, std::uint32_t worker) {
    const auto events = events_of(header);
    const SrwLockGuard lock(events->lock);
    auto& event = events->events[worker];
    if (!event.valid() && events->supervisor.valid()) {
        const auto value = static_cast<std::uintptr_t>(ring_of(header, worker).wake_event);
        HANDLE copy = nullptr;
        if (::DuplicateHandle(events->supervisor.get(), reinterpret_cast<HANDLE>(value),
                              ::GetCurrentProcess(), &copy, 0, FALSE, DUPLICATE_SAME_ACCESS))
            event.reset(copy);
    }
    return event.get();  // stays open: the registry keeps it
}

}  // namespace

std::shared_ptr<void> create_idle_wakes(layout::SegmentHeader& header) {
    auto events = std::make_shared<WakeEvents>();
    events->events.reserve(header.worker_count);
    for (std::uint32_t w = 0; w < header.worker_count; ++w) {
        UniqueHandle event(::CreateEventW(nullptr, FALSE, FALSE, nullptr));
        if (!event.valid()) throw_windows_error("cannot create a worker's wake event");
        ring_of(header, w).wake_event = reinterpret_cast<std::uintptr_t>(event.get());
        events->events.push_back(std::move(event));
    }
    auto& all = registry();
    const SrwLockGuard lock(all.lock);
    std::erase_if(all.created, [](const auto& entry) { return entry.second.expired(); });
    all.created[key_of(header)] = events;
    return events;
}

void sleep_while_idle(layout::SegmentHeader& header, std::uint32_t worker, std::uint32_t seen,
                      std::chrono::nanoseconds timeout) {
    const auto ms =
        static_cast<DWORD>(std::chrono::ceil<std::chrono::milliseconds>(timeout).count());
    const HANDLE event = event_of(header, worker);
    if (event == nullptr) {
        ::Sleep(ms);
        return;
    }
    if (header.jobs_published.load(std::memory_order_seq_cst) != seen) return;
    ::WaitForSingleObject(event, ms);
}

void wake_sleepers(layout::SegmentHeader& header) {
    const std::uint32_t words = (header.worker_count + 63) / 64;
    for (std::uint32_t i = 0; i < words; ++i) {
        auto idle = header.idle_workers[i].load(std::memory_order_relaxed);
        while (idle != 0) {
            const auto bit = static_cast<std::uint32_t>(__builtin_ctzll(idle));
            idle &= idle - 1;
            if (const HANDLE event = event_of(header, i * 64 + bit)) ::SetEvent(event);
        }
    }
}

}  // namespace forkline
