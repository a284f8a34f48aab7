// A timeout turned into a point on the steady clock, saturated: poll(milliseconds::max())
// means "until something happens", not a sum that overflows into the past.
#pragma once

#include <chrono>

namespace forkline {

inline std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    const auto now = Clock::now();
    if (timeout >=
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now))
        return Clock::time_point::max();
    return now + timeout;
}

}  // namespace forkline
