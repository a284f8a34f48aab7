#include <windows.h>
// After windows.h, which it needs.
#include <tlhelp32.h>

#include "process_control.hpp"

namespace test_support {

void kill_process(std::uint64_t pid) {
    const HANDLE process = ::OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
    if (process == nullptr) return;
    ::TerminateProcess(process, 1);
    ::CloseHandle(process);
}

std::vector<std::uint64_t> child_processes(std::uint64_t pid) {
    std::vector<std::uint64_t> children;
    const HANDLE snapshot = ::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snapshot == INVALID_HANDLE_VALUE) return children;
    PROCESSENTRY32W entry{};
    entry.dwSize = sizeof entry;
    for (BOOL more = ::Process32FirstW(snapshot, &entry); more;
         more = ::Process32NextW(snapshot, &entry)) {
        if (entry.th32ParentProcessID == pid && entry.th32ProcessID != pid)
            children.push_back(entry.th32ProcessID);
    }
    ::CloseHandle(snapshot);
    return children;
}

bool process_ends(std::uint64_t pid) {
    const HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
    if (process == nullptr) return true;  // no such process (any more)
    const bool ended = ::WaitForSingleObject(process, 10'000) == WAIT_OBJECT_0;
    ::CloseHandle(process);
    return ended;
}

}  // namespace test_support
