// Sleeping and waking across processes on a 32-bit word in shared memory.
//
// Uses shared (not private) futexes: std::atomic::wait in libstdc++ uses private
// futexes, which never wake a waiter in another process.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace forkline {

// Sleeps while `word` still holds `expected`, at most `timeout`. Spurious returns are allowed:
// callers re-check their condition.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                std::chrono::nanoseconds timeout);

// Wakes every process sleeping on `word`.
void futex_wake_all(std::atomic<std::uint32_t>& word);

}  // namespace forkline
