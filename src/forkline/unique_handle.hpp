// A move-only owner of one Windows HANDLE; closes it on destruction (Windows only).
#pragma once

#include <windows.h>

#include <utility>

namespace forkline {

class UniqueHandle {
  public:
    UniqueHandle() = default;
    // Takes ownership; INVALID_HANDLE_VALUE and null both mean "none".
    explicit UniqueHandle(HANDLE handle) noexcept : handle_(normal(handle)) {}
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
    explicit operator bool() const noexcept { return valid(); }
    HANDLE release() noexcept { return std::exchange(handle_, nullptr); }
    void reset(HANDLE handle = nullptr) noexcept {
        if (handle_ != nullptr) ::CloseHandle(handle_);
        handle_ = normal(handle);
    }

  private:
    static HANDLE normal(HANDLE handle) noexcept {
        return handle == INVALID_HANDLE_VALUE ? nullptr : handle;
    }
    HANDLE handle_ = nullptr;  // null: owns nothing
};

}  // namespace forkline
