// Waiting for input on a descriptor (stdin, a file given with -a): poll(2) on POSIX; on
// Windows, which has no poll for pipes, the handle's kind decides.
#pragma once

namespace run {

// True when a read of `fd` will not block: data, the end of the input, or an error to
// report. False after `timeout_ms` (-1: no limit) without any, or when a signal ended the
// wait (POSIX). With fd -1: sleeps `timeout_ms`, then false.
bool input_ready(int fd, int timeout_ms);

}  // namespace run
