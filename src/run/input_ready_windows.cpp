// A file, the null device or a console is always ready to be read (a console read waits for
// a line, as a terminal's does on POSIX); a pipe is looked at with PeekNamedPipe every
// millisecond or so until it has bytes, has ended (its writer gone: the read returns 0) or
// the time is up. Windows cannot wait on an anonymous pipe's readability.
#include <io.h>
#include <windows.h>

#include <algorithm>

#include "input_ready.hpp"

namespace run {

bool input_ready(int fd, int timeout_ms) {
    const auto deadline = ::GetTickCount64() + static_cast<ULONGLONG>(std::max(timeout_ms, 0));
    const auto handle =
        fd < 0 ? INVALID_HANDLE_VALUE : reinterpret_cast<HANDLE>(::_get_osfhandle(fd));
    if (handle != INVALID_HANDLE_VALUE && ::GetFileType(handle) != FILE_TYPE_PIPE) return true;
    while (true) {
        DWORD available = 0;
        if (handle != INVALID_HANDLE_VALUE &&
            (::PeekNamedPipe(handle, nullptr, 0, nullptr, &available, nullptr) == 0 ||
             available > 0))
            return true;  // bytes, or the pipe ended (ERROR_BROKEN_PIPE): read() tells which
        if (timeout_ms >= 0 && ::GetTickCount64() >= deadline) return false;
        ::Sleep(1);
    }
}

}  // namespace run
