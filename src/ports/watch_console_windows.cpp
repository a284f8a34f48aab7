// The console on Windows: GetConsoleMode says whether standard output is one,
// GetConsoleScreenBufferInfo its width, and a console control handler turns Ctrl-C,
// Ctrl-Break and closing the window into an event the wait takes.
#include <windows.h>

#include <algorithm>

#include "watch_console.hpp"

namespace ports {

namespace {

HANDLE stop_event() {
    static const HANDLE event = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);  // until exit
    return event;
}

BOOL WINAPI on_console_control(DWORD) {
    ::SetEvent(stop_event());
    return TRUE;  // handled: the watch ends between two scans, with exit status 0
}

}  // namespace

bool stdout_is_terminal() {
    DWORD mode = 0;
    return ::GetConsoleMode(::GetStdHandle(STD_OUTPUT_HANDLE), &mode) != 0;
}

std::size_t terminal_width() {
    CONSOLE_SCREEN_BUFFER_INFO info{};
    if (!::GetConsoleScreenBufferInfo(::GetStdHandle(STD_OUTPUT_HANDLE), &info)) return 0;
    return static_cast<std::size_t>(std::max(0, info.srWindow.Right - info.srWindow.Left + 1));
}

WatchSignals::WatchSignals() {
    stop_event();
    ::SetConsoleCtrlHandler(on_console_control, TRUE);
}

WatchEvent WatchSignals::wait_until(std::chrono::steady_clock::time_point deadline) const {
    const auto left = std::max(deadline - std::chrono::steady_clock::now(),
                               std::chrono::steady_clock::duration::zero());
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    const auto waited = ::WaitForSingleObject(
        stop_event(), static_cast<DWORD>(std::min<long long>(ms, INFINITE - 1)));
    return waited == WAIT_OBJECT_0 ? WatchEvent::stop : WatchEvent::next_scan;
}

}  // namespace ports
