#include <windows.h>

#include <cerrno>
#include <cstdlib>

#include "output_failure.hpp"

namespace cli {

int write_errno() {
    const DWORD error = ::GetLastError();
    const bool reader_gone = error == ERROR_NO_DATA || error == ERROR_BROKEN_PIPE;
    return errno == EINVAL && reader_gone ? EPIPE : errno;
}

void die_of_sigpipe() {
    std::_Exit(141);  // 128 + SIGPIPE (13), which Windows does not have
}

void drop_unwritten(std::FILE* file) {
    // No __fpurge here, and none needed: the Windows C runtime (msvcrt) empties a stream's
    // buffer whenever it flushes it, whether the write worked or not.
    std::clearerr(file);
}

}  // namespace cli
