// What wakes a pool's supervisor on Windows: one manual-reset event.
//
// Set by the workers (SetEvent on their inherited copy: signal_supervisor()), by a
// registered wait on each worker's process handle (the thread pool's wait threads call
// back once the process ended) and by one on a waitable timer for the next deadline. One
// event rather than WaitForMultipleObjects over event, processes and timer: Pool::fd()
// must be one handle an event loop can wait on, and WaitForMultipleObjects takes at most
// 64 handles where a pool has up to 4096 workers; the thread pool spreads registered waits
// over as many wait threads as it needs.
//
// Manual-reset, cleared by wait() right after it returns and before the supervisor looks
// around: a set that comes later stays for the next wait, one that came before is followed
// by that look. wait() cannot tell which source set it, so it always asks for a look at
// exits and deadlines (a few WaitForSingleObject(0) calls).
#include <windows.h>

#include <algorithm>
#include <cstdint>

#include "pool_events.hpp"
#include "windows_error.hpp"

namespace forkline {

namespace {

void CALLBACK set_event(void* event, BOOLEAN) {
    ::SetEvent(static_cast<HANDLE>(event));
}

HANDLE register_wait(HANDLE object, HANDLE event, ULONG flags) {
    HANDLE wait = nullptr;
    if (!::RegisterWaitForSingleObject(&wait, object, &set_event, event, INFINITE,
                                       flags | WT_EXECUTEINWAITTHREAD))
        throw_windows_error("RegisterWaitForSingleObject");
    return wait;
}

void unregister_wait(void* wait) {
    // INVALID_HANDLE_VALUE: returns once a running callback is done (it uses the event).
    if (wait != nullptr) ::UnregisterWaitEx(wait, INVALID_HANDLE_VALUE);
}

}  // namespace

PoolEvents::PoolEvents()
    : event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      // A synchronization timer: a wait on it resets it, so its registered wait calls back
      // once per expiry.
      timer_(::CreateWaitableTimerW(nullptr, FALSE, nullptr)) {
    if (!event_.valid()) throw_windows_error("CreateEvent");
    if (!timer_.valid()) throw_windows_error("CreateWaitableTimer");
    timer_wait_ = register_wait(timer_.get(), event_.get(), 0);
}

PoolEvents::~PoolEvents() {
    unregister_wait(timer_wait_);
    for (const auto& [process, wait] : exit_waits_) unregister_wait(wait);
}

NativeHandle PoolEvents::fd() const {
    return event_.get();
}

NativeHandle PoolEvents::wake_fd() const {
    return event_.get();
}

void PoolEvents::watch_exit(NativeHandle process) {
    exit_waits_.emplace(process, register_wait(process, event_.get(), WT_EXECUTEONLYONCE));
}

void PoolEvents::unwatch_exit(NativeHandle process) {
    const auto found = exit_waits_.find(process);
    if (found == exit_waits_.end()) return;
    unregister_wait(found->second);
    exit_waits_.erase(found);
}

void PoolEvents::watch_control(NativeHandle fd) {
    control_ = fd;  // no control channel on Windows (pool_control): never called there
}

void PoolEvents::set_deadline(std::optional<Clock::time_point> deadline) {
    if (deadline == deadline_) return;
    if (!deadline) {
        ::CancelWaitableTimer(timer_.get());
    } else {
        // Relative (negative, in 100 ns): steady_clock has no absolute Windows counterpart.
        const auto left = std::chrono::ceil<std::chrono::microseconds>(*deadline - Clock::now());
        LARGE_INTEGER due{};
        due.QuadPart = -std::max<std::int64_t>(left.count() * 10, 1);
        if (!::SetWaitableTimer(timer_.get(), &due, 0, nullptr, nullptr, FALSE))
            throw_windows_error("SetWaitableTimer");
    }
    deadline_ = deadline;
}

void PoolEvents::signal() {
    ::SetEvent(event_.get());
}

void signal_supervisor(NativeHandle wake) {
    if (wake != nullptr) ::SetEvent(static_cast<HANDLE>(wake));
}

bool PoolEvents::wait(Clock::time_point until) {
    DWORD timeout_ms = INFINITE;
    if (const auto now = Clock::now(); until <= now) {
        timeout_ms = 0;
    } else if (until != Clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now);
        timeout_ms = static_cast<DWORD>(std::min<std::int64_t>(left.count(), 1 << 30));
    }
    const DWORD result = ::WaitForSingleObject(event_.get(), timeout_ms);
    if (result == WAIT_FAILED) throw_windows_error("WaitForSingleObject");
    if (result != WAIT_OBJECT_0) return false;
    ::ResetEvent(event_.get());
    if (deadline_ && *deadline_ <= Clock::now()) deadline_.reset();  // fired: re-armed later
    return true;
}

}  // namespace forkline
