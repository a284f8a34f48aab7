// The terminal on POSIX: isatty, TIOCGWINSZ, and signals taken with sigtimedwait.
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "watch_console.hpp"

namespace ports {

namespace {

sigset_t watched_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (const int signal : {SIGINT, SIGTERM, SIGWINCH}) sigaddset(&set, signal);
    return set;
}

}  // namespace

bool stdout_is_terminal() {
    return ::isatty(STDOUT_FILENO) != 0;
}

std::size_t terminal_width() {
    winsize size{};
    if (::isatty(STDOUT_FILENO) == 0 || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return 0;
    return size.ws_col;
}

WatchSignals::WatchSignals() {
    const auto set = watched_signals();
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

WatchEvent WatchSignals::wait_until(std::chrono::steady_clock::time_point deadline) const {
    const auto set = watched_signals();
    for (;;) {
        const auto left = std::max(deadline - std::chrono::steady_clock::now(),
                                   std::chrono::steady_clock::duration::zero());
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
        const timespec timeout{static_cast<time_t>(ns / 1'000'000'000),
                               static_cast<long>(ns % 1'000'000'000)};
        const int signal = ::sigtimedwait(&set, nullptr, &timeout);
        if (signal == SIGWINCH) return WatchEvent::resized;
        if (signal > 0) return WatchEvent::stop;  // SIGINT, SIGTERM
        if (errno != EINTR) return WatchEvent::next_scan;
    }
}

}  // namespace ports
