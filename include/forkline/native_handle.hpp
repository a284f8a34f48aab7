// The operating system's name for an open kernel object, as the public API hands it out
// (Pool::fd(), the JobPool concept): a file descriptor on POSIX, a HANDLE on Windows.
//
//   POSIX:   poll/epoll it for readability.
//   Windows: wait for it to be signalled (WaitForSingleObject, a registered wait).
#pragma once

namespace forkline {

#ifdef _WIN32
using NativeHandle = void*;  // HANDLE, without <windows.h> in a public header
inline constexpr NativeHandle kNoNativeHandle = nullptr;
#else
using NativeHandle = int;
inline constexpr NativeHandle kNoNativeHandle = -1;
#endif

}  // namespace forkline
