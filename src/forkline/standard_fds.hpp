// For the tools' main(): descriptors 0-2 must exist, or the next fd opened (a pipe, the
// shared-memory segment) would become someone's stdin or stdout.
#pragma once

namespace forkline {

// Fills each of 0, 1, 2 that is closed with /dev/null opened the wrong way round (stdin
// write-only, stdout and stderr read-only): the number is taken, yet a read or write fails
// with EBADF exactly as on the closed descriptor, so `tool >&-` is an error, not /dev/null.
// Windows (standard_fds_windows.cpp): the same with NUL, and 0-2 put in binary mode, so that
// bytes pass as they do on POSIX (no CRLF translation).
void ensure_standard_fds();

}  // namespace forkline
