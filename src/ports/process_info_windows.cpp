// Process details from the Windows API: OpenProcess with the limited query right (which
// another user's process usually grants), then its image path, times, memory, handles and
// token user. Windows has no state letter and no thread count per process short of a
// system-wide snapshot: those stay unknown.
#include <windows.h>
// windows.h first: psapi.h and winternl.h need its types.
#include <psapi.h>
#include <winternl.h>

#include <forkline/error.hpp>
#include <string>
#include <vector>

#include "process_info.hpp"
#include "unique_handle.hpp"
#include "utf16.hpp"
#include "windows_error.hpp"

namespace ports {

namespace {

constexpr std::size_t kMaxCommandLine = 4096;

// FILETIME counts 100 ns ticks since 1601-01-01.
std::uint64_t ticks(const FILETIME& time) {
    return (static_cast<std::uint64_t>(time.dwHighDateTime) << 32) | time.dwLowDateTime;
}
constexpr std::uint64_t kTicksPerSecond = 10'000'000;
constexpr std::uint64_t kUnixEpochTicks = 116'444'736'000'000'000;

std::optional<std::wstring> image_path(HANDLE process) {
    std::wstring path(MAX_PATH, L'\0');
    for (;;) {
        auto size = static_cast<DWORD>(path.size());
        if (::QueryFullProcessImageNameW(process, 0, path.data(), &size)) {
            path.resize(size);
            return path;
        }
        if (::GetLastError() != ERROR_INSUFFICIENT_BUFFER || path.size() >= 32768)
            return std::nullopt;
        path.resize(path.size() * 2);
    }
}

// The command line as the process got it: NtQueryInformationProcess's
// ProcessCommandLineInformation (60), Windows 8.1 and later; wine 8.0 answers
// STATUS_INVALID_INFO_CLASS, and then the caller shows the image path.
std::optional<std::string> command_line(HANDLE process) {
    using Query = LONG(WINAPI*)(HANDLE, int, void*, ULONG, ULONG*);
    static const auto query = reinterpret_cast<Query>(reinterpret_cast<void*>(
        ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationProcess")));
    constexpr int kProcessCommandLineInformation = 60;
    if (query == nullptr) return std::nullopt;
    std::vector<std::byte> buffer(sizeof(UNICODE_STRING) + 2 * kMaxCommandLine);
    ULONG size = 0;
    if (query(process, kProcessCommandLineInformation, buffer.data(),
              static_cast<ULONG>(buffer.size()), &size) != 0) {
        buffer.resize(size);  // longer than we show: ask again, then cut
        if (size <= sizeof(UNICODE_STRING) ||
            query(process, kProcessCommandLineInformation, buffer.data(),
                  static_cast<ULONG>(buffer.size()), &size) != 0)
            return std::nullopt;
    }
    const auto& text = *reinterpret_cast<const UNICODE_STRING*>(buffer.data());
    auto line = forkline::narrow(std::wstring_view(text.Buffer, text.Length / sizeof(wchar_t)));
    if (line.size() > kMaxCommandLine) line.resize(kMaxCommandLine);
    return line;
}

// DOMAIN\user of the process's token.
std::optional<std::string> token_user(HANDLE process) {
    HANDLE raw_token = nullptr;
    if (!::OpenProcessToken(process, TOKEN_QUERY, &raw_token)) return std::nullopt;
    const forkline::UniqueHandle token(raw_token);
    DWORD size = 0;
    ::GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
    std::vector<std::byte> buffer(size);
    if (size == 0 || !::GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size))
        return std::nullopt;
    const auto* user = reinterpret_cast<const TOKEN_USER*>(buffer.data());
    wchar_t name[256];
    wchar_t domain[256];
    DWORD name_size = 256;
    DWORD domain_size = 256;
    SID_NAME_USE use{};
    if (!::LookupAccountSidW(nullptr, user->User.Sid, name, &name_size, domain, &domain_size, &use))
        return std::nullopt;
    const auto account = forkline::narrow(std::wstring_view(name, name_size));
    return domain_size == 0
               ? account
               : forkline::narrow(std::wstring_view(domain, domain_size)) + "\\" + account;
}

void read_times(HANDLE process, ProcessInfo& info) {
    FILETIME created{}, exited{}, kernel{}, user{};
    if (!::GetProcessTimes(process, &created, &exited, &kernel, &user)) return;
    info.cpu_seconds =
        static_cast<double>(ticks(kernel) + ticks(user)) / static_cast<double>(kTicksPerSecond);
    if (ticks(created) > kUnixEpochTicks)
        info.start_time =
            static_cast<std::int64_t>((ticks(created) - kUnixEpochTicks) / kTicksPerSecond);
}

}  // namespace

std::optional<FdScan> scan_fds(pid_t pid) {
    const forkline::UniqueHandle process(
        ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid)));
    DWORD handles = 0;
    if (!process.valid() || !::GetProcessHandleCount(process.get(), &handles)) return std::nullopt;
    return FdScan{.count = handles, .socket_inodes = {}};
}

std::optional<ProcessInfo> read_process_info(pid_t pid, std::optional<unsigned> open_fds) {
    ProcessInfo info;
    info.pid = pid;
    const forkline::UniqueHandle process(
        ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid)));
    if (!process.valid()) {
        // No such process (ERROR_INVALID_PARAMETER): gone. Anything else (access denied, a
        // protected process): it is there, we may only not look.
        if (::GetLastError() == ERROR_INVALID_PARAMETER) return std::nullopt;
        return info;
    }
    DWORD exit_code = 0;
    if (::GetExitCodeProcess(process.get(), &exit_code) && exit_code != STILL_ACTIVE)
        return std::nullopt;  // exited; only our handle keeps its pid
    if (const auto path = image_path(process.get())) {
        const auto full = forkline::narrow(*path);
        info.name = full.substr(full.find_last_of('\\') + 1);
        info.command_line = command_line(process.get()).value_or(full);
    }
    info.user = token_user(process.get());
    read_times(process.get(), info);
    PROCESS_MEMORY_COUNTERS memory{};
    if (::GetProcessMemoryInfo(process.get(), &memory, sizeof memory))
        info.rss_bytes = memory.WorkingSetSize;
    info.open_fds = open_fds;
    return info;
}

std::vector<pid_t> list_pids() {
    std::vector<DWORD> pids(1024);
    for (;;) {
        DWORD bytes = 0;
        if (!::EnumProcesses(pids.data(), static_cast<DWORD>(pids.size() * sizeof(DWORD)), &bytes))
            throw forkline::Error("cannot list processes: " +
                                  forkline::windows_error_text(::GetLastError()));
        // A full buffer may have been cut short: ask again with a larger one.
        if (bytes < pids.size() * sizeof(DWORD)) {
            pids.resize(bytes / sizeof(DWORD));
            return {pids.begin(), pids.end()};
        }
        pids.resize(pids.size() * 2);
    }
}

}  // namespace ports
