// What wakes a pool's supervisor on Windows: one manual-reset event.
//
// Set by the workers (SetEvent on their inherited copy: signal_supervisor()), and by a
// private thread pool: a wait on each worker's process handle (called back once the process
// ended) and a timer for the next deadline. One event rather than WaitForMultipleObjects
// over event, processes and timer: Pool::fd() must be one handle an event loop can wait on,
// and WaitForMultipleObjects takes at most 64 handles where a pool has up to 4096 workers;
// the thread pool spreads its waits over as many wait threads as it needs. A private pool
// (CreateThreadpool), not the process's default one (RegisterWaitForSingleObject): it goes
// with the Pool, leaving no wait thread or handle behind.
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

void CALLBACK exited(PTP_CALLBACK_INSTANCE, void* event, PTP_WAIT, TP_WAIT_RESULT) {
    ::SetEvent(static_cast<HANDLE>(event));
}

void CALLBACK expired(PTP_CALLBACK_INSTANCE, void* event, PTP_TIMER) {
    ::SetEvent(static_cast<HANDLE>(event));
}

void close_wait(void* wait) {
    const auto tp_wait = static_cast<PTP_WAIT>(wait);
    ::SetThreadpoolWait(tp_wait, nullptr, nullptr);
    ::WaitForThreadpoolWaitCallbacks(tp_wait, TRUE);  // a running callback uses the event
    ::CloseThreadpoolWait(tp_wait);
}

}  // namespace

struct PoolEvents::ThreadPool {
    PTP_POOL pool = nullptr;
    TP_CALLBACK_ENVIRON environment{};
    PTP_TIMER timer = nullptr;

    explicit ThreadPool(HANDLE event) {
        ::InitializeThreadpoolEnvironment(&environment);
        pool = ::CreateThreadpool(nullptr);
        if (pool == nullptr) throw_windows_error("CreateThreadpool");
        ::SetThreadpoolThreadMaximum(pool, 1);  // the callbacks only set an event
        ::SetThreadpoolCallbackPool(&environment, pool);
        timer = ::CreateThreadpoolTimer(&expired, event, &environment);
        if (timer == nullptr) {
            const auto error = ::GetLastError();
            ::CloseThreadpool(pool);
            throw_windows_error("CreateThreadpoolTimer", error);
        }
    }
    ~ThreadPool() {
        ::SetThreadpoolTimer(timer, nullptr, 0, 0);
        ::WaitForThreadpoolTimerCallbacks(timer, TRUE);
        ::CloseThreadpoolTimer(timer);
        ::CloseThreadpool(pool);
        ::DestroyThreadpoolEnvironment(&environment);
    }
};

PoolEvents::PoolEvents() : event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
    if (!event_.valid()) throw_windows_error("CreateEvent");
    pool_ = std::make_unique<ThreadPool>(event_.get());
}

PoolEvents::~PoolEvents() {
    for (const auto& [process, wait] : exit_waits_) close_wait(wait);
}

NativeHandle PoolEvents::fd() const {
    return event_.get();
}

NativeHandle PoolEvents::wake_fd() const {
    return event_.get();
}

void PoolEvents::watch_exit(NativeHandle process) {
    const auto wait = ::CreateThreadpoolWait(&exited, event_.get(), &pool_->environment);
    if (wait == nullptr) throw_windows_error("CreateThreadpoolWait");
    ::SetThreadpoolWait(wait, process, nullptr);  // once: the process stays signalled
    exit_waits_.emplace(process, wait);
}

void PoolEvents::unwatch_exit(NativeHandle process) {
    const auto found = exit_waits_.find(process);
    if (found == exit_waits_.end()) return;
    close_wait(found->second);
    exit_waits_.erase(found);
}

void PoolEvents::watch_control(NativeHandle fd) {
    control_ = fd;  // no control channel on Windows (pool_control_windows.cpp): never called
}

void PoolEvents::set_deadline(std::optional<Clock::time_point> deadline) {
    if (deadline == deadline_) return;
    if (!deadline) {
        ::SetThreadpoolTimer(pool_->timer, nullptr, 0, 0);
    } else {
        // Relative (negative, in 100 ns): steady_clock has no absolute Windows counterpart.
        const auto left = std::chrono::ceil<std::chrono::microseconds>(*deadline - Clock::now());
        ULARGE_INTEGER due{};
        due.QuadPart = static_cast<ULONGLONG>(-std::max<std::int64_t>(left.count() * 10, 1));
        FILETIME when{due.LowPart, due.HighPart};
        ::SetThreadpoolTimer(pool_->timer, &when, 0, 0);
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
