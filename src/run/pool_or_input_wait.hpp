// The run loop's wait for work when no live output is pumped: until the pool has something
// to do (Pool::fd() readable; Windows: its handle signalled), the input may have a job
// (`input_fd`, -1: not waited for), a signal came (POSIX), or `timeout` is over.
#pragma once

#include <chrono>
#include <forkline/native_handle.hpp>

namespace run {

void wait_for_pool_or_input(forkline::NativeHandle pool, int input_fd,
                            std::chrono::milliseconds timeout);

}  // namespace run
