#include "pool_events.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "epoll_watch.hpp"
#include "os_error.hpp"

namespace forkline {

namespace {

// Reads a counter (eventfd, timerfd) to zero; it is non-blocking, so EAGAIN means "was 0".
void consume(int fd) {
    std::uint64_t count;
    while (::read(fd, &count, sizeof count) < 0 && errno == EINTR) {
    }
}

timespec timespec_of(PoolEvents::Clock::time_point t) {
    const auto ns = std::chrono::nanoseconds(t.time_since_epoch()).count();
    // steady_clock is CLOCK_MONOTONIC; 0 would disarm the timer, so at least 1 ns.
    const auto at = std::max<std::int64_t>(ns, 1);
    return {static_cast<time_t>(at / 1'000'000'000), static_cast<long>(at % 1'000'000'000)};
}

}  // namespace

PoolEvents::PoolEvents()
    : epoll_(check_os(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      wake_(check_os(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd")),
      timer_(check_os(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK),
                      "timerfd_create")) {
    watch_readable(epoll_.get(), wake_.get());
    watch_readable(epoll_.get(), timer_.get());
}

PoolEvents::~PoolEvents() = default;

int PoolEvents::fd() const {
    return epoll_.get();
}

int PoolEvents::wake_fd() const {
    return wake_.get();
}

void PoolEvents::watch_exit(int pidfd) {
    watch_readable(epoll_.get(), pidfd);
}

void PoolEvents::watch_control(int fd) {
    watch_readable(epoll_.get(), fd);
    control_ = fd;
}

void PoolEvents::unwatch_exit(int pidfd) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, pidfd, nullptr);  // not watched: nothing to do
}

void PoolEvents::set_deadline(std::optional<Clock::time_point> deadline) {
    if (deadline == deadline_) return;
    itimerspec spec{};
    if (deadline) spec.it_value = timespec_of(*deadline);
    check_os(::timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &spec, nullptr), "timerfd_settime");
    deadline_ = deadline;
}

void PoolEvents::signal() {
    signal_supervisor(wake_.get());
}

void signal_supervisor(int wake) {
    const std::uint64_t one = 1;
    if (wake < 0) return;
    while (::write(wake, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

bool PoolEvents::wait(Clock::time_point until) {
    epoll_event ready[8];
    int timeout_ms = -1;
    if (const auto now = Clock::now(); until <= now) {
        timeout_ms = 0;
    } else if (until != Clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now);
        timeout_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30));
    }
    const int n = ::epoll_wait(epoll_.get(), ready, 8, timeout_ms);
    if (n < 0 && errno != EINTR) throw_os_error("epoll_wait");
    bool look_around = false;
    for (int i = 0; i < n; ++i) {
        if (ready[i].data.fd == wake_.get()) {
            consume(wake_.get());
            continue;
        }
        if (ready[i].data.fd == control_) {
            control_ready_ = true;
            continue;
        }
        look_around = true;
        if (ready[i].data.fd == timer_.get()) {
            consume(timer_.get());
            deadline_.reset();  // fired: the next set_deadline() re-arms it
        }
    }
    return look_around;
}

}  // namespace forkline
