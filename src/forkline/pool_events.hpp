// What wakes a pool's supervisor, as one descriptor: an epoll set over an eventfd that
// workers write when they publish results for a sleeping supervisor, the workers' pidfds
// (readable once a worker exited) and a timerfd for the next deadline (a job's timeout, a
// retried worker start). The supervisor sleeps on it, and Pool::fd() hands it to an event
// loop: no fixed nap anywhere, so an idle pool answers as soon as something happens.
//
// Windows (pool_events_windows.cpp): one manual-reset event, set by the workers, by
// registered waits on the workers' process handles and on a waitable timer.
#pragma once

#include <chrono>
#include <forkline/native_handle.hpp>
#include <optional>
#include <utility>

#ifdef _WIN32
#include <map>
#include <memory>

#include "unique_handle.hpp"
#else
#include "unique_fd.hpp"
#endif

namespace forkline {

class PoolEvents {
  public:
    using Clock = std::chrono::steady_clock;

    PoolEvents();  // throws OsError

    PoolEvents(const PoolEvents&) = delete;
    PoolEvents& operator=(const PoolEvents&) = delete;
    ~PoolEvents();

    // The epoll descriptor: readable while any event below is pending (Windows: the event,
    // signalled).
    NativeHandle fd() const;
    // The eventfd workers write to wake the supervisor (each worker gets a copy; Windows:
    // the same event, inherited): signal_supervisor() below.
    NativeHandle wake_fd() const;

    // Watches a worker's pidfd (Windows: its process handle); unwatch it before it closes
    // (a forked in-process worker holds a copy, which would keep a closed descriptor in
    // the set).
    void watch_exit(NativeHandle pidfd);
    void unwatch_exit(NativeHandle pidfd);

    // Watches the pool's control channel (control_channel.hpp): wait() notes when it is
    // readable, and take_control_ready() tells once.
    void watch_control(NativeHandle fd);
    bool take_control_ready() { return std::exchange(control_ready_, false); }

    // Arms the timer for `deadline` (none: disarmed). A syscall only when it changes.
    void set_deadline(std::optional<Clock::time_point> deadline);

    // Makes fd() readable now (e.g. a result became ready without a worker's help).
    void signal();

    // Sleeps until an event is pending or `until` passes, then consumes the wake and
    // timer counts (a worker's exit stays pending until it is reaped). Returns whether a
    // worker exited or the timer fired: the supervisor then looks at exits and deadlines.
    bool wait(Clock::time_point until);

  private:
#ifdef _WIN32
    UniqueHandle event_;
    UniqueHandle timer_;
    std::map<NativeHandle, void*> exit_waits_;
    void* timer_wait_ = nullptr;
#else
    UniqueFd epoll_;
    UniqueFd wake_;
    UniqueFd timer_;
#endif
    std::optional<Clock::time_point> deadline_;
    NativeHandle control_ = kNoNativeHandle;
    bool control_ready_ = false;
};

// In a worker: wakes the supervisor behind `wake` (PoolEvents::wake_fd()); none: nothing.
void signal_supervisor(NativeHandle wake);

}  // namespace forkline
