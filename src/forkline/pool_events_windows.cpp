// What wakes a pool's supervisor on Windows: one manual-reset event.
//
// Set by the workers (SetEvent on their inherited copy: signal_supervisor()), and by
// watcher threads of the pool's own: each waits (WaitForMultipleObjects) on up to 62
// workers' process handles, and the first also on a waitable timer for the next deadline.
// One event rather than the supervisor waiting on everything itself: Pool::fd() must be
// one handle an event loop can wait on, and WaitForMultipleObjects takes at most 64
// handles where a pool has up to 4096 workers. Threads of our own (CreateThread) rather than
// the system thread pool (RegisterWaitForSingleObject, thread-pool waits): those keep wait
// threads and events of the process's, made and dropped on their own schedule.
//
// Manual-reset, cleared by wait() right after it returns and before the supervisor looks
// around: a set that comes later stays for the next wait, one that came before is followed
// by that look. wait() cannot tell which source set it, so it always asks for a look at
// exits and deadlines (a few WaitForSingleObject(0) calls).
#include <windows.h>

#include <algorithm>
#include <cstdint>

#include "pool_events.hpp"
#include "srw_lock.hpp"
#include "windows_error.hpp"

namespace forkline {

namespace {

// Slots of a watcher's WaitForMultipleObjects: its control event, the timer (or a second
// look at the control event), then processes.
constexpr std::size_t kProcessesPerWatcher = MAXIMUM_WAIT_OBJECTS - 2;

}  // namespace

// One thread waiting on some processes (and maybe the timer); sets the pool's event when
// one of them is signalled. A change of the set wakes the thread (`changed_`), and returns
// once the thread waits on the new set (its generation, `settled_`): an unwatched handle
// may then be closed at once, never waited on after.
class PoolEvents::Watcher {
  public:
    Watcher(HANDLE pool_event, HANDLE timer)
        : pool_event_(pool_event),
          timer_(timer),
          changed_(::CreateEventW(nullptr, FALSE, FALSE, nullptr)),
          settled_(::CreateEventW(nullptr, FALSE, FALSE, nullptr)) {
        if (!changed_.valid() || !settled_.valid()) throw_windows_error("CreateEvent");
        thread_.reset(::CreateThread(nullptr, 64 * 1024, &Watcher::run, this, 0, nullptr));
        if (!thread_.valid()) throw_windows_error("CreateThread");
    }
    ~Watcher() {
        {
            const SrwLockGuard lock(lock_);
            stop_ = true;
        }
        ::SetEvent(changed_.get());
        ::WaitForSingleObject(thread_.get(), INFINITE);
    }
    Watcher(const Watcher&) = delete;
    Watcher& operator=(const Watcher&) = delete;

    bool has_room() {
        const SrwLockGuard lock(lock_);
        return processes_.size() < kProcessesPerWatcher;
    }
    bool watches(HANDLE process) {
        const SrwLockGuard lock(lock_);
        return std::find(processes_.begin(), processes_.end(), process) != processes_.end();
    }
    void add(HANDLE process) {
        change([&] { processes_.push_back(process); });
    }
    void remove(HANDLE process) {
        // From reported_ too: a closed handle's value is reused, and a respawned worker's
        // handle that still read "reported" would never be waited on (a hang, measured).
        change([&] {
            std::erase(processes_, process);
            std::erase(reported_, process);
        });
    }

  private:
    template <typename F>
    void change(F edit) {
        std::uint64_t target = 0;
        {
            const SrwLockGuard lock(lock_);
            edit();
            target = ++generation_;
        }
        ::SetEvent(changed_.get());
        for (;;) {  // until the thread waits on the new set (a set of settled_ may be older)
            ::WaitForSingleObject(settled_.get(), INFINITE);
            const SrwLockGuard lock(lock_);
            if (waiting_on_ >= target) return;
        }
    }

    static DWORD WINAPI run(void* self) {
        static_cast<Watcher*>(self)->loop();
        return 0;
    }

    void loop() {
        for (;;) {
            HANDLE waited[MAXIMUM_WAIT_OBJECTS];
            DWORD count = 0;
            waited[count++] = changed_.get();
            waited[count++] = timer_ != nullptr ? timer_ : changed_.get();
            {
                const SrwLockGuard lock(lock_);
                if (stop_) return;
                waiting_on_ = generation_;
                for (const HANDLE process : processes_) {
                    if (std::find(reported_.begin(), reported_.end(), process) == reported_.end())
                        waited[count++] = process;
                }
            }
            ::SetEvent(settled_.get());
            const DWORD result = ::WaitForMultipleObjects(count, waited, FALSE, INFINITE);
            if (result == WAIT_OBJECT_0) continue;  // the set changed (or stop)
            if (result >= WAIT_OBJECT_0 + 1 && result < WAIT_OBJECT_0 + count) {
                ::SetEvent(pool_event_);
                const HANDLE ended = waited[result - WAIT_OBJECT_0];
                // An ended process stays signalled: not waited on again (until unwatched).
                // Unless the set changed meanwhile: it may have been unwatched, its handle
                // closed, and the value reused by a respawned worker, which the mark would
                // then hide forever (a hang, measured under wine after a cancel's kill). A
                // process still watched is seen again at once on the next wait.
                if (ended != timer_ && ended != changed_.get()) {
                    const SrwLockGuard lock(lock_);
                    if (generation_ == waiting_on_) reported_.push_back(ended);
                }
            }
        }
    }

    HANDLE pool_event_;
    HANDLE timer_;  // the first watcher's; null for the others
    UniqueHandle changed_;
    UniqueHandle settled_;
    UniqueHandle thread_;
    SRWLOCK lock_ = SRWLOCK_INIT;
    std::vector<HANDLE> processes_;
    std::vector<HANDLE> reported_;  // ended, the pool's event set: not waited on again
    bool stop_ = false;
    std::uint64_t generation_ = 0;  // of the set: changes made
    std::uint64_t waiting_on_ = 0;  // the generation the thread waits on
};

PoolEvents::PoolEvents()
    : event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      // A synchronization timer: the wait that sees it expire resets it.
      timer_(::CreateWaitableTimerW(nullptr, FALSE, nullptr)) {
    if (!event_.valid()) throw_windows_error("CreateEvent");
    if (!timer_.valid()) throw_windows_error("CreateWaitableTimer");
    watchers_.push_back(std::make_unique<Watcher>(event_.get(), timer_.get()));
}

PoolEvents::~PoolEvents() = default;

NativeHandle PoolEvents::fd() const {
    return event_.get();
}

NativeHandle PoolEvents::wake_fd() const {
    return event_.get();
}

void PoolEvents::watch_exit(NativeHandle process) {
    for (const auto& watcher : watchers_) {
        if (watcher->has_room()) {
            watcher->add(process);
            return;
        }
    }
    watchers_.push_back(std::make_unique<Watcher>(event_.get(), nullptr));
    watchers_.back()->add(process);
}

void PoolEvents::unwatch_exit(NativeHandle process) {
    for (const auto& watcher : watchers_) {
        if (watcher->watches(process)) watcher->remove(process);
    }
}

void PoolEvents::watch_control(NativeHandle fd) {
    control_ = fd;  // no control channel on Windows (pool_control_windows.cpp): never called
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
