// Windows has no /proc/self/fd: the open handles are found by asking GetHandleInformation
// about each handle value in turn (they are multiples of 4, handed out low first), until
// kGap values in a row are not handles. GetProcessHandleCount alone will not do: wine 8.0
// reports 0 handles. Shared memory is a section handle, so a leaked segment shows here too
// (there is no /dev/shm to look at).
#include <windows.h>
// After windows.h, which it needs.
#include <pthread.h>
#include <tlhelp32.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

#include "leak_probe.hpp"

namespace test_support {

namespace {

constexpr int kGap = 512;

std::vector<long long> handles_now() {
    std::vector<long long> handles;
    int misses = 0;
    for (std::uintptr_t value = 4; misses < kGap; value += 4) {
        DWORD flags = 0;
        if (::GetHandleInformation(reinterpret_cast<HANDLE>(value), &flags)) {
            handles.push_back(static_cast<long long>(value));
            misses = 0;
        } else {
            ++misses;
        }
    }
    return handles;
}

// Processes whose parent is this one, still running (or exited while a handle keeps them).
bool has_children() {
    const HANDLE snapshot = ::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snapshot == INVALID_HANDLE_VALUE) return false;
    const DWORD self = ::GetCurrentProcessId();
    bool found = false;
    PROCESSENTRY32W entry{};
    entry.dwSize = sizeof entry;
    for (BOOL more = ::Process32FirstW(snapshot, &entry); more && !found;
         more = ::Process32NextW(snapshot, &entry))
        found = entry.th32ParentProcessID == self && entry.th32ProcessID != self;
    ::CloseHandle(snapshot);
    return found;
}

}  // namespace

// Process-wide state the runtime keeps once made, made before the first probe: else
// whichever test case first needs it would be blamed for a leak (measured under wine 8):
// mingw makes a thread a winpthreads thread (an Event and a Thread handle, kept while it
// lives) the first time it needs one: a function-local static's guard, a
// std::filesystem conversion.
void settle_runtime_state() {
    static bool settled = false;  // constant-initialised: no guard
    if (std::exchange(settled, true)) return;
    (void)::pthread_self();
}

LeakProbe::LeakProbe() : held_(((void)settle_runtime_state(), handles_now())) {}

std::vector<std::string> LeakProbe::leaks() const {
    std::vector<std::string> left;
    // Only a handle that was not there before is a leak: wine's runtime closes some of its
    // own (a thread pool's event) on its own schedule, which is not the test's doing.
    const std::vector<long long> now = handles_now();
    std::vector<long long> added;
    std::set_difference(now.begin(), now.end(), held_.begin(), held_.end(),
                        std::back_inserter(added));
    if (!added.empty()) left.emplace_back("a handle open");
    if (has_children()) left.emplace_back("a child process");
    return left;
}

}  // namespace test_support
