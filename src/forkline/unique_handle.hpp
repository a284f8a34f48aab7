// A move-only owner of one Windows HANDLE; closes it on destruction (Windows only: the
// twin of unique_fd.hpp). Both "no handle" spellings, null and INVALID_HANDLE_VALUE (what
// CreateFileW returns on failure), count as owning nothing.
#pragma once

#ifndef _WIN32
#error "unique_handle.hpp is Windows only; POSIX code uses unique_fd.hpp"
#endif

#include <windows.h>

#include <utility>

namespace forkline {

class UniqueHandle {
  public:
    UniqueHandle() = default;
    explicit UniqueHandle(HANDLE handle) noexcept : handle_(normalized(handle)) {}
    UniqueHandle(UniqueHandle&& other) noexcept : handle_(other.release()) {}
    UniqueHandle& operator=(UniqueHandle&& other) noexcept {
        reset(other.release());
        return *this;
    }
    UniqueHandle(const UniqueHandle&) = delete;
    UniqueHandle& operator=(const UniqueHandle&) = delete;
    ~UniqueHandle() { reset(); }

    HANDLE get() const noexcept { return handle_; }
    bool valid() const noexcept { return handle_ != nullptr; }
    HANDLE release() noexcept { return std::exchange(handle_, nullptr); }
    void reset(HANDLE handle = nullptr) noexcept {
        if (handle_ != nullptr) ::CloseHandle(handle_);
        handle_ = normalized(handle);
    }

  private:
    static HANDLE normalized(HANDLE handle) noexcept {
        return handle == INVALID_HANDLE_VALUE ? nullptr : handle;
    }
    HANDLE handle_ = nullptr;  // null: owns nothing
};

}  // namespace forkline
