// Holds a SRWLOCK exclusively for a scope (Windows only). Rather than std::mutex: mingw's
// std::mutex is a winpthreads mutex, whose use makes a thread a winpthreads thread and,
// contended, makes a handle the runtime keeps; a SRWLOCK needs no handle at all.
#pragma once

#include <windows.h>

namespace forkline {

class SrwLockGuard {
  public:
    explicit SrwLockGuard(SRWLOCK& lock) : lock_(lock) { ::AcquireSRWLockExclusive(&lock_); }
    ~SrwLockGuard() { ::ReleaseSRWLockExclusive(&lock_); }
    SrwLockGuard(const SrwLockGuard&) = delete;
    SrwLockGuard& operator=(const SrwLockGuard&) = delete;

  private:
    SRWLOCK& lock_;
};

}  // namespace forkline
