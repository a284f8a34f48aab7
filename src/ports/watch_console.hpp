// What `forkline ports --watch` needs from the terminal: whether standard output is one, its
// width, and a wait for the next scan that a Ctrl-C (or a resize) cuts short.
// watch_console_posix.cpp: isatty, TIOCGWINSZ, sigtimedwait; watch_console_windows.cpp:
// the console API and a console control handler.
#pragma once

#include <chrono>
#include <cstddef>

namespace ports {

bool stdout_is_terminal();

// The width of the terminal that standard output is, or 0 when it is not one: piped output
// is never cut.
std::size_t terminal_width();

enum class WatchEvent { next_scan, resized, stop };

// Takes Ctrl-C and the like (POSIX: SIGINT, SIGTERM, SIGWINCH, blocked from construction
// until the process exits, so that a second one while it shuts down — timeout(1) sends its
// signal twice — cannot turn a clean exit 0 into death by signal). Make it first: a Ctrl-C
// while the pool starts ends the watch too. One per process.
class WatchSignals {
  public:
    WatchSignals();
    WatchSignals(const WatchSignals&) = delete;
    WatchSignals& operator=(const WatchSignals&) = delete;

    // Waits until `deadline` (next_scan), a resize (resized; not seen on Windows, where the
    // next scan fits the new width), or a request to stop.
    WatchEvent wait_until(std::chrono::steady_clock::time_point deadline) const;
};

}  // namespace ports
