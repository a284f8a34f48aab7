// Idle workers on Windows: each sleeps on its own auto-reset event.
//
// WaitOnAddress/WakeByAddress are process-local, so the word alone cannot carry a wake to
// another process: each worker index has a kernel event, created by the supervisor with
// the segment and named "Local\forkline-<creator pid>-<wake_nonce>-<index>" (both in the
// header), which any process of the pool opens from the header alone. A named event dies
// with its last handle like the section: a crash leaves nothing. Names are only reachable
// from this logon session; a process that created one first makes the pool refuse to start.
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

#include <cstdio>
#include <forkline/error.hpp>
#include <string>
#include <vector>

#include "idle_workers.hpp"
#include "unique_handle.hpp"
#include "windows_error.hpp"

namespace forkline {

namespace {

std::wstring event_name(const layout::SegmentHeader& header, std::uint32_t worker) {
    wchar_t name[96];
    std::swprintf(name, std::size(name), L"Local\\forkline-%ld-%016llx-%lu",
                  static_cast<long>(header.creator_pid),
                  static_cast<unsigned long long>(header.wake_nonce),
                  static_cast<unsigned long>(worker));
    return name;
}

UniqueHandle open_event(const layout::SegmentHeader& header, std::uint32_t worker) {
    return UniqueHandle(
        ::OpenEventW(EVENT_MODIFY_STATE | SYNCHRONIZE, FALSE, event_name(header, worker).c_str()));
}

struct WakeEvents {
    std::vector<UniqueHandle> events;
};

}  // namespace

std::shared_ptr<void> create_idle_wakes(layout::SegmentHeader& header) {
    auto wakes = std::make_shared<WakeEvents>();
    wakes->events.reserve(header.worker_count);
    for (std::uint32_t w = 0; w < header.worker_count; ++w) {
        UniqueHandle event(::CreateEventW(nullptr, FALSE, FALSE, event_name(header, w).c_str()));
        if (!event.valid()) throw_windows_error("cannot create a worker's wake event");
        if (::GetLastError() == ERROR_ALREADY_EXISTS)
            throw Error("cannot create a worker's wake event: its name is taken");
        wakes->events.push_back(std::move(event));
    }
    return wakes;
}

void sleep_while_idle(layout::SegmentHeader& header, std::uint32_t worker, std::uint32_t seen,
                      std::chrono::nanoseconds timeout) {
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
    const auto event = open_event(header, worker);
    if (!event.valid()) {  // the supervisor is gone (its job object ends us too): just nap
        ::Sleep(static_cast<DWORD>(ms));
        return;
    }
    if (header.jobs_published.load(std::memory_order_seq_cst) != seen) return;
    ::WaitForSingleObject(event.get(), static_cast<DWORD>(ms));
}

void wake_sleepers(layout::SegmentHeader& header) {
    const std::uint32_t words = (header.worker_count + 63) / 64;
    for (std::uint32_t i = 0; i < words; ++i) {
        auto idle = header.idle_workers[i].load(std::memory_order_relaxed);
        while (idle != 0) {
            const auto bit = static_cast<std::uint32_t>(__builtin_ctzll(idle));
            idle &= idle - 1;
            const auto event = open_event(header, i * 64 + bit);
            if (event.valid()) ::SetEvent(event.get());
        }
    }
}

}  // namespace forkline
