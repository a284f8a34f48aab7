// What wakes a pool's supervisor, as one descriptor: an epoll set over an eventfd that
// workers write when they publish results for a sleeping supervisor, the workers' pidfds
// (readable once a worker exited) and a timerfd for the next deadline (a job's timeout, a
// retried worker start). The supervisor sleeps on it, and Pool::fd() hands it to an event
// loop: no fixed nap anywhere, so an idle pool answers as soon as something happens.
#pragma once

#include <chrono>
#include <optional>
#include <utility>

#include "unique_fd.hpp"

namespace forkline {

class PoolEvents {
  public:
    using Clock = std::chrono::steady_clock;

    PoolEvents();  // throws OsError

    // The epoll descriptor: readable while any event below is pending.
    int fd() const { return epoll_.get(); }
    // The eventfd workers write to wake the supervisor (each worker gets a copy).
    int wake_fd() const { return wake_.get(); }

    // Watches a worker's pidfd; unwatch it before the pidfd closes (a forked in-process
    // worker holds a copy, which would keep a closed descriptor in the set).
    void watch_exit(int pidfd);
    void unwatch_exit(int pidfd);

    // Watches the pool's control channel (control_channel.hpp): wait() notes when it is
    // readable, and take_control_ready() tells once.
    void watch_control(int fd);
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
    UniqueFd epoll_;
    UniqueFd wake_;
    UniqueFd timer_;
    std::optional<Clock::time_point> deadline_;
    int control_ = -1;
    bool control_ready_ = false;
};

}  // namespace forkline
