// A Windows worker's OS calls (serve_segment.hpp). The handles arrive inherited, under the
// values the supervisor wrote into FORKLINE_SEGMENT_FD and FORKLINE_WAKE_FD
// (pool_processes_windows.cpp).
#include <windows.h>

#include <cstdint>

#include "serve_segment.hpp"

namespace forkline {

namespace {

HANDLE handle_of(std::uint64_t value) {
    return reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(value));
}

}  // namespace

// Inheritable, since the launcher made it so to pass it: cleared, so that a process a job
// starts with bInheritHandles (any launcher but ours) does not receive it.
NativeHandle keep_inherited_handle(std::uint64_t value) {
    const auto handle = handle_of(value);
    ::SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0);
    return handle;
}

NativeHandle inherited_segment(std::uint64_t value) {
    return keep_inherited_handle(value);
}

void close_native_handle(NativeHandle handle) {
    ::CloseHandle(handle);
}

std::int32_t this_process_id() {
    return static_cast<std::int32_t>(::GetCurrentProcessId());
}

void record_job_groups(std::atomic<std::int32_t>*) {}  // the worker's Job Object holds them

}  // namespace forkline
