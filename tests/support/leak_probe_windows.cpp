// Windows has no /proc/self/fd: the open handles are found by asking GetHandleInformation
// about each handle value in turn (they are multiples of 4, handed out low first), until
// kGap values in a row are not handles. GetProcessHandleCount alone will not do: wine 8.0
// reports 0 handles. Shared memory is a section handle, so a leaked segment shows here too
// (there is no /dev/shm to look at).
#include <windows.h>
// After windows.h, which it needs.
#include <tlhelp32.h>

#include <cstdint>
#include <thread>

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

// The thread library (winpthreads) keeps two handles from its first thread on, for the
// whole process: made before the first probe, they are not a test's leak.
void start_a_thread_once() {
    static const bool started = [] {
        std::thread([] {}).join();
        return true;
    }();
    static_cast<void>(started);
}

}  // namespace

LeakProbe::LeakProbe() : held_((start_a_thread_once(), handles_now())) {}

std::vector<std::string> LeakProbe::leaks() const {
    std::vector<std::string> left;
    if (handles_now() != held_) left.emplace_back("a handle open");
    if (has_children()) left.emplace_back("a child process");
    return left;
}

}  // namespace test_support
