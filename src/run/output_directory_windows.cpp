// OutputDirectory (output_directory.hpp) on Windows: in the user's temporary folder
// (GetTempPath: %TMP%, %TEMP%, else the profile's), START is the process's creation time
// (GetProcessTimes), and a creator is gone when no process has its pid or the one that has
// it was created at another time or has exited. A folder that is not the user's own cannot
// be listed or removed by this user, so the owner is not compared as on POSIX.
#include <windows.h>

#include <forkline/error.hpp>
#include <random>
#include <string_view>

#include "os_error.hpp"
#include "output_directory.hpp"
#include "tool.hpp"
#include "unique_handle.hpp"

namespace run {

namespace {

// The creation time of a live process `pid` (100 ns units since 1601); nullopt when there
// is none, or it has exited.
std::optional<unsigned long long> live_process_start(pid_t pid) {
    const forkline::UniqueHandle process(
        ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid)));
    if (!process.valid()) return std::nullopt;
    DWORD code = 0;
    FILETIME created{}, exited{}, kernel{}, user{};
    if (::GetExitCodeProcess(process.get(), &code) == 0 || code != STILL_ACTIVE ||
        ::GetProcessTimes(process.get(), &created, &exited, &kernel, &user) == 0)
        return std::nullopt;
    return (static_cast<unsigned long long>(created.dwHighDateTime) << 32) | created.dwLowDateTime;
}

}  // namespace

std::optional<std::string> run_directory_stem(pid_t pid) {
    const auto start = live_process_start(pid);
    if (!start) return std::nullopt;
    return std::string(kRunDirectoryPrefix) + std::to_string(pid) + "-" + std::to_string(*start) +
           "-";
}

std::size_t sweep_dead_run_directories(const std::filesystem::path& parent) {
    std::size_t removed = 0;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(parent, ignored)) {
        pid_t pid = 0;
        std::string_view start;
        const auto name = entry.path().filename().string();
        if (!parse_run_directory_name(name, pid, start)) continue;
        // A symbolic link (or junction) is never followed, let alone emptied.
        if (!entry.is_directory(ignored) || entry.is_symlink(ignored)) continue;
        const auto alive = live_process_start(pid);
        if (alive && std::to_string(*alive) == start) continue;
        std::error_code error;
        std::filesystem::remove_all(entry.path(), error);
        if (!error) ++removed;
    }
    return removed;
}

OutputDirectory::OutputDirectory() {
    std::error_code error;
    const auto parent = std::filesystem::temp_directory_path(error);
    if (error) throw forkline::Error("cannot find the temporary folder: " + error.message());
    sweep_dead_run_directories(parent);
    const auto stem = run_directory_stem(static_cast<pid_t>(::GetCurrentProcessId()));
    if (!stem) throw forkline::Error("cannot read this process's creation time");
    // mkdtemp's way: a random suffix, tried again when taken.
    std::random_device random;
    constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto name = *stem;
        for (int i = 0; i < 6; ++i) name += kLetters[random() % kLetters.size()];
        if (std::filesystem::create_directory(parent / name, error)) {
            path_ = parent / name;
            return;
        }
        if (error) break;
    }
    throw forkline::Error("cannot create a directory for job outputs in " +
                          cli::quoted(parent.string()) +
                          (error ? ": " + error.message() : std::string()));
}

}  // namespace run
