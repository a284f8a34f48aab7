#include <windows.h>

#include <cstdint>

#include "test_worker_os.hpp"

namespace test_worker {

// Handle values are multiples of 4, handed out low first: asks about each in turn until a
// long run of values that are not handles (as tests/support/leak_probe_windows.cpp).
std::uint64_t inheritable_handles() {
    const HANDLE standard[] = {::GetStdHandle(STD_INPUT_HANDLE), ::GetStdHandle(STD_OUTPUT_HANDLE),
                               ::GetStdHandle(STD_ERROR_HANDLE)};
    std::uint64_t count = 0;
    int misses = 0;
    for (std::uintptr_t value = 4; misses < 512; value += 4) {
        const auto handle = reinterpret_cast<HANDLE>(value);
        DWORD flags = 0;
        if (!::GetHandleInformation(handle, &flags)) {
            ++misses;
            continue;
        }
        misses = 0;
        const bool is_standard =
            handle == standard[0] || handle == standard[1] || handle == standard[2];
        if ((flags & HANDLE_FLAG_INHERIT) != 0 && !is_standard) ++count;
    }
    return count;
}

std::uint64_t process_id() {
    return ::GetCurrentProcessId();
}

}  // namespace test_worker
