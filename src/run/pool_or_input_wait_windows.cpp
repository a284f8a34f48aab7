// The pool's handle is waited on; an input pipe cannot be (input_ready.hpp), so with one the
// wait is cut into 1 ms slices with a look at the input between them.
#include <windows.h>

#include <algorithm>

#include "input_ready.hpp"
#include "pool_or_input_wait.hpp"

namespace run {

void wait_for_pool_or_input(forkline::NativeHandle pool, int input_fd,
                            std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const auto slice = input_fd < 0 ? left : std::min(left, std::chrono::milliseconds(1));
        if (::WaitForSingleObject(
                pool, static_cast<DWORD>(std::max<long long>(slice.count(), 0))) != WAIT_TIMEOUT)
            return;
        if (input_fd >= 0 && input_ready(input_fd, 0)) return;
        if (std::chrono::steady_clock::now() >= deadline) return;
    }
}

}  // namespace run
